import csv
from pathlib import Path

import pytest

import consumer_nlp as cn

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "data" / "complaints.csv"


@pytest.fixture(scope="session")
def default_model():
    return cn.load()


@pytest.fixture(scope="session")
def small_corpus():
    """40 texts per category from the project's corpus: enough to fit quickly."""
    with open(CORPUS, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    picked, seen = [], {}
    for row in rows:
        if seen.get(row["label"], 0) < 40:
            seen[row["label"]] = seen.get(row["label"], 0) + 1
            picked.append((row["text"], row["label"]))
    return [t for t, _ in picked], [label for _, label in picked]


@pytest.fixture(scope="session")
def small_model(small_corpus):
    texts, labels = small_corpus
    return cn.ComplaintClassifier(cv=3).fit(texts, labels)
