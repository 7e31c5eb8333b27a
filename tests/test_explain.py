"""Why the model decided: the terms shown with a tag (top_terms)."""
import numpy as np
import pytest
from scipy.sparse import csr_matrix

import consumer_nlp as cn
from consumer_nlp._explain import top_terms
from consumer_nlp.features._normalize import normalize_many

# A hand-made case: four word columns w0-w3, then three character columns c0-c2, two classes.
NAMES = ["w0", "w1", "w2", "w3", "c0", "c1", "c2"]
WEIGHTS = np.array([[2.0, -1.0, 0.5, 1.0, 0.4, 3.0, -2.0],    # class 0
                    [-1.0, 1.0, 1.0, 0.0, 1.0, 0.5, 0.25]])  # class 1
WORDS = csr_matrix(np.array([[0.5, 0.5, 0.0, 0.3],
                             [1.0, 0.2, 0.4, 0.9],
                             [0.2, 0.0, 0.4, 0.6],
                             [0.0, 0.0, 0.0, 0.0],
                             [0.0, 1.0, 0.0, 0.0]]))
CHARS = csr_matrix(np.array([[0.5, 1.0, 0.5],
                             [0.0, 0.4, 0.4],
                             [0.0, 1.0, 0.0],
                             [0.5, 0.4, 1.6],
                             [0.0, 0.0, 1.0]]))
CODES = np.array([0, 1, 0, 1, 0])
# Contribution = value x weight of the row's class; only positive ones are shown, words first.
EXPECTED = [
    # row 0, class 0: w0 0.5*2 = 1.0, w1 0.5*-1 < 0, w3 0.3*1 = 0.3: two words, so one character
    # fills in: c1 1.0*3 = 3.0 (stronger than c0 0.5*0.4 = 0.2; c2 0.5*-2 < 0), after the words.
    [("w0", 1.0), ("w3", 0.3), ("c1", 3.0)],
    # row 1, class 1: w0 < 0, w1 0.2*1 = 0.2, w2 0.4*1 = 0.4, w3 0.9*0 = 0 (not positive):
    # two words, then c1 0.4*0.5 = 0.2 (c2 0.4*0.25 = 0.1 is weaker).
    [("w2", 0.4), ("w1", 0.2), ("c1", 0.2)],
    # row 2, class 0: w0 0.4, w2 0.2, w3 0.6: three words, so no character, strong as c1 (3.0) is.
    [("w3", 0.6), ("w0", 0.4), ("w2", 0.2)],
    # row 3, class 1: no words; characters c0 0.5*1 = 0.5, c1 0.4*0.5 = 0.2, c2 1.6*0.25 = 0.4.
    [("c0", 0.5), ("c2", 0.4), ("c1", 0.2)],
    # row 4, class 0: w1 1.0*-1 and c2 1.0*-2 push the other way: nothing to show.
    [],
]


def _rounded(found):
    return [[(term, round(value, 9)) for term, value in terms] for terms in found]


def test_words_first_strongest_first_and_characters_only_below_three_words():
    assert _rounded(top_terms(WORDS, CHARS, WEIGHTS, CODES, NAMES, k=5)) == EXPECTED


def test_without_character_columns_only_words_are_shown():
    found = top_terms(WORDS, None, WEIGHTS[:, :4], CODES, NAMES[:4], k=5)
    assert _rounded(found) == [[t for t in terms if t[0].startswith("w")] for terms in EXPECTED]


def test_k_keeps_the_strongest_words():
    # row 2 has three words (0.6, 0.4, 0.2): k=2 keeps the two strongest, and no character is
    # added beyond k.
    assert _rounded(top_terms(WORDS, CHARS, WEIGHTS, CODES, NAMES, k=2))[2] == [("w3", 0.6), ("w0", 0.4)]


def test_never_more_than_k_terms():
    for k in (0, 1, 2):
        assert all(len(terms) <= k for terms in top_terms(WORDS, CHARS, WEIGHTS, CODES, NAMES, k=k)), k


@pytest.fixture(scope="module")
def texts(small_corpus):
    short = ["秤不准", "冒烟了", "吃出钢丝", "", "a", "😀x", "退款 MONEY 还没到!!!"]  # few words: characters fill
    return normalize_many(small_corpus[0][:80] + short)


def test_the_default_models_terms_are_its_strongest_words_then_characters(default_model, texts):
    words, chars = default_model.vectorizer_.transform_blocks(texts)
    codes = default_model.predict_proba(texts).argmax(axis=1)
    n_words = words.shape[1]
    weights = default_model.term_weights_
    filled = 0
    for row, found in enumerate(top_terms(words, chars, weights, codes, range(weights.shape[1]), k=5)):
        shown_words = [v for c, v in found if c < n_words]
        shown_chars = [v for c, v in found if c >= n_words]
        assert [c < n_words for c, _ in found] == sorted([c < n_words for c, _ in found], reverse=True)
        line = words[row]
        positive = sorted((v for v in line.data * weights[codes[row], line.indices] if v > 0), reverse=True)
        np.testing.assert_allclose(shown_words, positive[:5])  # exactly the strongest words
        line = chars[row]
        positive = sorted((v for v in line.data * weights[codes[row], n_words + line.indices] if v > 0), reverse=True)
        # characters only where fewer than three words pushed that way, and then the strongest of them
        np.testing.assert_allclose(shown_chars, positive[:max(0, 3 - len(shown_words))])
        filled += bool(shown_chars)
    assert 0 < filled < len(texts)  # both cases occur in these texts


def test_an_explanation_lists_the_categories_in_the_guides_order(default_model):
    # classes_ is sorted (as scikit-learn sorts it); a table a person reads keeps the guide's order.
    explanation = default_model.explain("秤不准，少了二两")
    assert list(explanation.contributions.columns) == list(cn.CATEGORIES)
    assert list(explanation.probabilities) == list(cn.CATEGORIES)
