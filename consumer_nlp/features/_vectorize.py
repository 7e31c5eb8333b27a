"""Features: normalised text -> tokens -> TF-IDF of word n-grams (and optionally character n-grams)."""
import copy

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted

from .._unicode import code_points
from ._clauses import BREAKS, MIN_CLAUSE_CHARS, split_clauses
from ._counts import CharNgramCounter, WordNgramCounter, count_matrix
from ._normalize import readable_term
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


class ComplaintVectorizer(TransformerMixin, BaseEstimator):
    """TF-IDF features of normalised complaint texts.

    Word n-grams come from ``tokenizer`` (a :class:`Tokenizer`); character n-grams, when
    ``char_ngram_range`` is set, are taken from the normalised text itself and make the model
    robust to segmentation errors and typos.
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
        return l2_normalize(counts, norm=vectorizer.norm, copy=False).astype(vectorizer.dtype)

    def _word_block(self, texts) -> tuple:
        """The word n-gram TF-IDF block, as ``word_vectorizer_.transform`` computes it, and where its terms
        were found: each token's position in the vocabulary and its clause's number (None without the fast
        counter)."""
        counter = self._counter("word_counter")
        if counter is None:
            return self.word_vectorizer_.transform(self.token_strings(texts)), None
        ids, rows, clauses = self.tokenizer_.cut_flat(texts, vocabulary=counter.unigrams, clauses=True)
        return self._weight(counter.counts(ids, rows, len(texts)), self.word_vectorizer_), (ids, clauses)

    def _char_block(self, texts) -> tuple:
        """The character n-gram TF-IDF block, as ``char_vectorizer_.transform`` computes it, and where its
        terms were found (:meth:`CharNgramCounter.found`; None without the fast counter)."""
        counter = self._counter("char_counter")
        if counter is None:
            return self.char_vectorizer_.transform(texts), None
        codes, starts, columns, spans = counter.found(texts)
        is_end = codes == 0
        rows = (np.cumsum(is_end, dtype=np.int32) - is_end)[starts]  # 32-bit rows and columns: less to copy
        counts = count_matrix(rows, columns, len(texts), counter.n_features)
        return self._weight(counts, self.char_vectorizer_), (codes, rows, starts, columns, spans)

    def word_features(self, texts) -> sp.csr_matrix:
        """The word n-gram TF-IDF block, as ``word_vectorizer_.transform`` computes it."""
        return self._word_block(texts)[0]

    def char_features(self, texts) -> sp.csr_matrix:
        """The character n-gram TF-IDF block, as ``char_vectorizer_.transform`` computes it."""
        return self._char_block(texts)[0]

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
        """The features of normalised ``texts``, kept with where each term was found, so that the clauses of
        some of them can be read without a second pass (:meth:`FeaturePass.clause_blocks`)."""
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
    """The feature blocks of a batch of normalised texts, and where each term was found in it: the clause rule
    reads the clauses of a few texts from them (:meth:`clause_blocks`) as a second pass over the clauses' own
    texts would, without segmenting them again (a second pass cost a tenth of the tagging time)."""

    def __init__(self, vectorizer: ComplaintVectorizer, texts):
        self.vectorizer, self.texts = vectorizer, texts
        words, self._words = vectorizer._word_block(texts)
        chars, self._chars = (None, None) if vectorizer.char_vectorizer_ is None else vectorizer._char_block(texts)
        self.blocks = (words, chars)

    def clause_blocks(self, rows) -> tuple:
        """The feature blocks of the clauses (:func:`split_clauses`) of the texts at ``rows`` (none of them
        empty), and for each clause the position in ``rows`` of its text: the rows of
        ``transform_blocks(split_clauses(...))``, perhaps in another order."""
        vectorizer, chars = self.vectorizer, self.blocks[1]
        if self._words is None or (chars is not None and self._chars is None):
            clauses, owners = split_clauses([self.texts[row] for row in rows])
            return vectorizer.transform_blocks(clauses), owners
        codes = code_points("\0".join(self.texts) + "\0") if self._chars is None else self._chars[0]
        # A clause's number counts the clause breaks (and ends of texts) before it, as the tokens' do: clause n
        # lies between the n-th break and the next one, and belongs to the text of that next one.
        is_break = BREAKS.mask(codes) | (codes == 0)
        breaks = np.flatnonzero(is_break)
        size = np.diff(breaks, prepend=-1) - 1
        text = np.searchsorted(np.flatnonzero(codes == 0), breaks)
        place = np.full(len(self.texts), -1)
        place[rows] = np.arange(len(rows))
        kept = np.flatnonzero((size >= MIN_CLAUSE_CHARS) & (place[text] >= 0))
        index = np.full(len(size), -1)
        index[kept] = np.arange(len(kept))
        owners = place[text[kept]]
        ids, clause_of_token = self._words
        at = index[clause_of_token]
        counted = at >= 0
        counts = vectorizer._counter("word_counter").counts(ids[counted], at[counted], len(kept))
        blocks = [vectorizer._weight(counts, vectorizer.word_vectorizer_), None]
        if chars is not None:
            _, gram_rows, starts, columns, spans = self._chars
            chosen = place[gram_rows] >= 0
            starts, columns, spans = starts[chosen], columns[chosen], spans[chosen]
            number = np.cumsum(is_break)
            first = number[starts]
            at = index[first]
            counted = (at >= 0) & ~is_break[starts] & (number[starts + spans] == first)  # no break inside
            counts = count_matrix(at[counted], columns[counted], len(kept), chars.shape[1])
            blocks[1] = vectorizer._weight(counts, vectorizer.char_vectorizer_)
        # A text without a clause of two characters is its own clause.
        alone = rows[np.bincount(owners, minlength=len(rows)) == 0]
        if len(alone):
            blocks = [None if block is None else sp.vstack([block, whole[alone]], format="csr")
                      for block, whole in zip(blocks, self.blocks)]
            owners = np.concatenate([owners, place[alone]])
        return tuple(blocks), owners

