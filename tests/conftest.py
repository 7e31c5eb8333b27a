"""Fixtures and small builders shared by the test files (one copy of each, here)."""
import contextlib
import csv
import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest

import consumer_nlp as cn

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "data" / "complaints.csv"


@pytest.fixture(scope="session")
def repo_root():
    """The repository's root folder (README, data/, notebooks/, setup.cfg)."""
    return REPO


@pytest.fixture(scope="session")
def data_dir():
    """tests/data: the 0.1 model file and its probabilities, the money phrases."""
    return Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def matches_0_1(data_dir):
    """``matches_0_1(model, atol)``: asserts that ``model`` gives the probabilities the 0.1 model gave
    on its texts (tests/data/model_0.1.json, whose columns are in the guide's order)."""
    expected = json.loads((data_dir / "model_0.1.json").read_text("utf-8"))

    def check(model, atol):
        columns = [list(model.classes_).index(label) for label in cn.CATEGORIES]
        np.testing.assert_allclose(model.predict_proba(expected["texts"])[:, columns], expected["proba"], atol=atol)
    return check


@pytest.fixture(scope="session")
def default_model():
    return cn.load()


@pytest.fixture(scope="session")
def small_corpus():
    """40 texts per category from the project's corpus: enough to fit quickly."""
    with open(CORPUS, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    picked, seen = [], {}
    for row in rows:
        if seen.get(row["label"], 0) < 40:
            seen[row["label"]] = seen.get(row["label"], 0) + 1
            picked.append((row["text"], row["label"]))
    return [t for t, _ in picked], [label for _, label in picked]


@pytest.fixture(scope="session")
def small_model(small_corpus):
    texts, labels = small_corpus
    return cn.ComplaintClassifier(cv=3).fit(texts, labels)


def _children_of(pid: int) -> list:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="session")
def children_of():
    """``children_of(pid)``: the ids of the processes whose parent is ``pid`` (the test is skipped without /proc)."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("reads the process table from /proc")
    return _children_of


def _joined(threads, seconds: float = 120) -> None:
    """Wait for each of ``threads`` to end, all within ``seconds``: one still running then fails the test (a thread
    waiting on something that never comes), where ``join()`` without a timeout hung the run."""
    import time

    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"still running after {seconds} s: {stuck}"


@pytest.fixture(scope="session")
def joined():
    """``joined(threads, seconds=120)``: wait for the threads to end, failing the test if one has not by then."""
    return _joined


def _write_csv(path, rows, encoding="utf-8"):
    """Write ``rows`` (lists of cells, the header first) as a CSV file; returns ``path``."""
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture(scope="session")
def write_csv():
    """``write_csv(path, rows, encoding="utf-8")``: a CSV file of ``rows``, the header first."""
    return _write_csv


def _write_workbook(path, sheets, hidden=()):
    """An .xlsx workbook with one sheet per item of ``sheets`` {title: rows}; titles in ``hidden`` are hidden."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def _with_cached_values(path, cached: dict, by_excel: bool = True):
    """``path`` (an openpyxl workbook of one sheet) rewritten with formula results saved as Excel
    saves them: ``{cell: value}``, text results marked t="str"; ``by_excel`` also drops the request
    to recalculate on opening, as Excel does when it saves (a program like XlsxWriter keeps it)."""
    import re
    import zipfile

    source = path.with_name("unsaved_" + path.name)
    path.rename(source)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                for ref, value in cached.items():
                    kind = ' t="str"' if isinstance(value, str) else ""
                    xml = re.sub(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>', rf'<c r="{ref}"\1{kind}><f>\2</f><v>{value}</v>',
                                 xml)
                data = xml.encode()
            if item.filename == "xl/workbook.xml" and by_excel:
                data = data.replace(b' fullCalcOnLoad="1"', b"")
            zout.writestr(item, data)
    source.unlink()
    return path


@pytest.fixture(scope="session")
def with_cached_values():
    """``with_cached_values(path, {cell: value})``: formula results saved into an openpyxl workbook."""
    return _with_cached_values


def _write_xls(path, rows, dates_1904=0):
    """An old-format .xls workbook of one sheet 投诉 with ``rows``; a cell given as (value, format)
    is written in that number format (needs xlwt: the test is skipped without it)."""
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    workbook.dates_1904 = dates_1904
    sheet = workbook.add_sheet("投诉")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if isinstance(cell, tuple):
                sheet.write(r, c, cell[0], xlwt.easyxf(num_format_str=cell[1]))
            elif cell is not None:
                sheet.write(r, c, cell)
    workbook.save(str(path))
    return path


@pytest.fixture(scope="session")
def write_xls():
    """``write_xls(path, rows, dates_1904=0)``: an .xls workbook (see :func:`_write_xls`)."""
    return _write_xls


