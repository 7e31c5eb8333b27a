"""The six complaint categories, in the labeling guide's order, with their Chinese names."""
import functools
import itertools
import re
from types import MappingProxyType

from ._unicode import nfkc, without_format_characters
from ._values import is_number

CATEGORIES = MappingProxyType({
    "quality": "质量问题",
    "price_measurement": "价格/计量",
    "safety": "安全问题",
    "false_advertising": "虚假宣传",
    "financial": "金融服务",
    "other": "其他",
})
LABELS = tuple(CATEGORIES)
# The names in Traditional characters (desks in Taiwan and Hong Kong label so) and a common variant.
_OTHER_NAMES = {"質量問題": "quality", "價格/計量": "price_measurement", "安全問題": "safety",
                "虛假宣傳": "false_advertising", "金融服務": "financial", "其它": "other"}
LABEL_BY_NAME = MappingProxyType({**{label: label for label in LABELS}, **{zh: label for label, zh in CATEGORIES.items()},
                                  **_OTHER_NAMES})
# The English labels as their words run together once the underscore, a space, a hyphen or a slash between them is set
# aside ("false advertising", Price-Measurement, price/measurement as 价格/计量 is written): a desk types the words, and
# no other category is meant. Only between its words (:func:`_words_joined`): fin_ancial and safety_ are no label.
_WORDS_JOINED = MappingProxyType({label.replace("_", ""): label for label in LABELS})
_BETWEEN_WORDS = re.compile(r"[\s_\-/]+")
# Punctuation a label is written between or ended with as a sentence is (其他。, “安全问题”), never part of one.
_AROUND = "。.，,；;：:、!！?？\"'“”‘’「」『』【】()（）《》"
# Words a desk may write for a category, offered as it (是不是, never taken as it: the labeling guide names none of
# them): a part of its label, the labeling guide's own word for what it covers (the quantity supplied, a meal's 分量:
# price_measurement), or a desk's own name for the category (虚假广告 for the ads the guide puts under 虚假宣传, 金融消费
# for 金融服务), before any near spelling (quantity is one letter from quality; 虚假广告 is no near spelling of 虚假宣传).
_WORDS = {"price": "price_measurement", "measurement": "price_measurement", "advertising": "false_advertising",
          "quantity": "price_measurement", "数量": "价格/计量", "分量": "价格/计量", "虚假广告": "虚假宣传",
          "虛假廣告": "虚假宣传", "金融消费": "金融服务", "金融消費": "金融服务"}

# Marks a desk writes in a label cell of a row it has not labeled yet (a slash or a dash, 无, 待定, N/A, a question
# mark), as :func:`not_labeled_mark` reads them: no category and no label mistyped, so the row is one without a label.
NOT_LABELED_MARKS = frozenset({"/", "-", "—", "无", "待定", "未标注", "未分类", "空", "n/a", "na", "#n/a", "?"})


def in_guide_order(labels) -> list:
    """The different ``labels`` as tables show them: the guide's categories in its order, then any
    others sorted."""
    present = set(labels)
    return [label for label in LABELS if label in present] + sorted(present - set(LABELS), key=str)


# A label written by both its names, as the labeling guide heads them and a drop-down may list them: the Chinese name
# with the English in brackets (质量问题（quality）), or the one beside the other (quality 质量问题, 金融服务 financial).
_BOTH_NAMES = (re.compile(r"^(.+?)\s*\((.+)\)$"), re.compile(r"^([a-z][a-z_\- ]*?)\s*([^\x00-\x7f].*)$"),
               re.compile(r"^([^\x00-\x7f].*?)\s*([a-z][a-z_\- ]*)$"))


LONGEST_LABEL = 200  # characters a label cell may hold beside the spaces around it (质量问题（quality）, with notes)


def label_of(value) -> str | None:
    """The label a person meant by ``value``: the English label (any case, its words joined by an underscore, a
    space, a hyphen or a slash, or run together; nowhere else) or the Chinese name (Simplified or Traditional),
    full-width characters, spaces (价格 / 计量), invisible characters and the punctuation around it (“其他。”) ignored,
    or both (质量问题（quality）, quality 质量问题) where they name one category; None for anything else (two
    categories, a name and a note)."""
    if not isinstance(value, str):
        return None
    if len(value) > LONGEST_LABEL and len(value.strip()) > LONGEST_LABEL:  # a text, not a label: told without reading
        return None  # it (the patterns of a label of both names are quadratic: 80,000 brackets took 39 s)
    return _label_of_short(value) if len(value) <= 64 else _label_of_text(value)


@functools.lru_cache(maxsize=4096)
def _label_of_short(value: str) -> str | None:
    """:func:`_label_of_text`, read once for each of the few spellings a category column holds over many rows (a
    report of 100,000 rows read every cell's name again: a quarter of its time)."""
    return _label_of_text(value)


