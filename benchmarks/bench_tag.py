"""Benchmark tagging speed and memory on an archive whose text lengths mix like a complaint desk's.

    python benchmarks/bench_tag.py [--rows 200000] [--jobs N] [--in-process-only]

1. Builds a CSV archive (id, date, channel, text) from the project's corpus with the length mix of
   ``MIX``: many short reviews and titles, a body of 50-200-character posts, a tail of 300-600-
   character hotline transcripts and case files (several corpus texts of one label joined, as a
   case file strings several remarks together). Prints the mean and percentiles it got.
2. Runs the real command, ``consumer-nlp tag``, on it as a separate process (whole process, and the
   command's own tagging time without start-up), sampling the resident memory of the whole process
   tree; the same at a tenth of the rows for the memory ratio.
3. Times the tutorial pipeline (jieba.lcut + TfidfVectorizer + LinearSVC, one process) on the same
   texts.
4. In one process: µs per text and per 100 characters of each stage, on batches of 5,000 texts of
   the archive; ``tag``/``predict_proba`` on lists of 5,000 and 50,000 texts; and what a user could
   pick instead, rjieba segmentation + a fastText model trained on the same corpus, on the same
   50,000 texts (needs fasttext; skipped with a note when it is missing).

Needs psutil (pip install ".[bench]"). Figures vary by about ±15% between runs on a shared machine;
compare the ratios, which are measured side by side.
"""
import argparse
import csv
import logging
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHANNELS = ["12315热线", "全国12315平台", "微信公众号", "来信来访", "电商平台转办", "银行投诉台"]
# (share of rows, shortest, longest, what they stand for)
MIX = [
    (0.30, 2, 30, "short reviews and car-complaint titles"),
    (0.12, 31, 50, "one- and two-line complaints"),
    (0.40, 51, 200, "platform posts, messages, forum posts"),
    (0.06, 201, 300, "long posts and letters"),
    (0.12, 301, 600, "hotline transcripts and case files"),
]
BATCH = 5000


def corpus():
    with open(REPO / "data" / "complaints.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def band_texts(texts, labels, low: int, high: int, count: int, rng: random.Random) -> list:
    """``count`` texts of ``low``-``high`` characters: corpus texts of that length, or where the corpus
    has too few, corpus texts of one label joined until long enough (cut at ``high``)."""
    fitting = [t for t in texts if low <= len(t) <= high]
    if len(fitting) >= 200:
        return [rng.choice(fitting) for _ in range(count)]
    by_label = {}
    for text, label in zip(texts, labels):
        if len(text) >= 20:
            by_label.setdefault(label, []).append(text)
    pool = []
    for _ in range(min(count, 20_000)):
        same = by_label[rng.choice(sorted(by_label))]
        joined = rng.choice(same)
        while len(joined) < low:
            joined += "。" + rng.choice(same)
        pool.append(joined[:high])
    return [rng.choice(pool) for _ in range(count)]


def make_archive(path: Path, texts, labels, rows: int, seed: int = 0) -> list:
    """Write the archive; returns its texts in order."""
    rng = random.Random(seed)
    picked = []
    for share, low, high, _ in MIX:
        picked += band_texts(texts, labels, low, high, round(rows * share), rng)
    picked = picked[:rows] + [rng.choice(texts) for _ in range(rows - len(picked))]
    rng.shuffle(picked)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "date", "channel", "text"])
        for i, text in enumerate(picked):
            writer.writerow([f"C{i:08d}", f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}", CHANNELS[i % 6], text])
    return picked


def describe_lengths(texts) -> str:
    lengths = np.array([len(t) for t in texts])
    p = np.percentile(lengths, [10, 25, 50, 75, 90, 99]).astype(int)
    shares = ", ".join(f"{low}-{high}: {np.mean((lengths >= low) & (lengths <= high)):.0%}" for _, low, high, _ in MIX)
    return (f"mean {lengths.mean():.0f} characters; percentiles 10/25/50/75/90/99: {'/'.join(map(str, p))}; "
            f"by band {shares}")


def run_tag(archive: Path, jobs) -> tuple:
    """Wall time, tagging time (the command's own figure: reading, tagging and writing, without
    start-up) and peak RSS (MiB, whole process tree) of one `consumer-nlp tag` run."""
    command = [sys.executable, "-m", "consumer_nlp", "tag", str(archive), "-o", str(archive.with_suffix(".out.csv")), "-q"]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    peak, root = 0, psutil.Process(process.pid)

    def sample():
        # Walking /proc for the process tree is costly on 2 cores: do it every half second and
        # read only the memory of the known processes in between.
        nonlocal peak
        tree, walked = [root], 0.0
        while process.poll() is None:
            try:
                if time.monotonic() - walked > 0.5:
                    tree, walked = [root] + root.children(recursive=True), time.monotonic()
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = process.communicate()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"consumer-nlp tag failed:\n{err}")
    tagging = float(re.search(r"用时 ([0-9.]+) 秒", err).group(1))
    return time.perf_counter() - started, tagging, peak / 2**20


