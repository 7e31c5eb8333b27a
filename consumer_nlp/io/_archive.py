"""Archives as readers see them: formats by name and content, chunks of rows, rows that fail to
parse, and the base class every reader shares."""
import codecs
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._values import MODEL_SUFFIXES, check_count
from ..exceptions import ArchiveError


FORMATS = {".csv": "csv", ".tsv": "tsv", ".txt": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsm", ".xls": "xls", ".jsonl": "jsonl",
           ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
WORKBOOKS = ("xlsx", "xlsm", "xls")  # xlsm (macros) is read as xlsx; xlsm and xls are read, not written
READ_ONLY = ("xls", "xlsm")
OUTPUT_ENDINGS = [suffix for suffix, kind in FORMATS.items() if kind not in READ_ONLY]
_ZIP, _OLE2 = b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1")
_PARQUET = b"PAR1"  # the first and the last four bytes of a Parquet file


def _ends_parquet(path) -> bool:
    """Whether the file at ``path`` ends as a whole Parquet file does (a copy cut short does not)."""
    with open(path, "rb") as f:
        f.seek(0, 2)
        if f.tell() < 2 * len(_PARQUET):
            return False
        f.seek(-len(_PARQUET), 2)
        return f.read() == _PARQUET


def archive_format(path) -> str:
    """The format of ``path`` by its extension (csv, tsv, xlsx, xlsm, xls, jsonl or parquet)."""
    suffix = Path(path).suffix.lower()
    if suffix in MODEL_SUFFIXES:
        raise ArchiveError(f"{path} is a model file, not data to read: give a file of {', '.join(sorted(FORMATS))}",
                           "unknown_format", suffix=suffix, formats=sorted(FORMATS), model=True)
    if suffix not in FORMATS:
        raise ArchiveError(f"cannot tell the format of {path}: use one of {', '.join(sorted(FORMATS))}",
                           "unknown_format", suffix=suffix, formats=sorted(FORMATS))
    return FORMATS[suffix]


def output_format(path, parameter: str = "output_path") -> str:
    """The format an output at ``path`` is written in, by its extension (csv, tsv, xlsx, jsonl or parquet); an
    ending of no format, or of one read but not written (.xls, .xlsm), is refused naming ``parameter``."""
    suffix = Path(path).suffix.lower()
    kind = FORMATS.get(suffix)
    if kind is None or kind in READ_ONLY:
        terminal = str(path) == "-"  # as many commands read it: the result is a file, never the terminal
        why = ("the result is written to a file, not to the terminal" if terminal
               else f"{suffix} is read, not written (write .xlsx instead)" if kind
               else f"cannot tell the format of {suffix or 'a name without an extension'}")
        raise ArchiveError(f"{path}: {why}; give {parameter}=… a name ending in {', '.join(OUTPUT_ENDINGS)}",
                           "output_name", endings=OUTPUT_ENDINGS, suffix=suffix, parameter=parameter,
                           **({"terminal": True} if terminal else {}))
    return kind


def password_protected(path) -> ArchiveError:
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
            raise password_protected(path)
    what, rename = None, None
    if head.startswith(_OLE2):
        if kind != "xls":
            what, rename = "an old Excel .xls workbook", ".xls"
    elif head.startswith(_ZIP):
        if kind not in ("xlsx", "xlsm"):
            what, rename = "an Excel .xlsx workbook (a zip file)", ".xlsx"
    elif kind == "parquet" and not (head.startswith(_PARQUET) and _ends_parquet(path)):
        first = head.lstrip(codecs.BOM_UTF8).lstrip().split(b"\n", 1)[0]
        if not head.startswith(_PARQUET) and b"\0" not in head[:8] and (
                first.startswith(b"{") or b"," in first or b"\t" in first):  # a table as text
            what, rename = "a text file", (".jsonl" if first.startswith(b"{") else
                                           ".tsv" if first.count(b"\t") > first.count(b",") else ".csv")
        else:
            raise ArchiveError(f"{path} is not a whole Parquet file ({'empty' if not head else 'no Parquet footer'}): "
                               f"a copy or download that did not finish, or another file named .parquet",
                               "not_parquet", empty=not head)
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
    """The first number in a row's place ("row 12 (line 15)", "sheet row 7", "line 3 (data row 2)"): the row
    or line a person finds it at; 0 for a place without one."""
    found = re.search(r"\d+", where)
    return int(found[0]) if found else 0


def text_place(row: int, line: int) -> str:
    """A CSV or TSV record's place in one count, its row as Excel (or WPS) shows the file ("row 12"), with the
    file's line for a text editor where that differs, below a quoted value over several lines ("row 12 (line 15)")."""
    return f"row {row}" if row == line else f"row {row} (line {line})"


def place_line(where: str) -> int:
    """The file line of a row's place: the line it names ("row 12 (line 15)": 15), else its number."""
    found = re.search(r"line (\d+)", where)
    return int(found[1]) if found else place_number(where)


@dataclass
class BadRow:
    """A row that could not be parsed: where it is, why (``reason``, in English; ``kind`` and its ``details``, for a
    front end's own words: "quote_left_open" (``rows_from``, ``rows_to``: the lines after it read again as rows, if
    they were), "text_after_quote" (after a closing quote), "quote_runs_on" (``lines``),
    "quote_over_rows" (``closes``, the line, and ``rows_from``, the first line read again as a row), "field_count"
    (``fields``, ``header``; ``cell_from`` and ``cell_to``, the lines of a TSV cell in quotes cut into rows, if it is a
    piece of one), "outside_table" (``cell``, ``cells``), "not_json_object", "repeated_key" (``keys``,
    given more than once, ``within``: the keys and list places leading to their object, [] for the record,
    ``escaped``: those keys as the line writes them with escapes, \\u6295\\u8bc9 for 投诉, if it does),
    "too_deep" (``depth``), "broken_key" (``key``, a JSON key holding a lone surrogate, escaped)), and its raw
    content."""

    where: str
    reason: str
    raw: str
    wider: bool = False  # more cells than the header: what a title row above the header causes
    kind: str = ""
    details: dict = field(default_factory=dict)

    @property
    def row(self) -> int:
        """The number in ``where``: the row as Excel shows it (a CSV's, a sheet's), a JSON Lines file's line."""
        return place_number(self.where)

    def stops(self, path, advice: str) -> ArchiveError:
        """The error that stops work on ``path`` at this row, ending with ``advice``."""
        return ArchiveError(f"{path}: {self.where} cannot be parsed ({self.reason}); {advice}", "unparseable_row",
                            where=self.where, row=self.row, line=place_line(self.where),
                            format=FORMATS.get(Path(path).suffix.lower()), fault=self.kind, **self.details)


@dataclass
class Chunk:
    """Consecutive rows of an archive: ``rows`` as a DataFrame, with the rows that failed to parse."""

    index: int
    rows: pd.DataFrame
    bad: list = field(default_factory=list)
    position: float = 0  # progress through the input, in the reader's unit
    blank: int = 0  # blank lines skipped: not records, but counted so that nothing vanishes unseen
    where: list = field(default_factory=list)  # each row's place in the file ("row 7 (line 9)", "sheet row 3")
    unsure: list = field(default_factory=list)  # of a CSV or TSV: (row, first line, last line, how) of each quoted
    # value over lines that read as rows of their own, "kept" as one (a stray quote closed lines later would have
    # merged them) or "cut" into rows (a TSV cell Excel quoted would have been cut)
    boms: int = 0  # of a CSV or TSV: byte order marks dropped from the starts of lines (files joined end to end)

    def places(self) -> list:
        """Each row's number in its file: its row as Excel shows a CSV or a sheet (the header_row that reads it as
        the column names), a JSON Lines file's line."""
        return [place_number(w) for w in self.where]


MAX_CELLS = 5_000_000  # in a chunk: rows × columns (5,000 rows of 20,000 columns took 2.6 GB)
# Characters of text in a chunk (5,000 rows of 4,000): chunks of 5,000 rows of 300,000-character cells (from a
# 2.8 MB workbook) took a run to 7.4 GB.
MAX_CHUNK_TEXT = 20_000_000
# How a file is cut into chunks. A checkpoint finds its finished chunks by number, so a release that
# changes how many rows a chunk holds changes this, and checkpoints of another cut are not resumed.
# 3: at most MAX_CELLS cells and about MAX_CHUNK_TEXT characters a chunk (2026-12-05, evening).
# 4: a Parquet dictionary column's texts counted towards MAX_CHUNK_TEXT too (2026-12-06).
CHUNKING = 4


@dataclass
class SheetLayout:
    """What a workbook's sheet holds beside its values that its tagged .xlsx keeps: its hidden columns (by name),
    the records read from hidden rows (numbered from 0, in the order they are written out), the cells' links
    (their addresses) and comments (text, author), by (record, column name), the comments on its column names, by
    name, and the workbook's date system (its numbers mean the same days in the output only in the same one); the notes
    on cells right of the table, by record (None for the header row) as (columns right of its last, note), and the cells
    whose notes the output has no place for (left of the table, on rows not written out); of a Parquet input, its
    fields' metadata beside a description, its own key-value metadata and how pandas labelled its rows (a
    RangeIndex, or an index stored as columns), which a Parquet output keeps. Filled as the sheet is read."""

    hidden_columns: set = field(default_factory=set)
    hidden_records: set = field(default_factory=set)
    links: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)
    header_comments: dict = field(default_factory=dict)
    beside: dict = field(default_factory=dict)  # record or None -> [(columns right of the table, (text, author))]
    notes_left_out: list = field(default_factory=list)  # cells ("A1") whose notes no output keeps
    dates_1904: bool = False  # whether the workbook counts its dates' serial days from 1904 (old Mac Excel)
    field_metadata: dict = field(default_factory=dict)  # a Parquet input's column -> its field's other metadata
    file_metadata: dict = field(default_factory=dict)  # a Parquet input's own key-value metadata (not pandas')
    row_labels: dict | None = None  # a Parquet input's RangeIndex (start, stop, …) or index columns, of pandas' key

    def clear(self) -> None:
        """Forget what a reading before noted, in place: a writer may hold this layout before its sheet is read."""
        for noted in (self.hidden_columns, self.hidden_records, self.links, self.comments, self.header_comments,
                      self.beside, self.notes_left_out, self.field_metadata, self.file_metadata):
            noted.clear()
        self.dates_1904, self.row_labels = False, None


