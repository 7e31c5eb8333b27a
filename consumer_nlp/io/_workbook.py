"""Opening an .xlsx workbook safely: parts guarded against giant texts, shared strings read as
written, sheets chosen and scanned for what the cells do not tell (formulas never calculated,
merged cells, hidden rows)."""
import heapq
import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..exceptions import ArchiveError
from ._cells import CHINESE_DATE_FORMATS, CHINESE_TIME_FORMATS, XLSX_MAX_CELL


def sheet_rows(sheet, min_row: int = 1, values_only: bool = False):
    """The rows of a read-only sheet as its cells are, not as its declared range says: a sheet
    declaring A1:XFD1048576 would pad every missing row between its cells to 16,384 columns (a 5 KB
    workbook, 50 minutes of reading). Rows come back ragged, a missing one empty; a damaged sheet is
    told (see :func:`_damaged`)."""
    sheet.reset_dimensions()
    return _undamaged(sheet.iter_rows(min_row=min_row, values_only=values_only), sheet.parent._archive.filename)


def has_data(sheet) -> bool:
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
        hidden = [n for n in names if n not in visible]
        raise ArchiveError(f"{path} has no sheet {key!r}; its sheets are {visible}"
                           + (f" (hidden: {hidden})" if hidden else ""), "no_sheet", sheet=key, sheets=list(visible))
    found = with_data()
    if len(found) == 1:
        return found[0]
    if not found:
        raise ArchiveError(f"{path}: no visible sheet holds data; its sheets are {names} (choose one with sheet=NAME)",
                           "no_data", sheets=list(names))
    raise ArchiveError(f"{path} has {len(found)} sheets with data: {found}; choose one with sheet=NAME or sheet=N",
                       "several_sheets", sheets=found)


# A cell holding a formula and no saved result: no <v>, or an empty one not marked as a text result
# (Excel saves an empty text result as t="str" and <v></v>; programs that write formulas save no result).
_UNCALCULATED = re.compile(rb'<(?:\w+:)?c\b([^<>]*)>\s*<(?:\w+:)?f\b[^<>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*'
                           rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')
_FORMULA = re.compile(rb'<(?:\w+:)?c\b([^<>]*)>\s*<(?:\w+:)?f\b[^<>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)')
_ROW_END = re.compile(rb'</(?:\w+:)?row>')
_SCAN_BLOCK = 1 << 24
_CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\b[^<>]*\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^<>]*\bhidden="(?:1|true)"[^<>]*>')
_ROW_NUMBER = re.compile(rb'\br="([0-9]+)"')
_HIDDEN_COLUMNS = re.compile(rb'<(?:\w+:)?col\b[^<>]*\bhidden="(?:1|true)"[^<>]*>')
# a <col>'s first and last columns (a pattern finding one after the other tried each min= against the rest of the tag:
# 80 KB of min= in a quoted value of a <col> without max= took 7.7 s to read, quadratic)
_MIN, _MAX = re.compile(rb'\bmin="([0-9]+)"'), re.compile(rb'\bmax="([0-9]+)"')
_SHEET_DATA = re.compile(rb'<(?:\w+:)?sheetData\b')
_HYPERLINK = re.compile(rb'<(?:\w+:)?hyperlink\b([^<>]*)>')
_LINK_REF = re.compile(rb'\bref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"')
_LINK_ID = re.compile(rb'\b\w+:id="([^"]*)"')
# a cell holding a value (a text, number, formula), with its column's letters (b"" for a cell whose place is not
# written: the cells of a row then follow in order); a cell of a style alone (<c r="E1" s="3"/>) holds none
_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\b(?:[^<>/]*?\br="([A-Z]+)[0-9]+")?[^<>/]*>\s*<(?:\w+:)?(?:v|is|f)\b')


@dataclass
class SheetScan:
    """What a read-only sheet's cells do not tell and its XML does: the first formula without a saved
    result and the first formula of all (each as cell and formula), and the merged ranges (first
    column, first row, last column, last row, numbered from 1)."""

    uncalculated: tuple | None = None
    first_formula: tuple | None = None
    merged: list = field(default_factory=list)
    hidden: set = field(default_factory=set)  # the numbers of the rows hidden in Excel (a filter, or by hand)
    hidden_columns: set = field(default_factory=set)  # the numbers of the columns hidden in Excel
    links: list = field(default_factory=list)  # (first column, first row, last column, last row, address)
    comments: dict = field(default_factory=dict)  # row number -> [(column number, text, author)]
    dates_1904: bool = False  # whether the workbook counts its dates' serial days from 1904 (old Mac Excel)
    last_column: int | None = None  # the last column (from 1) any cell of the sheet holds a value in; None: not known


