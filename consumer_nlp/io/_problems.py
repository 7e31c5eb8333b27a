"""What is wrong with an archive (an :class:`ArchiveError`'s ``problem``), and what a desk does to the
file about it, said in Chinese for the front ends that speak to complaint desks: each says how to go on
in its own terms (the web: upload again; the command line: run again, or its flags)."""
import re

from .._categories import CATEGORIES, LABELS
from ..exceptions import ArchiveError
from ._cells import XLSX_MAX_CELL, XLSX_MAX_COLUMNS, XLSX_MAX_ROWS


_WORKBOOKS = ("xlsx", "xlsm", "xls")
# Why a row cannot be parsed, by the kind of fault its reader found (``BadRow.kind``), from its particulars.
_FAULTS = {
    "quote_left_open": lambda d: "引号没有收尾",
    "text_after_quote": lambda d: "收尾的引号后面还有文字",
    "quote_broken": lambda d: "引号没有收尾，或收尾的引号后面还有文字",  # either: a checkpoint's, from a release before
    "quote_runs_on": lambda d: f"这里开始的引号过了 {d['lines']:,} 行仍没有收尾",
    "quote_over_rows": lambda d: f"这里开始的引号到文件第 {d['closes']} 行才收尾，而中间各行本身就是一行行记录",
    "field_count": lambda d: f"这一行有 {d['fields']} 列，表头有 {d['header']} 列",
    "outside_table": lambda d: (f"表头各列之外的 {d['cell']} " + (f"等 {d['cells']} 个" if d["cells"] > 1 else "")
                                + "单元格有内容"),
    "not_json_object": lambda d: "不是一个完整的 JSON 对象",
    "too_deep": lambda d: f"有嵌套超过 {d['depth']} 层的值",
}
# Why a row of each format can fail, for a fault of no known kind (a checkpoint's bad rows from a release before them).
_WHY_UNPARSEABLE = {"csv": "引号没有收尾、引号后还有文字或列数不对", "tsv": "引号没有收尾、引号后还有文字或列数不对",
                    "jsonl": "不是一个完整的 JSON 对象，或嵌套过深", **dict.fromkeys(_WORKBOOKS, "有超出表头列数的单元格")}


def _why_unparseable(kind: str | None, details: dict, format: str | None) -> str:
    """Why a row cannot be parsed, in Chinese: its fault of ``kind`` with its ``details``, else the faults a row of
    ``format`` can have."""
    if kind in _FAULTS:
        return _FAULTS[kind](details)
    return _WHY_UNPARSEABLE.get(format, _WHY_UNPARSEABLE["csv"])


def _joined(values) -> str:
    return "、".join(map(str, values))


def _either(values) -> str:
    """.html 或 .htm; .html、.xlsx 或 .md."""
    values = list(map(str, values))
    return values[0] if len(values) == 1 else f"{'、'.join(values[:-1])} 或 {values[-1]}"


def _bad_row_place(details: dict) -> str:
    """Where an unparseable row is, in Chinese, from its error's ``details``: its place (:func:`place_in_chinese`),
    or for an error of a release before places, the number it gave."""
    if "where" in details:
        return place_in_chinese(details["where"])
    return f"{'工作表' if details.get('format') in _WORKBOOKS else '文件'}第 {details['line']} 行"


# The outputs a run writes, by the parameter that names each, as a desk calls them.
_OUTPUTS = {"output_path": "输出文件", "bad_rows_path": "存放无法解析的行的文件"}


def _output_name(details: dict) -> str:
    """Why an output's name is refused (an ArchiveError's ``output_name`` particulars), in Chinese."""
    what, suffix, endings = _OUTPUTS.get(details.get("parameter"), "输出文件"), details.get("suffix"), details["endings"]
    if suffix in (".xls", ".xlsm"):
        return f"{what}不能写成 {suffix}（.xls 和 .xlsm 只能读）：文件名应以 {_either(endings)} 结尾"
    if suffix == "":
        return f"{what}名没有扩展名：应以 {_either(endings)} 结尾"
    return f"{what}名应以 {_either(endings)} 结尾"


