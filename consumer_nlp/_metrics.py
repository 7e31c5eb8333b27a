"""Evaluation figures from held-out predictions: F1, confusion, calibration and the review trade-off."""
import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support


def expected_calibration_error(confidence, correct, n_bins: int = 10) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins (those of
    :func:`reliability_table`), weighted by bin size."""
    bins = reliability_table(confidence, correct, n_bins)
    total = sum(b["count"] for b in bins)
    return float(sum(b["count"] * abs(b["accuracy"] - b["confidence"]) for b in bins) / total) if total else 0.0


def _accuracy_when_sure(correct, sure) -> float:
    """Accuracy on the texts not sent to review (NaN when every text is)."""
    return float(correct[sure].mean()) if sure.any() else float("nan")


def reliability_table(confidence, correct, n_bins: int = 10) -> list[dict]:
    """Per confidence bin: count, mean confidence and accuracy (the reliability diagram's data)."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    digits = next((d for d in range(1, 5) if 10 ** d % n_bins == 0), 4)  # enough to tell the bounds apart
    return [{"bin": f"{b / n_bins:.{digits}f}-{(b + 1) / n_bins:.{digits}f}", "count": int((bins == b).sum()),
             "confidence": float(confidence[bins == b].mean()), "accuracy": float(correct[bins == b].mean())}
            for b in np.unique(bins)]


REVIEW_EVERYTHING = 1.01  # the threshold when no share of texts is accurate enough: every text goes to review


def choose_review_threshold(confidence, correct, target_accuracy: float) -> float:
    """Lowest confidence threshold whose kept texts (confidence >= it) reach ``target_accuracy``.

    Texts are ranked by confidence; the threshold keeps the largest top share whose accuracy is
    at least the target, so as few texts as possible go to review. If no share reaches the
    target, every text goes to review (threshold above 1).
    """
    confidence = np.asarray(confidence, dtype=float)
    order = np.argsort(-confidence, kind="stable")
    ranked = confidence[order]
    running_accuracy = np.cumsum(np.asarray(correct, dtype=float)[order]) / np.arange(1, len(order) + 1)
    # texts of equal confidence are kept or sent to review together: cut only where it changes
    ends_a_tie = np.append(ranked[1:] < ranked[:-1], True)
    reaching = np.flatnonzero((running_accuracy >= target_accuracy) & ends_a_tie)
    if reaching.size == 0:
        return REVIEW_EVERYTHING
    return float(ranked[reaching.max()])


def classification_metrics(y_true, y_pred, confidence, needs_review, labels) -> dict:
    """Everything the model card and the registry record about held-out predictions."""
    y_true = np.asarray(y_true, dtype=object)
    y_pred = np.asarray(y_pred, dtype=object)
    needs_review = np.asarray(needs_review, dtype=bool)
    correct = y_true == y_pred
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(labels), zero_division=0)
    sure = ~needs_review
    held = set(y_true)
    return {
        "n": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        # macro-F1 over the labels the data holds: a stray prediction of one it lacks already costs the
        # recall of the text's own label; averaged in as an F1 of 0, it halved a 0.9-accurate set's figure
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0,
                                   labels=[label for label in labels if label in held])),
        "per_class": {label: _class_figures(p, r, f, s, said) for label, p, r, f, s, said in zip(
            labels, precision, recall, f1, support, [int(np.sum(y_pred == label)) for label in labels])},
        "labels": list(labels),
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=list(labels)).tolist(),
        "calibration_error": expected_calibration_error(confidence, correct),
        "reliability": reliability_table(confidence, correct),
        "review_share": float(needs_review.mean()),
        "accuracy_when_sure": _accuracy_when_sure(correct, sure),
    }


def _class_figures(precision, recall, f1, support, said) -> dict:
    """One category's figures; NaN (no figure) where there is nothing to measure: recall and F1 of a
    category the data does not hold, precision of one never predicted (0 of 0: no tag of it to be right or wrong)."""
    nothing = float("nan")
    return {"precision": float(precision) if said else nothing,
            "recall": float(recall) if support else nothing, "f1": float(f1) if support else nothing,
            "support": int(support)}


def review_tradeoff(confidence, correct, thresholds) -> list[dict]:
    """For each threshold: the share of texts sent to review and the accuracy on the rest."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=bool)
    rows = []
    for threshold in thresholds:
        sure = confidence >= threshold
        rows.append({"threshold": float(threshold), "review_share": float(1 - sure.mean()),
                     "accuracy_when_sure": _accuracy_when_sure(correct, sure)})
    return rows
