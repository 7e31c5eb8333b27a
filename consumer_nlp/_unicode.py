"""Unicode forms shared by every layer: NFKC in time linear in the text, whatever the text,
Traditional to Simplified Chinese, a text's code points as an array, and its width in a terminal."""
import re
import unicodedata
from functools import lru_cache

# Combining marks beyond 30 in a row (the limit of Unicode's stream-safe text format, UAX #15) are
# dropped first: NFKC orders such a run by an insertion sort, so 80,000 marks took 40 s to tag; no
# text of any language needs more.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_MARK_RUNS = re.compile(f"([{_MARKS}]{{30}})[{_MARKS}]+")
CODE_BITS = 21  # every code point fits in 21 bits, so three of them side by side fit in a 64-bit integer


def display_width(text: str) -> int:
    """The columns ``text`` takes in a terminal: a Chinese character or full-width sign two, a combining
    mark or invisible format character none, anything else one."""
    return sum(0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else 2 if unicodedata.east_asian_width(c) in "WF"
               else 1 for c in text)


# Direction marks and overrides (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069): one raw in a quoted value
# turns the rest of the line around it (a right-to-left override shows 12315热线 as 线热51321).
_DIRECTION_MARKS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def shown_escaped(text: str) -> str:
    """``text`` on one line that reads left to right: line breaks, tabs and other control characters (and the line
    and paragraph separators), and direction marks, as the escapes Python writes them with (\\n, \\x1b, \\u2028,
    \\u202e)."""
    return "".join(repr(c)[1:-1] if c in _DIRECTION_MARKS or unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
                   for c in text)


def utf8_text(value: bytes) -> str | None:
    """Bytes as their UTF-8 text, the one rule for texts given as bytes (a Parquet binary column, as Hive and Impala
    store strings; a list given to the Python API); None when they are not UTF-8."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def cut(text: str, chars: int) -> str:
    """``text`` in ``chars`` characters at most, ending in … where it was cut."""
    return text if len(text) <= chars else text[:chars - 1] + "…"


QUOTED_CHARS = 40  # a value quoted in a message: a pasted text quoted whole made a note of 200,000 characters


def quoted(value) -> str:
    """A user's value as a message quotes it: on one line (see :func:`shown_escaped`), cut to QUOTED_CHARS."""
    return cut(shown_escaped(str(value)), QUOTED_CHARS)


def code_points(text: str):
    """The code points of ``text`` as a numpy uint32 array (a lone surrogate as its own code point):
    one pass in C, where features and similarity work on all the characters of a batch at once."""
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class CodePointClass:
    """Which code points a one-character pattern matches, as a mask over an array of code points (see
    :func:`code_points`): a table for the Basic Multilingual Plane, built on first use, and the pattern itself for
    the few characters beyond it. What a regular expression's ``sub`` does to a batch of texts, with numpy."""

    def __init__(self, pattern: str):
        self.pattern = re.compile(pattern)
        self._table = None

    def mask(self, codes):
        """For each of ``codes``, whether the pattern matches its character."""
        import numpy as np

        if self._table is None:
            table = np.zeros(0x10000, dtype=bool)
            plane = "".join(map(chr, range(0x10000)))
            table[[found.start() for found in self.pattern.finditer(plane)]] = True
            self._table = table
        matched = self._table[np.minimum(codes, 0xFFFF)]
        beyond = np.flatnonzero(codes > 0xFFFF)
        if len(beyond):
            distinct, which = np.unique(codes[beyond], return_inverse=True)
            matches = np.array([self.pattern.fullmatch(chr(code)) is not None for code in distinct.tolist()])
            matched[beyond] = matches[which]
        return matched


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, runs of more than 30 combining marks cut to 30."""
    return unicodedata.normalize("NFKC", _MARK_RUNS.sub(r"\1", text))


@lru_cache(maxsize=1)
def to_simplified():
    """The OpenCC converter from Traditional to Simplified Chinese (built once: it reads its tables)."""
    import opencc

    return opencc.OpenCC("t2s")


# A character that is Simplified Chinese in its own right and that OpenCC's t2s phrases still read as the Traditional
# variant it also is: 坏 ("bad", a rare variant of 坯) as 坯 in 打坏, 拉坏, 捏坏 and 一坏, so that 快递把杯子打坏了 became
# 快递把杯子打坯了. No phrase is matched across it; every other character is converted as before.
_KEPT_AS_WRITTEN = "坏"


def simplified(text: str) -> str:
    """``text`` in Simplified Chinese (OpenCC's t2s), ``_KEPT_AS_WRITTEN`` kept as written."""
    convert, kept = to_simplified().convert, _KEPT_AS_WRITTEN
    return kept.join(map(convert, text.split(kept))) if kept in text else convert(text)


def without_format_characters(text: str) -> str:
    """``text`` without the invisible format characters text pasted from the web carries (Unicode's Cf: a
    zero-width space, a byte-order mark, a soft hyphen, direction marks)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def shows_nothing(text: str) -> bool:
    """Whether ``text`` holds nothing but spaces and invisible format characters: a cell that looks empty."""
    return not without_format_characters(text).strip()


def name_key(name: str) -> str:
    """What makes two spellings of one name (a column's, a channel's) the same name: full-width or
    half-width, Traditional or Simplified, spaces, case (全国１２３１５平台 and 全国12315平台, 投訴渠道 and
    投诉渠道, "Channel " and ＣＨＡＮＮＥＬ), and the invisible format characters text pasted from the web
    carries (a zero-width space, a byte-order mark, a soft hyphen: 热线\u200b is 热线)."""
    return simplified("".join(without_format_characters(nfkc(name)).split()).casefold())