def problem_in_chinese(error: ArchiveError) -> str:
    """What is wrong, in one Chinese sentence without the file's path (a server's paths are not the
    user's business; on the command line the user named the file)."""
    details = error.details
    said = {
        "encoding": lambda: (f"文件第 {details['line']} 行无法按 {details.get('encoding', '所用的')} 编码读出（文件也许是"
                             f"另一种编码，或这一行是乱码）" if details.get("line")
                             else "无法识别文件的编码（不是 UTF-8、GB18030 或 Big5）"),
        "several_sheets": lambda: f"这个工作簿有 {len(details['sheets'])} 张表含有数据（{_joined(details['sheets'])}）",
        "duplicate_columns": lambda: f"表头里有重名的列：{_joined(details['columns'])}",
        "unnamed_columns": lambda: f"表头的第 {_joined(details['columns'])} 列没有列名",
        "unparseable_row": lambda: (f"{_bad_row_place(details)}格式有误"
                                    f"（{_why_unparseable(details.get('fault'), details, details.get('format'))}）"),
        "misnamed": lambda: ("这个 .xls 文件其实是网页或 XML 表格" if details.get("page")
                             else f"文件的内容与扩展名不符：它其实是 {details['rename']} 文件"),
        "password": lambda: "这个文件设有打开密码",
        "empty": lambda: (f"文件只有 {details['rows']} 行，没有第 {details['header_row']} 行" if details["header_row"] > 1
                          else "文件是空的，连列名那一行也没有"),
        "no_sheet": lambda: ((f"工作簿里没有第 {details['sheet']} 张表" if details["sheet"].isdecimal()
                              else f"工作簿里没有名为「{details['sheet']}」的表") + f"（有：{_joined(details['sheets'])}）"),
        "no_data": lambda: f"工作簿的各张表里都没有数据（表有：{_joined(details['sheets'])}）",
        "chart_sheet": lambda: f"「{details['sheet']}」是一张图表，不是表格（表格有：{_joined(details['sheets'])}）",
        "not_a_workbook": lambda: f"文件不是 Excel 工作簿（.{details['format']}），也许是别的文件改了扩展名",
        "unknown_format": lambda: (f"不认识 {details['suffix'] or '没有扩展名的'} 这种文件：能读的是 "
                                   f"{_either(details['formats'])}"),
        "json_document": lambda: "文件是一整个 JSON 文档（数组，或跨多行的对象），不是每行一条记录的 JSON Lines",
        "uncalculated_formula": lambda: (f"单元格 {details['cell']} 是公式，但文件里没有它的计算结果（文件由程序生成，"
                                         f"没有用 Excel 或 WPS 保存过）"),
        "giant_cell": lambda: (f"工作簿里有一段文字远远超出一个单元格能容纳的长度（Excel 单元格最多 {XLSX_MAX_CELL:,} 字）："
                               f"文件不是用 Excel 或 WPS 保存的"),
        "giant_row": lambda: (f"工作簿里有一行超过 {details['megabytes']} MB，远远超出一行记录应有的大小（许多段文字拼成的单元格，"
                              f"或许多很长的单元格）"),
        "overpacked": lambda: (f"工作簿里的 {details['part']} 解压后有 {details['megabytes']:,} MB，是压缩后的 "
                               f"{details['ratio']:,} 倍：Excel 和 WPS 保存的文件不会压缩得这样紧（这样构造的文件会耗尽读取它的"
                               f"电脑的内存）"),
        "needs_memory": lambda: (f"读这个文件要用的内存超过了服务器允许的 {details['megabytes']:,} MB"
                                 if "megabytes" in details else "读这个文件要用的内存超过了服务器现有的内存")
                                + "（工作簿解压后的内容极大，常见于为耗尽内存而构造的文件）",
        "too_many_keys": lambda: (f"文件第 {details['line']} 行起，各条记录里不同的键超过了 {XLSX_MAX_COLUMNS:,} 个（每个键"
                                  f"读作一列，表格宽得无法使用）"),
        "already_tagged": lambda: f"文件里已有与结果列同名的列：{_joined(details['columns'])}",
        "not_tagged": lambda: f"文件里没有标注结果列（{_joined(details['columns'])}）",
        "no_text_column": lambda: (f"第 {details['names_row'][0]} 行像是列名（含「{details['names_row'][1]}」）"
                                   if details.get("names_row") else
                                   f"没有名为「{details['wanted']}」的列（列名有：{_joined(details['columns'])}）"
                                   if details.get("wanted") else
                                   f"找不到投诉文本所在的列（列名有：{_joined(details['columns'])}）"),
        "not_review_workbook": lambda: (f"文件不是能读的 .xlsx 工作簿（它是 {details['format'] or '没有扩展名的'} 文件，或已损坏），"
                                        f"复核表要以 .xlsx 导入" if "format" in details else
                                        "这个文件不是用 review export 导出的复核表" + (
                                            f"（工作簿里没有「复核」表，有：{_joined(details['sheets'])}）"
                                            if "sheets" in details else "（「复核」表的列与导出时不同）"
                                            if "columns" in details else "")),
        "busy": lambda: "另一次运行正在写同一个结果文件",
        "previous_is_itself": lambda: "用来对比的前一期档案就是这份档案本身",
        "output_is_input": lambda: "输出文件就是输入文件（输入文件绝不会被覆盖）",
        "no_folder": lambda: "输出文件所在的文件夹不存在",
        "output_name": lambda: _output_name(details),
        "same_output": lambda: "就是".join(_OUTPUTS.get(parameter, parameter) for parameter in details["parameters"]),
        "other_model": lambda: (f"文件里的置信度不是这个模型算出的（第 {details['row']} 行：文件里是 {details['written']:.4f}，"
                                f"模型算出 {details['computed']:.4f}；要复核的 {details['rows']:,} 行中有 "
                                f"{details['differ']:,} 行不同）：文件是用别的模型标注的，或读的不是标注时的文本列，或标注后改动过文本"),
        "beyond_excel": lambda: (f"结果超出了 Excel 的上限（一个 Excel 单元格最多 {XLSX_MAX_CELL:,} 字，一张表最多 "
                                 f"{XLSX_MAX_ROWS - 1:,} 行数据、{XLSX_MAX_COLUMNS:,} 列）"),
    }
    return said[error.problem]() if error.problem in said else "无法读取这个文件"


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
    return [place_in_chinese(row["where"]), _why_unparseable(row.get("kind"), row.get("details", {}), format)]


