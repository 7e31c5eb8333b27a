"""Near-duplicates among the texts a person is shown (review queue, report examples)."""
import random

from consumer_nlp import _similarity
from consumer_nlp._similarity import pick_distinct

TEMPLATE = "消费者来电反映：{}，要求商家依法退款并赔偿，请予处理。"
CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法"


def grams(text):
    """A text's distinct runs of five characters (a shorter text: itself), as strings."""
    return {text[i:i + 5] for i in range(max(1, len(text) - 4))}


def brute_force(items, k=None, threshold=0.5):
    """Every pair compared: what pick_distinct must give, however it gets there."""
    picked = []
    for item in sorted(items, key=lambda item: item[0], reverse=True):
        own = grams(item[1])
        if all(len(own & grams(p[1])) / len(own | grams(p[1])) < threshold for p in picked):
            picked.append(item)
            if k is not None and len(picked) == k:
                break
    return picked


def texts(n, seed, body=40):
    rng = random.Random(seed)
    return ["".join(rng.choice(CHARS) for _ in range(body)) for _ in range(n)]


def test_near_duplicates_are_left_out_and_the_rest_kept_in_score_order():
    rng = random.Random(1)
    bodies = texts(300, seed=2, body=12)
    items = [(rng.random(), TEMPLATE.format(b), i) for i, b in enumerate(bodies)]  # the frame dominates: duplicates
    items += [(rng.random(), t, 1000 + i) for i, t in enumerate(texts(300, seed=3, body=30))]
    items += [(rng.random(), t[:-1] + "了", 2000 + i) for i, t in enumerate(texts(50, seed=3, body=30))]  # near copies
    items += [(rng.random(), "", 3000), (rng.random(), "好", 3001), (rng.random(), "好", 3002)]
    for k in (None, 1, 25):
        assert pick_distinct(items, k) == brute_force(items, k)


def test_texts_sharing_a_frame_are_compared_with_few_of_the_others(monkeypatch):
    # Hotline summaries share their opening and closing words: every text was compared with every
    # text picked before it, so 4,000 of them took 35 s and 8,000 over 100 s.
    calls = []
    counts = _similarity._shared_counts
    monkeypatch.setattr(_similarity, "_shared_counts",
                        lambda member, others: calls.extend(others) or counts(member, others))
    items = [(i, TEMPLATE.format(body), i) for i, body in enumerate(texts(2000, seed=4))]
    assert len(pick_distinct(items)) == 2000
    assert len(calls) < 20 * len(items)


def test_texts_whose_frame_is_a_third_to_half_of_them_are_compared_with_few_of_the_others(monkeypatch):
    # A 150-character frame and 100 characters of each text's own (Jaccard 0.42, not near-duplicates)
    # put the same frame grams in every text's prefix: 4,000 such texts took 89 s.
    calls = []
    counts = _similarity._shared_counts
    monkeypatch.setattr(_similarity, "_shared_counts",
                        lambda member, others: calls.extend(others) or counts(member, others))
    rng = random.Random(5)
    frame = "".join(rng.choice(CHARS) for _ in range(150))
    items = [(i, frame + body, i) for i, body in enumerate(texts(600, seed=6, body=100))]
    assert len(pick_distinct(items)) == 600
    assert len(calls) < 5 * len(items), len(calls)


def test_pairs_of_every_size_and_share_are_found_as_comparing_all_would_find_them():
    # Texts of different lengths sharing frames of different shares, near and over the threshold.
    rng = random.Random(7)
    frames = ["".join(rng.choice(CHARS) for _ in range(n)) for n in (20, 60, 150)]
    items = []
    for i in range(400):
        own = "".join(rng.choice(CHARS) for _ in range(rng.choice((5, 20, 40, 80, 160))))
        items.append((rng.random(), rng.choice(frames) + own if rng.random() < 0.8 else own, i))
    for threshold in (0.3, 0.5, 0.7):
        assert pick_distinct(items, threshold=threshold) == brute_force(items, threshold=threshold)


