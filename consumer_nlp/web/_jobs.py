"""Background work of the web application: tagging an archive and retraining a model run in a
thread each, so a page answers at once and a status page follows the work."""
import concurrent.futures
import multiprocessing
import os
import secrets
import signal
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Job:
    """One piece of background work: ``state`` is running, done or failed; ``result`` on success,
    ``error`` (a message for the page) on failure; ``link`` is where to go when it is done."""

    id: str
    title: str
    link: str
    state: str = "running"
    started: float = field(default_factory=time.time)
    finished: float | None = None
    result: object = None
    error: str | None = None

    @property
    def seconds(self) -> int:
        return int((self.finished or time.time()) - self.started)


class Jobs:
    """The jobs of this server, by id; ``start`` runs a function in a thread of its own."""

    def __init__(self, explain_error):
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._explain = explain_error

    def start(self, title: str, link: str, work, *args, **kwargs) -> Job:
        """Run ``work(*args, **kwargs)`` in the background; ``link`` may hold ``{id}``."""
        job_id = secrets.token_hex(8)
        job = Job(job_id, title, link.format(id=job_id))
        with self._lock:
            self._jobs[job_id] = job

        def run():
            try:
                job.result = work(*args, **kwargs)
                job.state = "done"
            except Exception as error:  # noqa: BLE001 - shown on the status page, in words
                job.error = self._explain(error)
                job.state = "failed"
            finally:
                job.finished = time.time()

        threading.Thread(target=run, name=f"job-{job_id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)


def _end_with(parent: int) -> None:
    """Stop this process as Ctrl-C would (its run cleans up) once ``parent`` is gone: a server killed
    while it tagged left the run going on its own, holding the batch's lock."""
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def _tag_in_child(model_ref: str, registry: str, input_path: str, output_path: str, text_col: str,
                  parent: int) -> dict:
    from ..models import load
    from ..tagging import tag_file

    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    model = load(model_ref, registry=registry)
    try:
        # restart: a run cut off with the server (its checkpoint left behind) is started over, not refused
        summary = tag_file(model, input_path, output_path, text_col=text_col, jobs=1, progress=False, force=True,
                           restart=True)
    finally:
        if os.getppid() != parent:  # the run has cleaned up, and nobody waits for a result: no idle orphan
            os._exit(1)
    return {"rows": summary.rows_out, "needs_review": summary.needs_review, "text_columns": summary.text_columns,
            "number_formats": summary.number_formats, "row_notes": summary.row_notes()}


def tag_in_process(model_ref: str, registry: str, input_path: str, output_path: str, text_col: str) -> dict:
    """``tag_file`` in a fresh process: it handles signals, which only a main thread may do, and a
    large archive does not slow the pages down."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_tag_in_child, model_ref, registry, input_path, output_path, text_col,
                           os.getpid()).result()
