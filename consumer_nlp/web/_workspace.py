"""The workspace folder: uploaded archives and what is made from them, under names the server
chooses. No name a user sends ever becomes part of a path: batches are addressed by a random id."""
import codecs
import datetime
import json
import re
import secrets
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from .._moments import shown_time
from ..exceptions import ArchiveError, LabeledDataError
from ..io import (cell_text, find_text_column, names_row_below, new_file, open_archive, record_in_header, remove_aside,
                  sweep_removals, write_json)
from ..messages import (blank_text_column_note, fix_in_chinese, headline, held_elsewhere_in_chinese, place_in_chinese,
                        problem_in_chinese)
from ..tagging import check_untagged
from ._security import Refused

UPLOAD_FORMATS = {".csv": "csv", ".tsv": "tsv", ".txt": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsm", ".xls": "xls",
                  ".jsonl": "jsonl", ".parquet": "parquet"}
DOWNLOAD_FORMATS = ("csv", "xlsx", "jsonl", "parquet")  # the first, offered first, is written as tagging ends
_BATCH_ID = re.compile(r"[0-9a-f]{32}")
_META = "batch.json"
_LETTER = re.compile(r"[^\W\d_]")
_HEADED = {"csv", "tsv", "xlsx", "xlsm", "xls"}  # first row names the columns (JSON and Parquet name them by key)


def recorded_moment(moment: datetime.datetime | None = None) -> str:
    """A moment (default: now) as a batch's record (and a retraining's) keeps it: ISO 8601 to the second, with its
    offset, so that it is shown in the server's local time whatever zone the server was kept in then."""
    return (moment or datetime.datetime.now()).astimezone().isoformat(timespec="seconds")


def shown_moment(recorded: str | None, *, seconds: bool = False) -> str | None:
    """A moment of a record (:func:`recorded_moment`) as the pages show it (``_moments.shown_time``), to the minute, or
    to the ``seconds`` where two in one minute must be told apart (uploads of the same name). Records written before
    2026-12-06 hold the moment as it was shown then (the server's clock, no offset): shown so, as is one local time
    cannot hold (year 1 or 9999: a damaged record), rather than stop the page."""
    try:
        moment = datetime.datetime.fromisoformat(recorded) if isinstance(recorded, str) else None
        return recorded if moment is None or moment.utcoffset() is None else shown_time(moment, seconds=seconds)
    except (ValueError, OverflowError):
        return recorded


def shown_id(batch_id: str) -> str:
    """A batch's code as the pages show it beside its name (批次号): its id's first six characters, as its address
    begins, which tell apart uploads of one name in one second, and batches uploaded before their time was kept."""
    return batch_id[:6]


class NoBatch(Refused):
    """A batch that is not there: never was, or deleted (a job on it then ends so, as the desk meant)."""

    def __init__(self, status: int = 404, message: str = "没有这个批次。"):
        super().__init__(status, message)


class TitleAbove(Refused):
    """An upload whose column names look to be in a later ``row`` (a title or group row above them): the batch is
    kept and its page offers that row (``header_row``, as ``consumer-nlp tag --header-row`` reads it)."""

    def __init__(self, status: int, message: str, row: int):
        super().__init__(status, message)
        self.row = row

    def __reduce__(self):  # rebuilt from its fields in another process (an upload is checked in one)
        return type(self), (self.status, self.message, self.row)


