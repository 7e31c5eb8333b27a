"""What no output file or cell can hold raw, and what it holds instead: lone surrogates (a broken emoji) and the
characters XML forbids, as U+FFFD or as the escape a JSON line was read from."""
import re


SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (a broken emoji, from escapes like "\\ud83d" in JSON input)
    as U+FFFD: UTF-8, Arrow, SQLite and Excel cannot hold them."""
    return SURROGATE.sub("\ufffd", text)


# The characters XML 1.0 forbids, which no .xlsx cell holds raw (openpyxl's list misses U+FFFE, U+FFFF).
FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
_FORBIDDEN_RE = re.compile(f"[{FORBIDDEN}]")


def printable(text: str) -> str:
    """``text`` with what no Excel cell or page can show, control characters, U+FFFE, U+FFFF and lone
    surrogates, as U+FFFD."""
    return without_surrogates(_FORBIDDEN_RE.sub("\ufffd", text))


def escape_surrogates(line: str) -> str:
    """A JSON line with each lone surrogate written back as the escape it was read from."""
    return SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", line)
