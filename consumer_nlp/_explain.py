"""Why the model decided: per-term contributions to a linear decision score."""
from dataclasses import dataclass

import numpy as np
import pandas as pd


def row_contributions(row, weights):
    """Contribution of each feature present in a sparse ``row`` to every class score.

    Returns the feature indices and a (n_present, n_classes) array of value * weight.
    """
    return row.indices, row.data[:, None] * weights[:, row.indices].T


def top_terms(row, class_weights, names, k: int = 5) -> list[tuple[str, float]]:
    """Up to ``k`` terms of ``row`` that pushed hardest towards the class with ``class_weights``."""
    contributions = row.data * class_weights[row.indices]
    best = np.argsort(-contributions, kind="stable")[:k]
    return [(str(names[row.indices[i]]), round(float(contributions[i]), 4)) for i in best if contributions[i] > 0]


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
