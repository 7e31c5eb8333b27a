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
    words, chars = default_model.vectorizer_.transform_blocks(texts[:80])
    codes = default_model.predict_proba(texts[:80]).argmax(axis=1)
    n_words = words.shape[1]
    weights = default_model.term_weights_
    for row, found in enumerate(top_terms(words, chars, weights, codes, range(weights.shape[1]), k=5)):
        shown_words = [v for c, v in found if c < n_words]
        shown_chars = [v for c, v in found if c >= n_words]
        assert len(found) <= 5 and all(v > 0 for _, v in found)
        assert shown_words == sorted(shown_words, reverse=True)
        assert [c < n_words for c, _ in found] == sorted([c < n_words for c, _ in found], reverse=True)
        line = words[row]
        positive = sorted((v for v in line.data * weights[codes[row], line.indices] if v > 0), reverse=True)
        np.testing.assert_allclose(shown_words, positive[:5])  # exactly the strongest words
        assert len(shown_chars) == (max(0, 3 - len(shown_words)) if shown_chars else 0) or not shown_chars


def test_refitting_forgets_what_the_last_fit_built(texts):
    from consumer_nlp._features import ComplaintVectorizer

    first, second = texts[:120], texts[120:]
    refitted = ComplaintVectorizer(char_ngram_range=(1, 3)).fit(first)
    refitted.transform(first), refitted.get_feature_names_out()  # builds the lookup tables
    refitted.fit(second)
    fresh = ComplaintVectorizer(char_ngram_range=(1, 3)).fit(second)
    assert list(refitted.get_feature_names_out()) == list(fresh.get_feature_names_out())
    assert (refitted.transform(second) != fresh.transform(second)).nnz == 0


def test_feature_names_are_in_column_order(default_model):
    vectorizer = default_model.vectorizer_
    words = list(vectorizer.word_vectorizer_.get_feature_names_out())
    chars = [f"「{g}」" for g in vectorizer.char_vectorizer_.get_feature_names_out()]
    assert list(vectorizer.get_feature_names_out()) == words + chars
