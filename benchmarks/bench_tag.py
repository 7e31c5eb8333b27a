"""Benchmark `consumer-nlp tag` against the tutorial pipeline on a 200,000-row archive.

    python benchmarks/bench_tag.py [--rows 200000] [--jobs N]

Builds a CSV archive of typical complaints (id, date, channel, text; texts drawn from the
project's own corpus), runs the real command line on it as a separate process while sampling the
resident memory of the whole process tree, runs the same at a tenth of the size, and times the
tutorial pipeline (jieba.lcut + TfidfVectorizer + LinearSVC, one process) on the same texts.
Prints rows/s, the speed ratio and peak RSS. Needs psutil (pip install ".[bench]").
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

import psutil

REPO = Path(__file__).resolve().parents[1]
CHANNELS = ["12315热线", "全国12315平台", "微信公众号", "来信来访", "电商平台转办", "银行投诉台"]


def corpus():
    with open(REPO / "data" / "complaints.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def make_archive(path: Path, texts, rows: int, seed: int = 0) -> list:
    rng = random.Random(seed)
    picked = [rng.choice(texts) for _ in range(rows)]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "date", "channel", "text"])
        for i, text in enumerate(picked):
            writer.writerow([f"C{i:08d}", f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}", CHANNELS[i % 6], text])
    return picked


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--jobs", type=int, help="worker processes for consumer-nlp (default: all cores)")
    args = parser.parse_args()
    texts, labels = corpus()
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "archive.csv", Path(folder) / "archive_small.csv"
        picked = make_archive(big, texts, args.rows)
        make_archive(small, texts, args.rows // 10, seed=1)
        size = big.stat().st_size / 2**20
        seconds, tagging, peak = run_tag(big, args.jobs)
        _, _, peak_small = run_tag(small, args.jobs)
        ours, ours_tagging = args.rows / seconds, args.rows / tagging
        tutorial = tutorial_rows_per_second(texts, labels, picked)
    print(f"archive: {args.rows:,} rows, {size:.1f} MiB CSV, {psutil.cpu_count()} cores")
    print(f"consumer-nlp tag, whole process (start-up, model load, CSV in and out): {ours:,.0f} rows/s ({seconds:.1f} s)")
    print(f"consumer-nlp tag, tagging only (CSV in and out, no start-up): {ours_tagging:,.0f} rows/s ({tagging:.1f} s)")
    print(f"tutorial pipeline (jieba.lcut + TF-IDF + LinearSVC, one process, tagging only, no I/O): "
          f"{tutorial:,.0f} rows/s")
    print(f"speed ratio: {ours / tutorial:.1f}x whole process, {ours_tagging / tutorial:.1f}x tagging only")
    print(f"peak RSS, whole process tree: {peak:,.0f} MiB at {args.rows:,} rows, {peak_small:,.0f} MiB at "
          f"{args.rows // 10:,} rows (ratio {peak / peak_small:.2f})")


if __name__ == "__main__":
    main()
