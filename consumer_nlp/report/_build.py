"""The archive report: the statistics complaint handlers put in their work summaries.

A tagged archive (any format ``consumer-nlp tag`` writes) is streamed chunk by chunk into
running tallies, so memory stays flat however long the archive; the tables, a summary paragraph
in the register of a work summary, and charts are made from the tallies at the end.
"""
import datetime
import heapq
import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._categories import CATEGORIES
from .._html import page
from .._money import money_mentioned
from ..io import CHANNEL_NAMES, DATE_NAMES, find_column, find_text_column, open_archive
from ..tagging import REASON_EMPTY, TAG_COLUMNS, TERM_PATTERN

EMPTY = "empty"  # rows whose text was empty: no category, counted apart
KINDS = {**CATEGORIES, EMPTY: "文本为空"}

# An amount starts only where a run of digits starts, so a long run that is no amount is scanned
# once, not once per position (that was quadratic: 40,000 digits took 80 s).
# The one rule for dates written as text: the year first, in four digits (2025-03-05, 2025/3/5,
# 2025.3.5, 2025年3月5日, 2025年3月, 20250305), optionally a time and a time zone, which is dropped
# (the date as written is the date counted). Two-digit years and day/month orders are ambiguous
# (25-03-05, 5/3/2025): they do not fit and are named, unless a date_format says how to read them.
_DATE = re.compile(r"^\s*(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?|\s*月)?|(\d{2})(\d{2}))"
                   r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?\s*$")
EXAMPLES_PER_CATEGORY = 5


def parse_dates(values: pd.Series, date_format: str | None = None) -> pd.Series:
    """Dates of a column by one explicit rule (see ``_DATE``), or by ``date_format`` (strftime
    codes, such as "%d/%m/%Y") when given; what does not fit is NaT. Workbook dates stay as they are."""
    typed = values.map(lambda v: isinstance(v, (datetime.date, pd.Timestamp)))
    text = values.astype("string").str.strip()
    if date_format is not None:
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
    else:
        parts = text.str.extract(_DATE).astype("Float64")
        parsed = pd.to_datetime(pd.DataFrame({
            "year": parts[0], "month": parts[1].fillna(parts[3]).fillna(1), "day": parts[2].fillna(parts[4]).fillna(1),
            "hour": parts[5].fillna(0), "minute": parts[6].fillna(0), "second": parts[7].fillna(0)}), errors="coerce")
    if typed.any():
        parsed = parsed.where(~typed.to_numpy(), pd.to_datetime(values.where(typed), errors="coerce"))
    return parsed


@dataclass
class _Tally:
    """Running counts over the chunks of one tagged archive."""

    rows: int = 0
    categories: Counter = field(default_factory=Counter)
    review: Counter = field(default_factory=Counter)
    money: Counter = field(default_factory=Counter)
    money_rows: Counter = field(default_factory=Counter)
    periods: dict = field(default_factory=lambda: defaultdict(Counter))
    groups: dict = field(default_factory=lambda: defaultdict(Counter))
    terms: dict = field(default_factory=lambda: defaultdict(Counter))
    candidates: dict = field(default_factory=lambda: defaultdict(list))
    bad_dates: list = field(default_factory=list)
    bad_date_count: int = 0
    date_format: str | None = None

    def add(self, frame: pd.DataFrame, first_row: int, text_col, date_col, group_col, period: str):
        categories = frame["category"].astype(str)
        if "review_reason" in frame:  # a row without text is counted apart, in no category
            categories = categories.where(frame["review_reason"].astype(str).ne(REASON_EMPTY), EMPTY)
        unknown = sorted(set(categories) - set(KINDS))
        if unknown:
            raise ValueError(f"column 'category' holds values that are not categories: {unknown[:5]}")
        review = _flags(frame["needs_review"], first_row)
        _check_confidence(frame["confidence"], first_row)
        self.rows += len(frame)
        self.categories.update(categories)
        self.review.update(categories[review.to_numpy()])
        texts = frame[text_col] if text_col else pd.Series([""] * len(frame), index=frame.index)
        amounts = np.array([money_mentioned(t) for t in texts])
        for category, amount in zip(categories, amounts):
            if amount > 0:
                self.money[category] += amount
                self.money_rows[category] += 1
        if date_col:
            dates = parse_dates(frame[date_col], self.date_format)
            failed = np.flatnonzero(dates.isna().to_numpy() & frame[date_col].astype("string").fillna("").str.strip().ne("").to_numpy())
            self.bad_date_count += len(failed)
            self.bad_dates += [(first_row + i, str(frame[date_col].iloc[i])) for i in failed[:10 - len(self.bad_dates)]]
            labels = dates.dt.to_period("Q" if period == "quarter" else "M").astype("string").fillna("日期缺失或无法识别")
            for label, category in zip(labels, categories):
                self.periods[label][category] += 1
        if group_col:
            for value, category in zip(frame[group_col].astype("string").fillna("（空）"), categories):
                self.groups[value][category] += 1
        if "top_terms" in frame:
            for category, terms in zip(categories, frame["top_terms"].astype("string").fillna("")):
                for term, weight in TERM_PATTERN.findall(terms):
                    self.terms[category][term] += float(weight)
        if text_col:
            confidence = pd.to_numeric(frame["confidence"], errors="coerce").fillna(0).to_numpy()
            for text, category, score in zip(texts, categories, confidence):
                if isinstance(text, str) and 12 <= len(text.strip()) <= 220:
                    heap = self.candidates[category]
                    item = (float(score), text.strip())
                    if len(heap) < 60:
                        heapq.heappush(heap, item)
                    elif item > heap[0]:
                        heapq.heapreplace(heap, item)


def _flags(values: pd.Series, first_row: int) -> pd.Series:
    """``needs_review`` as booleans; a value that is neither true nor false is refused, named by row."""
    text = values.astype("string").fillna("").str.strip().str.lower()
    known = text.isin(["true", "false", "1", "0", "1.0", "0.0"])
    if not known.all():
        bad = [f"第{first_row + i}行「{values.iloc[i]}」" for i in np.flatnonzero(~known.to_numpy())[:5]]
        raise ValueError(f"column 'needs_review' must hold true or false; these rows do not: {'、'.join(bad)}")
    return text.isin(["true", "1", "1.0"])


def _check_confidence(values: pd.Series, first_row: int) -> None:
    """A confidence that is not a number from 0 to 1 is refused, named by row (not read as 0)."""
    numbers = pd.to_numeric(values, errors="coerce")
    wrong = numbers.isna() | (numbers < 0) | (numbers > 1)
    if wrong.any():
        bad = [f"第{first_row + i}行「{values.iloc[i]}」" for i in np.flatnonzero(wrong.to_numpy())[:5]]
        raise ValueError(f"column 'confidence' must hold numbers from 0 to 1; these rows do not: {'、'.join(bad)}")


def _tally(path, *, text_col=None, date_col=None, group_col=None, period="month", progress=None, encoding=None,
           date_format=None):
    reader = open_archive(path, encoding=encoding, chunk_size=20_000)
    tally, found = _Tally(date_format=date_format), {}
    with reader.progress_bar(progress, desc=Path(path).name) as bar:
        for chunk in reader.chunks():
            frame = chunk.rows
            if not found:
                missing = [c for c in ("category", "needs_review", "confidence") if c not in frame.columns]
                if missing:
                    raise ValueError(f"{path} has no tag column(s) {missing}: tag it first with "
                                     f"tag_file({str(path)!r}); its columns are {list(frame.columns)}")
                try:
                    found["text"] = find_text_column([c for c in frame.columns if c not in TAG_COLUMNS], text_col)
                except ValueError:
                    found["text"] = None
                found["date"] = find_column(frame.columns, date_col, DATE_NAMES)
                found["group"] = None if group_col is None else find_column(frame.columns, group_col, ())
                if group_col is None:
                    found["group"] = find_column(frame.columns, None, CHANNEL_NAMES)
            tally.add(frame, tally.rows + 2, found["text"], found["date"], found["group"], period)
            bar.update(chunk.position - bar.n)
    if tally.rows == 0:
        raise ValueError(f"{path} has no rows to report on")
    return tally, found


def _near_duplicate(a: str, b: str) -> bool:
    grams = lambda s: {s[i:i + 5] for i in range(max(1, len(s) - 4))}  # noqa: E731
    ga, gb = grams(a), grams(b)
    return len(ga & gb) / max(1, len(ga | gb)) >= 0.5


def _examples(candidates: list, k: int = EXAMPLES_PER_CATEGORY) -> list:
    chosen = []
    for score, text in sorted(candidates, reverse=True):
        if not any(_near_duplicate(text, other) for _, other in chosen):
            chosen.append((score, text))
        if len(chosen) == k:
            break
    return chosen


def _percent(part, whole) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


@dataclass
class ArchiveReport:
    """The report's tables (DataFrames), its summary paragraph, and what it was made from."""

    tables: dict
    summary: str
    source: str
    notes: list = field(default_factory=list)

    # ---- outputs ----

    def charts(self) -> dict:
        """Bar chart of categories, trend per category over time, chart by channel (as figures)."""
        from .._charts import pyplot

        plt = pyplot()
        figures = {}
        overall = self.tables["categories"][self.tables["categories"]["label"] != "total"]
        figure, axes = plt.subplots(figsize=(7, 3.8))
        bars = axes.bar(overall["类别"], overall["件数"], color="#2f6db3")
        axes.bar_label(bars, labels=[f"{n}（{s:.1f}%）" for n, s in zip(overall["件数"], overall["占比(%)"])], fontsize=8)
        axes.set_title("各类别投诉件数")
        axes.set_ylabel("件数")
        figures["各类别投诉件数"] = figure
        if "by_period" in self.tables:
            table = self.tables["by_period"].drop(columns=["合计"])
            table = table[table.index != "日期缺失或无法识别"]
            if len(table):
                figure, axes = plt.subplots(figsize=(7.5, 3.8))
                for column in table.columns:
                    axes.plot(table.index, table[column], marker="o", label=column)
                axes.set_title("各类别投诉件数走势")
                axes.set_ylabel("件数")
                axes.tick_params(axis="x", rotation=45)
                axes.legend(fontsize=8, ncol=3)
                figures["各类别投诉件数走势"] = figure
        if "by_group" in self.tables:
            table = self.tables["by_group"].drop(columns=["合计"]).head(12)
            figure, axes = plt.subplots(figsize=(7.5, 0.5 * len(table) + 1.8))
            left = np.zeros(len(table))
            for column in table.columns:
                axes.barh(table.index, table[column], left=left, label=column)
                left += table[column].to_numpy()
            axes.invert_yaxis()
            axes.set_title(f"按{self.tables['by_group'].index.name}分列的投诉件数")
            axes.legend(fontsize=8, ncol=3)
            figures[f"按{self.tables['by_group'].index.name}分列"] = figure
        return figures

    def to_markdown(self) -> str:
        parts = ["# 消费投诉分类统计报告", "", f"数据：{self.source}", "", "## 综述", "", self.summary, ""]
        parts += [f"> {note}" for note in self.notes] + ([""] if self.notes else [])
        for key, title in _TITLES.items():
            if key in self.tables:
                parts += [f"## {title}", "", self.tables[key].to_markdown(index=key in _INDEXED), ""]
        return "\n".join(parts)

    def to_html(self) -> str:
        from .._charts import png_data_uri

        pictures = "".join(f'<figure><img alt="{html.escape(name)}" src="{png_data_uri(figure)}"></figure>'
                           for name, figure in self.charts().items())
        sections = "".join(f"<h2>{title}</h2>" + self.tables[key].to_html(index=key in _INDEXED, border=0)
                           for key, title in _TITLES.items() if key in self.tables)
        notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in self.notes)
        return page("消费投诉分类统计报告", f"""<p>数据：{html.escape(self.source)}</p>
<h2>综述</h2><p class="summary">{html.escape(self.summary)}</p>{notes}{pictures}{sections}""")

    def to_excel(self, path) -> None:
        """One sheet per table, and the charts on a sheet of their own."""
        import io

        from openpyxl.drawing.image import Image

        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            pd.DataFrame({"综述": [self.summary] + self.notes}).to_excel(writer, sheet_name="综述", index=False)
            for key, title in _TITLES.items():
                if key in self.tables:
                    self.tables[key].to_excel(writer, sheet_name=title[:31], index=key in _INDEXED)
            for worksheet in writer.book.worksheets:  # a value like "=cmd|…" is the user's text, never a formula
                for row in worksheet.iter_rows():
                    for cell in row:
                        if cell.data_type == "f":
                            cell.data_type = "s"
            sheet = writer.book.create_sheet("图表")
            row = 1
            for name, figure in self.charts().items():
                buffer = io.BytesIO()
                figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
                image = Image(buffer)
                sheet.add_image(image, f"A{row}")
                row += int(image.height / 20) + 2

    def write(self, path) -> Path:
        """Write the report; the format follows the extension (.html, .xlsx, .md)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            path.write_text(self.to_html(), encoding="utf-8")
        elif suffix == ".xlsx":
            self.to_excel(path)
        elif suffix in (".md", ".markdown"):
            path.write_text(self.to_markdown(), encoding="utf-8")
        else:
            raise ValueError(f"cannot tell the report format of {path}: use .html, .xlsx or .md")
        return path


_TITLES = {"categories": "分类统计", "change": "与上期比较", "by_period": "按时间分列", "by_group": "按渠道分列",
           "review": "需人工复核", "money": "涉及金额", "terms": "各类别特征词", "examples": "代表性投诉"}
_INDEXED = {"by_period", "by_group"}


def _crosstab(counts: dict, index_name: str) -> pd.DataFrame:
    kinds = [c for c in KINDS if c in CATEGORIES or any(v.get(c) for v in counts.values())]
    table = pd.DataFrame({k: {KINDS[c]: v.get(c, 0) for c in kinds} for k, v in counts.items()}).T
    table = table.reindex(columns=[KINDS[c] for c in kinds]).fillna(0).astype(int)
    table.index.name = index_name
    table["合计"] = table.sum(axis=1)
    return table.sort_index() if index_name == "时间" else table.sort_values("合计", ascending=False)


def report_archive(path, *, date_col=None, by=None, previous=None, text_col=None, encoding=None,
                   date_format: str | None = None, progress=None) -> ArchiveReport:
    """The report of a tagged archive. ``by``: "month" (default) or "quarter" for the time table,
    "channel" or any column name for the group table. ``previous``: an earlier tagged archive to
    compare with (同比/环比). Dates are read year first (2025-03-05, 2025/3/5, 2025年3月5日, a time
    and a time zone allowed), or by ``date_format`` (such as "%d/%m/%Y"); rows that do not fit are
    named in the notes and counted apart."""
    period = by if by in ("month", "quarter") else "month"
    group_col = None if by in (None, "month", "quarter", "channel") else by
    tally, found = _tally(path, text_col=text_col, date_col=date_col, group_col=group_col, period=period,
                          progress=progress, encoding=encoding, date_format=date_format)
    total = tally.rows
    order = sorted(CATEGORIES, key=lambda c: (-tally.categories.get(c, 0), list(CATEGORIES).index(c)))
    order += [EMPTY] if tally.categories.get(EMPTY) else []
    categories = pd.DataFrame({
        "类别": [KINDS[c] for c in order], "label": order,
        "件数": [tally.categories.get(c, 0) for c in order],
        "占比(%)": [_percent(tally.categories.get(c, 0), total) for c in order]})
    categories.loc[len(categories)] = ["合计", "total", total, 100.0 if total else 0.0]
    tables = {"categories": categories}
    notes = []

    if previous is not None:
        before, _ = _tally(previous, text_col=text_col, date_col=None, group_col=None, progress=progress,
                           encoding=encoding)
        rows = []
        for c in order:
            now, then = tally.categories.get(c, 0), before.categories.get(c, 0)
            rows.append([KINDS[c], c, now, then, now - then,
                         round(100.0 * (now - then) / then, 2) if then else None,
                         _percent(now, total), _percent(then, before.rows),
                         round(_percent(now, total) - _percent(then, before.rows), 2)])
        rows.append(["合计", "total", total, before.rows, total - before.rows,
                     round(100.0 * (total - before.rows) / before.rows, 2) if before.rows else None, 100.0, 100.0, 0.0])
        tables["change"] = pd.DataFrame(rows, columns=["类别", "label", "本期件数", "上期件数", "增减件数", "增减(%)",
                                                       "本期占比(%)", "上期占比(%)", "占比变化(百分点)"])
    if tally.periods:
        tables["by_period"] = _crosstab(tally.periods, "时间")
    if tally.groups:
        name = str(found["group"])
        tables["by_group"] = _crosstab(tally.groups, "渠道" if name.lower() in CHANNEL_NAMES else name)
    if tally.bad_date_count:
        shown = "；".join(f"第{row}行「{value}」" for row, value in tally.bad_dates)
        notes.append(f"日期列「{found['date']}」有 {tally.bad_date_count} 行无法识别，按“日期缺失或无法识别”单列"
                     f"（如 {shown}）。")
    review_total = sum(tally.review.values())
    tables["review"] = pd.DataFrame({
        "类别": [KINDS[c] for c in order] + ["合计"], "label": order + ["total"],
        "需复核件数": [tally.review.get(c, 0) for c in order] + [review_total],
        "占该类(%)": [_percent(tally.review.get(c, 0), tally.categories.get(c, 0)) for c in order]
        + [_percent(review_total, total)]})
    if found["text"]:
        money_total, money_rows = sum(tally.money.values()), sum(tally.money_rows.values())
        tables["money"] = pd.DataFrame({
            "类别": [KINDS[c] for c in order] + ["合计"], "label": order + ["total"],
            "提及金额的投诉(件)": [tally.money_rows.get(c, 0) for c in order] + [money_rows],
            "涉及金额(万元)": [round(tally.money.get(c, 0) / 10_000, 2) for c in order] + [round(money_total / 10_000, 2)]})
        tables["examples"] = pd.DataFrame(
            [(KINDS[c], c, round(score, 3), text) for c in order for score, text in _examples(tally.candidates[c])],
            columns=["类别", "label", "置信度", "投诉内容"])
    else:
        notes.append("没有找到投诉内容列，金额与代表性投诉两部分从略。")
    tables["terms"] = pd.DataFrame(
        [(KINDS[c], c, "、".join(t for t, _ in tally.terms[c].most_common(10))) for c in order if tally.terms[c]],
        columns=["类别", "label", "特征词（按对判断的贡献排序）"])
    return ArchiveReport(tables, _summary(tables, total, review_total), str(path), notes)


def _summary(tables: dict, total: int, review_total: int) -> str:
    """The statistics paragraph of a work summary; every number in it is in the tables."""
    counts = tables["categories"][tables["categories"]["label"] != "total"]
    listed = "；".join(f"{row['类别']}{row['件数']}件，占{row['占比(%)']:.2f}%"
                      for _, row in counts.iterrows() if row["件数"] > 0)
    text = f"本期共受理消费投诉{total}件，其中{listed}。"
    if "money" in tables:
        money = tables["money"].iloc[-1]
        if money["提及金额的投诉(件)"]:
            text += f"{money['提及金额的投诉(件)']}件投诉提及涉案金额，合计{money['涉及金额(万元)']:.2f}万元。"
    if "change" in tables:
        change = tables["change"]
        whole = change.iloc[-1]
        direction = "增加" if whole["增减件数"] > 0 else "减少" if whole["增减件数"] < 0 else "持平"
        text += f"与上期{whole['上期件数']}件相比，{direction}{abs(whole['增减件数'])}件"
        if whole["增减(%)"] is not None and whole["增减件数"]:
            text += f"（{'增长' if whole['增减件数'] > 0 else '下降'}{abs(whole['增减(%)']):.2f}%）"
        text += "。"
        rows = change[change["label"] != "total"]
        biggest = rows.loc[rows["增减件数"].abs().idxmax()]
        if biggest["增减件数"]:
            verb = "增加" if biggest["增减件数"] > 0 else "减少"
            text += (f"变化最大的是{biggest['类别']}，{verb}{abs(biggest['增减件数'])}件，占比由{biggest['上期占比(%)']:.2f}%"
                     f"变为{biggest['本期占比(%)']:.2f}%，{'上升' if biggest['占比变化(百分点)'] >= 0 else '下降'}"
                     f"{abs(biggest['占比变化(百分点)']):.2f}个百分点。")
    text += f"经模型分类后需人工复核的投诉{review_total}件，占{tables['review'].iloc[-1]['占该类(%)']:.2f}%。"
    return text
