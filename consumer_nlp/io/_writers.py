"""Where archives leave: tagged chunks written as parts, and parts joined into one output file."""
import codecs
import contextlib
import csv
import datetime
import io
import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd

from ..exceptions import ArchiveError
from .._values import holding, is_missing
from ._archive import archive_format
from ._cells import (DOUBLE_EXACT, XLSX_MAX_CELL, XLSX_MAX_COLUMNS, XLSX_MAX_ROWS, ExcelError, cell_text, excel_text,
                     format_kind)
from ._json_text import json_text
from ._jsonl import JsonNaN
from ._parquet_out import join_parquet, write_parquet_part
from ._paths import working_name
from ._text_escapes import SURROGATE, escape_surrogates, without_surrogates


def _without_surrogates(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with lone surrogates (from escapes like "\\ud83d" in JSON input, a broken emoji)
    replaced by U+FFFD: UTF-8 and Arrow cannot hold them."""
    def clean(value):  # a text without them is left as it is (a JSON record's "" keeps its mark)
        return without_surrogates(value) if isinstance(value, str) and SURROGATE.search(value) else value

    # Column by column, values kept as objects: letting pandas build the result would guess the
    # types again (a column of numbers and blanks would become floats).
    cleaned = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            cleaned[column] = pd.Series([clean(v) for v in frame[column]], index=frame.index, dtype=object)
    return cleaned


def keep_text(workbook) -> None:
    """Every text cell of a filled ``workbook`` (not a write-only one) stays text: a value like
    "=cmd|…" or a file named "=1+1.csv" is the user's text, never a formula."""
    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def write_part(frame: pd.DataFrame, kind: str, path: Path) -> None:
    """Write one tagged chunk as a part of an output of format ``kind`` (no header: parts are joined)."""
    try:
        _write_part(frame, kind, path)
    except (UnicodeEncodeError, ValueError):  # pyarrow's errors are ValueErrors too
        cleaned = _without_surrogates(frame)
        if cleaned.equals(frame):
            raise
        _write_part(cleaned, kind, path)


_LINE_BREAK = re.compile("[\r\n]")


def _tab_after_a_break(text: str) -> bool:
    """Whether ``text`` holds a tab after its first line break (a find, not a pattern that scans on
    from every break: that was quadratic in the breaks of a long text)."""
    found = _LINE_BREAK.search(text) if "\t" in text else None
    return found is not None and text.find("\t", found.end()) >= 0


def _check_tsv_cells(frame: pd.DataFrame) -> None:
    """Refuse a text with a tab after a line break: quoted, its later lines can read as rows of their
    own, which is how the TSV reader (as any that must not merge rows) tells a stray quote."""
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            for value in values:
                if isinstance(value, str) and _tab_after_a_break(value):
                    raise ValueError(f"column {column!r} holds a text with a tab after a line break ({value[:30]!r}…), "
                                     f"which TSV cannot carry so that it reads back the same; write CSV, XLSX, JSONL "
                                     f"or Parquet instead")


def _map_values(frame: pd.DataFrame, convert, kinds: tuple) -> pd.DataFrame:
    """``frame`` with ``convert`` applied to the values of ``kinds`` in its object columns (the other
    columns, and columns holding none of them, are left as they are); a NaN is left as a missing value, but for
    one a JSON record wrote (:class:`JsonNaN`), which is a value."""
    def value(v):
        return convert(v) if isinstance(v, kinds) and (v == v or type(v) is JsonNaN) else v

    def holds_kinds(values: pd.Series) -> bool:  # text columns answer at once, without a call per value
        if values.dtype != object:
            return False
        if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):  # words, and maybe a JSON NaN
            return float in kinds and any(type(v) is JsonNaN for v in values[values.isna()])
        return values.map(lambda v: isinstance(v, kinds)).any()

    columns = {c: pd.Series([value(v) for v in frame[c]], index=frame.index, dtype=object)
               for c in frame.columns if holds_kinds(frame[c])}
    return frame.assign(**columns) if columns else frame


def _holds_map(kind) -> bool:
    """Whether values of the Arrow type ``kind`` hold a map, at any depth."""
    import pyarrow as pa

    if pa.types.is_map(kind):
        return True
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return _holds_map(kind.value_type)
    return pa.types.is_struct(kind) and any(_holds_map(kind.field(i).type) for i in range(kind.num_fields))


