"""The archive report: the statistics complaint handlers put in their work summaries, made from
the tallies of a tagged archive (and of an earlier one, to compare with) at the end.
"""
import math
import re
from collections import Counter
from pathlib import Path
from typing import Callable

import pandas as pd

from .._categories import CATEGORIES
from .._similarity import pick_distinct
from .._unicode import quoted
from .._values import PathLike, check_path
from ..exceptions import ArchiveError
from ..io import CHANNEL_NAMES, DATE_NAMES, find_column, same_file
from ..messages import REASON_EMPTY, names_rows_note
from ._render import ArchiveReport
from ._tally import (EARLIER_DATE, EMPTY, KINDS, LATER_DATE, MISSING_DATE, NO_YEAR, PERIODS, UNDATED, read_dates,
                     tally_archive)

EXAMPLES_PER_CATEGORY = 5
FILLED_GAP = 12  # periods without complaints between two with some are rows of zeros up to this many
# Consumers' numbers in a complaint, masked in the examples of a report that is handed on (as 12315 publishes them):
# a mobile number's middle four digits, a landline's local number but its last four, an ID card's birth date and
# sequence number. No digit may stand on either side (but +86's or 0086's): an order number holding such a run stays as
# it is. A number may be written in groups (138 1234 5678, 138-1234-5678, 138 - 1234 - 5678, (010)62345678,
# 010 62345678, 010-6234-5678): the marks between them are kept. A mobile number may be written with dots too
# (138.1234.5678), both its marks dots and no dot and digit on either side: amounts (12.50), versions (1.2.3), IP
# addresses and decimals hold dots, and a run of more groups (1.138.1234.5678, 138.1234.5678.9) is none of a phone.
# A landline without a mark after its area code (01062345678, 075587654321) is told by the area code's length: three
# digits for 010 and 02x (before eight), four for the others (03xx to 09xx). No area code begins 00: 0086 138 1234
# 5678 is a mobile number after the country's code. Each part is of bounded length, so a text is scanned in linear
# time (a megabyte of digits, dots, dashes and spaces in under half a second, helper g11 measured).
_D = "[0-9０-９]"  # a digit, as typed or in a Chinese input method's full width
_SPACE = "[ \u00a0\u3000]"
_GAP = f"(?:{_SPACE}?[\\-－]{_SPACE}?|{_SPACE})?"  # a space, or a dash with a space either side or not, if any
_DOT = "[.．]"
_PERSONAL = re.compile(rf"(?:(?<!{_D})|(?<=[+＋][8８][6６])|(?<=[0０]{{2}}[8８][6６]))"
                       rf"(?:(?P<mobile>[1１][3-9３-９]{_D}{_GAP}){_D}{{4}}(?P<mobile_end>{_GAP}{_D}{{4}})"
                       rf"|(?<!{_D}{_DOT})(?P<dotted>[1１][3-9３-９]{_D}{_DOT}){_D}{{4}}"
                       rf"(?P<dotted_end>{_DOT}{_D}{{4}})(?!{_DOT}{_D})"
                       rf"|(?P<area>[(（][0０][1-9１-９]{_D}{{1,2}}[)）]\s?|[0０][1-9１-９]{_D}{{1,2}}[ \-－]"
                       rf"|[0０](?:[1１][0０]|[2２]{_D})(?={_D}{{4}}{_GAP}{_D}{{4}})|[0０][3-9３-９]{_D}{{2}})"
                       rf"(?P<local>{_D}{{3,4}})"
                       rf"(?P<local_end>{_GAP}{_D}{{4}})"
                       rf"|(?P<region>[1-9１-９]{_D}{{5}}{_GAP}){_D}{{8}}(?P<id_end>{_GAP}{_D}{{3}}[0-9０-９XxＸｘ]))"
                       rf"(?![0-9０-９XxＸｘ])")


def _masked(text: str) -> str:
    """``text`` with the consumers' phone and ID card numbers in it masked (138****5678, 110101********123X)."""
    def mask(found: re.Match) -> str:
        if found["mobile"] or found["dotted"]:
            return f"{found['mobile'] or found['dotted']}****{found['mobile_end'] or found['dotted_end']}"
        if found["area"]:
            return f"{found['area']}{'*' * len(found['local'])}{found['local_end']}"
        return f"{found['region']}********{found['id_end']}"

    return _PERSONAL.sub(mask, text)


