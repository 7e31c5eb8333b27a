"""Tokenisation: jieba segmentation with the domain dictionary and stop words.

Two backends share jieba's algorithm and dictionary: ``rjieba`` (the Rust port, much faster) and
``jieba`` (pure Python). A :class:`Tokenizer` carries its dictionary entries and stop words as
plain data and builds its segmenter lazily in each process, so a fitted model tokenises the same
way in worker processes as where it was trained (jieba's module-level state does not travel).
"""
import importlib.util
import logging
import threading
from functools import lru_cache
from importlib import resources

import numpy as np

from .._unicode import CodePointClass, code_points
from ._clauses import BREAKS

BACKENDS = ("rjieba", "jieba")
_BUILDING = threading.Lock()  # one segmenter built at a time: threads using a model at once share one
DEFAULT_WORD_FREQ = 500
# Everything but letters, digits, CJK characters and emoji separates tokens and is dropped.
# (Line breaks are kept: they separate the texts of a batch.)
SEPARATOR = CodePointClass(r"[^\w\n\u2600-\u27bf\U0001f300-\U0001faff]")
# What the segmenter is given for each separator character, a token of its own: a space where it breaks a
# clause, else a tab; so the clauses of a text can be read from its tokens.
_BREAK_MARK, _OTHER_MARK = ord(" "), ord("\t")
# Their codes in a lookup table (:meth:`Tokenizer._lookup_table`), a line break's first; stop words' below them.
_LINE_BREAK, _BREAK, _OTHER = -2, -3, -4


def _read_resource(name: str) -> list[str]:
    text = resources.files("consumer_nlp.resources").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def default_user_words() -> tuple[tuple[str, int], ...]:
    """The shipped domain dictionary as ``(word, frequency or None)`` pairs."""
    entries = []
    for line in _read_resource("domain_dict.txt"):
        word, _, freq = line.partition(" ")
        entries.append((word, int(freq) if freq else None))
    return tuple(entries)


@lru_cache(maxsize=1)
def default_stop_words() -> tuple[str, ...]:
    """The shipped stop-word list."""
    return tuple(_read_resource("stop_words.txt"))


def resolve_backend(backend: str = "auto") -> str:
    """``"auto"`` means the fast ``rjieba`` when it is installed, else ``jieba``."""
    if backend == "auto":
        return "rjieba" if importlib.util.find_spec("rjieba") else "jieba"
    if backend not in BACKENDS:
        raise ValueError(f"unknown tokenizer backend {backend!r}; choose one of {BACKENDS} or 'auto'")
    if importlib.util.find_spec(backend) is None:
        raise ImportError(f"tokenizer backend {backend!r} is not installed (pip install {backend})")
    return backend


def _build_segmenter(backend: str, user_words):
    """A fresh segmenter of ``backend`` with the user words added; returns its ``cut`` function."""
    if backend == "rjieba":
        import rjieba

        segmenter = rjieba.Jieba()
        known = segmenter.has_word
        add = segmenter.add_word
        cut = segmenter.cut
    else:
        import jieba

        segmenter = jieba.Tokenizer()
        jieba_logger = logging.getLogger("jieba")
        level = jieba_logger.level
        jieba_logger.setLevel(logging.ERROR)  # keep "Building prefix dict..." off the terminal
        try:
            segmenter.initialize()
        finally:
            jieba_logger.setLevel(level)
        known = lambda word: segmenter.FREQ.get(word, 0) > 0  # noqa: E731
        add = lambda word, freq, tag: segmenter.add_word(word, freq, tag)  # noqa: E731
        cut = segmenter.lcut
    for word, freq in user_words:
        # A given frequency always applies; a word without one is added only if jieba lacks it,
        # with the same frequency on both backends so that they agree.
        if freq is not None or not known(word):
            add(word, freq or DEFAULT_WORD_FREQ, None)
    return cut


def _marked(joined: str) -> str:
    """``joined`` with each separator character replaced by its mark (``_BREAK_MARK`` or ``_OTHER_MARK``), with
    numpy: three times faster than a regular expression's ``sub`` on a batch."""
    codes = code_points(joined)
    separator = SEPARATOR.mask(codes)
    if not separator.any():
        return joined
    codes = codes.copy()
    codes[separator] = np.where(BREAKS.mask(codes[separator]), _BREAK_MARK, _OTHER_MARK)
    return codes.tobytes().decode("utf-32-le", "surrogatepass")


class _Codes(dict):
    """A token's code, or -1 for a token it lacks: a plain dict lookup (the fastest there is in
    Python, 1.4 times faster than a pandas index here) for known and unknown tokens alike."""

    def __missing__(self, key):
        return -1


