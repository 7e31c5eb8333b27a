"""Where results leave: tag every row of an archive and write it back with the tags added.

The input is read in chunks; worker processes (each holding the model once) tag a chunk and
write it as a numbered part in the spool beside the output, atomically. When every chunk is
done the parts are joined into the output under a temporary name, which is renamed last. The
spool is the checkpoint: after Ctrl-C, SIGTERM, SIGHUP (the terminal closed) or a crash, ``resume=True`` tags only
the chunks that have no part yet, or whose part is no longer as its record saw it written (its size and digest),
and the result is byte-identical to an uninterrupted run.
"""
import concurrent.futures as futures
import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._classifier import ComplaintClassifier, check_model
from .._signals import stop_signals, stops_as_interrupt
from .._values import PathLike, check_count, check_path
from ..exceptions import CheckpointError
from ..io import (OutputLock, archive_format, check_fits_a_cell, check_fits_a_sheet, day_numbers, excel_changes,
                  find_column, find_text_column, join_parts, new_file, new_files, open_archive, output_format,
                  text_rows, working_name, write_json, write_part)
from ..messages import bad_row_in_chinese, summary_in_chinese

from ._schema import (TAG_COLUMNS, check_text_bytes, excel_layout, names_rows, output_sheet, tag_frame, texts_elsewhere,
                      texts_elsewhere_said, without_text)
from ._spool import (check_parts, check_paths, default_output, fingerprint, has_records, iter_records,
                     part_path, prepare_spool, remove_spool, run_manifest)


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
    empty_elsewhere: Counter = field(default_factory=Counter)  # of the empty rows, how many hold text in a column
    # named as the text column is, spelt otherwise (投訴內容 beside 投诉内容, as JSON Lines joined from two systems are)
    # or under its merged heading, or long Chinese text in a column of another name where the text column is blank
    # in most rows (tagging._schema.texts_elsewhere_said)
    seconds: float = 0.0
    resumed_chunks: int = 0
    retagged_chunks: int = 0  # finished before, but their parts were lost, cut short or replaced since
    blank_lines: int = 0
    text_columns: list = field(default_factory=list)  # written as text: Parquet holds one type a column
    sheet: str | None = None  # the workbook sheet that was read
    text_col: str | None = None  # the column whose texts were tagged, found by name or given
    encoding: str | None = None  # a text file's encoding, detected or given (None for a workbook or Parquet)
    merged: list = field(default_factory=list)  # its merged ranges whose value every row they cover took
    merged_into_rows: list = field(default_factory=list)  # ranges merged down from its header row or above into
    # data rows, which read their own cells there (Excel shows the range's value): (range, the names of its columns,
    # the first five runs of the records' rows under it as (first row, last row), how many runs there are)
    hidden_rows: int = 0  # its records in rows hidden in Excel (by a filter or by hand): tagged like the rest
    number_formats: dict = field(default_factory=dict)  # its columns' number formats, kept in an .xlsx output
    other_sheets: list = field(default_factory=list)  # its sheets not read that hold something, as (name, hidden)
    header_row: int = 1  # the row of the column names: the rows above it (a title) are not written out
    notes_left_out: list = field(default_factory=list)  # a workbook's cells ("A1") whose notes no output keeps
    names_rows: list = field(default_factory=list)  # the first rows repeating the column names: kept, not tagged
    names_count: int = 0  # how many rows repeat the column names (two files joined), in no category
    unsure: list = field(default_factory=list)  # the first quoted values of a CSV read as one over lines reading as
    # rows of their own (a stray quote would have merged them), as (row, first line, last line): to be checked
    unsure_count: int = 0
    boms: int = 0  # of a CSV or TSV: byte order marks dropped from the starts of lines (files joined end to end)
    semicolons: bool = False  # whether the input is a CSV read by its semicolons (as a European Excel saves one)
    one_column: str | None = None  # of a CSV read with commas as one column, its name (semicolons in it are said)
    excel_changes: dict = field(default_factory=dict)  # of a CSV, TSV or Parquet output: what Excel changes as it
    # opens its values in a CSV or TSV file (the web writes its CSV downloads from its Parquet copy)
    bad_rows_file: Path | None = None
    bad_rows_changes: dict = field(default_factory=dict)  # what Excel changes of its raw rows, as of excel_changes
    dates_1904: bool = False  # whether the input is a workbook counting its day numbers from 1904 (old Mac Excel)
    days_1904: dict = field(default_factory=dict)  # a 1904 workbook's columns of day numbers written to an output that
    # cannot say they count from 1904 (any but .xlsx), each with its first number

    def __str__(self) -> str:
        """The closing summary in Chinese, its advice naming this library's parameters (a front end passes its own
        names to :func:`messages.summary_in_chinese`)."""
        return summary_in_chinese(self, {})