def _maps_as_dicts(value, kind):
    """A Python ``value`` of the Arrow type ``kind`` (as ``to_pylist`` gives it) with its maps, lists of pairs,
    as dicts; a map whose key repeats (Arrow allows it), or whose keys are structs, stays pairs, losing no value.
    (pyarrow's own ``maps_as_pydicts`` came in its release 20; 14 is accepted.)"""
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_map(kind):
        pairs = [(key, _maps_as_dicts(item, kind.item_type)) for key, item in value]
        try:
            mapped = dict(pairs)
        except TypeError:  # an unhashable key: a struct's dict
            return pairs
        return mapped if len(mapped) == len(pairs) else pairs
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return [_maps_as_dicts(item, kind.value_type) for item in value]
    if pa.types.is_struct(kind):
        types = {kind.field(i).name: kind.field(i).type for i in range(kind.num_fields)}
        return {name: _maps_as_dicts(item, types[name]) for name, item in value.items()}
    return value


def _arrow_values(array) -> list:
    """An Arrow ``array``'s values in Python, its maps (at any depth) as dicts."""
    values = array.to_pylist()
    return [_maps_as_dicts(value, array.type) for value in values] if _holds_map(array.type) else values


def _as_python(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its Arrow lists, structs, maps, bytes, dates, times, spans and UUIDs (from Parquet) as Python
    values, which the outputs then write as they write any other input's: lists and dicts (maps too)
    whole (numpy's display text shortens long lists), whole days without 00:00:00, spans as
    36:00:00 (not pandas' "1 days 12:00:00"). Numbers and booleans are left to pandas, as the tag
    columns are written."""
    import pyarrow as pa

    def in_python(dtype) -> bool:
        if isinstance(dtype, pd.ArrowDtype):
            kind = dtype.pyarrow_dtype
            return pa.types.is_nested(kind) or pa.types.is_temporal(kind) or pa.types.is_binary(kind) \
                or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind) \
                or isinstance(kind, pa.BaseExtensionType)  # a UUID: pandas writes its bytes
        return pd.api.types.is_timedelta64_dtype(dtype)

    def values(column: pd.Series) -> list:
        if isinstance(column.dtype, pd.ArrowDtype):  # by pyarrow: pandas' own spans end at 292 years
            return _arrow_values(column.array.__arrow_array__())
        return column.tolist()

    columns = {c: pd.Series(values(frame[c]), index=frame.index, dtype=object) for c in frame.columns
               if in_python(frame[c].dtype)}
    return frame.assign(**columns) if columns else frame


def _booleans_as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its columns of a boolean type (numpy's, as the needs_review tag; Arrow's, from Parquet)
    as Python values, so that they are spelt as the booleans of any other column are."""
    columns = {c: frame[c].astype(object) for c in frame.columns if pd.api.types.is_bool_dtype(frame[c].dtype)}
    return frame.assign(**columns) if columns else frame


def _write_part(frame: pd.DataFrame, kind: str, path: Path) -> None:
    if kind != "parquet":  # Arrow's values as Python's: a map as a dict, not as pyarrow gives it (pairs)
        frame = _as_python(frame)
    if kind in ("csv", "tsv", "jsonl"):  # dates as the sheet shows them; in CSV and TSV numbers and booleans too
        shown = (datetime.date, datetime.time, datetime.timedelta, bytes)
        if kind != "jsonl":  # booleans as Excel writes them (TRUE), whatever the input: desks open CSV in Excel
            frame, shown = _booleans_as_objects(frame), shown + (float, bool)
        frame = _map_values(frame, cell_text, shown)
    if kind in ("csv", "tsv"):  # JSON objects and arrays as JSON text, not Python's repr
        frame = _map_values(frame, json_text, (dict, list))
    if kind == "csv":
        # CRLF line ends (RFC 4180): the csv writer then quotes a cell holding a bare CR too
        frame.to_csv(path, header=False, index=False, lineterminator="\r\n", encoding="utf-8")
    elif kind == "tsv":  # quoted as Excel quotes a cell of tab-separated text: where it holds a quote, tab or break
        _check_tsv_cells(frame)
        frame.to_csv(path, sep="\t", header=False, index=False, lineterminator="\r\n", encoding="utf-8")
    elif kind == "jsonl":
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            columns = list(frame.columns)
            # A NaN marks a key a JSON Lines record lacked (its values are objects); in a typed column
            # (Parquet's floats) it is a value, written as NaN.
            may_lack = [frame[column].dtype == object for column in columns]
            for values in frame.itertuples(index=False, name=None):  # to_dict would make a JsonNaN a float
                kept = {k: None if v is pd.NA or v is pd.NaT else v for k, v, lack in zip(columns, values, may_lack)
                        if not (lack and type(v) is float and v != v)}
                f.write(json_text(kept) + "\n")
    elif kind == "xlsx":
        _write_excel_part(frame, path)
    else:
        write_parquet_part(frame, path)


def write_archive(frames, output: Path, sheet_title: str = "tagged", *, wide=(),
                  marked: str | None = None, number_formats: dict | None = None, layout=None) -> None:
    """``frames`` (a DataFrame, or DataFrames of the same columns, each held in memory only while it
    is written) as one whole archive at ``output`` (format by its extension), written the way
    tagging writes its outputs: text stays text (never a formula), types are kept (``wide``,
    ``marked``, ``number_formats`` and ``layout`` as for :func:`join_parts`: a reader's ``layout`` is whole once
    ``frames``, its chunks, are all read)."""
    output = Path(output)
    kind = archive_format(output)
    parts, columns = [], None
    try:
        for frame in [frames] if isinstance(frames, pd.DataFrame) else frames:
            columns = [str(c) for c in frame.columns] if columns is None else columns
            parts.append(working_name(output, f"part{len(parts)}"))
            write_part(frame, kind, parts[-1])
        join_parts(parts, columns or [], kind, output, sheet_title, wide=wide, marked=marked,
                   number_formats=number_formats, layout=layout)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)


def join_parts(parts: list, columns: list, kind: str, output: Path, sheet_title: str = "tagged", *, wide=(),
               marked: str | None = None, number_formats: dict | None = None, layout=None, rows_done=None) -> list:
    """Join spool ``parts`` (in order) into ``output``: header first, parts streamed one at a time.
    For an .xlsx output: ``sheet_title`` names its sheet, the columns named in ``wide`` (long
    texts) are drawn wide, rows whose ``marked`` column is True are filled yellow, and the numbers,
    dates and times of a column in ``number_formats`` ({column: {kind: Excel number format}}, as a
    workbook read gave them: see ``format_kind``) are shown in its format for their kind, and the hidden
    columns and rows, links and comments of the workbook read (its reader's :class:`SheetLayout`) are kept. Returns
    the columns written as text because Parquet cannot hold their mix of types in one column.
    ``rows_done(n)`` is told of the rows written as an .xlsx output (far the slowest) takes shape."""
    if kind in ("csv", "tsv"):
        with open(output, "wb") as out:
            header = io.StringIO()
            csv.writer(header, delimiter="," if kind == "csv" else "\t", lineterminator="\r\n").writerow(columns)
            out.write(codecs.BOM_UTF8 + header.getvalue().encode("utf-8"))
            _append_files(parts, out)
    elif kind == "jsonl":
        with open(output, "wb") as out:
            _append_files(parts, out)
    elif kind == "parquet":
        return join_parquet(parts, output)
    else:
        _join_excel(parts, columns, output, sheet_title, wide, marked, number_formats or {}, layout, rows_done)
    return []


def _append_files(paths, out) -> None:
    for path in paths:
        with open(path, "rb") as f:
            shutil.copyfileobj(f, out, 1 << 20)


# How a chunk's values are written into its part. A resumed run joins the parts of the run before
# with its own, so a release that writes values otherwise changes this, and checkpoints of another
# are not resumed (they would mix two ways of writing one column).
# 2 (2026-12-05): time spans as 36:00:00 or as spans; days beside moments as moments; TRUE/FALSE or dates
# beside numbers as text; Parquet dates in text outputs as other inputs' are.
# 3 (2026-12-05, afternoon): a NaN of a typed column kept in JSON Lines; decimals and dates inside lists
# and objects as their text (a moment at midnight as its day), JSON numbers a double would round as written
# wherever they sit; lists and objects in a Parquet column of mixed types as JSON.
# 4 (2026-12-05, night): a workbook's booleans in CSV and TSV as Excel writes them (TRUE), a JSON record's as JSON does.
# 5 (2026-12-05, night): a workbook's error cells as errors in .xlsx parts.
# 6 (2026-12-05, night): Parquet binary values that are UTF-8 as their text, not as Python shows bytes.
# 7 (2026-12-05, late): every boolean in CSV and TSV as Excel writes it (TRUE): a JSON record's, a Parquet
#   column's, tags'.
# 8 (2026-12-06): a Parquet column of objects holding an empty one ({}) as JSON text; UUIDs in CSV and TSV as
#   their text.
# 9 (2026-12-06): in Parquet parts, a JSON record's NaN as NaN (beside words as text) and its "" as "" (beside
#   numbers, the column as text), no longer nulls.
# 10 (2026-12-06): Parquet maps in CSV, TSV, JSON Lines and .xlsx parts as JSON objects, not as lists of pairs.
PARTS = 10


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


def _write_excel_part(frame: pd.DataFrame, path: Path) -> None:
    """One chunk of an .xlsx output, as typed JSON lines; a cell longer than Excel holds is refused."""
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            long = holding(frame[column], lambda v: isinstance(v, str) and len(v) > XLSX_MAX_CELL)
            if long.any():
                value = frame[column][long].iloc[0]
                raise ArchiveError(f"column {column!r} holds a text of {len(value):,} characters ({value[:20]!r}…); "
                                   f"an Excel cell holds at most {XLSX_MAX_CELL:,}: write CSV, JSONL or Parquet instead",
                                   "beyond_excel")
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
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheets, header, rows = [workbook.create_sheet(sheet_title)], [], [0]  # rows: of the last sheet

    def append(texts) -> None:
        sheet = sheets[-1]
        pieces = [[text[at:at + XLSX_MAX_CELL] for at in range(0, len(text), XLSX_MAX_CELL)] or [""] for text in texts]
        cells = [WriteOnlyCell(sheet, value=excel_text(part)) for part in [parts[0] for parts in pieces] + [
            part for parts in pieces for part in parts[1:]]]
        for cell in cells:
            cell.data_type = "s"
        sheet.append(cells)
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
    except BaseException:  # their temporary files, which saving would have removed
        for sheet in sheets:
            sheet.close()
            sheet._writer.cleanup()
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
    hidden = record in layout.hidden_records
    if hidden:
        sheet.row_dimensions[number].hidden = True
    sheet.append(row)
    if hidden:  # written: not held for every hidden row of a filtered sheet
        del sheet.row_dimensions[number]


def _join_excel(parts, columns, output, sheet_title: str, wide, marked, number_formats: dict, layout=None,
                rows_done=None):
    """One sheet as a person wants it: values with their types (text always as text, never a
    formula), the header frozen with a filter on it, columns sized, and rows needing review marked;
    what the workbook read held beside its values kept (``layout``, see :func:`_keep_layout`)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
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

    def cell(value, fill=None, shown=()):
        value = _untyped(value)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > DOUBLE_EXACT:
            value = str(value)  # Excel keeps numbers as doubles: an order number this long would be rounded
        if isinstance(value, ExcelError) and value in ERROR_CODES:  # (one Excel does not know stays its text)
            item = WriteOnlyCell(sheet, value=str(value))
            item.data_type = "e"
        elif isinstance(value, str):
            item = WriteOnlyCell(sheet, value=excel_text(value))
            item.data_type = "s"  # "=SUM(…)" and "#N/A" are the user's text, never a formula or an error
        else:
            item = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.datetime):
                item.number_format = "yyyy-mm-dd hh:mm:ss" if value.time() != datetime.time() else "yyyy-mm-dd"
            elif isinstance(value, datetime.date):
                item.number_format = "yyyy-mm-dd"
            elif isinstance(value, datetime.timedelta):
                item.number_format = "[h]:mm:ss"
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
        header.append(item)
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
    except BaseException:  # refused, or Ctrl-C: a writer left to the garbage collector prints a traceback
        sheet.close()
        sheet._writer.cleanup()  # its temporary file, which saving would have removed
        raise
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{rows}"
    workbook.save(output)
