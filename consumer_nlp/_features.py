"""Features: normalised text -> tokens -> TF-IDF of word n-grams (and optionally character n-grams)."""
import copy

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ._tokenize import Tokenizer

# Tokens never contain a space, so a space-joined token string is split back exactly.
_TOKEN_PATTERN = r"[^ ]+"
_VECTORIZERS = ("word_vectorizer_", "char_vectorizer_")


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
        # Persisted vocabularies are one array of terms each, not a dict of tens of thousands of
        # entries (which skops would write out node by node, making the model file huge).
        state = dict(super().__getstate__())  # for non-sklearn classes this is __dict__ itself
        for key in _VECTORIZERS:
            vectorizer = state.get(key)
            if vectorizer is not None and hasattr(vectorizer, "vocabulary_"):
                state[key + "terms"] = np.asarray(vectorizer.get_feature_names_out(), dtype=str)
                state[key] = copy.copy(vectorizer)
                del state[key].vocabulary_
        return state

    def __setstate__(self, state):
        for key in _VECTORIZERS:
            terms = state.pop(key + "terms", None)
            if terms is not None:
                state[key].vocabulary_ = {term: index for index, term in enumerate(terms.tolist())}
        super().__setstate__(state)

    def _tfidf(self, **kwargs):
        return TfidfVectorizer(lowercase=False, min_df=self.min_df, sublinear_tf=self.sublinear_tf,
                               dtype=np.float32, **kwargs)

    def fit(self, texts, y=None):
        self.tokenizer_ = self.tokenizer if self.tokenizer is not None else Tokenizer()
        self.word_vectorizer_ = self._tfidf(token_pattern=_TOKEN_PATTERN, ngram_range=self.word_ngram_range)
        self.word_vectorizer_.fit(self.token_strings(texts))
        self.char_vectorizer_ = None
        if self.char_ngram_range is not None:
            self.char_vectorizer_ = self._tfidf(analyzer="char", ngram_range=self.char_ngram_range)
            self.char_vectorizer_.fit(texts)
        return self

    def token_strings(self, texts) -> list[str]:
        """Each text's tokens joined by single spaces (what the word vectorizer reads)."""
        cut = self.tokenizer_.cut
        return [" ".join(cut(text)) for text in texts]

    def transform(self, texts):
        check_is_fitted(self, "word_vectorizer_")
        words = self.word_vectorizer_.transform(self.token_strings(texts))
        if self.char_vectorizer_ is None:
            return words
        return sp.hstack([words, self.char_vectorizer_.transform(texts)], format="csr")

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Feature names as a person reads them: word bigrams joined by a space, char n-grams in 「」."""
        check_is_fitted(self, "word_vectorizer_")
        names = list(self.word_vectorizer_.get_feature_names_out())
        if self.char_vectorizer_ is not None:
            names += [f"「{g}」" for g in self.char_vectorizer_.get_feature_names_out()]
        return np.asarray(names, dtype=object)
