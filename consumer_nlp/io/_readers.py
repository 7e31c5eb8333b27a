"""Where archives enter: chunked readers for CSV, TSV, XLSX (and .xls), JSONL and Parquet.

Readers hand out chunks as DataFrames whose values are exactly those of the file (CSV and XLSX
cells as strings, JSON and Parquet values with their types) and report rows they cannot parse,
with the line or sheet row they are on, instead of dropping them.
"""
import codecs
import csv
import datetime
import decimal
import functools
import heapq
import html
import io
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._values import check_count
from ..exceptions import ArchiveError
from ._columns import TEXT_COLUMN_NAMES, find_column, looks_like_names
from ._encoding import detect_encoding, first_undecodable_line, text_encoding


FORMATS = {".csv": "csv", ".tsv": "tsv", ".txt": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsm", ".xls": "xls", ".jsonl": "jsonl",
           ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
WORKBOOKS = ("xlsx", "xlsm", "xls")  # xlsm (macros) is read as xlsx; xlsm and xls are read, not written
_ZIP, _OLE2 = b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1")


csv.field_size_limit(2**31 - 1)  # a complaint may be a very long text


def archive_format(path) -> str:
    """The format of ``path`` by its extension (csv, tsv, xlsx, xlsm, xls, jsonl or parquet)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot tell the format of {path}: use one of {', '.join(sorted(FORMATS))}")
    return FORMATS[suffix]


def _password(path) -> ArchiveError:
    return ArchiveError(f"{path} has a password (it is encrypted): open it in Excel or WPS, remove the password "
                        f"and save it, then run again", "password")


def _json_value(line: bytes) -> tuple[bool, object]:
    """(whether ``line`` is JSON, its value)."""
    try:
        return True, json.loads(line)
    except (ValueError, RecursionError):  # (a UnicodeDecodeError is a ValueError)
        return False, None


def _holds_json_lines(head: bytes) -> bool:
    """Whether a line of ``head`` past the first (which may be a record cut off) is a JSON object
    standing at the line's start, as JSON Lines write them (an indented one is in a JSON document)."""
    return any(line.startswith(b"{") and isinstance(_json_value(line)[1], dict) for line in head.split(b"\n")[1:])


def check_content(path, kind: str) -> None:
    """Refuse a file whose first bytes say it is not what its name says (an .xlsx saved as .csv, a
    CSV exported as .xls, a workbook with a password), saying what it is: its reader would fail with
    words about encodings or bytes that send a person the wrong way."""
    with open(path, "rb") as f:
        head = f.read(4096)
        # an old .xls workbook, or any workbook locked with a password
        if head.startswith(_OLE2) and "EncryptedPackage".encode("utf-16-le") in head + f.read(64 << 20):
            raise _password(path)
    what, rename = None, None
    if head.startswith(_OLE2):
        if kind != "xls":
            what, rename = "an old Excel .xls workbook", ".xls"
    elif head.startswith(_ZIP):
        if kind not in ("xlsx", "xlsm", "parquet"):
            what, rename = "an Excel .xlsx workbook (a zip file)", ".xlsx"
    elif kind == "xls" and head and b"\0" not in head[:8]:  # systems export CSV, TSV or web pages as .xls
        start = head.lstrip(codecs.BOM_UTF8).lstrip()
        first = start.split(b"\n", 1)[0]
        if start.startswith(b"<"):
            raise ArchiveError(f"{path} is a web page or XML spreadsheet named .xls, not a workbook: open it in Excel "
                               f"or WPS and save it as .xlsx (Excel 工作簿), then run again", "misnamed", rename=".xlsx",
                               page=True)
        what, rename = "a text file", ".tsv" if first.count(b"\t") > first.count(b",") else ".csv"
    elif kind == "jsonl" and head and b"\0" not in head[:8] and not _holds_json_lines(head):
        # (UTF-16 text has a zero byte in every character; a file with a line that is a record is JSON
        # Lines, its other lines bad rows, however its first line reads)
        start = head.lstrip(codecs.BOM_UTF8).lstrip()
        first = start.split(b"\n", 1)[0].strip()
        # what programs save as .json (an array of objects, or indented), named .jsonl
        if first in (b"[", b"{") or (start.startswith(b"[") and start[1:].lstrip().startswith(b"{")):
            raise ArchiveError(f"{path} is one JSON document (an array, or an object over several lines), not JSON "
                               f"Lines, which hold one object a line: save it with one record a line, or as CSV",
                               "json_document")
        if not start.startswith(b"{") and (b"," in first or b"\t" in first) and not _json_value(first)[0]:
            what, rename = "a text file", ".tsv" if first.count(b"\t") > first.count(b",") else ".csv"
    if what is not None:
        raise ArchiveError(f"{path} is {what}, not what its name says: rename it {rename}", "misnamed",
                           rename=rename)


def place_number(where: str) -> int:
    """The first number in a row's place ("line 3 (data row 2)", "sheet row 7", "row 5"): the line
    or row a person finds it at; 0 for a place without one."""
    found = re.search(r"\d+", where)
    return int(found[0]) if found else 0


@dataclass
class BadRow:
    """A row that could not be parsed: where it is, why, and its raw content."""

    where: str
    reason: str
    raw: str
    wider: bool = False  # more cells than the header: what a title row above the header causes

    @property
    def line(self) -> int:
        """The number in ``where`` (a file's line, a sheet's row)."""
        return place_number(self.where)

    def stops(self, path, advice: str) -> ArchiveError:
        """The error that stops work on ``path`` at this row, ending with ``advice``."""
        return ArchiveError(f"{path}: {self.where} cannot be parsed ({self.reason}); {advice}", "unparseable_row",
                            line=self.line, format=FORMATS.get(Path(path).suffix.lower()))


@dataclass
class Chunk:
    """Consecutive rows of an archive: ``rows`` as a DataFrame, with the rows that failed to parse."""

    index: int
    rows: pd.DataFrame
    bad: list = field(default_factory=list)
    position: float = 0  # progress through the input, in the reader's unit
    blank: int = 0  # blank lines skipped: not records, but counted so that nothing vanishes unseen
    where: list = field(default_factory=list)  # each row's place in the file ("line 7", "sheet row 3")

    def places(self) -> list:
        """Each row's line (or sheet row) in its file: where an editor, or Excel, shows it."""
        return [place_number(w) for w in self.where]

    def row_numbers(self, first: int) -> list:
        """Each row's number as a person finds it: its sheet row in a workbook (empty rows are
        skipped in reading, not in Excel), else ``first`` onwards (the reader's ``header_row + 1``
        for its first row)."""
        return [int(w.rsplit(" ", 1)[1]) if w.startswith("sheet row ") else first + i
                for i, w in enumerate(self.where)]


MAX_CELLS = 5_000_000  # in a chunk: rows × columns (5,000 rows of 20,000 columns took 2.6 GB)
# How a file is cut into chunks. A checkpoint finds its finished chunks by number, so a release that
# changes how many rows a chunk holds changes this, and checkpoints of another cut are not resumed.
CHUNKING = 2  # 2: at most MAX_CELLS cells a chunk, bad rows counted in every format (2026-12-05)


class ArchiveReader:
    """Base of the chunked readers: ``columns`` and ``total`` (for progress), then ``chunks()``.
    ``header_row`` is the row holding the column names (a title may stand above it), so the first
    data row is row ``header_row + 1`` as a person counts them."""

    unit = "行"

    def __init__(self, path, encoding=None, chunk_size=5000, header_row: int = 1):
        self.path, self.encoding, self.chunk_size = Path(path), encoding, chunk_size
        self.columns, self.total = [], None
        self.merged = []  # a workbook's merged ranges whose value was given to every row they cover
        self.hidden_rows = 0  # a workbook's records in rows hidden in Excel (read like the others)
        self.number_formats = {}  # a workbook's columns -> the number format their numbers and dates are shown in
        check_count(header_row, "header_row", 1, "the row holding the column names")
        self.header_row = int(header_row)

    def rows_per_chunk(self) -> int:
        """How many rows a chunk holds: ``chunk_size``, fewer in a table of many ``columns`` (a chunk
        holds at most MAX_CELLS cells)."""
        return max(1, min(self.chunk_size, MAX_CELLS // max(1, len(self.columns))))

    def progress_bar(self, show: bool | None = None, **options):
        """A progress bar over this reader's ``total`` on standard error; ``show`` None means only
        when standard error is a terminal. Update it to each chunk's ``position``."""
        import sys

        from tqdm import tqdm

        show = sys.stderr.isatty() if show is None else show
        return tqdm(total=self.total, unit=self.unit, unit_scale=self.unit == "B", disable=not show,
                    file=sys.stderr, dynamic_ncols=True, **options)


def _undecodable(path, line: int, encoding: str, error: UnicodeDecodeError) -> ArchiveError:
    return ArchiveError(f"{path}: line {line} is not valid {encoding} ({error.reason}); name the encoding with "
                        f"encoding=…", "encoding", line=line, encoding=encoding)


OPEN_QUOTE_LINES = 10_000  # a record still open after this many lines is a stray quote, given up


class _QuoteRunsOn(Exception):
    """A record has taken OPEN_QUOTE_LINES lines: its quote was left open."""


class _Lines:
    """The lines of a text stream, numbered, with the lines of the record being parsed kept so that
    a record that fails can be named and its later lines parsed again (``push_back``). A record is
    given up after OPEN_QUOTE_LINES lines, so that a stray quote never holds the file in memory."""

    def __init__(self, stream):
        self.stream, self.number, self.taken, self.again = stream, 0, [], []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if len(self.taken) >= OPEN_QUOTE_LINES:
            raise _QuoteRunsOn
        if self.again:
            number, line = self.again.pop()
        else:
            line = next(self.stream)
            self.number += 1
            number = self.number
        self.taken.append((number, line))
        return line

    def start_record(self) -> None:
        self.taken = []

    def push_back(self, lines) -> None:
        self.again.extend(reversed(lines))


def _shape(field: str) -> str:
    """The kinds of characters ``field`` is made of, each run as one: digits 9, Latin letters a, other
    characters beyond ASCII x, the rest as they are ("R-0012" is "a-9"; "已经投诉3次" is "x9x"). The
    ids of one archive share theirs."""
    kinds = ("9" if c.isdigit() else "a" if c.isascii() and c.isalpha() else "x" if not c.isascii() else c
             for c in field.strip())
    return "".join(kind for kind, _ in itertools.groupby(kinds))


class DelimitedReader(ArchiveReader):
    """CSV (RFC 4180 quoting, read strictly) or TSV (fields between tabs, and Excel's quoted cells: see
    :meth:`_tsv_records`) through Python's csv module.

    Every record's field count is checked against the header. A record that cannot be parsed (a
    quote left open, text after a closing quote) is a bad row named by the line it starts on, set
    aside whole; but when a line after its first reads alone as a row of the header's width (two or
    more fields) or opens a quoted text of its own, a stray quote ran on over rows: only its first
    line is set aside and the rest are parsed again. A quoted value that parses but whose two or
    more later lines each read as such a row, beginning as the record does (a first field of its
    :func:`_shape`), is a stray quote too (a quote left open and closed by an inch mark lines later);
    a value over two lines cannot be told from a text with a comma, and is kept.
    """

    unit = "B"

    def __init__(self, path, encoding=None, chunk_size=5000, delimiter=",", header_row: int = 1):
        super().__init__(path, encoding, chunk_size, header_row)
        self.encoding = text_encoding(encoding) or detect_encoding(path)
        self.delimiter = delimiter
        self.total = self.path.stat().st_size

    def _records(self, lines: _Lines):
        """(line number, fields, raw text, problem) for each record; fields None: it failed to parse,
        for the reason ``problem``."""
        if self.delimiter == "\t":
            yield from self._tsv_records(lines)
            return
        options = {"strict": True}
        reader = csv.reader(lines, delimiter=self.delimiter, **options)
        while True:
            lines.start_record()
            problem = None
            try:
                fields = next(reader)
            except StopIteration:
                if not lines.taken:
                    return
                fields = None  # a quoted field open at the end of the file
            except csv.Error:
                fields = None
            except _QuoteRunsOn:
                fields, problem = None, f"a quote opened here is still open {OPEN_QUOTE_LINES} lines later"
            taken = lines.taken
            if fields is None:  # a stray quote ran on over rows, or up to the next quoted one?
                run_on = problem is not None or any(self._reads_as_row(line) or self._opens_row(line)
                                                    for _, line in taken[1:])
            else:  # rows run over begin as the row the quote opened in does (an id like its id)
                like = _shape(fields[0].split("\n")[0]) if fields else ""
                run_on = len(taken) > 2 and all(self._reads_as_row(line, like) for _, line in taken[1:])
            if fields is None:
                problem = problem or "a quote is left open or text follows a closing quote"
            elif run_on:
                problem = (f"a quote opened here closes only on line {taken[-1][0]}, and the lines between read "
                           "as rows of their own")
            if problem and run_on:
                lines.push_back(taken[1:])
                taken = taken[:1]
            raw_text = "".join(t for _, t in taken).rstrip("\r\n")
            yield taken[0][0] if taken else lines.number, None if problem else fields, raw_text, problem
            if problem:
                reader = csv.reader(lines, delimiter=self.delimiter, **options)

    def _tsv_records(self, lines: _Lines):
        """TSV records as :meth:`_records` gives them. A line is its fields between tabs, except where
        a field opens with a quote that escapes something, as Excel writes a cell holding a quote (its
        own quotes doubled), a tab or a line break: then the record reads as Excel reads it, over as
        many lines as it takes, unless a later line reads as a row of its own (a stray quote)."""
        while True:
            lines.start_record()
            try:
                first = next(lines)
            except StopIteration:
                return
            taken = lines.taken
            line = first.rstrip("\r\n")
            fields = line.split("\t") if line else []
            if '"' in first:
                lines.push_back(taken)
                lines.start_record()
                try:
                    quoted = next(csv.reader(lines, delimiter="\t", strict=True))
                except (csv.Error, StopIteration, _QuoteRunsOn):
                    quoted = None
                taken = lines.taken
                if len(taken) > 1 and not self.columns:  # the header: names over lines, as Excel quotes them
                    # (a stray quote that ran on over rows makes a header no row fits: a loud failure)
                    escapes = quoted is not None
                elif len(taken) > 1:
                    escapes = len(quoted or ()) == len(self.columns) and not any(
                        self._reads_as_row(later) for _, later in taken[1:])
                else:
                    escapes = quoted is not None and quoted != fields and (
                        '""' in first or len(fields) != len(self.columns) == len(quoted))
                if escapes:
                    fields = quoted
                else:
                    lines.push_back(taken[1:])
                    taken = taken[:1]
            yield taken[0][0], fields, "".join(t for _, t in taken).rstrip("\r\n"), None

    def _reads_as_row(self, line: str, like: str | None = None) -> bool:
        """Whether ``line``, read alone, has the header's two or more fields, the first without a quote
        (the last line of a quoted text in the first column closes its quote in its first field) and,
        given ``like``, of that :func:`_shape`."""
        fields = next(csv.reader([line], delimiter=self.delimiter), [])
        return (len(self.columns) > 1 and len(fields) == len(self.columns) and '"' not in fields[0]
                and (like is None or _shape(fields[0]) == like))

    def _opens_row(self, line: str) -> bool:
        """Whether ``line`` begins a row whose quoted text goes on over the next lines: fields without
        quotes, then one that opens a quote and does not close it, within the header's width."""
        opening = line.find('"')
        return (len(self.columns) > 1 and opening > 0 and line[opening - 1] == self.delimiter
                and line.count('"') % 2 == 1 and line.count(self.delimiter, 0, opening) < len(self.columns))

    def chunks(self):
        with open(self.path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors="strict", newline="")
            try:
                records = self._records(_Lines(text))
                for _ in range(self.header_row - 1):  # the title rows above the column names
                    next(records, None)
                header = next(records, None)
                if header is None and self.header_row > 1:
                    raise ValueError(f"{self.path}: header_row={self.header_row} is past the end of the file")
                if header is None:
                    raise ValueError(f"{self.path} is empty: not even a header line")
                if header[1] is None:
                    raise ArchiveError(f"{self.path}: line {header[0]} (the header) cannot be parsed: "
                                       f"{header[2][:80]!r}", "unparseable_row", line=header[0])
                if self.delimiter == "," and len(header[1]) == 1 and "\t" in header[1][0]:
                    raise ArchiveError(f"{self.path} is tab-separated (its header is {header[1][0][:60]!r}), not "
                                       f"comma-separated as its name says: rename it .tsv", "misnamed", rename=".tsv")
                names = header[1]
                if len(names) > 2 and names[0].strip() and not any(name.strip() for name in names[1:]) \
                        and find_column(names[:1], None, TEXT_COLUMN_NAMES) is None:
                    following = next(records, None)  # a title Excel padded with a comma a column stands above
                    records = itertools.chain([following] if following is not None else [], records)
                    if following is not None and following[1] is not None and looks_like_names(
                            [cell.strip() for cell in following[1] if cell.strip()]):
                        names = names[:1]  # read as a sheet's title row is, pointing to the names below
                self.columns = check_header(names, self.path)
                size, rows, where, bad, index, blank = self.rows_per_chunk(), [], [], [], 0, 0
                for line, record, raw_text, problem in records:
                    if not record and record is not None and len(self.columns) == 1:
                        record = [""]  # in a one-column file a blank line is an empty value
                    if record is None:
                        bad.append(BadRow(f"line {line}", problem, raw_text))
                    elif len(record) == len(self.columns):
                        rows.append(record)
                        where.append(f"line {line}")
                    elif not record:
                        blank += 1
                    else:
                        bad.append(BadRow(f"line {line}", f"{len(record)} fields where the header has "
                                                          f"{len(self.columns)}", raw_text,
                                          wider=len(record) > len(self.columns)))
                    if len(rows) + len(bad) >= size:  # bad rows are held too: they count
                        yield Chunk(index, pd.DataFrame(rows, columns=self.columns, dtype=object), bad, raw.tell(), blank,
                                    where)
                        rows, where, bad, index, blank = [], [], [], index + 1, 0
                yield Chunk(index, pd.DataFrame(rows, columns=self.columns, dtype=object), bad, self.total, blank, where)
            except UnicodeDecodeError as error:
                raise _undecodable(self.path, first_undecodable_line(self.path, self.encoding), self.encoding,
                                   error) from None


def check_header(columns: list, path, first_column: int | None = None) -> list:
    """The header as it is, or an error naming every column that appears more than once.
    ``first_column`` (a sheet's header: the number of the column it starts in) names columns by
    letter, as Excel shows them."""
    if first_column is None:
        unnamed = [str(n) for n, name in enumerate(columns, start=1) if not str(name).strip()]
    else:
        from openpyxl.utils import get_column_letter

        unnamed = [get_column_letter(n) for n, name in enumerate(columns, start=first_column) if not str(name).strip()]
    if len(unnamed) > 1:
        raise ArchiveError(f"{path}: columns {', '.join(unnamed[:-1])} and {unnamed[-1]} of the header have no name; "
                           f"name them so that every column can be told apart", "unnamed_columns",
                           columns=unnamed)
    seen = Counter(columns)
    twice = [name for name, count in seen.items() if count > 1]
    if twice:
        raise ArchiveError(f"{path}: the header names column(s) {twice} more than once; rename them so that "
                           f"every column can be told apart", "duplicate_columns", columns=twice)
    return list(columns)


def _duration_text(span: datetime.timedelta) -> str:
    """A time span as Excel's elapsed-time format shows it and reads it back (36:00:00, not Python's
    "1 day, 12:00:00" or pandas' "1 days 12:00:00"); fractions of a second to the nanosecond."""
    if span < datetime.timedelta(0):
        return "-" + _duration_text(-span)
    micro = span // datetime.timedelta(microseconds=1)
    fraction = (micro % 1_000_000) * 1000 + getattr(span, "nanoseconds", 0)  # pandas' Timedelta has them
    seconds = micro // 1_000_000
    text = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return text + f".{fraction:09d}".rstrip("0") if fraction else text


def cell_text(value) -> str:
    """An Excel cell as the text a person sees in it (formulas as their text, never evaluated)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.timedelta):
        return _duration_text(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
        return text[:-9] if text.endswith(" 00:00:00") else text
    return str(value)


def sheet_rows(sheet, min_row: int = 1, values_only: bool = False):
    """The rows of a read-only sheet as its cells are, not as its declared range says: a sheet
    declaring A1:XFD1048576 would pad every missing row between its cells to 16,384 columns (a 5 KB
    workbook, 50 minutes of reading). Rows come back ragged, a missing one empty; a damaged sheet is
    told (see :func:`_damaged`)."""
    sheet.reset_dimensions()
    return _undamaged(sheet.iter_rows(min_row=min_row, values_only=values_only), sheet.parent._archive.filename)


def _has_data(sheet) -> bool:
    return any(any(v is not None and str(v).strip() for v in row) for row in sheet_rows(sheet, values_only=True))


def choose_sheet(names: list, visible: list, with_data, sheet, path) -> str:
    """The name of the sheet to read: ``sheet`` by name (any of ``names``, hidden ones too) or by
    1-based number among the ``visible`` sheets, the tabs a person counts; else the one visible
    sheet that holds data (``with_data()`` lists those). Several such sheets are refused, listed:
    tagging only the first would leave the others out without a word."""
    if sheet is not None:
        key = str(sheet)
        if key in names:
            return key
        if key.isdecimal() and 1 <= int(key) <= len(visible):
            return visible[int(key) - 1]
        raise ValueError(f"{path} has no sheet {key!r}; its sheets are {visible}"
                         + (f" (hidden: {[n for n in names if n not in visible]})" if len(names) > len(visible) else ""))
    found = with_data()
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValueError(f"{path}: no visible sheet holds data; its sheets are {names} (choose one with sheet=NAME)")
    raise ArchiveError(f"{path} has {len(found)} sheets with data: {found}; choose one with sheet=NAME or sheet=N",
                       "several_sheets", sheets=found)


_SHOWN_AS_IS = set("-+()$:^&'~{}<>= ")  # characters a number format shows without quotes
_COLOURS = re.compile(r"(?i)(black|blue|cyan|green|magenta|red|white|yellow|color\d+)")


@functools.lru_cache(maxsize=1024)  # a sheet holds few formats in many cells
def code_format(number_format, zero: bool = False) -> tuple | None:
    """A number format made of zero placeholders (two or more) and literal text, the format of a code
    (000123, 0571-88886666, NO.000123), as its pieces: None for a placeholder, text for a literal.
    None for any other format (amounts, percentages, dates, conditions). The section read is the
    first, for numbers of zero or more; with ``zero``, the third when there is one, Excel's for 0
    (which may be a literal alone: "零")."""
    if not isinstance(number_format, str):
        return None
    sections = number_format.split(";")
    if zero and len(sections) >= 3 and code_format(sections[0]) is not None:
        pieces = _format_pieces(sections[2])
        return pieces if pieces is not None and pieces.count(None) != 1 else None
    pieces = _format_pieces(sections[0])
    return pieces if pieces is not None and pieces.count(None) >= 2 else None


def _format_pieces(text: str) -> tuple | None:
    """One section of a number format as placeholders (None) and literals, or None when it holds
    anything else."""
    pieces, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "0":
            pieces.append(None)
        elif char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                return None
            pieces.append(text[i + 1:end])
            i = end
        elif char in "\\!" and i + 1 < len(text):  # the next character as it is
            pieces.append(text[i + 1])
            i += 1
        elif char in "_*":  # padding the width of the next character, or filling with it
            i += 1
        elif char == "[":
            end = text.find("]", i)
            inside = text[i + 1:end] if end > 0 else ""
            if not (inside.startswith("$-") or _COLOURS.fullmatch(inside)):  # a locale or a colour only
                return None
            i = end
        elif char in _SHOWN_AS_IS:
            pieces.append(char)
        else:
            return None
        i += 1
    return tuple(pieces)


def _excel_digits(value):
    """A workbook's number with the 15 significant digits Excel shows and saves as CSV (89.1 for the
    double 89.10000000000001; 440101199001011000 for an 18-digit ID typed into a number cell, a whole
    number beyond 2**53 coming back as an exact int). Any other value as it is."""
    if not isinstance(value, float) or not math.isfinite(value):
        return value
    shown = f"{value:.15g}"
    if abs(value) >= 2 ** 53:
        return int(decimal.Decimal(shown))
    return float(shown)


def _as_formatted(value, number_format):
    """A whole number of a code format (see :func:`code_format`) as the text Excel shows (000123,
    0571-88886666), since such numbers are codes: postcodes, phone, staff and order numbers. Any
    other value as it is."""
    if not (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and value >= 0 and value == int(value)):
        return value
    pieces = code_format(number_format, zero=value == 0)
    if pieces is None:
        return value
    places = pieces.count(None)
    digits = str(int(value)).zfill(places) if places else ""
    extra = len(digits) - places  # digits beyond the placeholders go into the first one, as in Excel
    shown, at = [], 0
    for piece in pieces:
        if piece is None:
            take = 1 + (extra if at == 0 else 0)
            shown.append(digits[at:at + take])
            at += take
        else:
            shown.append(piece)
    return "".join(shown)


# Excel writes characters XML cannot hold as _xHHHH_ (a carriage return as _x000D_); openpyxl
# undoes only the escape of "_x" itself (_x005F_), so the others reach us as written.
EXCEL_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
XLSX_MAX_ROWS, XLSX_MAX_COLUMNS, XLSX_MAX_CELL = 1_048_576, 16_384, 32_767  # an Excel sheet's limits


def excel_unescape(text: str) -> str:
    """``text`` as Excel shows a cell holding it: each _xHHHH_ the character it stands for."""
    return EXCEL_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text


def format_kind(value) -> str | None:
    """What a number format shows ``value`` as: "date" (a day or a moment), "time" (of day),
    "duration" (elapsed time, [h]:mm) or "number"; None for a value no number format applies to
    (text, a boolean)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime.timedelta):
        return "duration"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, datetime.time):
        return "time"
    return "number" if isinstance(value, (int, float)) else None