_worker_state = {}  # in a worker process: its run's state (see _run_state)


def _run_state(model, text_col, kind, spool, id_col=None) -> dict:
    """What tagging a chunk of one run needs: its model, text column, output kind, spool and id column. Each run
    holds its own, so that runs in threads of one process never tag or write with another's."""
    return {"model": model, "text_col": text_col, "kind": kind, "spool": spool, "id_col": id_col}


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
    for number in stop_signals(signal.SIGINT):
        signal.signal(number, signal.SIG_IGN)  # the main process decides when to stop
    _die_with(parent)
    _worker_state.update(_run_state(*args))


def _tag_chunk(index: int, frame: pd.DataFrame, bad: list, blank: int = 0, places: list = (), read: tuple = (),
               unsure: list = (), boms: int = 0, state: dict | None = None) -> dict:
    """Tag one chunk and write its part and its record, each atomically (written, then renamed); ``places``: its rows'
    (:meth:`io.Chunk.places`), to name rows of column names; ``read``: how far the input was read by its end and of
    how much (its ``position`` and the reader's ``total``), for a progress read from the checkpoint; ``unsure``: its
    quoted values read as one over lines that read as rows (:attr:`io.Chunk.unsure`), to be named; ``boms``: the byte
    order marks dropped from its lines (:attr:`io.Chunk.boms`), to be said; ``state`` is the
    run's (:func:`_run_state`), in a worker process the one it was started with."""
    state = _worker_state if state is None else state
    tagged = tag_frame(state["model"], frame, state["text_col"])
    part = part_path(state["spool"], index, state["kind"])
    # A part, then its record: each whole or not at all. No sweep: the spool goes whole when the run ends,
    # and looking through a folder of thousands of parts for each would grow as their square.
    with new_file(part, force=True, sweep=False) as temporary:
        write_part(tagged, state["kind"], temporary)
    empty = without_text(tagged).to_numpy()  # counted apart, in no category
    names = names_rows(tagged)  # the column names pasted in again: in no category, not counted
    record = {"index": index, "rows": len(tagged), "part": fingerprint(part),  # its part as written, for a resume
              "counts": dict(Counter(tagged["category"][~(empty | names)])),
              "needs_review": int(tagged["needs_review"].sum()),
              "empty": int(empty.sum()),
              "empty_ids": [str(v) for v in tagged.loc[empty, state["id_col"]].head(10)] if state["id_col"] else [],
              "empty_elsewhere": texts_elsewhere(frame, state["text_col"], empty),
              "bad": [vars(b) for b in bad], "blank": blank,
              "names": int(names.sum()),
              "names_at": [int(places[i]) for i in names.nonzero()[0][:10] if i < len(places)],
              "read": list(read), "unsure": [list(value) for value in unsure], "boms": boms}
    # files a desk opens in Excel, which changes some values as it reads them: CSV and TSV outputs, and Parquet, from
    # which the web writes its CSV downloads
    if state["kind"] in ("csv", "tsv", "parquet"):
        record["excel_changes"] = excel_changes(frame)
    write_json(part.with_suffix(".json"), record, sweep=False)
    return record


def keep_freed_memory() -> None:
    """Have glibc keep freed memory for reuse instead of handing it back to the system after
    every chunk: tagging allocates and frees the same large arrays chunk after chunk, and with
    the default thresholds the page faults of each round trip cost a tenth of the CPU time.
    Peak memory is unchanged. A no-op where the C library is not glibc."""
    import ctypes

    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 256 << 20)


class _Stop(Exception):
    """SIGTERM, SIGHUP or Ctrl-C, turned into an orderly stop."""


