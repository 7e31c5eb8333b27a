"""Does correcting pay? A complaint desk corrects N tagged rows and retrains; how much better does
the model do on the rest of its archive?

    python benchmarks/bench_adaptation.py [--sizes 50 100 200] [--seeds 3]

The desk's archive is the labeled development set of real text (``../shared/dev/real_dev.csv``,
read at run time only: none of its texts or per-row figures is written anywhere). It is tagged by
the built-in default model with ``tag_file``; the N rows to correct are taken

- by the tool: the package's review queue (``review_queue``), most instructive first; when fewer
  than N rows are flagged for review, the rest follow in the order the same queue gives every row
  (the queue run on a copy of the tagged archive with every row flagged);
- at random (averaged over ``--seeds`` seeds);

and the model is retrained on ``data/complaints.csv`` plus the N corrections (their true labels)
with ``train(..., cv=0, corrections=...)``. Accuracy and macro-F1 are measured on the rows NOT
corrected, next to the default model's own figures on exactly those rows ("none"). A second table
takes the desk's view of the whole archive: how many of the N rows the default model had wrong,
and the archive's accuracy once they are corrected and the rest retagged by the retrained model.
"""
import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import consumer_nlp as cn  # noqa: E402
from consumer_nlp._categories import LABELS  # noqa: E402
from consumer_nlp.review import review_queue  # noqa: E402


def read_dev(path: Path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def tool_order(model, dev: Path, workdir: Path) -> tuple[list[int], int]:
    """Dev row indices (0-based) in the order the tool would have them corrected, and how many of
    them the queue itself held (flagged needs_review)."""
    tagged = workdir / "tagged.csv"
    cn.tag_file(model, dev, tagged, progress=False)
    queued = [item["row"] - 1 for item in review_queue(model, tagged, limit=None)]
    # Fill up with every other row, scored by the same queue: flag them all on a copy.
    frame = pd.read_csv(tagged, dtype=str, keep_default_na=False)
    frame["needs_review"] = "True"
    everything = workdir / "tagged_all_flagged.csv"
    frame.to_csv(everything, index=False)
    seen = set(queued)
    rest = [item["row"] - 1 for item in review_queue(model, everything, limit=None)]
    order = queued + [i for i in rest if i not in seen]
    return order, len(queued)


def scores(truth, predicted) -> tuple[float, float]:
    return (accuracy_score(truth, predicted),
            f1_score(truth, predicted, labels=[c for c in LABELS if c in set(truth)], average="macro",
                     zero_division=0))


def retrained(corpus: Path, texts, labels, chosen, remaining) -> tuple[float, float, float]:
    """Accuracy and macro-F1 on ``remaining`` of the model retrained with the ``chosen`` rows
    corrected, and the training time."""
    started = time.perf_counter()
    model = cn.train(str(corpus), cv=0, corrections={texts[i]: labels[i] for i in chosen})
    seconds = time.perf_counter() - started
    predicted = model.predict([texts[i] for i in remaining])
    return (*scores([labels[i] for i in remaining], predicted), seconds)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=REPO.parent / "shared" / "dev" / "real_dev.csv")
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "complaints.csv")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--seeds", type=int, default=3, help="random choices to average over")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    texts, labels = read_dev(args.dev)
    default = cn.load()
    none_predicted = default.predict(texts)
    with tempfile.TemporaryDirectory() as tmp:
        order, flagged = tool_order(default, args.dev, Path(tmp))
    print(f"archive: {len(texts)} labeled rows; default model accuracy on all of them "
          f"{scores(labels, none_predicted)[0]:.3f}; flagged for review: {flagged}; "
          f"ranked by the queue in all: {len(order)}", flush=True)
    if len(order) < max(args.sizes):
        print(f"note: the queue ranks only {len(order)} distinct rows (near-duplicates left out); "
              f"sizes above that use what there is", flush=True)

    def none_on(remaining):
        return scores([labels[i] for i in remaining], none_predicted[remaining])

    def wrong(rows):
        """How many of ``rows`` the default model tags wrongly: errors a correction fixes."""
        return int(sum(none_predicted[i] != labels[i] for i in rows))

    table, desk = [], []
    for n in args.sizes:
        chosen = order[:n]
        remaining = sorted(set(range(len(texts))) - set(chosen))
        tool = retrained(args.corpus, texts, labels, chosen, remaining)
        print(f"N={n} tool: accuracy {tool[0]:.3f} macro-F1 {tool[1]:.3f} on {len(remaining)} rows "
              f"(none {none_on(remaining)[0]:.3f}; trained in {tool[2]:.0f}s)", flush=True)
        randoms, none_random, picks = [], [], []
        for seed in range(args.seeds):
            picked = random.Random(seed).sample(range(len(texts)), n)
            picks.append(picked)
            rest = sorted(set(range(len(texts))) - set(picked))
            randoms.append(retrained(args.corpus, texts, labels, picked, rest))
            none_random.append(none_on(rest))
            print(f"N={n} random seed {seed}: accuracy {randoms[-1][0]:.3f} macro-F1 {randoms[-1][1]:.3f} "
                  f"(none {none_random[-1][0]:.3f}; trained in {randoms[-1][2]:.0f}s)", flush=True)
        table.append((n, len(remaining), tool[:2], none_on(remaining),
                      tuple(np.mean([r[:2] for r in randoms], axis=0)), tuple(np.mean(none_random, axis=0))))
        # The desk's view: corrected rows are right; the rest are as the retrained model tags them.
        desk.append((n, wrong(chosen), np.mean([wrong(picked) for picked in picks]),
                     (n + tool[0] * len(remaining)) / len(texts),
                     np.mean([(n + r[0] * (len(texts) - n)) / len(texts) for r in randoms])))

    whole = scores(labels, none_predicted)
    print(f"\nLearning curves: accuracy (macro-F1) on the rows not corrected, after retraining with the N "
          f"corrected ones; random: mean of {args.seeds} seed(s). N=0 is the default model on the whole "
          f"archive; the 'none, same rows' columns are the default model on exactly the rows each choice leaves")
    print("| N | rows left | tool | none, same rows | random | none, same rows |")
    print("|---|---|---|---|---|---|")
    for n, left, tool, none_tool, rand, none_rand in [(0, len(texts), *[whole] * 4)] + table:
        print(f"| {n} | {left} | {tool[0]:.3f} ({tool[1]:.3f}) | {none_tool[0]:.3f} ({none_tool[1]:.3f}) "
              f"| {rand[0]:.3f} ({rand[1]:.3f}) | {none_rand[0]:.3f} ({none_rand[1]:.3f}) |")
    print(f"\nThe whole archive of {len(texts)} rows, corrected rows counted right (none: {whole[0]:.3f})")
    print("| N | default's errors among the N, tool | same, random | archive accuracy, tool | same, random |")
    print("|---|---|---|---|---|")
    for n, wrong_tool, wrong_random, archive_tool, archive_random in desk:
        print(f"| {n} | {wrong_tool} | {wrong_random:.1f} | {archive_tool:.3f} | {archive_random:.3f} |")
    print(f"\ntotal time {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
