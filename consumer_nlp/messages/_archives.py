"""What is wrong with an archive (an :class:`ArchiveError`'s ``problem``), and what a desk does to the
file about it, said in Chinese for the front ends that speak to complaint desks: each says how to go on
in its own terms (the web: upload again; the command line: run again, or its flags)."""
import codecs

from .._categories import doubtful_label
from .._review_sheet import CHOICE_HEADER
from ..exceptions import ArchiveError
from ..io._cells import XLSX_MAX_CELL, XLSX_MAX_COLUMNS, XLSX_MAX_ROWS
from ._labeled import nearest_category_in_chinese
from ._rows import WORKBOOKS, place_in_chinese, why_unparseable


def _joined(values) -> str:
    return "、".join(map(str, values))


# How a desk saves a CSV with commas in Excel, where its columns were separated by semicolons and read as one.
SAVE_WITH_COMMAS = "在 Excel 里打开它，另存为“CSV UTF-8（逗号分隔）”"


def unsplit_semicolons(columns: list) -> str | None:
    """That a CSV read as one column whose name holds ';' may be separated by semicolons the guess did not take
    (io.DelimitedReader), its lines then read whole, in Chinese; None for any other columns."""
    if len(columns) != 1 or ";" not in str(columns[0]):
        return None
    return (f"文件只读出一列「{columns[0]}」，列名里有分号（;）：它若是以分号分隔的 CSV（有些语言版本的 Excel 这样保存），"
            "各列没有分开，每行是整行读的")


def _either(values) -> str:
    """.html 或 .htm; .html、.xlsx 或 .md."""
    values = list(map(str, values))
    return values[0] if len(values) == 1 else f"{'、'.join(values[:-1])} 或 {values[-1]}"


def _bad_row_place(details: dict) -> str:
    """Where an unparseable row is, in Chinese, from its error's ``details``: its place (:func:`place_in_chinese`),
    or for an error of a release before places, the number it gave."""
    if "where" in details:
        return place_in_chinese(details["where"])
    return f"{'工作表' if details.get('format') in WORKBOOKS else '文件'}第 {details['line']} 行"


# The outputs a run writes, by the parameter that names each, as a desk calls them.
_OUTPUTS = {"output_path": "输出文件", "bad_rows_path": "存放无法解析的行的文件"}
# The files a command reads, by their parameter, where an error names one.
_INPUTS = {"input_path": "要标注的", "data": "标注数据"}


def _output_name(details: dict) -> str:
    """Why an output's name is refused (an ArchiveError's ``output_name`` particulars), in Chinese."""
    what, suffix, endings = _OUTPUTS.get(details.get("parameter"), "输出文件"), details.get("suffix"), details["endings"]
    if details.get("terminal"):
        return f"{what}名是「-」：标注结果只写成文件，不输出到终端；文件名应以 {_either(endings)} 结尾（如 结果.xlsx）"
    if suffix in (".xls", ".xlsm"):
        return f"{what}不能写成 {suffix}（.xls 和 .xlsm 只能读）：文件名应以 {_either(endings)} 结尾"
    if suffix == "":
        return f"{what}名没有扩展名：应以 {_either(endings)} 结尾"
    return f"{what}名应以 {_either(endings)} 结尾"


# What each tag column holds, as a desk is told when a cell of it was edited into something else.
_TAG_VALUES = {"category": "六个类别之一（英文名如 quality，或中文名如 质量问题）", "category_zh": "六个类别的中文名之一，或留空",
               "needs_review": "true 或 false（是、否也可）", "confidence": "0 到 1 之间的数"}


def _tag_values(details: dict) -> str:
    """A tag column's cells that hold what tagging never writes, with their rows as Excel shows them, and the category
    a category's cell mistyped by hand is nearest (质量问: 是不是「质量问题」？); not of one written in doubt (质量问题？),
    whose fix says to drop the question mark (:func:`fix_in_chinese`)."""

    def near(value) -> str:
        mistyped = details["column"] in ("category", "category_zh") and not doubtful_label(value)
        return nearest_category_in_chinese(value) if mistyped else ""

    rows = "、".join(f"第{row}行" + (f"「{value}」{near(value)}" if value else "（空）") for row, value in details["rows"])
    holds = _TAG_VALUES.get(details["column"], "标注时写入的值")
    return f"「{details['column']}」列应为{' ' if holds[0].isascii() else ''}{holds}，这些行不是：{rows}"


