"""Near-duplicate texts: two texts that share most of their 5-character runs say the same thing."""
import math
from collections import Counter


def _grams(text: str) -> set:
    return {text[i:i + 5] for i in range(max(1, len(text) - 4))}


def _jaccard(a: set, b: set) -> float:
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _prefix(rarest: list, share: float) -> list:
    """The grams of a set (rarest first) of which any set sharing ``share`` of its grams has one."""
    return rarest[:len(rarest) - math.ceil(share * len(rarest) - 1e-9) + 1]


def pick_distinct(scored, k: int | None = None, threshold: float = 0.5) -> list:
    """From ``(score, text, …)`` items, the highest-scored first, leaving out any item whose text
    is a near-duplicate (5-gram Jaccard ≥ ``threshold``) of one already picked; at most ``k``.

    Prefix filtering keeps this near linear even when every text shares a frame (hotline
    summaries). With grams ordered rarest first, the rarest gram two sets A and B share stands
    within A's first |A| − o + 1 grams, o being their overlap; and Jaccard ≥ t means
    o ≥ t·|larger| and o ≥ 2t/(1+t)·|smaller|. So the larger set's first |L| − ⌈t·|L|⌉ + 1 grams (its
    probe prefix) and the smaller one's first |S| − ⌈2t/(1+t)·|S|⌉ + 1 (its short prefix) share a gram:
    a picked text is indexed by both prefixes, and a new one looks up its short prefix among the
    larger texts' probe prefixes and its probe prefix among the smaller texts' short prefixes. A
    frame's grams, held by every text, come last and stay out of short prefixes (looking up only
    probe prefixes, a frame of a third to a half of each text made every pair a candidate: 4,000
    such texts took 89 s).
    """
    items = sorted(scored, key=lambda item: item[0], reverse=True)
    grams_of = [_grams(item[1]) for item in items]
    frequency = Counter(gram for grams in grams_of for gram in grams)
    short_share = 2 * threshold / (1 + threshold)
    picked, sizes, picked_grams, by_probe, by_short = [], [], [], {}, {}
    for item, grams in zip(items, grams_of):
        size = len(grams)
        rarest = sorted(grams, key=lambda gram: (frequency[gram], gram))
        probe, short = _prefix(rarest, threshold), _prefix(rarest, short_share)
        candidates = {j for gram in short for j in by_probe.get(gram, ()) if sizes[j] >= size}
        candidates.update(j for gram in probe for j in by_short.get(gram, ()) if sizes[j] < size)
        if any(_jaccard(grams, picked_grams[j]) >= threshold for j in candidates):
            continue
        for prefix, index in ((probe, by_probe), (short, by_short)):
            for gram in prefix:
                index.setdefault(gram, []).append(len(picked))
        picked.append(item)
        sizes.append(size)
        picked_grams.append(grams)
        if k is not None and len(picked) == k:
            break
    return picked
