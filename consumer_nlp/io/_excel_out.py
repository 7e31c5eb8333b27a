"""Where .xlsx files leave: a tagged sheet as a person wants it (types, layout, links, comments, number formats
kept; text never a formula), its parts as typed JSON lines, rows of texts (bad-rows files), a sheet's limits."""
import contextlib
import csv
import datetime
import json
import math
from pathlib import Path

import pandas as pd

from ..exceptions import ArchiveError
from .._values import holding, is_missing
from ._archive import archive_format
from ._cells import (DOUBLE_EXACT, EXCEL_LARGEST, EXCEL_SMALLEST, XLSX_MAX_CELL, XLSX_MAX_COLUMNS, XLSX_MAX_ROWS,
                     ExcelError, cell_text, excel_text, format_kind)
from ._json_text import json_text
from ._jsonl import JsonNaN
from ._text_escapes import escape_surrogates


def keep_text(workbook) -> None:
    """Every text cell of a filled ``workbook`` (not a write-only one) stays text: a value like
    "=cmd|…" or a file named "=1+1.csv" is the user's text, never a formula."""
    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def discard_unsaved(workbook) -> None:
    """Remove the temporary files of a write-only ``workbook``'s sheets when it is not saved (refused, Ctrl-C):
    saving would have removed them, and a sheet left open to the garbage collector prints a traceback."""
    for sheet in workbook.worksheets:
        if not sheet.closed:
            sheet.close()
        with contextlib.suppress(OSError, ValueError):  # removed already, by a save that failed later
            sheet._writer.cleanup()