class _StopRequest:
    """SIGTERM, SIGHUP and Ctrl-C (those not ignored: see :func:`stop_signals`), noted when they come and acted on
    between chunks. An exception raised from the signal handler wherever the main thread happens to be (inside the
    worker pool's locks, say) can leave the pool unable to shut down, and the run hangs instead of stopping (seen
    once in CI: a SIGTERM run still alive after 60 s). Only in a process's main thread, where signals are handled:
    a run in another thread (a notebook's, a web handler's) leaves them to the main one."""

    def __init__(self):
        self.requested = False
        self.previous = {}

    def __enter__(self):
        if threading.current_thread() is not threading.main_thread():
            return self
        for number in stop_signals(signal.SIGINT):
            self.previous[number] = signal.signal(number, self._note)
        return self

    def __exit__(self, *exc_info):
        for number, handler in self.previous.items():
            signal.signal(number, handler)

    def _note(self, signum, frame):
        self.requested = True

    def check(self) -> None:
        """Stop here if a signal came."""
        if self.requested:
            raise _Stop()


def tag_file(model: ComplaintClassifier, input_path: PathLike, output_path: PathLike | None = None, *,
             text_col: str | None = None, id_col: str | None = None, jobs: int | None = None, chunk_size: int = 5000,
             resume: bool = False, restart: bool = False, force: bool = False, encoding: str | None = None,
             sheet: str | int | None = None, header_row: int = 1, bad_rows_path: PathLike | None = None,
             progress: bool | None = None) -> Summary:
    """Tag every row of the archive ``input_path`` into ``output_path`` (format from its extension).

    ``jobs`` worker processes (default: all cores) tag chunks of ``chunk_size`` rows. Rows that
    cannot be parsed stop the run, naming their line, unless ``bad_rows_path`` is given: then
    they are written there and counted. ``id_col`` names the column that identifies a row, so
    the summary can name rows whose text was empty. An existing output or bad-rows file is
    replaced only with ``force``, and the input never; the finished chunks of an interrupted run
    are used with ``resume`` or thrown away with ``restart``. ``sheet`` and ``header_row`` choose
    the sheet of a workbook and the row of its column names. Returns the run's :class:`Summary`. An error that
    stops a run once chunks are finished (a folder made read-only, say) carries ``chunks_kept``, the folder they are
    kept in: once it is mended, ``resume=True`` goes on from them. An error no resume could get past (bytes not UTF-8
    in the text column, an .xlsx output beyond a sheet's rows) removes them.

    From a thread other than the main one, the workers start as new interpreters (spawned, not forked), which import
    the script that started them: a script doing so keeps its work under ``if __name__ == "__main__":``.

        >>> import consumer_nlp as cn, pandas as pd
        >>> pd.DataFrame({"text": ["秤不准，少了二两", "外卖里吃出头发"]}).to_csv("archive.csv", index=False)
        >>> summary = cn.tag_file(cn.load(), "archive.csv", jobs=1)  # writes archive.tagged.csv; print(summary)
        >>> pd.read_csv("archive.tagged.csv")["category_zh"].tolist()
        ['价格/计量', '安全问题']
    """
    if jobs is not None:
        check_count(jobs, "jobs", 1, "processes; default: one per core")
    if resume and restart:
        raise CheckpointError("resume=True (go on from the finished chunks) and restart=True (throw them away) ask "
                              "for opposite things; give one of them", "resume_and_restart")
    check_count(chunk_size, "chunk_size", 1, "rows per chunk")
    check_model(model)
    check_path(input_path, "input_path", "an archive file",
               "texts already in memory are tagged with model.tag(texts) or model.tag_columns(texts) (of a DataFrame, "
               "its text column: model.tag(df['text']))")
    for name, path in (("output_path", output_path), ("bad_rows_path", bad_rows_path)):
        if path is not None:
            check_path(path, name, "a file to write")
    input_path = Path(input_path)
    output = Path(output_path) if output_path else default_output(input_path)
    bad_rows = Path(bad_rows_path) if bad_rows_path is not None else None
    check_paths(input_path, output, bad_rows, force=force)
    kind = output_format(output)
    keep_freed_memory()
    # The run works on absolute paths, so that a change of the working folder while it runs (a notebook's %cd, with
    # the run in a thread) moves none of its files; the summary names them as they were given.
    given = output, bad_rows
    input_path, output = input_path.absolute(), output.absolute()
    bad_rows = bad_rows.absolute() if bad_rows is not None else None
    with (OutputLock(output),
          OutputLock(bad_rows, "bad_rows_path") if bad_rows is not None else contextlib.nullcontext()):
        summary = _tag_file(model, input_path, output, kind, text_col=text_col, id_col=id_col, jobs=jobs,
                            chunk_size=chunk_size, resume=resume, restart=restart, encoding=encoding,
                            sheet=sheet, header_row=header_row, bad_rows_path=bad_rows, progress=progress, force=force)
    summary.output, summary.bad_rows_file = given
    return summary


