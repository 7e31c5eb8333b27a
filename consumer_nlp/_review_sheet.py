"""The review workbook's sheet and header names and its instruction, as a desk sees them in Excel: one home for the
workbook that writes and reads them (``review``) and the messages that name them to a desk (``messages``, which sits
below review). Workbooks already filled hold these headers and import checks them, so they do not change."""
SHEET = "复核"
TEXT_HEADER = "投诉内容"
GUESS_HEADER = "模型判断"
CONFIDENCE_HEADER = "置信度"
CHOICE_HEADER = "更正为"  # the column the reviewer fills
COLUMNS = ["序号", "原文件行号", TEXT_HEADER, GUESS_HEADER, "次选", CONFIDENCE_HEADER, CHOICE_HEADER]
EXACT = "原文（勿改）"  # the hidden columns after CHOICE_HEADER: each row and its text exactly
NOTES = "说明"  # the sheet saying where the queue came from, what to do, and when it was exported
SOURCE = "来源"  # the row of NOTES saying where the queue came from
EXPORTED = "导出时间"  # the row of NOTES saying when the workbook was exported
# The hidden column after the EXACT ones holding each row's export moment, exactly: a row keeps it wherever it is
# pasted (another export's workbook). Named apart from EXACT, so that an earlier release reads it as a desk's column.
ROW_EXPORTED = f"{EXPORTED}（勿改）"
# EXPORTED shows that moment as _moments.SHOWN_TIME does; the exact moment is in a hidden cell beside it. Workbooks
# exported before 2026-12-06 show the exact moment itself.
# the row of NOTES telling the reviewer what to do
HOW = f"在“{CHOICE_HEADER}”一列选出正确的类别；模型判断正确也请选出，留空的行不计入。"

