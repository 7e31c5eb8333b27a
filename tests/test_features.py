import numpy as np
import pytest

from consumer_nlp.features._normalize import normalize_many


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


@pytest.mark.parametrize("ngram_range", [None, (1, 3), (2, 3)])  # None: the default model's (1, 2)
def test_fast_char_features_equal_scikit_learns(default_model, texts, ngram_range):
    from consumer_nlp.features._vectorize import ComplaintVectorizer

    vectorizer = default_model.vectorizer_ if ngram_range is None else \
        ComplaintVectorizer(char_ngram_range=ngram_range).fit(texts)
    expected = vectorizer.char_vectorizer_.transform(texts)
    got = vectorizer.char_features(texts)
    assert got.shape == expected.shape and (got != 0).sum() == (expected != 0).sum()
    np.testing.assert_allclose(got.toarray(), expected.toarray(), atol=1e-6)


@pytest.mark.parametrize("ngram_range", [(1, 2), [1, 2], np.array([1, 1])])
def test_word_features_take_the_fast_counter_however_the_range_is_given(texts, ngram_range):
    # A range given as a list (as JSON and parameter grids give it) was compared with the tuples (1, 1) and (1, 2)
    # and missed the fast counter: 0.84 against 0.64 s for 10,000 texts (helper h5).
    from consumer_nlp.features._vectorize import ComplaintVectorizer

    vectorizer = ComplaintVectorizer(word_ngram_range=ngram_range).fit(texts)
    assert vectorizer._counter("word_counter") is not None


def test_fast_word_features_of_a_vocabulary_whose_pairs_pass_32_bits_equal_scikit_learns():
    # Token positions are 32-bit; a bigram's key, its first token's position times the number of unigrams plus the
    # second's, passes 2**31 once there are more than 46,340 unigrams (a model trained on a large archive).
    from consumer_nlp.features._vectorize import ComplaintVectorizer

    words = [f"w{i}" for i in range(47_000)]
    vectorizer = ComplaintVectorizer().fit([f"{a} {b}" for a, b in zip(words, words[1:])] * 2)
    texts = ["w46998 w46999", "w0 w1 w46999 w46998", "w1 w0"]
    expected = vectorizer.word_vectorizer_.transform(vectorizer.token_strings(texts))
    got = vectorizer.word_features(texts)
    counter = vectorizer._counter("word_counter")
    assert counter is not None and len(counter.unigrams) > 46_341
    assert got.nnz == expected.nnz == 10
    np.testing.assert_allclose(got.toarray(), expected.toarray(), atol=1e-6)


@pytest.mark.parametrize("batch", [[""], ["", ""], ["\U00013000\U00013001"]])
def test_fast_features_of_batches_without_any_known_term_are_empty(default_model, batch):
    vectorizer = default_model.vectorizer_
    for got in vectorizer.transform_blocks(normalize_many(batch)):
        assert got.shape[0] == len(batch) and got.nnz == 0


def test_refitting_forgets_what_the_last_fit_built(texts):
    from consumer_nlp.features._vectorize import ComplaintVectorizer

    first, second = texts[:120], texts[120:]
    refitted = ComplaintVectorizer(char_ngram_range=(1, 3)).fit(first)
    refitted.transform(first), refitted.get_feature_names_out()  # builds the lookup tables
    refitted.fit(second)
    fresh = ComplaintVectorizer(char_ngram_range=(1, 3)).fit(second)
    assert list(refitted.get_feature_names_out()) == list(fresh.get_feature_names_out())
    assert (refitted.transform(second) != fresh.transform(second)).nnz == 0


def test_feature_names_are_in_column_order(default_model):
    vectorizer = default_model.vectorizer_
    from consumer_nlp.features._normalize import readable_term

    words = [readable_term(term) for term in vectorizer.word_vectorizer_.get_feature_names_out()]
    chars = [f"「{g}」" for g in vectorizer.char_vectorizer_.get_feature_names_out()]
    assert list(vectorizer.get_feature_names_out()) == words + chars


