"""How often a short GB18030 or Big5 file is read in the wrong encoding.

    python benchmarks/bench_encoding.py

One-row CSV files (``text`` and one value) cut from the corpus's texts to 2, 4, 8 and 16 Chinese
characters: Simplified texts written in GB18030, the Traditional register's in Big5; prints how many
``detect_encoding`` reads as something else.
"""
import re
import tempfile
from pathlib import Path

import pandas as pd

from consumer_nlp.io._encoding import detect_encoding

REPO = Path(__file__).resolve().parents[1]


def misread(texts, encoding: str, length: int, folder: Path) -> tuple[int, int, dict]:
    """(files misread, files tried, what they were read as) for ``texts`` cut to ``length``."""
    wrong, tried, read_as = 0, 0, {}
    for text in texts:
        body = "text\n" + re.sub(r"[\s,\"]", "", text)[:length] + "\n"
        try:
            data = body.encode(encoding)
        except UnicodeEncodeError:
            continue
        path = folder / "one.csv"
        path.write_bytes(data)
        found = detect_encoding(path)
        tried += 1
        if data.decode(found, errors="replace") != body:
            wrong += 1
            read_as[found] = read_as.get(found, 0) + 1
    return wrong, tried, read_as


def main():
    corpus = pd.read_csv(REPO / "data" / "complaints.csv")
    simplified = corpus[corpus["register"] != "traditional"]["text"].sample(1000, random_state=1).tolist()
    traditional = corpus[corpus["register"] == "traditional"]["text"].tolist()
    with tempfile.TemporaryDirectory() as folder:
        for length in (2, 4, 8, 16):
            for encoding, texts in (("gb18030", simplified), ("big5", traditional)):
                wrong, tried, read_as = misread(texts, encoding, length, Path(folder))
                print(f"{length:>2} characters, {encoding:<7}: {wrong:>4} of {tried} misread {read_as or ''}")


if __name__ == "__main__":
    main()
