"""Text normalisation, the first pipeline stage: it works on a copy, never on the text users get back.

HTML character references decoded (scraped pages carry them), full-width to half-width (NFKC), Traditional to Simplified (OpenCC), one space for any run of
white space, control and zero-width characters removed, and numbers folded to placeholder tokens
so that phone numbers, order numbers, dates and amounts do not become vocabulary while "an amount
was mentioned" stays a feature. Texts are normalised in batches: one pass of each step over all
of them joined by line breaks, which is several times faster than one text at a time.
"""
import html
import re
import unicodedata
from functools import lru_cache

import numpy as np

from .._money import CURRENCY, CURRENCY_OPENS
from .._unicode import code_points, nfkc, simplified


def _after_opening(alternatives: str) -> str:
    """``alternatives`` ("[¥￥]|rmb|人民币") as what follows their opening character once it is read,
    which each looks behind for: "(?<=[¥￥])|(?<=r)mb|(?<=人)民币"."""
    parts = []
    for alternative in alternatives.split("|"):
        opening = alternative[:alternative.index("]") + 1] if alternative.startswith("[") else alternative[0]
        parts.append(f"(?<={opening}){alternative[len(opening):]}")
    return "|".join(parts)


# Placeholders are upper-case ASCII words: lower-casing runs before folding and leaves only words of exactly
# their letters (a normal form normalised again), and both tokenizer backends keep an ASCII word whole. No
# pattern crosses a line break, which separates the texts of a batch.
_URL_FOLD = (re.compile(r"(?:https?://|www\.)\S+"), " URL ")
_NUMBER_FOLDS = [  # each needs an ASCII digit to match
    # Each digit pattern opens with a character class and looks behind only after it, which lets the
    # regex engine skip ahead to candidate characters instead of trying every position.
    (re.compile(r"1(?<![0-9]1)[3-9][0-9][*x]{4}[0-9]{4}(?![0-9])|1(?<![0-9]1)[3-9][0-9]{9}(?![0-9])"
                r"|0(?<![0-9]0)[0-9]{2,3}-[0-9]{7,8}(?![0-9])"), " PHONE "),
    (re.compile(r"[0-9](?<![0-9][0-9])[0-9]{1,3}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?"), " DATE "),
    # A match may start only where a run of its characters starts, so a long run that is no order
    # number or amount is scanned once, not once per position (that was quadratic in its length).
    # (Letters, then a digit; or a digit: the same as "(?<![a-z])[a-z]*[0-9][a-z0-9*-]{7,}", but
    # opening with a character class scans Chinese text twice as fast.)
    (re.compile(r"[a-z0-9](?<![a-z].)(?:(?<=[a-z])[a-z]*[0-9]|(?<=[0-9]))[a-z0-9*-]{7,}"), " ORDERNO "),
    # Opening with the class of every character an amount can open with, then telling the branches
    # apart by looking behind, for the same reason: a pattern that opens with a lookahead gets no
    # skipping at all (re skips only to a pattern's opening literal or class), and took twice as long.
    (re.compile(rf"[{CURRENCY_OPENS}0-9](?:(?:{_after_opening(CURRENCY)}) ?[0-9]+(?:,[0-9]+)*(?:\.[0-9]+)?(?: ?(?:万元|元|块))?"
                r"|(?<=[0-9])(?<![0-9][0-9])(?<![0-9],[0-9])[0-9]*(?:,[0-9]+)*(?:\.[0-9]+)? ?(?:万元|万块|元|块钱|块|毛|rmb))"),
     " MONEY "),
    # Digits glued to Latin letters are names (iphone15, 4s店, 5g, p2p) and stay as they are.
    (re.compile(r"[0-9](?<![a-z0-9][0-9])[0-9]*(?:\.[0-9]+)?%?(?![a-z0-9])"), " NUM "),
]


def _fold_numbers(joined: str) -> str:
    """The number folds on the lines (texts) of ``joined`` that hold a digit, which every one of them needs to
    match: the other lines are not scanned five more times. No fold crosses a line break, so each line is folded
    as if alone."""
    codes = code_points(joined)
    digit_lines = np.unique(np.searchsorted(np.flatnonzero(codes == 10), np.flatnonzero((codes >= 48) & (codes <= 57))))
    lines = joined.split("\n")
    folded = "\n".join([lines[at] for at in digit_lines.tolist()])
    for pattern, placeholder in _NUMBER_FOLDS:
        folded = pattern.sub(placeholder, folded)
    for at, line in zip(digit_lines.tolist(), folded.split("\n")):
        lines[at] = line
    return "\n".join(lines)


# The placeholders as a person reads them where terms are shown (a deciding term "多收 MONEY" is
# shown as "多收 〈金额〉").
PLACEHOLDER_NAMES = {"URL": "〈网址〉", "PHONE": "〈电话〉", "DATE": "〈日期〉", "ORDERNO": "〈单号〉", "MONEY": "〈金额〉",
                     "NUM": "〈数字〉"}


