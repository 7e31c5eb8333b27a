"""Corrections: a reviewer's category for a complaint text, kept in a SQLite file beside the registry.

Every correction is a row of its own (who, when, from which archive row), never overwritten; the
category a text has now is its latest correction. The same correction given again (a workbook imported
twice: the text's category now, from the same archive row) is not stored again. SQLite in WAL mode with a
busy timeout lets several reviewers write at once without losing any.
"""
import datetime
import getpass
import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

from .._categories import label_of
from .._locks import held
from ..io import correction_key, working_name

STORE_NAME = "corrections.sqlite"
_SCHEMA = """CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text_sha256 TEXT NOT NULL,
    text TEXT NOT NULL,
    label TEXT NOT NULL,
    model_label TEXT,
    reviewer TEXT NOT NULL,
    at TEXT NOT NULL,
    source TEXT,
    row INTEGER
);
CREATE INDEX IF NOT EXISTS corrections_by_text ON corrections (text_sha256, id);"""


def text_key(text: str) -> str:
    """What identifies a complaint across archives: the sha256 of its :func:`correction_key`."""
    return hashlib.sha256(correction_key(text).encode("utf-8")).hexdigest()


def _insert_new(connection: sqlite3.Connection, row: tuple) -> bool:
    """Insert the correction ``row`` (as ``add`` makes them) unless the store holds it already: its text's
    latest correction gives its category, and one of them came from its source and row. Whether it was."""
    key, _, label, _, _, _, source, number = row
    latest = connection.execute("SELECT label FROM corrections WHERE text_sha256 = ? ORDER BY id DESC LIMIT 1",
                                (key,)).fetchone()
    if latest is not None and latest[0] == label and connection.execute(
            "SELECT 1 FROM corrections WHERE text_sha256 = ? AND label = ? AND source IS ? AND row IS ?",
            (key, label, source, number)).fetchone():
        return False
    connection.execute("INSERT INTO corrections (text_sha256, text, label, model_label, reviewer, at, source, row) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
    return True


class CorrectionStore:
    """The corrections at ``path`` (a ``corrections.sqlite`` file; created on first write)."""

    def __init__(self, path):
        self.path = Path(path)

    @classmethod
    def of_registry(cls, registry=None) -> "CorrectionStore":
        """The store kept beside the model registry at ``registry`` (default: the registry's default
        folder), where the command line and the web application both keep their corrections."""
        from ..models import ModelRegistry

        return cls(ModelRegistry(registry).root / STORE_NAME)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Switching to WAL and creating the table take a lock SQLite does not wait for: two
        # processes opening a new store at once would see "database is locked". One at a time.
        with held(working_name(self.path, "lock")):
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)
        return connection

    def add(self, corrections, *, reviewer: str | None = None) -> int:
        """Store ``corrections``: dicts with text, label (English or Chinese) and optionally
        model_label, source and row, in one transaction, or none; returns how many were stored. One the
        store already holds (its text's category now, from the same source and row) is not stored again."""
        if not reviewer:
            try:
                reviewer = getpass.getuser()
            except (KeyError, OSError):  # a user id without a name (a container), and no $USER
                raise ValueError("this machine does not tell the user's name: say who reviewed, reviewer=NAME") from None
        at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        rows = []
        for n, item in enumerate(corrections, start=1):
            label = label_of(item.get("label"))
            if label is None or not isinstance(item.get("text"), str) or not item["text"].strip():
                raise ValueError(f"correction {n}: needs a text and one of the six categories, got "
                                 f"{item.get('label')!r}")
            rows.append((text_key(item["text"]), correction_key(item["text"]), label, item.get("model_label"),
                         reviewer, at, item.get("source"), item.get("row")))
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                stored = sum(_insert_new(connection, row) for row in rows)  # one by one: a batch may repeat itself
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return stored

    def all(self) -> list[dict]:
        """Every correction ever stored, oldest first."""
        if not self.path.is_file():
            return []
        with closing(self._connect()) as connection:
            connection.row_factory = sqlite3.Row
            return [dict(row) for row in connection.execute("SELECT * FROM corrections ORDER BY id")]

    def labels(self) -> dict:
        """{text: label}: each corrected text (its :func:`correction_key`) with the label of its latest
        correction."""
        return {correction_key(row["text"]): row["label"] for row in self.all()}
