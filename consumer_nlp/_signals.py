"""SIGTERM (a service stopped, `timeout`, a task manager) and SIGHUP (the terminal closed) taken as Ctrl-C, so that
work cleans up on its way out instead of ending on the spot. A signal this process ignores stays ignored: `nohup`
starts a command with SIGHUP ignored, so that it outlives its terminal. A terminal sends Ctrl-C's SIGINT and its
SIGHUP to every process of the command: processes a command starts ignore them (:func:`left_to_the_parent`)."""
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


@contextlib.contextmanager
def hangup_as_sigterm():
    """While the block runs, SIGHUP (unless ignored) is sent on as SIGTERM, to what handles that: a web server stops as
    it does on SIGTERM (its work recorded as stopped), not as Ctrl-C would cut it short. In the main thread only."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP") \
            or signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
        yield
        return
    previous = signal.signal(signal.SIGHUP, lambda signum, frame: signal.raise_signal(signal.SIGTERM))
    try:
        yield
    finally:
        signal.signal(signal.SIGHUP, previous)


def left_to_the_parent() -> None:
    """In a process another one started and stops: Ctrl-C and SIGHUP, which a terminal sends to every process of a
    command at once, are ignored; the parent takes them and ends this process its own way (SIGTERM)."""
    for name in ("SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