def _text_bytes(details: dict) -> str:
    """A text column's cells of bytes that are not UTF-8, with their rows (or a frame's index labels)."""
    rows = "、".join((f"索引为 {row!r} 的行" if details.get("index") else f"第{row}行") + f"「{value}」"
                    for row, value in details["rows"])
    return f"「{details['column']}」列的{rows}不是文字，而是无法按 UTF-8 读出的字节"


def _period_word(details: dict) -> str:
    """What to give for a period asked for as a column's name (季度, Quarter), with the front end's flag."""
    flag, period = details["flag"], details["period"]
    return f"「{details['wanted']}」是时间段，不是列名：要按{'季度' if period == 'quarter' else '月'}分列，请用 {flag} {period}"


def _left_out(details: dict) -> str:
    """The rows a report leaves out that are all a tagged file holds: blank ones, the column names again."""
    counts = [(details.get("blank"), "行是空行"), (details.get("names"), "行是又一行列名")]
    return "，".join(f"{count:,} {what}" for count, what in counts if count)


def _no_record(details: dict) -> str:
    """A JSON Lines file without a key to read, as what it holds: nothing, blank lines, or records that are {}."""
    if details.get("records"):
        return f"文件里的 {details['records']} 条记录都是空的 {{}}，没有一个键"
    return "文件里没有一条记录（只有空行）" if details.get("blank") else "文件是空的，没有一条记录"


def _sheet_short(details: dict) -> str:
    """A sheet that is empty, or holds fewer rows than the header row given, as a desk sees the sheet (not the file)."""
    if details["rows"] == 0:
        others = details.get("others")
        return f"工作表「{details['sheet']}」是空的" + (f"（有数据的表：{_joined(others)}）" if others else "，工作簿里也没有别的表有数据")
    return f"工作表「{details['sheet']}」只有 {details['rows']} 行，没有第 {details['header_row']} 行"


def _blank_header_row(details: dict) -> str:
    """A header row given on a blank row: where it is, and the row that looks like the column names, else the first
    rows that hold something."""
    where = f"工作表「{details['sheet']}」" if "sheet" in details else "文件"
    said = f"{where}第 {details['header_row']} 行是空行，没有列名"
    if details.get("names_row"):
        return said + f"；第 {details['names_row'][0]} 行像是列名（含「{details['names_row'][1]}」）"
    filled = details.get("filled")
    return said + (f"（有内容的是第 {_joined(filled)} 行）" if filled else "（表里没有一行有内容）")


def encoding_name(encoding: str) -> str:
    """An encoding as a desk knows it from Excel's and Notepad's menus: UTF-8 (with its BOM or not), GB18030, Big5."""
    name = codecs.lookup(encoding).name.removesuffix("-sig")
    return "Big5" if name == "big5" else name.upper()


def _encoding_read(details: dict) -> str:
    """The encoding a file was read in, from an "encoding" error's ``details``: as the desk named it (utf8), else as
    detected, in the menus' words (UTF-8, not the reader's utf-8-sig)."""
    if details.get("given"):
        return details["given"]
    return encoding_name(details["encoding"]) if "encoding" in details else "所用的"


# The formats as a desk calls them, where an error names one.
_FORMAT_NAMES = {"csv": "CSV", "tsv": "TSV", "jsonl": "JSONL", "parquet": "Parquet"}


