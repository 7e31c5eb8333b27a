"""Parquet parts that keep their types: a column of one Arrow type where the values allow it, as text where they
do not (numbers beside words), blank cells and a JSON record's NaN and "" kept apart, noted in each part's metadata
so that joining the parts gives each column the one type all of them hold."""
import base64
import datetime
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .._values import is_missing
from ._cells import DOUBLE_EXACT
from ._json_text import shown_text
from ._jsonl import JsonEmptyText, JsonLiteral, JsonNaN
from ._text_escapes import SURROGATE


def _mixed_as_text(frame: pd.DataFrame, also=()) -> tuple[pd.DataFrame, list]:
    """The columns a Parquet column cannot hold (numbers and words together), and the columns
    ``also``, as each value's text, as CSV output shows it (nulls stay null, a JSON NaN is nan), and their names."""
    import pyarrow as pa

    def one_type(values: pd.Series) -> bool:
        try:
            pa.array(values, from_pandas=True)
            return True
        except (pa.ArrowTypeError, pa.ArrowInvalid, OverflowError):
            return False

    def text(value):  # a NaN a JSON record wrote is a value
        return None if is_missing(value) and type(value) is not JsonNaN else shown_text(value)

    columns = {column: pd.Series([text(v) for v in frame[column]], index=frame.index, dtype=object)
               for column in frame.columns if column in also or not one_type(frame[column])}
    return frame.assign(**columns), [str(c) for c in columns]


_BLANK_COLUMNS = b"consumer_nlp.blank_columns"  # a Parquet part's columns that are "" in every row
_TEXT_COLUMNS = b"consumer_nlp.text_columns"  # a Parquet part's columns of mixed types, written as text
_DESCRIPTION = b"description"  # a joined file's field: what its column holds
_BLANK_CELLS = b"consumer_nlp.blank_cells"  # where a part's empty cells are written as nulls: a bit a row, by column


def _rows_as_bits(rows: np.ndarray) -> str:
    """A mask of rows in little space (a sparse sheet of 1,000 columns noted 29 MB a part as lists)."""
    return base64.b64encode(np.packbits(rows)).decode("ascii")


def _rows_from_bits(bits: str, n_rows: int) -> np.ndarray:
    return np.flatnonzero(np.unpackbits(np.frombuffer(base64.b64decode(bits), np.uint8))[:n_rows])