class ArchiveReader:
    """Base of the chunked readers: ``columns`` and ``total`` (for progress), then ``chunks()``.
    ``header_row`` is the row holding the column names (a title may stand above it), so the first
    data row is row ``header_row + 1`` as a person counts them."""

    unit = "行"

    def __init__(self, path, encoding=None, chunk_size=5000, header_row: int = 1):
        self.path, self.encoding, self.chunk_size = Path(path), encoding, chunk_size
        self.given_encoding = encoding  # as the caller named it (None: detected); ``encoding`` is the codec read with
        self.columns, self.total = [], None
        self.merged = []  # a workbook's merged ranges whose value was given to every row they cover
        # a workbook's ranges merged down from the header row or above on into data rows, which read their own cells
        # there: as (range, first data row, last data row read, column name), to be checked
        self.merged_into_rows = []
        self.layout = SheetLayout()  # a workbook's: hidden columns and rows, links, comments
        self.other_sheets = []  # a workbook's sheets not read that hold something, as (name, hidden): not written out
        self.number_formats = {}  # a workbook's columns -> the number format their numbers and dates are shown in
        check_count(header_row, "header_row", 1, "the row holding the column names")
        self.header_row = int(header_row)
        self.max_chunk_text = MAX_CHUNK_TEXT  # a chunk is closed once its rows hold this many characters

    @property
    def hidden_rows(self) -> int:
        """A workbook's records in rows hidden in Excel (a filter, or by hand): read like the others."""
        return len(self.layout.hidden_records)

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
