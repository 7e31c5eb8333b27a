"""The default model's tags on 2,000 texts of every length, saved before the speed work of issue
#16 (tests/data/default_model_tags.csv): faster code must give the same categories, review flags
and deciding terms, and the same confidences and contributions to within rounding.

    python tests/test_tag_reference.py   # rewrites the reference: only when the model changes on purpose
"""
import csv
import json
import random
from pathlib import Path

import numpy as np

from consumer_nlp.features._normalize import readable_term

REFERENCE = Path(__file__).parent / "data" / "default_model_tags.csv"
CORPUS = Path(__file__).resolve().parents[1] / "data" / "complaints.csv"
# What breaks fast paths: nothing to read, only punctuation or digits, full-width forms,
# Traditional characters, character references, long runs without a break.
EDGE_CASES = ["", " ", "。。。！！", "1234567890123", "ＡＢＣ１２３退款没到账", "&#38388;房間很髒，熱水器壞了",
              "差" * 300, "退款" + "a1" * 200, "😡😡😡", "iphone15充电口松动，4s店说不保修"]


def reference_texts() -> list[str]:
    """1,600 corpus texts, 390 of them joined into long case files of 300-600 characters, and the
    edge cases."""
    with open(CORPUS, encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    rng = random.Random(16)
    picked = rng.sample(texts, 1600)
    long = []
    while len(long) < 390:
        joined = rng.choice(texts)
        while len(joined) < 300:
            joined += "。" + rng.choice(texts)
        long.append(joined[:600])
    return picked + long + EDGE_CASES


def read_reference() -> list[dict]:
    with open(REFERENCE, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_tags_match_the_reference(default_model):
    reference = read_reference()
    assert len(reference) == 2000
    tags = default_model.tag_columns([row["text"] for row in reference])
    for i, row in enumerate(reference):
        where = f"row {i + 2} of {REFERENCE.name}: {row['text'][:30]!r}"
        assert tags["category"][i] == row["category"], where
        assert str(bool(tags["needs_review"][i])) == row["needs_review"], where
        assert abs(tags["confidence"][i] - float(row["confidence"])) < 1e-6, where
        expected = [(readable_term(term), weight) for term, weight in json.loads(row["top_terms"])]  # (shown since)
        assert [term for term, _ in tags["top_terms"][i]] == [term for term, _ in expected], where
        assert np.allclose([w for _, w in tags["top_terms"][i]], [w for _, w in expected], atol=1e-6), where


def test_probabilities_do_not_depend_on_how_texts_are_batched(default_model):
    texts = [row["text"] for row in read_reference()]
    together = default_model.predict_proba(texts)
    one_by_one = np.vstack([default_model.predict_proba(texts[i:i + 7]) for i in range(0, len(texts), 7)])
    assert np.allclose(together, one_by_one, atol=1e-9)


if __name__ == "__main__":
    import consumer_nlp as cn

    texts = reference_texts()
    tags = cn.load().tag_columns(texts)
    with open(REFERENCE, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "category", "confidence", "needs_review", "top_terms"])
        for i, text in enumerate(texts):
            writer.writerow([text, tags["category"][i], repr(float(tags["confidence"][i])),
                             bool(tags["needs_review"][i]), json.dumps(tags["top_terms"][i], ensure_ascii=False)])
    print(f"wrote {len(texts)} rows to {REFERENCE}")