@pytest.fixture(scope="session")
def write_workbook():
    """``write_workbook(path, {title: rows}, hidden=())``: an .xlsx workbook with those sheets."""
    return _write_workbook


def _write_sheet_or_csv(path, rows):
    """``rows`` as the one sheet 投诉 of an .xlsx or .xls workbook, or as the lines of a CSV, by ``path``'s suffix."""
    if path.suffix == ".xlsx":
        _write_workbook(path, {"投诉": rows})
    elif path.suffix == ".xls":
        _write_xls(path, rows)
    else:
        path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def write_sheet_or_csv():
    """``write_sheet_or_csv(path, rows)``: rows as a workbook's sheet 投诉 (.xlsx, .xls) or a CSV, by the suffix."""
    return _write_sheet_or_csv


class RunsCode:
    """Unpickling this runs a shell command, which creates the file PWNED in the working folder."""

    def __reduce__(self):
        return (os.system, ("touch PWNED",))


@pytest.fixture
def runs_code(tmp_path, monkeypatch):
    """An object whose unpickling would create tmp_path / "PWNED" (the test runs in tmp_path)."""
    monkeypatch.chdir(tmp_path)
    return RunsCode()


class DiskOrder:
    """The calls that bring a file to the disk, in the order they came: ("flush", inode) for each os.fsync,
    ("rename", inode, destination, its folder's inode) for each os.replace, os.rename and os.link (a name given
    to a finished file, which then loses its temporary one). A power cut cannot
    be made in a test; the order of these calls is what decides what one leaves."""

    def __init__(self):
        self.events = []

    def landed(self, path) -> int:
        """Assert that what was renamed to ``path`` was flushed before the rename and its folder after
        (where a folder can be flushed); returns the place of the folder's flush in ``events``."""
        path = os.path.abspath(path)
        renamed = [n for n, e in enumerate(self.events) if e[0] == "rename" and e[2] == path]
        assert renamed, f"nothing was renamed to {path}: {self.events}"
        at, inode = renamed[-1], self.events[renamed[-1]][1]
        assert ("flush", inode) in self.events[:at], f"{path} was renamed into place before its data was flushed"
        if os.name == "nt":
            return at
        folder = self.events[at][3]
        after = [n for n, e in enumerate(self.events) if n > at and e == ("flush", folder)]
        assert after, f"the folder of {path} was not flushed after the rename"
        return after[0]

    def renamed_at(self, path) -> int:
        """The place in ``events`` of the last rename to ``path``."""
        path = os.path.abspath(path)
        return max(n for n, e in enumerate(self.events) if e[0] == "rename" and e[2] == path)


@pytest.fixture
def disk_order(monkeypatch):
    """A :class:`DiskOrder` watching os.fsync, os.replace, os.rename and os.link for the test (in this process)."""
    order = DiskOrder()
    fsync, replace, rename, link = os.fsync, os.replace, os.rename, os.link

    def flushed(fd):
        order.events.append(("flush", os.fstat(fd).st_ino))
        return fsync(fd)

    def watched(real):
        def call(source, destination, *args, **kwargs):
            destination = os.path.abspath(destination)
            order.events.append(("rename", os.stat(source).st_ino, destination,
                                 os.stat(os.path.dirname(destination)).st_ino))
            return real(source, destination, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "fsync", flushed)
    monkeypatch.setattr(os, "replace", watched(replace))
    monkeypatch.setattr(os, "rename", watched(rename))
    monkeypatch.setattr(os, "link", watched(link))
    return order


@contextlib.contextmanager
def _writing_elsewhere(path):
    """The output lock of ``path`` held, while the block runs, as another writer at work holds it (from a thread of
    its own, refusing this one as another process would)."""
    from consumer_nlp.io import OutputLock

    taken, done = threading.Event(), threading.Event()

    def hold():
        with OutputLock(Path(path)):
            taken.set()
            done.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait()
    try:
        yield
    finally:
        done.set()
        holder.join()


@pytest.fixture(scope="session")
def writing_elsewhere():
    """:func:`_writing_elsewhere`: ``with writing_elsewhere(path):`` another writer holds the lock of ``path``."""
    return _writing_elsewhere


@pytest.fixture
def sigint_heard():
    """Ctrl-C heard as Python hears it in a terminal, for the tests of Ctrl-C: a test run started in the background
    of a script (``pytest &``) starts with SIGINT ignored, which a tagging run rightly leaves ignored, and so do the
    processes it starts."""
    import signal

    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.fixture
def zone(monkeypatch):
    """Set the machine's local time zone (a POSIX TZ: "CST-8" is UTC+08:00) for a test, and put it back after."""
    import time

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()
