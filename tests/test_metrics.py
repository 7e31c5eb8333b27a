"""Evaluation figures on small hand-computed examples (the expected numbers are worked out in the comments)."""
import math

import numpy as np
import pytest

from consumer_nlp._metrics import (choose_review_threshold, classification_metrics, expected_calibration_error,
                                   reliability_table, review_tradeoff)


# ---- expected calibration error and the reliability table ----

# Four texts in three of ten bins: 0.95 and 0.95 in bin 0.9-1.0, 0.15 in 0.1-0.2, 0.55 in 0.5-0.6.
CONFIDENCE = [0.95, 0.15, 0.55, 0.95]
CORRECT = [1, 0, 1, 0]


def test_calibration_error_weighs_each_bins_gap_by_its_share_of_texts():
    # bin 0.9-1.0: accuracy 1/2, mean confidence 0.95, gap 0.45, 2 of 4 texts -> 0.225
    # bin 0.1-0.2: accuracy 0,   confidence 0.15,      gap 0.15, 1 of 4       -> 0.0375
    # bin 0.5-0.6: accuracy 1,   confidence 0.55,      gap 0.45, 1 of 4       -> 0.1125
    assert expected_calibration_error(CONFIDENCE, CORRECT) == pytest.approx(0.375)


def test_a_calibrated_bin_has_no_error():
    # four texts at 0.75, three of them right: accuracy 0.75 = confidence
    assert expected_calibration_error([0.75] * 4, [1, 1, 1, 0]) == pytest.approx(0.0)
    # all right at confidence 1.0 (the last bin takes 1.0 itself)
    assert expected_calibration_error([1.0, 1.0], [True, True]) == pytest.approx(0.0)


def test_bin_edges_belong_to_the_bin_above_and_1_to_the_last():
    # four bins of 0.25: 0.0 -> first, 0.25 -> second, 0.5 -> third, 1.0 -> fourth (not a fifth)
    # gaps |0 - 0| = 0, |1 - 0.25| = 0.75, |0 - 0.5| = 0.5, |1 - 1| = 0, each a quarter of the texts
    assert expected_calibration_error([0.0, 0.25, 0.5, 1.0], [0, 1, 0, 1], n_bins=4) == pytest.approx(0.3125)
    assert [row["count"] for row in reliability_table([0.0, 0.25, 0.5, 1.0], [0, 1, 0, 1], n_bins=4)] == [1, 1, 1, 1]


def test_fewer_bins_pool_texts_and_their_gaps_can_cancel():
    # ten bins: 0.9 (right) and 0.8 (wrong) apart: 0.5 * |1 - 0.9| + 0.5 * |0 - 0.8| = 0.05 + 0.4 = 0.45
    assert expected_calibration_error([0.9, 0.8], [1, 0]) == pytest.approx(0.45)
    # two bins: both in 0.5-1.0, accuracy 1/2 against mean confidence 0.85: 0.35
    assert expected_calibration_error([0.9, 0.8], [1, 0], n_bins=2) == pytest.approx(0.35)


def test_reliability_table_lists_the_bins_that_hold_texts_in_order():
    table = reliability_table(CONFIDENCE, CORRECT)
    assert [row["bin"] for row in table] == ["0.1-0.2", "0.5-0.6", "0.9-1.0"]  # empty bins left out
    assert [row["count"] for row in table] == [1, 1, 2]
    assert [row["confidence"] for row in table] == pytest.approx([0.15, 0.55, 0.95])
    assert [row["accuracy"] for row in table] == pytest.approx([0.0, 1.0, 0.5])


def test_reliability_bins_are_named_by_their_own_bounds_for_any_number_of_bins():
    table = reliability_table([0.02, 0.07, 0.12], [1, 0, 1], n_bins=20)  # bins 0.00-0.05, 0.05-0.10, 0.10-0.15
    assert len({row["bin"] for row in table}) == 3
    for row in table:
        low, high = map(float, row["bin"].split("-"))
        assert low <= row["confidence"] < high, row


# ---- the review threshold ----

# Ranked by confidence: 0.9 right, 0.8 right, 0.7 right, 0.6 wrong, 0.3 wrong.
RANKED_CONFIDENCE = [0.9, 0.6, 0.8, 0.3, 0.7]
RANKED_CORRECT = [1, 0, 1, 0, 1]


