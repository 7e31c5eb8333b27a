"""How long a CSV or TSV file with a stray quote on many lines takes to read.

    python benchmarks/bench_stray_quotes.py [--mb 1.3 5.3] [--formats csv tsv]
    python benchmarks/bench_stray_quotes.py --inch 500 1000 2000 4000

Builds files of ordinary rows (id, text) with one stray-quote line between every two of them
(``1,客服说","明天处理`` in CSV, ``1"<tab>"客服说`` in TSV), and the same files without the stray lines;
reads each with ``open_archive(path).chunks()`` and prints its size, lines, rows, bad rows, seconds and
the lines given to the csv module (parsed) per line of the file.

With ``--inch``, files of id,text,note whose given number of lines each close and reopen a stray quote
(``1,客服说","明天处理``, each reading alone as a row of three), up to a line closing it with an inch mark
(``9,屏幕6.1",x``), then as many ordinary rows.
"""
import argparse
import csv
import tempfile
import time
from pathlib import Path

from consumer_nlp.io import _delimited, open_archive

TEXT = "手机屏幕碎了，客服说可以保修，但是到了门店又说不在保修范围内，要求退款"


def build(path: Path, megabytes: float, delimiter: str, stray: bool) -> int:
    """Write ``path`` to about ``megabytes``; its line count."""
    lines, size, i = ["id" + delimiter + "text\n"], 0, 0
    while size < megabytes * 1e6:
        i += 1
        lines.append(f"{i}{delimiter}{TEXT}{i}\n")
        if stray:
            lines.append(f'{i},客服说","明天处理\n' if delimiter == "," else f'{i}"\t"客服说\n')
        size += len(lines[-1].encode()) + (len(lines[-2].encode()) if stray else 0)
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)


def build_inch(path: Path, count: int, delimiter: str) -> int:
    """Write ``path`` with ``count`` lines of stray quotes closed by an inch mark; its line count."""
    lines = ["id" + delimiter + "text" + delimiter + "note\n"]
    lines += [f'{i}{delimiter}客服说"{delimiter}"明天处理\n' for i in range(count)]
    lines.append(f'{count}{delimiter}屏幕6.1"{delimiter}x\n')
    lines += [f"{i}{delimiter}{TEXT}{delimiter}ok\n" for i in range(count)]
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)


def parsed_lines() -> list:
    """Counts, into the returned list, every line the reader gives the csv module from now on."""
    count, real = [0], csv.reader

    def counting(lines, *args, **kwargs):
        def each():
            for line in lines:
                count[0] += 1
                yield line
        return real(each(), *args, **kwargs)
    _delimited.csv = type("csv", (), {"reader": staticmethod(counting), "Error": csv.Error})
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[1.3, 5.3])
    parser.add_argument("--formats", nargs="+", default=["csv", "tsv"])
    parser.add_argument("--inch", type=int, nargs="+", help="lines of stray quotes closed by an inch mark")
    options = parser.parse_args()
    count = parsed_lines()
    if options.inch:
        return inch(options, count)
    print(f"{'file':>5} {'stray':>5} {'MB':>5} {'lines':>8} {'rows':>7} {'bad':>7} {'seconds':>8} {'parsed/line':>11}")
    with tempfile.TemporaryDirectory() as folder:
        for name in options.formats:
            for megabytes in options.mb:
                for stray in (False, True):
                    path = Path(folder) / f"a.{name}"
                    lines = build(path, megabytes, "," if name == "csv" else "\t", stray)
                    count[0], start = 0, time.perf_counter()
                    chunks = list(open_archive(path).chunks())
                    seconds = time.perf_counter() - start
                    rows, bad = sum(len(c.rows) for c in chunks), sum(len(c.bad) for c in chunks)
                    print(f"{name:>5} {'yes' if stray else 'no':>5} {path.stat().st_size / 1e6:5.1f} {lines:8,} "
                          f"{rows:7,} {bad:7,} {seconds:8.2f} {count[0] / lines:11.1f}", flush=True)


def inch(options, count) -> None:
    """Print the figures of the files of stray quotes closed by an inch mark."""
    print(f"{'file':>5} {'stray':>6} {'lines':>8} {'rows':>7} {'bad':>7} {'seconds':>8} {'parsed/line':>11}")
    with tempfile.TemporaryDirectory() as folder:
        for name in options.formats:
            for stray in options.inch:
                path = Path(folder) / f"a.{name}"
                lines = build_inch(path, stray, "," if name == "csv" else "\t")
                count[0], start = 0, time.perf_counter()
                chunks = list(open_archive(path).chunks())
                seconds = time.perf_counter() - start
                rows, bad = sum(len(c.rows) for c in chunks), sum(len(c.bad) for c in chunks)
                print(f"{name:>5} {stray:6,} {lines:8,} {rows:7,} {bad:7,} {seconds:8.2f} {count[0] / lines:11.1f}",
                      flush=True)


if __name__ == "__main__":
    main()