class Workspace:
    """Batches in ``root``: each a folder ``<id>/`` with the upload ``input.<ext>``, ``batch.json``
    and, once tagged, the result's Parquet copy ``tagged.<result>.parquet``. Uploads above ``max_bytes`` are refused.
    ``check`` runs :func:`find_text_columns` on an upload (the web runs it in a process of its own, ``_checking``)."""

    def __init__(self, root, max_bytes: int, check=None):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        sweep_removals(self.root)  # batches whose deletion could not remove every file (:meth:`discard`)
        self.max_bytes = max_bytes
        self.check = check or find_text_columns
        self._updating = threading.Lock()  # job threads and requests update batch records at once

    def folder(self, batch_id: str) -> Path:
        """The folder of an existing batch; anything that is not a batch id is not found."""
        if not isinstance(batch_id, str) or not _BATCH_ID.fullmatch(batch_id):
            raise NoBatch()
        folder = (self.root / batch_id).resolve()
        if folder.parent != self.root or not (folder / _META).is_file():
            raise NoBatch()
        return folder

    def meta(self, batch_id: str) -> dict:
        return json.loads((self.folder(batch_id) / _META).read_text("utf-8"))

    def update(self, batch_id: str, **values) -> dict:
        """The batch's record with ``values`` set, as stored (replaced whole, one update at a time)."""
        with self._updating:
            meta = {**self.meta(batch_id), **values}
            write_json(self.folder(batch_id) / _META, meta)
        return meta

    def input_path(self, batch_id: str) -> Path:
        return self.folder(batch_id) / f"input{self.meta(batch_id)['suffix']}"

    def tagged_path(self, batch_id: str, meta: dict | None = None) -> Path:
        """The Parquet copy of the result the batch's record names (``meta``: that record, read once by a request
        that also names files made from it); batches tagged before it was named by its result: ``tagged.parquet``."""
        return self.folder(batch_id) / (meta or self.meta(batch_id)).get("tagged", "tagged.parquet")

    def tagging_path(self, batch_id: str) -> Path:
        """Where a tagging writes the batch's new result until :meth:`new_result` names it: one name for every run,
        so that a run stopped with the server goes on from its checkpoint beside it (``.tagging.parquet.parts``)."""
        return self.folder(batch_id) / "tagging.parquet"

    def made_from_result(self, batch_id: str, name: str, result: str | None = None) -> Path:
        """Where a file made from the batch's tagged result (a download, the review queue, its Parquet copy) is kept:
        named by that result, so that one begun before the batch was tagged again, and finished after, is never
        taken for one made from the new result. ``result``: the name of a result (default: the one recorded)."""
        stem, _, suffix = name.partition(".")
        return self.folder(batch_id) / f"{stem}.{result or recorded_result(self.meta(batch_id))}.{suffix}"

    def new_result(self, batch_id: str, result: str, **values) -> dict:
        """Record that the batch's tagged result was replaced by the one a tagging wrote (:meth:`tagging_path`), named
        ``result`` (:func:`result_name`; with ``values`` for its record): its Parquet copy is named by it before the
        record names it, and what was made from the results before is removed only after, so that a request always
        finds the files of the result the record it read names."""
        tagged = self.made_from_result(batch_id, "tagged.parquet", result)
        self.tagging_path(batch_id).replace(tagged)
        meta = self.update(batch_id, result=result, tagged=tagged.name, **values)
        kept = {_META, self.input_path(batch_id).name}
        # made from a result: "tagged.<result>.parquet", "download.<result>.xlsx" ("tagged.parquet": named by none)
        for path in self.folder(batch_id).iterdir():  # hidden: being written
            if path.name not in kept and not path.name.startswith(".") and path.is_file() \
                    and path.name.split(".")[1:2] != [meta["result"]]:
                path.unlink(missing_ok=True)
        return meta

    async def save_upload(self, upload) -> str:
        """Store an uploaded file (a Starlette ``UploadFile``) as a new batch; returns its id.
        Refused, with a message for the page: a format not accepted, too large, empty."""
        name = Path(_sent_name(upload.filename or "")).name
        suffix = Path(name).suffix.lower()
        if len(name) > 200:  # a long name is cut, its extension kept
            name = name[:200 - len(suffix)] + name[len(name) - len(suffix):]
        if suffix not in UPLOAD_FORMATS:
            raise Refused(400, "不支持这种文件格式：请上传 CSV、制表符分隔的文本、Excel（XLSX、XLS）、JSONL 或 Parquet "
                               "文件（扩展名 .csv、.tsv、.txt、.xlsx、.xlsm、.xls、.jsonl、.parquet）。")
        batch_id = secrets.token_hex(16)
        folder = self.root / batch_id
        folder.mkdir()
        size = 0
        try:  # whole, and on the disk, before its record below says the batch is there (or not at all)
            with new_file(folder / f"input{suffix}", force=False, what="upload") as temporary:
                with open(temporary, "wb") as out:
                    while block := await upload.read(1 << 20):
                        size += len(block)
                        if size > self.max_bytes:
                            raise Refused(413, f"文件太大：上限是 {self.max_bytes / 1e6:.0f} MB。")
                        out.write(block)
                # nothing, or nothing but Excel's byte-order mark and blank lines
                if size == 0 or (size <= 64 and not temporary.read_bytes().removeprefix(codecs.BOM_UTF8).strip()):
                    raise Refused(400, "文件是空的：请选择有内容的文件。")
        except BaseException:  # refused, or the upload cut off: its working copy is gone, and so goes its folder
            folder.rmdir()
            raise
        uploaded = recorded_moment()  # (two in one second are told apart by their code, shown_id)
        write_json(folder / _META, {"name": name, "suffix": suffix, "uploaded": uploaded})
        return batch_id

    def discard(self, batch_id: str) -> None:
        """Remove a batch and everything made from it (an upload that cannot be used, or one the
        desk deletes): gone at once, its folder moved aside whole, so that a job writing in it meanwhile (a download,
        a review queue) fails as the batch's deletion (:class:`NoBatch`) rather than make the removal fail half done;
        what could not be removed is swept as the server starts again."""
        remove_aside(self.folder(batch_id))

    def text_columns(self, batch_id: str) -> tuple[list, str | None]:
        """The columns of a batch's archive that hold text, and the one found by name (or None),
        found once and kept in the batch's record (the upload never changes). Refused with a Chinese
        message when the file cannot be read or has no text column; :class:`TitleAbove`, kept in the record too
        (``title_above``), when its names look to be in a later row. The record also keeps ``blank_text_col``, the
        column named as the text's that holds none (:func:`find_text_columns`), and ``header_row``, the row of the
        names the desk chose (:meth:`choose_header_row`; none: the first)."""
        meta = self.meta(batch_id)
        if meta.get("title_above"):
            raise TitleAbove(400, *meta["title_above"])
        if "columns_with_text" not in meta:  # (its "text_columns" are the ones tagging wrote as text)
            try:
                meta = self.update(batch_id, **self.check(self.input_path(batch_id), meta.get("header_row", 1)))
            except TitleAbove as above:
                self.update(batch_id, title_above=[above.message, above.row])
                raise
        return meta["columns_with_text"], meta["found_text_col"]

    def choose_header_row(self, batch_id: str, row: str) -> None:
        """Read the batch's upload with its column names in ``row`` (as sent by the page: a number from 1), and keep
        its text columns and that row in its record; refused, the record unchanged, when the row is no number of a row
        or the upload cannot be read so (past its end, a blank row, still a title above)."""
        if not row.strip().isdecimal() or int(row) < 1:
            raise Refused(400, f"列名所在的行要填从 1 数起的行号，「{row.strip()[:20]}」不行。")
        found = self.check(self.input_path(batch_id), int(row))
        self.update(batch_id, header_row=int(row), title_above=None, **found)