def merged_from_above(merged: list, row: int) -> list:
    """The merged ranges (see :class:`SheetScan`) that cover sheet row ``row`` from a row above it: Excel shows the
    value and note of each one's top-left cell there, in its first column (a heading of two rows)."""
    return [span for span in merged if span[1] < row <= span[3]]


def named_under(name: str, column: int) -> str:
    """The name of column ``column`` under a heading ``name`` merged over it from a column on its left in the header row
    (and maybe rows above or below it): the heading and the column's letter (编号（B列）), as a desk tells apart the
    columns Excel shows under it."""
    from openpyxl.utils import get_column_letter

    return f"{name}（{get_column_letter(column)}列）"


# a name named_under gives (or stepped aside: …（C列）2), of a heading over lines too (投诉 Alt+Enter 内容)
_NAMED_UNDER = re.compile(r"(.+)（[A-Z]{1,3}列）[0-9]*", re.DOTALL)


def under_heading(name: str) -> str | None:
    """The heading a name :func:`named_under` gave is named after (投诉内容 for 投诉内容（C列） and 投诉内容（C列）2), or None
    for a name of the sheet's own."""
    named = _NAMED_UNDER.fullmatch(name)
    return named.group(1) if named else None


def shared_heading(name: str, other: str) -> str | None:
    """The heading merged over both columns ``name`` and ``other`` that :func:`named_under` names (投诉内容 over
    投诉内容, 投诉内容（C列） and 投诉内容（D列）), or None: columns Excel shows under one heading."""
    def heading(column: str) -> str:
        return under_heading(column) or column

    return heading(name) if name != other and heading(name) == heading(other) else None


def apart_from_named(header: list, derived: set) -> list:
    """``header`` with each name at a place in ``derived`` (numbered from 0; see :func:`named_under`) that a column the
    desk named has too followed by the first of 2, 3, … no column has (类别（C列）2): the name typed in the sheet stays,
    and the sheet, which shows it once, is not refused as two columns of one name."""
    taken = {name for at, name in enumerate(header) if at not in derived}
    for at in sorted(derived):
        name, number = header[at], 2
        while header[at] in taken:
            header[at], number = f"{name}{number}", number + 1
        taken.add(header[at])
    return header


class LinksOver:
    """A sheet's links (see :class:`SheetScan`) over the rows they cover, asked row by row in increasing order,
    every row: each is opened at its first row and closed after its last, so that a link costs the rows it
    covers (checking every link at every row read was quadratic: 120,000 two-row links in 40,000 rows took
    minutes). Of the links opened over the same columns, the last opened still open gives the cells' address."""

    def __init__(self, links: list):
        self._starting = defaultdict(list)  # first row -> the links that open there, in the sheet's order
        for link in links:
            self._starting[link[1]].append(link)
        self._open = {}  # (first column, last column) -> the links opened over them, the last on top

    def __call__(self, row: int) -> list:
        """The links over ``row``, as (first column, first row, last column, last row, address)."""
        for link in self._starting.pop(row, ()):
            self._open.setdefault((link[0], link[2]), []).append(link)
        over = []
        for columns, opened in list(self._open.items()):
            while opened and opened[-1][3] < row:  # an earlier one under it that ended meanwhile goes when it shows
                opened.pop()
            if opened:
                over.append(opened[-1])
            else:
                del self._open[columns]
        return over


