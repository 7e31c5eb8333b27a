"""The library's logger, which also keeps the warnings given within :func:`warnings_kept` (an evaluation's report
says them): kept whatever level or handlers a script set on Python's logging, and apart for each thread."""
import contextvars
import logging
from contextlib import contextmanager

_KEPT = contextvars.ContextVar("consumer_nlp_warnings_kept", default=None)  # a new thread starts without one


class _Keeping(logging.LoggerAdapter):
    """A logger that logs as the one it wraps, and keeps a record of each warning where :func:`warnings_kept` asks."""

    def process(self, msg, kwargs):  # the caller's ``extra`` as given
        return msg, kwargs

    def log(self, level, msg, *args, **kwargs) -> None:
        kept = _KEPT.get()
        if kept is not None and level >= logging.WARNING:
            kept.append(self.logger.makeRecord(self.logger.name, level, "(unknown file)", 0, msg, args, None,
                                               extra=kwargs.get("extra")))
        super().log(level, msg, *args, **{**kwargs, "stacklevel": kwargs.get("stacklevel", 1) + 1})


log = _Keeping(logging.getLogger("consumer_nlp"))


@contextmanager
def warnings_kept():
    """The library's warnings given meanwhile in this thread, as records in a list, whether or not logging lets
    them through."""
    records = []
    token = _KEPT.set(records)
    try:
        yield records
    finally:
        _KEPT.reset(token)