def readable_term(term: str) -> str:
    """A word term (tokens joined by spaces) with its placeholders in Chinese."""
    return " ".join(PLACEHOLDER_NAMES.get(token, token) for token in term.split(" "))


# Control and zero-width characters, and lone surrogates (left by broken emoji in scraped text).
_INVISIBLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff\ud800-\udfff]")
_SPACES = re.compile("  +")  # opening with a literal lets re skip to it: 8 times faster than " {2,}"


# Where single characters change under NFKC in Chinese text: Latin-1, general punctuation and
# letter-like symbols, enclosed and CJK compatibility forms, full- and half-width forms.
_NFKC_RANGES = [(0xA0, 0x100), (0x2000, 0x2500), (0x3000, 0x3400), (0xF900, 0xFB00), (0xFE10, 0xFE70),
                (0xFF00, 0xFFF0)]


@lru_cache(maxsize=1)
def _nfkc_tables() -> tuple:
    """NFKC of single characters in those ranges: a code point lookup array for those that map to
    one character, and a pattern with a dict for those that map to several (such as …)."""
    lookup, several = np.arange(0x10000, dtype=np.uint32), {}
    for start, stop in _NFKC_RANGES:
        for code in range(start, stop):
            mapped = unicodedata.normalize("NFKC", chr(code))
            if len(mapped) == 1:
                lookup[code] = ord(mapped)
            elif mapped != chr(code):
                several[chr(code)] = mapped
    return lookup, re.compile("[" + re.escape("".join(several)) + "]"), several


def _nfkc(text: str) -> str:
    """NFKC, fast: map single characters by table, and run the full algorithm only on the lines
    where that was not enough (one text in a batch must not make the batch pay for it). The mapped
    text is compatibility-equivalent to the input, so when it is already in NFKC it *is* the
    input's NFKC. ``text`` must hold no lone surrogates."""
    lookup, several_pattern, several = _nfkc_tables()
    codes = code_points(text)
    codes = np.where(codes < 0x10000, lookup[np.minimum(codes, 0xFFFF)], codes)
    mapped = several_pattern.sub(lambda match: several[match.group()], codes.tobytes().decode("utf-32-le"))
    if unicodedata.is_normalized("NFKC", mapped):
        return mapped
    # Each text checked on its own: a text in NFKC passes its check quickly, while a check of the
    # whole batch runs the full algorithm on all of it (12 against 18 µs a text, 6 with no such text).
    return "\n".join(line if unicodedata.is_normalized("NFKC", line) else nfkc(line) for line in mapped.split("\n"))


# A placeholder standing as a word of its own, as the folds leave it: opening with the class of their first letters
# (so that re skips to them), then looking behind that letter.
_PLACEHOLDER_WORD = re.compile(r"[UPDOMN](?<![^ \n].)(?:RL|HONE|ATE|RDERNO|ONEY|UM)(?![^ \n])")


def _lower(text: str) -> str:
    """``text`` in lower case but for its placeholder words, so that a normal form normalised again stays
    itself (an upper-case word of the same letters in a user's text stays too: it is taken for one)."""
    if not _PLACEHOLDER_WORD.search(text):
        return text.lower()
    parts = _PLACEHOLDER_WORD.split(text)
    words = _PLACEHOLDER_WORD.findall(text)
    return "".join(part.lower() + word for part, word in zip(parts, words + [""]))


# A character reference as html.unescape finds one (its pattern): an ampersand and what may follow it.
_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")


def _references_kept(text: str) -> str:
    """``text`` with the ampersand of each reference it holds written as &amp;, so that decoding the normal
    form again (normalising it twice) gives it back. Such a reference was in the input escaped (&amp;lt;) or
    was made by a later step (NFKC turns ＆ into &, removing invisibles and lower-casing join letters)."""
    def kept(match: re.Match) -> str:
        reference = match.group()
        return reference if html.unescape(reference) == reference else "&amp;" + reference[1:]

    return _REFERENCE.sub(kept, text) if "&" in text else text


def normalize_many(texts) -> list[str]:
    """Normalised forms of ``texts`` (strings), in order. A normal form normalised again stays as it is."""
    # str.split() with no argument splits on every kind of Unicode white space, line breaks included;
    # so a decoded &#10; cannot split a text of the batch.
    joined = "\n".join(" ".join((html.unescape(text) if "&" in text else text).split()) for text in texts)
    joined = _nfkc(_INVISIBLE.sub("", joined))
    joined = _lower(simplified(joined))
    if "http" in joined or "www." in joined:  # what the URL pattern opens with
        joined = _URL_FOLD[0].sub(_URL_FOLD[1], joined)
    joined = _fold_numbers(joined)
    # Runs of spaces are single spaces now, so the spaces beside a break go with two replacements.
    joined = _SPACES.sub(" ", joined).replace(" \n", "\n").replace("\n ", "\n").strip(" ")
    return _references_kept(joined).split("\n") if texts else []


def normalize(text: str) -> str:
    """Normalised form of one text (what tokenisation and features are built on)."""
    return normalize_many([text])[0]
