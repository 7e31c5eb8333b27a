"""Checking an upload (reading its first rows, :func:`find_text_columns`) in a process of its own with a memory
limit, where the system offers one: a workbook built to unpack to gigabytes (a zip bomb packed under MAX_PACKING
times) then ends that process, not the server every desk uses. Children are forked from a fork server started at
the first check with the modules a check needs already imported (0.03 s a child instead of 2 to 3 s of imports);
each may use MEMORY_ALLOWANCE beyond its address space at start, and CHECK_SECONDS of processor time. Elsewhere
(Windows, macOS) uploads are checked in the server's own process."""
import logging
import math
import multiprocessing
import signal
import sys
import threading
import traceback
from pathlib import Path

from .._signals import left_to_the_parent
from ..exceptions import ArchiveError
from ._security import Refused
from ._workspace import find_text_columns, in_chinese

MEMORY_ALLOWANCE = 1 << 30  # bytes a check may use beyond what its process holds as it starts
# Processor seconds a check may use: a workbook packed under 100 times held a core for 87 s before its memory ran out.
# Measured: a 200,000-row workbook of 8 columns (27 MB, its texts in shared strings, as Excel saves them) takes 5 s,
# one of Excel's most rows, 1,048,575 (135 MB; its shared strings are read whole as it opens), 25 to 28 s.
CHECK_SECONDS = 60
APART = sys.platform.startswith("linux") and "forkserver" in multiprocessing.get_all_start_methods()
_PRELOADED = [__name__, "openpyxl", "pandas"]  # this module brings the workspace's, and the readers'
_STOPPING = "服务器正在停止，这个文件没有检查完：服务器重新启动后请再上传。"
log = logging.getLogger("consumer_nlp.web")


class UploadChecks:
    """:func:`find_text_columns` of uploads, each in a child of a fork server (where :data:`APART`) whose memory is
    limited; :meth:`close` ends the children at work and the fork server as the server stops."""

    def __init__(self):
        self._children: set = set()  # the checks at work
        self._lock = threading.Lock()
        self._closing = False

    def run(self, path: Path, header_row: int = 1) -> dict:
        """The text columns of the archive at ``path`` (its names in ``header_row``) and the one found by name
        (:func:`find_text_columns`);
        :class:`Refused`, in Chinese, for a file that cannot be used, one that needs more memory to read than
        MEMORY_ALLOWANCE or more processor time than CHECK_SECONDS among them."""
        if not APART:
            return _checked(path, None, header_row)
        context = multiprocessing.get_context("forkserver")
        reader, writer = context.Pipe(duplex=False)
        child = context.Process(target=_check_in_child, daemon=True,
                                args=(path, header_row, MEMORY_ALLOWANCE, CHECK_SECONDS, writer))
        with self._lock:  # started here, or not at all once the server stops
            if self._closing:
                raise Refused(503, _STOPPING)
            context.set_forkserver_preload(_PRELOADED)  # for the fork server the first check starts
            child.start()
            self._children.add(child)
        writer.close()  # the child's end: the reader meets its end once the child is gone
        try:
            with reader:
                outcome, value = reader.recv()
        except EOFError:  # gone without a word: killed (by the system, for memory) or stopped with the server
            outcome, value = "gone", None
        finally:
            child.join()
            with self._lock:
                self._children.discard(child)
        if outcome == "done":
            return value
        if outcome == "raised":
            raise value
        if self._closing or child.exitcode == -signal.SIGTERM:  # (a service manager stops every process at once)
            raise Refused(503, _STOPPING)
        if child.exitcode == -signal.SIGXCPU:  # its processor time ran out (RLIMIT_CPU)
            raise Refused(400, in_chinese(ArchiveError(f"the file takes longer to read than the server allows "
                                                       f"({CHECK_SECONDS} s)", "needs_time", seconds=CHECK_SECONDS)))
        log.warning("an upload's check ended without a result (exit code %s): taken for memory", child.exitcode)
        raise _refused_for_memory(MEMORY_ALLOWANCE)

    def close(self) -> None:
        """End the checks at work (their uploads are refused) and the fork server: a server that stops leaves no
        process behind."""
        with self._lock:
            self._closing = True
            children = list(self._children)
        for child in children:
            child.kill()
        for child in children:
            child.join()
        if APART:
            from multiprocessing import forkserver

            forkserver._forkserver._stop()  # waits for every child of it, ended above (no public way in 3.11-3.13)


def _checked(path: Path, allowance: int | None, header_row: int) -> dict:
    """:func:`find_text_columns`, its running out of memory (given ``allowance`` bytes, or the system's) refused as
    the file's."""
    try:
        return find_text_columns(path, header_row)
    except Exception as error:  # noqa: BLE001 - told as the file's where memory ran out, else as it is
        if _ran_out_of_memory(error):
            raise _refused_for_memory(allowance) from None
        raise


def _refused_for_memory(allowance: int | None) -> Refused:
    megabytes = {} if allowance is None else {"megabytes": allowance >> 20}
    error = ArchiveError(f"the file needs more memory to read than the server allows"
                         f"{f' ({allowance >> 20:,} MB)' if allowance else ''}", "needs_memory", **megabytes)
    return Refused(400, in_chinese(error))


def _ran_out_of_memory(error: BaseException | None) -> bool:
    """Whether ``error``, or one it was raised in handling, is memory running out: a MemoryError, or the XML parser's
    "out of memory" (expat's XML_ERROR_NO_MEMORY, told as a parse error, which the readers take for a damaged file)."""
    from xml.parsers.expat import errors

    no_memory, seen = errors.codes[errors.XML_ERROR_NO_MEMORY], set()
    while error is not None and id(error) not in seen:  # a chain may loop: an error re-raised from its own handling
        if isinstance(error, MemoryError) or isinstance(error, SyntaxError) and getattr(error, "code", 0) == no_memory:
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _address_space() -> int:
    """This process's address space in bytes (VmSize of /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) << 10 for line in status if line.startswith("VmSize:"))


def _check_in_child(path: Path, header_row: int, allowance: int, seconds: int, answer) -> None:
    """:func:`_checked` under a limit of its address space at start plus ``allowance``, and of ``seconds`` of
    processor time (beyond, SIGXCPU ends it), its outcome sent on ``answer`` (a connection): ("done", the columns)
    or ("raised", the error)."""
    import resource

    import pyarrow

    left_to_the_parent()  # Ctrl-C or a closed terminal stops the server, which ends its checks (close)
    # Arrow's own allocator (mimalloc) reserves address space by the GB: under the limit its first small
    # allocation failed now and then (a 200-row CSV refused for memory). The system's allocates what is used.
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + allowance
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    used = resource.getrusage(resource.RUSAGE_SELF)
    limit = math.ceil(used.ru_utime + used.ru_stime) + seconds
    resource.setrlimit(resource.RLIMIT_CPU, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU dumps core: of a process of a GB, none is wanted
    try:
        outcome = ("done", _checked(path, allowance, header_row))
    except Exception as error:  # noqa: BLE001 - the server tells it, as it did before checks ran apart
        outcome = ("raised", error)
    try:
        answer.send(outcome)
    except Exception:  # noqa: BLE001 - an error that does not pickle: its traceback, for the server's log
        said = "".join(traceback.format_exception(outcome[1]))
        answer.send(("raised", RuntimeError(f"the upload's check failed:\n{said}")))
