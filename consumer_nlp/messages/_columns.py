"""What the columns tagging adds hold, said in Chinese: the reasons a row's review_reason cell gives, and the notes
on the added columns' header cells of a tagged .xlsx (their names stay English: every reader of tagged files uses
them; CSV, TSV, JSON Lines and Parquet have no place for a note)."""
from .._categories import CATEGORIES
from ._outputs import TERMS_NOTE

# A review_reason cell: no text to read (文本为空, in no category), a confidence below the model's review threshold,
# a row repeating the input's column names (kept as it is, not tagged).
REASON_EMPTY = "文本为空"
REASON_LOW_CONFIDENCE = "置信度低"
REASON_NAMES = "又一行列名"

_CODES = "、".join(f"{code}（{name}）" for code, name in CATEGORIES.items())
_BLANK = f"「{REASON_EMPTY}」和「{REASON_NAMES}」的行留空"

# The note on each added column's header cell in a tagged .xlsx, by column name.
COLUMN_NOTES = {
    "category": f"模型给出的类别代码：{_CODES}。{_BLANK}，不属于任何类别。",
    "category_zh": f"category 列类别代码的中文名称（如 quality 即 质量问题）。{_BLANK}。",
    "confidence": "置信度：模型判断这条投诉属于所给类别的概率（经过校准），以百分比显示，如 99.95%。"
                  "越低越可能分错；低于模型的复核阈值的行标为需要复核。",
    "needs_review": "TRUE（是）表示这一行需要人工复核：置信度低于模型的复核阈值，或文本为空；FALSE（否）表示不需要。"
                    "原因见 review_reason 列。",
    "review_reason": f"需要复核的原因：「{REASON_LOW_CONFIDENCE}」是置信度低于模型的复核阈值，类别可能分错，请人工确认；"
                     f"「{REASON_EMPTY}」是没有可读的文字（空白，或只有标点、符号），不属于任何类别。"
                     f"「{REASON_NAMES}」是这一行重复了文件的列名（如两个文件前后拼接），不是投诉，没有标注，也不需复核。"
                     f"其余的行留空。",
    "top_terms": "最能把判断推向该类别的至多五个特征词。" + TERMS_NOTE.removeprefix("特征词说明："),
}
