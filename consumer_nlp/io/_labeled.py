"""Where labeled data enters: CSV / Excel files, DataFrames or (text, label) pairs, checked row by row."""
import csv
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._categories import CATEGORIES, LABELS
from ..exceptions import LabeledDataError
from ._columns import TEXT_COLUMN_NAMES, find_column
from ._encoding import detect_encoding, first_undecodable_line

_LABEL_BY_NAME = {**{label: label for label in LABELS}, **{zh: label for label, zh in CATEGORIES.items()}}


@dataclass
class LabeledData:
    """Checked training texts and labels, with what a registry records about them."""

    texts: list[str]
    labels: list[str]
    source: str = "<memory>"
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (where, first seen at)
    conflicts: list[tuple[str, str]] = field(default_factory=list)   # (where, labels)
    groups: list[str] | None = None  # each row's value of the ``group_col`` asked for, as text

    def fingerprint(self) -> dict:
        """sha256 of the (text, label) rows, row count and counts per label."""
        digest = hashlib.sha256()
        for text, label in zip(self.texts, self.labels):
            digest.update(text.encode("utf-8") + b"\x1f" + label.encode("utf-8") + b"\x1e")
        return {"sha256": digest.hexdigest(), "rows": len(self.texts),
                "label_counts": dict(Counter(self.labels))}


def _csv_records(path: Path, encoding: str | None):
    """(where, row dict) for each CSV record; where names the file line it starts on and the data row."""
    encoding = encoding or detect_encoding(path)
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: line {first_undecodable_line(path, encoding)} is not valid {encoding} "
                         f"({error.reason}); name the encoding with encoding=…") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = reader.fieldnames or []
    records, line = [], reader.line_num + 1
    for number, row in enumerate(reader, start=1):
        records.append((f"line {line} (data row {number})", row))
        line = reader.line_num + 1
    return columns, records


def _group_name(value) -> str:
    """A group column's cell as text; an empty or missing cell is the group （空）."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()
    return text or "（空）"


def _frame_records(frame: pd.DataFrame, first_row: int, row_word: str):
    return list(frame.columns), [(f"{row_word} {i}", row) for i, row in
                                 enumerate(frame.to_dict("records"), start=first_row)]


def read_labeled(data, *, text_col: str | None = None, label_col: str = "label",
                 encoding: str | None = None, group_col: str | None = None) -> LabeledData:
    """Read and check labeled data: a CSV/XLSX path, a DataFrame, or (text, label) pairs.

    Labels may be the English labels or the Chinese names. Every bad row (unknown label, empty or
    non-string text) is collected and reported together in a :class:`LabeledDataError`.
    ``text_col`` is found by name when not given (text, content, 投诉内容, …), as in archives;
    ``group_col`` also keeps each row's value of that column (source, channel…) in ``groups``.
    """
    if isinstance(data, (str, Path)):
        path, source = Path(data), str(data)
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        if path.suffix.lower() in (".xlsx", ".xls"):
            # Excel shows the header as row 1, so data row i is sheet row i + 1.
            columns, records = _frame_records(pd.read_excel(path, dtype=object, engine="openpyxl"), 2, "sheet row")
        else:
            columns, records = _csv_records(path, encoding)
    elif isinstance(data, pd.DataFrame):
        source = "DataFrame"
        columns, records = _frame_records(data, 1, "row")
    else:
        source = "pairs"
        text_col = text_col or "text"
        pairs = [tuple(pair) for pair in data]
        columns, records = [text_col, label_col], [
            (f"row {i}", dict(zip((text_col, label_col), pair))) for i, pair in enumerate(pairs, start=1)]
        bad = [(where, f"expected a (text, label) pair, got {len(row)} values")
               for (where, row), pair in zip(records, pairs) if len(pair) != 2]
        if bad:
            raise LabeledDataError(source, bad)

    if text_col is None:
        text_col = find_column([c for c in columns if c != label_col], None, TEXT_COLUMN_NAMES) or "text"
    missing = [c for c in (text_col, label_col, group_col) if c is not None and c not in columns]
    if missing:
        raise LabeledDataError(source, [("header", f"missing column(s) {missing}; the columns are {list(columns)}")])

    texts, labels, problems = [], [], []
    for where, row in records:
        text, label = row.get(text_col), row.get(label_col)
        label_key = label.strip() if isinstance(label, str) else label
        if not isinstance(text, str):
            problems.append((where, f"text is missing or not a string ({text!r})"))
        elif not text.strip():
            problems.append((where, "text is empty"))
        if label_key not in _LABEL_BY_NAME:
            problems.append((where, f"unknown label {label!r}; expected one of {', '.join(LABELS)}"))
        texts.append(text)
        labels.append(_LABEL_BY_NAME.get(label_key))
    if problems:
        raise LabeledDataError(source, problems)

    first_seen, duplicates, conflicts = {}, [], []
    for (where, _), text, label in zip(records, texts, labels):
        if text in first_seen:
            seen_where, seen_label = first_seen[text]
            if seen_label == label:
                duplicates.append((where, seen_where))
            else:
                conflicts.append((where, f"labeled {label} here, {seen_label} at {seen_where}"))
        else:
            first_seen[text] = (where, label)
    groups = None
    if group_col is not None:
        groups = [_group_name(row.get(group_col)) for _, row in records]
    return LabeledData(texts, labels, source, duplicates, conflicts, groups)
