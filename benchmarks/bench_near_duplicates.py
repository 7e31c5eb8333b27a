"""How long the near-duplicate search (review export, report examples) takes on three shapes of text.

    python benchmarks/bench_near_duplicates.py [--sizes 1000 2000 4000] [--shapes few fields varied] [--repeat 1]

few: 300-character texts written with four characters (every run of five is held by most texts);
fields: texts of four fields from pools of 30 (as hotline summaries are built); varied: texts of
20 to 200 characters drawn from a hundred characters. Prints texts, texts kept and the fewest seconds
of ``--repeat`` runs (steadier on a busy machine).
"""
import argparse
import random
import time

from consumer_nlp._similarity import pick_distinct

CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法"


def shaped(shape: str, n: int, seed: int = 0) -> list:
    """``n`` (score, text, index) items of the given shape."""
    rng = random.Random(seed)
    if shape == "few":
        texts = ["".join(rng.choice("漏水退款") for _ in range(300)) for _ in range(n)]
    elif shape == "fields":
        pools = [["".join(rng.choice(CHARS) for _ in range(rng.randrange(4, 12))) for _ in range(30)]
                 for _ in range(4)]
        texts = ["，".join(rng.choice(pool) for pool in pools) for _ in range(n)]
    else:
        texts = ["".join(rng.choice(CHARS) for _ in range(rng.randrange(20, 200))) for _ in range(n)]
    return [(rng.random(), text, i) for i, text in enumerate(texts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000])
    parser.add_argument("--shapes", nargs="+", default=["few", "fields", "varied"])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    for shape in args.shapes:
        for n in args.sizes:
            items = shaped(shape, n)
            seconds = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                kept = pick_distinct(items)
                seconds.append(time.perf_counter() - start)
            print(f"{shape:7} {n:>7,} texts  kept {len(kept):>7,}  {min(seconds):6.2f} s", flush=True)


if __name__ == "__main__":
    main()
