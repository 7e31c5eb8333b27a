"""Why the model decided: the terms shown with a tag (top_terms) and the explanation of one text."""
import numpy as np
import pytest

from consumer_nlp._explain import top_terms
from consumer_nlp._normalize import normalize_many


@pytest.fixture(scope="module")
def texts(small_corpus):
    return normalize_many(small_corpus[0][:80])


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
