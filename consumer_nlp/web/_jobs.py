"""Background work of the web application: tagging an archive, writing a download and retraining a model run in a
thread each, so a page answers at once and a status page follows the work, and each in a process of
its own, which a server that stops (SIGTERM, Ctrl-C) stops at once, instead of waiting for it."""
import concurrent.futures
import multiprocessing
import os
import secrets
import signal
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .._signals import left_to_the_parent

KEPT_JOBS = 100  # the finished jobs whose records are kept, the latest: a server runs for months
KEPT_SECONDS = 86_400  # nor any finished longer ago (a desk follows a job's page as it ends)
GRACE_SECONDS = 3  # what a child process told to stop is given to clean up (tagging ends between chunks) before a kill
STOPPED = "已中断：服务器正在停止，这项任务没有完成。服务器重新启动后请再做一次。"


class Stopped(Exception):
    """Work cut short because the server is stopping."""


@dataclass
class Job:
    """One piece of background work: ``state`` is running, done, failed or stopped (by the server stopping);
    ``result`` on success, ``error`` (a message for the page) otherwise; ``link`` is where to go when it is done (a
    file, where ``download``), ``back`` where to go back to otherwise (None: ``link``; a download's link would only
    start it again); ``key`` is what :meth:`Jobs.latest` finds it by (None: its link); ``progress``, if given, says
    how far it has got, for its page while it runs (a sentence, or None while there is nothing to say)."""

    id: str
    title: str
    link: str
    back: str | None = None
    download: bool = False
    key: str | None = None
    progress: Callable[[], str | None] | None = None
    state: str = "running"
    started: float = field(default_factory=time.time)
    finished: float | None = None
    result: object = None
    error: str | None = None

    @property
    def seconds(self) -> int:
        return int((self.finished or time.time()) - self.started)

    @property
    def done_so_far(self) -> str | None:
        """How far a running job has got, in a sentence for its page (None: nothing to say)."""
        return self.progress() if self.progress is not None and self.state == "running" else None


