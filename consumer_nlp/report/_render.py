"""The report as a person reads it: HTML, an Excel workbook or Markdown, with charts."""
import html
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._html import markdown_text, page
from .._values import PathLike
from ..exceptions import ArchiveError
from ..io import check_new_file, excel_text, keep_text, new_file, printable, sheet_title
from ..messages import TERMS_NOTE
from ._tally import UNDATED

LABELLED_PERIODS = 12  # periods named under the trend chart, at most
CHARTED_GROUPS = 12  # the largest groups drawn in the chart by group (the table lists more)
MARKED_PERIODS = 60  # beyond this many periods the trend is drawn as lines without points
# How the money table counts (see _money.money_mentioned): a desk read 9.9元+19.9元's 20 元 as a sum, and 19.9 as 20
MONEY_NOTE = ("每件投诉计其提及的最大一笔金额（用“+”连写的几笔相加，如“9.9元+19.9元”计 29.8 元），"
              "不重复计算同一件投诉里的其他金额；各数取整到元。")
CONFIDENCE = "置信度"  # a table's column of confidences (the examples'), held as numbers and said as percents
SURE = 0.9995  # a confidence from which a percent to a tenth reads 100.0%, as though certain
# Excel's format of it, as :func:`shown_confidence` says it: the cell's value stays the number, for sorting
CONFIDENCE_FORMAT = f'[<{SURE}]0.0%;[<1]">99.9%";0.0%'


def shown_confidence(value: float) -> str:
    """A confidence as the report says it: a percent to a tenth (99.8%), as the web's 分类 says it; one short of 1 that
    would read 100.0% is >99.9%, which a desk does not take for certain."""
    return ">99.9%" if SURE <= value < 1 else f"{value:.1%}"


