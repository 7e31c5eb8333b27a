"""Parquet archives, read a few rows at a time with Arrow types kept."""
import json

import numpy as np
import pandas as pd

from ._archive import ArchiveReader, Chunk, check_header

# Rows decoded at a time, a chunk being put together from such pieces: Parquet stores a repeated long text
# in almost nothing, so a batch of a chunk's rows could take gigabytes once decoded.
PIECE_ROWS = 200

# Key-value metadata by which a program reads a Parquet file back as the frame it wrote (pandas, Spark)
FRAME_RECORDS = (b"pandas", b"org.apache.spark.sql.parquet.row.metadata")


def _row_chars(batch) -> np.ndarray:
    """Characters of text in each row of an Arrow record ``batch``: of its string columns, and the bytes
    of its binary ones (texts stored as binary, as Hive and Impala store strings, are at most as long)."""
    chars = np.zeros(batch.num_rows, dtype=np.int64)
    for column in batch.columns:
        lengths = _value_chars(column)
        if lengths is not None:
            chars += lengths.to_numpy(zero_copy_only=False)
    return chars


def _value_chars(column):
    """The characters of each value of an Arrow string ``column`` (bytes of a binary one; nulls 0), of a dictionary
    of either too (a pandas categorical, which Parquet keeps once a text and reading gives whole); None for others."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return pc.fill_null(pc.utf8_length(column), 0)
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        return pc.fill_null(pc.binary_length(column), 0)
    if pa.types.is_dictionary(column.type):
        lengths = _value_chars(column.dictionary)
        return None if lengths is None else pc.fill_null(pc.take(lengths, column.indices), 0)
    return None


def _row_labels(pandas_key: bytes | None, fields: list) -> dict | None:
    """How pandas labels a frame's rows, from its ``pandas`` key, which a Parquet output keeps: the RangeIndex it wrote
    in its key alone (1, 2, 3, … of ``df.iloc[1:]``), as pandas reads it (kind range, start, stop, step, name), or the
    ``fields`` it stored an index as (a named one, a MultiIndex, labels no range describes: kind columns, their fields
    and their levels' names); None where there are none, no key, or one pandas cannot read (a key edited by hand must
    not make the tagged file unreadable)."""
    try:
        key = json.loads(pandas_key or b"{}")
        labels = key.get("index_columns")
        if isinstance(labels, list) and labels and all(isinstance(label, str) for label in labels):
            return _stored_index(key, labels, fields)
        one = labels[0] if isinstance(labels, list) and len(labels) == 1 else None
        if not isinstance(one, dict) or one.get("kind") != "range":
            return None
        made = pd.RangeIndex(one["start"], one["stop"], one["step"], name=one.get("name"))  # as pyarrow makes it
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):  # not pandas' JSON, nor its range
        return None
    return {"kind": "range", "name": made.name, "start": made.start, "stop": made.stop, "step": made.step}


def _stored_index(key: dict, labels: list, fields: list) -> dict | None:
    """The index pandas stored as the columns ``labels`` (each a field of ``fields``, once), named as its key's
    ``columns`` name them (a text or none, as pandas writes them), or None where the key says otherwise."""
    names = {entry.get("field_name", entry.get("name")): entry.get("name") for entry in key.get("columns", [])}
    if len(set(labels)) < len(labels) or not all(label in fields and label in names for label in labels):
        return None
    if not all(names[label] is None or isinstance(names[label], str) for label in labels):
        return None
    return {"kind": "columns", "columns": list(labels), "names": [names[label] for label in labels]}


def _without_views(schema):
    """``schema`` with its string_view and binary_view fields (as pyarrow reads back what it, or a polars frame, wrote
    so) as large_string and large_binary: the same values, of types pandas and Arrow's kernels (take, length) know."""
    import pyarrow as pa

    views = {pa.string_view(): pa.large_string(), pa.binary_view(): pa.large_binary()}
    return pa.schema([field.with_type(views.get(field.type, field.type)) for field in schema], metadata=schema.metadata)


def _frame(table) -> pd.DataFrame:
    # Without pandas' metadata: an index pandas stored becomes a column again, as the header says; dropped, not just
    # ignored, as pyarrow parses it even so (a damaged key stopped the reading).
    return table.replace_schema_metadata(None).to_pandas(types_mapper=pd.ArrowDtype, ignore_metadata=True)


class ParquetReader(ArchiveReader):
    """Parquet rows, with every column keeping its Arrow type."""

    def chunks(self):
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(self.path)
        self.total = parquet.metadata.num_rows
        self.columns = check_header(parquet.schema_arrow.names, self.path)
        for field in parquet.schema_arrow:  # a field's note on what it holds, as a workbook's on a column name
            kept = dict(field.metadata or {})
            note = kept.get(b"description")
            if note:
                try:
                    self.layout.header_comments[field.name] = (note.decode("utf-8"), "")
                    del kept[b"description"]
                except UnicodeDecodeError:  # a Chinese Windows program's GB18030: read so, and kept as it was
                    self.layout.header_comments[field.name] = (note.decode("gb18030", "replace"), "")
            if kept:  # its other keys (a unit), which a Parquet output keeps on the same field
                self.layout.field_metadata[field.name] = kept
        # The file's own keys (an owner, a producer's notes), but not a record of the frame it was written from, which
        # the output's columns no longer match: pandas' (its index, its dtypes; read here as plain columns) and Spark's
        # (the schema Spark reads the file by: the added columns would be missing from it). Of pandas' key, the
        # rows' labels are kept (a RangeIndex of no column, or the columns an index is stored as), to label the
        # output's rows so.
        self.layout.file_metadata.update((key, value) for key, value in (parquet.schema_arrow.metadata or {}).items()
                                         if key not in FRAME_RECORDS)
        self.layout.row_labels = _row_labels((parquet.schema_arrow.metadata or {}).get(b"pandas"),
                                             parquet.schema_arrow.names)
        size, readable = self.rows_per_chunk(), _without_views(parquet.schema_arrow)
        viewed = not readable.equals(parquet.schema_arrow)
        pieces, held, chars, index, done = [], 0, 0, 0, 0
        for batch in parquet.iter_batches(batch_size=min(size, PIECE_ROWS)):
            batch = batch.cast(readable) if viewed else batch
            reached = np.cumsum(_row_chars(batch))  # characters up to and with each row of the batch
            start = 0
            while start < batch.num_rows:  # up to the chunk's rows, or through the row its text reaches the limit at
                before = reached[start - 1] if start else 0
                stop = min(batch.num_rows, start + size - held)
                full = np.flatnonzero(chars + reached[start:stop] - before >= self.max_chunk_text)
                stop = start + int(full[0]) + 1 if len(full) else stop
                pieces.append(batch.slice(start, stop - start))
                held, chars, start = held + stop - start, chars + int(reached[stop - 1] - before), stop
                if held >= size or chars >= self.max_chunk_text:
                    yield self._chunk(index, pieces, done)
                    pieces, done, index, held, chars = [], done + held, index + 1, 0, 0
        if pieces:
            yield self._chunk(index, pieces, done)
        elif index == 0:
            yield Chunk(0, _frame(readable.empty_table()), [], 0)

    def _chunk(self, index: int, pieces, done: int) -> Chunk:
        """The chunk ``index`` of the record batches ``pieces``, after ``done`` rows."""
        import pyarrow as pa

        rows = sum(piece.num_rows for piece in pieces)
        return Chunk(index, _frame(pa.Table.from_batches(pieces).combine_chunks()), [], done + rows, 0,
                     [f"row {n}" for n in range(done + 1, done + rows + 1)])
