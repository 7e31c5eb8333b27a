"""Near-duplicates among the texts a person is shown (review queue, report examples)."""
import random

from consumer_nlp import _similarity
from consumer_nlp._similarity import pick_distinct

TEMPLATE = "消费者来电反映：{}，要求商家依法退款并赔偿，请予处理。"
CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法"


def brute_force(items, k=None, threshold=0.5):
    """Every pair compared: what pick_distinct must give, however it gets there."""
    picked = []
    for item in sorted(items, key=lambda item: item[0], reverse=True):
        grams = _similarity._grams(item[1])
        if all(len(grams & _similarity._grams(p[1])) / len(grams | _similarity._grams(p[1])) < threshold
               for p in picked):
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
    jaccard = _similarity._jaccard
    monkeypatch.setattr(_similarity, "_jaccard", lambda a, b: calls.append(1) or jaccard(a, b))
    items = [(i, TEMPLATE.format(body), i) for i, body in enumerate(texts(2000, seed=4))]
    assert len(pick_distinct(items)) == 2000
    assert len(calls) < 20 * len(items)


def test_texts_whose_frame_is_a_third_to_half_of_them_are_compared_with_few_of_the_others(monkeypatch):
    # A 150-character frame and 100 characters of each text's own (Jaccard 0.42, not near-duplicates)
    # put the same frame grams in every text's prefix: 4,000 such texts took 89 s.
    calls = []
    jaccard = _similarity._jaccard
    monkeypatch.setattr(_similarity, "_jaccard", lambda a, b: calls.append(1) or jaccard(a, b))
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