def _start_method() -> str:
    """How worker processes start: forked, which shares the model and the built segmenter at no cost, from a process's
    main thread; spawned (a new interpreter, sent the model) from any other thread, where the main thread runs on
    and a lock it held at the fork would stay held in the worker for ever (Python 3.12 warns of such forks), and
    where there is no fork."""
    if threading.current_thread() is threading.main_thread() and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


class _Workers:
    """Up to ``jobs - 1`` worker processes beside the main one, which reads and also tags a chunk itself
    whenever the workers have enough queued: with jobs=N, N processes share N cores. The workers start once
    ``jobs - 1`` chunks to tag are read, or the input ends with fewer: then one for each but the last, tagged here,
    so that jobs=16 on a file of one chunk forks none."""

    def __init__(self, jobs: int, args: tuple):
        self.jobs, self.pending, self.pool, self.args = jobs, {}, None, args  # pending: future -> its chunk's work
        self.waiting = []  # chunks read before the workers start
        self.state = _run_state(*args)  # for the chunks tagged here
        args[0].tag_columns(["预热"])  # build the segmenter and lookup tables once, before forking

    def _start(self, workers: int) -> None:
        """Start ``workers`` worker processes and queue the chunks waiting for them."""
        context = multiprocessing.get_context(_start_method())
        self.pool = futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                                initargs=(os.getpid(), *self.args))
        for work in self.waiting:
            self.pending[self.pool.submit(_tag_chunk, *work)] = work
        self.waiting = []

    def tag(self, work: tuple) -> None:
        """Tag one chunk: queued for a worker, or here when the queue is full."""
        if self.pool is None and self.jobs > 1:
            self.waiting.append(work)
            if len(self.waiting) == self.jobs - 1:
                self._start(self.jobs - 1)
            return
        if self.pool is not None and len(self.pending) < 2 * (self.jobs - 1):
            self.pending[self.pool.submit(_tag_chunk, *work)] = work
        else:
            _tag_chunk(*work, state=self.state)
        for f in [f for f in self.pending if f.done()]:
            del self.pending[f]
            f.result()

    def finish(self, stop: _StopRequest) -> None:
        """Take back queued chunks no worker has started and tag them here meanwhile; wait for the
        rest, looking for a stop request while waiting. Chunks still waiting for workers (fewer than ``jobs - 1``
        in all) get one each but the last, tagged here."""
        if self.waiting:
            last = self.waiting.pop()
            if self.waiting:
                self._start(len(self.waiting))
            stop.check()
            _tag_chunk(*last, state=self.state)
        for f, work in list(self.pending.items()):
            stop.check()
            if f.cancel():
                self.pending.pop(f)
                _tag_chunk(*work, state=self.state)
        waiting = set(self.pending)
        while waiting:
            stop.check()
            done, waiting = futures.wait(waiting, timeout=0.1, return_when=futures.FIRST_COMPLETED)
            for f in done:
                f.result()

    def stop(self) -> None:
        """End the workers. When one died (killed, out of memory), the others are killed: they ignore
        SIGTERM, with which the pool would end them, and may be blocked for ever on a queue lock the
        dead one held."""
        if self.pool is not None:
            if getattr(self.pool, "_broken", False):
                for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                    process.kill()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _tag_file(model, input_path: Path, output: Path, kind: str, *, text_col, id_col, jobs, chunk_size, resume,
              restart, encoding, sheet, header_row, bad_rows_path, progress, force) -> Summary:
    started = time.perf_counter()
    reader = open_archive(input_path, encoding=encoding, chunk_size=chunk_size, sheet=sheet, header_row=header_row)
    read_as = archive_format(input_path)
    spool = working_name(output, "parts")
    manifest = run_manifest(input_path, model, text_col=text_col, id_col=id_col, chunk_size=chunk_size,
                            encoding=getattr(reader, "encoding", None), sheet=sheet, header_row=header_row, format=kind)
    finished = prepare_spool(spool, manifest, resume, restart)
    done = check_parts(spool, finished, kind)
    bar = reader.progress_bar(progress)
    shown = not bar.disable  # (closing a bar disables it)
    workers = None
    with _StopRequest() as stop:
        try:
            chunks = iter(reader.chunks())
            first = next(chunks)
            column = find_text_column(first.rows.columns, text_col, first)
            if id_col is not None:
                id_col = find_column(first.rows.columns, id_col, ())
            workers = _Workers(max(1, jobs or os.cpu_count() or 1), (model, column, kind, str(spool), id_col))
            rows_seen, days = 0, ({} if reader.layout.dates_1904 and kind != "xlsx" else None)  # known once opened
            for chunk in _chain(first, chunks):
                if chunk.bad and bad_rows_path is None:
                    raise chunk.bad[0].stops(input_path, _bad_row_advice(spool))
                check_text_bytes(chunk.rows[column], chunk.places(), column)
                rows_seen += len(chunk.rows)
                if days is not None:  # every chunk, tagged now or before (a resume)
                    _add_days(days, day_numbers(chunk.rows, dates_1904=True))
                if kind == "xlsx" and chunk.index not in done:  # refused now, by its row, not once it is tagged
                    check_fits_a_cell(chunk.rows, chunk.places())
                if kind == "xlsx":
                    check_fits_a_sheet(rows_seen, len(chunk.rows.columns) + len(TAG_COLUMNS))
                stop.check()
                if chunk.index not in done:
                    workers.tag((chunk.index, chunk.rows, chunk.bad, chunk.blank, chunk.places(),
                                 (chunk.position, reader.total), chunk.unsure, chunk.boms))
                bar.update(chunk.position - bar.n)
                bar.set_postfix_str(f"{rows_seen:,} 行 {rows_seen / max(time.perf_counter() - started, 1e-9):,.0f} 行/秒",
                                    refresh=False)
            workers.finish(stop)
            stop.check()
        except (KeyboardInterrupt, _Stop):
            if not has_records(spool):
                remove_spool(spool)
                raise _interrupted(None) from None
            raise _interrupted(spool) from None
        except BrokenProcessPool:
            if not has_records(spool):
                remove_spool(spool)
                raise RuntimeError("a worker process ended unexpectedly (killed, or out of memory) before any chunk "
                                   "was finished; nothing was kept. Run the command again, with fewer jobs=N if "
                                   "memory is short") from None
            raise RuntimeError("a worker process ended unexpectedly (killed, or out of memory); finished chunks "
                               f"are kept in {spool}. Run the same command with resume=True to go on") from None
        except BaseException as error:
            if isinstance(error, (ValueError, UnicodeError)):  # a file saved over while it was read breaks anywhere
                _check_unchanged(input_path, manifest, spool, error)
            hopeless = getattr(error, "problem", None) in _NO_RESUME
            if hopeless and workers is not None:
                workers.stop()
            if hopeless or not _keep_chunks(error, spool):  # nothing worth resuming from: leave nothing behind
                remove_spool(spool)
            raise
        finally:
            if workers is not None:
                workers.stop()
            bar.close()
    with stops_as_interrupt():  # a half-joined file is removed on the way out; the chunks stay for a resume
        try:
            if stop.requested:  # came as the workers stopped, after the last look
                raise KeyboardInterrupt
            _check_unchanged(input_path, manifest, spool)
            title = output_sheet(reader, input_path.name)
            summary = _finish(spool, output, kind, reader.columns, column, bad_rows_path, started, len(done),
                              title, force, reader.number_formats, shown, read_as=read_as, layout=reader.layout)
        except KeyboardInterrupt:
            raise _interrupted(spool) from None
        except OSError as error:  # a folder made read-only, a full disk: the chunks stay for a resume
            _keep_chunks(error, spool)
            raise
    summary.retagged_chunks = len(finished) - len(done)
    summary.sheet = getattr(reader, "sheet_title", None)
    summary.text_col, summary.encoding = column, getattr(reader, "encoding", None)
    summary.merged, summary.hidden_rows = reader.merged, reader.hidden_rows
    summary.merged_into_rows = list(reader.merged_into_rows)
    summary.other_sheets, summary.header_row = reader.other_sheets, reader.header_row
    summary.dates_1904, summary.notes_left_out = reader.layout.dates_1904, list(reader.layout.notes_left_out)
    summary.semicolons = getattr(reader, "delimiter", None) == ";"
    if getattr(reader, "delimiter", None) == "," and len(reader.columns) == 1:
        summary.one_column = str(reader.columns[0])
    summary.days_1904 = {column: first for column, (found, others, first) in (days or {}).items()
                         if found and not others}  # columns whose numbers are all days
    return summary