def tutorial_rows_per_second(train_texts, train_labels, texts) -> float:
    """The common blog pipeline, trained on the corpus, timed on tagging ``texts`` in one process."""
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    vectorizer = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b")
    model = LinearSVC().fit(vectorizer.fit_transform([" ".join(jieba.lcut(t)) for t in train_texts]), train_labels)
    started = time.perf_counter()
    model.predict(vectorizer.transform([" ".join(jieba.lcut(t)) for t in texts]))
    return len(texts) / (time.perf_counter() - started)


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def stage_table(model, texts) -> list:
    """(stage, seconds) over ``texts`` in batches of ``BATCH``, the stages of ``tag_columns``."""
    from consumer_nlp._classifier import calibrated_proba, linear_scores
    from consumer_nlp._explain import top_terms
    from consumer_nlp.features._normalize import normalize_many
    from consumer_nlp.features._tokenize import _marked

    vectorizer = model.vectorizer_
    tokenizer = vectorizer.tokenizer_
    model.tag_columns(texts[:BATCH])  # build the segmenter and lookup tables first
    seconds = dict.fromkeys(["normalisation", "word features", "  of which segmentation",
                              "character n-gram features", "scores and probabilities",
                              "clause rule (texts read as other)", "top terms",
                              "tag_columns, all stages in one call"], 0.0)
    for start in range(0, len(texts), BATCH):
        batch = texts[start:start + BATCH]
        normalised, took = timed(normalize_many, batch)
        seconds["normalisation"] += took
        _, took = timed(tokenizer._cut, _marked("\n".join(normalised)))
        seconds["  of which segmentation"] += took
        (words, _, _), took = timed(vectorizer._word_block, normalised)
        seconds["word features"] += took
        chars, took = timed(vectorizer.char_features, normalised)
        seconds["character n-gram features"] += took
        feature_pass = vectorizer.read(normalised)  # both again, for the clause rule to read clauses from
        _, plain = timed(linear_scores, (words, chars), model.coef_, model.intercept_)
        scores, took = timed(model._decision_scores, normalised, (words, chars), model.coef_, model.intercept_,
                             feature_pass)
        seconds["scores and probabilities"] += plain
        seconds["clause rule (texts read as other)"] += max(took - plain, 0.0)
        proba, took = timed(calibrated_proba, scores, model.temperature_)
        seconds["scores and probabilities"] += took
        _, took = timed(top_terms, words, chars, model.term_weights_, proba.argmax(axis=1),
                        vectorizer.feature_names(), 5)
        seconds["top terms"] += took
        _, took = timed(model.tag_columns, batch)
        seconds["tag_columns, all stages in one call"] += took
    return list(seconds.items())


def per_call(model, texts, sizes=(5_000, 50_000), rounds: int = 3) -> dict:
    """Texts/s of ``tag_columns`` and of ``predict_proba`` on ``texts`` handed over ``size`` at a
    time, for each of ``sizes``: the median of ``rounds`` rounds, the sizes taking turns so that a
    change in the machine's speed hits them alike."""
    seconds = {(method, size): [] for method in ("tag_columns", "predict_proba") for size in sizes}
    for _ in range(rounds):
        for (method, size), took in seconds.items():
            calls = [texts[start:start + size] for start in range(0, len(texts), size)]
            took.append(timed(lambda: [getattr(model, method)(call) for call in calls])[1])
    return {key: len(texts) / float(np.median(took)) for key, took in seconds.items()}