class Jobs:
    """The jobs of this server, by id; ``start`` runs a function in a thread of its own, ``in_process`` a
    function in a process of its own, and ``stop`` ends them when the server stops. Running jobs are kept, and
    the latest :data:`KEPT_JOBS` finished ones if finished within :data:`KEPT_SECONDS`."""

    def __init__(self, explain_error):
        self._jobs: dict[str, Job] = {}
        self._threads: list[threading.Thread] = []  # of the jobs, to wait for as the server stops
        self._children: set = set()  # the processes in_process started and that are at work
        self._lock = threading.Lock()
        self._explain = explain_error
        self._stopping = False

    def start(self, title: str, link: str, work, *args, back: str | None = None, download: bool = False,
              key: str | None = None, progress: Callable[[], str | None] | None = None, alone: bool = False,
              **kwargs) -> Job | None:
        """Run ``work(*args, **kwargs)`` in the background; ``link`` may hold ``{id}``; ``back``, ``download``, ``key``
        and ``progress``: as :class:`Job`'s. ``alone``: not started (None) while a job of the same key runs, told
        under the lock that records the job: requests on two event loops (or threads) that both looked and found none
        running started one each (one batch tagged twice at once)."""
        job_id = secrets.token_hex(8)
        job = Job(job_id, title, link.format(id=job_id), back, download, key, progress)
        with self._lock:
            if alone and (running := self._latest(job.key or job.link)) is not None and running.state == "running":
                return None
            self._forget_finished()
            self._jobs[job_id] = job

        def run():
            try:
                job.result = work(*args, **kwargs)
                job.state = "done"
            except Stopped:
                job.error = STOPPED
                job.state = "stopped"
            except Exception as error:  # noqa: BLE001 - shown on the status page, in words
                job.error = self._explain(error)
                job.state = "failed"
            finally:
                job.finished = time.time()

        thread = threading.Thread(target=run, name=f"job-{job_id}", daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def latest(self, key: str) -> Job | None:
        """The job started last of those kept found by ``key``: its own, else its link (a batch's tagging, the
        retraining)."""
        with self._lock:
            return self._latest(key)

    def _latest(self, key: str) -> Job | None:
        """:meth:`latest`, the lock held."""
        return next((job for job in reversed(self._jobs.values()) if (job.key or job.link) == key), None)

    def _forget_finished(self) -> None:
        """Drop the records of jobs finished before the latest KEPT_JOBS, or longer than KEPT_SECONDS ago."""
        finished = sorted((job for job in self._jobs.values() if job.finished is not None), key=lambda j: j.finished)
        too_old = time.time() - KEPT_SECONDS
        for n, job in enumerate(finished):
            if n < len(finished) - KEPT_JOBS or job.finished < too_old:
                del self._jobs[job.id]

    def in_process(self, work, *args):
        """``work(*args)`` in a fresh process, its result returned; :class:`Stopped` if the server stops
        meanwhile (see :meth:`stop`)."""
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context,
                                                    initializer=left_to_the_parent) as pool:  # stopped by stop()
            with self._lock:  # the process starts here (submit spawns it), or not at all once the server stops
                if self._stopping:
                    raise Stopped()
                before = set(multiprocessing.active_children())
                future = pool.submit(work, *args)
                started = set(multiprocessing.active_children()) - before
                self._children |= started
            try:
                return future.result()
            except (BrokenProcessPool, KeyboardInterrupt) as ended:  # killed, or stopped as tagging stops on SIGTERM
                if self._stopping:
                    raise Stopped() from None
                if isinstance(ended, KeyboardInterrupt):  # a SIGTERM from elsewhere: a failure, said as one
                    raise RuntimeError("the work's process was stopped from outside the server") from None
                raise
            finally:
                with self._lock:
                    self._children -= started

    def stop(self) -> None:
        """End the work of a server that is stopping: each child process is sent SIGTERM (a tagging run stops
        between chunks and removes its working copies) and killed if still there after GRACE_SECONDS; then
        the jobs are given as long again to record how they ended."""
        with self._lock:
            self._stopping = True
            children, threads = list(self._children), list(self._threads)
        for child in children:
            child.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children:
            child.join(max(0.0, deadline - time.monotonic()))
            if child.is_alive():
                child.kill()
                child.join()
        deadline = time.monotonic() + GRACE_SECONDS
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def _end_with(parent: int) -> None:
    """Stop this process as Ctrl-C would (its run cleans up) once ``parent`` is gone: a server killed
    while it tagged left the run going on its own, holding the batch's lock."""
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def _exit_if_orphaned(parent: int) -> None:
    """End this process if ``parent`` is gone: nobody waits for its result, and it would idle on as an orphan."""
    if os.getppid() != parent:
        os._exit(1)


def _tag_in_child(model_ref: str, registry: str, input_path: str, output_path: str, text_col: str,
                  download: str | None, name: str, header_row: int, parent: int) -> dict:
    from ..exceptions import CheckpointError
    from ..messages import counts_in_chinese, row_notes
    from ..models import load
    from ..tagging import tag_file

    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    model = load(model_ref, registry=registry)
    settings = {"text_col": text_col, "header_row": header_row, "jobs": 1, "progress": False, "force": True}
    try:
        try:  # a run the server stopping cut off goes on from its finished chunks (the same upload, model and column)
            summary = tag_file(model, input_path, output_path, resume=True, **settings)
        except CheckpointError:  # those of another column or model, or an earlier release: started over
            summary = tag_file(model, input_path, output_path, restart=True, **settings)
        if download is not None:
            _write_first_download(input_path, output_path, download, text_col, name, summary.number_formats,
                                  header_row)
    finally:
        _exit_if_orphaned(parent)  # the run has cleaned up
    return {"rows": summary.rows_out, "encoding": summary.encoding, "needs_review": summary.needs_review,
            "text_columns": summary.text_columns,
            "number_formats": summary.number_formats, "row_notes": row_notes(summary),
            "counts": counts_in_chinese(summary),
            "excel_changes": summary.excel_changes, "resumed_chunks": summary.resumed_chunks,
            "dates_1904": summary.dates_1904, "days_1904": summary.days_1904}


