"""Near-duplicate texts: two texts that share most of their 5-character runs say the same thing."""
import math
from collections import Counter


def _grams(text: str) -> set:
    return {text[i:i + 5] for i in range(max(1, len(text) - 4))}


def _jaccard(a: set, b: set) -> float:
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def pick_distinct(scored, k: int | None = None, threshold: float = 0.5) -> list:
    """From ``(score, text, …)`` items, the highest-scored first, leaving out any item whose text
    is a near-duplicate (5-gram Jaccard ≥ ``threshold``) of one already picked; at most ``k``.

    Prefix filtering keeps this near linear even when every text shares a frame (hotline
    summaries): two sets with Jaccard ≥ t share at least ⌈t·|A|⌉ grams, so they share one of the
    |A| − ⌈t·|A|⌉ + 1 rarest grams of each. Only those are indexed and looked up, and the frame's
    grams, held by every text, are never among them.
    """
    items = sorted(scored, key=lambda item: item[0], reverse=True)
    grams_of = [_grams(item[1]) for item in items]
    frequency = Counter(gram for grams in grams_of for gram in grams)
    picked, picked_grams, index = [], [], {}
    for item, grams in zip(items, grams_of):
        rarest = sorted(grams, key=lambda gram: (frequency[gram], gram))
        prefix = rarest[:len(grams) - math.ceil(threshold * len(grams)) + 1]
        candidates = {j for gram in prefix for j in index.get(gram, ())}
        if any(_jaccard(grams, picked_grams[j]) >= threshold for j in candidates):
            continue
        for gram in prefix:
            index.setdefault(gram, []).append(len(picked))
        picked.append(item)
        picked_grams.append(grams)
        if k is not None and len(picked) == k:
            break
    return picked
