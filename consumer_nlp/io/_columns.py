"""Column discovery: which column holds the text, the date, the channel or (in labeled data) the labels."""
import itertools
import re

import numpy as np

from .._unicode import name_key
from ..exceptions import ArchiveError
from ._workbook import under_heading

TEXT_COLUMN_NAMES = ("text", "content", "投诉内容", "内容", "投诉描述", "问题描述", "反映内容", "诉求内容",
                     "complaint", "description", "正文", "文本", "诉求描述", "投诉详情", "来电内容")
# The columns tagging adds, in order, with their types: the one definition that writers, the report and Dask read
# (tagging gives them), and that labeled data is checked against. Strings are object columns: pandas would otherwise
# convert them to Arrow and back on writing.
TAG_COLUMNS = {"category": object, "category_zh": object, "confidence": np.float64, "needs_review": bool,
               "review_reason": object, "top_terms": object}
# A labeled file's column of categories, as desks name it; the most certain names first (类型 may be a kind of goods).
# Not `category`: a tagged archive's column of the model's own tags, which would score a model against itself.
LABEL_COLUMN_NAMES = ("label", "类别", "标注类别", "分类", "投诉类别", "问题类别", "问题分类", "标签", "类型")
CHANNEL_NAMES = ("channel", "渠道", "投诉渠道", "来源", "受理渠道", "来源渠道", "投诉来源", "受理方式", "source")
# 12315 exports date a complaint by the time it came in (登记时间 2025/1/1 10:00), after the names of a date alone.
DATE_NAMES = ("date", "日期", "投诉日期", "受理日期", "登记日期", "created_at", "time", "时间", "登记时间", "受理时间",
              "投诉时间", "来电时间", "反映时间")


_NUMBER_LIKE = re.compile(r"[\d\s.,:/+-]+")
_SENTENCE = re.compile(r"[，。！？；]")  # a sentence's punctuation
# A name and one or more notes in brackets after it or before it (【必填】投诉内容), as name_key writes them: （） and ［］ as
# () and []. A name that is all notes is none.
_NOTES = r"(?:[(\[【〔][^()\[\]【】〔〕]+[)\]】〕])"
_NOTE = re.compile(rf"{_NOTES}*([^(\[【〔].*?){_NOTES}*")


def find_column(columns, wanted: str | None, names) -> str | None:
    """``wanted`` if given (it must exist: by its exact name, else as the one column whose name it
    is by :func:`name_key`; else an :class:`ArchiveError` "no_column"), else the first column known by one of
    ``names`` (matched by :func:`name_key`, so 投訴內容 and "投诉 内容" find 投诉内容), else the first known by one of
    them with a note after or before it (投诉内容（必填）, 【必填】投诉内容: :func:`_noted_name`), else None."""
    columns = [str(c) for c in columns]
    if wanted is not None:
        if wanted in columns:
            return wanted
        same = [c for c in columns if name_key(c) == name_key(str(wanted))]
        if len(same) != 1:
            raise ArchiveError(f"no column {wanted!r}; the columns are {columns}", "no_column", columns=columns,
                               wanted=str(wanted))
        return same[0]
    keys = [name_key(name) for name in names]
    by_name, noted = {}, {}
    for column in columns:
        by_name.setdefault(name_key(column), column)
        if (name := _noted_name(column)) is not None:
            noted.setdefault(name, column)
    return next((found[key] for found in (by_name, noted) for key in keys if key in found), None)


def bare_name(column) -> str:
    """A column's name as :func:`find_column` knows it: its :func:`name_key`, without the notes in brackets around it
    (投诉内容, for 投訴內容 and 投诉内容（必填） alike)."""
    return _noted_name(str(column)) or name_key(str(column))


def _noted_name(column: str) -> str | None:
    """The :func:`name_key` of a column's name without the notes in brackets after or before it (投诉内容 for
    投诉内容(必填), 投诉内容（必填）, 【必填】投诉内容 or 诉求内容【200字以内】, as complaint forms note their columns), or None
    where it has none; a name the reader gave a column under a merged heading (投诉内容（C列）, see :func:`under_heading`)
    holds no note."""
    if under_heading(column) is not None:
        return None
    key = name_key(column)
    noted = _NOTE.fullmatch(key)
    return noted.group(1) if noted and noted.group(1) != key else None


