"""The complaint desk's loop: the rows a model is unsure of, corrected by people, learned from.

``review_queue`` orders the rows to review; ``export_review``/``read_review`` carry them through an
Excel workbook; a ``CorrectionStore`` keeps every correction; ``train(..., corrections=...)`` and
``report_archive(..., corrections=...)`` use them.
"""
from ._queue import ReviewQueue, review_queue
from ._store import NOW, STORE_NAME, CorrectionStore, text_key
from ._workbook import check_workbook, export_review, read_review

__all__ = ["NOW", "STORE_NAME", "CorrectionStore", "ReviewQueue", "check_workbook", "export_review", "read_review",
           "review_queue", "text_key"]