class MergedBelow:
    """The merged ranges (see :class:`SheetScan`) whose top row has been read, for the rows below it
    that show its value, asked row by row in increasing order. A range that gives a value costs the
    rows it fills; one that gives nothing is kept as a count by column, so that many column-long
    ranges with empty tops cost nothing (they only hide what their cells may hold). A cell shows one
    range's value: a range over the first column of one still open is left out (Excel holds no
    overlapping ranges; a file declaring one range 4,000 times took 13 s to read)."""

    def __init__(self):
        self._ends = []  # (last row, order added) of each range added, the first to end on top
        self._given = {}  # order added -> (range, value) of the ranges that give a value
        self._hidden = {}  # order added -> first column of the ranges that give nothing
        self.hiding = Counter()  # first column -> how many open ranges that give nothing start there
        self._showing = set()  # first columns of the open ranges that give a value
        self._added = 0

    def add(self, merged: tuple, value) -> None:
        """Range ``merged``, whose top row shows ``value`` ("" or None for nothing)."""
        gives = value is not None and value != ""
        if gives and merged[0] in self._showing:
            return
        heapq.heappush(self._ends, (merged[3], self._added))
        if gives:
            self._given[self._added] = (merged, value)
            self._showing.add(merged[0])
        else:
            self._hidden[self._added] = merged[0]
            self.hiding[merged[0]] += 1
        self._added += 1

    def __call__(self, row: int) -> list:
        """The (range, value) of each range added that gives a value and covers ``row``; ``hiding``
        then counts, by first column, the ranges that give nothing and cover it."""
        while self._ends and self._ends[0][0] < row:
            added = heapq.heappop(self._ends)[1]
            ended = self._given.pop(added, None)
            if ended is not None:
                self._showing.discard(ended[0][0])
            else:
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


def recalculated_on_opening(workbook) -> bool:
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

    scan, columns = SheetScan(), set()  # columns: the letters of the columns holding a value
    archive, member = getattr(workbook, "_archive", None), getattr(sheet, "_worksheet_path", None)
    if archive is None or member is None:
        return scan
    with archive.open(member) as stream:  # through the workbook's limit (see open_read_only)
        pending, among_rows = b"", False
        while True:
            block = stream.read(_SCAN_BLOCK)
            pending += block
            end = len(pending) if not block else _last_row_end(pending)
            if not among_rows:  # the columns' settings stand before the rows
                rows_begin = _SHEET_DATA.search(pending)
                among_rows = rows_begin is not None
                scan.hidden_columns = _hidden_columns(pending[:rows_begin.start()] if among_rows else pending[:end])
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
            columns.update(_VALUE_CELL.findall(pending, 0, end))
            if not block:  # what stands after the rows
                if b"" not in columns:  # a cell of unwritten place leaves the last one unknown
                    scan.last_column = max(map(column_index_from_string, map(bytes.decode, columns)), default=0)
                scan.merged = [(column_index_from_string(a.decode()), int(b), column_index_from_string(c.decode()),
                                int(d)) for a, b, c, d in _MERGED.findall(pending)]
                addresses, comments_part = _sheet_relations(archive, member)
                scan.links = _links(pending, addresses)
                scan.comments = _comments(archive, comments_part) if comments_part else {}
                return scan
            pending = pending[end:]


def _hidden_columns(head: bytes) -> set:
    """The numbers of the columns a sheet's head (what stands before its rows) hides: each <col> spans min to max."""
    hidden = set()
    for found in _HIDDEN_COLUMNS.finditer(head):
        mins, maxes = list(_MIN.finditer(found.group())), list(_MAX.finditer(found.group()))
        if mins and maxes:  # the first of either and the last of the other, as min=…max= or max=…min= read them
            first, last = ((int(mins[0][1]), int(maxes[-1][1])) if mins[0].start() < maxes[0].start()
                           else (int(mins[-1][1]), int(maxes[0][1])))
            hidden.update(range(first, min(last, 16_384) + 1))  # Excel hides the columns beyond a table as one span
    return hidden


def _sheet_relations(archive, member: str) -> tuple[dict, str | None]:
    """The addresses of a sheet's links to outside it, by relationship id, and the name of its comments' part
    (None when it has none), from the sheet's relationships, streamed (a link each of 100,000 rows)."""
    import posixpath

    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.xml.functions import iterparse

    rels, addresses, comments = get_rels_path(member), {}, None
    if rels not in archive.namelist():
        return addresses, comments
    with archive.open(rels) as source:
        for _, node in iterparse(source):
            kind, target = node.get("Type", ""), node.get("Target")
            if kind.endswith("/hyperlink") and target is not None:
                addresses[node.get("Id")] = target
            elif kind.endswith("/comments") and target is not None:
                comments = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(posixpath.dirname(member), target))
            node.clear()
    return addresses, comments