def text_cell(sheet, text: str, **style):
    """``text`` as a cell of the write-only ``sheet`` that Excel holds as text, never a formula or an error ("=SUM(…)",
    "#N/A" are a user's text); ``style`` sets its font, alignment and the like."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _typed(value):
    """A value as JSON that keeps its type: dates, times, time spans and error cells are tagged, missing
    values are null, and what JSON has no type for (decimals, bytes) is its text, as in CSV and JSONL output; so
    are a JSON record's NaN and the infinities, which Excel has no number for."""
    if isinstance(value, ExcelError):
        return {"$error": str(value)}
    if isinstance(value, datetime.datetime):  # with a time zone, which Excel cannot hold: its text
        return cell_text(value) if value.tzinfo is not None else {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"$time": value.isoformat()}
    if isinstance(value, datetime.timedelta):  # Excel holds a span as a number of days: microseconds are plenty
        return {"$duration": value // datetime.timedelta(microseconds=1)}
    if isinstance(value, (dict, list)):
        return json_text(value)
    if type(value) is JsonNaN or isinstance(value, float) and math.isinf(value):  # no Excel cell holds them as numbers
        return json.dumps(value)  # their text, as the JSON Lines file wrote them (NaN, Infinity, -Infinity)
    if is_missing(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return value if isinstance(value, (str, int, float, bool)) else cell_text(value)


def _untyped(value):
    if isinstance(value, dict):
        (tag, text), = value.items()
        if tag == "$duration":
            return datetime.timedelta(microseconds=text)
        if tag == "$error":
            return ExcelError(text)
        return {"$datetime": datetime.datetime, "$date": datetime.date, "$time": datetime.time}[tag].fromisoformat(text)
    return value


def check_fits_a_cell(frame: pd.DataFrame, rows=None) -> None:
    """Refuse a text of ``frame`` longer than an Excel cell holds, naming its column and, given ``rows`` (each row's
    number in its file, :meth:`Chunk.places`), its row: asked as an archive is read, before its rows are tagged, and
    again as each part of an .xlsx output is written."""
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            long = holding(frame[column], lambda v: isinstance(v, str) and len(v) > XLSX_MAX_CELL).to_numpy()
            if long.any():
                at = int(long.argmax())
                value = frame[column].iloc[at]
                row = rows[at] if rows is not None and at < len(rows) else None
                raise ArchiveError(f"column {column!r} holds{'' if row is None else f' in row {row}'} a text of "
                                   f"{len(value):,} characters ({value[:20]!r}…); an Excel cell holds at most "
                                   f"{XLSX_MAX_CELL:,}: write CSV, JSONL or Parquet instead", "beyond_excel",
                                   column=str(column), characters=len(value), **({} if row is None else {"row": row}))


def write_excel_part(frame: pd.DataFrame, path: Path) -> None:
    """One chunk of an .xlsx output, as typed JSON lines; a cell longer than Excel holds is refused."""
    check_fits_a_cell(frame)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in frame.itertuples(index=False, name=None):
            f.write(escape_surrogates(json.dumps([_typed(v) for v in row], ensure_ascii=False)) + "\n")


@contextlib.contextmanager
def text_rows(path: Path, sheet_title: str = "Sheet1"):
    """Write rows of texts to ``path`` as CSV (UTF-8 with a BOM, for Excel on a Chinese desktop) or, by its name,
    .xlsx, where every cell is text, never a formula, a text longer than a cell goes on in the cells after the
    row's last, whole, and rows beyond a sheet's go on in the next sheet, under the first row again (the header):
    yields the function that writes a row."""
    if archive_format(path) != "xlsx":
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            yield csv.writer(f, lineterminator="\r\n").writerow
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheets, header, rows = [workbook.create_sheet(sheet_title)], [], [0]  # rows: of the last sheet

    def append(texts) -> None:
        sheet = sheets[-1]
        pieces = [[text[at:at + XLSX_MAX_CELL] for at in range(0, len(text), XLSX_MAX_CELL)] or [""] for text in texts]
        sheet.append([text_cell(sheet, excel_text(part)) for part in [parts[0] for parts in pieces] + [
            part for parts in pieces for part in parts[1:]]])
        rows[0] += 1

    def write(texts) -> None:
        if not header:
            header.append(list(texts))
        elif rows[0] >= XLSX_MAX_ROWS:  # full: Excel opens no row beyond
            sheets.append(workbook.create_sheet(f"{sheet_title} {len(sheets) + 1}"))
            rows[0] = 0
            append(header[0])
        append(texts)

    try:
        yield write
    except BaseException:
        discard_unsaved(workbook)
        raise
    workbook.save(path)


def check_fits_a_sheet(rows: int, columns: int) -> None:
    """Refuse an .xlsx output of more data ``rows`` or ``columns`` than an Excel sheet holds: asked as an
    archive is read, before its rows are tagged, and again as the sheet is written."""
    if columns > XLSX_MAX_COLUMNS:
        raise ArchiveError(f"{columns:,} columns: an Excel sheet holds at most {XLSX_MAX_COLUMNS:,}; "
                           f"write CSV, JSONL or Parquet instead", "beyond_excel")
    if rows > XLSX_MAX_ROWS - 1:
        raise ArchiveError(f"more than {XLSX_MAX_ROWS - 1:,} rows: an Excel sheet holds at most "
                           f"{XLSX_MAX_ROWS:,} with its header; write CSV, JSONL or Parquet instead", "beyond_excel")


def _keep_layout(sheet, row: list, number: int, columns: list, layout) -> None:
    """Append ``row`` (write-only cells) to ``sheet`` as its row ``number``, hidden, its cells linked and
    commented as the workbook read held record ``number - 2`` (:class:`SheetLayout`, by column name)."""
    from openpyxl.comments import Comment

    record = number - 2
    for at, name in enumerate(columns if layout.links or layout.comments else ()):
        address, note = layout.links.get((record, name)), layout.comments.get((record, name))
        if address is not None:
            row[at].hyperlink = address
        if note is not None:
            row[at].comment = Comment(*note)
    _notes_beside(sheet, row, record, layout)
    hidden = record in layout.hidden_records
    if hidden:
        sheet.row_dimensions[number].hidden = True
    sheet.append(row)
    if hidden:  # written: not held for every hidden row of a filtered sheet
        del sheet.row_dimensions[number]


def _notes_beside(sheet, row: list, record: int | None, layout) -> None:
    """Put on ``row`` (write-only cells) the notes the workbook read held right of its table on record ``record``'s
    row (None: the header's), as far right of the row's last cell, within a sheet's columns: those that would fall
    beyond its last are put before it, in their order, each in a column of its own."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment

    width, notes = len(row), sorted(layout.beside.get(record, ()), key=lambda note: note[0])
    for after, (offset, note) in enumerate(reversed(notes)):  # ``after``: how many of them stand right of it
        at = min(width + offset, XLSX_MAX_COLUMNS - after)
        row += [WriteOnlyCell(sheet) for _ in range(at - len(row))]
        row[at - 1].comment = Comment(*note)


def _note(text: str):
    """``text`` as a note (an Excel comment) on a header cell, its box sized to show it whole: about 24 characters
    of Chinese to a line of its 320 points."""
    from openpyxl.comments import Comment

    return Comment(text, "consumer-nlp", height=30 + 15 * math.ceil(len(text) / 24), width=320)


def _beyond_excel_dates(value, in_1904: bool) -> bool:
    """Whether ``value`` is a date before the first day of the workbook's date system (1900-01-01, or 1904-01-01),
    or, in the 1900 system, a negative span: Excel shows neither, only #####."""
    if isinstance(value, datetime.date):
        return value < (datetime.datetime if isinstance(value, datetime.datetime) else datetime.date)(
            1904 if in_1904 else 1900, 1, 1)
    return isinstance(value, datetime.timedelta) and value < datetime.timedelta(0) and not in_1904


def _beyond_excel_numbers(value) -> bool:
    """Whether ``value`` is a number no Excel cell holds as it is: a whole number beyond a double's exact ones (an order
    number would be rounded), or a float beyond Excel's range (1e308, 5e-324: written, read back as inf or 0)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) > DOUBLE_EXACT
    return isinstance(value, float) and (abs(value) > EXCEL_LARGEST or 0 < abs(value) < EXCEL_SMALLEST)


def join_excel(parts, columns, output, sheet_title: str, wide, marked, number_formats: dict, layout=None,
               rows_done=None, notes: dict | None = None):
    """One sheet as a person wants it: values with their types (text always as text, never a
    formula), the header frozen with a filter on it, its cells of the columns in ``notes`` noted (what they hold),
    columns sized, and rows needing review marked; what the workbook read held beside its values kept (``layout``,
    see :func:`_keep_layout`)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    check_fits_a_sheet(0, len(columns))
    longest = max(map(len, map(str, columns)), default=0)
    if longest > XLSX_MAX_CELL:
        raise ArchiveError(f"a column name of {longest:,} characters: an Excel cell holds at most {XLSX_MAX_CELL:,}; "
                           f"write CSV, JSONL or Parquet instead", "beyond_excel")
    workbook = Workbook(write_only=True)
    if layout is not None and layout.dates_1904:  # its numbers of days (a date column shown as numbers) mean the same
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.create_sheet(sheet_title)
    sheet.freeze_panes = "A2"
    review_at = columns.index(marked) if marked in columns else None
    yellow = PatternFill("solid", fgColor="FFF2CC")
    for i, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = 60 if name in wide else 14
        sheet.column_dimensions[get_column_letter(i)].hidden = layout is not None and name in layout.hidden_columns

    shown_as = [number_formats.get(name, {}) for name in columns]
    in_1904 = workbook.epoch == CALENDAR_MAC_1904

    def cell(value, fill=None, shown=()):
        value = _untyped(value)
        if _beyond_excel_dates(value, in_1904) and format_kind(value) not in shown:  # (a workbook's cell, shown
            value = cell_text(value)  # so in its sheet too, stays a number) as CSV output shows it, not as #####
        if _beyond_excel_numbers(value):
            value = cell_text(value)  # as CSV output shows it
        if isinstance(value, ExcelError) and value in ERROR_CODES:  # (one Excel does not know stays its text)
            item = WriteOnlyCell(sheet, value=str(value))
            item.data_type = "e"
        elif isinstance(value, str):
            item = text_cell(sheet, excel_text(value))
        else:
            item = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.datetime):
                item.number_format = "yyyy-mm-dd hh:mm:ss" if value.time() != datetime.time() else "yyyy-mm-dd"
            elif isinstance(value, datetime.date):
                item.number_format = "yyyy-mm-dd"
            elif isinstance(value, datetime.timedelta):
                item.number_format = "[h]:mm:ss"
            if getattr(value, "microsecond", None) or getattr(value, "microseconds", None):
                item.number_format += ".000"  # shown to the millisecond, as far as Excel's formats go
            kind = format_kind(value)
            if kind in shown:
                item.number_format = shown[kind]
        if fill is not None:
            item.fill = fill
        return item

    header = []
    for name in columns:
        item = cell(str(name))
        item.font = Font(bold=True)
        if name in (notes or {}):
            item.comment = _note(notes[name])
        elif layout is not None and name in layout.header_comments:
            item.comment = Comment(*layout.header_comments[name])
        header.append(item)
    if layout is not None:
        _notes_beside(sheet, header, None, layout)
    sheet.append(header)
    rows = 1
    try:
        for part in parts:
            with open(part, encoding="utf-8") as f:
                for line in f:
                    values = json.loads(line)
                    rows += 1
                    check_fits_a_sheet(rows - 1, len(columns))
                    fill = yellow if review_at is not None and values[review_at] is True else None
                    row = [cell(v, fill, shown) for v, shown in zip(values, shown_as)]
                    if layout is None:
                        sheet.append(row)
                    else:
                        _keep_layout(sheet, row, rows, columns, layout)
                    if rows_done is not None and rows % 1000 == 0:
                        rows_done(1000)
        if rows_done is not None:
            rows_done((rows - 1) % 1000)
    except BaseException:  # refused, or Ctrl-C
        discard_unsaved(workbook)
        raise
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{rows}"
    workbook.save(output)
