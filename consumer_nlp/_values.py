"""Kinds of values, one rule each: a whole number, a finite number, a missing cell; and the types of
what the public functions take."""
import math
import numbers
import os
from collections.abc import Iterable

import pandas as pd


def is_int(value) -> bool:
    """A whole number (numpy's too), not a boolean."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class CountError(ValueError):
    """A parameter that counts something given out of its range: its ``name``, ``minimum``, the values below it that
    are taken too (``also``: cv's 0) and ``value``, for a front end that says it in its own words (the command line,
    by its flag)."""

    def __init__(self, name: str, minimum: int, value, meaning: str, also: tuple = ()):
        taken = "".join(f"{n} or " for n in also)
        super().__init__(f"{name}=N must be {taken}a whole number of at least {minimum} ({meaning}), not {value!r}")
        self.name, self.minimum, self.value, self.also = name, minimum, value, also


def check_count(value, name: str, minimum: int, meaning: str, also: tuple = ()) -> None:
    """Refuse ``value`` for parameter ``name`` unless a whole number of at least ``minimum`` (or one of ``also``):
    one rule and one message for every parameter that counts something (``meaning`` says what)."""
    if not (is_int(value) and (value >= minimum or value in also)):
        raise CountError(name, minimum, value, meaning, also)


def is_number(value) -> bool:
    """A finite number (numpy's too), not a boolean."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def is_continuous(value) -> bool:
    """A number with a fraction, or an infinity (2.5, inf; numpy's too): a measurement, never a category's label."""
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral))
            and not (math.isfinite(value) and float(value).is_integer()))


def is_missing(value) -> bool:
    """No value: None, pandas' NA or NaT, or a NaN (numpy's too)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, numbers.Real) and value != value)


def is_blank(value) -> bool:
    """No value, or text of nothing but spaces: an empty cell as a person sees it."""
    return is_missing(value) or (isinstance(value, str) and not value.strip())


def row_names(values, count: int | None = None) -> list[str]:
    """How the elements of ``values`` are named in errors, counted from 1: "row 6", and by the index label too where
    ``values`` is a pandas object whose index is not the default one ("row 6 (index 135)", as ``.loc`` finds it)."""
    index = getattr(values, "index", None)
    count = len(values) if count is None else count
    if not isinstance(index, pd.Index) or index.equals(pd.RangeIndex(len(index))):
        return [f"row {row}" for row in range(1, count + 1)]
    return [f"row {row} (index {label})" for row, label in enumerate(index[:count], start=1)]


def cell_texts(values: pd.Series) -> pd.Series:
    """Each cell as the text a person sees in it: missing cells empty, spaces at either end trimmed."""
    return values.astype("string").fillna("").str.strip()


def holding(values: pd.Series, test) -> pd.Series:
    """Which of ``values`` pass ``test``, as booleans. (``values.map(test)`` keeps an Arrow string column's type when
    it has no rows, and such a column has no ``any()``.)"""
    return pd.Series([bool(test(v)) for v in values], index=values.index, dtype=bool)


PathLike = str | os.PathLike  # a file or folder, as a string or a pathlib.Path
MODEL_SUFFIX = ".cnlp"  # a model file's name ends so
MODEL_SUFFIXES = (MODEL_SUFFIX, ".skops")  # a name ending so is a model file (0.1 wrote .skops), never data to read
LabeledSource = PathLike | pd.DataFrame | Iterable  # a labeled file, a DataFrame, or (text, label) pairs


def check_path(value, name: str, what: str, in_memory: str = "") -> None:
    """Refuse ``value`` for parameter ``name`` unless it is a :data:`PathLike`: Python's own TypeError ("expected str,
    bytes or os.PathLike object, not DataFrame") names no parameter. ``what`` says the file it names ("an archive
    file"); ``in_memory`` what to do instead with data given there (a DataFrame, a Series, a list, an array)."""
    if isinstance(value, (str, os.PathLike)):
        return
    module, kind = type(value).__module__.split(".")[0], type(value).__name__
    got = "None" if value is None else kind if module == "builtins" else f"{module}.{kind}"
    data = isinstance(value, (pd.DataFrame, pd.Series, list, tuple)) or hasattr(value, "__array__")
    raise TypeError(f"{name} must be the path of {what} (a string or a pathlib.Path), not {got}"
                    + (f"; {in_memory}" if in_memory and data else ""))
