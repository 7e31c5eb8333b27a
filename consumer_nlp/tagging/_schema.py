"""The tag columns: what tagging adds to every row, their types, and how a frame gets them."""
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import ArchiveError
from .._categories import CATEGORIES
from .._classifier import ComplaintClassifier
from .._unicode import quoted
from .._values import cell_texts, holding, is_blank, is_missing
# TAG_COLUMNS are defined where data enters, so that labeled data can be told from a tagged file
from ..io import TAG_COLUMNS, bare_name, sheet_title, shared_heading, shown_text, utf8_text
from ..messages import COLUMN_NOTES, REASON_EMPTY, REASON_LOW_CONFIDENCE, REASON_NAMES

_WEIGHT = re.compile(r"\(([0-9]+(?:\.[0-9]+)?)\)(?: |$)")  # what ends each "term(weight)" of a top_terms cell


def _text(value) -> str:
    """A cell as text to tag, the text its output cell shows (:func:`io.shown_text`: a list as its JSON, a boolean
    TRUE): missing values are empty, bytes (Parquet binary columns) their UTF-8 text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        text = utf8_text(value)
        if text is None:
            raise ValueError(f"the text column holds bytes that are not UTF-8 text ({value[:20]!r}…); "
                             f"store the texts as strings")
        return text
    return "" if is_missing(value) else shown_text(value)


def check_text_bytes(values: pd.Series, rows, column: str, by_index: bool = False) -> None:
    """Refuse bytes in a text column (a Parquet binary column) that are not UTF-8, naming their rows (``rows``: each
    value's row number, or, ``by_index``, its index label): an :class:`ArchiveError` "text_bytes"."""
    if values.dtype == object or isinstance(values.dtype, pd.ArrowDtype):
        wrong = _wrong_rows(values, holding(values, lambda v: isinstance(v, bytes) and utf8_text(v) is None), rows)
        if wrong:
            raise ArchiveError(_must_hold(column, "UTF-8 text", wrong, "index {!r}" if by_index else "row {}"),
                               "text_bytes", column=column, rows=wrong, index=by_index)


def excel_layout(text_col: str, number_formats: dict | None = None) -> dict:
    """How a tagged archive is drawn in Excel (see :func:`io.join_parts`): the complaint texts and the
    deciding terms wide, the rows that need review filled yellow, each added column's header with a note saying what
    it holds, and the confidence as a percentage (its value unchanged), beside the input's ``number_formats``."""
    return {"wide": (text_col, "top_terms"), "marked": "needs_review", "notes": COLUMN_NOTES,
            "number_formats": {**(number_formats or {}), "confidence": {"number": "0.00%"}}}


def output_sheet(reader, input_name: str) -> str:
    """The name of a tagged archive's sheet in Excel: the sheet ``reader`` read (once it has begun), else the
    input file's name ``input_name`` without its extension, as a sheet may be named."""
    return getattr(reader, "sheet_title", None) or sheet_title(Path(input_name).stem) or "tagged"


def check_untagged(columns) -> None:
    """Refuse input that already holds tag columns (a tagged file given again): they would clash."""
    clash = [c for c in TAG_COLUMNS if c in columns]
    if clash:
        raise ArchiveError(f"the input already has column(s) {clash}; is it an already tagged file? Drop or rename "
                           f"them", "already_tagged", columns=clash)


def tag_frame(model: ComplaintClassifier, frame: pd.DataFrame, text_col: str) -> pd.DataFrame:
    """``frame`` with the tag columns added; its own columns and values are left as they are."""
    check_untagged(frame.columns)
    if frame.empty:
        return frame.assign(**{c: pd.Series(dtype=kind, index=frame.index) for c, kind in TAG_COLUMNS.items()})
    tags = model.tag_columns([_text(v) for v in frame[text_col]])
    # A row without text is in no category (文本为空), as the run's summary and the report count it: a
    # category there would be counted by a person who filters or pivots the column in Excel. A row of the column
    # names pasted in (two files joined) is no complaint: kept as it is, with no tags but its reason.
    names = pasted_names(frame, text_col)
    labels = np.where(tags["empty"] | names, "", tags["category"].astype(str))
    values = {
        "category": labels,
        "category_zh": [CATEGORIES.get(label, label) for label in labels],
        "confidence": np.where(names, np.nan, np.round(tags["confidence"], 4)),
        "needs_review": tags["needs_review"] & ~names,
        "review_reason": np.where(names, REASON_NAMES, review_reasons(tags["empty"], tags["needs_review"])),
        "top_terms": ["" if name else " ".join([f"{term}({weight:.2f})" for term, weight in terms])
                      for name, terms in zip(names, tags["top_terms"])],
    }
    added = pd.DataFrame({c: pd.Series(values[c], dtype=kind, index=frame.index) for c, kind in TAG_COLUMNS.items()})
    return pd.concat([frame, added], axis=1)


def without_text(frame: pd.DataFrame) -> pd.Series:
    """The rows of a tagged ``frame`` that tagging found without text (文本为空: in no category); none
    where it has no review_reason column."""
    if "review_reason" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["review_reason"].astype(str).eq(REASON_EMPTY)


def texts_elsewhere(frame: pd.DataFrame, text_col: str, empty) -> dict:
    """Of the rows ``empty`` (without text), how many hold one in each other column of ``frame`` whose name is
    ``text_col``'s spelt otherwise (投訴內容, "投诉内容 ", Content: :func:`name_key`), as JSON Lines joined from two
    systems make a column of each, or noted otherwise (投诉内容(补充) beside 投诉内容(必填): :func:`bare_name`), or that a
    sheet shows under one heading merged over it and ``text_col``
    (投诉内容（C列）, and 投诉内容 where the text column is 投诉内容（C列）: :func:`shared_heading`), or that stands right
    after ``text_col`` without a name (a CSV saved from such a sheet keeps the heading in its first column alone:
    编号,投诉内容,,渠道): their texts were not tagged, and a desk must be told where they are. Of each column of another
    name, how many of them hold long Chinese text there (:data:`LONG_TEXT` Han characters or more, a complaint's
    length: longer than a name, a place or a short note), the texts' column where the one named as the text's was the
    wrong one (:func:`texts_elsewhere_said` says which of those counts tell so)."""
    columns = list(frame.columns)
    after = columns[columns.index(text_col) + 1:][:1] if text_col in columns else []
    unnamed_after = [column for column in after if not str(column).strip()]
    rows = frame.loc[np.asarray(empty, dtype=bool)]
    found = {str(column): int(holding(rows[column], _has_text if _alike(column, text_col) or column in unnamed_after
                                      else _long_text).sum())
             for column in columns if column != text_col and (str(column).strip() or column in unnamed_after)}
    return {column: n for column, n in found.items() if n}


def texts_elsewhere_said(found: dict, text_col: str, empty: int, rows: int) -> dict:
    """Those of ``found`` (a run's counts of :func:`texts_elsewhere`, of its ``empty`` rows without text out of
    ``rows``) that tell where the texts are: every count of a column named as ``text_col`` is, spelt otherwise or
    under its merged heading, or of the unnamed column right after it (the one unnamed column counted); and a column
    of another name where ``text_col`` is blank in most rows (more than half) and that column holds long Chinese text
    in most of those (more than half): a few rows without text are a desk's own, and a column of long replies beside
    a text column filled is not the texts'."""
    return {column: n for column, n in found.items()
            if _alike(column, text_col) or not column.strip() or (2 * empty > rows and 2 * n > empty)}


LONG_TEXT = 10  # Han characters: a cell this long reads as a complaint's text (texts_elsewhere)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _has_text(value) -> bool:
    return not is_blank(value)


def _long_text(value) -> bool:
    return isinstance(value, str) and len(value) >= LONG_TEXT and len(_HAN.findall(value)) >= LONG_TEXT


def _alike(column, text_col) -> bool:
    """Whether ``column`` is named as ``text_col`` is, spelt or noted otherwise or under its merged heading."""
    return bare_name(column) == bare_name(text_col) or shared_heading(str(column), str(text_col)) is not None


def pasted_names(frame: pd.DataFrame, text_col: str) -> np.ndarray:
    """Which rows of an untagged ``frame`` repeat its own column names: the text column's name in its text cell, and
    in each other cell its column's name or nothing (the header row of a second file pasted in under the first, or
    joined after it with its byte order mark, as Windows' copy /b joins files)."""
    def reads(values: pd.Series, name, blank: bool) -> np.ndarray:  # cell by cell: a text may hold a lone surrogate
        return holding(values, lambda v: isinstance(v, str) and v.lstrip("\ufeff").strip() == str(name).strip()
                       or blank and is_blank(v)).to_numpy()
    names = reads(frame[text_col], text_col, blank=False)
    for column in frame.columns if names.any() else ():
        if column != text_col:
            names = names & reads(frame[column], column, blank=True)
    return names


def names_rows(frame: pd.DataFrame) -> np.ndarray:
    """Which rows of a tagged ``frame`` are rows of column names, no row to count or review: those repeating its tag
    columns' names (category, confidence, needs_review, those it has), the header row of a second tagged file pasted
    in under the first; and those tagging found repeating the input's own (:func:`pasted_names`, REASON_NAMES)."""
    names = np.ones(len(frame), dtype=bool)
    for column in ("category", "confidence", "needs_review"):
        if column in frame:
            names &= cell_texts(frame[column]).eq(column).to_numpy()
    if "review_reason" in frame:
        names |= cell_texts(frame["review_reason"]).eq(REASON_NAMES).to_numpy()
    return names


def review_reasons(empty, needs_review) -> np.ndarray:
    """Why each text needs review, from the ``empty`` and ``needs_review`` columns of
    :meth:`ComplaintClassifier.tag_columns` (empty after normalisation, not merely blank): 文本为空,
    置信度低, or "" for none."""
    return np.where(empty, REASON_EMPTY, np.where(needs_review, REASON_LOW_CONFIDENCE, ""))


def read_top_terms(cell: str) -> list[tuple[str, float]]:
    """The (term, weight) pairs of a top_terms cell as tagging writes it ("秤(0.55) 秤 不准(0.15)"; a
    term may hold a space): each term is what stands between one weight and the next, found in one
    pass (a pattern that looked for each term's end from every position was quadratic on a long
    cell without weights)."""
    pairs, start = [], 0
    for weight in _WEIGHT.finditer(cell):
        if weight.start() > start:
            pairs.append((cell[start:weight.start()], float(weight[1])))
        start = weight.end()
    return pairs


def check_tagged(columns, path, needed=tuple(TAG_COLUMNS)) -> list:
    """An archive's own columns (those tagging did not add), once the ``needed`` tag columns are
    found among ``columns``: an archive read back must have been tagged first."""
    missing = [c for c in needed if c not in columns]
    if missing:
        # with other tag columns there, it was tagged and the column renamed or deleted: tagging again is no cure
        kept = [c for c in TAG_COLUMNS if c in columns]
        cure = (f"it has {kept}, so it was tagged: name the column(s) back as tagging wrote them" if kept else
                f"tag it first with tag_file({str(path)!r})")
        raise ArchiveError(f"{path} has no tag column(s) {missing}: {cure}; its columns are {list(columns)}",
                           "not_tagged", columns=missing, kept=kept)
    return [c for c in columns if c not in TAG_COLUMNS]


def _wrong_rows(values: pd.Series, wrong: pd.Series, rows) -> list[tuple]:
    """The first five (row, value) of the ``wrong`` ones, each value quoted as a line can hold it (``rows``: each
    value's row number, or its index label); a missing one (a Parquet null, pandas' <NA>) as the empty cell it is."""
    return [(rows[i], "" if is_missing(values.iloc[i]) else quoted(values.iloc[i]))
            for i in np.flatnonzero(wrong.to_numpy())[:5]]


def _must_hold(column: str, wanted: str, wrong: list[tuple], place: str) -> str:
    """The library's message refusing ``column``'s ``wrong`` rows (said as ``place`` says a row)."""
    bad = "、".join(f"{place.format(row)}「{value}」" for row, value in wrong)
    return f"column '{column}' must hold {wanted}; these rows do not: {bad}"


def refuse_rows(values: pd.Series, wrong: pd.Series, rows, column: str, wanted: str, **details) -> None:
    """Refuse a tag column whose values are ``wrong`` somewhere (edited by hand), naming the first rows (``rows``:
    each value's row number, as Excel shows the file): an :class:`ArchiveError` "tag_values", with ``details``."""
    bad = _wrong_rows(values, wrong, rows)
    if bad:
        raise ArchiveError(_must_hold(column, wanted, bad, "row {}"), "tag_values", column=column, rows=bad, **details)


def refuse_added_rows(frame: pd.DataFrame, rows) -> None:
    """Refuse rows holding no tag in any tag column, named by row (``rows``, as for :func:`refuse_rows`): rows added
    after tagging (a 合计 row below the table, a note, a complaint typed in), told apart from a tag edited wrongly
    (``details["added"]``). Only rows without a category are looked at whole."""
    key = "category" if "category" in frame else "needs_review"
    added = cell_texts(frame[key]).eq("")
    if added.any():
        added[added] = frame.loc[added, [c for c in TAG_COLUMNS if c in frame]].apply(cell_texts).eq("").all(axis=1)
    refuse_rows(frame[key], added, rows, key,
                f"{'one of the six categories' if key == 'category' else 'true or false'} (these rows hold no tag at "
                "all: added after tagging?)", added=True)


_TRUE, _FALSE = ("true", "1", "1.0", "是"), ("false", "0", "0.0", "否")  # 是 and 否, as a desk types them in Excel


def review_flags(values: pd.Series, rows) -> pd.Series:
    """A ``needs_review`` column read back (as written, or edited in Excel, 是 or 否) as booleans; a value
    that is neither true nor false is refused, named by row."""
    text = cell_texts(values).str.lower()
    refuse_rows(values, ~text.isin(_TRUE + _FALSE), rows, "needs_review", "true or false")
    return text.isin(_TRUE)