@pytest.mark.parametrize("target, threshold", [
    (1.0, 0.7),   # the top 3 are all right; the top 4 only 3/4
    (0.8, 0.7),   # top 4: 0.75 < 0.8
    (0.75, 0.6),  # top 4: 3/4 = 0.75 reaches it; top 5: 3/5 = 0.6 does not
    (0.6, 0.3),   # all five: 3/5 = 0.6, nothing goes to review
])
def test_the_threshold_keeps_the_largest_top_share_that_reaches_the_target(target, threshold):
    assert choose_review_threshold(RANKED_CONFIDENCE, RANKED_CORRECT, target) == threshold


def test_a_larger_share_counts_even_when_a_smaller_one_falls_short():
    # ranked 0.9 wrong, 0.8 right, 0.7 right, 0.6 right: the top 1, 2 and 3 are below 0.75
    # (0, 1/2, 2/3), but all four reach 3/4
    assert choose_review_threshold([0.9, 0.8, 0.7, 0.6], [0, 1, 1, 1], 0.75) == 0.6


def test_when_no_share_reaches_the_target_every_text_goes_to_review():
    # ranked 0.9 wrong, 0.8 right: 0 and 1/2, both below 0.9
    threshold = choose_review_threshold([0.9, 0.8], [0, 1], 0.9)
    assert threshold > 1  # above every confidence a text can have


def test_the_chosen_threshold_is_the_lowest_that_keeps_the_target_on_random_data():
    rng = np.random.default_rng(7)
    confidence = rng.uniform(0.2, 1.0, 300)  # no ties
    correct = rng.uniform(size=300) < confidence
    for target in (0.7, 0.8, 0.9):
        threshold = choose_review_threshold(confidence, correct, target)
        kept = confidence >= threshold
        assert correct[kept].mean() >= target
        for lower in confidence[confidence < threshold]:  # any lower threshold keeps texts less accurate
            assert correct[confidence >= lower].mean() < target


def test_tied_confidences_are_kept_or_reviewed_together():
    # 0.9 right; two texts at 0.8, one right, one wrong. Keeping both 0.8s gives 2/3 < 1, so the
    # threshold for target 1.0 is 0.9, whichever of the two comes first.
    confidence = [0.9, 0.8, 0.8]
    for correct in ([1, 0, 1], [1, 1, 0]):
        threshold = choose_review_threshold(confidence, correct, 1.0)
        kept = np.asarray(confidence) >= threshold
        assert np.asarray(correct)[kept].mean() >= 1.0, (correct, threshold)
        assert threshold == 0.9


# ---- the review trade-off ----

def test_tradeoff_gives_the_review_share_and_the_accuracy_on_the_rest():
    rows = review_tradeoff(RANKED_CONFIDENCE, RANKED_CORRECT, [0.5, 0.7, 0.95])
    assert [row["threshold"] for row in rows] == [0.5, 0.7, 0.95]
    # 0.5: 0.3 goes to review (1/5); kept 0.9, 0.6, 0.8, 0.7: 3 of 4 right
    assert (rows[0]["review_share"], rows[0]["accuracy_when_sure"]) == pytest.approx((0.2, 0.75))
    # 0.7: 0.7 itself is kept (>=); 0.6 and 0.3 go to review (2/5); kept all right
    assert (rows[1]["review_share"], rows[1]["accuracy_when_sure"]) == pytest.approx((0.4, 1.0))
    # 0.95: everything goes to review; no accuracy on nothing
    assert rows[2]["review_share"] == pytest.approx(1.0) and math.isnan(rows[2]["accuracy_when_sure"])


# ---- all figures together ----

LABELS = ["quality", "safety", "other"]
TRUE = ["quality", "quality", "safety", "safety", "other"]
PREDICTED = ["quality", "safety", "safety", "safety", "quality"]
SCORES = [0.9, 0.6, 0.8, 0.7, 0.95]
REVIEW = [False, True, False, True, False]


@pytest.fixture(scope="module")
def metrics():
    return classification_metrics(TRUE, PREDICTED, SCORES, REVIEW, LABELS)


def test_counts_and_accuracy(metrics):
    # right: rows 1, 3 and 4 of 5
    assert metrics["n"] == 5 and metrics["accuracy"] == pytest.approx(0.6)
    assert metrics["labels"] == LABELS


