"""The estimator: where a complaint's category, its confidence and "not sure" are decided."""
import contextlib
import gc
import itertools
import threading
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._categories import CATEGORIES, in_guide_order, label_of
from ._explain import Explanation, row_contributions, top_terms
from ._metrics import choose_review_threshold
from ._params import parameter_problems
from ._unicode import quoted, utf8_text
from .features import (ComplaintVectorizer, TextInputMixin, Tokenizer, best_by_owner, normalize_many,
                       split_clauses)
from ._values import check_count, is_blank, is_continuous, is_int, is_missing, row_names


MAX_TEXT_CHARS = 100_000  # a text is scored on this many characters at most (a complaint is far shorter)
BAD_ROWS_NAMED = 10  # a column of numbers given for the texts is named by its first rows, not by 100,000 lines


def as_texts(X, *, allow_missing: bool) -> list[str]:
    """Check a sequence of texts; missing ones become "" when allowed. Errors name the first
    ``BAD_ROWS_NAMED`` bad rows, each value quoted short, and count the rest.
    Each text is read as far as ``MAX_TEXT_CHARS``, in training and in tagging alike."""
    if isinstance(X, (str, bytes, bytearray, memoryview)):  # iterating bytes would give numbers
        got = "a single string" if isinstance(X, str) else f"a single {type(X).__name__} value"
        raise TypeError(f"expected a list of texts, got {got}; wrap it in a list: [text]")
    if hasattr(X, "__array__") and not isinstance(X, (np.ndarray, pd.Series, pd.Index, pd.DataFrame)):
        X = np.asarray(X)  # an array-like that is not iterable, or gives scalars of its own (a pyarrow column)
    if not isinstance(X, Iterable):
        raise TypeError(f"expected a list of texts, got {type(X).__name__} {quoted(repr(X))}")
    if isinstance(X, Mapping):  # iterating it would give its keys
        raise TypeError(f"expected texts, got a {type(X).__name__}, whose keys would be read as the texts; pass its "
                        f"values, list(texts.values())")
    if isinstance(X, (set, frozenset)):
        raise TypeError(f"expected texts in order, got a {type(X).__name__}, which has no order to give the results "
                        f"in; pass a list")
    if isinstance(X, pd.DataFrame):  # iterating it would give its column names
        if X.shape[1] != 1:
            raise TypeError(f"expected texts, got a table of {X.shape[1]} columns {[str(c) for c in X.columns]}; "
                            f"pass one column of texts, such as df['text']")
        X = X.iloc[:, 0]
    elif isinstance(X, np.ndarray) and X.ndim != 1:
        if X.ndim != 2 or X.shape[1] != 1:
            raise TypeError(f"expected one column of texts, got an array of shape {X.shape}")
        X = X[:, 0]
    texts, bad = [], []
    for row, value in enumerate(X, start=1):
        text = utf8_text(value) if isinstance(value, bytes) else value  # bytes that are UTF-8 are text, as in archives
        if isinstance(text, str):
            texts.append(text[:MAX_TEXT_CHARS])
        elif allow_missing and is_missing(value):
            texts.append("")
        else:
            bad.append((row, value))
    if bad:
        names = row_names(X, bad[-1][0])
        named = [f"{names[row - 1]}: text is {type(value).__name__} {quoted(repr(value))}, "
                 f"{'not UTF-8 text' if isinstance(value, bytes) else 'not a string'}"
                 for row, value in bad[:BAD_ROWS_NAMED]]
        if len(bad) > BAD_ROWS_NAMED:
            named.append(f"… and {len(bad) - BAD_ROWS_NAMED:,} more rows whose text is not a string")
        raise TypeError("bad texts:\n  " + "\n  ".join(named))
    return texts


def check_model(model, parameter: str = "model") -> "ComplaintClassifier":
    """``model`` if it is a fitted :class:`ComplaintClassifier`, else a TypeError saying how to get one."""
    if not isinstance(model, ComplaintClassifier) or not hasattr(model, "coef_"):
        got = (f"an unfitted {type(model).__name__}" if isinstance(model, ComplaintClassifier)
               else f"{type(model).__name__} {model!r}"[:80])
        raise TypeError(f"{parameter} must be a fitted ComplaintClassifier, not {got}: load one with "
                        f"load('default'), load('model.cnlp') or load('name@production')")
    return model