# What no resume could finish: an output longer than a sheet, and bytes not UTF-8, which leave only a mended file
# (another input), so that the chunks go and the same command runs on it. A bad row keeps them: set aside, it goes on.
_NO_RESUME = ("beyond_excel", "text_bytes")


def _keep_chunks(error: BaseException, spool: Path) -> bool:
    """Whether chunks are finished in ``spool``; if so, ``error`` says they are kept there for a resume
    (``chunks_kept``, which the messages read)."""
    if not has_records(spool):
        return False
    error.chunks_kept = str(spool)
    return True


def _bad_row_advice(spool: Path) -> str:
    """How to go on from a bad row that stops a run: where chunks are finished, fixed it is another input, which
    starts over; set aside, the run goes on from them."""
    if not has_records(spool):
        return "fix it, or pass bad_rows_path=FILE to set such rows aside and go on"
    return (f"fix it and run with restart=True (a fixed file is another input, so the finished chunks kept in {spool} "
            f"cannot be used), or pass bad_rows_path=FILE with resume=True to set such rows aside and go on from them")


def _check_unchanged(input_path: Path, manifest: dict, spool: Path, error: Exception | None = None) -> None:
    """Refuse a run whose input changed while it was read (saved over, appended to): its output would
    mix two versions of the file, so its chunks go too. ``error``: what reading it failed with, if
    that is how the change showed. An input moved away once read cannot be checked, and is not
    held against the run."""
    try:
        now = fingerprint(input_path)
    except OSError:
        return
    if now != manifest["input"]:
        remove_spool(spool)
        raise ValueError(f"{input_path} changed while it was tagged, so the output would mix two versions of it; "
                         f"nothing was written or kept. Tag it again once nobody is saving it") from error