def fasttext_texts_per_second(train_texts, train_labels, texts):
    """rjieba segmentation + fastText (wordNgrams=2, trained on the corpus) on ``texts``; None
    when fasttext is not installed."""
    try:
        import fasttext
        import rjieba
    except ImportError:
        return None
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        for text, label in zip(train_texts, train_labels):
            f.write(f"__label__{label} {' '.join(rjieba.cut(text.replace(chr(10), ' ')))}\n")
    model = fasttext.train_supervised(f.name, wordNgrams=2, epoch=25, verbose=0)
    Path(f.name).unlink()
    started = time.perf_counter()
    model.predict([" ".join(rjieba.cut(t.replace("\n", " "))) for t in texts])
    return len(texts) / (time.perf_counter() - started)


def in_process(texts, labels, archive_texts) -> None:
    import consumer_nlp as cn

    model = cn.load()
    sample = archive_texts[:50_000]
    characters = sum(len(t) for t in sample)
    print(f"\nIn one process, {len(sample):,} texts of the archive ({characters / len(sample):.0f} characters "
          f"on average) in batches of {BATCH:,}:")
    print(f"{'stage':42} {'µs/text':>8} {'µs/100 chars':>13}")
    for stage, seconds in stage_table(model, sample):
        print(f"{stage:42} {seconds / len(sample) * 1e6:8.1f} {seconds / characters * 1e8:13.1f}")
    speed = per_call(model, sample)
    print(f"\nthe same texts, texts/s (median of 3 rounds): tag_columns in calls of 5,000 "
          f"{speed['tag_columns', 5_000]:,.0f}, in one call of 50,000 {speed['tag_columns', 50_000]:,.0f}; "
          f"predict_proba in calls of 5,000 {speed['predict_proba', 5_000]:,.0f}, in one call "
          f"{speed['predict_proba', 50_000]:,.0f}")
    rival = fasttext_texts_per_second(texts, labels, sample)
    if rival is None:
        print("rjieba + fastText: not measured (pip install fasttext)")
    else:
        print(f"rjieba + fastText (no confidence, no terms), the same 50,000 texts: {rival:,.0f} texts/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--jobs", type=int, help="worker processes for consumer-nlp (default: all cores)")
    parser.add_argument("--in-process-only", action="store_true", help="only the one-process figures")
    args = parser.parse_args()
    texts, labels = corpus()
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "archive.csv", Path(folder) / "archive_small.csv"
        picked = make_archive(big, texts, labels, args.rows)
        print(f"archive: {args.rows:,} rows, {big.stat().st_size / 2**20:.1f} MiB CSV, {psutil.cpu_count()} cores; "
              f"{describe_lengths(picked)}", flush=True)
        if not args.in_process_only:
            make_archive(small, texts, labels, args.rows // 10, seed=1)
            seconds, tagging, peak = run_tag(big, args.jobs)
            _, _, peak_small = run_tag(small, args.jobs)
            ours, ours_tagging = args.rows / seconds, args.rows / tagging
            tutorial = tutorial_rows_per_second(texts, labels, picked)
            print(f"consumer-nlp tag, whole process (start-up, model load, CSV in and out): {ours:,.0f} rows/s "
                  f"({seconds:.1f} s)")
            print(f"consumer-nlp tag, tagging only (CSV in and out, no start-up): {ours_tagging:,.0f} rows/s "
                  f"({tagging:.1f} s)")
            print(f"start-up (imports, model load, workers), paid once a run: {seconds - tagging:.1f} s")
            print(f"tutorial pipeline (jieba.lcut + TF-IDF + LinearSVC, one process, tagging only, no I/O): "
                  f"{tutorial:,.0f} rows/s")
            print(f"speed ratio: {ours / tutorial:.1f}x whole process, {ours_tagging / tutorial:.1f}x tagging only")
            print(f"peak RSS, whole process tree: {peak:,.0f} MiB at {args.rows:,} rows, {peak_small:,.0f} MiB at "
                  f"{args.rows // 10:,} rows (ratio {peak / peak_small:.2f})", flush=True)
    in_process(texts, labels, picked)


if __name__ == "__main__":
    main()