def as_column(values, what: str) -> np.ndarray:
    """Check values given one per text (``what``: "labels", "groups"): an iterator (a generator) read whole first, as
    texts are (numpy would take it for one object); a column of them taken, with scikit-learn's warning; none missing
    or empty, all text or all whole numbers (scikit-learn sorts them). Errors list the rows."""
    if isinstance(values, Iterator):
        values = list(values)
    given = values
    try:
        values = column_or_1d(np.asarray(values, dtype=object), dtype=object, warn=True)
    except ValueError:
        raise ValueError(f"expected one {what[:-1]} per text, got {what} of shape {np.shape(values)}") from None
    missing = [row for row, value in enumerate(values, start=1) if is_blank(value)]
    if missing:
        names = row_names(given, missing[-1])
        listed = ", ".join(names[row - 1].removeprefix("row ") for row in missing[:10])
        raise ValueError(f"{what} are missing in rows {listed}{' …' if len(missing) > 10 else ''}")
    kinds = {isinstance(value, str) for value in values}
    if len(kinds) > 1:
        first = next(row for row, value in enumerate(values, start=1) if not isinstance(value, str))
        raise ValueError(f"{what} mix numbers and text ({row_names(given, first)[-1]}: {values[first - 1]!r}); give "
                         f"them all as text or all as numbers")
    return values


def as_labels(y) -> np.ndarray:
    """Check labels (:func:`as_column`), none a number with a fraction: a classifier learns categories."""
    y = as_column(y, "labels")
    odd = next((row for row, label in enumerate(y, start=1) if is_continuous(label)), None)
    if odd:  # in scikit-learn's words, as its classifiers refuse such labels
        raise ValueError(f"Unknown label type: continuous (row {odd}: {y[odd - 1]!r}); a classifier learns categories: "
                         f"give them as text, or as whole numbers")
    return y


def class_order(labels) -> np.ndarray:
    """The labels present in ``labels``, sorted as scikit-learn sorts ``classes_`` (its probability
    scorers read ``predict_proba``'s columns in that order), in the type of the labels (whole
    numbers stay numbers, so predictions compare with them)."""
    ordered = sorted(set(labels))
    return np.array(ordered, dtype=object if any(isinstance(c, str) for c in ordered) else None)


def named_twice(labels) -> str | None:
    """What names one category with two labels among ``labels`` (quality and 质量问题), or None."""
    spellings = {}
    for label in labels:
        spellings.setdefault(label_of(label) or label, []).append(label)
    twice = next((names for names in spellings.values() if len(names) > 1), None)
    return f"labels {' and '.join(map(repr, twice))} name one category" if twice else None


def one_row_per_class(coef: np.ndarray, intercept: np.ndarray) -> tuple:
    """A linear SVM's weights with a row per class: scikit-learn gives two classes one row, d,
    which scores them as (-d, d)."""
    if len(coef) == 1:
        return np.vstack([-coef[0], coef[0]]), np.array([-intercept[0], intercept[0]])
    return coef, intercept


def _label_known(codes: np.ndarray, folds) -> np.ndarray:
    """Which texts were held out by a fold whose training part had their label: a model that never
    saw a label (one group holds all of it) tells nothing about how sure to be. All texts when
    none was, so that confidence then says that nothing can be trusted."""
    known = np.zeros(len(codes), dtype=bool)
    for train, test in folds:
        known[test] = np.isin(codes[test], codes[train])
    return known if known.any() else np.ones(len(codes), dtype=bool)


def text_folds(readings, codes, n_splits: int, shuffle: bool = False, random_state=None) -> list:
    """Stratified train/test splits of ``n_splits`` folds drawn over the different ``readings`` (texts as the model
    reads them), each with the label of its first row, and a text's copies following it: a fold never tests a copy of
    a text it learned, whose score would say the model is surer than it is. Texts without copies get the splits
    ``StratifiedKFold`` gives their ``codes``."""
    position = {}
    text_of = np.array([position.setdefault(reading, len(position)) for reading in readings], dtype=np.int64)
    first = np.unique(text_of, return_index=True)[1]  # each different text's first row, in the order of the texts
    n_splits = min(n_splits, len(first))
    if n_splits < 2:  # one text and its copies: nothing to hold out that the rest does not hold
        return []
    # Every label fewer texts than folds (two texts of each, copied, split in two): no fold can hold each label, and
    # StratifiedKFold refuses; the texts are held out in turn, and _label_known leaves out those of a label unlearned.
    most = np.unique(np.asarray(codes)[first], return_counts=True)[1].max()  # codes, or labels as train gives them
    splitter = StratifiedKFold if most >= n_splits else KFold
    with warnings.catch_warnings():  # a label of fewer texts than folds: _label_known leaves it out
        warnings.filterwarnings("ignore", "The least populated class", UserWarning)
        drawn = list(splitter(n_splits=n_splits, shuffle=shuffle, random_state=random_state if shuffle else None)
                     .split(first, np.asarray(codes)[first]))
    if len(first) == len(text_of):  # no copies: the rows are the texts
        return drawn
    return [(np.flatnonzero(np.isin(text_of, train)), np.flatnonzero(np.isin(text_of, test))) for train, test in drawn]


