"""Corrections: a reviewer's category for a complaint text, kept in a SQLite file beside the registry.

Every correction is a row of its own (who, when, from which archive row), never overwritten; the
category a text has now is its latest correction, passing over the choices of an export whose copies disagree
on it (two reviewers' copies of one workbook filled otherwise): a person settles those by a later choice. The
same correction given again (a workbook imported twice: the text's category now, from the same archive row, of no
later export) is not stored again, and one from a workbook exported before a correction of its text that gives
another category does not replace it (an old workbook imported again).
SQLite in WAL mode with a busy timeout lets several reviewers write at once without losing any.
"""
import datetime
import errno
import getpass
import hashlib
import heapq
import sqlite3
import threading
from collections import defaultdict
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

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
    row INTEGER,
    exported_at TEXT
);
CREATE INDEX IF NOT EXISTS corrections_by_text ON corrections (text_sha256, id);"""
# Whether a choice is held already is looked up, not read through all of its text's choices (made after the newer
# columns are added: it holds one).
_CHOICE_INDEX = ("CREATE INDEX IF NOT EXISTS corrections_by_choice ON corrections "
                 "(text_sha256, label, source, row, exported_at)")
# exported_at: when the choice's workbook was exported (a browser's choice: when it was made), UTC as moment() writes
# it, so that moments compare as text; NULL for workbooks exported before it was stamped. Stores written before have
# no such column: it is added on opening.
_NEWER_COLUMNS = {"exported_at": "TEXT"}
_CANNOT_WRITE = (errno.EROFS, errno.EACCES, errno.EPERM)  # a read-only disk, or a folder this user may only read


class Added(NamedTuple):
    """What :meth:`CorrectionStore.add` did with the corrections given: how many it stored, how many the store
    held already, how many it did not apply because a correction from a later export gives their texts another
    category, how many it held already from the same export and row though their texts were corrected otherwise
    since by a workbook without an export moment (not applied again); and ``disagreements``, each choice (stored
    or held already) that another choice held from the same export contradicts: dicts of text, row (the archive's),
    label and others ((label, reviewer) of the other choices, oldest first)."""
    stored: int
    again: int
    superseded: int
    replaced_since: int
    disagreements: list


NOW = "now"  # exported_at of a choice made as it is stored (the browser's): its moment is taken as it is stored


def moment(value) -> str | None:
    """``value`` (an aware datetime, or its ISO text) as the store keeps a moment: UTC to the microsecond, so that
    moments compare as text; None stays None. A moment without its offset is refused: it would compare wrongly."""
    if value is None:
        return None
    try:
        when = value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"exported_at={value!r} is not a moment (ISO 8601 with its UTC offset)") from None
    if when.utcoffset() is None:
        raise ValueError(f"exported_at={value!r} has no UTC offset, so it cannot be compared with other moments")
    return when.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")


def text_key(text: str) -> str:
    """What identifies a complaint across archives: the sha256 of its :func:`correction_key`."""
    return hashlib.sha256(correction_key(text).encode("utf-8")).hexdigest()


class Standing(NamedTuple):
    """Where a text's corrections leave it: the category that counts (None: none), and ``disputed``, the choices
    (exported_at, label, reviewer), oldest first, of exports whose copies disagree on it that no later choice
    settled, which a person is to settle."""
    label: str | None
    disputed: list


def _standing(held) -> Standing:
    """Where a text's corrections ``held`` ((exported_at, label, reviewer), oldest first) leave it: the latest's
    category, passing over every choice of an export whose choices disagree (copies of one workbook filled otherwise,
    which no order of import may settle); those passed over, and such choices stored before it from a later export than
    its, stay disputed unless the choice that counts came from a later export (a later choice settled them)."""
    labels_of = defaultdict(set)
    for exported_at, label, _ in held:
        labels_of[exported_at].add(label)
    passed = []
    for index in range(len(held) - 1, -1, -1):
        exported_at, label, reviewer = held[index]
        if exported_at is None or len(labels_of[exported_at]) == 1:  # with a later export's disputed choices stored
            before = [choice for choice in held[:index] if exported_at is not None and choice[0] is not None  # first
                      and choice[0] > exported_at and len(labels_of[choice[0]]) > 1]
            return Standing(label, before + [choice for choice in reversed(passed)
                                             if exported_at is None or choice[0] > exported_at])
        passed.append((exported_at, label, reviewer))
    return Standing(None, passed[::-1])


def _moment_column(connection: sqlite3.Connection) -> str:
    """exported_at, or NULL in a store of an earlier release opened read-only (which could not gain the column)."""
    held_columns = {column[1] for column in connection.execute("PRAGMA table_info(corrections)")}
    return "exported_at" if "exported_at" in held_columns else "NULL"


class _Later(str):
    """A moment that :mod:`heapq` gives first the later it is."""
    __slots__ = ()

    def __lt__(self, other):
        return str.__gt__(self, other)


class _Choices:
    """A text's corrections held, (exported_at, label, reviewer) oldest first, kept up to date as ``add`` stores its
    own, with what ``_insert_new`` asks of them: where they leave the text as :func:`_standing` finds it, which
    choices of an export contradict a choice, the latest export whose choices agree. Each answer costs at most the
    choices it names, not all of them again: a batch repeating one text costs its length, not its square."""

    def __init__(self, held=()):
        self._count = 0
        self._by_moment = defaultdict(dict)  # {exported_at: {label: [(index, reviewer), ...]}}
        self._disputed_latest = None  # the latest moment of an export whose choices disagree
        self._agreed = []  # the choices that may count, oldest first, each [index, exported_at, label, the latest
        # moment of the disputed choices after it, up to the next]: one whose export turned disputed is passed over
        # (its disputed moments handed down) when it comes on top
        self._later = []  # a heap of the moments of exports, latest first; one disputed since is dropped on top
        for choice in held:
            self.append(*choice)

    def __len__(self):
        return self._count

    def _disputed(self, exported_at) -> bool:
        return exported_at is not None and len(self._by_moment[exported_at]) > 1

    def _hand_down(self, exported_at) -> None:
        """Count a disputed choice of ``exported_at`` (None: none) among those after the latest that may count."""
        if self._agreed and exported_at is not None:
            top = self._agreed[-1]
            top[3] = exported_at if top[3] is None else max(top[3], exported_at)

    def append(self, exported_at, label, reviewer) -> None:
        labels = self._by_moment[exported_at]
        if exported_at is not None and not labels:
            heapq.heappush(self._later, _Later(exported_at))
        labels.setdefault(label, []).append((self._count, reviewer))
        self._count += 1
        if not self._disputed(exported_at):
            self._agreed.append([self._count - 1, exported_at, label, None])
            return
        self._disputed_latest = max(self._disputed_latest or exported_at, exported_at)
        self._hand_down(exported_at)
        while self._agreed and self._disputed(self._agreed[-1][1]):
            _, moment, _, after = self._agreed.pop()
            self._hand_down(moment)
            self._hand_down(after)

    def standing(self) -> tuple:
        """(the category that counts, None: none; the latest moment of the choices left disputed, None: none), as
        :func:`_standing` finds them."""
        if not self._agreed:
            return None, self._disputed_latest
        _, exported_at, label, after = self._agreed[-1]
        if exported_at is None:  # those after it are disputed
            return label, after
        latest = self._disputed_latest
        return label, (latest if latest is not None and latest > exported_at else None)

    def others(self, exported_at, label) -> list:
        """The (label, reviewer), oldest first, of the choices of the export of ``exported_at`` (None: none) that
        give the text another category than ``label``."""
        if exported_at is None:
            return []
        choices = self._by_moment.get(exported_at, {})
        return [(other, reviewer) for _, other, reviewer in sorted(
            (index, other, reviewer) for other, held in choices.items() if other != label for index, reviewer in held)]

    def latest_agreed(self) -> str | None:
        """The latest moment of an export whose choices agree (None: none)."""
        while self._later and self._disputed(self._later[0]):
            heapq.heappop(self._later)
        return str(self._later[0]) if self._later else None


def _insert_new(connection: sqlite3.Connection, row: tuple, held: _Choices) -> tuple[str, list]:
    """Insert the correction ``row`` (as ``add`` makes them) unless the store holds it already ("again": its
    text's category now is its category, and one of them came from its source and row, of this export or a later one
    (a later export agreeing is stored: its moment outranks the exports between), unless it settles its text's
    disputed choices, being of a later moment than them (a browser's choice); or this very choice, text,
    category, source, row and export moment, is held and contradicted from its own export), a correction from a later
    export whose copies agree gives its text another category ("superseded"), or the store holds this very choice and
    its text was corrected otherwise since ("replaced_since"); "stored" when it was inserted, and added to ``held``,
    its text's corrections. With it, the (label, reviewer) of the choices held from the same export that give the text
    another category."""
    key, _, label, _, reviewer, _, source, number, exported_at = row
    now, disputed_latest = held.standing()
    others = held.others(exported_at, label)
    settles = disputed_latest is not None and exported_at is not None and exported_at > disputed_latest
    if now == label and not settles and connection.execute(  # held from a later export than this one: its moment
            "SELECT 1 FROM corrections WHERE text_sha256 = ? AND label = ? AND source IS ? AND row IS ? "
            "AND (? IS NULL OR exported_at >= ?)", (key, label, source, number, exported_at, exported_at)).fetchone():
        return "again", others
    later = held.latest_agreed()  # a later export counts only where its copies agree: else this choice may count
    if now != label and exported_at is not None and later is not None and later > exported_at:
        return "superseded", []  # a later choice settled it, whatever this export's copies say
    if held and exported_at is not None and connection.execute(
            "SELECT 1 FROM corrections WHERE text_sha256 = ? AND label = ? AND source IS ? AND row IS ? "
            "AND exported_at = ?", (key, label, source, number, exported_at)).fetchone():
        return ("again" if others else "replaced_since"), others  # this very choice, stored before
    connection.execute("INSERT INTO corrections (text_sha256, text, label, model_label, reviewer, at, source, row, "
                       "exported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
    held.append(exported_at, label, reviewer)
    return "stored", others


class CorrectionStore:
    """The corrections at ``path`` (a ``corrections.sqlite`` file; created on first write)."""

    def __init__(self, path):
        self.path = Path(path)
        self._labels: dict = {}  # labels() and disputes() as last read, and the last correction read:
        self._disputes: dict = {}  # (id, text_sha256, at)
        self._read_up_to: tuple = (0, None, None)
        self._reading = threading.Lock()

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
            held_columns = {column[1] for column in connection.execute("PRAGMA table_info(corrections)")}
            for name, kind in _NEWER_COLUMNS.items():
                if name not in held_columns:  # a store of an earlier release: its corrections keep NULL
                    connection.execute(f"ALTER TABLE corrections ADD COLUMN {name} {kind}")
            connection.execute(_CHOICE_INDEX)
        return connection

    def _connect_to_read(self) -> sqlite3.Connection:
        """A connection to read the store: as writers open it, else, where its disk or folder cannot be written (a
        registry on a read-only disk or share, which desks only read), read-only; as immutable where SQLite cannot
        even read it so (a WAL store whose shared-memory file cannot be made): nothing here can write it then."""
        try:
            return self._connect()
        except OSError as error:
            if error.errno not in _CANNOT_WRITE:
                raise
        address = self.path.resolve().as_uri()
        connection = sqlite3.connect(f"{address}?mode=ro", uri=True, timeout=30)
        try:
            connection.execute("SELECT 1 FROM corrections LIMIT 1")
            return connection
        except sqlite3.OperationalError:
            connection.close()
            return sqlite3.connect(f"{address}?immutable=1", uri=True)

    def add(self, corrections, *, reviewer: str | None = None) -> Added:
        """Store ``corrections``: dicts with text, label (English or Chinese) and optionally model_label,
        source, row and exported_at (when its workbook was exported: see :func:`moment`; :data:`NOW` for a choice
        made as it is stored, whose moment is then taken inside the transaction, so that choices made at once count
        in the order they are stored, not by a clock read before), in one transaction, or none. One the store
        already holds (its text's category now, from the same source and row) is not stored again; one exported
        before a stored correction of its text giving another category is not applied; one that another choice from
        its export contradicts is stored, and neither counts until a later choice (see ``Added.disagreements``)."""
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
            try:
                exported_at = NOW if item.get("exported_at") == NOW else moment(item.get("exported_at"))
            except ValueError as error:
                raise ValueError(f"correction {n}: {error}") from None
            rows.append((text_key(item["text"]), correction_key(item["text"]), label, item.get("model_label"),
                         reviewer, at, item.get("source"), item.get("row"), exported_at))
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                now = moment(datetime.datetime.now(datetime.timezone.utc))  # after every choice stored before
                held = {}  # each text's corrections, read once: a batch may repeat itself, so one by one
                done = []
                for row in rows:
                    if row[0] not in held:
                        held[row[0]] = _Choices(connection.execute(
                            "SELECT exported_at, label, reviewer FROM corrections WHERE text_sha256 = ? ORDER BY id",
                            (row[0],)).fetchall())
                    done.append(_insert_new(connection, row[:-1] + (now,) if row[-1] == NOW else row, held[row[0]]))
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        outcomes = [outcome for outcome, _ in done]
        disagreements = [{"text": row[1], "row": row[7], "label": row[2], "others": others}
                         for row, (_, others) in zip(rows, done) if others]
        return Added(*(outcomes.count(what) for what in Added._fields[:-1]), disagreements)

    def all(self) -> list[dict]:
        """Every correction ever stored, oldest first."""
        if not self.path.is_file():
            return []
        with closing(self._connect_to_read()) as connection:
            connection.row_factory = sqlite3.Row
            return [dict(row) for row in connection.execute("SELECT * FROM corrections ORDER BY id")]

    def labels(self) -> dict:
        """{text: label}: each corrected text (its :func:`correction_key`) with the label of its latest
        correction, passing over the choices of an export whose copies disagree on it (none left: not listed)."""
        with self._reading:
            self._read()
            return dict(self._labels)

    def disputes(self) -> dict:
        """{text: [(label, reviewer), ...]}: each text (its :func:`correction_key`) whose copies of one export gave it
        different categories and no later choice settled it, with those choices, oldest first: for a person to see
        both as he settles it (its category meanwhile is the one :meth:`labels` gives, if any)."""
        return self.labels_and_disputes()[1]

    def labels_and_disputes(self) -> tuple[dict, dict]:
        """:meth:`labels` and :meth:`disputes` from one read of the store (a review page needs both at each view)."""
        with self._reading:
            self._read()
            return dict(self._labels), {text: list(choices) for text, choices in self._disputes.items()}

    def _read(self) -> None:
        """Bring ``_labels`` and ``_disputes`` up to the store: only the corrections stored since the last read are
        read, with their texts' earlier ones (the store only grows: a server asks at every page), all of them again
        where that last one is gone or another (a file put back)."""
        if not self.path.is_file():
            self._labels, self._disputes, self._read_up_to = {}, {}, (0, None, None)
            return
        with closing(self._connect_to_read()) as connection:
            last, key, at = self._read_up_to
            if last and connection.execute("SELECT text_sha256, at FROM corrections WHERE id = ?",
                                           (last,)).fetchone() != (key, at):
                self._labels, self._disputes, last = {}, {}, 0
            moments = _moment_column(connection)
            since = connection.execute(f"SELECT id, text_sha256, at, {moments}, label, reviewer, text FROM corrections "
                                       "WHERE id > ? ORDER BY id", (last,)).fetchall()
            touched = defaultdict(list)  # each text's corrections: all of them read at once, else only the new ones
            for _, key, _, *held in since:
                touched[key].append(held)
            if last:  # a text's earlier corrections too: a new choice may disagree with one from the same export
                touched = {key: connection.execute(f"SELECT {moments}, label, reviewer, text FROM corrections "
                                                   "WHERE text_sha256 = ? ORDER BY id", (key,)).fetchall()
                           for key in touched}
            for held in touched.values():
                self._settle(correction_key(held[-1][3]), _standing([choice[:3] for choice in held]))
            if since:
                self._read_up_to = since[-1][:3]

    def _settle(self, text: str, standing: Standing) -> None:
        """Keep where ``text``'s corrections leave it, as ``_read`` found it."""
        for kept, value in ((self._labels, standing.label),
                            (self._disputes, [(label, reviewer) for _, label, reviewer in standing.disputed])):
            if value:
                kept[text] = value
            else:
                kept.pop(text, None)
