"""A row's place and why it cannot be parsed, said in Chinese: the bad-rows file's 位置 and 原因, and the rows
the messages of archives and labeled data name."""
import re


WORKBOOKS = ("xlsx", "xlsm", "xls")
# Why a row cannot be parsed, by the kind of fault its reader found (``BadRow.kind``), from its particulars.
_FAULTS = {
    "quote_left_open": lambda d: "引号没有收尾" + (f"：只列出这一行，其后{_lines(d['rows_from'], d['rows_to'])}已另行读入；"
                                                "若这是一段跨行的文字，它被拆开了，请核对" if "rows_from" in d else ""),
    "text_after_quote": lambda d: "收尾的引号后面还有文字",
    "quote_broken": lambda d: "引号没有收尾，或收尾的引号后面还有文字",  # either: a checkpoint's, from a release before
    "quote_runs_on": lambda d: f"这里开始的引号过了 {d['lines']:,} 行仍没有收尾",
    "quote_over_rows": lambda d: (f"这里开始的引号到文件第 {d['closes']} 行才收尾，而其后各行读来都像一行行记录"
                                  + ("：已当作没有收尾的引号，只列出这一行，"
                                     + _cut_apart(d["rows_from"], d["closes"], "如几行都以 1,200元 这样的金额开头")
                                     if "rows_from" in d else "")),  # (none in a checkpoint before 2026-12-07)
    "field_count": lambda d: f"这一行有 {d['fields']} 列，表头有 {d['header']} 列" + (
        f"：它是文件第 {d['cell_from']} 行一个以引号开头、到第 {d['cell_to']} 行才收尾的单元格的一段，其中有的行读来也像一行记录，"
        + _cut_apart(d["cell_from"], d["cell_to"], _EXCEL_QUOTED) if "cell_from" in d else ""),
    "outside_table": lambda d: (f"表头各列之外的 {d['cell']} " + (f"等 {d['cells']} 个" if d["cells"] > 1 else "")
                                + "单元格有内容"),
    "not_json_object": lambda d: "不是一个完整的 JSON 对象",
    "repeated_key": lambda d: (_object_place(d.get("within", [])) + f"键{''.join(f'「{key}」' for key in d['keys'])}"
                               "出现了不止一次，" + (f"其中写作转义的是{''.join(f'「{e}」' for e in d['escaped'])}，"
                                                  if d.get("escaped") else "")  # (none in a checkpoint before it)
                               + f"{'同一个对象' if d.get('within') else '一行'}只能保留一个值："
                               "请删去多余的，或给它另取一个名字"),
    "too_deep": lambda d: f"有嵌套超过 {d['depth']} 层的值",
    "broken_key": lambda d: f"键 {d['key']} 里有残缺的字符（半个表情符号的转义）",
}
# Why a row of each format can fail, for a fault of no known kind (a checkpoint's bad rows from a release before them).
_WHY_UNPARSEABLE = {"csv": "引号没有收尾、引号后还有文字或列数不对", "tsv": "引号没有收尾、引号后还有文字或列数不对",
                    "jsonl": "不是一个完整的 JSON 对象，或嵌套过深", **dict.fromkeys(WORKBOOKS, "有超出表头列数的单元格")}


def _object_place(within: list) -> str:
    """Where in a JSON record an object is, by the keys and list places (from 0) leading to it, in Chinese
    (「附件」第 2 项里的), nothing for the record itself."""
    return "".join(f"第 {part + 1} 项" if isinstance(part, int) else f"「{part}」" for part in within) + (
        "里的" if within else "")


_EXCEL_QUOTED = "Excel 给含换行的单元格加了引号"  # why a TSV cell in quotes over lines may be one text


def _cut_apart(first: int, last: int, example: str) -> str:
    """That file lines ``first`` to ``last`` were read as rows, a text (such as ``example`` says) cut apart if they
    were one, in Chinese: said of a CSV quote set aside and of a piece of a TSV cell in quotes alike."""
    return f"{_lines(first, last)}已各按一行读入；若这是一段跨行的文字（{example}），它被拆开了，请核对"