def different_texts_per_label(readings, labels) -> Counter:
    """How many different ``readings`` each label (a code, or a label as ``train`` reads it) has, a text counted
    under its first row's label (as :func:`text_folds` draws them)."""
    first = {}
    for reading, label in zip(readings, labels):
        first.setdefault(reading, label)
    return Counter(first.values())


def group_folds(labels, groups, cv: int) -> list:
    """Train/test splits holding each of ``groups`` out whole, in ``cv`` folds at most, as
    :meth:`ComplaintClassifier.fit` makes them."""
    groups = np.asarray(groups, dtype=object)
    return list(GroupKFold(n_splits=min(cv, len(set(groups.tolist())))).split(labels, labels, groups))


class ThinFold(NamedTuple):
    """A fold of held-out groups that leaves too little to calibrate on: the ``held`` groups, the ``left`` texts.
    Said as the English of the problem."""

    held: list
    left: int

    def __str__(self) -> str:
        return (f"holding out the group(s) {self.held[:3]}{' …' if len(self.held) > 3 else ''} leaves {self.left} "
                f"text(s) to learn from, too few to calibrate on; hold out the groups of a column whose values are "
                f"more even, or none")


def group_folds_problem(labels, groups, cv: int, folds=None) -> ThinFold | None:
    """The first fold of ``groups`` held out in turn (``folds``, else :func:`group_folds`) that leaves no label
    twice to learn from, so cannot be split again to calibrate; None if none does."""
    labels, groups = np.asarray(labels, dtype=object), np.asarray(groups, dtype=object)
    if folds is None:
        if len(set(groups.tolist())) < 2 or not (is_int(cv) and cv >= 2):
            return None  # told on its own, as a cv that is no number of folds is
        folds = group_folds(labels, groups, cv)
    for train, test in folds:
        if pd.Series(labels[train]).value_counts().max() < 2:
            return ThinFold(sorted(set(groups[test].tolist()), key=str), len(train))
    return None


def copies_of(readings, codes: np.ndarray, n_classes: int) -> np.ndarray:
    """An id for each row's (text as the model reads it, label) pair: a row's copies share it."""
    return pd.factorize(np.asarray(readings, dtype=object))[0].astype(np.int64) * n_classes + codes


def fit_temperature(*parts) -> float:
    """The temperature T that makes softmax(scores / T) fit the true classes best (the least mean
    log loss): one number, so the ranking of classes never changes. Each part is a pair (scores,
    codes) and weighs the same, however many texts it holds."""

    def log_loss(log_beta):
        return np.mean([-log_softmax(np.exp(log_beta) * scores, axis=1)[np.arange(len(codes)), codes].mean()
                        for scores, codes in parts])

    best = minimize_scalar(log_loss, bounds=(-10.0, 10.0), method="bounded",
                           options={"xatol": 64 * np.finfo(float).eps})
    return float(np.exp(-best.x))


def linear_scores(features, weights: np.ndarray, intercepts: np.ndarray) -> np.ndarray:
    """``features @ weights.T + intercepts``, where ``features`` is a matrix or the blocks of
    :meth:`ComplaintVectorizer.transform_blocks`, which are not joined (that copies every feature)."""
    if not isinstance(features, tuple):
        return np.asarray(features @ weights.T) + intercepts
    words, chars = features
    scores = np.asarray(words @ weights[:, :words.shape[1]].T)
    if chars is not None:
        scores += chars @ weights[:, words.shape[1]:].T
    return scores + intercepts