def problem_in_chinese(error: ArchiveError) -> str:
    """What is wrong, in one Chinese sentence without the file's path (a server's paths are not the
    user's business; on the command line the user named the file)."""
    details = error.details
    said = {
        "encoding": lambda: (f"文件第 {details['line']} 行有按 {encoding_name(details['encoding'])} 编码读不出的字节（文件的"
                             f"其他各行都是 {encoding_name(details['encoding'])} 编码，这一行也许有乱码或损坏的字）"
                             if details.get("damaged")
                             else f"文件第 {details['line']} 行无法按 {_encoding_read(details)} 编码读出（文件也许是"
                             f"另一种编码，或这一行是乱码）" if details.get("line")
                             else "无法识别文件的编码（不是 UTF-8、GB18030 或 Big5）"),
        "unknown_encoding": lambda: f"不认识编码「{details['given']}」",
        "several_sheets": lambda: f"这个工作簿有 {len(details['sheets'])} 张表含有数据（{_joined(details['sheets'])}）",
        "duplicate_columns": lambda: f"表头里有重名的列：{_joined(details['columns'])}",
        "unnamed_columns": lambda: f"表头的第 {_joined(details['columns'])} 列没有列名",
        "unparseable_row": lambda: (f"{_bad_row_place(details)}格式有误"
                                    f"（{why_unparseable(details.get('fault'), details, details.get('format'))}）"),
        "misnamed": lambda: ("这个 .xls 文件其实是网页或 XML 表格" if details.get("page")
                             else f"文件的内容与扩展名不符：它其实是 {details['rename']} 文件"),
        "password": lambda: "这个文件设有打开密码",
        "empty": lambda: (_no_record(details) if details.get("format") == "jsonl"
                          else _sheet_short(details) if "sheet" in details
                          else f"文件只有 {details['rows']} 行，没有第 {details['header_row']} 行" if details["header_row"] > 1
                          else "文件是空的，连列名那一行也没有"),
        "blank_header_row": lambda: _blank_header_row(details),
        "no_sheet": lambda: ((f"工作簿里没有第 {details['sheet']} 张表" if details["sheet"].isdecimal()
                              else f"工作簿里没有名为「{details['sheet']}」的表") + f"（有：{_joined(details['sheets'])}）"),
        "no_data": lambda: f"工作簿的各张表里都没有数据（表有：{_joined(details['sheets'])}）",
        "chart_sheet": lambda: f"「{details['sheet']}」是一张图表，不是表格（表格有：{_joined(details['sheets'])}）",
        "not_a_workbook": lambda: f"文件不是 Excel 工作簿（.{details['format']}），也许是别的文件改了扩展名",
        "not_parquet": lambda: ("文件是空的，" if details.get("empty") else "") + (
            "不是完整的 Parquet 文件（也许没有复制或下载完，或是别的文件改了扩展名）"),
        "unknown_format": lambda: (f"这是模型文件（{details['suffix']}），不是数据文件" if details.get("model") else
                                   f"不认识 {details['suffix'] or '没有扩展名的'} 这种文件：能读的是 "
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
        "needs_time": lambda: (f"读这个文件的开头几行就用了超过服务器允许的 {details['seconds']:,} 秒"
                               f"（工作簿解压后的内容极大，常见于为拖住服务器而构造的文件）"),
        "too_many_keys": lambda: (f"文件第 {details['line']} 行起，各条记录里不同的键超过了 {XLSX_MAX_COLUMNS:,} 个（每个键"
                                  f"读作一列，表格宽得无法使用）"),
        "already_tagged": lambda: f"文件里已有与结果列同名的列：{_joined(details['columns'])}",
        "not_tagged": lambda: f"文件里没有标注结果列（{_joined(details['columns'])}）",
        "no_column": lambda: f"没有名为「{details['wanted']}」的列（列名有：{_joined(details['columns'])}）",
        "no_text_column": lambda: (f"第 {details['names_row'][0]} 行像是列名（含「{details['names_row'][1]}」）"
                                   if details.get("names_row") else
                                   f"没有名为「{details['wanted']}」的列（列名有：{_joined(details['columns'])}）"
                                   if details.get("wanted") else
                                   f"找不到投诉文本所在的列（列名有：{_joined(details['columns'])}）"
                                   + (f"；{said}" if (said := unsplit_semicolons(details["columns"])) else "")),
        "not_review_workbook": lambda: (f"文件不是能读的 .xlsx 工作簿（它是 {details['format'] or '没有扩展名的'} 文件，或已损坏），"
                                        f"复核表要以 .xlsx 导入" if "format" in details else
                                        "这个文件不是用 review export 导出的复核表" + (
                                            f"（工作簿里没有「复核」表，有：{_joined(details['sheets'])}）"
                                            if "sheets" in details else "（「复核」表的列与导出时不同）"
                                            if "columns" in details else "")),
        "busy": lambda: "另一次运行正在写同一个结果文件",
        "previous_is_itself": lambda: "用来对比的前一期档案就是这份档案本身",
        "output_is_input": lambda: "输出文件就是输入文件（输入文件绝不会被覆盖）",
        "no_folder": lambda: (f"「{details['file']}」是一个文件，不是文件夹，输出文件不能写在它下面" if "file" in details
                              else "输出文件所在的文件夹不存在"),
        "folder": lambda: (_INPUTS[details["parameter"]] + "是一个文件夹，不是文件" if details.get("parameter") in _INPUTS
                           else f"{_OUTPUTS.get(details.get('parameter'), '输出文件')}是一个文件夹"),
        "output_name": lambda: _output_name(details),
        "same_output": lambda: "就是".join(_OUTPUTS.get(parameter, parameter) for parameter in details["parameters"]),
        "other_model": lambda: (f"文件里的置信度不是这个模型算出的（第 {details['row']} 行：文件里是 {details['written']:.4f}，"
                                f"模型算出 {details['computed']:.4f}；要复核的 {details['rows']:,} 行中有 "
                                f"{details['differ']:,} 行不同）：文件是用别的模型标注的，或读的不是标注时的文本列，或标注后改动过文本"),
        "tag_values": lambda: _tag_values(details),
        "text_bytes": lambda: _text_bytes(details),
        "no_rows": lambda: (f"文件里没有一行数据：{_left_out(details)}（都没有计入）"
                            if details.get("blank") or details.get("names") else "文件里只有列名，没有一行数据"),
        "not_for_format": lambda: (f"{_FORMAT_NAMES.get(details['format'], details['format'])} 文件"
                                   + ("不是 Excel 工作簿，没有可选的表" if details["parameter"] == "sheet"
                                      else "没有列名所在的行可选")),
        "beyond_excel": lambda: (f"第 {details['row']} 行「{details['column']}」列的文字有 {details['characters']:,} 字，"
                                 f"超出了一个 Excel 单元格最多 {XLSX_MAX_CELL:,} 字的上限" if "row" in details
                                 else f"结果超出了 Excel 的上限（一个 Excel 单元格最多 {XLSX_MAX_CELL:,} 字，一张表最多 "
                                 f"{XLSX_MAX_ROWS - 1:,} 行数据、{XLSX_MAX_COLUMNS:,} 列）"),
    }
    return said[error.problem]() if error.problem in said else "无法读取这个文件"


# What a desk does to the file in Excel, WPS or a text editor, to go between 请 and 后.
_FIXES = {
    "encoding": "另存为 UTF-8 或 GB18030 编码的 CSV",
    "several_sheets": "只留下要标注的一张，或把它另存为单独的文件",
    "duplicate_columns": "把重名的列改名",
    "unnamed_columns": "补上列名或删除空列",
    "unparseable_row": "修正这一行",
    "password": "在 Excel 或 WPS 里取消密码并保存",
    "empty": "检查是否选错了文件",
    "blank_header_row": "删掉列名上方的标题行和空行，让列名在第一行",
    "no_rows": "检查是否选错了文件",
    "tag_values": "在 Excel 里改正这些格",
    "text_bytes": "让导出这个文件的人把这一列存为 UTF-8 文字（字符串）",
    "no_data": "检查是否选错了文件",
    "no_sheet": "把要读的那张表另存为单独的文件",
    "chart_sheet": "把要读的那张表另存为单独的文件",
    "not_a_workbook": "用 Excel 或 WPS 打开它，另存为 .xlsx（Excel 工作簿）",
    "not_parquet": "重新导出或复制这个文件",
    "unknown_format": "另存为 CSV 或 Excel 工作簿（.xlsx）",
    "json_document": "另存为每行一个 JSON 对象的 .jsonl 文件，或另存为 CSV、Excel",
    "uncalculated_formula": "用 Excel 或 WPS 打开、保存",
    "already_tagged": "改用未标注的原始文件（如果它是标注过的），或把这些列改名",
    "no_column": "照上面的列名写",
    "no_text_column": "让列名在第一行，并把投诉文本所在的列改名为「投诉内容」",
    "giant_cell": "把文字另存为 CSV",
    "giant_row": "把文字另存为 CSV",
    "overpacked": "确认文件的来源，用 Excel 或 WPS 打开并另存为 CSV",
    "needs_memory": "确认文件的来源，用 Excel 或 WPS 打开并另存为 CSV",
    "needs_time": "确认文件的来源，用 Excel 或 WPS 打开并另存为 CSV",
    "too_many_keys": "让每条记录只保留文本和需要的字段、用同样的键",
}


def fix_in_chinese(error: ArchiveError, then: str) -> str | None:
    """请 (what to do to the file) 后 ``then`` (再上传, 再运行), in Chinese; None where the file is not what
    needs fixing (the output is, or another run)."""
    if error.problem == "misnamed":
        fix = ("用 Excel 或 WPS 打开，另存为 .xlsx（Excel 工作簿）" if error.details.get("page")
               else f"把扩展名改为 {error.details['rename']}")
    elif error.problem == "unknown_format" and error.details.get("model"):  # given where the data goes
        fix = "给出要读的数据文件（CSV、Excel 工作簿等）"
    elif error.problem == "no_text_column" and unsplit_semicolons(error.details.get("columns", [])):
        fix = SAVE_WITH_COMMAS
    elif error.problem == "no_text_column" and error.details.get("names_row"):  # a title above the names
        fix = f"删掉第 {error.details['names_row'][0]} 行上面的标题行，让列名在第一行"
    elif error.problem == "encoding" and error.details.get("damaged"):  # another encoding would not read it
        fix = "在记事本等文本编辑器里改正或删掉这一行的乱码，或从原系统重新导出这个文件"
    elif error.problem == "tag_values" and any(doubtful_label(value) for _, value in error.details["rows"]):
        fix = "确定类别后删去问号" + ("，或清空这一格（按 category 列模型给出的类别计，再复核）"  # 质量问题？, a doubt
                                   if error.details["column"] == "category_zh" else "（拿不准的保留模型给出的类别，再复核）")
    elif error.problem == "not_review_workbook":  # one saved in another format; else no fix of the file will do
        fix = _FIXES["not_a_workbook"] if "format" in error.details else None
    else:
        fix = _FIXES.get(error.problem)
    return None if fix is None else f"请{fix}{' ' if fix[-1].isascii() else ''}后{then}"


def _output_flag(error: ArchiveError, names: dict) -> str | None:
    """How the front end names the output an error is about: its parameter, else a command's one output."""
    return names.get(error.details.get("parameter")) or names.get("output") or names.get("report")


def how_to_go_on(error: ArchiveError, names: dict) -> str:
    """How to go on from an archive's problem, in Chinese, with the front end's ``names`` for its parameters (a
    command's flags)."""
    if error.problem in ("several_sheets", "no_sheet", "chart_sheet") and "sheet" in names:
        return f"请用 {names['sheet']} 指定{'要读的一张' if error.problem == 'several_sheets' else '其中一张'}（名称或序号）"
    if error.problem == "empty" and error.details.get("sheet") and not error.details["rows"]:
        others = error.details.get("others")
        if others and "sheet" in names:
            return f"请用 {names['sheet']} 指定有数据的表后再运行"
        return fix_in_chinese(error, "再运行")
    if error.problem == "blank_header_row" and "header_row" in names:
        row = error.details.get("names_row", ("",))[0]
        return f"请用 {names['header_row']}{f' {row}' if row else ''} 指定列名所在的行后再运行"
    if error.problem == "empty" and error.details.get("header_row", 1) > 1 and "header_row" in names:
        return f"请用 {names['header_row']} 指定列名所在的行（从 1 数起）后再运行"
    if error.problem == "busy":
        flag = names.get(error.details.get("parameter", "output_path"))  # the output, or the bad-rows file
        return "请等那次运行结束" + (f"，或用 {flag} 写到别的文件" if flag else "")
    if error.problem == "no_text_column" and "header_row" in names and error.details.get("names_row"):
        place = error.details["names_row"][0]
        return f"请用 {names['header_row']} {place} 指定列名所在的行后再运行"
    if error.problem == "no_text_column" and (unsplit_semicolons(error.details.get("columns", []))
                                              or error.details.get("names_row")):  # no text column would read them
        return fix_in_chinese(error, "再运行")
    if error.problem == "no_text_column" and "text_col" in names:
        return f"请用 {names['text_col']} 指定它（列名照上面写）后再运行"
    if error.problem == "not_review_workbook" and "format" not in error.details:
        return f"请用 consumer-nlp review export 从已标注的文件导出复核表，在「{CHOICE_HEADER}」一列填好后导入它"
    if error.problem == "no_column" and error.details.get("period") and "period" in names:
        return _period_word({**error.details, "flag": names["period"]}) + " 后再运行"
    if error.problem == "tag_values" and error.details.get("added"):  # no tag in any tag column
        return ("这些行的标注结果各列都是空的，是标注之后加进来的：若是表尾的合计、备注等不是投诉的行，请删掉它们；若是新的投诉，"
                "请把它们另存为一个文件，用 consumer-nlp tag 标注，再运行")
    if error.problem == "tag_values" and error.details["column"] == "category" and any(
            not value for _, value in error.details["rows"]):
        return "请在 Excel 里补上这些行的类别（不确定时保留模型给出的类别，用 consumer-nlp review 复核）后再运行"
    if error.problem == "not_tagged" and error.details.get("kept"):  # tagged, a column renamed or deleted since
        return (f"文件里还有 {_joined(error.details['kept'])} 等标注结果列，是标注过的：若在 Excel 里改过列名，请把列名改回 "
                f"{_joined(error.details['columns'])}（照原样）；若删了这一列，请从标注写出的文件里复制回来，再运行")
    if error.problem == "not_tagged":
        return "请先用 consumer-nlp tag 标注这个文件，再对它写出的 .tagged 文件运行"
    if error.problem == "previous_is_itself" and "previous" in names:
        return f"请用 {names['previous']} 指定前一期的已标注档案后再运行"
    if error.problem == "not_for_format":
        flag = names.get(error.details["parameter"])
        return f"请去掉 {flag} 后再运行" if flag else f"请不要给出 {error.details['parameter']}"
    if error.problem == "output_is_input":
        return "请换一个输出文件名后再运行"
    if error.problem == "no_folder":
        return "请" + ("" if "file" in error.details else "先建好这个文件夹，或") + "写到已有的文件夹里，再运行"
    if error.problem == "folder" and error.details.get("parameter") == "input_path":
        return "请给出文件夹里要标注的那个文件（一次标注一个文件）后再运行"
    if error.problem == "folder" and error.details.get("parameter") == "data":
        return "请给出文件夹里的那个标注文件（一次用一个文件）后再运行"
    if error.problem == "folder":
        flag, example = _output_flag(error, names), error.details.get("example")
        return f"请{f'用 {flag} ' if flag else ''}给出文件名{f'（如 {example}）' if example else ''}后再运行"
    if error.problem == "output_name":
        flag = _output_flag(error, names)
        return f"请用 {flag} 换一个这样结尾的文件名后再运行" if flag else "请换用这样结尾的文件名后再运行"
    if error.problem == "same_output":
        flag = names.get(error.details["parameters"][0])
        return f"请用 {flag} 另给一个文件名后再运行" if flag else "请另给一个文件名后再运行"
    if error.problem == "other_model":
        model = f"用 {names['model']} 指定标注它时用的模型" if "model" in names else "改用标注它时用的模型"
        text_col = f"（读错了文本列时，用 {names['text_col']} 指定它）" if "text_col" in names else ""
        return f"请{model}后再运行，或先用 consumer-nlp tag 以这个模型重新标注这个文件再运行{text_col}"
    if error.problem == "beyond_excel":
        return "请把结果写成 CSV、JSONL 或 Parquet（输出文件用 .csv、.jsonl 或 .parquet 结尾）"
    if error.problem == "encoding" and error.details.get("detected") and "encoding" in names:  # named wrongly
        flag = names["encoding"]
        return (f"请去掉 {flag} {error.details['given']} 后再运行（不用 {flag} 时自动识别编码，这个文件读作 "
                f"{encoding_name(error.details['detected'])}）")
    if error.problem == "unknown_encoding":
        return _name_an_encoding(error.details["given"], names.get("encoding"))
    if error.problem == "unparseable_row" and getattr(error, "chunks_kept", None):
        return _bad_row_with_chunks_kept(names)
    said = fix_in_chinese(error, "再运行") or "请检查这个文件"
    if error.problem == "unparseable_row" and "bad_rows_path" in names and not error.details.get("none_readable"):
        said += f"，或用 {names['bad_rows_path']} 把无法解析的行另存到一个文件、其余照常处理"
    if error.problem == "encoding" and "encoding" in names and not error.details.get("damaged"):
        said += f"，或用 {names['encoding']} 指定文件的编码（如 {names['encoding']} gb18030）"
    if error.problem == "unnamed_columns" and "header_row" in names:
        said += f"；表头不在第一行时，用 {names['header_row']} 指定它所在的行"
    return said


def _name_an_encoding(given: str, flag: str | None) -> str:
    """How to go on from an encoding no codec knows: the names there are, or none (detected); Notepad's ANSI said."""
    named = "、".join(f"{flag} {name}" if flag else name for name in ("utf-8", "gb18030")) + \
        f" 或 {flag + ' ' if flag else ''}big5"
    said = (f"请改用 {named}，或去掉 {flag}（不用 {flag} 时自动识别编码）后再运行" if flag
            else f"请改用 {named} 这样的编码名，或不指定编码（自动识别）")
    if given.strip().upper() == "ANSI":  # what Notepad's 另存为 calls the system's own encoding
        said += "；记事本说的 ANSI，在简体中文的 Windows 上就是 gb18030，繁体的是 big5"
    return said


def _bad_row_with_chunks_kept(names: dict) -> str:
    """A bad row that stopped a run once chunks were finished: fixed, the file is another, and the run starts over;
    set aside (where the front end can), the run goes on from them."""
    said = (f"请{_FIXES['unparseable_row']}后加 {names.get('restart', 'restart=True')} 再运行"
            f"（文件改过，已标注的部分就不能再用）")
    if "bad_rows_path" in names:
        said += (f"，或用 {names['bad_rows_path']} 把无法解析的行另存到一个文件、再加 {names.get('resume', 'resume=True')} "
                 f"接着运行（已标注的部分都能用上）")
    return said


def held_elsewhere_in_chinese(error: ArchiveError, files: dict, then: str) -> str:
    """A file another writer holds (problem "busy") said for a front end whose desk names no files (the web): what the
    file is, as ``files`` says each parameter's ({"output_path": "这一批的标注结果"}; "这个文件" for another), and to
    wait for that writer, then ``then`` (刷新页面)."""
    what = files.get(error.details.get("parameter"), "这个文件")
    return f"{what}正在另一处写出（也许是重启前的那次）：请等它写完后{then}"


def blank_text_column_note(column: str, rows: int, others: bool) -> str:
    """Why the column named as the complaint text's is not offered for tagging: it holds no words (only blanks, numbers
    or punctuation) in an upload's first ``rows``; ``others``: other columns do, and are offered instead."""
    said = f"「{column}」列在前 {rows:,} 行中没有文字（只有空白、数字或标点），所以不能按它标注"
    if others:
        return said + "。如果投诉文字在别的列，请从列表中选择；如果应在这一列，请补上文字后再上传。"
    return said + "，别的列也没有文字：请把投诉文字填进这一列后再上传。"
