"""What an import of a filled review workbook did, said in Chinese: how many choices it stored, which it did not
apply and why, and the rows where it disagrees with another copy of the same export; or why it stored none."""

from collections import Counter

from .._categories import CATEGORIES, doubtful_label
from .._moments import shown_time
from .._review_sheet import (CHOICE_HEADER, CONFIDENCE_HEADER, EXACT, EXPORTED, GUESS_HEADER, NOTES, ROW_EXPORTED,
                             TEXT_HEADER)
from ..exceptions import ReviewWorkbookError
from ._labeled import marks_counted, nearest_category_in_chinese

_SHOWN_CHARACTERS = 30  # of a text named beside its row: enough to find it in the workbook
_LISTED = 20  # disagreements listed one by one; the rest counted
_MOMENTS_LISTED = 5  # other exports' moments named; the rest counted


def _text_named(text: str) -> str:
    """A complaint's text as a line names it: its first characters, … where it goes on."""
    return text[:_SHOWN_CHARACTERS] + ("…" if len(text) > _SHOWN_CHARACTERS else "")


def _chosen(label: str, reviewer: str) -> str:
    """One reviewer's choice for a text, as the lines of disagreeing copies name it."""
    return f"（{reviewer}）选的是「{CATEGORIES[label]}」"


def _disagreement(found: dict) -> str:
    """One choice another copy of its export contradicts: its archive row, its text, both choices and who made them."""
    others = "，".join(_chosen(label, reviewer) for label, reviewer in found["others"])
    return (f"原文件第 {found['row']} 行「{_text_named(found['text'])}」：这份选的是「{CATEGORIES[found['label']]}」，"
            f"同一次导出的另一份复核表{others}")


def dispute_in_chinese(choices: list, label: str | None) -> str:
    """The note of a text whose copies of one export disagree (``choices``, (label, reviewer) as
    ``CorrectionStore.disputes`` gives them), for the person settling it; ``label`` is the category it has meanwhile
    (None: the model's)."""
    each = "，".join(f"一份{_chosen(chosen, reviewer)}" for chosen, reviewer in choices)
    meanwhile = f"现在仍按「{CATEGORIES[label]}」计" if label else "现在仍按模型的判断计"
    return (f"同一次导出的几份复核表选的不一致：{each}。{'两' if len(choices) == 2 else len(choices)}个都暂不采用"
            f"（{meanwhile}），请在这里选定。")


def queue_counts_in_chinese(flagged: int, listed: int, empty: int, limit: str | None = None) -> str:
    """How many rows need review (``flagged`` with a text, ``empty`` without) and how many a review queue lists
    (``listed``), and why it leaves the others out: near-duplicates of listed ones (or beyond ``limit``, the front
    end's name for a limit given), and rows without text, which have nothing to correct."""
    left = [f"{flagged - listed} 条与已列出的相近{f'或超出 {limit}' if limit else ''}"] if flagged > listed else []
    left += [f"{empty} 条文本为空"] if empty else []
    return f"需复核 {flagged + empty} 条，列出 {listed} 条" + (f"（另 {'，'.join(left)}，未列出）" if left else "")


def _from_other_exports(corrections) -> str | None:
    """The line saying how many of a workbook's ``corrections`` (as ``read_review`` gives them) came from another
    export than its 说明 sheet says (rows pasted from another workbook, or another's 说明 sheet copied in), and their
    exports' moments: each counts by its own. None where all are of the sheet's export (or the sheet says none)."""
    others = {}
    for correction in corrections:
        own, sheet = correction.get("exported_at"), correction.get("workbook_exported_at")
        if own is not None and sheet is not None and own != sheet:
            others[own] = others.get(own, 0) + 1
    if not others:
        return None
    moments = sorted(others)
    named = "、".join(shown_time(at) for at in moments[:_MOMENTS_LISTED])
    named += f" 等 {len(moments)} 次" if len(moments) > _MOMENTS_LISTED else ""
    sheet = shown_time(next(c["workbook_exported_at"] for c in corrections if c["exported_at"] in others))
    return (f"其中 {sum(others.values())} 条来自另一次导出的复核表（{EXPORTED} {named}；本表“{NOTES}”表的{EXPORTED}是 "
            f"{sheet}），按它们各自的{EXPORTED}与其他更正比较先后")


def _not_reviewed(not_reviewed: list, column: str = "") -> str:
    """The rows ``not_reviewed`` (as ``read_review``'s corrections list them: (row, mark)) whose ``column`` holds a
    mark for "not reviewed yet" (待定, /, ？) or a category in doubt (质量问题？): how many, and how many of each mark,
    as written."""
    marks = Counter(mark for _, mark in not_reviewed)
    doubt = "或带问号的存疑类别" if any(map(doubtful_label, marks)) else ""
    return f"{len(not_reviewed)} 行{column}填的是表示尚未复核的记号{doubt}：{marks_counted(marks)}"


def _doubts_settled(not_reviewed: list) -> str:
    """How the rows ``not_reviewed`` whose choice is a category in doubt (质量问题？) are stored: "" where none is."""
    return "；带问号的确定后删去问号，再导入即可保存" if any(doubtful_label(mark) for _, mark in not_reviewed) else ""


