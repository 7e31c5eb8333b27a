"""Where results leave: tag every row of an archive and write it back with the tags added.

The input is read in chunks; worker processes (each holding the model once) tag a chunk and
write it as a numbered part in a spool folder beside the output, atomically. When every chunk
is done the parts are joined into the output under a temporary name, which is renamed last.
The spool folder is the checkpoint: after Ctrl-C, SIGTERM or a crash, ``resume=True`` tags
only the chunks that have no part yet, and the result is byte-identical to an uninterrupted run.
"""
import concurrent.futures as futures
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from ._categories import CATEGORIES
from ._classifier import ComplaintClassifier, is_missing
from ._io import archive_format, join_parts, open_archive, write_part
from ._locks import lock_exclusively
from ._normalize import to_simplified

TEXT_COLUMN_NAMES = ("text", "content", "投诉内容", "内容", "投诉描述", "问题描述", "反映内容", "诉求内容",
                     "complaint", "description", "正文", "文本")
ADDED_COLUMNS = ("category", "category_zh", "confidence", "needs_review", "review_reason", "top_terms")
REASON_EMPTY = "文本为空"
REASON_LOW_CONFIDENCE = "置信度低"
PART_SUFFIX = {"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl", "parquet": ".parquet", "xlsx": ".xlsxrows"}


def find_column(columns, wanted: str | None, names) -> str | None:
    """``wanted`` if given (it must exist), else the first column known by one of ``names``
    (matched case-blind in Simplified Chinese, so 投訴內容 finds 投诉内容), else None."""
    columns = [str(c) for c in columns]
    if wanted is not None:
        if wanted not in columns:
            raise ValueError(f"no column {wanted!r}; the columns are {columns}")
        return wanted
    by_name = {to_simplified().convert(c.strip().lower()): c for c in columns}
    return next((by_name[name] for name in names if name in by_name), None)


def find_text_column(columns, text_col: str | None = None) -> str:
    """The column holding complaint texts: ``text_col`` if given, else the first known name."""
    found = find_column(columns, text_col, TEXT_COLUMN_NAMES)
    if found is not None:
        return found
    columns = [str(c) for c in columns]
    raise ValueError(f"cannot tell which column holds the complaint text; the columns are {columns}. "
                     f"Name it with --text-col")


def _text(value) -> str:
    """A cell as text to tag: missing values are empty, numbers and the like their string, bytes
    (Parquet binary columns) their UTF-8 text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"the text column holds bytes that are not UTF-8 text ({value[:20]!r}…); "
                             f"store the texts as strings") from None
    return "" if is_missing(value) else str(value)


def tag_frame(model: ComplaintClassifier, frame: pd.DataFrame, text_col: str) -> pd.DataFrame:
    """``frame`` with the tag columns added; its own columns and values are left as they are."""
    clash = [c for c in ADDED_COLUMNS if c in frame.columns]
    if clash:
        raise ValueError(f"the input already has column(s) {clash}; is it an already tagged file?")
    if frame.empty:
        return frame.assign(**{c: pd.Series(dtype=np.float64 if c == "confidence" else bool if c == "needs_review"
                                            else object, index=frame.index) for c in ADDED_COLUMNS})
    tags = model.tag_columns([_text(v) for v in frame[text_col]])
    labels = tags["category"].astype(str)
    # object columns: pandas would otherwise convert these strings to Arrow and back on writing
    added = pd.DataFrame({
        "category": pd.Series(labels, dtype=object, index=frame.index),
        "category_zh": pd.Series([CATEGORIES.get(label, label) for label in labels], dtype=object, index=frame.index),
        "confidence": pd.Series(np.round(tags["confidence"], 4), index=frame.index),
        "needs_review": pd.Series(tags["needs_review"], index=frame.index),
        "review_reason": pd.Series(np.where(tags["empty"], REASON_EMPTY, np.where(
            tags["needs_review"], REASON_LOW_CONFIDENCE, "")), dtype=object, index=frame.index),
        "top_terms": pd.Series([" ".join([f"{term}({weight:.2f})" for term, weight in terms])
                                for terms in tags["top_terms"]], dtype=object, index=frame.index),
    })
    return pd.concat([frame, added], axis=1)


@dataclass
class Summary:
    """What a tagging run did, for the closing report."""

    output: Path
    rows_in: int = 0
    rows_out: int = 0
    bad_rows: int = 0
    needs_review: int = 0
    empty: int = 0
    counts: Counter = field(default_factory=Counter)
    empty_ids: list = field(default_factory=list)
    seconds: float = 0.0
    resumed_chunks: int = 0
    blank_lines: int = 0

    def __str__(self) -> str:
        n = max(self.rows_out, 1)
        lines = [f"读入 {self.rows_in} 行，写出 {self.rows_out} 行，无法解析 {self.bad_rows} 行，"
                 f"用时 {self.seconds:.1f} 秒（{self.rows_out / max(self.seconds, 1e-9):,.0f} 行/秒）"]
        if self.blank_lines:
            lines.append(f"  空行 {self.blank_lines} 行（不是记录，已跳过）")
        if self.resumed_chunks:
            lines.append(f"  （续跑：{self.resumed_chunks} 个分块沿用上次结果）")
        for label, name in CATEGORIES.items():
            lines.append(f"  {name}（{label}）：{self.counts.get(label, 0)} 件，占 {self.counts.get(label, 0) / n:.1%}")
        if self.empty:
            lines.append(f"  文本为空：{self.empty} 件，占 {self.empty / n:.1%}（不计入任何类别）")
        lines.append(f"  需人工复核：{self.needs_review} 件，占 {self.needs_review / n:.1%}（其中文本为空 {self.empty} 件）")
        if self.empty_ids:
            more = "……" if self.empty > len(self.empty_ids) else ""
            lines.append(f"  文本为空的行：{'、'.join(self.empty_ids)}{more}")
        lines.append(f"  结果：{self.output}")
        return "\n".join(lines)


# ---- worker side: the model arrives once per process, through the pool's initializer ----

_worker_state = {}


def _hold(model, text_col, kind, spool, id_col=None):
    _worker_state.update(model=model, text_col=text_col, kind=kind, spool=spool, id_col=id_col)


def _die_with(parent: int) -> None:
    """End this worker when the process that started it is gone (killed with SIGKILL, by the OOM
    killer, or crashed): an orphan would go on writing into a spool that is no longer its run's."""
    try:
        import ctypes

        pr_set_pdeathsig = 1
        if ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL) == 0:
            if os.getppid() != parent:  # the parent died before the request was made
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass

    def watch():  # elsewhere: look for the parent once a second
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _start_worker(parent, *args):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides when to stop
    _die_with(parent)
    _hold(*args)


