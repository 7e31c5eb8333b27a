"""What a desk must know of a tagging run and its output, said in Chinese: the run's closing summary, what the added
columns hold where the output has no place for a note, what Excel changes as it opens a CSV or TSV file of it, what
of the input the output leaves out or fills in, columns of mixed types written as text, and day numbers of a 1904
workbook written where their date system is lost."""
import datetime

from .._categories import CATEGORIES
from .._unicode import name_key
from ..io import EXCEL_EPOCHS, archive_format, bare_name, shared_heading
from ._archives import SAVE_WITH_COMMAS, encoding_name, unsplit_semicolons
from ._columns import COLUMN_GLOSSES
from ._rows import names_rows_note, unsure_rows_note


def excel_changes_note(changes: dict, *, opened: str = "这个文件", fix: str | None = None) -> str | None:
    """What Excel changes as it opens a CSV or TSV file holding the values counted in ``changes`` (by
    :func:`io.excel_changes`, {column: {kind: count}}), in Chinese; None if nothing. ``opened`` names the file,
    ``fix`` says how to see the values as they are, in the front end's words (left out when None)."""
    said = {"formula": "{n} 个以 = + - @ 开头的文字会被当成公式",
            "leading_zero": "{n} 个以 0 开头的编号会丢掉开头的 0",
            "long_number": "{n} 个 12 位以上的数字会显示成科学记数（如 4.40101E+17），16 位起的末几位变成 0",
            "date_no_year": "{n} 个没有年份的日期样文字（如 3-2、1/2、3月2日）会变成今年的日期"}
    parts = [f"「{column}」列 " + said[kind].format(n=n) for column, kinds in changes.items() for kind, n in kinds.items()]
    if not parts:
        return None
    more = f"，共 {len(parts)} 处" if len(parts) > 6 else ""
    advice = f"；要在 Excel 里查看或编辑，{fix}" if fix else ""
    return f"注意：用 Excel 直接打开{opened}会改掉一些值：{'；'.join(parts[:6])}{more}。文件里的值没有变{advice}"


def _as_xlsx(parameter: str, names: dict) -> str:
    """How to have the file the library's ``parameter`` names written as .xlsx, by the front end's name for it
    (``names``), else by the parameter's own."""
    given = f"{names[parameter]} 文件名.xlsx" if parameter in names else f"{parameter}=文件名.xlsx"
    return f"请写成 .xlsx（{given}）"


def mixed_types_note(columns: list, written: str = "已全部按文字写出") -> str:
    """That ``columns`` hold values of mixed types (numbers and words), which a Parquet column cannot, in Chinese;
    ``written`` says what became of them (in a Parquet output: text; the web says it of its downloads)."""
    names = "".join(f"「{name}」" for name in columns)
    return f"注意：{names}列的值类型不一（如数字和文字），Parquet 的一列只能是一种类型，{written}"


def days_1904_note(days: dict, *, opened: str = "结果文件", fix: str | None = None) -> str:
    """That the columns of ``days`` ({column: its first number}, a tagging run's ``days_1904``) hold a 1904 workbook's
    dates as numbers of days, which ``opened`` (an output other than .xlsx) cannot say count from 1904, so Excel and the
    report read them four years and a day early, in Chinese; ``fix`` says how to keep them in the front end's words."""
    column, first = next(iter(days.items()))
    names = "".join(f"「{name}」" for name in days)
    meant, read = (EXCEL_EPOCHS[system] + datetime.timedelta(days=first) for system in (True, False))
    advice = f"。要保留日期，{fix}" if fix else ""
    return (f"注意：工作簿用的是 1904 日期系统（旧版 Mac Excel），{names}列的日期是以天数写的数字（如「{column}」列的 "
            f"{first}，即 {meant.date()}）；{opened}记不下日期系统，Excel 和报告会按 1900 日期系统把这些数字读成早四年零一天的"
            f"日期（{read.date()}）{advice}")


def _first_five(shown: list, unit: str = "处", count: int | None = None) -> str:
    """The first five of ``shown`` joined as a list in Chinese, and how many there are (``count``, or as many as
    ``shown`` holds) where there are more."""
    count = len(shown) if count is None else count
    return "、".join(shown[:5]) + (f" 等 {count} {unit}" if count > 5 else "")


