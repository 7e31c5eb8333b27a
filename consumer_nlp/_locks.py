"""Exclusive locks on files, for writers that must not interleave (runs on one output, alias updates)."""
import os
from contextlib import contextmanager
from pathlib import Path


def lock_exclusively(fd: int, *, wait: bool) -> None:
    """Lock the open file ``fd``; without ``wait``, raise OSError at once if another holds it
    (flock on POSIX, a byte-range lock on Windows)."""
    try:
        import fcntl
    except ImportError:
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
    else:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))


@contextmanager
def held(path: Path):
    """Wait for, then hold, the exclusive lock of the file ``path`` (created if missing)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        lock_exclusively(fd, wait=True)
        yield
    finally:
        os.close(fd)  # closing releases the lock
