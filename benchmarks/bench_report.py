"""How long a work-summary report takes, and its memory, on tagged archives of growing size.

    python benchmarks/bench_report.py [--rows 20000 100000] [--repeat 2]

Builds each archive as ``bench_tag.py`` does (id, date over two years, channel, text), tags it with the default
model, then runs ``consumer-nlp report`` on it as a user would, a separate process each time, and prints the
seconds, rows per second and peak memory of the best of ``--repeat`` runs: a cost that grows faster than the rows
shows as falling rows per second.
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tag import corpus, make_archive  # noqa: E402


# Runs the command line in a child that writes its own peak memory (KiB, Linux) on exit.
MEASURED = ("import resource, runpy, sys\nsys.argv = ['consumer-nlp', *sys.argv[1:]]\ntry:\n"
            "    runpy.run_module('consumer_nlp', run_name='__main__')\nfinally:\n"
            "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")


def run(arguments: list, folder: str) -> tuple:
    """Seconds and peak resident memory (MiB) of ``consumer-nlp ARGUMENTS`` as a child process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED, *arguments], cwd=folder, check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - started, int(done.stderr.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    texts, labels = corpus()
    print(f"{'rows':>9} {'seconds':>8} {'rows/s':>8} {'peak MiB':>9}")
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as folder:
            make_archive(Path(folder) / "a.csv", texts, labels, rows)
            run(["tag", "a.csv", "-o", "t.csv", "-q"], folder)
            best = min(run(["report", "t.csv", "-o", "r.html", "--force", "-q"], folder)
                       for _ in range(args.repeat))
            print(f"{rows:>9,} {best[0]:>8.1f} {rows / best[0]:>8,.0f} {best[1]:>9,.0f}")


if __name__ == "__main__":
    main()
