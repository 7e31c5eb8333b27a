"""What a desk must know of a tagging run's output, said in Chinese: what Excel changes as it opens a CSV or TSV
file of it, and what of the input the output leaves out or fills in."""


def excel_changes_note(changes: dict, *, opened: str = "这个文件", fix: str = "请写成 .xlsx（-o 文件名.xlsx）"
                       ) -> str | None:
    """What Excel changes as it opens a CSV or TSV file holding the values counted in ``changes`` (by
    :func:`io.excel_changes`, {column: {kind: count}}), in Chinese; None if nothing. ``opened`` names the file,
    ``fix`` says how to see the values as they are: the command line's flag by default, the web's Excel download."""
    said = {"formula": "{n} 个以 = + - @ 开头的文字会被当成公式",
            "leading_zero": "{n} 个以 0 开头的编号会丢掉开头的 0",
            "long_number": "{n} 个 12 位以上的数字会显示成科学记数（如 4.40101E+17），16 位起的末几位变成 0",
            "date_no_year": "{n} 个没有年份的日期样文字（如 3-2、1/2、3月2日）会变成今年的日期"}
    parts = [f"「{column}」列 " + said[kind].format(n=n) for column, kinds in changes.items() for kind, n in kinds.items()]
    if not parts:
        return None
    more = f"，共 {len(parts)} 处" if len(parts) > 6 else ""
    return f"注意：用 Excel 直接打开{opened}会改掉一些值：{'；'.join(parts[:6])}{more}。文件里的值没有变；要在 Excel 里查看或编辑，{fix}"


def row_notes(summary) -> list[str]:
    """What a person pasting the results back beside the input must know of its rows (in Chinese), from a run's
    ``summary`` (:class:`tagging.Summary`): what of the input the output leaves out (other sheets, a title above the
    column names), rows hidden in Excel, merged cells copied to every row they cover, blank lines skipped."""
    notes = []
    if summary.other_sheets:
        names = "、".join(f"「{name}」" + ("（隐藏）" if hidden else "") for name, hidden in summary.other_sheets[:5])
        more = f" 等 {len(summary.other_sheets)} 张" if len(summary.other_sheets) > 5 else ""
        notes.append(f"结果只含工作表「{summary.sheet}」；工作簿里的其他表{names}{more}没有写入结果")
    if summary.header_row > 1:
        notes.append(f"列名在第 {summary.header_row} 行：其上的 {summary.header_row - 1} 行（表格标题等）没有写入结果")
    if summary.hidden_rows:
        notes.append(f"其中 {summary.hidden_rows} 行在 Excel 里是隐藏的（筛选或隐藏行），也已标注")
    if summary.merged:
        shown = "、".join(summary.merged[:5]) + (f" 等 {len(summary.merged)} 处" if len(summary.merged) > 5 else "")
        notes.append(f"合并单元格 {shown}：所跨的每一行都按合并格的值填写")
    if summary.blank_lines:
        notes.append(f"空行 {summary.blank_lines} 行（不是记录，已跳过）")
    return notes