def _percent(part, whole) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _apportion(values: list, units: int) -> list:
    """``values`` rounded down to whole units, then one more unit each for the largest remainders until they add up
    to ``units``: rounded parts that sum to their total. Equal values are rounded alike (a reader takes two
    categories of as many complaints at different shares for an error): they take a unit together or not at all; the
    first equals that do not fit in the units left are rounded to the nearest unit together, the rest down, so that
    the parts may add up to a few units more or less than ``units`` (fewer than there are equals)."""
    floors = [int(math.floor(v + 1e-9)) for v in values]
    equals: dict = {}
    for i, value in enumerate(values):
        equals.setdefault(value, []).append(i)
    left = units - sum(floors)
    for value, members in sorted(equals.items(), key=lambda item: floors[item[1][0]] - item[0]):
        remainder = value - floors[members[0]]
        # equals that fit in the units left take one each; the first that do not, rounded to the nearest
        if remainder > 1e-9 and (len(members) <= left or (left > 0 and remainder >= 0.5 - 1e-9)):
            for i in members:
                floors[i] += 1
            left -= len(members)
    return floors


def _shares(counts: Counter, total: int, order: list) -> dict:
    """Each category's share of ``total`` in percent, to two decimals, adding up to 100.00 where equal counts, which
    show equal shares, allow (see :func:`_apportion`)."""
    if not total:
        return {c: 0.0 for c in order}
    units = _apportion([counts.get(c, 0) * 10_000 / total for c in order], 10_000)
    return {c: u / 100 for c, u in zip(order, units)}


def _off_total_note(shown: list, total, what: str, unit: str) -> list:
    """A note where the ``shown`` parts of a table (``what``: its shares or amounts, in ``unit``) do not add up to
    their ``total``: equal parts, rounded alike, left the sum a unit or two off (see :func:`_apportion`)."""
    added = round(sum(shown), 2)
    if added == round(total, 2):
        return []
    number = "{:.2f}" if unit == "%" else "{:.0f}"
    return [f"{what}里相同的数取整后也相同，各项相加为 {number.format(added)}{unit}，与合计 {number.format(total)}{unit} "
            f"的差是四舍五入所致。"]


MAX_GROUP_ROWS = 50  # rows of the group table: a column of a value a row (--by an id column) made a 13 MB page


def _crosstab(counts: dict, index_name: str, *, in_time_order: bool) -> pd.DataFrame:
    """Counts per row value and kind, with a total column; in time order, or largest first."""
    kinds = [c for c in KINDS if c in CATEGORIES or any(v.get(c) for v in counts.values())]
    table = pd.DataFrame({k: {KINDS[c]: v.get(c, 0) for c in kinds} for k, v in counts.items()}).T
    table = table.reindex(columns=[KINDS[c] for c in kinds]).fillna(0).astype(int)
    table.index.name = index_name
    table["合计"] = table.sum(axis=1)
    return table.sort_index() if in_time_order else table.sort_values("合计", ascending=False)


def _every_period(table: pd.DataFrame, period: str) -> pd.DataFrame:
    """The time table with a row for every period between two with complaints, zeros where none: a month without
    complaints was left out, and the trend drew its neighbours side by side. A gap of more than ``FILLED_GAP``
    periods is left as it is: a date a system writes for none (1900-01-01) or one typed decades early made a row
    of zeros for each of 1,500 months. Undated rows stay last."""
    undated = [label for label in table.index if label in UNDATED]
    dated = pd.PeriodIndex(table.index.difference(undated), freq=PERIODS[period]).sort_values()
    rows = list(dated[:1])
    for before, after in zip(dated[:-1], dated[1:]):
        gap = (after - before).n
        rows += list(pd.period_range(before + 1, after, freq=PERIODS[period])) if gap <= FILLED_GAP else [after]
    return table.reindex([*map(str, rows), *undated], fill_value=0)