def _blank_cells_as_null(frame: pd.DataFrame) -> tuple[pd.DataFrame, list, dict]:
    """Empty cells ("", as a blank workbook cell is read, not a JSON record's "") among numbers, dates or booleans
    as nulls, since a typed Parquet column holds no text, and where they are (a mask of rows), by column (a column that
    ends as text, here or beside other chunks, gets them back as ""); and the columns blank in every
    row (every object column of a chunk of no rows), which take their type from the other chunks when the parts are
    joined, text if none has one."""
    blank, columns, cells = [], {}, {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object:
            continue
        empty = values == ""
        if empty.any():  # a JSON record's "" is a value
            empty[empty] = [type(v) is not JsonEmptyText for v in values[empty]]
        if len(values) and not empty.any():
            continue
        if empty.all():  # of a chunk of no rows too: as text, not Arrow's null type, unless other chunks say
            blank.append(str(column))
        elif not values[~empty].map(lambda v: isinstance(v, str)).any():
            columns[column] = values.where(~empty, None)
            cells[str(column)] = empty.to_numpy()
    return (frame.assign(**columns) if columns else frame), blank, cells


def _json_nans_kept(frame: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """``frame`` with each object column holding a NaN a JSON record wrote (:class:`JsonNaN`) as an Arrow column
    that holds it as a value (pyarrow takes every NaN of an object column for a missing one), and the columns where
    no Arrow type holds it beside the other values (words), to be written as text, as CSV output shows it."""
    import pyarrow as pa

    columns, as_text = {}, []
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object or not any(type(v) is JsonNaN for v in values[values.isna()]):
            continue
        try:
            kept = [v if type(v) is JsonNaN or not is_missing(v) else None for v in values]
            array = pa.array(kept, from_pandas=False)
            columns[column] = pd.Series(pd.arrays.ArrowExtensionArray(array), index=frame.index)
        except (TypeError, ValueError, OverflowError):  # pyarrow's errors are these too
            as_text.append(column)
    return (frame.assign(**columns) if columns else frame), as_text


def _beyond_arrow(value) -> bool:
    """Whether a list or object holds, at any depth, what a Parquet struct or list cannot: a number kept
    as written (:class:`JsonLiteral`, which it would hold as a string), a lone surrogate (in a value or a key), or
    an empty object (Parquet stores no struct without fields, and beside objects with keys it would gain theirs as
    nulls)."""
    if isinstance(value, dict):
        return not value or any(map(_beyond_arrow, value.values())) or any(map(_beyond_arrow, value))
    if isinstance(value, list):
        return any(map(_beyond_arrow, value))
    return isinstance(value, JsonLiteral) or isinstance(value, str) and SURROGATE.search(value) is not None


def _one_type_a_column(frame: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """``frame`` with the whole days (an .xls reads them as dates) in a column of moments as moments
    at midnight, and the columns that still hold no one type Parquet has: dates, times, spans or
    TRUE/FALSE beside numbers (a count typed into a date column; =IF(…) giving 12.5 or FALSE), or days
    beside moments with a time zone. pyarrow takes a column's type from its first value, so a day
    first dropped the times of the moments after it, a date first read the numbers as microseconds
    since 1970, and FALSE among numbers became 0."""
    def moment(value):
        return datetime.datetime.combine(value, datetime.time()) if type(value) is datetime.date else value

    columns, as_text = {}, []
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
            continue
        kinds = set(map(type, values))
        if kinds & {dict, list} and any(_beyond_arrow(v) for v in values):  # as JSON text, then
            as_text.append(column)
            continue
        numbers = any(issubclass(k, (int, float, np.number)) and not issubclass(k, (bool, np.bool_)) for k in kinds)
        if numbers and any(issubclass(k, (datetime.date, datetime.time, datetime.timedelta, bool, np.bool_))
                           for k in kinds):
            as_text.append(column)
        elif datetime.date in kinds and any(issubclass(kind, datetime.datetime) for kind in kinds):
            if any(v.tzinfo is not None for v in values if isinstance(v, datetime.datetime)):
                as_text.append(column)
            else:
                columns[column] = pd.Series([moment(v) for v in values], index=frame.index, dtype=object)
    return (frame.assign(**columns) if columns else frame), as_text


def _pandas_key(schema, row_labels: dict, rows: int) -> bytes | None:
    """pandas' record of the frame a joined file of ``schema`` holds (its columns, as pyarrow records a frame read from
    it without one), its rows labelled as the input's ``row_labels`` say (see ``_row_labels``): by its RangeIndex, or
    by the columns the input's index was stored as, named as its levels were; None where a range names other than the
    ``rows`` written, or no frame of these columns can be recorded (nothing said beats a wrong label). Labels stored as
    columns are each row's own, so they are right whichever rows are written."""
    import pyarrow as pa

    try:
        if row_labels["kind"] == "range":
            if rows != len(range(row_labels["start"], row_labels["stop"], row_labels["step"])):
                return None
            index, names = [row_labels], {}
        else:
            index, names = row_labels["columns"], dict(zip(row_labels["columns"], row_labels["names"]))
            if not set(index) <= set(schema.names):
                return None
        key = json.loads(pa.Schema.from_pandas(schema.empty_table().to_pandas(ignore_metadata=True),
                                               preserve_index=None).metadata[b"pandas"])
    except (pa.ArrowException, TypeError, ValueError, KeyError):
        return None
    columns = [{**entry, "name": names[entry["field_name"]]} if entry.get("field_name") in names else entry
               for entry in key["columns"]]
    return json.dumps({**key, "columns": columns, "index_columns": index}, ensure_ascii=False).encode()


def join_parquet(parts: list, output: Path, notes: dict | None = None, field_metadata: dict | None = None,
                 file_metadata: dict | None = None, row_labels: dict | None = None) -> list:
    """Join Parquet parts, the fields of the columns in ``notes`` ({column: text}) saying it as their metadata
    (``description``, UTF-8), where a program or a viewer reading the schema finds it, beside the keys
    ``field_metadata`` gives them ({column: {key: value}}, an input's, kept as they were: a description not in UTF-8
    too), and the file holding ``file_metadata`` (bytes to bytes, an input's own) and, given how pandas labelled the
    input's rows (``row_labels``: a RangeIndex, or an index stored as columns), a ``pandas`` key by which pandas reads
    them so; returns the columns written as text because their values are of types one column cannot hold (numbers and
    words, or whole numbers a double cannot hold exactly)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    # Chunks may see a column differently (whole numbers in one, 12.5 in the next): widen to the type
    # that holds both. A column blank in every row of a chunk takes the others' type, as nulls unless
    # that is text. What no type holds is text, as in CSV output.
    footers = [pq.read_metadata(p) for p in parts]  # each part's footer read once: its schema and its rows
    schemas = [footer.schema.to_arrow_schema() for footer in footers]
    noted = [{key: set(json.loads((s.metadata or {}).get(key, b"[]"))) for key in (_BLANK_COLUMNS, _TEXT_COLUMNS)}
             for s in schemas]
    blanks = [note[_BLANK_COLUMNS] for note in noted]
    as_text = [name for name in schemas[0].names if any(name in note[_TEXT_COLUMNS] for note in noted)]
    fields = []
    for name in schemas[0].names:
        types = [s.field(name).type for s, blank in zip(schemas, blanks) if name not in blank]
        moments = [t for t in types if pa.types.is_timestamp(t)]
        if moments and all(pa.types.is_timestamp(t) or pa.types.is_date32(t) or pa.types.is_null(t) for t in types):
            types = [moments[0] if pa.types.is_date32(t) else t for t in types]  # whole days are moments at 0:00
        try:
            kind = pa.unify_schemas([pa.schema([pa.field(name, t)]) for t in types] or [pa.schema([(name, pa.null())])],
                                    promote_options="permissive").field(name).type
        except (pa.ArrowTypeError, pa.ArrowInvalid, NotImplementedError):
            kind = None
        if any(pa.types.is_boolean(t) for t in types) and any(pa.types.is_integer(t) or pa.types.is_floating(t)
                                                               for t in types):
            kind = None  # TRUE and FALSE are no 1 and 0
        if kind is not None and pa.types.is_floating(kind) and any(pa.types.is_integer(t) for t in types):
            exact = [pq.read_table(p, columns=[name]).column(name) for p, s in zip(parts, schemas)
                     if pa.types.is_integer(s.field(name).type)]
            if any(len(c) and c.null_count < len(c)
                   and (pc.max(c).as_py() > DOUBLE_EXACT or pc.min(c).as_py() < -DOUBLE_EXACT) for c in exact):
                kind = None  # a double would round these whole numbers
        if kind is None:
            as_text += [] if name in as_text else [name]
            kind = pa.string()
        elif pa.types.is_null(kind) and any(name in blank for blank in blanks):
            kind = pa.string()
        note = (notes or {}).get(name)
        # an input's own keys as they were (a description not in UTF-8 too); the added fields' notes are their own
        metadata = {**({} if note is None else {_DESCRIPTION: note.encode()}), **(field_metadata or {}).get(name, {})}
        fields.append(pa.field(name, kind, metadata=metadata or None))
    # Without the parts' metadata: ours, and pandas' of the frames the parts were written from, whose Arrow-backed
    # types (a dictionary's) pandas and Dask could not read back.
    schema = pa.schema(fields, metadata=file_metadata or None)
    pandas_key = None if row_labels is None else _pandas_key(schema, row_labels,
                                                             sum(footer.num_rows for footer in footers))
    if pandas_key is not None:
        schema = schema.with_metadata({**(file_metadata or {}), b"pandas": pandas_key})
    with pq.ParquetWriter(output, schema) as writer:
        for part, schema_of_part, blank in zip(parts, schemas, blanks):
            table = pq.read_table(part)
            blank_cells = json.loads((schema_of_part.metadata or {}).get(_BLANK_CELLS, b"{}"))
            for index, field in enumerate(schema):
                column = table.column(field.name)
                if field.name in blank and not pa.types.is_string(field.type):
                    table = table.set_column(index, field.name, pa.nulls(len(table), field.type))
                elif pa.types.is_string(field.type) and (not pa.types.is_string(column.type)
                                                         or field.name in blank_cells):
                    # as text, and the blanks this part wrote as nulls "" again (a "" beside nulls alone
                    # made the part's column null-typed)
                    values = [None if v is None else v if isinstance(v, str) else shown_text(v)
                              for v in column.to_pylist()]
                    for row in _rows_from_bits(blank_cells.get(field.name, ""), len(values)):
                        values[row] = ""
                    table = table.set_column(index, field.name, pa.array(values, pa.string()))
            writer.write_table(table.cast(schema))
    return as_text


def write_parquet_part(frame: pd.DataFrame, path: Path) -> None:
    """One chunk as a Parquet part: its types kept where a column holds one, and noted in its metadata what
    joining the parts needs (columns blank in every row, columns written as text, where blank cells are)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame, no_one_type = _one_type_a_column(frame)
    frame, blank, blank_cells = _blank_cells_as_null(frame)
    frame, nan_beside_words = _json_nans_kept(frame)
    no_one_type += [column for column in nan_beside_words if column not in no_one_type]
    as_text, table = [], None
    if not no_one_type:
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowTypeError, pa.ArrowInvalid, OverflowError):  # OverflowError: an int beyond 64 bits
            pass
    if table is None:
        frame, as_text = _mixed_as_text(frame, also=no_one_type)
        for column in as_text:
            for row in np.flatnonzero(blank_cells.pop(column, [])):
                frame.iat[row, frame.columns.get_loc(column)] = ""
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowTypeError, pa.ArrowInvalid) as error:
            raise ValueError(f"cannot write these rows as Parquet: {error}") from None
    metadata = {**(table.schema.metadata or {}), _BLANK_COLUMNS: json.dumps(blank).encode(),
                _TEXT_COLUMNS: json.dumps(as_text).encode(),
                _BLANK_CELLS: json.dumps({c: _rows_as_bits(rows) for c, rows in blank_cells.items()}).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), path)