def _interrupted(spool: Path | None) -> KeyboardInterrupt:
    """The stop of a run whose finished chunks are kept in ``spool`` (its ``chunks_kept``, which the messages read),
    or, None, of one that finished none: nothing is kept."""
    if spool is None:
        stop = KeyboardInterrupt("interrupted before any chunk was finished; nothing was kept")
    else:
        stop = KeyboardInterrupt(f"interrupted; finished chunks are kept in {spool}. Run the same command with "
                                 f"resume=True to go on")
    stop.chunks_kept = None if spool is None else str(spool)
    return stop


def _chain(first, rest):
    yield first
    yield from rest


def _finish(spool: Path, output: Path, kind: str, columns: list, text_col: str, bad_rows_path, started: float,
            resumed: int, sheet_title: str, force: bool, number_formats: dict, shown: bool, read_as: str,
            layout=None) -> Summary:
    """Join the parts and write the bad rows (of an input in the format ``read_as``) in working copies
    (:func:`io.new_files`), renamed into place together (never over a file that appeared meanwhile, unless
    ``force``), and sum up. ``number_formats``: as the workbook read showed its columns' numbers and dates, and
    ``layout``: what else of it an .xlsx output keeps (see :func:`io.join_parts`). ``shown``: whether the run shows
    progress, and so a bar over the writing of an .xlsx output (a minute for 300,000 rows, after the tagging's bar
    is full). The run holds the outputs' locks: their working copies untouched since it took them are earlier runs'
    (killed as they joined), and go."""
    import sys

    from tqdm import tqdm

    summary = Summary(output=output, resumed_chunks=resumed, number_formats=number_formats,
                      bad_rows_file=bad_rows_path)
    targets = [(output, "output")] + ([(bad_rows_path, "bad-rows file")] if bad_rows_path is not None else [])
    try:
        with new_files(targets, force=force) as temporaries:
            with (text_rows(temporaries[1], "无法解析的行") if bad_rows_path is not None
                  else contextlib.nullcontext()) as write_bad_row:
                parts = _sum_records(spool, kind, summary, write_bad_row, read_as, text_col)
            with tqdm(total=summary.rows_out, unit="行", desc="写出 Excel 文件", disable=not shown or kind != "xlsx",
                      file=sys.stderr, dynamic_ncols=True) as writing:
                summary.text_columns = join_parts(parts, list(columns) + list(TAG_COLUMNS), kind, temporaries[0],
                                                  sheet_title, layout=layout, rows_done=writing.update,
                                                  **excel_layout(text_col, number_formats))
    except FileExistsError as error:
        raise FileExistsError(f"{error}. The tagged chunks are kept in {spool}: with resume=True as well, the run "
                              f"goes on from them") from None
    remove_spool(spool)
    summary.seconds = time.perf_counter() - started
    return summary


