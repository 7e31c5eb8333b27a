import numpy as np
import pytest

from consumer_nlp._explain import top_terms
from consumer_nlp._normalize import normalize_many


@pytest.fixture(scope="module")
def texts(small_corpus):
    extra = ["", "a", "😀x", "的的的", "c++ p2p-平台", "退款 MONEY 还没到!!!"]
    return normalize_many(small_corpus[0] + extra)


def test_fast_word_features_equal_scikit_learns(default_model, texts):
    vectorizer = default_model.vectorizer_
    expected = vectorizer.word_vectorizer_.transform(vectorizer.token_strings(texts))
    got = vectorizer.word_features(texts)
    assert got.shape == expected.shape and (got != 0).sum() == (expected != 0).sum()
    np.testing.assert_allclose(got.toarray(), expected.toarray(), atol=1e-6)


def test_fast_char_features_equal_scikit_learns(default_model, texts):
    vectorizer = default_model.vectorizer_
    expected = vectorizer.char_vectorizer_.transform(texts)
    got = vectorizer.char_features(texts)
    assert got.shape == expected.shape and (got != 0).sum() == (expected != 0).sum()
    np.testing.assert_allclose(got.toarray(), expected.toarray(), atol=1e-6)


def test_batch_normalisation_equals_one_at_a_time(small_corpus):
    from consumer_nlp._normalize import normalize
    texts = small_corpus[0] + ["¥\n12", "  ", "a\x00b"]
    assert normalize_many(texts) == [normalize(t) for t in texts]


def test_top_terms_put_words_first_and_strongest_first(default_model, texts):
    features = default_model.vectorizer_.transform(texts[:50])
    codes = default_model.predict_proba(texts[:50]).argmax(axis=1)
    n_words = len(default_model.vectorizer_.word_vectorizer_.vocabulary_)
    weights = default_model.term_weights_
    for row, found in enumerate(top_terms(features, weights, codes, n_words, k=5)):
        assert len(found) <= 5
        columns = [c for c, _ in found]
        words = [v for c, v in found if c < n_words]
        assert words == sorted(words, reverse=True) and all(v > 0 for _, v in found)
        # no word left out that pushed harder than a word shown
        line = features[row]
        contribution = line.data * weights[codes[row], line.indices]
        stronger = {c for c, v in zip(line.indices, contribution) if c < n_words and words and v > words[-1] + 1e-9}
        assert stronger <= set(columns)