def _label_of_text(value: str) -> str | None:
    """:func:`label_of` of a text."""
    label = _one_name(value)
    if label is not None:
        return label
    bare = without_format_characters(nfkc(value)).strip().strip(_AROUND.translate({ord(c): None for c in "()（）"}))
    bare = bare.strip().lower()
    for form in _BOTH_NAMES:
        found = form.match(bare)
        if found and (named := _one_name(found[1])) is not None and named == _one_name(found[2]):
            return named
    return None


def _one_name(value: str) -> str | None:
    """The label one name of it names (see :func:`label_of`), or None."""
    key = _key(value)  # spaces set aside anywhere (价格 / 计量), but in an English label only between its words
    return (LABEL_BY_NAME.get(key) if key not in CATEGORIES else None) or _words_joined(value)


def _words_joined(value: str) -> str | None:
    """The English label whose words ``value`` writes, run together or with underscores, spaces, hyphens or slashes
    between them (:data:`_WORDS_JOINED`), the case, width and punctuation around it ignored as in :func:`_key`; None
    where one is anywhere else (fin_ancial, safety_)."""
    written = " ".join(without_format_characters(nfkc(value)).split()).lower().strip(_AROUND + " ")
    words = _BETWEEN_WORDS.split(written)
    label = _WORDS_JOINED.get("".join(words))
    if label is None:
        return None
    cuts = set(itertools.accumulate(len(word) for word in words[:-1]))
    return label if cuts <= set(itertools.accumulate(len(word) for word in label.split("_")[:-1])) else None


def _key(value: str) -> str:
    """A label as written, as it is looked up: full-width, case, spaces and invisible format characters (a
    zero-width space pasted from a web page) ignored, and the punctuation around it (其他。)."""
    return "".join(without_format_characters(nfkc(value)).split()).lower().strip(_AROUND)


def not_labeled_mark(value) -> bool:
    """Whether a label cell holds a desk's mark for "not labeled yet" (:data:`NOT_LABELED_MARKS`) and nothing else:
    full-width (？, Ｎ／Ａ), case, spaces and invisible characters ignored, as in a label, and the punctuation around a
    word (（空）, 待定。); a one-character mark written twice or more (——, //) is that mark."""
    if not isinstance(value, str):
        return False
    bare = "".join(without_format_characters(nfkc(value)).split()).lower()
    return bare in NOT_LABELED_MARKS or bare.strip(_AROUND) in NOT_LABELED_MARKS or (
        len(set(bare)) == 1 and bare[0] in NOT_LABELED_MARKS)


def doubtful_label(value) -> str | None:
    """The label a desk wrote with a question mark, its doubt (质量问题？, quality?, “虚假宣传？”), or None: no sure label,
    as ？ alone is no label yet (:data:`NOT_LABELED_MARKS`), though :func:`label_of`, which sets the punctuation
    around a label aside, reads one in it."""
    if not isinstance(value, str) or "?" not in nfkc(value):
        return None
    return label_of(value)


def marked_or_doubtful(value) -> bool:
    """Whether a label cell holds no sure label though it is not blank: a desk's mark for "not labeled yet"
    (:func:`not_labeled_mark`) or a label in doubt (:func:`doubtful_label`), each counted as written where read."""
    return not_labeled_mark(value) or doubtful_label(value) is not None


def number_written(value) -> float | None:
    """The number a label is written as (3, 3.0, "3", "３", "3。"), None for anything else: a column coding the
    categories by number names none of them."""
    if is_number(value):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+(\.\d+)?", key := _key(value), flags=re.ASCII):
        return float(key)
    return None


def label_fault(value) -> tuple[str, dict]:
    """What is wrong with a label :func:`label_of` does not know, as a fault's kind and particulars, for a program
    to tell in its own words: ("label_empty", {}), or ("unknown_label", {"label": ..., "near": the nearest spelling
    of a category, or None})."""
    import difflib

    if value is None or (isinstance(value, str) and not value.strip()) or value != value:  # None, "", NaN
        return "label_empty", {}
    key = _key(str(value))
    # a word of a category, a part of a Chinese name (价格, 计量), else a misspelling; a mark alone (a desk's / or -
    # for "none") is a part of no name, though 价格/计量 holds a /
    words = key if any(c.isalnum() for c in key) else ""
    near = [_WORDS[key]] if key in _WORDS else [name for name in CATEGORIES.values() if words and words in name][:1] \
        or difflib.get_close_matches(key, [*LABELS, *CATEGORIES.values()], n=1, cutoff=0.6)
    return "unknown_label", {"label": str(value), "near": near[0] if near else None}


def unknown_label(value) -> str:
    """What is wrong with a label :func:`label_of` does not know, and what it may be instead: the
    nearest spelling of a category, where one is near."""
    kind, details = label_fault(value)
    if kind == "label_empty":
        return "the label is empty"
    near = details["near"]
    return (f"unknown label {value!r}{f' (did you mean {near!r}?)' if near else ''}; expected one of "
            f"{', '.join(LABELS)} or their Chinese names ({'、'.join(CATEGORIES.values())})")