def calibrated_proba(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities of each class from the decision scores, softened by the temperature."""
    return softmax(scores / temperature, axis=1)


BATCH_SIZE = 5000  # texts scored at a time
BATCH_CHARS = 1_000_000  # and characters: features cost about 200 bytes a character of a batch


@contextlib.contextmanager
def _cycle_collector_paused():
    """Pause Python's cycle collector while texts are scored: scoring makes hundreds of thousands
    of small lists and tuples, none of them in a cycle, and the collector's passes over them cost
    time (median of 5 alternating runs, 50,000 texts of 109 characters: 12,100 → 12,700 texts/s). Only in a
    process's main thread (a tagging worker, a script): the collector is the whole process's, and a server's
    threads scoring requests that overlap would keep it off for every thread most of the time."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


SCORING_PARAMS = ("clause_weight",)  # the parameters that apply when texts are scored; the others shape the fit


class ComplaintClassifier(TextInputMixin, ClassifierMixin, BaseEstimator):
    """Tag Chinese consumer complaints with a category, a calibrated confidence and a review flag.

    Texts are normalised, segmented with jieba and the domain dictionary, turned into TF-IDF
    features and scored by a linear SVM with balanced class weights, whose scores are calibrated
    into probabilities by temperature scaling fitted on cross-validation folds (it kept the
    expected calibration error near 0.05 where per-class sigmoids were under-confident). Where a
    text as a whole scores highest on ``other``, each problem category also gets ``clause_weight``
    times the score of its best clause, because the labeling guide lets one concrete problem decide
    wherever it sits among praise and remarks on delivery. ``needs_review`` is set when the
    confidence falls below ``review_threshold_``, chosen at fit time on held-out folds as the
    lowest confidence at which the kept texts still reach ``review_accuracy``. ``fitted_params_`` keeps the
    parameters of the fit (``set_params`` afterwards changes the parameters, not the fitted model).

    Parameters
    ----------
    C : regularisation of the linear SVM (smaller is stronger).
    word_ngram_range, char_ngram_range, min_df : TF-IDF settings (char n-grams off when None).
    tokenizer_backend : "auto", "rjieba" or "jieba"; the resolved one is kept in ``tokenizer_``.
    cv : folds for calibration and for choosing the review threshold.
    review_accuracy : accuracy wanted on the texts that are not sent to review.
    random_state : seed of the fold split and of the SVM solver's order of visits (a fixed seed makes
        the same data give the same model).
    clause_weight : share of the best clause's score added where the whole text says ``other``
        (0 decides on the whole text alone; no effect on a label set without ``other``).

    Examples
    --------
    >>> from consumer_nlp import ComplaintClassifier
    >>> texts = ["屏幕碎了", "充电口松动了", "耳机没声音", "秤不准少了二两", "多收了十块钱", "标价和结账不一样",
    ...          "快递三天没到", "客服态度差", "物流太慢了"]
    >>> labels = ["quality"] * 3 + ["price_measurement"] * 3 + ["other"] * 3
    >>> model = ComplaintClassifier(cv=3, min_df=1).fit(texts, labels)
    >>> model.predict(["屏幕又碎了", "快递还没到"])
    array(['quality', 'other'], dtype=object)
    >>> model.tag(["屏幕又碎了"])[0]["category_zh"]
    '质量问题'
    """

    def __init__(self, *, C=1.0, word_ngram_range=(1, 2), char_ngram_range=(1, 2), min_df=2,
                 tokenizer_backend="auto", cv=5, review_accuracy=0.95, random_state=0, clause_weight=0.3):
        self.C = C
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.tokenizer_backend = tokenizer_backend
        self.cv = cv
        self.review_accuracy = review_accuracy
        self.random_state = random_state
        self.clause_weight = clause_weight

    def _linear_svm(self, features, codes, n_classes: int, pairs=None) -> tuple:
        """Weights (n_classes, n_features) and intercepts of a linear SVM with balanced class
        weights. Two classes score as (-d, d); a class missing from ``codes`` never wins, and a lone
        class (a fold holding out every other) always does. With ``pairs`` (:func:`copies_of`), copies of a row are
        fitted once, weighed by their count, with the class weights of every row: the same objective as fitting
        every copy, at a fraction of the work (a file of many copies trained fourteen times slower)."""
        weights, intercepts = np.zeros((n_classes, features.shape[1])), np.full(n_classes, -1e6)
        present = np.unique(codes)
        if len(present) == 1:
            intercepts[present] = 0.0
            return weights, intercepts
        svm = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
        first, count = np.unique(pairs, return_index=True, return_counts=True)[1:] if pairs is not None else ((), ())
        if 0 < len(first) < len(codes):
            order = np.argsort(first)  # the rows in their order, as the solver would visit them
            balanced = len(codes) / (len(present) * np.bincount(codes)[present])
            svm.set_params(class_weight=dict(zip(present.tolist(), balanced)))
            svm.fit(features[first[order]], codes[first[order]], sample_weight=count[order].astype(float))
        else:
            svm.fit(features, codes)
        coef, intercept = one_row_per_class(svm.coef_, svm.intercept_)
        weights[svm.classes_], intercepts[svm.classes_] = coef, intercept
        return weights, intercepts

    def _decision_scores(self, texts, features, weights, intercepts, feature_pass=None) -> np.ndarray:
        """Linear scores of normalised ``texts`` (``features`` their rows, or blocks), with the clause rule:
        where ``other`` wins on the whole text, every other class gains ``clause_weight`` times its
        best clause's score (an empty text has no clause: it is decided on no evidence). The clauses
        are read from ``feature_pass`` (the texts' :class:`FeaturePass`) when given."""
        scores = linear_scores(features, weights, intercepts)
        fallback = np.flatnonzero(self._categories() == "other")
        if not self.clause_weight or len(fallback) == 0:
            return scores
        rows = np.flatnonzero((scores.argmax(axis=1) == fallback[0]) & np.fromiter(map(bool, texts), bool, len(texts)))
        if len(rows) == 0:
            return scores
        if feature_pass is None:
            clauses, owners = split_clauses([texts[row] for row in rows])
            blocks = self.vectorizer_.transform_blocks(clauses)
        else:
            blocks, owners = feature_pass.clause_blocks(rows)
        clause_scores = linear_scores(blocks, weights, intercepts)
        bonus = self.clause_weight * best_by_owner(clause_scores, owners, len(rows))
        bonus[:, fallback[0]] = 0.0
        scores[rows] += bonus
        return scores

    def _calibrated_svm(self, texts, features, codes, n_classes: int, folds, calibration=None) -> tuple:
        """Weights, intercepts and a temperature: the SVM fitted on all texts, the temperature on
        the scores each text got from the fold model that did not see it and, when given, on the
        ``calibration`` set (texts, features, codes) scored by the SVM, each weighing half."""
        scores = np.zeros((len(codes), n_classes))
        pairs = copies_of(texts, codes, n_classes)
        for train, test in folds:
            weights, intercepts = self._linear_svm(features[train], codes[train], n_classes, pairs[train])
            scores[test] = self._decision_scores(texts[test], features[test], weights, intercepts)
        weights, intercepts = self._linear_svm(features, codes, n_classes, pairs)
        known = _label_known(codes, folds)
        parts = [(scores[known], codes[known])]
        if calibration is not None:
            parts.append((self._decision_scores(calibration[0], calibration[1], weights, intercepts), calibration[2]))
        return weights, intercepts, fit_temperature(*parts)

    def fit(self, X: Iterable[str], y: Iterable, groups: Iterable | None = None,
            calibration: tuple | None = None) -> "ComplaintClassifier":
        """Fit on complaint texts ``X`` and their labels ``y``; returns ``self``.

        ``groups`` (optional, one value per text: the source or register it was written in) makes
        the calibration and the review threshold come from folds that hold each group out whole,
        so that confidence stays honest on kinds of writing the model has not seen.
        ``calibration`` (optional, a pair (texts, labels) never trained on, written the way the
        texts to be tagged are) weighs half in fitting the temperature, the held-out folds the
        other half: confidence then fits writing harder than the training corpus.

        A fit that fails leaves the estimator as it was (fitted as before, or not fitted): never the
        labels of one fit beside the weights of another.
        """
        earlier = dict(vars(self))
        try:
            return self._fit(X, y, groups, calibration)
        except BaseException:  # Ctrl-C too
            vars(self).clear()
            vars(self).update(earlier)
            raise

    def _fit(self, X, y, groups, calibration):
        """:meth:`fit`'s work, which sets the fitted attributes as it goes."""
        texts = normalize_many(as_texts(X, allow_missing=False))
        y = as_labels(y)
        if len(y) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(y)} labels")
        problems = parameter_problems(self.get_params())
        if problems:
            raise ValueError("; ".join(problems))
        self.fitted_params_ = self.get_params()
        # What train() attaches it can vouch for only of its own fit: none of an earlier one's stays (gone, as before
        # a first fit, not None).
        for attribute in ("cv_metrics_", "training_data_"):
            vars(self).pop(attribute, None)
        self.classes_ = class_order(y)
        if len(self.classes_) < 2:
            raise ValueError(f"need at least two labels to learn from, got {list(self.classes_)}")
        twice = named_twice(self.classes_)
        if twice:
            raise ValueError(twice + "; spell each category one way")
        index = {label: code for code, label in enumerate(self.classes_)}
        codes = np.array([index[label] for label in y])
        smallest = np.bincount(codes).min()
        if smallest < 3:
            rare = [str(c) for c, n in zip(self.classes_, np.bincount(codes)) if n < 3]
            raise ValueError(f"each label needs at least 3 examples; too few for: {', '.join(rare)}")

        if is_int(self.min_df) and self.min_df > len(texts):
            raise ValueError(f"min_df={self.min_df}: no term is in that many texts (there are {len(texts)}); give a "
                             f"smaller number of texts, or a share such as 0.01")
        try:
            self.vectorizer_ = ComplaintVectorizer(
                tokenizer=Tokenizer(self.tokenizer_backend), word_ngram_range=self.word_ngram_range,
                char_ngram_range=self.char_ngram_range, min_df=self.min_df).fit(texts)
        except ValueError as error:  # scikit-learn's "empty vocabulary" or "no terms remain"
            if "vocabulary" not in str(error) and "no terms remain" not in str(error):
                raise
            raise ValueError(f"nothing to learn from: no word occurs in min_df={self.min_df} or more of the texts once "
                             f"punctuation and stop words are set aside (are the texts in the text column?)") from None
        self.tokenizer_ = self.vectorizer_.tokenizer_
        features = self.vectorizer_.transform(texts)
        if calibration is not None:
            calibration = self._calibration_set(calibration, index)

        if len(set(texts)) < 2:
            raise ValueError("the texts are all copies of one text (as the model reads it): nothing tells the labels "
                             "apart; give different texts")
        folds = self._folds(texts, codes, groups)
        n_classes = len(self.classes_)
        texts = np.array(texts, dtype=object)
        self.coef_, self.intercept_, self.temperature_ = self._calibrated_svm(texts, features, codes, n_classes,
                                                                              folds, calibration)

        # Held-out confidences, each from a model that never saw the text, to choose the threshold.
        held_out = np.zeros((len(codes), n_classes))
        for train, test in folds:
            fewest = min(different_texts_per_label(texts[train], codes[train]).values())
            inner = text_folds(texts[train], codes[train], max(2, min(3, fewest)))
            weights, intercepts, temperature = self._calibrated_svm(texts[train], features[train], codes[train],
                                                                    n_classes, inner, calibration)
            held_out[test] = calibrated_proba(
                self._decision_scores(texts[test], features[test], weights, intercepts), temperature)
        known = _label_known(codes, folds)
        self.review_threshold_ = choose_review_threshold(
            held_out[known].max(axis=1), held_out[known].argmax(axis=1) == codes[known], self.review_accuracy)
        return self

    def _calibration_set(self, calibration, index: dict) -> tuple:
        """The checked calibration pair as (normalised texts, features, codes)."""
        try:
            texts, labels = calibration
        except (TypeError, ValueError):
            raise ValueError("calibration must be a pair (texts, labels)") from None
        texts = normalize_many(as_texts(texts, allow_missing=False))
        labels = list(labels)
        if len(labels) != len(texts) or not texts:
            raise ValueError(f"calibration: got {len(texts)} texts but {len(labels)} labels")
        unknown = sorted({str(label) for label in labels if label not in index})
        if unknown:
            raise ValueError(f"calibration: labels the training data does not have: {', '.join(unknown)}")
        return (np.array(texts, dtype=object), self.vectorizer_.transform(texts),
                np.array([index[label] for label in labels]))

    def _folds(self, texts, codes, groups) -> list:
        """Train/test splits for calibration: stratified (a text's copies held out together), or holding each group
        out whole."""
        if groups is None:
            n_splits = max(2, min(self.cv, *different_texts_per_label(texts, codes).values()))
            return text_folds(texts, codes, n_splits, shuffle=True, random_state=self.random_state)
        groups = as_column(groups, "groups")
        if len(groups) != len(codes):
            raise ValueError(f"got {len(codes)} texts but {len(groups)} groups")
        n_groups = len(set(groups.tolist()))
        if n_groups < 2:
            raise ValueError(f"groups: need at least two different groups to hold out, got {n_groups}")
        folds = group_folds(codes, groups, self.cv)
        problem = group_folds_problem(codes, groups, self.cv, folds)
        if problem:
            raise ValueError(f"groups: {problem}")
        return folds

    @property
    def term_weights_(self) -> np.ndarray:
        """(n_classes, n_features) linear weights of the SVM trained on all data."""
        check_is_fitted(self, "coef_")
        return self.coef_

    def _batches(self, X):
        """The texts ``X``, checked, in batches of at most ``BATCH_SIZE`` texts and ``BATCH_CHARS``
        characters (or one longer text): on a long list, features of one batch at a time stay in the
        processor's caches (one call on 50,000 texts of 176 characters took twice as long as the same
        texts in batches of 5,000), and memory stays bounded whatever the texts' lengths. A text is
        scored on its first ``MAX_TEXT_CHARS`` characters."""
        check_is_fitted(self, "coef_")
        self.check_scoring_params()
        texts = as_texts(X, allow_missing=True)
        if not texts:
            raise ValueError("no texts to score: got an empty list")
        batches, start, chars = [], 0, 0
        for end, length in enumerate(map(len, texts)):
            if end > start and (end - start == BATCH_SIZE or chars + length > BATCH_CHARS):
                batches.append(texts[start:end])
                start, chars = end, 0
            chars += length
        batches.append(texts[start:])
        return batches

    def unknown_share(self, X: Iterable[str]) -> np.ndarray:
        """For each text, the share of its words the vocabulary lacks (1 for no words): how unlike
        the training texts it is. In batches, each text read as far as it is scored."""
        return np.concatenate([self.vectorizer_.unknown_share(normalize_many(batch)) for batch in self._batches(X)])

    def _score(self, texts):
        """Feature blocks (words, chars), probabilities, an empty-text mask and a no-evidence mask for one batch of
        checked ``texts``."""
        texts = normalize_many(texts)
        feature_pass = self.vectorizer_.read(texts)
        blocks = feature_pass.blocks
        scores = self._decision_scores(texts, blocks, self.coef_, self.intercept_, feature_pass)
        proba = calibrated_proba(scores, self.temperature_)
        empty = ~feature_pass.holds_words  # nothing to read: no text, or marks and symbols alone
        blind = ~feature_pass.holds_evidence  # empty, or numbers and stop words alone (12315, 的)
        proba[blind] = 1.0 / len(self.classes_)  # no evidence at all: say so
        return blocks, proba, empty, blind

    def _categories(self) -> np.ndarray:
        """The guide's category of each of ``classes_``, however the labels were spelled in fitting
        (质量问题, Quality); a label that names none is its own."""
        return np.array([label_of(c) or c for c in self.classes_], dtype=object)

    def _decide(self, proba, blind):
        """Each text's class code: the most probable, or ``other`` for a text without evidence."""
        codes = proba.argmax(axis=1)
        other = np.flatnonzero(self._categories() == "other")
        if len(other):
            codes[blind] = other[0]
        return codes

    def _needs_review(self, confidence: np.ndarray, blind: np.ndarray) -> np.ndarray:
        """The review rule: no evidence (no text, or numbers and stop words alone), or a confidence below the
        threshold chosen at fit time."""
        return blind | (confidence < self.review_threshold_)

    def check_scoring_params(self) -> None:
        """Refuse, as fit does, a parameter that applies when texts are scored (``SCORING_PARAMS``) set out of its
        range after the fit: it would be applied as it is, and a model file holding it could not be loaded."""
        problems = parameter_problems({name: getattr(self, name) for name in SCORING_PARAMS})
        if problems:
            raise ValueError("; ".join(problems))

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Calibrated probabilities, shape (n_texts, n_classes), columns in ``classes_`` order."""
        with _cycle_collector_paused():
            return np.vstack([self._score(batch)[1] for batch in self._batches(X)])

    def predict_log_proba(self, X: Iterable[str]) -> np.ndarray:
        """Logarithms of :meth:`predict_proba`, as scikit-learn's classifiers give them (soft voting uses them)."""
        with np.errstate(divide="ignore"):  # a probability that underflowed to 0 is -inf, as in scikit-learn
            return np.log(self.predict_proba(X))

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """The most probable category of each text; an empty text gets ``other``."""
        with _cycle_collector_paused():
            return np.concatenate([self.classes_[self._decide(proba, blind)]
                                   for _, proba, _, blind in map(self._score, self._batches(X))])

    def tag_columns(self, texts: Iterable[str], n_terms: int = 5) -> dict:
        """Tags of ``texts`` as columns: category, confidence, needs_review, empty, probabilities
        (as :meth:`predict_proba` gives them) and top_terms (per text, (term, contribution) pairs,
        strongest first)."""
        check_count(n_terms, "n_terms", 0, "deciding terms per text")
        with _cycle_collector_paused():
            parts = [self._tag_batch(batch, n_terms) for batch in self._batches(texts)]
        if len(parts) == 1:
            return parts[0]
        return {key: (list(itertools.chain.from_iterable(part[key] for part in parts)) if key == "top_terms"
                      else np.concatenate([part[key] for part in parts])) for key in parts[0]}

    def _tag_batch(self, texts, n_terms: int) -> dict:
        (words, chars), proba, empty, blind = self._score(texts)
        codes = self._decide(proba, blind)
        confidence = proba[np.arange(len(codes)), codes]
        terms = top_terms(words, chars, self.term_weights_, codes, self.vectorizer_.feature_names(), n_terms)
        for row in np.flatnonzero(blind):  # (marks and numbers alone have features, which decided nothing)
            terms[row] = []
        return {
            "category": self._categories()[codes],
            "confidence": confidence,
            "needs_review": self._needs_review(confidence, blind),
            "empty": empty,
            "probabilities": proba,
            "top_terms": terms,
        }

    def tag(self, texts: Iterable[str], n_terms: int = 5) -> list[dict]:
        """One record per text: category (the guide's label, however the model's labels were spelled),
        category_zh, confidence, needs_review, empty (no text to read: missing, blank or marks alone; its category
        is only the fallback, and files leave it in none, 文本为空) and top_terms."""
        tags = self.tag_columns(texts, n_terms)
        return [{"category": str(label), "category_zh": CATEGORIES.get(label, str(label)),
                 "confidence": round(float(confidence), 4), "needs_review": bool(review), "empty": bool(empty),
                 "top_terms": [(term, round(weight, 4)) for term, weight in terms]}
                for label, confidence, review, empty, terms in
                zip(tags["category"], tags["confidence"], tags["needs_review"], tags["empty"], tags["top_terms"])]

    def explain(self, text: str) -> Explanation:
        """Every term's contribution to each category's score for one text, strongest first; when
        the clause rule decided, the deciding clause's bonus is a row of its own (〔分句〕…)."""
        if not isinstance(text, str):
            raise TypeError(f"explain takes one text (a string), not {type(text).__name__}")
        scored = self._batches([text])[0]  # the text as far as it is scored, in the clause rule too
        blocks, proba, _, blind = self._score(scored)
        features = self.vectorizer_.join_blocks(blocks)
        code = self._decide(proba, blind)[0]
        categories = [str(c) for c in self._categories()]
        label = categories[code]
        # A text without evidence is decided on none: its features (marks, numbers) explain nothing.
        row = features[0] if not blind[0] else sp.csr_matrix(features[0].shape)
        indices, values = row_contributions(row, self.term_weights_)
        names = list(self.vectorizer_.get_feature_names_out()[indices])
        normalized = normalize_many(scored)
        whole = np.asarray(features[0] @ self.coef_.T) + self.intercept_
        bonus = self._decision_scores(normalized, features[0], self.coef_, self.intercept_)[0] - whole[0]
        if np.any(bonus) and not blind[0]:
            clauses, _ = split_clauses(normalized)
            scores = np.asarray(self.vectorizer_.transform(clauses) @ self.coef_[code])
            values, names = np.vstack([values, bonus]), names + [f"〔分句〕{clauses[int(scores.argmax())]}"]
        table = pd.DataFrame(values, columns=categories, index=pd.Index(names, name="term"))
        shown = [str(c) for c in in_guide_order(categories)]  # as a person reads the categories
        by_class = dict(zip(categories, proba[0]))
        return Explanation(
            text=text, category=label, category_zh=CATEGORIES.get(label, label),
            confidence=float(proba[0, code]),
            needs_review=bool(self._needs_review(proba[[0], code], blind[:1])[0]),
            probabilities={c: float(by_class[c]) for c in shown},
            contributions=table[shown].sort_values(label, ascending=False))
