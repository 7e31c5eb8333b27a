"""The review queue: the rows of a tagged archive that need review, most instructive first.

A correction teaches the model most where it is unsure between two categories and where the text
is unlike what it was trained on; near-duplicates of a row already queued teach nothing new.
"""
import numpy as np
import pandas as pd

from .._categories import CATEGORIES
from .._classifier import ComplaintClassifier
from .._similarity import pick_distinct
from .._values import check_count
from ..io import find_text_column, open_archive
from ..tagging import check_tagged, review_flags


class ReviewQueue(list):
    """The queued rows (dicts), and ``flagged``: how many rows need review and have a text, those
    left out as near-duplicates or beyond the limit included."""

    flagged: int = 0


def _check_same_model(confidences: np.ndarray, written: np.ndarray, rows: list, tagged) -> None:
    """Refuse to queue a file with a model other than the one that tagged it: the workbook's guesses and
    confidences would contradict the file under review, and be stored as the model's on import. Its
    confidences (written to 4 places) are compared: a person corrects categories, not confidences."""
    differs = np.flatnonzero(np.abs(confidences - written) > 6e-4)  # NaN (no confidence written) never differs
    if len(differs):
        at = differs[0]
        raise ValueError(f"{tagged} was tagged by another model: row {rows[at]}: confidence {written[at]:.4f} in the "
                         f"file, {confidences[at]:.4f} from the model given ({len(differs):,} of {len(rows):,} rows to "
                         f"review differ). Pass the model that tagged it (model=…)")


def review_queue(model: ComplaintClassifier, tagged, *, text_col: str | None = None, limit: int | None = None,
                 encoding=None) -> ReviewQueue:
    """The rows of the tagged archive ``tagged`` that need review and have a text, ordered by how
    much a correction would teach ``model``: uncertain (a small margin between the two most
    probable categories) and unfamiliar (many words the model does not know), near-duplicates of
    queued rows left out. Each: row (as a spreadsheet numbers the archive's rows: the header is row
    1), text, guess and runner_up (labels), confidence, score."""
    if limit is not None:
        check_count(limit, "limit", 1, "the most rows to review")
    reader = open_archive(tagged, encoding=encoding, chunk_size=20_000)
    rows, texts, written, seen = [], [], [], 0
    for chunk in reader.chunks():
        frame = chunk.rows
        column = find_text_column(check_tagged(frame.columns, tagged, needed=["needs_review"]), text_col)
        numbers = chunk.row_numbers(seen + 2)  # row 1: the header
        flags = review_flags(frame["needs_review"], numbers)
        confidences = pd.to_numeric(frame["confidence"], errors="coerce") if "confidence" in frame else \
            pd.Series(np.nan, index=frame.index)
        for number, text, review, confidence in zip(numbers, frame[column], flags, confidences):
            if review and isinstance(text, str) and text.strip():
                rows.append(number)
                texts.append(text)
                written.append(confidence)
        seen += len(frame)
    if not texts:
        return ReviewQueue()
    proba = model.predict_proba(texts)
    order = np.argsort(-proba, axis=1)
    top, second = proba[np.arange(len(texts)), order[:, 0]], proba[np.arange(len(texts)), order[:, 1]]
    _check_same_model(top, np.asarray(written, dtype=float), rows, tagged)
    unknown = model.unknown_share(texts)
    scores = (1.0 - (top - second)) * (1.0 + unknown)
    items = [(float(score), text, row, model.classes_[a], model.classes_[b], float(p))
             for score, text, row, a, b, p in zip(scores, texts, rows, order[:, 0], order[:, 1], top)]
    queue = ReviewQueue({"row": row, "text": text, "guess": str(guess), "guess_zh": CATEGORIES.get(guess, guess),
                         "runner_up": str(runner), "runner_up_zh": CATEGORIES.get(runner, runner),
                         "confidence": round(confidence, 4), "score": round(score, 4)}
                        for score, text, row, guess, runner, confidence in pick_distinct(items, limit))
    queue.flagged = len(texts)
    return queue