def nothing_corrected_in_chinese(workbook, not_reviewed=()) -> str:
    """The import's summary of a workbook that holds no correction: its 更正为 left blank, or holding marks for "not
    reviewed yet" in the rows ``not_reviewed`` (as ``read_review``'s corrections list them)."""
    marks = f"（{_not_reviewed(not_reviewed)}{_doubts_settled(not_reviewed)}）" if not_reviewed else ""
    return f"复核表里没有填写「{CHOICE_HEADER}」的行{marks}，没有保存任何更正：{workbook}"


def corrections_added_in_chinese(added, source: str, store: str, corrections=()) -> str:
    """The import's summary (``added``, a ``CorrectionStore.add`` result, from the workbook of ``source`` into the
    store at ``store``), a line for the rows of the ``corrections`` given (as ``read_review`` gives them) marked not
    reviewed yet, one for those that came from another export than the workbook's, and a line for each choice that
    disagrees with another copy of the same export."""
    again = f"，另 {added.again} 条此前已导入过，没有重复保存" if added.again else ""
    superseded = (f"，另 {added.superseded} 条没有采用：这些投诉已由更晚导出的复核表或网页复核更正为其他类别（以更晚的为准）"
                  if added.superseded else "")
    replaced = (f"，另 {added.replaced_since} 条此前已导入过，之后这些投诉又被没有导出时间的旧复核表更正为其他类别，没有再采用"
                f"（要改回，请重新导出后再选）" if added.replaced_since else "")
    lines = [f"已保存 {added.stored} 条人工更正{again}{superseded}{replaced}（来源：{source}），位于 {store}"]
    not_reviewed = getattr(corrections, "not_reviewed", ())
    if not_reviewed:
        lines.append(f"另 {_not_reviewed(not_reviewed, f'「{CHOICE_HEADER}」')}，按留空计，没有保存{_doubts_settled(not_reviewed)}")
    lines += filter(None, [_from_other_exports(corrections)])
    found = added.disagreements
    if found:
        lines.append(f"其中 {len(found)} 条与同一次导出的另一份复核表选的不一致：这些投诉两个类别都暂不采用（保持此前的类别），"
                     f"请核对后在网页复核中选定，或重新导出后再选：")
        lines += [f"  {_disagreement(one)}" for one in found[:_LISTED]]
        if len(found) > _LISTED:
            lines.append(f"  …（另 {len(found) - _LISTED} 条没有列出）")
    return "\n".join(lines)


# Each kind of problem of a filled review workbook (ReviewWorkbookError's ``problems``), as the desk that filled it
# reads it, naming the workbook's columns and sheets as it shows them.
_WORKBOOK_PROBLEMS = {
    "not_a_category": f"“{CHOICE_HEADER}”一列填的不是六个类别之一（请从下拉列表中选择）",
    "no_text": f"这些行填了更正，但“{TEXT_HEADER}”是空的（请放回原文，或清空“{CHOICE_HEADER}”）",
    "sorted_apart": f"这些行排序时与隐藏列“{EXACT}”分开了，不知道它们的原文（排序前请全选整张表）",
    "guess_changed": (f"这些行的“{GUESS_HEADER}”或“{CONFIDENCE_HEADER}”与导出时不同：被改写了（更正请填在“{CHOICE_HEADER}”一列），"
                      f"或排序时与隐藏列“{EXACT}”分开了（排序前请全选整张表）"),
    "hidden_changed": f"这些行的隐藏列“{EXACT}”被改动，不知道它们的原文（请重新导出）",
    "export_time_changed": f"“{NOTES}”表的“{EXPORTED}”被改动了（请改回导出时的值，或重新导出）",
    "row_export_time_changed": f"这些行的隐藏列“{ROW_EXPORTED}”是空的或被改动了，不知道它们来自哪一次导出（请改回导出时的值，"
                               f"或重新导出）",
}


def _workbook_row(kind: str, row) -> str:
    """A row of a workbook's problem, as Excel shows it, with its value beside it where it has one (and for a choice
    that is no category, the nearest)."""
    if not isinstance(row, (tuple, list)):
        return f"第{row}行"
    number, value = row
    return f"第{number}行「{value}」" + (nearest_category_in_chinese(value) if kind == "not_a_category" else "")


def review_workbook_problem_in_chinese(kind: str, details: dict) -> str:
    """One kind of a filled review workbook's problem and its rows, in Chinese."""
    return f"{_WORKBOOK_PROBLEMS[kind]}：" + "、".join(_workbook_row(kind, row) for row in details["rows"])


def review_workbook_headline(error: ReviewWorkbookError) -> str:
    """A filled review workbook's bad rows, each kind a line, and how to go on."""
    return ("复核工作簿里有填得不对的行，一条更正也没有保存（逐类列在下面）。\n  "
            + "\n  ".join(review_workbook_problem_in_chinese(kind, details) for kind, details in error.problems)
            + "\n  请改正后再导入")