@pytest.mark.parametrize("n_rows, n_columns", [(4, 7), (3, 2**30)])  # small keys, and keys past 2**31
def test_counts_of_row_column_pairs_equal_scipys_sums(n_rows, n_columns):
    import scipy.sparse as sp

    from consumer_nlp.features._counts import count_matrix

    rng = np.random.default_rng(0)
    rows = rng.integers(0, n_rows, 200)
    columns = np.concatenate([rng.integers(0, 5, 100), rng.integers(n_columns - 5, n_columns, 100)])
    got = count_matrix(rows, columns, n_rows, n_columns)
    expected = sp.coo_matrix((np.ones(200), (rows, columns)), shape=(n_rows, n_columns)).tocsr()
    expected.sum_duplicates()
    assert got.has_sorted_indices and got.shape == expected.shape
    assert np.array_equal(got.indptr, expected.indptr) and np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)


def _rows_by_owner(blocks, owners) -> dict:
    """Each owner's clause rows, as sorted (columns, values) pairs of the joined blocks: comparable whatever
    order the clauses come in."""
    import scipy.sparse as sp

    joined = sp.hstack([b for b in blocks if b is not None], format="csr")
    joined.sort_indices()
    rows = {}
    for i, owner in enumerate(owners.tolist()):
        part = slice(joined.indptr[i], joined.indptr[i + 1])
        rows.setdefault(owner, []).append((joined.indices[part].tolist(), joined.data[part].tolist()))
    return {owner: sorted(found) for owner, found in rows.items()}


CLAUSE_CASES = ["好,差", ",,好吃,,", "一、二...三 四五", "买的-东西/坏了(真的)很差!!再也不买", "a,--,b", "。好", "好。", "x,y,z",
                "质量~~很差~~~客服…不理", "𠀀𠀁,质量差😡😡,🀄好", "——很差——", "房间很脏:床单有污渍;空调坏了?前台说修", "a.b-c,d"]


def _random_texts(count: int, seed: int) -> list:
    """Texts drawn from an alphabet of what clause breaks and separators meet: Chinese, breaks, other symbols,
    spaces, digits, letters, emoji and characters beyond the first plane, in runs of any length."""
    import random

    rng = random.Random(seed)
    alphabet = list("质量差退款客服不理好吃贵") + list(",.!?;:、。~… ") + list("-/()_*#%&+【】“”") + list("0123abc") + \
        ["😡", "🀄", "𠀀", "ア"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(count)]


@pytest.mark.parametrize("char_ngram_range, backend", [("default", "auto"), (None, "auto"), ((1, 3), "auto"),
                                                       ((2, 3), "auto"), ((1, 2), "jieba")])
def test_clauses_read_from_the_first_pass_equal_a_second_pass_over_the_clauses(default_model, texts, char_ngram_range,
                                                                                 backend):
    from consumer_nlp.features import Tokenizer, split_clauses
    from consumer_nlp.features._vectorize import ComplaintVectorizer

    vectorizer = default_model.vectorizer_ if char_ngram_range == "default" else \
        ComplaintVectorizer(Tokenizer(backend), char_ngram_range=char_ngram_range).fit(texts)
    batch = texts + normalize_many(CLAUSE_CASES + _random_texts(300, seed=len(str(char_ngram_range))))
    rows = np.array([i for i, text in enumerate(batch) if text and i % 3 != 1])  # some texts, as the rule picks
    got = vectorizer.read(batch).clause_blocks(rows)
    clauses, owners = split_clauses([batch[row] for row in rows])
    assert len(got[1]) == len(owners)
    assert _rows_by_owner(*got) == _rows_by_owner(vectorizer.transform_blocks(clauses), owners)


