"""Features: normalised text -> tokens -> TF-IDF of word n-grams (and optionally character n-grams)."""
import copy

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted

from .._unicode import CODE_BITS, code_points
from ._normalize import readable_term
from ._tokenize import Tokenizer

# Tokens never contain a space, so a space-joined token string is split back exactly.
_TOKEN_PATTERN = r"[^ ]+"
_VECTORIZERS = ("word_vectorizer_", "char_vectorizer_")
_CACHES = ("_word_counter", "_char_counter", "_names")  # derived from the vocabularies on first use


def char_ngram_keys(terms) -> np.ndarray:
    """An integer key for each 1-3 character string: its code points side by side, 21 bits each
    (built a character position at a time over all terms: 48 → 13 ms for the default model)."""
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    codes = code_points("".join(terms)).astype(np.uint64)
    starts = np.cumsum(lengths) - lengths
    keys = np.zeros(len(terms), dtype=np.uint64)
    for position in range(int(lengths.max(initial=0))):
        longer = lengths > position
        keys[longer] = (keys[longer] << np.uint64(CODE_BITS)) | codes[starts[longer] + position]
    return keys


def terms_by_column(vocabulary: dict) -> list:
    """The terms of a ``{term: column}`` vocabulary in column order (a pass, not a sort: 70
    times faster than ``get_feature_names_out`` on a 90,000-term vocabulary)."""
    terms = [None] * len(vocabulary)
    for term, column in vocabulary.items():
        terms[column] = term
    return terms


def _count_matrix(rows, columns, n_rows: int, n_columns: int) -> sp.csr_matrix:
    """Counts of (row, column) pairs as a CSR matrix with sorted columns: one sort of the pairs as
    single integers, which is 1.7 times faster than merging them by row and letting scipy sort, and
    of 32-bit ones where they fit (a batch of 5,000 texts), which sort in 60% of the time. numpy's
    default sort, which on numpy 2 is a vectorised quicksort where the processor has the instructions
    (AVX2 or AVX-512, and Arm's): 1.2 against 9.5 µs a text for timsort (``kind="stable"``) over both
    blocks, side by side on the benchmark's archive (keys are plain integers: any sort gives the same)."""
    if len(rows) == 0:
        return sp.csr_matrix((n_rows, n_columns), dtype=np.float64)
    key_type = np.int32 if n_rows * n_columns <= np.iinfo(np.int32).max else np.int64
    keys = rows.astype(key_type) * key_type(n_columns) + columns.astype(key_type)
    keys.sort()
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    counts = np.diff(np.append(starts, len(keys))).astype(np.float64)
    keys = keys[starts]
    rows = keys // n_columns
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return sp.csr_matrix((counts, (keys - rows * n_columns).astype(np.int32), indptr), shape=(n_rows, n_columns))


class WordNgramCounter:
    """Word unigram and bigram counts of many token lists at once, through hash lookups.

    Gives the same counts as the fitted word vectorizer: a bigram is looked up as a pair of
    unigram ids, which is exact because with no ``max_df`` or ``max_features`` pruning both
    halves of every vocabulary bigram are in the vocabulary themselves.
    """

    def __init__(self, vocabulary: dict):
        unigrams = {term: column for term, column in vocabulary.items() if " " not in term}
        self.unigrams = pd.Index(list(unigrams), dtype=object)
        self.unigram_columns = np.fromiter(unigrams.values(), dtype=np.int64, count=len(unigrams))
        bigrams = [(term.split(" "), column) for term, column in vocabulary.items() if term.count(" ") == 1]
        pairs = self.unigrams.get_indexer([t for (a, b), _ in bigrams for t in (a, b)]).reshape(-1, 2)
        self.bigrams = pd.Index(pairs[:, 0] * len(self.unigrams) + pairs[:, 1])
        self.bigram_columns = np.array([column for _, column in bigrams], dtype=np.int64)
        self.n_features = len(vocabulary)

    def counts(self, ids, rows, n_rows: int) -> sp.csr_matrix:
        """Counts from the positions in ``unigrams`` of all tokens of a batch (-1: unknown), and
        the row each belongs to (see :meth:`Tokenizer.cut_flat`)."""
        # a bigram joins a token and the next one of the same text, both known
        follows = (rows[:-1] == rows[1:]) & (ids[:-1] >= 0) & (ids[1:] >= 0)
        pair_at = self.bigrams.get_indexer(ids[:-1][follows] * len(self.unigrams) + ids[1:][follows])
        known = ids >= 0
        rows = np.concatenate([rows[known], rows[:-1][follows][pair_at >= 0]])
        columns = np.concatenate([self.unigram_columns[ids[known]], self.bigram_columns[pair_at[pair_at >= 0]]])
        return _count_matrix(rows, columns, n_rows, self.n_features)