class Tokenizer:
    """Segment normalised text into tokens, dropping punctuation and stop words.

    Parameters
    ----------
    backend : "auto", "rjieba" or "jieba"
    user_words : (word, frequency) pairs added to jieba's dictionary (frequency None: added only
        if jieba lacks the word); default: the shipped domain dictionary.
    stop_words : tokens to drop; default: the shipped list.
    """

    def __init__(self, backend: str = "auto", user_words=None, stop_words=None):
        self.backend = resolve_backend(backend)
        self.user_words = tuple(user_words if user_words is not None else default_user_words())
        self.stop_words = tuple(stop_words if stop_words is not None else default_stop_words())
        self._cut = self._table = None

    def __getstate__(self):
        return {"backend": self.backend, "user_words": self.user_words, "stop_words": self.stop_words}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._cut = self._table = None

    def __repr__(self):
        return f"Tokenizer(backend={self.backend!r}, {len(self.user_words)} user words)"

    def _lookup_table(self, vocabulary) -> dict:
        """One table of codes: ``vocabulary``'s tokens their positions in it; a line break, the separators' marks
        and stop words negative codes from ``_LINE_BREAK`` down; -1 for any other token. Kept for the last
        vocabulary asked for; what is returned is the table found or built here, never the cache read again
        (another thread may have cached its own meanwhile)."""
        cached = self._table
        if cached is None or cached[0] is not vocabulary:
            dropped = list(dict.fromkeys(["\n", chr(_BREAK_MARK), chr(_OTHER_MARK), *self.stop_words]))
            table = _Codes(zip(dropped, range(_LINE_BREAK, _LINE_BREAK - len(dropped), -1)))
            if vocabulary is not None:
                table.update(zip(vocabulary, range(len(vocabulary))))
                if len(table) < len(dropped) + len(vocabulary):
                    raise ValueError("the vocabulary holds stop words or repeats a token")
            cached = self._table = (vocabulary, table)
        return cached[1]

    def cut_flat(self, texts, vocabulary=None, structure: bool = False) -> tuple:
        """All tokens of ``texts`` (normalised; a sequence, a numpy array or a pandas Series) as one object array,
        and the number of the text each token belongs to. One segmenter call for the whole batch, the texts joined
        by line breaks: a line break ends a block in jieba's algorithm, so each text is cut as if alone (a line
        break within a text is read as the space normalisation makes it).

        With ``vocabulary`` (a sequence of distinct tokens, no stop words), tokens come back as
        their positions in it, -1 where it lacks them: one dict lookup a token then finds stop words
        and features. With ``structure``, also the number of each token's clause in its text (the clause
        break characters before it there, as :func:`~consumer_nlp.features.numbered_clauses` numbers clauses),
        and whether each text holds a word at all: a token that is no separator's mark (a letter, digit, Chinese
        character or emoji; a text of spaces, punctuation and symbols alone, 。 or ——, holds no evidence).
        """
        if self._cut is None:
            with _BUILDING:
                if self._cut is None:
                    self._cut = _build_segmenter(self.backend, self.user_words)
        table = self._lookup_table(vocabulary)
        joined = "\n".join(texts)
        if joined.count("\n") >= len(texts) > 0:  # a text's own line break would start the next text: a space, as
            joined = "\n".join(text.replace("\n", " ") for text in texts)  # normalisation makes it
        tokens = self._cut(_marked(joined)) if len(texts) else []
        codes = np.fromiter(map(table.__getitem__, tokens), dtype=np.int32, count=len(tokens))
        line_break = codes == _LINE_BREAK
        rows = np.cumsum(line_break, dtype=np.int32)
        keep = codes >= -1  # a token of the vocabulary, or one it lacks
        found = codes[keep] if vocabulary is not None else np.array(tokens, dtype=object)[keep]
        if not structure:
            return found, rows[keep]
        breaks = np.cumsum(line_break | (codes == _BREAK), dtype=np.int32)  # line breaks and clause breaks
        before_text = np.concatenate([[0], breaks[line_break]])
        words = np.bincount(rows[(codes >= -1) | (codes < _OTHER)], minlength=len(texts)) > 0  # no break, no mark
        return found, rows[keep], (breaks - before_text[rows])[keep], words

    def cut_many(self, texts) -> list[list[str]]:
        """Tokens of each text, in order."""
        tokens, rows = self.cut_flat(texts)
        bounds = np.searchsorted(rows, np.arange(len(texts) + 1))
        tokens = tokens.tolist()
        return [tokens[start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]

    def cut(self, text: str) -> list[str]:
        """Tokens of one text (already normalised), without punctuation or stop words."""
        return self.cut_many([text])[0]


default_tokenizer = Tokenizer()