@pytest.mark.parametrize("batch", [["好,差"], ["好,差", "a", "。"], ["物流很快", "好"]])
def test_clauses_of_texts_without_a_clause_of_two_characters_are_the_texts_themselves(default_model, batch):
    # a batch whose texts read as other held no clause of two characters: the clause rule failed (an IndexError)
    from consumer_nlp.features import split_clauses

    vectorizer = default_model.vectorizer_
    rows = np.array([i for i, text in enumerate(batch) if len(text) < 4])
    got = vectorizer.read(batch).clause_blocks(rows)
    clauses, owners = split_clauses([batch[row] for row in rows])
    assert _rows_by_owner(*got) == _rows_by_owner(vectorizer.transform_blocks(clauses), owners)


def test_the_vectorizer_is_a_step_scikit_learn_can_cross_validate_on_a_series_of_raw_texts(small_corpus):
    # cross_val_score hands a step the slices of a Series (index not 0, 1, …): fitting failed with "The truth value of
    # a Series is ambiguous"; and a text with a line break (not normalised) failed to transform with "provided out is
    # the wrong size for the accumulation" (helper g9).
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from consumer_nlp.features._vectorize import ComplaintVectorizer

    texts, labels = small_corpus
    series = pd.Series(texts, index=range(1000, 1000 + len(texts)))
    pipeline = make_pipeline(ComplaintVectorizer(char_ngram_range=(1, 2)), LogisticRegression())
    assert cross_val_score(pipeline, series, labels, cv=2).mean() > 0.3  # well above chance (1/6)
    vectorizer = pipeline.fit(series, labels)[0]
    assert (vectorizer.transform(series) != vectorizer.transform(texts)).nnz == 0
    lines = vectorizer.word_features(["手机屏幕\n坏了", "退款"])  # (char n-grams read a line break as a character)
    assert (lines != vectorizer.word_features(["手机屏幕 坏了", "退款"])).nnz == 0 and lines[1].nnz > 0


def test_a_text_holding_a_nul_keeps_its_character_n_grams_in_its_own_row():
    # The fast counter ends each text of a batch with a 0: a text's own NUL (a raw text from a database dump, given to
    # the vectorizer unnormalised) made its characters after it the next text's, and the next text's the one after:
    # "退款" was counted 屏, 屏幕, 幕 and the empty text 退, 退款, 款, where scikit-learn's counts have them in their own
    # rows (helper g9).
    from consumer_nlp.features._vectorize import ComplaintVectorizer

    vectorizer = ComplaintVectorizer(char_ngram_range=(1, 3)).fit(["手机屏幕坏了", "手机退款", "退款慢了", "屏幕坏了"] * 2)
    for batch in (["手机\0屏幕", "退款", ""], ["\0", "屏幕\0\0坏了", "手机", "\0退款\0"]):
        expected = vectorizer.char_vectorizer_.transform(batch)
        got = vectorizer.char_features(batch)
        assert got.shape == expected.shape and got.nnz == expected.nnz
        np.testing.assert_allclose(got.toarray(), expected.toarray(), atol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")  # the checks that feed numbers, skipped
def test_the_vectorizer_tells_scikit_learn_it_reads_texts_and_passes_the_checks_that_apply():
    # Its tags said it read arrays of numbers, as a transformer's do unless told: scikit-learn's check_estimator fed it
    # numbers and 33 checks failed ("sequence item 0: expected str instance, numpy.ndarray found"); its own text
    # vectorizers say they read strings, and the classifier does (helper g9).
    from sklearn.utils import get_tags
    from sklearn.utils.estimator_checks import check_estimator
    from consumer_nlp.features._vectorize import ComplaintVectorizer

    tags = get_tags(ComplaintVectorizer()).input_tags
    assert tags.string and not tags.two_d_array
    results = check_estimator(ComplaintVectorizer(), on_fail=None)
    assert [result["check_name"] for result in results if result["status"] == "failed"] == []
