"""Near-duplicate texts: two texts that share most of their 5-character runs say the same thing."""
import array
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._unicode import CODE_BITS, code_points

GRAM = 5  # characters in a run
_NO_CHAR = np.uint64((1 << CODE_BITS) - 1)  # beyond every code point: pads a text shorter than a run
_BLOCK_CHARS = 1 << 18  # texts packed a block at a time, so that the temporary arrays stay small
CROWDED, BUDGET = 64, 4096  # lists of more than CROWDED texts are not read where a text's lists hold more than BUDGET
PRINT_CHARS, PRINT_WINDOW = 16, 4  # texts sharing PRINT_CHARS + PRINT_WINDOW - 1 characters share a print
_MIX = np.uint64(0x9E3779B97F4A7C15)  # an odd constant: multiplying by it spreads a run's bits over the hash
_POWERS = _MIX ** np.arange(PRINT_CHARS - 1, -1, -1, dtype=np.uint64)


def _packed_runs(texts) -> tuple:
    """For each run of GRAM characters of ``texts`` (a text shorter than that: the text itself), its
    code points packed exactly into two integers, and the position of its text."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    codes = code_points("".join(texts)).astype(np.uint64)
    codes = np.append(codes, np.full(GRAM, _NO_CHAR))  # a run near the end reads padding, never past it
    runs = np.maximum(lengths - (GRAM - 1), 1)
    owner = np.repeat(np.arange(len(texts), dtype=np.int32), runs)
    starts = np.cumsum(lengths) - lengths
    at = np.arange(len(owner)) - np.repeat(np.cumsum(runs) - runs, runs) + starts[owner]
    end = (starts + lengths)[owner]
    high, low = np.zeros(len(at), dtype=np.uint64), np.zeros(len(at), dtype=np.uint64)
    for j in range(GRAM):
        code = np.where(at + j < end, codes[at + j], _NO_CHAR)
        if j < 3:
            high = (high << np.uint64(CODE_BITS)) | code
        else:
            low = (low << np.uint64(CODE_BITS)) | code
    return high, low, owner


def gram_ids(texts) -> tuple[list, np.ndarray]:
    """Each text's distinct runs of GRAM characters as sorted integer ids (equal runs, equal ids:
    exact, not hashed), and for each id the number of texts holding it. Eight bytes a run, where a
    set of strings took over a hundred (10,000 texts of 500 characters: 1.2 GB)."""
    blocks, block, chars = [], [], 0
    for position, text in enumerate(texts):
        block.append(text)
        chars += len(text)
        if chars >= _BLOCK_CHARS or position == len(texts) - 1:
            high, low, owner = _packed_runs(block)
            blocks.append((high, low, owner + (position + 1 - len(block))))
            block, chars = [], 0
    if not blocks:
        return [], np.zeros(0, dtype=np.int64)
    high, low, owner = (np.concatenate(parts) for parts in zip(*blocks))
    del blocks
    order = np.lexsort((low, high))
    new = np.zeros(len(order), dtype=bool)  # where a run differs from the one before it in that order
    new[:1] = True
    for key in (high, low):
        ordered = key[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    del high, low, ordered
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    del order, new
    n_ids = int(ids.max()) + 1
    pairs = owner.astype(np.int64) * n_ids + ids
    pairs.sort()  # by text, then by id
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]  # each text's distinct runs
    owner, ids = np.divmod(pairs, n_ids)
    bounds = np.searchsorted(owner, np.arange(len(texts) + 1))
    return [ids[a:b] for a, b in zip(bounds[:-1], bounds[1:])], np.bincount(ids, minlength=n_ids)


def _shared_counts(member: np.ndarray, others: list) -> np.ndarray:
    """How many ids each array of ``others`` shares with the set whose ids are True in ``member``:
    one gather over all of them, not a set intersection per pair."""
    lengths = np.fromiter(map(len, others), dtype=np.int64, count=len(others))
    return np.add.reduceat(member[np.concatenate(others)], np.cumsum(lengths) - lengths, dtype=np.int64)


def _postings(looked_up: list, fallback: tuple) -> list:
    """For each ``(index, grams)`` of ``looked_up`` (gram -> 64-bit array of positions), the positions listed
    under its grams in one array: each list is copied whole, not read position by position. Where they hold
    more than BUDGET positions in all, lists longer than CROWDED are left out and ``fallback`` (the prints)
    is looked up too; else it gives none."""
    lists = [[index[gram] for gram in grams if gram in index] for index, grams in [*looked_up, fallback]]
    if sum(len(postings) for part in lists[:-1] for postings in part) > BUDGET:
        lists = [[postings for postings in part if len(postings) <= CROWDED] for part in lists]
    else:
        lists[-1] = []
    return [np.frombuffer(b"".join(part), dtype=np.int64) for part in lists]


def _windows(values: np.ndarray, width: int) -> np.ndarray:
    """Each run of ``width`` consecutive ``values`` as a row (fewer values: one row of them all), a view."""
    width = min(width, len(values))
    return as_strided(values, (max(len(values) - width + 1, 1), width), (values.strides[0],) * 2)


def prints(text: str) -> list:
    """Winnowed fingerprints of ``text``: of each PRINT_WINDOW consecutive runs of PRINT_CHARS characters,
    the smallest hash (a shorter text: one hash of the whole). Two texts sharing PRINT_CHARS + PRINT_WINDOW
    − 1 characters in a row share a print, whatever their other characters (Schleimer et al., 2003)."""
    runs = _windows(code_points(text).astype(np.uint64) + np.uint64(1), PRINT_CHARS)
    hashes = runs @ _POWERS[PRINT_CHARS - runs.shape[1]:]  # a polynomial of the code points, wrapping at 2**64
    hashes ^= hashes >> np.uint64(31)
    hashes *= _MIX
    return np.unique(_windows(hashes, PRINT_WINDOW).min(axis=1)).tolist()


def _prefix(rarest, share: float):
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
    such texts took 89 s). A gram no other text holds is in no pair: it is neither indexed nor
    looked up.

    Texts written with a few characters put the same common grams in every prefix and made every pair
    a candidate (4,000 such texts of 300 characters took 21 s). So a text whose lists
    hold more than BUDGET positions in all reads only those of CROWDED picked texts or fewer, and a
    text with a gram held by more than CROWDED texts in its prefix is also indexed, and looked up, by
    its prints. The result is that of comparing every pair, except that a text whose lists hold more
    than BUDGET positions misses a near-duplicate whose shared grams in its prefix were each listed for
    more than CROWDED picked texts, unless they share a print (19 characters in a row) listed for fewer.
    """
    items = sorted(scored, key=lambda item: item[0], reverse=True)
    grams_of, frequency = gram_ids([item[1] for item in items])
    short_share = 2 * threshold / (1 + threshold)
    common = frequency > CROWDED
    member = np.zeros(len(frequency), dtype=bool)  # the ids of the text being looked at
    sizes = np.zeros(len(items), dtype=np.int64)  # of the picked texts' id sets, in the order picked
    picked, picked_grams, by_probe, by_short, by_print = [], [], {}, {}, {}
    for item, grams in zip(items, grams_of):
        size = len(grams)
        held = frequency[grams]
        rarest_order = np.lexsort((grams, held))
        rarest, shared = grams[rarest_order], held[rarest_order] > 1
        probe = _prefix(rarest, threshold)[_prefix(shared, threshold)]
        text_prints = prints(item[1]) if common[probe].any() else []  # short is a part of probe
        probe, short = probe.tolist(), _prefix(rarest, short_share)[_prefix(shared, short_share)].tolist()
        larger, smaller, alike = _postings([(by_probe, short), (by_short, probe)], (by_print, text_prints))
        candidates = np.unique(np.concatenate([larger[sizes[larger] >= size], smaller[sizes[smaller] < size], alike]))
        if len(candidates):
            member[grams] = True
            overlap = _shared_counts(member, [picked_grams[j] for j in candidates])
            member[grams] = False
            if np.any(overlap / (size + sizes[candidates] - overlap) >= threshold):
                continue
        for prefix, index in ((probe, by_probe), (short, by_short), (text_prints, by_print)):
            for gram in prefix:
                index.setdefault(gram, array.array("q")).append(len(picked))
        sizes[len(picked)] = size
        picked.append(item)
        picked_grams.append(grams)
        if k is not None and len(picked) == k:
            break
    return picked
