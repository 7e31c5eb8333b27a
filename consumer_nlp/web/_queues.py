"""The review queues the review pages show: each written once from a batch's result, and each queue file read once
while it stays the same, the latest few kept parsed, so that a view or a choice does not read a batch's whole queue
again (0.15 s for 12,056 rows)."""
import collections
import json
import os
import threading
from pathlib import Path
from typing import NamedTuple

from ..io import OutputLock, correction_key, write_json
from ..review import review_queue
from ._workspace import upload_rows

# The queue files kept parsed, in bytes of file: 12,056 rows (a 20,000-row batch) are 4.4 MB, about 10 MB parsed;
# a batch of 200,000 rows may queue ten times as many. The latest queue read is always kept.
KEPT_BYTES = 40_000_000


def write_queue(model, tagged_path: Path, input_path: Path, text_col: str | None, queue_path: Path,
                header_row: int = 1) -> None:
    """Write to ``queue_path`` the review queue of a batch's result ``tagged_path``, tagged by ``model`` from the
    upload ``input_path``, and the rows of column names pasted in it left out: each row named where the upload has
    it (its column names in ``header_row``). Refused before any work while another writer holds the file."""
    with OutputLock(queue_path, "queue_path"):
        queue = review_queue(model, tagged_path, text_col=text_col)
        in_upload = upload_rows(input_path, header_row)  # the queue numbers the copy's records; the desk: the upload's
        for item in queue:
            item["row"] = in_upload(item["row"])
        write_json(queue_path, {"items": queue, "names_rows": [in_upload(row) for row in queue.names_rows],
                                "flagged": queue.flagged, "empty": queue.empty})


class Queue(NamedTuple):
    """A batch's review queue: its rows (dicts, as ``review_queue`` gives them), each row's :func:`correction_key`,
    by which the corrections are looked up, the upload's rows of column names pasted in, left out, and the counts of
    rows needing review with a text (``flagged``; None in a queue written before 2026-12-06) and without (``empty``)."""

    items: list
    keys: list
    names_rows: list = []
    flagged: int | None = None
    empty: int = 0


def _stamp(status: os.stat_result) -> tuple:
    """What tells a file from the same path written again (replaced, or rewritten in place)."""
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns


class Queues:
    """The latest queue files read (up to :data:`KEPT_BYTES` of them), by path, each read again once its file
    changes."""

    def __init__(self):
        self._kept: collections.OrderedDict[Path, tuple] = collections.OrderedDict()  # path -> (stamp, Queue)
        self._lock = threading.Lock()  # read from the server's worker threads

    def read(self, path: Path) -> Queue:
        """The queue in the file at ``path``, parsed once for as long as the file stays the same."""
        with self._lock:
            kept = self._kept.get(path)
        if kept is not None and kept[0] == _stamp(os.stat(path)):
            with self._lock:
                if path in self._kept:
                    self._kept.move_to_end(path)
            return kept[1]
        with open(path, encoding="utf-8") as file:
            stamp = _stamp(os.fstat(file.fileno()))  # of what is read, though the file be replaced meanwhile
            written = json.load(file)
        if isinstance(written, list):  # written before 2026-12-06, without the rows of names
            written = {"items": written, "names_rows": []}
        items = written["items"]
        queue = Queue(items, [correction_key(item["text"]) for item in items], written["names_rows"],
                      written.get("flagged"), written.get("empty", 0))
        with self._lock:
            self._kept[path] = (stamp, queue)
            self._kept.move_to_end(path)
            while len(self._kept) > 1 and sum(stamp[2] for stamp, _ in self._kept.values()) > KEPT_BYTES:
                self._kept.popitem(last=False)
        return queue