def upload_rows(input_path: Path, header_row: int = 1) -> Callable[[int], int]:
    """Where the upload ``input_path`` has each record of its Parquet copy (given by its number from 1, as the copy's
    places are): its row as Excel shows a CSV or a sheet (a blank line, a text over two lines or a title row above the
    names moves it), a JSON Lines file's line; what the desk finds a row named by. Read once per upload (its path, size
    and modification time), not at each view of its report: an upload never changes. ``header_row``: the row of its
    column names (the batch's record keeps it)."""
    seen = Path(input_path).stat()
    places = _upload_places(str(input_path), seen.st_size, seen.st_mtime_ns, header_row)
    return lambda record: int(places[record - 1])


@lru_cache(maxsize=8)  # the batches last viewed: 1.6 MB a 200,000-row upload
def _upload_places(path: str, size: int, mtime_ns: int, header_row: int) -> np.ndarray:
    """The places of the upload at ``path`` (see :func:`upload_rows`), kept by the file's identity: ``size`` and
    ``mtime_ns`` tell an upload replaced under the same path."""
    return np.array([n for chunk in open_archive(path, header_row=header_row).chunks() for n in chunk.places()],
                    dtype=np.int64)


def recorded_result(meta: dict) -> str:
    """The name of the result a batch's record names ("first": batches tagged before results were named)."""
    return meta.get("result", "first")


def result_name() -> str:
    """A name for a batch's new tagged result, by which the files made from it are named (``made_from_result``)."""
    return secrets.token_hex(8)


