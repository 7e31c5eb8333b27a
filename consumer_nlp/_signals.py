"""SIGTERM (a service stopped, `timeout`, a task manager) and SIGHUP (the terminal closed) taken as Ctrl-C, so that
work cleans up on its way out instead of ending on the spot. A signal this process ignores stays ignored: `nohup`
starts a command with SIGHUP ignored, so that it outlives its terminal."""
import contextlib
import signal
import threading


def stop_signals(*others: int) -> list[int]:
    """SIGTERM and SIGHUP (where the system has it), and ``others``: those of them this process does not ignore."""
    numbers = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)] + list(others)
    return [number for number in numbers if signal.getsignal(number) is not signal.SIG_IGN]


@contextlib.contextmanager
def stops_as_interrupt():
    """While the block runs, SIGTERM and SIGHUP raise KeyboardInterrupt (unless ignored, see :func:`stop_signals`;
    in the main thread: elsewhere signals cannot be handled and nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, interrupt) for number in stop_signals()}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