def _tag_chunk(index: int, frame: pd.DataFrame, bad: list, blank: int = 0) -> dict:
    """Tag one chunk and write its part and its record, each atomically (written, then renamed)."""
    state = _worker_state
    tagged = tag_frame(state["model"], frame, state["text_col"])
    part = Path(state["spool"]) / f"{index:07d}{PART_SUFFIX[state['kind']]}"
    write_part(tagged, state["kind"], part.with_name(part.name + ".tmp"))
    os.replace(part.with_name(part.name + ".tmp"), part)
    empty = (tagged["review_reason"] == REASON_EMPTY).to_numpy()  # counted apart, in no category
    record = {"index": index, "rows": len(tagged), "counts": dict(Counter(tagged["category"][~empty])),
              "needs_review": int(tagged["needs_review"].sum()),
              "empty": int(empty.sum()),
              "empty_ids": [str(v) for v in tagged.loc[empty, state["id_col"]].head(10)] if state["id_col"] else [],
              "bad": [vars(b) for b in bad], "blank": blank}
    record_path = part.with_suffix(".json")
    record_path.with_name(record_path.name + ".tmp").write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    os.replace(record_path.with_name(record_path.name + ".tmp"), record_path)
    return record


# ---- main side ----

def _fingerprint(path: Path) -> dict:
    """What identifies the input of a run: resuming on a changed file would mix two inputs."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return {"path": str(path.resolve()), "size": path.stat().st_size, "sha256": digest.hexdigest()}


def _model_id(model: ComplaintClassifier) -> str:
    import joblib

    return joblib.hash(model)


class _Stop(Exception):
    """SIGTERM, turned into an orderly stop."""


def default_output(input_path) -> Path:
    """``x.csv`` → ``x.tagged.csv`` beside it."""
    path = Path(input_path)
    return path.with_name(f"{path.stem}.tagged{path.suffix}")


def tag_file(model: ComplaintClassifier, input_path, output_path=None, *, text_col: str | None = None,
             id_col: str | None = None, jobs: int | None = None, chunk_size: int = 5000, resume: bool = False,
             restart: bool = False, force: bool = False, encoding: str | None = None, sheet=None,
             header_row: int = 1, bad_rows_path=None, progress: bool | None = None) -> Summary:
    """Tag every row of the archive ``input_path`` into ``output_path`` (format from its extension).

    ``jobs`` worker processes (default: all cores) tag chunks of ``chunk_size`` rows. Rows that
    cannot be parsed stop the run, naming their line, unless ``bad_rows_path`` is given: then
    they are written there and counted. ``id_col`` names the column that identifies a row, so
    the summary can name rows whose text was empty. An existing output or bad-rows file is
    replaced only with ``force``, and the input never; the finished chunks of an interrupted run
    are used with ``resume`` or thrown away with ``restart``. ``sheet`` and ``header_row`` choose
    the sheet of a workbook and the row of its column names. Returns the run's :class:`Summary`.
    """
    input_path = Path(input_path)
    output = Path(output_path) if output_path else default_output(input_path)
    bad_rows = Path(bad_rows_path) if bad_rows_path is not None else None
    _check_paths(input_path, output, bad_rows, force=force)
    kind = archive_format(output)
    if kind == "xls":
        raise ValueError(f"{output}: .xls is read, not written; write .xlsx (or CSV, JSONL, Parquet) instead")
    with _OutputLock(output):
        return _tag_file(model, input_path, output, kind, text_col=text_col, id_col=id_col, jobs=jobs,
                         chunk_size=chunk_size, resume=resume, restart=restart, encoding=encoding,
                         sheet=sheet, header_row=header_row, bad_rows_path=bad_rows, progress=progress)


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _check_paths(input_path: Path, output: Path, bad_rows: Path | None, *, force: bool) -> None:
    """Everything about where a run reads and writes that can be checked before it starts."""
    if input_path.is_dir():
        raise ValueError(f"{input_path} is a folder; give the archive file to tag")
    if not input_path.is_file():
        raise FileNotFoundError(f"no such file: {input_path}")
    targets = [("output", output)] + ([("bad-rows file", bad_rows)] if bad_rows is not None else [])
    for what, path in targets:
        if path.is_dir():
            raise ValueError(f"the {what} {path} is a folder; give a file name, e.g. {path / default_output(input_path).name}")
        if not path.parent.is_dir():
            raise ValueError(f"the folder of the {what} {path} does not exist")
        if _same_file(path, input_path):
            raise ValueError(f"the {what} {path} is the input file: tagging never writes over its input; choose "
                             f"another name")
    if bad_rows is not None and _same_file(bad_rows, output):
        raise ValueError(f"the bad-rows file and the output are the same file ({output}); give them different names")
    if not force:
        for what, path in targets:
            if path.exists():
                raise FileExistsError(f"the {what} {path} exists already; choose another name, or pass --force "
                                      f"to replace it")


class _OutputLock:
    """An exclusive lock on a file beside the output, held for the whole run (and by its workers):
    a second run on the same output refuses while the first is going."""

    def __init__(self, output: Path):
        self.output, self.path, self.fd = output, output.with_name(f".{output.name}.lock"), None

    def __enter__(self):
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                lock_exclusively(fd, wait=False)
            except OSError:
                os.close(fd)
                raise ValueError(f"another run is writing {self.output} (it holds {self.path}); wait for it to "
                                 f"finish, or write elsewhere with -o") from None
            try:
                if os.path.samestat(os.fstat(fd), os.stat(self.path)):
                    self.fd = fd
                    return self
            except FileNotFoundError:
                pass
            os.close(fd)  # the lock file was removed by a run finishing meanwhile: take a new one

    def __exit__(self, *exc):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        os.close(self.fd)


def _tag_file(model, input_path: Path, output: Path, kind: str, *, text_col, id_col, jobs, chunk_size, resume,
              restart, encoding, sheet, header_row, bad_rows_path, progress) -> Summary:
    started = time.perf_counter()
    reader = open_archive(input_path, encoding=encoding, chunk_size=chunk_size, sheet=sheet, header_row=header_row)
    spool = output.with_name(f".{output.name}.parts")
    manifest = {"input": _fingerprint(input_path), "text_col": text_col, "id_col": id_col, "chunk_size": chunk_size,
                "encoding": getattr(reader, "encoding", None), "sheet": sheet, "header_row": header_row,
                "format": kind, "model": _model_id(model)}
    done = _prepare_spool(spool, manifest, resume, restart)
    jobs = max(1, jobs or os.cpu_count() or 1)
    show = (sys.stderr.isatty() if progress is None else progress)
    bar = tqdm(total=reader.total, unit=reader.unit, unit_scale=reader.unit == "B", disable=not show,
               file=sys.stderr, dynamic_ncols=True)
    previous_term = signal.signal(signal.SIGTERM, _raise_stop)
    pool = None
    try:
        chunks = iter(reader.chunks())
        first = next(chunks)
        column = find_text_column(first.rows.columns, text_col)
        if id_col is not None and id_col not in first.rows.columns:
            raise ValueError(f"no column {id_col!r}; the columns are {list(first.rows.columns)}")
        args = (model, column, kind, str(spool), id_col)
        # The main process reads, and tags too whenever the workers have enough queued: with
        # jobs=N there are N-1 worker processes, so N processes share N cores.
        _hold(*args)
        model.tag_columns(["预热"])  # build the segmenter and lookup tables once, before forking
        if jobs > 1:
            context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
            pool = futures.ProcessPoolExecutor(jobs - 1, mp_context=context, initializer=_start_worker,
                                               initargs=(os.getpid(), *args))
        pending, rows_seen = {}, 0  # future -> its chunk
        for chunk in _chain(first, chunks):
            if chunk.bad and bad_rows_path is None:
                first_bad = chunk.bad[0]
                raise ValueError(f"{input_path}: {first_bad.where} cannot be parsed ({first_bad.reason}); "
                                 f"fix it, or pass --bad-rows FILE to set such rows aside and go on")
            rows_seen += len(chunk.rows)
            if chunk.index not in done:
                work = (chunk.index, chunk.rows, chunk.bad, chunk.blank)
                if pool is not None and len(pending) < 2 * (jobs - 1):
                    pending[pool.submit(_tag_chunk, *work)] = work
                else:
                    _tag_chunk(*work)
                for f in [f for f in pending if f.done()]:
                    del pending[f]
                    f.result()
            bar.update(chunk.position - bar.n)
            bar.set_postfix_str(f"{rows_seen:,} 行 {rows_seen / max(time.perf_counter() - started, 1e-9):,.0f} 行/秒",
                                refresh=False)
        # At the end, take back queued chunks no worker has started and tag them here meanwhile.
        for f, work in list(pending.items()):
            if f.cancel():
                pending.pop(f)
                _tag_chunk(*work)
        for f in futures.as_completed(pending):
            f.result()
    except (KeyboardInterrupt, _Stop):
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
            pool = None
        bar.close()
        raise KeyboardInterrupt(f"interrupted; finished chunks are kept in {spool}. "
                                f"Run the same command with --resume to go on") from None
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
    sheet_title = getattr(reader, "sheet_title", None) or _sheet_title(input_path.stem)
    return _finish(spool, output, kind, reader.columns, bad_rows_path, started, len(done), sheet_title)


def _chain(first, rest):
    yield first
    yield from rest


def _raise_stop(signum, frame):
    raise _Stop()


def _prepare_spool(spool: Path, manifest: dict, resume: bool, restart: bool) -> set:
    """Make the spool folder ready; on resume, the chunk numbers already done. Finished chunks of
    an earlier run are never thrown away unasked."""
    manifest_path = spool / "manifest.json"
    # a chunk's record is written (atomically) only after its part: a record means a whole part
    finished = {int(p.stem) for p in spool.glob("*.json") if p.stem.isdigit()} if spool.is_dir() else set()
    if spool.exists() and resume and manifest_path.exists():
        saved = json.loads(manifest_path.read_text("utf-8"))
        if saved != manifest:
            changed = [key for key in manifest if saved.get(key) != manifest[key]]
            raise ValueError(f"cannot resume: the checkpoint in {spool} is of a different run "
                             f"(changed: {', '.join(changed)}); run with --restart to start over")
        return finished
    if finished and not restart:
        raise ValueError(f"{spool} holds {len(finished)} finished chunk(s) of an earlier run on this output that did "
                         f"not finish; run the same command with --resume to go on, or with --restart to start over")
    if spool.exists():
        shutil.rmtree(spool)
    spool.mkdir(parents=True)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    return set()


def _sheet_title(name: str) -> str:
    """``name`` as an Excel sheet name: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "tagged"