def find_text_column(columns, text_col: str | None = None, first_rows=None) -> str:
    """The column holding complaint texts: ``text_col`` if given, else the first known name.
    ``first_rows`` (the archive's first :class:`Chunk`, optional) lets the error point to a row below
    that holds the column names, under a title or a row of group names."""
    columns = [str(c) for c in columns]
    try:
        found = find_column(columns, text_col, TEXT_COLUMN_NAMES)
    except ValueError as error:  # text_col names no column
        raise ArchiveError(str(error), "no_text_column", columns=columns, wanted=str(text_col)) from None
    if found is not None:
        return found
    below = names_row_below(first_rows)
    if below is not None:
        place, name = below
        hint = f" Row {place} looks like the column names (it holds {name!r}): say header_row={place}."
    elif len(columns) == 1:
        hint = " If that is a title above the column names, say which row holds the names, such as header_row=2."
    else:
        hint = ""
    raise ArchiveError(f"cannot tell which column holds the complaint text; the columns are {columns}. "
                       f"Name it with text_col=….{hint}", "no_text_column", columns=columns,
                       names_row=list(below) if below else None)


def looks_like_names(cells) -> bool:
    """Whether the non-empty ``cells`` of a row are column names: two or more, all short words (a
    record holds numbers, dates or sentences, in a CSV as text)."""
    return len(cells) >= 2 and all(isinstance(c, str) and 0 < len(c) <= 20 and not _NUMBER_LIKE.fullmatch(c)
                                   for c in cells)


def record_in_header(columns) -> str | None:
    """A column name that is a record's value, or None: a file without its row of column names has its
    first record read as the names, and that record is never tagged. A number or date is a value; a
    sentence is one only as a file's one column (a survey export names its columns by its questions)."""
    names = [str(c).strip() for c in columns]
    return next((n for n in names if n and (_NUMBER_LIKE.fullmatch(n) or (len(names) == 1 and _SENTENCE.search(n)))),
                None)


def names_row_below(chunk, rows: int = 10) -> tuple[int, str] | None:
    """The row, as header_row counts them (:meth:`Chunk.places`: Excel's row), of the first of a chunk's
    first ``rows`` rows, parsed or set aside as wider than the header (as data rows are under a row of group
    names), with a cell that is a known text column's name, and that cell; None when there is none or the
    header itself names one."""
    if chunk is None or find_column(chunk.rows.columns, None, TEXT_COLUMN_NAMES) is not None:
        return None
    parsed = zip(chunk.places(), chunk.rows.head(rows).itertuples(index=False))
    set_aside = ((bad.row, re.split(r"[\t,;]", bad.raw)) for bad in chunk.bad[:rows])  # any delimiter
    return names_row_in(sorted([*parsed, *set_aside], key=lambda item: item[0])[:rows])


def names_row_in(rows) -> tuple[int, str] | None:
    """The first of ``rows`` ((row, values) pairs) that looks like column names with a cell that is a known text
    column's name, as (row, that cell); None when there is none."""
    for place, values in rows:
        if (name := _text_name_in(values)) is not None:
            return place, name
    return None


def _text_name_in(values) -> str | None:
    """The cell of a row that is a known text column's name, where the row looks like column names; else None."""
    cells = [v.strip('" ') if isinstance(v, str) else v for v in values if not (v is None or v == "")]
    if not looks_like_names(cells):
        return None
    return next((value for value in cells if find_column([value], None, TEXT_COLUMN_NAMES) is not None), None)


def _holds_something(values) -> bool:
    return any(v is not None and str(v).strip() for v in values)


def blank_header_row(path, header_row: int, rows, sheet: str | None = None) -> ArchiveError:
    """The error for a ``header_row`` on a blank row (a gap under a title, formatting running past the data): it names
    no column, so every column asked for would be said missing. ``rows`` gives the file's rows from its top as
    (number, values); the first three that hold something are named, and the first of its first ten such rows that
    looks like column names holding a text column's name (as :func:`names_row_below` finds one) as ``names_row``."""
    filled, names_row = [], None
    for number, values in itertools.islice(rows, header_row + 1000):
        if not _holds_something(values):
            continue
        filled.append(number)
        if names_row is None and (name := _text_name_in(values)) is not None:
            names_row = (number, name)
        if len(filled) >= 10 or (names_row and len(filled) >= 3):
            break
    where = f"row {header_row} of sheet {sheet!r}" if sheet is not None else f"row {header_row}"
    hint = (f"row {names_row[0]} looks like the column names (it holds {names_row[1]!r}): say header_row={names_row[0]}"
            if names_row else f"rows holding something: {filled[:3] or 'none'}; give header_row=N of the column names")
    details = {"header_row": header_row, "filled": filled[:3]}
    details.update({"names_row": names_row} if names_row else {})
    details.update({"sheet": sheet} if sheet is not None else {})
    return ArchiveError(f"{path}: header_row={header_row} is a blank row ({where}), which names no column; {hint}",
                        "blank_header_row", **details)
