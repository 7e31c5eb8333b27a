"""The downloads of a batch's result: the upload's own rows, read as the command line reads them, beside the tag
columns of the batch's Parquet copy. That copy holds one type a column, so downloads made from it alone wrote a count
with one word in it as text and 6 beside 6.5 as 6.0."""
import itertools
from pathlib import Path

import pandas as pd

from .._values import is_missing
from ..io import OutputLock, cell_text, new_file, open_archive, without_surrogates, write_archive
from ..tagging import TAG_COLUMNS, excel_layout, output_sheet


class Misaligned(Exception):
    """The upload no longer reads row for row as its tagged copy was made (the reading of files
    changed since the batch was tagged)."""


def beside(frames, tags, text_col: str):
    """Each of ``frames`` with the tag columns of the next rows of ``tags`` (frames of other lengths,
    holding ``text_col`` too, in the same row order) as its last columns. Each row's text is checked
    against the tagged copy's: a count or a text that differs is :class:`Misaligned`, never a tag
    beside another row."""
    def shown(values) -> list:  # as the copy holds them: mixed columns as text, broken emoji as U+FFFD
        return ["" if is_missing(v) else without_surrogates(cell_text(v)) for v in values]

    held = pd.DataFrame()
    for frame in frames:
        while len(held) < len(frame):
            more = next(tags, None)
            if more is None:
                raise Misaligned("the tagged copy holds fewer rows than the upload")
            held = pd.concat([held, more.reset_index(drop=True)], ignore_index=True) if len(held) else \
                more.reset_index(drop=True)
        taken, held = held.iloc[:len(frame)], held.iloc[len(frame):].reset_index(drop=True)
        if shown(frame[text_col]) != shown(taken[text_col]):
            raise Misaligned("the upload's texts differ from the tagged copy's")
        yield pd.concat([frame.reset_index(drop=True), taken[list(TAG_COLUMNS)].reset_index(drop=True)], axis=1)
    if len(held) or next(tags, None) is not None:
        raise Misaligned("the tagged copy holds more rows than the upload")


def write_download(input_path: Path, tagged_path: Path, output: Path, text_col: str, name: str,
                   number_formats: dict | None = None, header_row: int = 1) -> None:
    """Write to ``output`` (its format from its extension) the upload ``input_path``, a file named ``name``, its column
    names in ``header_row``, with the tag columns of its Parquet copy ``tagged_path``, tagged by ``text_col``;
    ``number_formats``, as tagging found the upload's, are kept in an .xlsx. A chunk at a time: the whole result in
    memory took 4.1 GB of the server for a large batch. Written whole or not at all; refused before any work while
    another writer holds ``output``."""
    with OutputLock(output, "output"):
        # the tag columns in the types tagging gives them, not Arrow's
        tags = (chunk.rows[[text_col, *TAG_COLUMNS]].astype(TAG_COLUMNS)
                for chunk in open_archive(tagged_path).chunks())
        reader = open_archive(input_path, header_row=header_row)
        frames = (chunk.rows for chunk in reader.chunks())
        first = list(itertools.islice(frames, 1))  # the sheet read is known once reading has begun
        with new_file(output, force=True) as temporary:
            write_archive(beside(itertools.chain(first, frames), tags, text_col), temporary,
                          sheet_title=output_sheet(reader, name), layout=reader.layout,
                          **excel_layout(text_col, number_formats))
