"""SIGTERM (a service stopped, `timeout`, a task manager) taken as Ctrl-C, so that work cleans up on
its way out instead of ending on the spot."""
import contextlib
import signal
import threading


@contextlib.contextmanager
def sigterm_as_interrupt():
    """While the block runs, SIGTERM raises KeyboardInterrupt (in the main thread; elsewhere signals
    cannot be handled and nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