def _links(tail: bytes, addresses: dict) -> list:
    """The links of a sheet whose addresses are outside it (a web page, a file), from what stands after its rows,
    as (first column, first row, last column, last row, address); a link within the workbook (to a sheet's cell,
    which the output need not hold) is left out."""
    from openpyxl.utils import column_index_from_string

    links = []
    for found in _HYPERLINK.finditer(tail):
        ref, rid = _LINK_REF.search(found.group(1)), _LINK_ID.search(found.group(1))
        address = addresses.get(html.unescape(rid.group(1).decode())) if ref and rid else None
        if address is not None:
            first, last = ref.group(1, 2), ref.group(3, 4) if ref.group(3) else ref.group(1, 2)
            links.append((column_index_from_string(first[0].decode()), int(first[1]),
                          column_index_from_string(last[0].decode()), int(last[1]), address))
    return links


def _comments(archive, part: str) -> dict:
    """A sheet's comments (Excel's notes), by row number: [(column number, text, author)], streamed from ``part``."""
    from openpyxl.cell.text import Text
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    comments, authors = {}, []
    if part not in archive.namelist():
        return comments
    author, comment, text = f"{{{SHEET_MAIN_NS}}}author", f"{{{SHEET_MAIN_NS}}}comment", f"{{{SHEET_MAIN_NS}}}text"
    with archive.open(part) as source:
        for _, node in iterparse(source):
            if node.tag == author:
                authors.append(node.text or "")
            elif node.tag == comment:
                column, row = coordinate_from_string(node.get("ref", "A1").split(":")[0])
                body = node.find(text)
                index = int(node.get("authorId") or 0)
                comments.setdefault(row, []).append((column_index_from_string(column),
                                                     Text.from_tree(body).content if body is not None else "",
                                                     authors[index] if index < len(authors) else ""))
                node.clear()
    return comments


# Chinese-locale Excel and WPS save their built-in 年月日 and 时分 formats by number alone; openpyxl
# knows only the locale-free built-in numbers, and reads such cells as plain numbers (45660).


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
        _check_number_formats(reader.archive, path)
        reader.read()
    except BaseException as error:
        reader.archive.close()
        if isinstance(error, ValueError) and isinstance(error.__cause__, ArchiveError):  # openpyxl calls it
            raise error.__cause__ from None                                             # invalid XML
        if isinstance(error, SyntaxError):  # the XML parsers' errors
            raise _damaged(path, error) from None
        raise
    return reader.wb


