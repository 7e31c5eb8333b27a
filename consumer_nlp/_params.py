"""What the classifier's parameters may be: one set of checks for ``fit`` and for the model file's
reader, so that a model that fits can always be saved and loaded again."""
from .features import BACKENDS
from ._values import is_int, is_number


def _is_range(value) -> bool:
    return (isinstance(value, (list, tuple)) and len(value) == 2 and all(map(is_int, value))
            and 1 <= value[0] <= value[1] <= 9)


PARAMETER_CHECKS = {
    "C": (lambda v: is_number(v) and v > 0, "a positive number"),
    "word_ngram_range": (_is_range, "[low, high] with 1 <= low <= high <= 9"),
    "char_ngram_range": (lambda v: v is None or _is_range(v), "null or [low, high] with 1 <= low <= high <= 9"),
    "min_df": (lambda v: (is_int(v) and v >= 1) or (is_number(v) and not is_int(v) and 0 < v <= 1),
               "a count or a share"),
    "tokenizer_backend": (lambda v: v in ("auto", *BACKENDS), f"one of {('auto', *BACKENDS)}"),
    "cv": (lambda v: is_int(v) and v >= 2, "a whole number of at least 2"),
    "review_accuracy": (lambda v: is_number(v) and 0 < v <= 1, "a share above 0"),
    "random_state": (lambda v: v is None or is_int(v), "null or a whole number"),
    "clause_weight": (lambda v: is_number(v) and v >= 0, "a number of at least 0"),
}


def parameter_problems(params: dict) -> list[str]:
    """What is wrong with these parameters, one line each ("min_df must be a count or a share, not 0")."""
    return [f"{key} must be {wanted}, not {params[key]!r}"
            for key, (check, wanted) in PARAMETER_CHECKS.items() if key in params and not check(params[key])]