def _write_first_download(input_path: str, tagged_path: str, download: str, text_col: str, name: str,
                          number_formats: dict, header_row: int = 1) -> None:
    """Write the batch's ``download`` (:func:`_write_download`) as its tagging ends, so that its first click gets
    a finished file rather than wait while the upload is read again. Stopped with the server, or failing, it is left
    to that click, which says why: the tagging's result stands either way."""
    from ._downloads import Misaligned

    try:
        _write_download(input_path, tagged_path, download, text_col, name, number_formats, header_row)
    except (KeyboardInterrupt, ValueError, Misaligned):
        pass


def _write_download(input_path: str, tagged_path: str, download: str, text_col: str, name: str,
                    number_formats: dict | None, header_row: int = 1) -> None:
    """``_downloads.write_download`` in a process of the server's, a SIGTERM (the server stopping) ending it as Ctrl-C
    would: its working copy is removed on the way out."""
    from .._signals import stops_as_interrupt
    from ._downloads import write_download

    with stops_as_interrupt():
        write_download(Path(input_path), Path(tagged_path), Path(download), text_col, name, number_formats,
                       header_row)


def tag_in_process(jobs: Jobs, model_ref: str, registry: str, input_path: str, output_path: str,
                   text_col: str, download: str | None = None, name: str = "", header_row: int = 1) -> dict:
    """``tag_file`` in a fresh process (:meth:`Jobs.in_process`): it handles signals, which only a main
    thread may do, and a large archive does not slow the pages down. ``download``: a download of the result to write
    as it ends (a file named by its format), of the upload named ``name``, its column names in ``header_row``."""
    return jobs.in_process(_tag_in_child, model_ref, registry, input_path, output_path, text_col, download, name,
                           header_row, os.getpid())


def _queue_in_child(model_ref: str, registry: str, tagged_path: str, input_path: str, text_col: str, queue_path: str,
                    header_row: int, parent: int) -> None:
    from ..models import load
    from ._queues import write_queue

    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    try:
        write_queue(load(model_ref, registry=registry), tagged_path, input_path, text_col, queue_path, header_row)
    finally:
        _exit_if_orphaned(parent)


def queue_in_process(jobs: Jobs, model_ref: str, registry: str, tagged_path: str, input_path: str, text_col: str,
                     queue_path: str, header_row: int = 1) -> None:
    """The review queue of a batch's result written to ``queue_path`` (``_queues.write_queue``) in a fresh process
    (:meth:`Jobs.in_process`): tens of seconds of reading and scoring for a large batch, kept off the server's."""
    jobs.in_process(_queue_in_child, model_ref, registry, tagged_path, input_path, text_col, queue_path, header_row,
                    os.getpid())


def _download_in_child(input_path: str, tagged_path: str, output: str, text_col: str, name: str,
                       number_formats: dict | None, header_row: int, parent: int) -> None:
    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    try:
        _write_download(input_path, tagged_path, output, text_col, name, number_formats, header_row)
    finally:
        _exit_if_orphaned(parent)


def download_in_process(jobs: Jobs, input_path: str, tagged_path: str, output: str, text_col: str, name: str,
                        number_formats: dict | None, header_row: int = 1) -> None:
    """A download of a batch's result written to ``output`` (``_downloads.write_download``, whole or not at all) in a
    fresh process (:meth:`Jobs.in_process`): the upload is read again (seconds to minutes for a large workbook), and no
    request waits for it; a server that stops ends it."""
    jobs.in_process(_download_in_child, input_path, tagged_path, output, text_col, name, number_formats, header_row,
                    os.getpid())


def _retrain_in_child(registry: str, scratch: str, corpus: str, parent: int) -> int:
    from ._models import Models

    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    models = Models(registry, scratch)
    try:
        trained = models.train_version(corpus)  # SIGTERM ends the process here at once: nothing is written yet
        for number in (signal.SIGTERM, signal.SIGINT):  # from here the version and its held-back corrections are
            signal.signal(number, signal.SIG_IGN)  # written whole (under a second), not cut short between them
        return models.store_version(*trained)
    finally:
        _exit_if_orphaned(parent)


def retrain_in_process(jobs: Jobs, models, corpus) -> int:
    """``models.train_version`` and ``store_version`` (a :class:`Models`) in a fresh process (:meth:`Jobs.in_process`):
    a server that stops ends the training at once, and no version is stored, nor half of one."""
    return jobs.in_process(_retrain_in_child, str(models.registry.root), str(models.scratch), str(corpus),
                           os.getpid())