def test_per_class_precision_recall_f1_and_support(metrics):
    per_class = metrics["per_class"]
    # quality: predicted twice (rows 1, 5), right once; truly quality twice (rows 1, 2), found once
    assert per_class["quality"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
    # safety: predicted three times (rows 2, 3, 4), right twice; both true safety rows found;
    # F1 = 2 * (2/3 * 1) / (2/3 + 1) = 0.8
    assert per_class["safety"] == pytest.approx({"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2})
    # other: never predicted (no precision: 0 of 0), its one text missed
    assert math.isnan(per_class["other"]["precision"])
    assert per_class["other"] | {"precision": 0.0} == pytest.approx({"precision": 0.0, "recall": 0.0, "f1": 0.0,
                                                                     "support": 1})
    # macro-F1: the plain mean over the three labels, (0.5 + 0.8 + 0) / 3
    assert metrics["macro_f1"] == pytest.approx(1.3 / 3)


def test_confusion_matrix_rows_are_true_labels_columns_predictions(metrics):
    assert metrics["confusion_matrix"] == [[1, 1, 0],   # quality: once quality, once safety
                                           [0, 2, 0],   # safety: twice safety
                                           [1, 0, 0]]   # other: once quality


def test_calibration_and_review_figures(metrics):
    # bins: 0.9 and 0.95 in 0.9-1.0 (one right: gap |0.5 - 0.925| = 0.425, 2 of 5 -> 0.17),
    # 0.6 wrong (0.6 / 5 = 0.12), 0.8 right (0.2 / 5 = 0.04), 0.7 right (0.3 / 5 = 0.06)
    assert metrics["calibration_error"] == pytest.approx(0.39)
    assert [(row["bin"], row["count"]) for row in metrics["reliability"]] == [
        ("0.6-0.7", 1), ("0.7-0.8", 1), ("0.8-0.9", 1), ("0.9-1.0", 2)]
    # rows 2 and 4 go to review; of rows 1, 3 and 5 kept, two are right
    assert metrics["review_share"] == pytest.approx(0.4)
    assert metrics["accuracy_when_sure"] == pytest.approx(2 / 3)


def test_accuracy_when_sure_is_not_a_number_when_every_text_goes_to_review():
    figures = classification_metrics(TRUE, PREDICTED, SCORES, [True] * 5, LABELS)
    assert figures["review_share"] == 1.0 and math.isnan(figures["accuracy_when_sure"])


def test_a_label_outside_the_list_counts_against_accuracy_but_has_no_row():
    # "financial" is predicted once (row 5) but not among the labels asked for
    figures = classification_metrics(TRUE, PREDICTED[:4] + ["financial"], SCORES, REVIEW, LABELS)
    assert set(figures["per_class"]) == set(LABELS)
    assert figures["accuracy"] == pytest.approx(0.6)
    assert figures["confusion_matrix"][2] == [0, 0, 0]  # the other text went to a column not shown


def test_categories_the_data_does_not_hold_are_no_evidence_and_leave_macro_f1_alone():
    # A bank desk's holdout: nine financial texts and one other, the model right but for one financial
    # text it called quality. Averaged with quality's F1 of 0 (a category the data does not hold), its
    # macro-F1 read 0.62 beside an accuracy of 0.9; the register table of the model card showed a forum
    # at 0.950 accuracy and 0.264 macro-F1 so.
    true = ["financial"] * 9 + ["other"]
    predicted = ["financial"] * 8 + ["quality", "other"]
    figures = classification_metrics(true, predicted, [0.9] * 10, [False] * 10, ["quality", "financial", "other"])
    financial_f1 = 2 * 8 / (2 * 8 + 1)  # precision 8/8, recall 8/9
    assert figures["macro_f1"] == pytest.approx((financial_f1 + 1.0) / 2)
    quality = figures["per_class"]["quality"]
    assert quality["support"] == 0 and quality["precision"] == 0.0  # said once, wrong: that is evidence
    assert math.isnan(quality["recall"]) and math.isnan(quality["f1"])  # nothing there to find


def test_a_category_neither_held_nor_predicted_has_no_figures():
    figures = classification_metrics(["quality", "other"], ["quality", "other"], [0.9, 0.9], [False, False],
                                     ["quality", "safety", "other"])
    assert figures["macro_f1"] == 1.0
    assert all(math.isnan(figures["per_class"]["safety"][k]) for k in ("precision", "recall", "f1"))


def test_a_category_held_but_never_predicted_has_no_precision():
    # Two safety texts the model called quality: its recall and F1 of 0 are true, but a precision of 0.000 read as
    # "every safety tag was wrong" when there was none to be wrong (0 of 0).
    figures = classification_metrics(["quality", "safety", "safety"], ["quality"] * 3, [0.9] * 3, [False] * 3,
                                     ["quality", "safety"])
    safety = figures["per_class"]["safety"]
    assert math.isnan(safety["precision"])
    assert safety["recall"] == 0.0 and safety["f1"] == 0.0 and safety["support"] == 2
    assert figures["per_class"]["quality"]["precision"] == pytest.approx(1 / 3)
