"""The review queue: the rows of a tagged archive that need review, most instructive first.

A correction teaches the model most where it is unsure between two categories and where the text
is unlike what it was trained on; near-duplicates of a row already queued teach nothing new.
"""
import numpy as np
import pandas as pd

from .._categories import CATEGORIES
from .._classifier import ComplaintClassifier
from .._similarity import pick_distinct
from .._values import check_count, is_missing
from ..exceptions import ArchiveError
from ..io import cell_text, find_text_column, open_archive
from ..tagging import check_tagged, names_rows, refuse_added_rows, review_flags, without_text


class ReviewQueue(list):
    """The queued rows (dicts), and ``flagged``: how many rows need review and have a text, those
    left out as near-duplicates or beyond the limit included; ``empty``: how many need review for want of a text,
    left out (nothing to correct); ``names_rows``: the places of rows repeating the column
    names (a second tagged file's header pasted in), left out."""

    flagged: int = 0
    empty: int = 0
    names_rows: list = []


def _places(value) -> int:
    """The decimal places a confidence cell was written with: 4 as tagging writes it, fewer where Excel
    saved a CSV as its cells showed them (0.67)."""
    text = str(value).strip()
    return min(len(text) - text.index(".") - 1, 4) if isinstance(value, str) and "." in text else 4


def _check_same_model(confidences: np.ndarray, written: list, rows: list, tagged) -> None:
    """Refuse to queue a file with a model other than the one that tagged it: the workbook's guesses and
    confidences would contradict the file under review, and be stored as the model's on import. Its
    confidences are compared, to the places each was written with: a person corrects categories, not
    confidences."""
    numbers = pd.to_numeric(pd.Series(written, dtype=object), errors="coerce").to_numpy(dtype=float)
    allowed = np.array([0.5 * 10.0 ** -_places(value) + 1e-4 for value in written])
    differs = np.flatnonzero(np.abs(confidences - numbers) > allowed)  # NaN (nothing written) never differs
    if len(differs):
        at = differs[0]
        raise ArchiveError(f"{tagged}: its confidences are not those of the model given: row {rows[at]}: "
                           f"{numbers[at]:.4f} in the file, {confidences[at]:.4f} from the model ({len(differs):,} of "
                           f"{len(rows):,} rows to review differ). It was tagged by another model (pass the one that "
                           f"tagged it, model=…), or from another column than the text column read here (text_col=…), "
                           f"or its texts were edited since", "other_model", row=int(rows[at]),
                           written=float(numbers[at]), computed=float(confidences[at]), differ=len(differs),
                           rows=len(rows))


def review_queue(model: ComplaintClassifier, tagged, *, text_col: str | None = None, limit: int | None = None,
                 encoding=None) -> ReviewQueue:
    """The rows of the tagged archive ``tagged`` that need review and have a text, ordered by how
    much a correction would teach ``model``: uncertain (a small margin between the two most
    probable categories) and unfamiliar (many words the model does not know), near-duplicates of
    queued rows left out. Each: row (its place, :meth:`io.Chunk.places`: its row as Excel shows a CSV or
    a sheet, a JSON Lines file's line, a Parquet file's record from 1), text, guess and runner_up (labels),
    confidence, score. A row that cannot be parsed stops it (ArchiveError), as it stops a report."""
    if limit is not None:
        check_count(limit, "limit", 1, "the most rows to review")
    reader = open_archive(tagged, encoding=encoding, chunk_size=20_000)
    rows, texts, written, pasted, without = [], [], [], [], 0
    for chunk in reader.chunks():
        if chunk.bad:  # a row that cannot be read may need review: named, as the report names it, not left out
            raise chunk.bad[0].stops(tagged, "fix it and export the review again")
        frame = chunk.rows
        column = find_text_column(check_tagged(frame.columns, tagged, needed=["needs_review"]), text_col)
        numbers = chunk.places()  # as Excel shows a CSV or a sheet
        names = names_rows(frame)  # as the report leaves them out
        if names.any():
            pasted += [numbers[i] for i in names.nonzero()[0]]
            frame, numbers = frame[~names], [number for number, name in zip(numbers, names) if not name]
        refuse_added_rows(frame, numbers)  # a 合计 row below the table: told as the report tells it
        flags = review_flags(frame["needs_review"], numbers)
        confidences = frame["confidence"] if "confidence" in frame else pd.Series(None, index=frame.index)
        empty = without_text(frame)  # nothing to read once normalised: in no category, no correction
        for number, text, review, confidence, nothing in zip(numbers, frame[column], flags, confidences, empty):
            if not isinstance(text, str) and not is_missing(text):  # a number in a workbook's cell, a Parquet binary
                text = cell_text(text)  # column: tagged as the text a person sees, never a row without text
            if review and isinstance(text, str) and text.strip() and not nothing:
                rows.append(number)
                texts.append(text)
                written.append(confidence)
            elif review:
                without += 1
    if not texts:
        queue = ReviewQueue()
        queue.names_rows, queue.empty = pasted, without
        return queue
    proba = model.predict_proba(texts)
    order = np.argsort(-proba, axis=1)
    # A text without evidence (12315, 嗯) has every category as likely, and the model's decision for it (other), not
    # the first of its equal probabilities, is its guess, as the tagged file says.
    classes = list(model.classes_)
    undecided = np.flatnonzero(proba.max(axis=1) == proba.min(axis=1))
    for at, decided in zip(undecided, model.predict([texts[at] for at in undecided]) if len(undecided) else []):
        first = classes.index(decided)
        order[at] = [first, *(code for code in order[at] if code != first)]
    top, second = proba[np.arange(len(texts)), order[:, 0]], proba[np.arange(len(texts)), order[:, 1]]
    _check_same_model(top, written, rows, tagged)
    unknown = model.unknown_share(texts)
    scores = (1.0 - (top - second)) * (1.0 + unknown)
    items = [(float(score), text, row, model.classes_[a], model.classes_[b], float(p))
             for score, text, row, a, b, p in zip(scores, texts, rows, order[:, 0], order[:, 1], top)]
    queue = ReviewQueue({"row": row, "text": text, "guess": str(guess), "guess_zh": CATEGORIES.get(guess, guess),
                         "runner_up": str(runner), "runner_up_zh": CATEGORIES.get(runner, runner),
                         "confidence": round(confidence, 4), "score": round(score, 4)}
                        for score, text, row, guess, runner, confidence in pick_distinct(items, limit))
    queue.flagged, queue.empty, queue.names_rows = len(texts), without, pasted
    return queue
