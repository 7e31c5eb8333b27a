"""Where results are written: a file is never replaced unasked, a command never writes over what it reads, and
two never write one file at once."""
import errno
import glob
import hashlib
import json
import os
import re
import secrets
import shutil
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .._locks import lock_exclusively
from ..exceptions import ArchiveError


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (links and ``..`` included)."""
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def check_new_file(path, *, force: bool, inputs=(), what: str = "output") -> Path:
    """Check before any work that ``path`` may be written: not a folder, its folder there, none of
    ``inputs`` (never, even with ``force``), and not an existing file unless ``force``."""
    path = Path(path)
    if path.is_dir():
        raise ArchiveError(f"the {what} {path} is a folder; give a file name", "folder")
    if not path.parent.is_dir():
        above = next((folder for folder in path.parents if folder.exists()), None)  # (below a file: t.csv/r.html)
        if above is not None and not above.is_dir():
            raise ArchiveError(f"the {what} {path} is below {above}, and {above} is a file, not a folder", "no_folder",
                               file=above.name)
        raise ArchiveError(f"the folder of the {what} {path} does not exist", "no_folder")
    for source in inputs:
        if same_file(path, Path(source)):
            raise ArchiveError(f"the {what} {path} is the input file {source}: it is never written over; choose "
                               f"another name", "output_is_input")
    if not force and path.exists():
        raise FileExistsError(f"the {what} {path} exists already; choose another name, or pass force=True to "
                              f"replace it")
    return path


NAME_MAX = 255  # bytes in a file name, on Linux and macOS file systems alike


def working_name(path, tag: str) -> Path:
    """The hidden file ``.NAME.TAG`` beside ``path`` that a run works in (a lock, a checkpoint, a
    file being written); NAME is cut, and a digest of the whole name added, where the working name
    would pass the file system's limit although the name itself does not."""
    path = Path(path)
    name = f".{path.name}.{tag}"
    if len(os.fsencode(name)) <= NAME_MAX:
        return path.with_name(name)
    digest = hashlib.sha256(os.fsencode(path.name)).hexdigest()[:16]
    room = NAME_MAX - len(os.fsencode(f"..{digest}.{tag}"))
    cut = os.fsencode(path.name)[:room].decode("utf-8", "ignore")
    return path.with_name(f".{cut}.{digest}.{tag}")


def remove_aside(folder) -> None:
    """Delete ``folder``, first moved aside whole to the hidden ``.NAME.leaving`` beside it (:func:`working_name`): one
    atomic step, after which it is gone by its name, and whoever writes in it by that name fails rather than leave the
    removal half done. What a removal that failed (a file held elsewhere) or was cut short (kill -9) leaves is that
    hidden folder alone: removed by the next removal of ``folder``, or by :func:`sweep_removals`."""
    leaving = working_name(folder, "leaving")
    if leaving.exists():
        shutil.rmtree(leaving, ignore_errors=True)
    if Path(folder).exists():
        os.replace(folder, leaving)
    shutil.rmtree(leaving, ignore_errors=True)


def sweep_removals(folder) -> None:
    """Remove what removals by :func:`remove_aside` in ``folder`` left there."""
    for leaving in Path(folder).glob(".*.leaving"):
        shutil.rmtree(leaving, ignore_errors=True)


def temporary_beside(path, *, folder: bool = False) -> Path:
    """A new, empty file (or ``folder``) with a random name beside ``path`` and its extension, made
    with the permissions the umask gives (tempfile's are owner-only, which colleagues, or a web
    server running as another user, could not read once it was moved into place)."""
    path = Path(path)
    while True:
        temporary = working_name(path, f"{secrets.token_hex(4)}{'' if folder else path.suffix}")
        try:
            if folder:
                temporary.mkdir()
            else:
                with open(temporary, "xb"):
                    pass
            return temporary
        except FileExistsError:
            continue