def row_notes(summary) -> list[str]:
    """What a person pasting the results back beside the input must know of its rows (in Chinese), from a run's
    ``summary`` (:class:`tagging.Summary`): a CSV read by its semicolons (or as one column named with them), what of
    the input the output leaves out (other sheets, a title above the column names, notes outside the table), rows
    hidden in Excel, merged cells copied to every row they cover, ranges merged from the column names (or above) into
    rows that read their own cells, blank lines skipped, byte order marks dropped from lines (files joined end to end),
    quoted texts over lines reading as rows (a stray quote's?)."""
    notes = []
    if summary.semicolons:
        notes.append("输入文件的各列以分号（;）分隔（有些语言版本的 Excel 这样保存 CSV），已按分号分列读取")
    if summary.one_column is not None and (unsplit := unsplit_semicolons([summary.one_column])):
        notes.append(f"{unsplit}；若是这样，请{SAVE_WITH_COMMAS}后重新标注")
    if summary.other_sheets:
        names = _first_five([f"「{name}」" + ("（隐藏）" if hidden else "") for name, hidden in summary.other_sheets], "张")
        notes.append(f"结果只含工作表「{summary.sheet}」；工作簿里的其他表{names}没有写入结果")
    if summary.header_row > 1:
        notes.append(f"列名在第 {summary.header_row} 行：其上的 {summary.header_row - 1} 行（表格标题等）没有写入结果")
    if summary.notes_left_out:
        notes.append(f"单元格 {_first_five(summary.notes_left_out)} 的批注在表格之外（表格左边的空列、标题行、空行或无法解析的行上）"
                     "或被上方的合并单元格遮住，没有写入结果")
    if summary.hidden_rows:
        notes.append(f"其中 {summary.hidden_rows} 行在 Excel 里是隐藏的（筛选或隐藏行），也已标注")
    if summary.merged:
        notes.append(f"合并单元格 {_first_five(summary.merged)}：所跨的每一行都按合并格的值填写")
    if summary.merged_into_rows:
        ranges = []
        for span, names, runs, count in summary.merged_into_rows:  # the first five runs of rows, and how many
            rows = _first_five([f"第 {a} 至 {b} 行" if b > a else f"第 {a} 行" for a, b in runs], "段", count)
            ranges.append(f"{span}（{''.join(f'「{name}」' for name in names)}列{rows}）")
        notes.append(f"合并单元格 {_first_five(ranges)}从列名行（或其上方）一直合并到数据行：Excel 在这些行显示的是合并格左上角单元格的内容，"
                     "结果里这些行的这些列是各自单元格的内容（Excel 保存的文件里为空），请核对")
    if summary.blank_lines:
        notes.append(f"空行 {summary.blank_lines} 行（不是记录，已跳过）")
    if summary.boms:
        notes.append(f"{summary.boms} 行开头有字节顺序标记（BOM，两个文件首尾相接时后一个文件开头看不见的记号），不是第一格的值，"
                     "已去掉")
    if summary.names_count:
        notes.append(names_rows_note(summary.names_rows, summary.names_count, "没有标注，没有计入"))
    if summary.unsure_count:
        notes.append(unsure_rows_note(summary.unsure[:5], summary.unsure_count))
    return notes


def _excel_notes(summary, names: dict) -> list[str]:
    """What Excel changes of a run's CSV or TSV output, and of its CSV bad-rows file (its raw rows beginning with =
    run as formulas: a raw row is the evidence, kept as the input held it, and only an .xlsx file shows it as text),
    as it opens them; how to see them as they are in the front end's ``names`` for the files' parameters."""
    notes = []
    if archive_format(summary.output) in ("csv", "tsv"):
        notes.append(excel_changes_note(summary.excel_changes, fix=_as_xlsx("output_path", names)))
    if summary.bad_rows_file is not None and archive_format(summary.bad_rows_file) == "csv":
        notes.append(excel_changes_note(summary.bad_rows_changes, opened=f"「{summary.bad_rows_file.name}」",
                                        fix=_as_xlsx("bad_rows_path", names)))
    return [note for note in notes if note]


def added_columns_note(output, names: dict) -> str | None:
    """What the added columns of a tagging run's ``output`` hold, briefly, and where each is said at length, in Chinese:
    an .xlsx says it on their header cells (None here), a Parquet file in its fields' metadata, and CSV, TSV and JSON
    Lines nowhere (their data has no place for a note: an .xlsx output, asked for as the front end's ``names`` say).
    Of every format a result is downloaded in where ``output`` is None (the web's batch page)."""
    kind = None if output is None else archive_format(output)
    if kind == "xlsx":
        return None
    listed = "、".join(f"{column} {gloss}" for column, gloss in COLUMN_GLOSSES.items())
    in_parquet = "Parquet 文件把每列的详细说明记在各字段的元数据（description）中"
    at_length = {None: f"下载的 XLSX 文件列名上有批注详细说明每一列，{in_parquet}", "parquet": in_parquet}.get(
        kind, f"要看每列的详细说明，{_as_xlsx('output_path', names)}，列名上有批注")
    return f"新增的列：{listed}。{at_length}"


