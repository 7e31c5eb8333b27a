"""Why the model decided: per-term contributions to a linear decision score."""
from dataclasses import dataclass

import numpy as np
import pandas as pd


def row_contributions(row, weights):
    """Contribution of each feature present in a sparse ``row`` to every class score.

    Returns the feature indices and a (n_present, n_classes) array of value * weight.
    """
    return row.indices, row.data[:, None] * weights[:, row.indices].T


def top_terms(features, weights, codes, n_word_features: int, k: int = 5):
    """For each row of ``features``, up to ``k`` terms that pushed hardest towards its class.

    ``codes`` gives each row's class (a row of ``weights``). Word terms (the first
    ``n_word_features`` columns) come first, strongest first; character n-grams fill in only when
    fewer than three words pushed that way, since words are what a person checks a decision by.
    Returns, per row, a list of (column, contribution) pairs.
    """
    rows = np.repeat(np.arange(features.shape[0]), np.diff(features.indptr))
    contribution = features.data * weights[codes[rows], features.indices]
    positive = contribution > 0
    rows, columns, contribution = rows[positive], features.indices[positive], contribution[positive]
    is_char = columns >= n_word_features
    # One sort key: row, then words before char n-grams, then stronger first (1/(1+c) falls as c grows).
    order = np.argsort(rows * 4.0 + is_char * 2.0 + 1.0 / (1.0 + contribution))
    rows, columns, contribution, is_char = rows[order], columns[order], contribution[order], is_char[order]
    starts = np.searchsorted(rows, np.arange(features.shape[0]))
    rank = np.arange(len(rows)) - starts[rows]
    n_words = np.bincount(rows[~is_char], minlength=features.shape[0])
    keep = (rank < k) & (~is_char | (rank < np.maximum(3, n_words[rows])))
    found = [[] for _ in range(features.shape[0])]
    for row, column, value in zip(rows[keep].tolist(), columns[keep].tolist(), contribution[keep].tolist()):
        found[row].append((column, value))
    return found


@dataclass
class Explanation:
    """A decision an officer can check: the category and every term's pull towards each category."""

    text: str
    category: str
    category_zh: str
    confidence: float
    needs_review: bool
    probabilities: dict
    contributions: pd.DataFrame

    def __str__(self) -> str:
        verdict = "需人工复核" if self.needs_review else "可信"
        lines = [f"类别：{self.category_zh}（{self.category}）  置信度：{self.confidence:.2f}  {verdict}",
                 "各词对该类别的贡献（正值支持，负值反对）："]
        for term, value in self.contributions[self.category].items():
            lines.append(f"  {term}\t{value:+.3f}")
        return "\n".join(lines)