def _finish(spool: Path, output: Path, kind: str, columns: list, bad_rows_path, started: float,
            resumed: int, sheet_title: str = "tagged") -> Summary:
    """Join the parts into the output (temporary name, then rename), write bad rows, sum up."""
    records = sorted((json.loads(p.read_text("utf-8")) for p in spool.glob("*.json") if p.stem.isdigit()),
                     key=lambda r: r["index"])
    parts = [spool / f"{r['index']:07d}{PART_SUFFIX[kind]}" for r in records]
    summary = Summary(output=output, resumed_chunks=resumed)
    for record in records:
        summary.rows_out += record["rows"]
        summary.bad_rows += len(record["bad"])
        summary.needs_review += record["needs_review"]
        summary.empty += record["empty"]
        summary.blank_lines += record.get("blank", 0)
        summary.empty_ids += record.get("empty_ids", [])[:10 - len(summary.empty_ids)]
        summary.counts.update(record["counts"])
    summary.rows_in = summary.rows_out + summary.bad_rows
    partial = output.with_name(output.name + ".partial")
    join_parts(parts, list(columns) + list(ADDED_COLUMNS), kind, partial, sheet_title)
    os.replace(partial, output)
    if bad_rows_path is not None:
        bad = [b for r in records for b in r["bad"]]
        pd.DataFrame(bad, columns=["where", "reason", "raw"]).to_csv(bad_rows_path, index=False, encoding="utf-8-sig")
    shutil.rmtree(spool)
    summary.seconds = time.perf_counter() - started
    return summary