_MIXED = object()  # a column whose values of one kind are shown in several formats


def note_format(formats: dict, column: int, kind: str, shown: str | None) -> None:
    """Note in ``formats`` that a value of ``kind`` (see :func:`format_kind`) in ``column`` is shown
    in number format ``shown`` (None: one the file does not spell out, which no output can name)."""
    if formats.setdefault((column, kind), shown) != shown or shown is None:
        formats[(column, kind)] = _MIXED


def shared_formats(formats: dict, columns: list, first: int = 0) -> dict:
    """``{column name: {kind: number format}}`` from noted ``formats`` (sheet columns from ``first``
    named by ``columns``): a kind's format where every value of that kind in the column shares it,
    and it is not General."""
    shared = {}
    for (at, kind), shown in formats.items():
        if shown is not _MIXED and shown != "General" and first <= at < first + len(columns):
            shared.setdefault(columns[at - first], {})[kind] = shown
    return shared


def _values_noting_formats(rows, formats: dict):
    """The values of each row of read-only cells (see :func:`_cell_value`), the first being the
    header; the data rows' number formats are noted in ``formats`` (see :func:`note_format`)."""
    header = True
    for row in rows:
        if not header:
            for at, cell in enumerate(row):
                kind = format_kind(cell.value)
                if kind is not None:
                    note_format(formats, at, kind, cell.number_format)
        header = False
        yield tuple(map(_cell_value, row))


