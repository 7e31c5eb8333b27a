"""Where results are written: a file is never replaced unasked, and a command never writes over what it reads."""
import os
from pathlib import Path


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
        raise ValueError(f"the {what} {path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise ValueError(f"the folder of the {what} {path} does not exist")
    for source in inputs:
        if same_file(path, Path(source)):
            raise ValueError(f"the {what} {path} is the input file {source}: it is never written over; choose "
                             f"another name")
    if not force and path.exists():
        raise FileExistsError(f"the {what} {path} exists already; choose another name, or pass force=True to "
                              f"replace it")
    return path