class CharNgramCounter:
    """Character n-gram counts of many texts at once, with numpy instead of a Python loop per n-gram.

    Gives the same counts as scikit-learn's ``analyzer="char"`` (n up to 3) on texts without runs
    of white space, which normalised texts never have; about ten times faster. Single characters
    are looked up in an array indexed by code point, longer n-grams in a hash table of their keys
    (an array lookup instead of hashing half the n-grams: counts 14.3 -> 12.2 µs a text side by side).
    """

    def __init__(self, vocabulary: dict, ngram_range: tuple):
        terms = list(vocabulary)
        columns = np.fromiter(vocabulary.values(), dtype=np.int32, count=len(vocabulary))
        single = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)) == 1
        codes = code_points("".join(t for t, one in zip(terms, single) if one)).astype(np.int64)
        # a column for each code point up to the highest single character, -1 beyond it (the last
        # entry, where lookups of higher code points are clipped to) and for characters not in it
        self.single_columns = np.full(codes.max(initial=-1) + 2, -1, dtype=np.int32)
        self.single_columns[codes] = columns[single]
        self.index = pd.Index(char_ngram_keys([t for t, one in zip(terms, single) if not one]))  # a hash table
        self.columns = columns[~single]
        self.n_features = len(vocabulary)
        self.ngram_range = ngram_range

    def counts(self, texts) -> sp.csr_matrix:
        # All texts in one array of code points, a 0 after each: no n-gram may contain a 0.
        codes = code_points("\0".join(texts) + "\0").astype(np.uint64)
        is_end = codes == 0
        row = np.cumsum(is_end, dtype=np.int32) - is_end  # 32-bit rows and columns: less to copy
        key, valid = codes.copy(), ~is_end
        found_rows, found_columns, gram_rows, gram_keys = [], [], [], []
        low, high = self.ngram_range
        if low <= 1:
            columns = self.single_columns.take(codes[valid].astype(np.intp), mode="clip")  # numpy 2.0 takes no uint64
            known = columns >= 0
            found_rows.append(row[valid][known])
            found_columns.append(columns[known])
        for n in range(2, high + 1):
            # extend each (n-1)-gram by the code point that follows it
            key[:-(n - 1)] = (key[:-(n - 1)] << np.uint64(CODE_BITS)) | codes[n - 1:]
            valid[:-(n - 1)] &= ~is_end[n - 1:]
            valid[-(n - 1):] = False
            if n >= low:
                gram_rows.append(row[valid])
                gram_keys.append(key[valid])
        if gram_keys:
            at = self.index.get_indexer(np.concatenate(gram_keys))
            known = at >= 0
            found_rows.append(np.concatenate(gram_rows)[known])
            found_columns.append(self.columns[at[known]])
        return _count_matrix(np.concatenate(found_rows), np.concatenate(found_columns), len(texts), self.n_features)


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

    def word_features(self, texts) -> sp.csr_matrix:
        """The word n-gram TF-IDF block, as ``word_vectorizer_.transform`` computes it."""
        counter = self._counter("word_counter")
        if counter is None:
            return self.word_vectorizer_.transform(self.token_strings(texts))
        ids, rows = self.tokenizer_.cut_flat(texts, vocabulary=counter.unigrams)
        return self._weight(counter.counts(ids, rows, len(texts)), self.word_vectorizer_)

    def char_features(self, texts) -> sp.csr_matrix:
        """The character n-gram TF-IDF block, as ``char_vectorizer_.transform`` computes it."""
        counter = self._counter("char_counter")
        if counter is None:
            return self.char_vectorizer_.transform(texts)
        return self._weight(counter.counts(texts), self.char_vectorizer_)

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

    def transform_blocks(self, texts) -> tuple:
        """The word block and the char block (None without char n-grams) of the features."""
        check_is_fitted(self, "word_vectorizer_")
        return self.word_features(texts), None if self.char_vectorizer_ is None else self.char_features(texts)

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
