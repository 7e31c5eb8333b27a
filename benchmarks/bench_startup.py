"""Start-up: what a user waits for before the first complaint is tagged.

    python benchmarks/bench_startup.py [--repeat 5]

Times, as separate processes (the way a user meets them), ``import consumer_nlp``,
``consumer-nlp --help``, ``import consumer_nlp as cn; cn.load()`` and ``consumer-nlp tag`` on a
10-row CSV, and prints the median and the range of each over ``--repeat`` runs.
"""
import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(command, cwd) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cli = shutil.which("consumer-nlp") or sys.exit("consumer-nlp is not on PATH: pip install . first")
    with tempfile.TemporaryDirectory() as folder:
        sample = (REPO / "data" / "sample_archive.csv").read_text("utf-8").splitlines(keepends=True)
        (Path(folder) / "ten.csv").write_text("".join(sample[:11]), "utf-8")
        commands = {
            "python -c 'import consumer_nlp'": [sys.executable, "-c", "import consumer_nlp"],
            "consumer-nlp --help": [cli, "--help"],
            "python -c 'import consumer_nlp as cn; cn.load()'": [sys.executable, "-c",
                                                                 "import consumer_nlp as cn; cn.load()"],
            "consumer-nlp tag ten.csv (10 rows)": [cli, "tag", "ten.csv", "-o", "out.csv", "--force", "-q"],
        }
        print(f"{'command':<52} {'median':>8} {'range':>15}")
        for name, command in commands.items():
            times = [timed(command, folder) for _ in range(args.repeat)]
            print(f"{name:<52} {statistics.median(times):>7.2f}s {min(times):>6.2f}–{max(times):.2f}s")


if __name__ == "__main__":
    main()