def _cell_value(cell):
    """An .xlsx cell's value with its type: text with Excel's _xHHHH_ escapes undone, numbers of a
    code format as Excel shows them."""
    value = cell.value
    if isinstance(value, str):
        return excel_unescape(value)
    return _as_formatted(_excel_digits(value), cell.number_format)


# A cell holding a formula and no saved result: no <v>, or an empty one not marked as a text result
# (Excel saves an empty text result as t="str" and <v></v>; programs that write formulas save no result).
_UNCALCULATED = re.compile(rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*'
                           rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')
_FORMULA = re.compile(rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)')
_ROW_END = re.compile(rb'</(?:\w+:)?row>')
_SCAN_BLOCK = 1 << 24
_CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="([0-9]+)"')


@dataclass
class SheetScan:
    """What a read-only sheet's cells do not tell and its XML does: the first formula without a saved
    result and the first formula of all (each as cell and formula), and the merged ranges (first
    column, first row, last column, last row, numbered from 1)."""

    uncalculated: tuple | None = None
    first_formula: tuple | None = None
    merged: list = field(default_factory=list)
    hidden: set = field(default_factory=set)  # the numbers of the rows hidden in Excel (a filter, or by hand)


class MergedBelow:
    """The merged ranges (see :class:`SheetScan`) whose top row has been read, for the rows below it
    that show its value, asked row by row in increasing order. A range that gives a value costs the
    rows it fills; one that gives nothing is kept as a count by column, so that many column-long
    ranges with empty tops cost nothing (they only hide what their cells may hold)."""

    def __init__(self):
        self._ends = []  # (last row, order added) of each range added, the first to end on top
        self._given = {}  # order added -> (range, value) of the ranges that give a value
        self._hidden = {}  # order added -> first column of the ranges that give nothing
        self.hiding = Counter()  # first column -> how many open ranges that give nothing start there
        self._added = 0

    def add(self, merged: tuple, value) -> None:
        """Range ``merged``, whose top row shows ``value`` ("" or None for nothing)."""
        heapq.heappush(self._ends, (merged[3], self._added))
        if value is None or value == "":
            self._hidden[self._added] = merged[0]
            self.hiding[merged[0]] += 1
        else:
            self._given[self._added] = (merged, value)
        self._added += 1

    def __call__(self, row: int) -> list:
        """The (range, value) of each range added that gives a value and covers ``row``; ``hiding``
        then counts, by first column, the ranges that give nothing and cover it."""
        while self._ends and self._ends[0][0] < row:
            added = heapq.heappop(self._ends)[1]
            if self._given.pop(added, None) is None:
                column = self._hidden.pop(added)
                self.hiding[column] -= 1
                if not self.hiding[column]:
                    del self.hiding[column]
        return list(self._given.values())


def _formula_at(found) -> tuple:
    """(cell, formula) of a formula cell the scan found; a cell of a formula filled down, which Excel
    saves as a mark that it shares the text of a cell above, is said so."""
    ref = _CELL_REF.search(found.group(1))
    text = html.unescape((found.group(2) or b"").decode("utf-8", "replace"))
    return (ref.group(1).decode() if ref else "?"), "=" + text if text else "shared with the cells above it"


def _recalculated_on_opening(workbook) -> bool:
    """Whether a read-only ``workbook`` asks Excel to calculate every formula when it is opened
    (fullCalcOnLoad, read from its XML: openpyxl takes a missing attribute for yes)."""
    archive = getattr(workbook, "_archive", None)
    if archive is None:
        return False
    parts = [name for name in archive.namelist() if re.fullmatch(r"xl/workbook\d*\.xml", name)]
    return bool(parts) and re.search(rb'fullCalcOnLoad="(?:1|true)"', archive.read(parts[0])) is not None


def _last_row_end(data: bytes) -> int:
    """Where the last complete row of ``data`` ends (0 when none does): rows are scanned whole. Only
    closing tags are looked at ("</" stands nowhere else in XML, while "row>" may stand in a text)."""
    at = data.rfind(b"</")
    while at >= 0:
        found = _ROW_END.match(data, at)
        if found:
            return found.end()
        at = data.rfind(b"</", 0, at)
    return 0


def scan_sheet(workbook, sheet) -> SheetScan:
    """Scan a read-only ``sheet``'s XML as it streams, block by block (an empty scan when the openpyxl
    in use hides where the sheet is stored); it stops at a formula without a saved result."""
    from openpyxl.utils import column_index_from_string

    scan = SheetScan()
    archive, member = getattr(workbook, "_archive", None), getattr(sheet, "_worksheet_path", None)
    if archive is None or member is None:
        return scan
    with archive.open(member) as stream:  # through the workbook's limit (see open_read_only)
        pending = b""
        while True:
            block = stream.read(_SCAN_BLOCK)
            pending += block
            end = len(pending) if not block else _last_row_end(pending)
            if scan.first_formula is None:
                found = _FORMULA.search(pending, 0, end)
                scan.first_formula = _formula_at(found) if found else None
            for found in _UNCALCULATED.finditer(pending, 0, end):
                if b't="str"' not in found.group(1):
                    scan.uncalculated = _formula_at(found)
                    return scan
            for found in _HIDDEN_ROW.finditer(pending, 0, end):
                number = _ROW_NUMBER.search(found.group())
                if number:
                    scan.hidden.add(int(number.group(1)))
            if not block:
                scan.merged = [(column_index_from_string(a.decode()), int(b), column_index_from_string(c.decode()),
                                int(d)) for a, b, c, d in _MERGED.findall(pending)]
                return scan
            pending = pending[end:]


# Chinese-locale Excel and WPS save their built-in 年月日 and 时分 formats by number alone; openpyxl
# knows only the locale-free built-in numbers, and reads such cells as plain numbers (45660).
CHINESE_DATE_FORMATS = frozenset(range(27, 32)) | {36, 50, 51, 52, 53, 54, 57, 58}
CHINESE_TIME_FORMATS = frozenset({32, 33, 34, 35, 55, 56})


def _size_from_the_head(sheet) -> None:
    """openpyxl's ``ReadOnlyWorksheet._get_size``, which reads a sheet's declared size, stopping where
    its data begins: openpyxl's waits for the end of ``<sheetData>``, so a sheet written without a
    ``<dimension>`` (openpyxl's own write-only mode does so) was parsed whole as the workbook opened."""
    from openpyxl.worksheet._reader import DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse  # defusedxml's, where it is installed, as openpyxl reads

    with sheet._get_source() as source:
        for _, element in iterparse(source, events=("start",)):
            if element.tag.rpartition("}")[2] in ("sheetData", "row"):  # the data: in any namespace, stop
                return
            if element.tag == DIMENSION_TAG:
                found = SheetDimension.from_tree(element).boundaries
                if found is not None:
                    sheet._min_column, sheet._min_row, sheet._max_column, sheet._max_row = found
                return


def open_read_only(path):
    """``openpyxl.load_workbook(path, read_only=True, data_only=True)``, each sheet's declared size read
    from its head only (see :func:`_size_from_the_head`): 100,000 rows without one took 6.4 s to open.
    Every part openpyxl or we read goes through :class:`_TextRunLimit` (see :class:`_GuardedArchive`)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _size_from_the_head  # same sizes; openpyxl 3.1 has no option for it
    reader = ExcelReader(path, read_only=True, data_only=True)  # what load_workbook does, but for
    reader.read_strings = lambda: _read_strings_as_written(reader)  # the shared strings
    reader.archive = _GuardedArchive(reader.archive, path)
    try:
        reader.read()
    except BaseException as error:
        reader.archive.close()
        if isinstance(error, ValueError) and isinstance(error.__cause__, ArchiveError):  # openpyxl calls it
            raise error.__cause__ from None                                             # invalid XML
        if isinstance(error, SyntaxError):  # the XML parsers' errors
            raise _damaged(path, error) from None
        raise
    return reader.wb


def _undamaged(rows, path):
    """``rows`` of a read-only sheet, a damaged sheet told by :func:`_damaged` (openpyxl's parser raises
    ParseError, or IndexError for a cell naming a shared string or style that is not there)."""
    try:
        yield from rows
    except (SyntaxError, IndexError) as error:
        raise _damaged(path, error) from None


def _damaged(path, error: Exception) -> ValueError:
    """The error for a workbook whose parts are not what they should be (XML that is not well formed,
    a cell pointing at a shared string or style that is not there)."""
    return ValueError(f"{path} is damaged: a part of it is not well-formed XML or points at something missing "
                      f"({type(error).__name__}: {error}); open it in Excel or WPS and save it again")


MAX_XML_TEXT = 1 << 20  # bytes of a workbook's XML without a tag: a cell Excel saved takes at most about 230 KB


def _giant(path, part: str) -> ArchiveError:
    return ArchiveError(f"{path}: {part} holds more than 1 MB of text without a break, far more than an Excel cell "
                        f"holds ({XLSX_MAX_CELL:,} characters): the file was not saved by Excel or WPS. Save the text "
                        f"in a CSV instead", "giant_cell", part=part)


class _GuardedArchive:
    """A workbook's zip file, each part opened or read from it going through :class:`_TextRunLimit`:
    the parts openpyxl parses whole as the workbook opens, and those it and we stream, whatever they
    are named; the parts nobody reads (Power Query's, add-ins') are not looked at."""

    def __init__(self, archive, path):
        self.archive, self.path = archive, path

    def open(self, name, mode: str = "r", *args, **kwargs):
        stream = self.archive.open(name, mode, *args, **kwargs)
        return _TextRunLimit(stream, self.path, getattr(name, "filename", name)) if mode == "r" else stream

    def read(self, name) -> bytes:
        with self.open(name) as stream:
            return stream.read()

    def __getattr__(self, name):  # namelist, infolist, close, filename, … as the zip file has them
        return getattr(self.archive, name)


class _TextRunLimit:
    """A workbook part as it is read, refusing more than MAX_XML_TEXT bytes without a tag before a
    parser holds them: no cell Excel saves is that long (32,767 characters), and a parser builds such
    a text whole (one 200-million-character cell in a 585 KB file took 6.5 GB to read). A part that
    does not open as XML (an image) is passed through as it is."""

    def __init__(self, stream, path, part: str):
        self.stream, self.path, self.part = stream, path, part
        self.since = 0  # bytes read since the last "<"
        self.xml = None  # not known before the first bytes

    def read(self, size: int = -1) -> bytes:
        block = self.stream.read(size)
        if self.xml is None and block:
            self.xml = block.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"<", b"")
        if not self.xml:
            return block
        first = block.find(b"<")
        if first < 0:
            self.since += len(block)
        else:
            longest = self.since + first
            if len(block) > MAX_XML_TEXT:  # a run may lie inside the block too (parsers read less at a time)
                import numpy as np

                tags = np.flatnonzero(np.frombuffer(block, np.uint8) == ord("<"))
                longest = max(longest, int(np.diff(tags).max(initial=1)) - 1)  # bytes between two tags
            self.since = len(block) - 1 - block.rfind(b"<")
            if longest > MAX_XML_TEXT:
                self.since = longest
        if self.since > MAX_XML_TEXT:
            raise _giant(self.path, self.part)
        return block

    def __getattr__(self, name):  # close, seek, … as the stream has them
        return getattr(self.stream, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stream.close()


def _read_strings_as_written(reader) -> None:
    """The shared strings of the workbook ``reader`` opens, Excel's escapes left for :func:`_cell_value`:
    openpyxl drops every "x005F_" from them, so a typed _x0041_ (saved as _x005F_x0041_) became "A". A
    string of many runs of text is limited as one run (:class:`_TextRunLimit` sees only the runs)."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    reader.shared_strings = []
    part = reader.package.find(SHARED_STRINGS)
    name = part.PartName[1:] if part is not None else "xl/sharedStrings.xml"  # where Excel keeps it, when the
    if part is None and name not in reader.archive.namelist():             # package's list of parts omits it
        return
    string, text, size = f"{{{SHEET_MAIN_NS}}}si", f"{{{SHEET_MAIN_NS}}}t", 0
    with reader.archive.open(name) as source:
        for _, node in iterparse(source):
            if node.tag == text:
                size += len(node.text or "")
                if size > MAX_XML_TEXT:
                    raise _giant(reader.archive.filename, name)
            elif node.tag == string:
                reader.shared_strings.append(Text.from_tree(node).content)
                node.clear()
                size = 0


def read_chinese_dates(workbook) -> None:
    """Let a read-only ``workbook`` read cells of Chinese Excel's built-in date and time formats as
    dates and times (nothing changes where openpyxl's internals are not as expected)."""
    styles, dates = getattr(workbook, "_cell_styles", None), getattr(workbook, "_date_formats", None)
    if styles is None or not isinstance(dates, set):
        return
    for index, style in enumerate(styles):
        if getattr(style, "numFmtId", None) in CHINESE_DATE_FORMATS | CHINESE_TIME_FORMATS:
            dates.add(index)


class ExcelReader(ArchiveReader):
    """One sheet of an .xlsx workbook, streamed row by row; each cell keeps its type (text, number,
    date, boolean; a formula as the value Excel saved for it: a formula never calculated is refused,
    named by its cell).

    ``sheet`` picks it (see :func:`choose_sheet`); ``header_row`` is the sheet row holding the column
    names (a title may stand above it). Empty rows are no records: they are skipped and counted.
    """

    def __init__(self, path, encoding=None, chunk_size=5000, sheet=None, header_row: int = 1):
        super().__init__(path, encoding, chunk_size, header_row)
        self.sheet = sheet

    def chunks(self):
        import zipfile

        try:
            workbook = open_read_only(self.path)
            read_chinese_dates(workbook)
        except (zipfile.BadZipFile, KeyError, OSError) as error:
            raise ValueError(f"{self.path} is not an Excel .xlsx workbook ({error}); if it came from an old Excel "
                             f"as .xls, name it .xls") from None
        try:
            declared = {ws.title: ws.max_row for ws in workbook.worksheets}  # before sheet_rows forgets it
            # every sheet, charts too, in tab order (workbook[name] searches them all: quadratic over 1,000s)
            sheets = {ws.title: ws for ws in workbook.worksheets + workbook.chartsheets}
            tabs = [name for name in workbook.sheetnames if sheets[name].sheet_state == "visible"]
            visible = set(tabs)
            chosen = choose_sheet(workbook.sheetnames, tabs, lambda: [
                ws.title for ws in workbook.worksheets if ws.title in visible and _has_data(ws)], self.sheet, self.path)
            if chosen not in declared:
                raise ValueError(f"{self.path}: sheet {chosen!r} is a chart, not a table; its tables are "
                                 f"{[name for name in tabs if name in declared]}")
            sheet = sheets[chosen]
            self.sheet_title = sheet.title
            scan = scan_sheet(workbook, sheet)
            # A program that writes formulas may save a stand-in result (XlsxWriter saves 0) and ask Excel
            # to calculate them all when the file is opened: such results are not what Excel shows.
            recalculated = _recalculated_on_opening(workbook)
            unsaved = scan.uncalculated or (scan.first_formula if recalculated else None)
            if unsaved is not None:
                what = "with no saved value" if scan.uncalculated else "whose saved value Excel is asked to recalculate"
                raise ArchiveError(
                    f"{self.path}: cell {unsaved[0]} holds a formula ({unsaved[1][:60]}) {what}: the file was written "
                    f"by a program and never saved by Excel or WPS, so what its formulas show is not in it. Open it "
                    f"in Excel or WPS and save it (or paste the formulas' values), then run again",
                    "uncalculated_formula", cell=unsaved[0])
            self.total = max((declared[sheet.title] or 1) - self.header_row, 0)  # as declared: for progress only
            rows, formats = sheet_rows(sheet, min_row=self.header_row), {}
            yield from self._rows_to_chunks(_values_noting_formats(rows, formats), scan.merged, scan.hidden, formats)
        finally:
            workbook.close()

    def _rows_to_chunks(self, rows_iter, merged=(), hidden=frozenset(), formats=None):
        """Chunks from a sheet's rows, the first being the header (sheet row ``header_row``). Every
        data row under the top of a ``merged`` range (see :class:`SheetScan`) reads the range's value
        in its first column, as the merged cell shows it there; a row holding nothing else is blank.
        The records among the ``hidden`` rows are counted in ``hidden_rows``: they are read too.
        ``formats`` (see :func:`note_format`, filled as the rows are read) becomes ``number_formats``
        (see :func:`shared_formats`)."""
        from openpyxl.utils import get_column_letter

        spans = [m for m in merged if m[3] > m[1] > self.header_row]  # down over data rows, from a data row
        at_top, below, filled = defaultdict(list), MergedBelow(), set()
        for span in spans:
            at_top[span[1]].append(span)
        header = [cell_text(v) for v in next(rows_iter, ())]
        while header and header[-1] == "":
            header.pop()
        # A table drawn from a column after A starts there: unnamed columns on its left that hold
        # nothing in the first rows are no columns (an unnamed index column that holds numbers stays).
        peeked = list(itertools.islice(rows_iter, 1000))
        rows_iter = itertools.chain(peeked, rows_iter)
        left = 0
        while left < len(header) and not header[left] and not any(
                len(row) > left and row[left] is not None and str(row[left]).strip() for row in peeked):
            left += 1
        left = left if left < len(header) else 0
        header = header[left:]
        self.columns = header = check_header(header, self.path, first_column=left + 1)
        right = left + len(header)
        where_table = (f"beyond the {len(header)} header columns" if not left else
                       f"outside the header's columns {get_column_letter(left + 1)} to {get_column_letter(right)}")
        size, rows, where, bad, index, done, blank, below_last = self.rows_per_chunk(), [], [], [], 0, 0, 0, 0
        for number, values in enumerate(rows_iter, start=self.header_row + 1):
            cells = ["" if v is None else v for v in values]  # dates, numbers and booleans keep their type
            done += 1
            given = below(number)  # the merged ranges above this row that show a value in it
            if below.hiding:  # under a range that shows nothing, a cell's own value is hidden
                for at, value in enumerate(cells):
                    if value != "" and at + 1 in below.hiding:
                        cells[at] = ""
            if all(c == "" for c in cells):
                below_last += 1  # counted once a row follows: empty rows under the table are formatting
                for span in at_top.pop(number, ()):  # a range whose top row is blank shows nothing
                    below.add(span, "")
                continue
            blank, below_last = blank + below_last, 0
            # each merged range's value, from its top row (taken before the rows below it are filled)
            starting = [(span, cells[span[0] - 1] if span[0] <= len(cells) else "") for span in at_top.pop(number, ())]
            for span, value in given:
                cells += [""] * (span[0] - len(cells))
                cells[span[0] - 1] = value
                filled.add(span)
            for span, value in starting:
                below.add(span, value)
            outside = [(at, c) for at, c in enumerate(cells, start=1) if not left < at <= right
                       and not (isinstance(c, str) and not c.strip())]  # spaces show as nothing in Excel
            if outside:
                at, value = outside[0]
                more = f" and {len(outside) - 1} more" if len(outside) > 1 else ""
                bad.append(BadRow(f"sheet row {number}", f"cells {where_table} "
                                  f"({get_column_letter(at)}{number} holds {cell_text(value)[:40]!r}{more})",
                                  "\t".join(cell_text(c) for c in cells), wider=True))
            else:
                rows.append((cells[left:] + [""] * len(header))[:len(header)])
                where.append(f"sheet row {number}")
                self.hidden_rows += number in hidden
            if len(rows) + len(bad) >= size:  # bad rows are held too: they count
                yield Chunk(index, pd.DataFrame(rows, columns=header, dtype=object), bad, done, blank, where)
                rows, where, bad, index, blank = [], [], [], index + 1, 0
        self.merged = [f"{get_column_letter(c)}{t}:{get_column_letter(c2)}{b}" for c, t, c2, b in spans if
                       (c, t, c2, b) in filled]
        self.number_formats = shared_formats(formats or {}, header, left)
        yield Chunk(index, pd.DataFrame(rows, columns=header, dtype=object), bad, done, blank, where)


class XlsReader(ExcelReader):
    """An old Excel .xls workbook, read with xlrd (which, unlike python-calamine, gives each cell's
    number format); sheets and rows as for .xlsx, a formula as its last computed value."""

    def chunks(self):
        import xlrd

        try:
            workbook = xlrd.open_workbook(str(self.path), formatting_info=True)
        except Exception as error:  # xlrd's errors name the format problem
            if "encrypted" in str(error).lower():
                raise _password(self.path) from None
            raise ValueError(f"{self.path} is not an Excel .xls workbook ({error})") from None
        try:
            names = workbook.sheet_names()
            visible = [sheet.name for sheet in map(workbook.sheet_by_name, names) if sheet.visibility == 0]
            name = choose_sheet(names, visible, lambda: [
                n for n in visible if any(value != "" for row in workbook.sheet_by_name(n).get_rows()
                                          for value in (c.value for c in row))], self.sheet, self.path)
            self.sheet_title = name
            sheet = workbook.sheet_by_name(name)
            self.total = max(sheet.nrows - self.header_row, 0)
            formats = {}  # of the data rows only: a heading typed as a date is no format of its column
            rows = (_xls_row(workbook, sheet, r, formats if r >= self.header_row else {})
                    for r in range(self.header_row - 1, sheet.nrows))
            merged = [(first_column + 1, first_row + 1, end_column, end_row)  # xlrd counts from 0, ends exclusive
                      for first_row, end_row, first_column, end_column in sheet.merged_cells]
            yield from self._rows_to_chunks(rows, merged, formats=formats)
        finally:
            workbook.release_resources()


@functools.lru_cache(maxsize=1024)  # asked for every number and date cell, of few formats
def _builtin_format(key: int, shown: str | None) -> str | None:
    """An .xls number format as .xlsx names it: Excel's built-in formats (below 164) by openpyxl's
    name, which it writes as the built-in (14, the desktop's short date, is "m/d/yy" to xlrd); None
    for a Chinese built-in (27-36, 50-58) that the file does not spell out and openpyxl cannot name."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    return BUILTIN_FORMATS.get(key, shown) if key < 164 else shown


@functools.lru_cache(maxsize=1024)  # asked for every number and date cell, of few formats
def _is_span_format(shown: str) -> bool:
    """Whether an .xls number format shows elapsed time ([h]:mm, [m]"分钟", [ss])."""
    from openpyxl.styles.numbers import is_timedelta_format

    return bool(is_timedelta_format(shown))


# Beyond these an .xls number cannot be a date (Excel's last is 9999-12-31, and it shows ##### past it)
# or a span Python holds: it is kept as its number.
_DATE_DAYS, _SPAN_DAYS = 2_958_466, 999_999_999


def _xls_row(workbook, sheet, row: int, formats: dict) -> list:
    """The values of an .xls row with their types: text, whole numbers as int, dates (a whole day as
    a date, a time of day as a time), elapsed times as spans, booleans, errors as Excel shows them
    (#DIV/0!). Its number formats are noted in ``formats`` (see :func:`note_format`)."""
    import xlrd

    values = []
    for column, cell in enumerate(sheet.row(row)):
        kind, value = cell.ctype, cell.value
        if kind in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
            key = workbook.xf_list[sheet.cell_xf_index(row, column)].format_key
            shown = workbook.format_map[key].format_str
        if kind in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE) and _is_span_format(shown) and abs(value) < _SPAN_DAYS:
            # days elapsed ([h]:mm, [m]"分钟": xlrd takes some for numbers), in any date mode, to the
            # millisecond as Excel shows them and openpyxl reads them (B-A of two moments is a hair off)
            value = datetime.timedelta(milliseconds=round(value * 86_400_000))
            note_format(formats, column, "duration", _builtin_format(key, shown))
        elif kind == xlrd.XL_CELL_NUMBER or (kind == xlrd.XL_CELL_DATE and value >= _DATE_DAYS):
            value = _excel_digits(value)
            value = int(value) if isinstance(value, float) and value.is_integer() else value
            note_format(formats, column, "number", _builtin_format(key, shown))
            value = _as_formatted(value, shown)
        elif kind == xlrd.XL_CELL_DATE and value >= 0:  # a negative one is no date: kept as its number
            moment = xlrd.xldate_as_datetime(value, workbook.datemode)
            value = moment.time() if value < 1 else moment.date() if value.is_integer() else moment
            note_format(formats, column, format_kind(value), _builtin_format(key, shown))
        elif kind == xlrd.XL_CELL_BOOLEAN:
            value = bool(value)
        elif kind == xlrd.XL_CELL_ERROR:
            value = xlrd.error_text_from_code.get(value, "#N/A")
        elif kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            value = ""
        values.append(value)
    return values


class JsonLiteral(str):
    """A JSON number no float can hold (1e400), kept as it was written instead of becoming inf."""


class JsonNaN(float):
    """A NaN written in a JSON record, told apart from the NaN that marks a key the record lacks."""

    def __new__(cls, value="nan"):
        return super().__new__(cls, value)


def _json_float(text: str):
    value = float(text)
    return value if math.isfinite(value) else JsonLiteral(text)


def _json_constant(name: str) -> float:
    return JsonNaN() if name == "NaN" else float(name)


def _object_without_repeated_keys(pairs) -> dict:
    """A JSON object as a dict; a key given twice would silently keep only its last value."""
    record = dict(pairs)
    if len(record) != len(pairs):
        twice = sorted(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        raise ValueError(f"key(s) {twice} given more than once")
    return record


class JsonLinesReader(ArchiveReader):
    """One JSON object per line; a line that is not one is a bad row, named by its line number."""

    unit = "B"

    def __init__(self, path, encoding=None, chunk_size=5000):
        super().__init__(path, encoding, chunk_size)
        self.encoding = text_encoding(encoding) or detect_encoding(path)
        self.total = self.path.stat().st_size

    def _lines(self):
        with open(self.path, "rb") as raw:
            if codecs.lookup(self.encoding).name.startswith("utf-16"):  # no byte is a line end of its own
                lines = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
                number = 0
                try:
                    for number, text in enumerate(lines, start=1):
                        yield number, text, raw.tell()
                except UnicodeDecodeError as error:
                    raise _undecodable(self.path, number + 1, self.encoding, error) from None
                return
            for number, line in enumerate(raw, start=1):
                try:
                    text = line.decode(self.encoding)
                except UnicodeDecodeError as error:
                    raise _undecodable(self.path, number, self.encoding, error) from None
                yield number, text, raw.tell()

    def _scan_columns(self) -> list:
        """Every key of every record, in order of first appearance (records may differ in keys). More
        than an Excel sheet has columns are refused: each record is read and written with every key,
        so records bringing keys of their own cost rows times keys (10,000 records: 36 s)."""
        columns = {}
        for number, text, _ in self._lines():
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except (ValueError, RecursionError):
                continue
            if isinstance(record, dict):
                columns.update(dict.fromkeys(record))
                if len(columns) > XLSX_MAX_COLUMNS:
                    key = list(columns)[XLSX_MAX_COLUMNS]  # the first key beyond the limit
                    raise ArchiveError(
                        f"{self.path}: its records bring more than {XLSX_MAX_COLUMNS:,} different keys: line {number} "
                        f"brings {key!r}. Every record is read with every key of the file, so this would be a table "
                        f"wider than an Excel sheet, mostly empty; keep in each record the text and the fields you "
                        f"need, under the same keys", "too_many_keys", line=number)
        return list(columns)

    def chunks(self):
        self.columns = self._scan_columns()
        # Each chunk is a table of every key of the file: records with keys of their own make it wide.
        chunk_size = self.rows_per_chunk()
        records, where, bad, index, blank = [], [], [], 0, 0
        for number, text, position in self._lines():
            if not text.strip():
                blank += 1
                continue
            try:
                record = json.loads(text, object_pairs_hook=_object_without_repeated_keys, parse_float=_json_float,
                                    parse_constant=_json_constant)
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
                if _nested_deeper(record, MAX_DEPTH):
                    raise RecursionError
                records.append(record)
                where.append(f"line {number}")
            except ValueError as error:
                bad.append(BadRow(f"line {number}", f"not a JSON object ({error})", text.rstrip("\r\n")))
            except RecursionError:  # from the parser too, where it runs out of stack
                bad.append(BadRow(f"line {number}", f"a value nested more than {MAX_DEPTH} levels deep",
                                  text.rstrip("\r\n")))
            if len(records) + len(bad) >= chunk_size:  # bad rows are held too: they count
                yield Chunk(index, pd.DataFrame(records, columns=self.columns, dtype=object), bad, position, blank,
                            where)
                records, where, bad, index, blank = [], [], [], index + 1, 0
        yield Chunk(index, pd.DataFrame(records, columns=self.columns, dtype=object), bad, self.total, blank, where)


MAX_DEPTH = 100  # levels of JSON nesting in a record: deeper ones fail to pickle for a worker (at 500)


def _nested_deeper(value, limit: int) -> bool:
    """Whether JSON ``value`` nests lists and objects more than ``limit`` levels deep (walked with a
    stack of its own, so that no depth exhausts Python's)."""
    stack = [(value, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


class ParquetReader(ArchiveReader):
    """Parquet record batches, with every column keeping its Arrow type."""

    def chunks(self):
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(self.path)
        self.total = parquet.metadata.num_rows
        self.columns = check_header(parquet.schema_arrow.names, self.path)
        done = 0
        batches = parquet.iter_batches(batch_size=self.rows_per_chunk())
        for index, batch in enumerate(batches):
            where = [f"row {n}" for n in range(done + 1, done + batch.num_rows + 1)]
            done += batch.num_rows
            # Without pandas' metadata: an index pandas stored becomes a column again, as the header says.
            yield Chunk(index, batch.to_pandas(types_mapper=pd.ArrowDtype, ignore_metadata=True), [], done, 0,
                        where)
        if done == 0:
            empty = parquet.schema_arrow.empty_table().to_pandas(types_mapper=pd.ArrowDtype, ignore_metadata=True)
            yield Chunk(0, empty, [], 0)


def open_archive(path, encoding=None, chunk_size=5000, *, sheet=None, header_row: int = 1) -> ArchiveReader:
    """A chunked reader for ``path``, chosen by its extension (``sheet``: workbooks; ``header_row``:
    workbooks and CSV or TSV files)."""
    kind = archive_format(path)
    if not Path(path).is_file():
        raise FileNotFoundError(f"no such file: {path}")
    check_content(path, kind)
    if kind in WORKBOOKS:
        return (XlsReader if kind == "xls" else ExcelReader)(path, encoding, chunk_size, sheet=sheet,
                                                             header_row=header_row)
    if sheet is not None:
        raise ValueError(f"sheet=NAME applies to workbooks (.xlsx, .xls), not to {path}")
    if kind in ("csv", "tsv"):
        return DelimitedReader(path, encoding, chunk_size, delimiter="," if kind == "csv" else "\t",
                               header_row=header_row)
    if header_row != 1:
        raise ValueError(f"header_row=N applies to workbooks and CSV or TSV files, not to {path}")
    return {"jsonl": JsonLinesReader, "parquet": ParquetReader}[kind](path, encoding, chunk_size)