def find_text_columns(path: Path, header_row: int = 1) -> dict:
    """:meth:`Workspace.text_columns`, read from the first chunk of the archive at ``path`` (its column names in
    ``header_row``), as the batch's record keeps them: ``columns_with_text``, ``found_text_col`` and ``blank_text_col``,
    the column whose name marks it as the text's (as the command line finds it) but that holds no words there, with the
    rows read ([name, rows]), or None. :class:`TitleAbove` where a later row looks like the names."""
    try:
        first = next(iter(open_archive(path, header_row=header_row).chunks()), None)
    except ArchiveError as error:
        names_row = error.details.get("names_row") if error.problem == "blank_header_row" else None
        if names_row:  # a blank row above the names: the row holding them is offered
            raise TitleAbove(400, in_chinese(error) or _UNREADABLE, names_row[0]) from None
        if header_row > 1 and error.problem in ("empty", "blank_header_row"):  # a row the desk chose on the page
            raise Refused(400, f"{problem_in_chinese(error)}。{_ANOTHER_ROW}") from None
        raise Refused(400, in_chinese(error) or _UNREADABLE) from None
    except Exception as error:  # noqa: BLE001 - any reading failure is the file's, shown as such
        raise Refused(400, in_chinese(error) or _UNREADABLE) from None
    below = names_row_below(first)
    if below is not None:
        raise TitleAbove(400, f"第 {below[0]} 行像是列名（含「{below[1]}」）：请删除它上面的标题行或分组行，"
                              f"让列名在第一行，再上传。", below[0])
    if first is not None and first.bad:
        bad = first.bad[0]
        if bad.wider and len(first.rows.columns) == 1:
            raise TitleAbove(400, f"第 {header_row} 行像是标题而不是列名（第 {bad.row} 行的单元格比它多）：请删除标题行，"
                                  f"让列名在第一行，再上传。", bad.row)
        said = in_chinese(bad.stops(path.name, "fix it"))  # what is wrong with it, as the command line says it
        raise Refused(400, f"无法读取这个文件：{said or place_in_chinese(bad.where) + '格式有误，请修正后再上传。'}")
    if first is None or not len(first.rows.columns) or first.rows.empty:
        raise Refused(400, "文件里没有数据行：请检查文件是否为空或只有表头。")
    frame = first.rows
    try:  # a result downloaded and uploaded again: told now, not once its tagging has started
        check_untagged(frame.columns)
    except ArchiveError as tagged:
        raise Refused(400, in_chinese(tagged)) from None
    texts = [str(c) for c in frame.columns if frame[c].map(_is_words).any()]
    found, named = (_named_text_column(columns) for columns in (texts, frame.columns))
    blank = [named, len(frame)] if found is None and named is not None and named not in texts else None
    if not texts:
        raise Refused(400, blank_text_column_note(*blank, others=False) if blank else
                      "文件里没有文本列：没有任何一列含有投诉文字。")
    record = record_in_header(frame.columns) if found is None and UPLOAD_FORMATS[path.suffix] in _HEADED else None
    if record is not None:
        where, go_on = ("第一行", "请在最上面插入一行列名（如「编号」「投诉内容」）后再上传。") if header_row == 1 \
            else (f"第 {header_row} 行", _ANOTHER_ROW)
        raise Refused(400, f"{where}像是一条记录而不是列名（含「{record[:30]}」）：这样第一条记录会被当作列名、不被标注。{go_on}")
    return {"columns_with_text": ([found] + [c for c in texts if c != found]) if found else texts,
            "found_text_col": found, "blank_text_col": blank}


def _named_text_column(columns) -> str | None:
    """The one of ``columns`` whose name marks it as the complaint text's (:func:`find_text_column`), or None."""
    try:
        return find_text_column(columns)
    except ValueError:
        return None


def _sent_name(filename: str) -> str:
    """A file's name as the desk gave it, from the name a browser sends in a multipart upload, where (by the HTML
    standard) `"` is sent as %22 and line breaks as %0D and %0A: those are undone, line breaks as a space."""
    name = re.sub(r"%22", '"', filename, flags=re.IGNORECASE)
    return re.sub(r"(?:%0D|%0A|[\r\n])+", " ", name, flags=re.IGNORECASE).strip()


def _is_words(value) -> bool:
    """Whether a cell holds words (letters or characters), not just a number or a code of digits."""
    if isinstance(value, bytes):  # a Parquet binary column (Hive and Impala store strings so): words if they are text
        text = cell_text(value)  # (bytes that are no text come back as Python shows them)
        value = text if text != str(value) else None
    return isinstance(value, str) and _LETTER.search(value) is not None


_ANOTHER_ROW = "请重新填列名所在的行（从 1 数起）。"  # the page offers the row of the names again
_UNREADABLE = ("无法读取这个文件：内容与扩展名不符或文件已损坏。请确认它是 CSV、Excel、JSONL 或 Parquet 文件，"
               "并且第一行是列名。")


# Which file labeled data's problems are of, on the web: retraining's corpus, read again at each retraining.
_CORPUS = "标注数据是启动服务时用 consumer-nlp serve --corpus 给出的语料文件；改好后再点「用更正重新训练」即可，不必重启服务。"


# The files the web writes, by the parameter their writers take them as (tag_file's output_path, write_download's
# output, write_queue's queue_path): what a desk is told another writer holds.
_FILES = {"output_path": "这一批的标注结果", "output": "这个下载文件", "queue_path": "这一批的复核队列"}


def in_chinese(error: Exception) -> str | None:
    """An archive's problem (:class:`ArchiveError`), or labeled data's (retraining's corpus), said in Chinese for the
    complaint desk, without the server's paths; None for any other error (the caller says something general)."""
    if isinstance(error, UnicodeError):
        error = ArchiveError("", "encoding")
    if isinstance(error, LabeledDataError):  # no page or flag of the web names the corpus's columns: the advice says
        return headline(error, {}) + "。" + _CORPUS  # what to change in the file, and the web which file it is
    if not isinstance(error, ArchiveError):
        return None
    if error.problem == "busy":  # here a file of a batch, not one the user named
        return held_elsewhere_in_chinese(error, _FILES, "刷新页面") + "。"
    if error.problem == "beyond_excel":  # the output's limit: another format of it is a click away
        return problem_in_chinese(error) + "。请下载 CSV、JSONL 或 Parquet。"
    fix = fix_in_chinese(error, "再上传")
    return f"{problem_in_chinese(error)}。{fix}。" if fix else None