def test_runs_get_equal_ids_exactly_when_they_are_equal(monkeypatch):
    # Ids are packed code points, not hashes: every text, of any length and any characters (beyond
    # the Basic Multilingual Plane, a NUL, half an emoji), packed in blocks or not, gives exactly its runs.
    monkeypatch.setattr(_similarity, "_BLOCK_CHARS", 7)
    rng = random.Random(8)
    alphabet = "漏水退款\0a😀𠀀\ud83d"
    items = ["", "好", "好好", "漏水漏水漏", "漏水漏水漏水"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))) for _ in range(300)]
    ids, frequency = _similarity.gram_ids(items)
    holders = {}
    for text in items:
        for gram in grams(text):
            holders[gram] = holders.get(gram, 0) + 1
    assert [len(own) for own in ids] == [len(grams(text)) for text in items]
    assert all(list(own) == sorted(set(own.tolist())) for own in ids)
    for text, own in zip(items[:60], ids[:60]):  # two texts share as many ids as runs
        for other, theirs in zip(items, ids):
            assert len(set(own.tolist()) & set(theirs.tolist())) == len(grams(text) & grams(other))
    assert sorted(frequency.tolist()) == sorted(holders.values())


def test_long_texts_are_compared_in_little_memory():
    # Each text's runs were a set of strings, over a hundred bytes a run: review export of 20,000
    # flagged texts of 500 characters took 2.6 GB before --limit cut anything.
    import tracemalloc

    items = [(i, t, i) for i, t in enumerate(texts(2000, seed=9, body=500))]
    tracemalloc.start()
    try:
        assert len(pick_distinct(items, 10)) == 10
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB for 1,000,000 characters"  # 186 MiB before


def mixed_texts(n, seed):
    """Texts of the shapes a complaint desk meets: a frame around a body of its own, fields from small
    pools, free texts of many lengths, and copies of them with a character or a few changed."""
    rng = random.Random(seed)
    pools = [["".join(rng.choice(CHARS) for _ in range(rng.randrange(3, 10))) for _ in range(20)] for _ in range(4)]
    out = []
    for _ in range(n):
        shape = rng.random()
        if shape < 0.25:
            out.append(TEMPLATE.format("".join(rng.choice(CHARS) for _ in range(rng.randrange(5, 60)))))
        elif shape < 0.5:
            out.append("，".join(rng.choice(pool) for pool in pools))
        elif shape < 0.75 or not out:
            out.append("".join(rng.choice(CHARS) for _ in range(rng.randrange(1, 200))))
        else:
            copy = list(rng.choice(out))
            for _ in range(rng.randrange(1, 4)):
                copy.insert(rng.randrange(len(copy) + 1), rng.choice(CHARS))
            out.append("".join(copy))
    return out


def test_texts_of_ordinary_shapes_are_compared_as_before_the_budget(monkeypatch):
    # A text whose lists hold more than BUDGET positions leaves out the longest (and looks up its prints):
    # texts of the shapes met never come near it, so their result is that of reading every list (the
    # search as it was, equal to comparing every pair).
    rng = random.Random(10)
    items = [(rng.random(), text, i) for i, text in enumerate(mixed_texts(4000, seed=11))]
    totals = []
    real = _similarity._postings
    monkeypatch.setattr(_similarity, "_postings", lambda looked_up, prints: totals.append(sum(
        len(index[gram]) for index, grams in looked_up for gram in grams if gram in index)) or real(looked_up, prints))
    bounded = pick_distinct(items)
    assert 0 < max(totals) <= _similarity.BUDGET // 4
    monkeypatch.setattr(_similarity, "BUDGET", 0)  # every text leaves out its lists longer than CROWDED
    assert pick_distinct(items) != bounded
    monkeypatch.setattr(_similarity, "BUDGET", len(items) ** 2)
    assert pick_distinct(items) == bounded
    assert 2000 < len(bounded) < 3500


def test_texts_written_with_a_few_characters_are_compared_with_few_of_the_others_and_copies_still_found(monkeypatch):
    # Every run of five of 300 characters of 漏水退款 is held by most texts, so every text was compared
    # with every text picked before it: 4,000 took 21 s. Copies with a few characters changed are found.
    rng = random.Random(12)
    texts = ["".join(rng.choice("漏水退款") for _ in range(300)) for _ in range(1500)]
    copies = []
    for text in texts[:300]:
        copy = list(text)
        for _ in range(rng.randrange(1, 8)):
            copy[rng.randrange(len(copy))] = rng.choice("漏水退款")
        copies.append("".join(copy) if rng.random() < 0.5 else "".join(copy[rng.randrange(1, 30):]))
    items = [(1 + rng.random(), text, i) for i, text in enumerate(texts)]
    items += [(rng.random(), text, 2000 + i) for i, text in enumerate(copies)]
    calls = []
    counts = _similarity._shared_counts
    monkeypatch.setattr(_similarity, "_shared_counts",
                        lambda member, others: calls.extend(others) or counts(member, others))
    assert pick_distinct(items) == sorted(items[:1500], reverse=True)
    assert len(calls) < 100 * len(items), len(calls)