def counts_in_chinese(summary, names: dict | None = None) -> list[str]:
    """A line for each category's count and share of a tagging run's rows (``summary``, :class:`tagging.Summary`;
    rows of column names pasted in not counted), for the rows without text, and for those to review. Where the texts
    of rows without text are in another column (``empty_elsewhere``), how to tag by it is said as the front end's
    ``names`` say text_col (the web, which gives none, has its desk choose it in its list)."""
    n = max(summary.rows_out - summary.names_count, 1)
    lines = [f"{name}（{label}）：{summary.counts.get(label, 0)} 件，占 {summary.counts.get(label, 0) / n:.1%}"
             for label, name in CATEGORIES.items()]
    if summary.empty:
        lines.append(f"文本为空：{summary.empty} 件，占 {summary.empty / n:.1%}（不计入任何类别）")
    for column, count in summary.empty_elsewhere.items():
        if not column.strip():  # under the text column's heading merged over it, saved as CSV (编号,投诉内容,,渠道)
            lines.append(f"  其中 {count} 件的文字在文本列「{summary.text_col}」右边的一列，这一列没有列名（表头可能是合并在两列上"
                         "的单元格，另存为 CSV 后只留在第一列），这些文字没有被标注；请给这一列起个列名，把它们移到文本列或"
                         "指定它为文本列后重新标注")
            continue
        heading = shared_heading(column, str(summary.text_col))  # merged over the text column and this one
        if heading:
            lines.append(f"  其中 {count} 件的文字在「{column}」列：表头「{heading}」合并在几列上，标注只读了其中的"
                         f"「{summary.text_col}」列，这些文字没有被标注；{_tag_by(column, names)}")
        elif bare_name(column) == bare_name(str(summary.text_col)):
            differ = "只是写法不同" if name_key(column) == name_key(str(summary.text_col)) else "名称相同、只是括号里的说明不同"
            lines.append(f"  其中 {count} 件的文字在「{column}」列：它与文本列「{summary.text_col}」{differ}，这些文字"
                         "没有被标注；请把两列合为一列后重新标注")
        else:  # a column of another name, holding long texts where the text column is blank in most rows
            lines.append(f"  其中 {count} 件在「{column}」列有较长的中文文字：文本列「{summary.text_col}」大多数行为空，"
                         f"投诉文字可能在「{column}」列，没有被标注；{_tag_by(column, names)}")
    lines.append(f"需人工复核：{summary.needs_review} 件，占 {summary.needs_review / n:.1%}（其中文本为空 {summary.empty} 件）")
    return lines


def _tag_by(column: str, names: dict | None) -> str:
    """To tag again by ``column``: named by the front end's flag for text_col (``names``), else by the parameter; the
    web (``names`` None) has its desk choose it."""
    if names is None:
        return f"请指定「{column}」为文本列后重新标注"
    given = f"{names['text_col']} {column}" if "text_col" in names else f"text_col={column}"
    return f"请指定「{column}」为文本列（{given}）后重新标注"


def tagged_by(text_col: str, encoding: str | None) -> str:
    """The column a tagging read its texts from, with the encoding a text file was read in (``encoding``; None for a
    workbook or Parquet): so that a desk can check the column read, and read right (the summary's line, the web's)."""
    read_as = f"（文件编码：{encoding_name(encoding)}）" if encoding else ""
    return f"按「{text_col}」列标注{read_as}"


def summary_in_chinese(summary, names: dict) -> str:
    """A tagging run's closing summary (:class:`tagging.Summary`) in Chinese, lines under a first one: rows read and
    written, notes on its output, each category's count; advice names parameters as the front end does (``names``)."""
    lines = [f"读入 {summary.rows_in} 行，写出 {summary.rows_out} 行，无法解析 {summary.bad_rows} 行，"
             f"用时 {summary.seconds:.1f} 秒（{summary.rows_out / max(summary.seconds, 1e-9):,.0f} 行/秒）"]
    if summary.sheet is not None:
        lines.append(f"  工作表：{summary.sheet}")
    if summary.text_col is not None:
        lines.append(f"  {tagged_by(summary.text_col, summary.encoding)}")
    lines += [f"  {note}" for note in row_notes(summary) + _excel_notes(summary, names)]
    if summary.resumed_chunks:
        lines.append(f"  （续跑：{summary.resumed_chunks} 个分块沿用上次结果）")
    if summary.retagged_chunks:
        lines.append(f"  （续跑：{summary.retagged_chunks} 个分块上次的结果缺失、不完整或无法核对，已重新标注）")
    if summary.text_columns:
        lines.append(f"  {mixed_types_note(summary.text_columns)}")
    if summary.days_1904:
        report = f"，或生成报告时加上 {names['dates_1904']}" if "dates_1904" in names else ""  # its date system said
        lines.append(f"  {days_1904_note(summary.days_1904, fix=_as_xlsx('output_path', names) + report)}")
    if columns_note := added_columns_note(summary.output, names):
        lines.append(f"  {columns_note}")
    lines += [f"  {line}" for line in counts_in_chinese(summary, names)]
    if summary.empty_ids:
        more = "……" if summary.empty > len(summary.empty_ids) else ""
        lines.append(f"  文本为空的行：{'、'.join(summary.empty_ids)}{more}")
    lines.append(f"  结果：{summary.output}")
    return "\n".join(lines)