def _lines(first: int, last: int) -> str:
    """File lines ``first`` to ``last`` in Chinese (文件第 3 至 5 行, 文件第 3 行)."""
    return f"文件第 {first} 行" if first == last else f"文件第 {first} 至 {last} 行"


def unsure_rows_note(unsure: list, count: int) -> str:
    """The note on quoted values of a CSV or TSV over lines that read as rows of their own (the first ``unsure``, as
    (row, first line, last line, how), of ``count``), which the reader cannot tell from a real text over lines: "kept"
    as one (a quote left open and closed lines later, an inch mark 5.5", would have merged rows into it) or "cut" into
    rows (a TSV cell Excel quoted, its text holding a tab, would have been cut)."""
    def places(how: str) -> str:
        return "、".join(f"第 {row} 行（{_lines(first, last)}）" for row, first, last, kind in unsure if kind == how)
    kept, cut = places("kept"), places("cut")
    more = f"…等 {count} 处" if count > len(unsure) else ""  # (of either kind: said after the first named)
    notes = [f"{kept}{more}引号里的文字跨了几行，其中有的行读来也像一行记录：已按一段跨行的文字读作一行；"
             "若其实是某处引号没有收尾（如 5.5\" 的英寸号），几行记录被并成了这一行" if kept else "",
             f"{cut}{'' if kept else more}以引号开头的单元格跨了几行，其中有的行读来也像一行记录：已各按一行读入；"
             f"若这是一段跨行的文字（{_EXCEL_QUOTED}），它被拆成了几行" if cut else ""]
    return "；".join(note for note in notes if note) + "，请核对原文件"


def names_rows_note(rows: list, count: int, left_out: str) -> str:
    """The note on rows repeating the column names (the first ``rows`` of ``count``), which were ``left_out`` of
    what was made (没有计入, 没有列入复核表)."""
    more = f"…等 {count} 行" if count > len(rows) else ""
    return f"第{'、'.join(str(row) for row in rows)}{more}行是又一行列名（两个文件拼在一起时一并粘贴进来的），{left_out}。"


def why_unparseable(kind: str | None, details: dict, format: str | None) -> str:
    """Why a row cannot be parsed, in Chinese: its fault of ``kind`` with its ``details``, else the faults a row of
    ``format`` can have."""
    if kind in _FAULTS:
        return _FAULTS[kind](details)
    return _WHY_UNPARSEABLE.get(format, _WHY_UNPARSEABLE["csv"])


# A row's place as the readers say it (``BadRow.where``, ``LabeledData.places``), and as a desk reads it: a CSV's row
# as Excel shows it, with its file line where that differs; a JSON Lines file's line (a line of a checkpoint's CSV
# from a release before rows) as a text editor shows it.
_PLACES = [(r"row (\d+) \(line (\d+)\)", r"第 \1 行（文件第 \2 行）"),
           (r"line (\d+) \(data row (\d+)\)", r"文件第 \1 行（第 \2 条数据）"), (r"line (\d+)", r"文件第 \1 行"),
           (r"sheet row (\d+)", r"工作表第 \1 行"), (r"row (\d+)", r"第 \1 行"), (r"corrections", "人工更正")]


def place_in_chinese(where: str) -> str:
    """A row's place ("row 12 (line 15)", "sheet row 7", "line 3 (data row 2)", "row 5") in Chinese (第 12 行（文件第 15
    行）), for what a desk reads; a place of another shape as it is."""
    return next((found.expand(chinese) for english, chinese in _PLACES if (found := re.fullmatch(english, where))),
                where)


def bad_row_in_chinese(row: dict, format: str | None) -> list[str]:
    """A bad row's place and why it cannot be parsed, in Chinese, from its :class:`BadRow` fields (``row``, as a
    run's checkpoint holds them; ``format``, "csv", "xlsx" …, its file's): the --bad-rows file's 位置 and 原因, after
    its English columns (which programs read)."""
    return [place_in_chinese(row["where"]), why_unparseable(row.get("kind"), row.get("details", {}), format)]