def _stale_temporaries(path: Path, untouched_since: float) -> list[Path]:
    """The files :func:`temporary_beside` made beside ``path`` and a killed process left: those untouched since
    ``untouched_since``, when the caller took the output's lock, which every writer holds while its copy is at work."""
    # the name up to the random part, as temporary_beside makes it (a long name is cut alike)
    prefix = working_name(path, "0" * 8 + path.suffix).name[:-8 - len(path.suffix)]
    made = re.compile(re.escape(prefix) + "[0-9a-f]{8}" + re.escape(path.suffix))
    found = []
    for candidate in path.parent.glob(glob.escape(prefix) + "*"):
        try:
            if made.fullmatch(candidate.name) and candidate.stat().st_mtime < untouched_since:
                found.append(candidate)
        except FileNotFoundError:  # another process swept it first
            pass
    return found


def flush(path: Path) -> None:
    """Have the system write ``path`` to the disk now (a file's bytes; a folder's names, as renames left them), not
    when it pleases: a name renamed into place before its bytes are on the disk is, after a power cut, an empty or
    cut file. On Windows ``os.fsync`` is the C library's ``_commit``, which flushes a file open for writing and no
    folder (Python opens none): folders are left to NTFS, which journals its renames."""
    if os.name == "nt":
        if path.is_dir():
            return
        fd = os.open(path, os.O_RDWR | os.O_BINARY)
    else:
        fd = os.open(path, os.O_RDONLY)  # a file or a folder alike
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def move_into_place(moves: list, *, force: bool) -> None:
    """Rename finished temporary files (or folders) to their paths; ``moves`` holds (temporary, path, what).
    Each reaches the disk before its rename, and the renames after it (see :func:`flush`), so a power cut
    leaves a path as it was or whole. Without ``force`` a path is never replaced: a file that appeared there
    since the checks at the start (another program's, another run's) is kept, and nothing is moved unless every
    path is still free (see :func:`_take_names`)."""
    for temporary, _, _ in moves:
        flush(Path(temporary))
    if force:
        for temporary, path, _ in moves:
            os.replace(temporary, path)
    else:
        _take_names(moves)
    for folder in dict.fromkeys(Path(path).parent for _, path, _ in moves):
        flush(folder)


def _take_names(moves: list) -> None:
    """Give each temporary of ``moves`` its path, all or none, each only where no file holds it."""
    taken = []
    try:
        for temporary, path, what in moves:
            taken.append((temporary, path, _take_name(temporary, path, what)))
    except BaseException:
        for _, path, _ in taken:
            Path(path).unlink(missing_ok=True)
        raise
    for temporary, path, linked in taken:
        if linked:
            os.unlink(temporary)
        else:
            os.replace(temporary, path)


def _take_name(temporary, path, what: str) -> bool:
    """Take ``path`` for ``temporary`` if it is free: as a second name of the finished file (a hard link, made
    only where no file holds the name; True), so that a process killed meanwhile leaves the path whole or free.
    Where the file system has no hard links (FAT, exFAT, some network shares), by an empty file created
    exclusively, which the temporary then replaces (False): a kill in that moment leaves the empty file."""
    try:
        os.link(temporary, path)
        return True
    except FileExistsError:
        pass
    except OSError:
        try:
            with open(path, "xb"):
                pass
            return False
        except FileExistsError:
            pass
    raise FileExistsError(f"the {what} {path} appeared while this was being written and was left as it is; "
                          f"choose another name, or pass force=True to replace it")


STALE_SECONDS = 3600  # a working copy untouched this long is a killed process's, where no lock can tell
_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS}  # what flock says on a file system without locks


class _Held(threading.local):
    """The OutputLocks this thread holds, by the absolute path of their lock file: a writer within its own lock (a
    tagging run joining its parts, a command writing its file) keeps it rather than being refused by it."""

    def __init__(self):
        self.locks = {}


_HELD = _Held()