MAX_FORMAT = 255  # characters of a number format: Excel's own limit
_FORMAT_CODE = re.compile(rb"""\bformatCode\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _check_number_formats(archive, path) -> None:
    """Refuse a number format longer than Excel allows before openpyxl reads it: openpyxl asks of
    every cell style whether its format is a date's with a pattern quadratic in the format's "[" (a
    5.6 KB .xlsx took 61 s to open)."""
    from openpyxl.xml.constants import ARC_STYLE  # the one place openpyxl reads styles from

    if ARC_STYLE not in archive.namelist():
        return
    for found in _FORMAT_CODE.finditer(archive.read(ARC_STYLE)):
        code = html.unescape((found.group(1) or found.group(2) or b"").decode("utf-8", "replace"))
        if len(code) > MAX_FORMAT:
            raise ValueError(f"{path} is damaged: it holds a number format of {len(code):,} characters, where Excel "
                             f"allows {MAX_FORMAT} ({code[:20]!r}…); open it in Excel or WPS and save it again")


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
MAX_ROW_XML = 64 << 20  # bytes of one sheet row's XML, which openpyxl builds whole before reading its cells
# Where a sheet's rows begin, each row begins (not <rowBreaks>), and the rows end; a tag may have a prefix (<x:row>).
_ROW_MARKS = re.compile(rb"<(\w+:)?(?:sheetData[\s>]|row[\s>/])|</(?:\w+:)?sheetData")


def _giant(path, part: str) -> ArchiveError:
    return ArchiveError(f"{path}: {part} holds more than 1 MB of text without a break, far more than an Excel cell "
                        f"holds ({XLSX_MAX_CELL:,} characters): the file was not saved by Excel or WPS. Save the text "
                        f"in a CSV instead", "giant_cell", part=part)


def _giant_row(path, part: str) -> ArchiveError:
    return ArchiveError(f"{path}: {part} holds a row of more than {MAX_ROW_XML >> 20} MB, far more than a record of an "
                        f"archive holds (a cell of many runs of text, or many long cells). Save the text in a CSV "
                        f"instead", "giant_row", part=part, megabytes=MAX_ROW_XML >> 20)


MAX_PACKING = 100  # times a part unpacks to its packed size: Excel's and programs' parts, 10 to 25
PACKED_FREELY = 10 << 20  # bytes a part may unpack to however tightly it is packed


def _overpacked(path, info) -> ArchiveError:
    megabytes, ratio = info.file_size >> 20, info.file_size // max(info.compress_size, 1)
    return ArchiveError(f"{path}: {info.filename} unpacks to {megabytes:,} MB, {ratio:,} times its packed size: no "
                        f"workbook Excel or WPS saves is packed so tightly (a file built to exhaust the memory of "
                        f"whatever reads it). Save its data as a CSV in Excel or WPS instead", "overpacked",
                        part=info.filename, megabytes=megabytes, ratio=ratio)


class _GuardedArchive:
    """A workbook's zip file, each part opened or read from it going through :class:`_TextRunLimit`:
    the parts openpyxl parses whole as the workbook opens, and those it and we stream, whatever they
    are named; the parts nobody reads (Power Query's, add-ins') are not looked at. A part packed more
    than MAX_PACKING times (a zip bomb) is refused before it is unpacked: the zip module unpacks no part
    beyond the size it declares."""

    def __init__(self, archive, path):
        self.archive, self.path = archive, path

    def open(self, name, mode: str = "r", *args, **kwargs):
        if mode == "r":
            info = self.archive.getinfo(name) if isinstance(name, str) else name
            if info.file_size > PACKED_FREELY and info.file_size > MAX_PACKING * info.compress_size:
                raise _overpacked(self.path, info)
        stream = self.archive.open(name, mode, *args, **kwargs)
        return _TextRunLimit(stream, self.path, getattr(name, "filename", name)) if mode == "r" else stream

    def read(self, name) -> bytes:
        with self.open(name) as stream:
            return stream.read()

    def __getattr__(self, name):  # namelist, infolist, close, filename, … as the zip file has them
        return getattr(self.archive, name)


class _TextRunLimit:
    """A workbook part as it is read, refusing more than MAX_XML_TEXT bytes without a tag, and a sheet row
    of more than MAX_ROW_XML bytes, before a parser holds them: no cell Excel saves is that long (32,767
    characters), and a parser builds such a text whole (one 200-million-character cell in a 585 KB file
    took 6.5 GB to read), and openpyxl a row whole (a cell of many runs of text, each under the first
    limit). A part that does not open as XML (an image) is passed through as it is."""

    def __init__(self, stream, path, part: str):
        self.stream, self.path, self.part = stream, path, part
        self.since = 0  # bytes read since the last "<"
        self.xml = None  # not known before the first bytes
        self.row = None  # bytes read since the last row began, inside a sheet's rows; None outside them
        self.tail = b""  # the last bytes read, where a row's mark may begin
        self.row_tag = b"<row"  # a row's opening tag up to its name, with the prefix the sheet gives it

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
        self._check_rows(block)
        return block

    def _check_rows(self, block: bytes) -> None:
        """Count the bytes of the sheet row being read, refusing one longer than MAX_ROW_XML (to within a
        block: only where the rows begin or end, or in a block longer than that, is each row's length
        taken; elsewhere the last row's beginning is enough, and costs a search from the end)."""
        joined = self.tail + block  # a mark cut between two blocks is found whole (one found twice is harmless)
        self.tail = joined[-32:]
        begun = None  # where the last row began in ``joined``
        if b"sheetData" in joined or len(block) > MAX_ROW_XML:
            for mark in _ROW_MARKS.finditer(joined):
                if self.row is not None and (mark.start() - begun if begun is not None
                                             else self.row + mark.start() - (len(joined) - len(block))) > MAX_ROW_XML:
                    raise _giant_row(self.path, self.part)
                if mark[0].startswith(b"</"):
                    self.row = begun = None
                else:
                    self.row, begun = 0, mark.start()
                    self.row_tag = b"<" + (mark[1] or b"") + b"row"
        elif self.row is not None:  # among the rows, no other tag's name begins with "row"
            begun = joined.rfind(self.row_tag)
            begun = begun if begun >= 0 else None
        if self.row is not None:
            self.row = len(joined) - begun if begun is not None else self.row + len(block)
            if self.row > MAX_ROW_XML:
                raise _giant_row(self.path, self.part)

    def __getattr__(self, name):  # close, seek, … as the stream has them
        return getattr(self.stream, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stream.close()


def _read_strings_as_written(reader) -> None:
    """The shared strings of the workbook ``reader`` opens, Excel's escapes left for :func:`cell_value`:
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
