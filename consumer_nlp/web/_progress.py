"""How far a batch's tagging has got, for its job's page: what is under way before its first chunk is done, then the
rows done, the share of the upload read and an estimate of the time left, from the run's checkpoint."""
from pathlib import Path
from time import monotonic

from ..messages import tagging_progress
from ..tagging import checkpoint_begun, finished_so_far

ENOUGH_SECONDS = 5.0  # of work seen before a time left is estimated: a chunk done just after the page was first seen


def seconds_left(share: float | None, seconds: float, since: float = 0.0) -> float | None:
    """The seconds a run needs to read the rest of its input (1 - ``share``) at the rate it read from ``since`` to
    ``share`` in ``seconds``; None where that says nothing: too soon, no chunk done since, the share unknown, or all
    read (then only the files are left to write)."""
    if share is None or share >= 1 or share <= since or seconds < ENOUGH_SECONDS:
        return None
    return seconds * (1 - share) / (share - since)


class TaggingProgress:
    """The progress of the tagging writing ``output``, begun (its job started) at ``started`` (the time of
    ``time.time``), said as a sentence for its job's page at each call. The rate is measured from the first call
    that found the run's checkpoint: the chunks it already held (a resumed run's) took none of this job's time; and
    again from a call that finds less done (the run threw away another run's chunks and started over)."""

    def __init__(self, output: Path, started: float):
        self.output, self.started = Path(output), started
        self.reading = False  # whether the run's checkpoint was found: the model loaded, the upload being read
        self.first_seen: tuple[float, float] | None = None  # (share done, monotonic time) when first seen reading

    def __call__(self) -> str:
        rows, share = finished_so_far(self.output)
        if not rows and self._written():
            return tagging_progress(rows, share, all_tagged=True)
        if not rows and not checkpoint_begun(self.output):
            # before the run's checkpoint, the start; after it (gone once the rows are all tagged), the writing
            return tagging_progress(rows, share, all_tagged=self.reading)
        self.reading = True
        done = share if rows else 0.0
        if done is not None and (self.first_seen is None or done < self.first_seen[0]):  # or started over
            self.first_seen = (done, monotonic())
        left = None
        if self.first_seen is not None:
            since, at = self.first_seen
            left = seconds_left(share, monotonic() - at, since)
        return tagging_progress(rows, share, reading=True, seconds_left=left)

    def _written(self) -> bool:
        """Whether the result is written by this job (not left by an earlier one): its checkpoint is gone, the files
        remain to write."""
        try:
            return self.output.stat().st_mtime >= self.started
        except OSError:
            return False