def report_archive(path: PathLike, *, date_col: str | None = None, period: str = "month", group_col: str | None = None,
                   previous: PathLike | None = None, text_col: str | None = None, encoding: str | None = None,
                   date_format: str | None = None, chunk_size: int = 20_000, corrections: dict | None = None,
                   progress: bool | None = None, dates_1904: bool | None = None,
                   rows_named: Callable[[int], int] | None = None) -> ArchiveReport:
    """The report of a tagged archive. ``period``: "month" or "quarter", the rows of the time
    table; ``group_col``: the column of the group table (default: a channel column if there is
    one). ``previous``: an earlier tagged archive to compare with (同比/环比). Dates are read year
    first (2025-03-05, 2025/3/5, 2025年3月5日, a time such as 10:30 or 下午3:20 and a time zone allowed), or by
    ``date_format`` (such as "%d/%m/%Y"); Excel serial days of 1990 to 2100 (45721, by a workbook's own date
    system; ``dates_1904`` says which where the archive cannot: a CSV or Parquet copy of a 1904 workbook keeps no
    date system) are read so in a column all of them, or mostly dates and no other number; rows that do not fit, and
    dates without a year (3月5日), are named in the notes and counted apart (no year is invented). The archive is
    read ``chunk_size`` rows at a time. A row counts in the category a person last gave it: ``corrections``
    ({text: label}, such as a ``CorrectionStore``'s ``labels()``), else an edited category_zh, else its category.
    Rows are named by their places in the archive (:meth:`io.Chunk.places`), or as ``rows_named`` gives each place (a
    copy's records named by the rows of the file it was made from).

        >>> import consumer_nlp as cn, pandas as pd
        >>> pd.DataFrame({"日期": ["2025-03-05", "2025-03-06"], "text": ["秤不准，少了二两", "外卖里吃出头发"]}
        ...              ).to_csv("archive.csv", index=False)
        >>> cn.tag_file(cn.load(), "archive.csv", jobs=1).rows_out
        2
        >>> report = cn.report_archive("archive.tagged.csv")  # .write("报告.html"), or .xlsx, .md
        >>> report.summary.startswith("本期共受理消费投诉2件")
        True
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {list(PERIODS)}, not {period!r}")
    written_first = "a tagged table in memory is reported once written to a file (df.to_csv('tagged.csv', index=False))"
    check_path(path, "path", "a tagged archive file", written_first)
    if previous is not None:
        check_path(previous, "previous", "a tagged archive file", written_first)
    if previous is not None and same_file(Path(path), Path(previous)):
        raise ArchiveError(f"previous=… ({previous}) is the archive itself: give the tagged archive of the period "
                           f"before", "previous_is_itself")
    tally, found = tally_archive(path, text_col=text_col, date_col=date_col, group_col=group_col, period=period,
                                 progress=progress, encoding=encoding, date_format=date_format, chunk_size=chunk_size,
                                 corrections=corrections, dates_1904=dates_1904, rows_named=rows_named)
    before = None
    if previous is not None:
        try:
            before, _ = tally_archive(previous, text_col=text_col, date_col=None, group_col=None, progress=progress,
                                      encoding=encoding, chunk_size=chunk_size, corrections=corrections)
        except ValueError as error:  # say which of the two archives it is about, keeping the error's kind
            raise _of_previous(error, previous) from None
    total = tally.rows
    order = sorted(CATEGORIES, key=lambda c: (-tally.categories.get(c, 0), list(CATEGORIES).index(c)))
    order += [EMPTY] if tally.categories.get(EMPTY) or (before and before.categories.get(EMPTY)) else []
    shares = _shares(tally.categories, total, order)
    categories = pd.DataFrame({
        "类别": [KINDS[c] for c in order], "label": order,
        "件数": [tally.categories.get(c, 0) for c in order],
        "占比(%)": [shares[c] for c in order]})
    categories.loc[len(categories)] = ["合计", "total", total, 100.0 if total else 0.0]
    tables = {"categories": categories}
    notes = _off_total_note([shares[c] for c in order], 100.0, "各类占比", "%") if total else []
    notes += [f"{tally.corrected} 行按人工更正的类别计入（模型原判不同）。"] if tally.corrected else []
    if tally.cleared_rows:
        notes.append(f"{tally.cleared_rows} 行每一格都是空的（在 Excel 里清除了内容的行），没有计入。")
    if tally.names_rows.count:
        notes.append(names_rows_note([row for row, _ in tally.names_rows.first], tally.names_rows.count, "没有计入"))
    if tally.repeated.count:  # two calls may read alike: counted, and said, for the desk to tell a paste apart
        pairs = "；".join(f"第{row}行同第{earlier}行" for row, earlier in tally.repeated.first[:5])
        more = "…" if tally.repeated.count > 5 else ""
        notes.append(f"{tally.repeated.count} 行与前面的某一行每一格都相同，已照常计入（{pairs}{more}）；"
                     "若是重复粘贴的，请删去后再生成报告。")
    if tally.hidden_rows:  # read as tagging reads them, said as tagging says it
        notes.append(f"其中 {tally.hidden_rows} 行在 Excel 里是隐藏的（筛选或隐藏行），也已计入；若只统计筛选出的行，"
                     "请把它们复制到新文件后再生成报告。")
    if tally.unlike_zh:
        rows = "、".join(map(str, tally.unlike_zh_rows)) + ("…" if tally.unlike_zh > len(tally.unlike_zh_rows) else "")
        notes.append(f"{tally.unlike_zh} 行的 category 与 category_zh 不一致，按 category_zh 计入（第{rows}行）；"
                     "若改的是 category，请把 category_zh 一并改过或清空。")

    if tally.given_empty.count:  # the tagging's summary counted them as 文本为空
        notes.append(f"{tally.given_empty.count} 行标注时文本为空，但在文件里填了类别，按所填的类别计入"
                     f"（如 {_shown(tally.given_empty)}）。")
    if tally.filled_empty.count:
        notes.append(f"{tally.filled_empty.count} 行标注时文本为空，现在有了文本，但没有类别，仍按“{REASON_EMPTY}”计入"
                     f"（如 {_shown(tally.filled_empty)}）：请重新标注这些行，或在 category_zh 填上类别后再生成报告。")
    if before is not None:
        rows, shares_then = [], _shares(before.categories, before.rows, order)
        if before.rows:
            notes += _off_total_note([shares_then[c] for c in order], 100.0, "上期各类占比", "%")
        for c in order:
            now, then = tally.categories.get(c, 0), before.categories.get(c, 0)
            rows.append([KINDS[c], c, now, then, now - then,
                         round(100.0 * (now - then) / then, 2) if then else None,
                         shares[c], shares_then[c], round(shares[c] - shares_then[c], 2)])
        rows.append(["合计", "total", total, before.rows, total - before.rows,
                     round(100.0 * (total - before.rows) / before.rows, 2) if before.rows else None, 100.0, 100.0, 0.0])
        tables["change"] = pd.DataFrame(rows, columns=["类别", "label", "本期件数", "上期件数", "增减件数", "增减(%)",
                                                       "本期占比(%)", "上期占比(%)", "占比变化(百分点)"])
    if tally.periods:
        tables["by_period"] = _every_period(_crosstab(tally.periods, "时间", in_time_order=True), period)
    if tally.groups:
        name = str(found["group"])
        titled = find_column([name], None, CHANNEL_NAMES) is not None  # a channel column however it is written
        table = _crosstab(tally.named_groups(), "渠道" if titled else name, in_time_order=False)
        if len(table) > MAX_GROUP_ROWS:  # the largest groups, the rest in one row
            rest = table.iloc[MAX_GROUP_ROWS - 1:]
            notes.append(f"「{name}」有 {len(table)} 个不同的值，只列出件数最多的 {MAX_GROUP_ROWS - 1} 个，其余 {len(rest)} 个"
                         f"合为一行。")
            table = pd.concat([table.iloc[:MAX_GROUP_ROWS - 1], rest.sum().to_frame(f"其余 {len(rest)} 个").T])
            table.index.name = rest.index.name
        tables["by_group"] = table
    if not found["date"]:  # a table asked for (--by quarter) is not left out without a word
        notes.append(f"没有找到日期列（按列名找：{'、'.join(DATE_NAMES)}），按时间分列从略。")
    if not found["group"]:
        notes.append(f"没有找到渠道列（按列名找：{'、'.join(CHANNEL_NAMES)}），按渠道分列从略。")
    notes += _date_notes(tally, found["date"])
    review_total = sum(tally.review.values())
    tables["review"] = pd.DataFrame({
        "类别": [KINDS[c] for c in order] + ["合计"], "label": order + ["total"],
        "需复核件数": [tally.review.get(c, 0) for c in order] + [review_total],
        "占该类(%)": [_percent(tally.review.get(c, 0), tally.categories.get(c, 0)) for c in order]
        + [_percent(review_total, total)]})
    if found["text"]:
        money_total, money_rows = sum(tally.money.values()), sum(tally.money_rows.values())
        amounts = _apportion([tally.money.get(c, 0) for c in order], round(money_total))
        tables["money"] = pd.DataFrame({
            "类别": [KINDS[c] for c in order] + ["合计"], "label": order + ["total"],
            "提及金额的投诉(件)": [tally.money_rows.get(c, 0) for c in order] + [money_rows],
            # in whole yuan (万元 to two decimals showed 35 yuan as 0.00), apportioned so that the
            # rounded amounts add up to the rounded total
            "涉及金额(元)": [*amounts, round(money_total)]})
        notes += _off_total_note(amounts, round(money_total), "各类涉及金额", " 元")
        notes += _amount_to_check(tally.largest_amount, money_total, money_rows)
        tables["examples"] = pd.DataFrame(
            # to four places, as tagging writes a confidence (0.9996, which three places made 1.000: certain)
            [(KINDS[c], c, round(score, 4), _masked(text)) for c in order
             for score, text in pick_distinct(tally.candidates[c], EXAMPLES_PER_CATEGORY)],
            columns=["类别", "label", "置信度", "投诉内容"])
    else:
        notes.append("没有找到投诉内容列，金额与代表性投诉两部分从略。")
    tables["terms"] = pd.DataFrame(
        [(KINDS[c], c, "、".join(t for t, _ in tally.terms[c].most_common(10))) for c in order if tally.terms[c]],
        columns=["类别", "label", "特征词（按对判断的贡献排序）"])
    summary = _summary(tally, before, order, bool(found["text"]))
    columns = {key: str(found[which]) for key, which in (("by_period", "date"), ("by_group", "group")) if key in tables}
    return ArchiveReport(tables, summary, str(path), notes, None if previous is None else str(previous), columns)


def _amount_to_check(largest: tuple, total: float, rows: int) -> list:
    """A note naming the complaint whose amount is more than half the ``total`` of ``rows`` complaints that mention one
    (three or more; of fewer the table shows each), its text masked as the examples are: an amount typed with zeros
    too many (50000000元 for 5000元), or one real case of 6700万元, makes the total, and the table does not say which
    row to check."""
    amount, row, text = largest
    if rows < 3 or amount <= total / 2:
        return []
    return [f"涉及金额合计 {round(total)} 元中，第{row}行一件就提及 {round(amount)} 元，超过一半（「{quoted(_masked(text))}」），"
            "请核对。"]


def _of_previous(error: ValueError, previous) -> ValueError:
    """``error``, met reading the ``previous`` archive, said to be about it: its path in the message, and for an
    :class:`ArchiveError` its kind kept, marked ``details["archive"] = "previous"`` for the front ends."""
    message = str(error) if str(previous) in str(error) else f"{previous}: {error}"
    if isinstance(error, ArchiveError):  # the same error, its message and particulars told of the previous period
        error.args, error.details = (message,), {**error.details, "archive": "previous"}
        return error
    return ValueError(message)


def _shown(named) -> str:
    """The first rows of a kind as a note names them: 第2行「3月5日」；第5行「3-5」; a phone or ID number in a value
    masked, as in the examples (a note quotes a complaint's text, and the report is handed on)."""
    return "；".join(f"第{row}行「{quoted(_masked(value))}」" for row, value in named.first)


def _date_notes(tally, date_col) -> list:
    """What the notes say of the date column: how it was read where not by the usual rule, and the rows it could
    not place in a period, with the first of them."""
    notes = []
    held = tally.serials
    if held.are_dates:
        row, value = held.rows.first[0]
        read = read_dates(pd.Series([value]), dates_1904=tally.dates_1904)
        day = read.serials.iloc[0].strftime("%Y-%m-%d %H:%M:%S" if read.timed.iloc[0] else "%Y-%m-%d")
        kind = "数字" if held.timed else "整数"
        which = f"有 {held.rows.count} 行是{kind}" if held.others else f"的值都是{kind}"
        timed = f"，其中 {held.timed} 行带小数，小数部分按一天中的时刻读取" if held.timed else ""
        system = "（1904 日期系统）" if tally.dates_1904 else ""
        notes.append(f"日期列「{date_col}」{which}，已按 Excel 日期序号{system}读取{timed}（如 第{row}行「{quoted(value)}」即 "
                     f"{day}），请核对。")
    if tally.bad_dates.count:
        notes.append(f"日期列「{date_col}」有 {tally.bad_dates.count} 行无法识别，按“{MISSING_DATE}”单列"
                     f"（如 {_shown(tally.bad_dates)}）。")
    if tally.blank_dates:
        notes.append(f"日期列「{date_col}」有 {tally.blank_dates} 行是空的，按“{MISSING_DATE}”单列。")
    if tally.no_year.count:
        notes.append(f"日期列「{date_col}」有 {tally.no_year.count} 行的日期没有年份，没有替它们补年份，按“{NO_YEAR}”单列"
                     f"（如 {_shown(tally.no_year)}）；若要按月统计，请在文件里补上年份后再生成报告。")
    if tally.later_dates.count:
        notes.append(f"日期列「{date_col}」有 {tally.later_dates.count} 行的日期晚于制表日（{tally.today}），"
                     f"按“{LATER_DATE}”单列（如 {_shown(tally.later_dates)}），请核对。")
    if tally.earlier_dates.count:
        notes.append(f"日期列「{date_col}」有 {tally.earlier_dates.count} 行的{EARLIER_DATE}，按“{EARLIER_DATE}”单列"
                     f"（如 {_shown(tally.earlier_dates)}），多是系统为空日期填的值或年份输错，请核对。")
    return notes


def _summary(tally, before, order: list, with_money: bool) -> str:
    """The statistics paragraph of a work summary, from the tallies (``before``: the previous
    period's, or None), in the tables' order; every number in it is also in the tables."""
    total, counts = tally.rows, tally.categories
    shares = _shares(counts, total, order)
    listed = "；".join(f"{KINDS[c]}{counts.get(c, 0)}件，占{shares[c]:.2f}%" for c in order if counts.get(c, 0) > 0)
    text = f"本期共受理消费投诉{total}件，其中{listed}。"
    money_rows = sum(tally.money_rows.values())
    if with_money and money_rows:
        yuan = round(sum(tally.money.values()))
        text += f"{money_rows}件投诉提及涉案金额，合计{yuan}元" + (f"（{(yuan + 50) // 100 / 100:.2f}万元）。" if yuan >= 10_000 else "。")
    if before is not None:
        change = total - before.rows
        text += f"与上期{before.rows}件相比" + ("持平" if not change else f"，{'增加' if change > 0 else '减少'}{abs(change)}件")
        if before.rows and change:
            text += f"（{'增长' if change > 0 else '下降'}{abs(round(100.0 * change / before.rows, 2)):.2f}%）"
        text += "。"
        delta, kind = max(((counts.get(c, 0) - before.categories.get(c, 0), c) for c in order),
                          key=lambda item: abs(item[0]))  # the first of the largest, in table order
        if delta:
            now, then = shares[kind], _shares(before.categories, before.rows, order)[kind]
            shift = round(now - then, 2)
            text += (f"变化最大的是{KINDS[kind]}，{'增加' if delta > 0 else '减少'}{abs(delta)}件，占比由{then:.2f}%"
                     f"变为{now:.2f}%，{'上升' if shift >= 0 else '下降'}{abs(shift):.2f}个百分点。")
    review_total = sum(tally.review.values())
    text += f"经模型分类后需人工复核的投诉{review_total}件，占{_percent(review_total, total):.2f}%。"
    return text
