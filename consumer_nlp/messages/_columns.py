"""What the columns tagging adds hold, said in Chinese: the reasons a row's review_reason cell gives, and the notes
on the added columns' header cells of a tagged .xlsx and on their fields in a tagged Parquet file, and what they hold
in a few words, for the outputs with no place for a note (their names stay English: every reader of tagged files
uses them)."""
from .._categories import CATEGORIES

# What a deciding term (the top_terms column, the report's and the web's terms) is, for the desk reading it: the figure
# after it, a pair of words, characters in 「」 and the features' placeholders (features._normalize.PLACEHOLDER_NAMES).
TERMS_NOTE = ("特征词说明：标注结果 top_terms 列里词后括号中的数（如 银行(0.32)）是这个词把判断推向该类别的力度，即它对该类别"
              "得分的贡献，不是概率。两个词之间有空格的（如 老人 花）是前后相连的一对词；「」里的是字，词不足以判断时才列出，排在词之后："
              "词和字各自按力度从大到小排列，所以字的力度可能大于它前面的词；"
              "〈数字〉、〈金额〉、〈日期〉、〈电话〉、〈单号〉、〈网址〉代表任意的数字、金额、日期、电话号码、单号、网址。")

# A review_reason cell: no text to read (文本为空, in no category), a confidence below the model's review threshold,
# a row repeating the input's column names (kept as it is, not tagged).
REASON_EMPTY = "文本为空"
REASON_LOW_CONFIDENCE = "置信度低"
REASON_NAMES = "又一行列名"

_CODES = "、".join(f"{code}（{name}）" for code, name in CATEGORIES.items())
_BLANK = f"「{REASON_EMPTY}」和「{REASON_NAMES}」的行留空"

# The note on each added column's header cell in a tagged .xlsx, and on its field in a tagged Parquet file, by name.
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

# What each added column holds in a few words, for the summary of an output whose data has no place for its note
# (CSV, TSV, JSON Lines; Parquet beside its fields' notes).
COLUMN_GLOSSES = {
    "category": "类别代码",
    "category_zh": "类别名称",
    "confidence": "置信度（0.9995 即 99.95%）",
    "needs_review": "是否需要人工复核（TRUE 是，FALSE 否）",
    "review_reason": "需要复核的原因",
    "top_terms": "把判断推向该类别的特征词（括号中的数是它的力度，不是概率）",
}
