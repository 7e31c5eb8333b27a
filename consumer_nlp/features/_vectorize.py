"""Features: normalised text -> tokens -> TF-IDF of word n-grams (and optionally character n-grams)."""
import copy
import functools

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted

from ._clauses import numbered_clauses, split_clauses
from ._counts import CharNgramCounter, WordNgramCounter
from ._normalize import PLACEHOLDER_NAMES, readable_term
from ._tokenize import Tokenizer

# Tokens never contain a space, so a space-joined token string is split back exactly.
_TOKEN_PATTERN = r"[^ ]+"
_VECTORIZERS = ("word_vectorizer_", "char_vectorizer_")
_CACHES = ("_word_counter", "_char_counter", "_names")  # derived from the vocabularies on first use


def terms_by_column(vocabulary: dict) -> list:
    """The terms of a ``{term: column}`` vocabulary in column order (a pass, not a sort: 70
    times faster than ``get_feature_names_out`` on a 90,000-term vocabulary)."""
    terms = [None] * len(vocabulary)
    for term, column in vocabulary.items():
        terms[column] = term
    return terms


class TextInputMixin:
    """Tells scikit-learn's checks that an estimator takes a 1-D sequence of texts, not a 2-D array of numbers."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


class ComplaintVectorizer(TextInputMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """TF-IDF features of normalised complaint texts.

    Word n-grams come from ``tokenizer`` (a :class:`Tokenizer`); character n-grams, when
    ``char_ngram_range`` is set, are taken from the normalised text itself and make the model
    robust to segmentation errors and typos. Features are a sparse matrix whatever scikit-learn's
    ``transform_output`` is set to, as its own text vectorizers' are (it cannot make a table of one).
    """

    def __init__(self, tokenizer=None, word_ngram_range=(1, 2), char_ngram_range=None,
                 min_df=2, sublinear_tf=True):
        self.tokenizer = tokenizer
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    def __getstate__(self):
        # A vocabulary travels (to worker processes) as one array of terms, not a dict of tens of
        # thousands of entries; caches are rebuilt where they are used.
        state = dict(super().__getstate__())  # for non-sklearn classes this is __dict__ itself
        for key in _CACHES:
            state.pop(key, None)
        for key in _VECTORIZERS:
            vectorizer = state.get(key)
            if vectorizer is not None and hasattr(vectorizer, "vocabulary_"):
                state[key + "terms"] = np.asarray(terms_by_column(vectorizer.vocabulary_), dtype=str)
                state[key] = copy.copy(vectorizer)
                del state[key].vocabulary_
        return state

    def __setstate__(self, state):
        for key in _VECTORIZERS:
            terms = state.pop(key + "terms", None)
            if terms is not None:
                state[key].vocabulary_ = {term: index for index, term in enumerate(terms.tolist())}
        super().__setstate__(state)

    def _new_vectorizer(self, **kwargs):
        return TfidfVectorizer(lowercase=False, min_df=self.min_df, sublinear_tf=self.sublinear_tf,
                               dtype=np.float32, **kwargs)

    def word_settings(self) -> dict:
        """How the word block's TfidfVectorizer reads a space-joined token string."""
        return {"token_pattern": _TOKEN_PATTERN, "ngram_range": tuple(self.word_ngram_range)}

    def char_settings(self) -> dict:
        """How the char block's TfidfVectorizer reads a normalised text."""
        return {"analyzer": "char", "ngram_range": tuple(self.char_ngram_range)}

    def fit(self, texts, y=None):
        for key in _CACHES:
            self.__dict__.pop(key, None)
        self.tokenizer_ = self.tokenizer if self.tokenizer is not None else Tokenizer()
        self.word_vectorizer_ = self._new_vectorizer(**self.word_settings())
        self.word_vectorizer_.fit(self.token_strings(texts))
        self.char_vectorizer_ = None
        if self.char_ngram_range is not None:
            self.char_vectorizer_ = self._new_vectorizer(**self.char_settings())
            self.char_vectorizer_.fit(texts)
        return self

    def token_strings(self, texts) -> list[str]:
        """Each text's tokens joined by single spaces (what the word vectorizer reads)."""
        return [" ".join(tokens) for tokens in self.tokenizer_.cut_many(texts)]

    def _counter(self, name: str):
        """The fast counter for one block (built on first use, not persisted), or None."""
        counter = self.__dict__.get("_" + name)
        if counter is None:
            if name == "word_counter" and tuple(map(int, self.word_ngram_range)) in ((1, 1), (1, 2)):
                counter = WordNgramCounter(self.word_vectorizer_.vocabulary_)
            elif name == "char_counter" and max(self.char_ngram_range) <= 3:
                counter = CharNgramCounter(self.char_vectorizer_.vocabulary_, self.char_ngram_range)
            self.__dict__["_" + name] = counter
        return counter

    @staticmethod
    def _weight(counts, vectorizer):
        """Counts to TF-IDF exactly as ``vectorizer`` (a fitted TfidfVectorizer) weights them."""
        if vectorizer.sublinear_tf:
            np.log(counts.data, counts.data)
            counts.data += 1.0
        counts.data *= vectorizer.idf_[counts.indices]
        if counts.shape[0] == 0:  # (no clause to read: normalize refuses no rows)
            return counts.astype(vectorizer.dtype)
        return l2_normalize(counts, norm=vectorizer.norm, copy=False).astype(vectorizer.dtype)

    def _word_block(self, texts) -> tuple:
        """The word n-gram TF-IDF block, as ``word_vectorizer_.transform`` computes it; the tokens it was counted
        from: each one's position in the vocabulary, its text and its clause's number in that text (None without
        the fast counter); and whether each text holds a word at all (:meth:`Tokenizer.cut_flat`)."""
        counter = self._counter("word_counter")
        if counter is None:
            words = self.tokenizer_.cut_flat(texts, structure=True)[3]
            return self.word_vectorizer_.transform(self.token_strings(texts)), None, words
        ids, rows, clauses, words = self.tokenizer_.cut_flat(texts, vocabulary=counter.unigrams, structure=True)
        return self._weight(counter.counts(ids, rows, len(texts)), self.word_vectorizer_), (ids, rows, clauses), words

    def word_features(self, texts) -> sp.csr_matrix:
        """The word n-gram TF-IDF block, as ``word_vectorizer_.transform`` computes it."""
        return self._word_block(texts)[0]

    def char_features(self, texts) -> sp.csr_matrix:
        """The character n-gram TF-IDF block, as ``char_vectorizer_.transform`` computes it (and by it where a text
        holds a NUL, which the fast counter puts after each text: never a normalised text)."""
        counter = self._counter("char_counter")
        if counter is None or any("\0" in text for text in texts):
            return self.char_vectorizer_.transform(texts)
        return self._weight(counter.counts(texts), self.char_vectorizer_)

    def _holds_evidence(self, texts, tokens, holds_words) -> np.ndarray:
        """Whether each text holds a word that is neither a stop word nor a placeholder (a number, an amount, a
        date, a phone or order number, a link): a text of such words alone says nothing of a complaint (a column
        of row numbers tagged by mistake), though its features score. Read from ``tokens`` (:meth:`_word_block`'s)
        where a known word settles it; the few other texts that hold words are cut again, to their tokens."""
        evidence = np.zeros(len(texts), dtype=bool)
        if tokens is not None:
            ids, rows, _ = tokens
            placeholders = self._counter("word_counter").unigrams.get_indexer(list(PLACEHOLDER_NAMES))
            evidence[rows[(ids >= 0) & ~np.isin(ids, placeholders)]] = True
        unsettled = np.flatnonzero(holds_words & ~evidence)
        picked = np.asarray(texts, dtype=object)[unsettled] if len(unsettled) else []  # (a Series too, by position)
        for row, words in zip(unsettled, self.tokenizer_.cut_many(picked)):
            evidence[row] = any(word not in PLACEHOLDER_NAMES for word in words)
        return evidence

    def unknown_share(self, texts) -> np.ndarray:
        """For each normalised text, the share of its words the vocabulary lacks (1 for no words):
        how unlike the training texts it is."""
        check_is_fitted(self, "word_vectorizer_")
        counter = self._counter("word_counter")
        vocabulary = counter.unigrams if counter is not None else pd.Index(
            [t for t in self.word_vectorizer_.vocabulary_ if " " not in t], dtype=object)
        ids, rows = self.tokenizer_.cut_flat(texts, vocabulary=vocabulary)
        words = np.bincount(rows, minlength=len(texts))
        unknown = np.bincount(rows, weights=(ids < 0).astype(float), minlength=len(texts))
        return np.where(words > 0, unknown / np.maximum(words, 1), 1.0)

    def read(self, texts) -> "FeaturePass":
        """The features of normalised ``texts``, kept with the tokens their words were counted from, so that the
        clauses of some of them are read without segmenting them again (:meth:`FeaturePass.clause_blocks`)."""
        check_is_fitted(self, "word_vectorizer_")
        return FeaturePass(self, texts)

    def transform_blocks(self, texts) -> tuple:
        """The word block and the char block (None without char n-grams) of the features."""
        return self.read(texts).blocks

    @staticmethod
    def join_blocks(blocks) -> sp.csr_matrix:
        """The feature matrix from the blocks of :meth:`transform_blocks`."""
        words, chars = blocks
        return words if chars is None else sp.hstack([words, chars], format="csr")

    def transform(self, texts):
        return self.join_blocks(self.transform_blocks(texts))

    def feature_names(self) -> list:
        """:meth:`get_feature_names_out` as a list, built once (indexing it is the fast path);
        placeholders in Chinese (〈金额〉, not MONEY)."""
        if self.__dict__.get("_names") is None:
            check_is_fitted(self, "word_vectorizer_")
            names = [readable_term(term) for term in terms_by_column(self.word_vectorizer_.vocabulary_)]
            if self.char_vectorizer_ is not None:
                names += [f"「{g}」" for g in terms_by_column(self.char_vectorizer_.vocabulary_)]
            self.__dict__["_names"] = names
        return self._names

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Feature names as a person reads them: word bigrams joined by a space, char n-grams in 「」."""
        return np.asarray(self.feature_names(), dtype=object)


class FeaturePass:
    """The feature blocks of a batch of normalised texts, and the tokens their word block was counted from: the
    clause rule reads the words of a few texts' clauses from them (:meth:`clause_blocks`) as a second pass over
    the clauses' own texts would, without segmenting them again (a second pass cost a tenth of the tagging time).
    ``holds_words``: whether each text holds a word at all, from the same tokens; ``holds_evidence``: whether it
    holds one other than stop words and placeholders (:meth:`ComplaintVectorizer._holds_evidence`)."""

    def __init__(self, vectorizer: ComplaintVectorizer, texts):
        self.vectorizer, self.texts = vectorizer, texts
        words, self._tokens, self.holds_words = vectorizer._word_block(texts)
        self.blocks = (words, None if vectorizer.char_vectorizer_ is None else vectorizer.char_features(texts))

    @functools.cached_property
    def holds_evidence(self) -> np.ndarray:
        return self.vectorizer._holds_evidence(self.texts, self._tokens, self.holds_words)

    def clause_blocks(self, rows) -> tuple:
        """The feature blocks of the clauses (:func:`split_clauses`) of the texts at ``rows`` (none of them
        empty, in increasing order), and for each clause the position in ``rows`` of its text: the rows of
        ``transform_blocks(split_clauses(...))``, perhaps in another order."""
        vectorizer = self.vectorizer
        if self._tokens is None:
            clauses, owners = split_clauses([self.texts[row] for row in rows])
            return vectorizer.transform_blocks(clauses), owners
        clauses, owners, numbers = numbered_clauses([self.texts[row] for row in rows])
        # A token's clause: its text, and the clause breaks before it in that text, as a key sorted as the clauses are.
        ids, token_rows, token_numbers = self._tokens
        keys = np.asarray(rows, dtype=np.int64)[owners] << 32 | numbers
        token_keys = token_rows.astype(np.int64) << 32 | token_numbers
        at = np.minimum(np.searchsorted(keys, token_keys), max(len(keys) - 1, 0))
        counted = keys[at] == token_keys if len(keys) else np.zeros(len(at), dtype=bool)
        counts = vectorizer._counter("word_counter").counts(ids[counted], at[counted], len(keys))
        blocks = [vectorizer._weight(counts, vectorizer.word_vectorizer_),
                  None if self.blocks[1] is None else vectorizer.char_features(clauses)]
        # A text without a clause of two characters is its own clause.
        alone = np.setdiff1d(rows, np.asarray(rows)[owners])
        if len(alone):
            blocks = [None if block is None else sp.vstack([block, whole[alone]], format="csr")
                      for block, whole in zip(blocks, self.blocks)]
            owners = np.concatenate([owners, np.searchsorted(rows, alone)])
        return tuple(blocks), owners
