"""Clauses: a complaint cut at its punctuation, so that one concrete problem can decide wherever it sits."""
import re

import numpy as np

from .._unicode import CodePointClass

# Breaks between clauses: ASCII punctuation (normalisation turns full-width ，！？；： into it),
# the ideographic full stop and enumeration comma, ellipses, tildes and white space.
BREAK_CHARACTER = r"[,.!?;:、。~…\s]"
CLAUSE_BREAK = re.compile(BREAK_CHARACTER + "+")
BREAKS = CodePointClass(BREAK_CHARACTER)
MIN_CLAUSE_CHARS = 2  # a lone character between two commas carries no problem of its own


def split_clauses(texts) -> tuple[list[str], np.ndarray]:
    """The clauses of each text (the whole text when it has no clause of two characters or more)
    and, for each clause, the position of its text in ``texts``."""
    clauses, owners = [], []
    for position, text in enumerate(texts):
        parts = [part for part in CLAUSE_BREAK.split(text) if len(part) >= MIN_CLAUSE_CHARS] or [text]
        clauses += parts
        owners += [position] * len(parts)
    return clauses, np.array(owners, dtype=np.intp)


_PIECES = re.compile(f"({BREAK_CHARACTER}+)")  # clauses, and the breaks between them


def numbered_clauses(texts) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The clauses of two characters or more of each text (none in place of a text without one, unlike
    :func:`split_clauses`), the position of each one's text in ``texts``, and the break characters before it
    in its text: its number, as :meth:`Tokenizer.cut_flat` numbers the clause of each token."""
    clauses, owners, numbers = [], [], []
    for position, text in enumerate(texts):
        pieces, before = _PIECES.split(text), 0
        for part, breaks in zip(pieces[::2], pieces[1::2] + [""]):
            if len(part) >= MIN_CLAUSE_CHARS:
                clauses.append(part)
                owners.append(position)
                numbers.append(before)
            before += len(breaks)
    return clauses, np.array(owners, dtype=np.intp), np.array(numbers, dtype=np.int64)


def best_by_owner(scores: np.ndarray, owners: np.ndarray, n_owners: int) -> np.ndarray:
    """Per text, the highest score of each column among its clauses: shape (n_owners, n_columns)."""
    best = np.full((n_owners, scores.shape[1]), -np.inf)
    np.maximum.at(best, owners, scores)
    return best