def _sum_records(spool: Path, kind: str, summary: Summary, write_bad_row, read_as: str, text_col: str) -> list:
    """Add the finished chunks' records (of a run tagging ``text_col``) to ``summary`` and their bad rows (of an input
    in the format ``read_as``) to the bad-rows file through ``write_bad_row`` if one is given (:func:`io.text_rows`),
    one record at a time (bad rows go to their file, not into memory); the chunks' parts, in order."""
    parts = []
    if write_bad_row is not None:
        write_bad_row(["where", "reason", "raw", "位置", "原因"])  # Chinese for a desk, after a program's
    for record in iter_records(spool):
        parts.append(part_path(spool, record["index"], kind))
        summary.rows_out += record["rows"]
        summary.bad_rows += len(record["bad"])
        summary.needs_review += record["needs_review"]
        summary.empty += record["empty"]
        summary.blank_lines += record.get("blank", 0)
        summary.names_count += record.get("names", 0)
        summary.names_rows += record.get("names_at", [])[:10 - len(summary.names_rows)]
        summary.unsure_count += len(record.get("unsure", []))
        summary.unsure += record.get("unsure", [])[:10 - len(summary.unsure)]
        summary.boms += record.get("boms", 0)
        summary.empty_ids += record.get("empty_ids", [])[:10 - len(summary.empty_ids)]
        summary.empty_elsewhere.update(record.get("empty_elsewhere", {}))
        summary.counts.update(record["counts"])
        _add_counts(summary.excel_changes, record.get("excel_changes", {}))
        if write_bad_row is not None:
            for bad in record["bad"]:
                write_bad_row([bad["where"], bad["reason"], bad["raw"], *bad_row_in_chinese(bad, read_as)])
            raws = pd.DataFrame({"raw": [bad["raw"] for bad in record["bad"]]}, dtype=object)
            _add_counts(summary.bad_rows_changes, excel_changes(raws))
    summary.rows_in = summary.rows_out + summary.bad_rows
    summary.empty_elsewhere = Counter(texts_elsewhere_said(summary.empty_elsewhere, text_col, summary.empty,
                                                           summary.rows_out - summary.names_count))
    return parts


def _add_days(total: dict, counts: dict) -> None:
    """Add ``counts`` ({column: [days, others, first day]}, of :func:`io.day_numbers`) to ``total``."""
    for column, (found, others, first) in counts.items():
        held = total.setdefault(column, [0, 0, None])
        held[0], held[1] = held[0] + found, held[1] + others
        held[2] = first if held[2] is None else held[2]


def _add_counts(total: dict, changes: dict) -> None:
    """Add ``changes`` ({column: {kind: count}}, of :func:`io.excel_changes`) to ``total``."""
    for column, kinds in changes.items():
        counts = total.setdefault(column, {})
        for kind, n in kinds.items():
            counts[kind] = counts.get(kind, 0) + n