# What is wrong with a row of labeled data, by its fault's kind (LabeledDataError's ``faults``), from its particulars.
_LABELED_FAULTS = {
    "text_missing": lambda d: "没有文本（这一格不是文字）",
    "text_empty": lambda d: "文本为空",
    "text_unreadable": lambda d: "文本只有空格、看不见的字符或网页的空格，没有可读的内容",
    "label_empty": lambda d: "类别为空",
    "unknown_label": lambda d: (f"类别「{d['label']}」不是六个类别之一" + (f"（是不是「{d['near']}」？）" if d["near"] else "")
                                + f"：应填 {'、'.join(LABELS)}，或中文名 {'、'.join(CATEGORIES.values())}"),
    "unparseable_row": lambda d: f"格式有误（{_why_unparseable(d['fault'], d['details'], d['format'])}）",
}


def labeled_fault_in_chinese(where: str, fault: tuple | None) -> str | None:
    """A bad row of labeled data, its place and its ``fault`` (kind, particulars), in Chinese; None for a fault of no
    kind (its English is all there is)."""
    if fault is None or fault[0] not in _LABELED_FAULTS:
        return None
    return f"{place_in_chinese(where)}：{_LABELED_FAULTS[fault[0]](fault[1])}"


# What a desk does to the file in Excel, WPS or a text editor, to go between 请 and 后.
_FIXES = {
    "encoding": "另存为 UTF-8 或 GB18030 编码的 CSV",
    "several_sheets": "只留下要标注的一张，或把它另存为单独的文件",
    "duplicate_columns": "把重名的列改名",
    "unnamed_columns": "补上列名或删除空列",
    "unparseable_row": "修正这一行",
    "password": "在 Excel 或 WPS 里取消密码并保存",
    "empty": "检查是否选错了文件",
    "no_data": "检查是否选错了文件",
    "no_sheet": "把要读的那张表另存为单独的文件",
    "chart_sheet": "把要读的那张表另存为单独的文件",
    "not_a_workbook": "用 Excel 或 WPS 打开它，另存为 .xlsx（Excel 工作簿）",
    "unknown_format": "另存为 CSV 或 Excel 工作簿（.xlsx）",
    "json_document": "另存为每行一个 JSON 对象的 .jsonl 文件，或另存为 CSV、Excel",
    "uncalculated_formula": "用 Excel 或 WPS 打开、保存",
    "already_tagged": "改用未标注的原始文件（如果它是标注过的），或把这些列改名",
    "no_text_column": "让列名在第一行，并把投诉文本所在的列改名为「投诉内容」",
    "giant_cell": "把文字另存为 CSV",
    "giant_row": "把文字另存为 CSV",
    "overpacked": "确认文件的来源，用 Excel 或 WPS 打开并另存为 CSV",
    "needs_memory": "确认文件的来源，用 Excel 或 WPS 打开并另存为 CSV",
    "too_many_keys": "让每条记录只保留文本和需要的字段、用同样的键",
}


def fix_in_chinese(error: ArchiveError, then: str) -> str | None:
    """请 (what to do to the file) 后 ``then`` (再上传, 再运行), in Chinese; None where the file is not what
    needs fixing (the output is, or another run)."""
    if error.problem == "misnamed":
        fix = ("用 Excel 或 WPS 打开，另存为 .xlsx（Excel 工作簿）" if error.details.get("page")
               else f"把扩展名改为 {error.details['rename']}")
    elif error.problem == "not_review_workbook":  # one saved in another format; else no fix of the file will do
        fix = _FIXES["not_a_workbook"] if "format" in error.details else None
    else:
        fix = _FIXES.get(error.problem)
    return None if fix is None else f"请{fix}{' ' if fix[-1].isascii() else ''}后{then}"