def _confidences_shown(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its confidences (if any) as :func:`shown_confidence` says them, for the page and Markdown."""
    if CONFIDENCE not in table:
        return table
    return table.assign(**{CONFIDENCE: table[CONFIDENCE].map(shown_confidence)})


def _texts(table: pd.DataFrame, clean) -> pd.DataFrame:
    """``table`` with ``clean`` applied to every text in its cells, its index and its column names."""
    def each(value):
        return clean(value) if isinstance(value, str) else value

    return table.map(each).set_axis(table.index.map(each), axis=0).set_axis(table.columns.map(each), axis=1)


@dataclass
class ArchiveReport:
    """The report's tables (DataFrames), its summary paragraph, and what it was made from."""

    tables: dict
    summary: str
    source: str
    notes: list = field(default_factory=list)
    previous: str | None = None  # the earlier archive compared with, if any
    columns: dict = field(default_factory=dict)  # the column each of by_period and by_group was made from

    # ---- outputs ----

    def titles(self) -> dict:
        """The heading of each table the report holds, in order; the group table's names its column
        (按渠道分列, 按区县分列), told apart from the other headings where it would read as one of them."""
        titles = {key: title for key, title in _TITLES.items() if key in self.tables}
        if "by_group" in titles:
            name = self.tables["by_group"].index.name
            named = f"按{name}分列"
            others = set(_TITLES.values()) - {_TITLES["by_group"]}
            titles["by_group"] = named if named not in others else f"按「{name}」分列"
        return titles

    def made_from(self) -> dict:
        """A line for each table made from a column of the archive, naming it: a file with 投诉日期 and 受理日期 is
        counted by one of them, and the heading alone does not say which."""
        titles = self.titles()
        lines = {"by_period": "{title}依据日期列「{column}」。", "by_group": "{title}依据「{column}」列。"}
        return {key: lines[key].format(title=titles[key], column=column) for key, column in self.columns.items()
                if key in titles}

    def said_under(self) -> dict:
        """The line under each table that needs one: the column it was made from (:meth:`made_from`), what its deciding
        terms' figures, pairs and placeholders mean."""
        lines = self.made_from()
        if "by_period" in lines and len(trend := self._trend()) == 1:  # a trend of one point is six dots
            lines["by_period"] += f"只有 {trend.index[0]} 一个时段，不画走势图。"
        if "money" in self.tables:
            lines["money"] = MONEY_NOTE
        if len(self.tables.get("terms", ())):
            lines["terms"] = TERMS_NOTE
        return lines

    def _trend(self) -> pd.DataFrame:
        """The time table's periods and kinds as the trend draws them: the dated periods alone, without 合计."""
        table = self.tables.get("by_period", pd.DataFrame(columns=["合计"])).drop(columns=["合计"])
        return table[~table.index.isin(UNDATED)]

    def charts(self) -> dict:
        """Bar chart of categories, trend per category over time, chart by channel (as figures)."""
        from .._charts import chart_label, pyplot

        from matplotlib.ticker import MaxNLocator  # counts of complaints: ticks of 0.25 件 are none

        plt = pyplot()
        figures = {}
        overall = self.tables["categories"][self.tables["categories"]["label"] != "total"]
        figure, axes = plt.subplots(figsize=(7, 3.8))
        bars = axes.bar(overall["类别"], overall["件数"], color="#2f6db3")
        axes.bar_label(bars, labels=[f"{n}（{s:.1f}%）" for n, s in zip(overall["件数"], overall["占比(%)"])], fontsize=8)
        axes.set_title("各类别投诉件数")
        axes.set_ylabel("件数")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        figures["各类别投诉件数"] = figure
        if "by_period" in self.tables:
            table = self._trend()
            if len(table) > 1:  # (one period: said under its table)
                figure, axes = plt.subplots(figsize=(7.5, 3.8))
                positions = np.arange(len(table))
                # a jump of more periods than the table fills (see _build.FILLED_GAP) breaks each line: a point between
                # two periods that do not follow each other, of no value
                periods = [pd.Period(label) for label in table.index]
                jumps = [i + 1 for i, (before, after) in enumerate(zip(periods, periods[1:])) if (after - before).n > 1]
                drawn = np.insert(positions.astype(float), jumps, np.array(jumps) - 0.5)
                for column in table.columns:
                    axes.plot(drawn, np.insert(table[column].to_numpy(dtype=float), jumps, np.nan),
                              marker="o" if len(table) <= MARKED_PERIODS else None, label=column)
                # a dozen periods labelled at most: one label per period overprints, and 6,000 took 30 s
                step = -(-len(table) // LABELLED_PERIODS)
                axes.set_xticks(positions[::step], [str(period) for period in table.index[::step]])
                axes.set_title("各类别投诉件数走势")
                axes.set_ylabel("件数")
                axes.yaxis.set_major_locator(MaxNLocator(integer=True))
                axes.tick_params(axis="x", rotation=45)
                axes.legend(fontsize=8, ncol=3)
                figures["各类别投诉件数走势"] = figure
        if "by_group" in self.tables:
            table = self.tables["by_group"].drop(columns=["合计"]).head(CHARTED_GROUPS)
            figure, axes = plt.subplots(figsize=(7.5, 0.5 * len(table) + 1.8))
            positions, left = np.arange(len(table)), np.zeros(len(table))
            for column in table.columns:
                axes.barh(positions, table[column], left=left, label=column)
                left += table[column].to_numpy()
            axes.set_yticks(positions, [chart_label(name) for name in table.index])  # a bar each, names alike or not
            axes.invert_yaxis()
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            left_out = len(self.tables["by_group"]) > CHARTED_GROUPS  # its bars add up to less than the table's
            axes.set_title(f"按{chart_label(self.tables['by_group'].index.name)}分列的投诉件数"
                           + (f"（只画件数最多的 {CHARTED_GROUPS} 个，其余见表）" if left_out else ""))
            axes.legend(fontsize=8, ncol=3)
            figures[f"按{self.tables['by_group'].index.name}分列"] = figure
        return figures

    def to_markdown(self) -> str:
        """The report as Markdown: the summary, then each table (no charts)."""
        def cell(text: str) -> str:  # a line break or a control character would end a cell or a row
            return " ".join(markdown_text(printable(text)).splitlines())

        parts = ["# 消费投诉分类统计报告", "", f"数据：{cell(self.source)}", "", "## 综述", "", self.summary, ""]
        parts += [f"> {cell(note)}" for note in self.notes] + ([""] if self.notes else [])
        said = self.said_under()
        for key, title in self.titles().items():
            parts += [f"## {cell(title)}", ""] + ([cell(said[key]), ""] if key in said else [])
            parts += [_texts(_confidences_shown(self.tables[key]), cell).to_markdown(index=key in _INDEXED), ""]
        return "\n".join(parts)

    def to_html(self) -> str:
        """The report as one HTML page, charts included as images inside it."""
        from .._charts import DRAWING, png_data_uri

        with DRAWING:
            pictures = "".join(f'<figure><img alt="{html.escape(name)}" src="{png_data_uri(figure)}"></figure>'
                               for name, figure in self.charts().items())
        # The page is read by the desk, in Chinese: the English label column is for the workbook and Markdown.
        said = {key: f'<p class="note">{html.escape(line)}</p>' for key, line in self.said_under().items()}
        sections = "".join(f"<h2>{html.escape(title)}</h2>" + said.get(key, "")
                           + _confidences_shown(self.tables[key]).drop(columns="label", errors="ignore")
                           .to_html(index=key in _INDEXED, border=0) for key, title in self.titles().items())
        notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in self.notes)
        return page("消费投诉分类统计报告", f"""<p>数据：{html.escape(self.source)}</p>
<h2>综述</h2><p class="summary">{html.escape(self.summary)}</p>{notes}{pictures}{sections}""")

    def to_excel(self, path: PathLike) -> None:
        """One sheet per table, and the charts on a sheet of their own."""
        import io

        from openpyxl.drawing.image import Image

        from .._charts import DRAWING, png

        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            overview = pd.DataFrame({"综述": [self.summary, *self.said_under().values()] + self.notes})
            _texts(overview, excel_text).to_excel(writer, sheet_name="综述", index=False)
            for key, title in self.titles().items():
                table = self.tables[key]
                _texts(table, excel_text).to_excel(writer, sheet_name=sheet_title(title), index=key in _INDEXED)
                if CONFIDENCE in table:  # the numbers shown as the page says them
                    column = table.columns.get_loc(CONFIDENCE) + 1 + (key in _INDEXED)
                    written = writer.sheets[sheet_title(title)]
                    for (cell,) in written.iter_rows(min_row=2, min_col=column, max_col=column):
                        cell.number_format = CONFIDENCE_FORMAT
            keep_text(writer.book)
            sheet = writer.book.create_sheet("图表")
            row = 1
            with DRAWING:
                pictures = [png(figure, dpi=100) for figure in self.charts().values()]
            for picture in pictures:
                image = Image(io.BytesIO(picture))
                sheet.add_image(image, f"A{row}")
                row += int(image.height / 20) + 2

    def write(self, path: PathLike, *, force: bool = False) -> Path:
        """Write the report; the format follows the extension (.html, .xlsx, .md). An existing file
        is replaced only with ``force``, the archives it was made from never."""
        path = check_new_file(path, force=force, inputs=[self.source, *([self.previous] if self.previous else [])],
                              what="report")
        kind = report_format(path)
        with new_file(path, force=force, what="report") as temporary:
            if kind == "html":
                temporary.write_text(self.to_html(), encoding="utf-8")
            elif kind == "xlsx":
                self.to_excel(temporary)
            else:
                temporary.write_text(self.to_markdown(), encoding="utf-8")
        return path


def report_format(path) -> str:
    """The format a report at ``path`` is written in, by its extension: html, xlsx or md."""
    formats = {".html": "html", ".htm": "html", ".xlsx": "xlsx", ".md": "md", ".markdown": "md"}
    suffix = Path(path).suffix.lower()
    if suffix not in formats:
        raise ArchiveError(f"cannot tell the report format of {path}: use .html, .xlsx or .md", "output_name",
                           endings=list(formats))
    return formats[suffix]


_TITLES = {"categories": "分类统计", "change": "与上期比较", "by_period": "按时间分列", "by_group": "按渠道分列",
           "review": "需人工复核", "money": "涉及金额", "terms": "各类别特征词", "examples": "代表性投诉"}


_INDEXED = {"by_period", "by_group"}
