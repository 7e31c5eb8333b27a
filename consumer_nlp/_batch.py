"""Where results leave: tag every row of a complaint file and write it back with the tags added."""
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from ._categories import CATEGORIES
from ._classifier import ComplaintClassifier
from ._data import decode

TEXT_COLUMN_NAMES = ("text", "content", "投诉内容", "内容", "投诉描述", "问题描述", "反映内容", "诉求内容",
                     "complaint", "description", "正文", "文本")
ADDED_COLUMNS = ("category", "category_zh", "confidence", "needs_review", "review_reason", "top_terms")
REASON_EMPTY = "文本为空"
REASON_LOW_CONFIDENCE = "置信度低"


def find_text_column(columns, text_col: str | None = None) -> str:
    """The column holding complaint texts: ``text_col`` if given, else the first known name."""
    columns = [str(c) for c in columns]
    if text_col is not None:
        if text_col not in columns:
            raise ValueError(f"no column {text_col!r}; the columns are {columns}")
        return text_col
    by_lower = {c.strip().lower(): c for c in columns}
    for name in TEXT_COLUMN_NAMES:
        if name in by_lower:
            return by_lower[name]
    raise ValueError(f"cannot tell which column holds the complaint text; the columns are {columns}. "
                     f"Name it with --text-col")


def format_terms(terms) -> str:
    """Top terms as one readable cell: 词(权重) separated by spaces."""
    return " ".join(f"{term}({weight:.2f})" for term, weight in terms)


def tag_frame(model: ComplaintClassifier, frame: pd.DataFrame, text_col: str) -> pd.DataFrame:
    """``frame`` with the tag columns added; its own columns and values are left as they are."""
    clash = [c for c in ADDED_COLUMNS if c in frame.columns]
    if clash:
        raise ValueError(f"the input already has column(s) {clash}; is it an already tagged file?")
    texts = [t if isinstance(t, str) else "" for t in frame[text_col]]
    records = model.tag(texts)
    tags = pd.DataFrame.from_records(records, index=frame.index)
    empty = [not t.strip() for t in texts]
    tags["review_reason"] = [REASON_EMPTY if e else REASON_LOW_CONFIDENCE if r else ""
                             for e, r in zip(empty, tags["needs_review"])]
    tags["top_terms"] = [format_terms(terms) for terms in tags["top_terms"]]
    return pd.concat([frame, tags[list(ADDED_COLUMNS)]], axis=1)


def summarize(counts: Counter, rows_in: int, rows_out: int, review: int, seconds: float) -> str:
    """The closing summary, in Chinese, for the people who read it."""
    lines = [f"读入 {rows_in} 行，写出 {rows_out} 行，用时 {seconds:.1f} 秒"]
    for label, name in CATEGORIES.items():
        n = counts.get(label, 0)
        lines.append(f"  {name}（{label}）：{n} 件，占 {n / max(rows_out, 1):.1%}")
    lines.append(f"  需人工复核：{review} 件，占 {review / max(rows_out, 1):.1%}")
    return "\n".join(lines)


def tag_csv(model: ComplaintClassifier, input_path, output_path, *, text_col: str | None = None,
            encoding: str | None = None, chunk_size: int = 5000, progress: bool | None = None) -> str:
    """Tag a CSV file (UTF-8 or GB18030) into a UTF-8-with-BOM CSV; returns the summary text."""
    started = time.perf_counter()
    raw = Path(input_path).read_bytes()
    text = decode(raw, encoding)
    show = sys.stderr.isatty() if progress is None else progress
    import io

    reader = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, chunksize=chunk_size)
    counts, rows, review = Counter(), 0, 0
    output_path = Path(output_path)
    partial = output_path.with_name(output_path.name + ".partial")
    with tqdm(unit=" 行", disable=not show, file=sys.stderr) as bar, \
            open(partial, "w", encoding="utf-8-sig", newline="") as out:
        for number, chunk in enumerate(reader):
            column = find_text_column(chunk.columns, text_col)
            tagged = tag_frame(model, chunk, column)
            tagged.to_csv(out, index=False, header=number == 0)
            counts.update(tagged["category"])
            review += int(tagged["needs_review"].sum())
            rows += len(tagged)
            bar.update(len(tagged))
    partial.replace(output_path)
    return summarize(counts, rows, rows, review, time.perf_counter() - started)