class OutputLock:
    """An exclusive lock on a file beside ``output``, held by whatever writes it (a tagging run for the whole run, a
    command from its checks to its finished file, :func:`new_files` around its working copies): a second writer of
    the same output, in this process or another, is refused while the first is going. ``taken``: when it was taken
    (a working copy of the output untouched since is a dead writer's). ``parameter``: how the caller named the file,
    to say where else to write."""

    def __init__(self, output: Path, parameter: str | None = "output_path"):
        self.output, self.path, self.fd, self.taken = output, working_name(output, "lock"), None, None
        self.parameter = parameter

    def __enter__(self):
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                lock_exclusively(fd, wait=False)
            except OSError as error:
                if error.errno in _NO_LOCKS:  # a share that has none: written as ever, writers not kept apart
                    return self._hold(fd, time.time() - STALE_SECONDS)  # so only copies a dead writer's by age
                os.close(fd)
                elsewhere = f" ({self.parameter}=…)" if self.parameter else ""
                raise ArchiveError(f"another run is writing {self.output} (it holds {self.path}); wait for it to "
                                   f"finish, or write elsewhere{elsewhere}", "busy", parameter=self.parameter) \
                    from None
            except BaseException:  # stopped (a SIGTERM raised as Ctrl-C) as it locked: the lock file not left behind
                self._give_up(fd)
                raise
            try:
                if os.path.samestat(os.fstat(fd), os.stat(self.path)):
                    return self._hold(fd, time.time())
            except FileNotFoundError:
                pass
            except BaseException:
                self._give_up(fd)
                raise
            os.close(fd)  # the lock file was removed by a writer finishing meanwhile: take a new one

    def _hold(self, fd: int, taken: float) -> "OutputLock":
        self.fd, self.taken = fd, taken
        _HELD.locks[os.path.abspath(self.path)] = self
        return self

    def __exit__(self, *exc):
        """Release the lock, always, and remove its file where that can be done: in a folder made read-only
        meanwhile it stays (the next writer takes it), and the error that stopped the writer is the one told."""
        _HELD.locks.pop(os.path.abspath(self.path), None)
        try:
            os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(self.fd)

    def _give_up(self, fd: int) -> None:
        """Close ``fd``, opened as the lock was being taken; first remove the lock file if ``fd`` holds its lock (or
        can: no other writer does) and it is still the file at the lock's path, as :meth:`__exit__` would."""
        try:
            lock_exclusively(fd, wait=False)
            if os.path.samestat(os.fstat(fd), os.stat(self.path)):
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)


@contextmanager
def _writing(path: Path):
    """Hold the output lock of ``path`` (see :class:`OutputLock`) while the block runs; yields since when it is held.
    A lock this thread holds already (a tagging run's, a command's over its work) is the writer's own: kept, not
    taken again."""
    held = _HELD.locks.get(os.path.abspath(working_name(path, "lock")))
    if held is not None:
        yield held.taken
    else:
        with OutputLock(path, None) as lock:
            yield lock.taken


@contextmanager
def new_files(targets, *, force: bool, sweep: bool = True):
    """Temporary files beside each path of ``targets`` ((path, what) pairs), with its extension, to write in;
    when the block ends without an error they become their paths together (see :func:`move_into_place`), and
    otherwise they are removed. With ``sweep``, each path's output lock is held throughout (a second writer of it
    is refused, see :class:`OutputLock`), and the copies that writers of those paths killed midway (kill -9, a
    power cut) left beside them are removed first (a look through each folder): those untouched since the lock
    was taken, as every writer holds it while its copy is at work. Without ``sweep`` (a run's own checkpoint
    files, under the run's lock), neither."""
    targets = [(Path(path), what) for path, what in targets]
    with ExitStack() as locks:
        for path, _ in targets if sweep else ():
            untouched_since = locks.enter_context(_writing(path))
            for leftover in _stale_temporaries(path, untouched_since):
                leftover.unlink(missing_ok=True)
        temporaries = []
        try:
            for path, _ in targets:
                temporaries.append(temporary_beside(path))
            yield temporaries
            move_into_place([(temporary, path, what) for temporary, (path, what) in zip(temporaries, targets)],
                            force=force)
        finally:
            for temporary in temporaries:
                temporary.unlink(missing_ok=True)


@contextmanager
def new_file(path, *, force: bool, what: str = "output", sweep: bool = True):
    """One file written as :func:`new_files` writes several: whole at ``path`` or not at all."""
    with new_files([(path, what)], force=force, sweep=sweep) as (temporary,):
        yield temporary


def write_json(path, data, *, force: bool = True, sweep: bool = True) -> None:
    """``data`` as JSON at ``path``, whole or not at all: a reader never sees it half written (``sweep``:
    as :func:`new_file`)."""
    with new_file(path, force=force, sweep=sweep) as temporary, open(temporary, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
