"""Near-duplicate texts: two texts that share most of their 5-character runs say the same thing."""
from collections import Counter


def _grams(text: str) -> set:
    return {text[i:i + 5] for i in range(max(1, len(text) - 4))}


def pick_distinct(scored, k: int | None = None, threshold: float = 0.5) -> list:
    """From ``(score, text, …)`` items, the highest-scored first, leaving out any item whose text
    is a near-duplicate (5-gram Jaccard ≥ ``threshold``) of one already picked; at most ``k``.
    An index from 5-grams to picked texts keeps this fast on thousands of items."""
    picked, grams_of, index = [], [], {}
    for item in sorted(scored, key=lambda item: item[0], reverse=True):
        grams = _grams(item[1])
        shared = Counter(j for gram in grams for j in index.get(gram, ()))
        if any(n / len(grams | grams_of[j]) >= threshold for j, n in shared.items()):
            continue
        for gram in grams:
            index.setdefault(gram, []).append(len(picked))
        picked.append(item)
        grams_of.append(grams)
        if k is not None and len(picked) == k:
            break
    return picked
