"""Kinds of values, one rule each: a whole number, a finite number, a missing cell."""
import math
import numbers

import pandas as pd


def is_int(value) -> bool:
    """A whole number (numpy's too), not a boolean."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value) -> bool:
    """A finite number (numpy's too), not a boolean."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def is_missing(value) -> bool:
    """No value: None, pandas' NA or NaT, or a NaN (numpy's too)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, numbers.Real) and value != value)
