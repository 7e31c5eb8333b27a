"""Text normalisation, the first pipeline stage: it works on a copy, never on the text users get back.

Full-width to half-width (NFKC), Traditional to Simplified (OpenCC), one space for any run of
white space, and numbers folded to placeholder tokens so that phone numbers, order numbers, dates
and amounts do not become vocabulary while "an amount was mentioned" stays a feature.
"""
import re
import unicodedata
from functools import lru_cache

import opencc

# Placeholders are upper-case ASCII words: lower-casing runs before folding, so no user text can
# produce them, and both tokenizer backends keep an ASCII word whole.
_FOLDS = [
    (re.compile(r"(?:https?://|www\.)\S+"), " URL "),
    (re.compile(r"(?<![0-9])1[3-9][0-9][*x]{4}[0-9]{4}(?![0-9])|(?<![0-9])1[3-9][0-9]{9}(?![0-9])"
                r"|(?<![0-9])0[0-9]{2,3}-[0-9]{7,8}(?![0-9])"), " PHONE "),
    (re.compile(r"(?<![0-9])[0-9]{2,4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?"), " DATE "),
    (re.compile(r"[a-z]*[0-9][a-z0-9*-]{7,}"), " ORDERNO "),
    (re.compile(r"(?:¥|rmb|人民币)\s*[0-9][0-9,]*(?:\.[0-9]+)?(?:\s*(?:万元|元|块))?"
                r"|[0-9][0-9,]*(?:\.[0-9]+)?\s*(?:万元|万块|元|块钱|块|毛|rmb)"), " MONEY "),
    # Digits glued to Latin letters are names (iphone15, 4s店, 5g, p2p) and stay as they are.
    (re.compile(r"(?<![a-z0-9])[0-9]+(?:\.[0-9]+)?%?(?![a-z0-9])"), " NUM "),
]
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _to_simplified():
    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Return the normalised form of ``text`` that tokenisation and features are built on."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _to_simplified().convert(text).lower()
    for pattern, placeholder in _FOLDS:
        text = pattern.sub(placeholder, text)
    return _SPACE.sub(" ", text).strip()
