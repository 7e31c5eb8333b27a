"""Where archives leave: tagged chunks written as parts, and parts joined into one output file."""
import codecs
import csv
import datetime
import io
import re
import shutil
from pathlib import Path

import pandas as pd

from ._archive import archive_format
from ._cells import cell_text
from ._columns import TAG_COLUMNS
from ._excel_out import join_excel, write_excel_part
from ._json_text import json_text
from ._jsonl import JsonNaN
from ._parquet_out import join_parquet, write_parquet_part
from ._paths import working_name
from ._text_escapes import SURROGATE, without_surrogates


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
            # (Parquet's floats) it is a value, written as NaN; in a tag column (the confidence of a row of column
            # names, which was not tagged) it is no value, written null.
            may_lack = [frame[column].dtype == object for column in columns]
            tags = [column in TAG_COLUMNS for column in columns]
            for values in frame.itertuples(index=False, name=None):  # to_dict would make a JsonNaN a float
                kept = {k: None if v is pd.NA or v is pd.NaT or tag and type(v) is float and v != v else v
                        for k, v, lack, tag in zip(columns, values, may_lack, tags)
                        if not (lack and type(v) is float and v != v)}
                f.write(json_text(kept) + "\n")
    elif kind == "xlsx":
        write_excel_part(frame, path)
    else:
        write_parquet_part(frame, path)


def write_archive(frames, output: Path, sheet_title: str = "tagged", *, wide=(),
                  marked: str | None = None, number_formats: dict | None = None, layout=None,
                  notes: dict | None = None) -> None:
    """``frames`` (a DataFrame, or DataFrames of the same columns, each held in memory only while it
    is written) as one whole archive at ``output`` (format by its extension), written the way
    tagging writes its outputs: text stays text (never a formula), types are kept (``wide``,
    ``marked``, ``number_formats``, ``layout`` and ``notes`` as for :func:`join_parts`: a reader's ``layout`` is whole
    once ``frames``, its chunks, are all read)."""
    output = Path(output)
    kind = archive_format(output)
    parts, columns = [], None
    try:
        for frame in [frames] if isinstance(frames, pd.DataFrame) else frames:
            columns = [str(c) for c in frame.columns] if columns is None else columns
            parts.append(working_name(output, f"part{len(parts)}"))
            write_part(frame, kind, parts[-1])
        join_parts(parts, columns or [], kind, output, sheet_title, wide=wide, marked=marked,
                   number_formats=number_formats, layout=layout, notes=notes)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)


def join_parts(parts: list, columns: list, kind: str, output: Path, sheet_title: str = "tagged", *, wide=(),
               marked: str | None = None, number_formats: dict | None = None, layout=None, rows_done=None,
               notes: dict | None = None) -> list:
    """Join spool ``parts`` (in order) into ``output``: header first, parts streamed one at a time.
    For an .xlsx output: ``sheet_title`` names its sheet, the columns named in ``wide`` (long
    texts) are drawn wide, rows whose ``marked`` column is True are filled yellow, and the numbers,
    dates and times of a column in ``number_formats`` ({column: {kind: Excel number format}}, as a
    workbook read gave them: see ``format_kind``) are shown in its format for their kind, and the hidden
    columns and rows, links and comments of the workbook read (its reader's :class:`SheetLayout`) are kept, and the
    header cells of the columns in ``notes`` ({column: text}) carry that text as a note (an Excel comment); in a
    Parquet output, their fields carry it as metadata, as do those of the input's columns whose names bore a note;
    a Parquet input's other field metadata, its own key-value metadata and its rows' labels (the layout's) are kept
    there too.
    Returns the columns written as text because Parquet cannot hold their mix of types in one column.
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
        kept = {name: text for name, (text, _) in layout.header_comments.items()} if layout is not None else {}
        return join_parquet(parts, output, {**kept, **(notes or {})}, *(
            (layout.field_metadata, layout.file_metadata, layout.row_labels) if layout is not None else ()))
    else:
        join_excel(parts, columns, output, sheet_title, wide, marked, number_formats or {}, layout, rows_done,
                   notes or {})
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


