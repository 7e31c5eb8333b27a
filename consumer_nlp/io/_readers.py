"""Where archives enter: the chunked reader for a file (CSV, TSV, XLSX and .xls, JSONL or Parquet).

Readers hand out chunks as DataFrames whose values are exactly those of the file (CSV and XLSX
cells as strings, JSON and Parquet values with their types) and report rows they cannot parse,
with the line or sheet row they are on, instead of dropping them.
"""
from pathlib import Path

from ..exceptions import ArchiveError
from ._archive import WORKBOOKS, ArchiveReader, archive_format, check_content
from ._delimited import DelimitedReader
from ._jsonl import JsonLinesReader
from ._parquet import ParquetReader
from ._xls import XlsReader
from ._xlsx import ExcelReader


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
        raise ArchiveError(f"sheet=NAME applies to workbooks (.xlsx, .xls), not to {path}", "not_for_format",
                           parameter="sheet", format=kind)
    if kind in ("csv", "tsv"):
        return DelimitedReader(path, encoding, chunk_size, delimiter="," if kind == "csv" else "\t",
                               header_row=header_row)
    if header_row != 1:
        raise ArchiveError(f"header_row=N applies to workbooks and CSV or TSV files, not to {path}", "not_for_format",
                           parameter="header_row", format=kind)
    return {"jsonl": JsonLinesReader, "parquet": ParquetReader}[kind](path, encoding, chunk_size)
