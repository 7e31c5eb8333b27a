"""Evaluation of a model on labeled data: figures for the terminal and a self-contained HTML report."""
import html
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._categories import CATEGORIES, in_guide_order
from ._html import markdown_text, page
from ._warned import log, warnings_kept
from ._unicode import cut, display_width, shown_escaped
from ._classifier import ComplaintClassifier, check_model
from .exceptions import ArchiveError, LabeledDataError
from .io import check_new_file, group_name, read_labeled, trained_rows
from .messages import VERSION_WORDS, note, place_in_chinese
from ._metrics import classification_metrics, review_tradeoff
from ._values import LabeledSource


THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
MAX_GROUPS = 20  # values of the --by column shown one by one, the largest; the rest share one row
ENOUGH_TEXTS = 30  # figures on fewer texts decide nothing: said under a table of groups, and on the web's 比较
SHOWN_CHARS = 30  # a cell longer than this (a --by column of notes) is cut in the terminal; pages wrap it whole


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a terminal width, counting Chinese characters as two columns."""
    space = " " * max(0, width - display_width(text))
    return space + text if right else text + space


def text_table(table: pd.DataFrame, indent: str = "  ", max_chars: int | None = None) -> list[str]:
    """A table as terminal lines: the first column to the left, the others to the right, Chinese
    characters counted as two columns, control characters escaped (see :func:`shown_escaped`); a cell
    longer than ``max_chars`` is cut, ending in …."""
    def cell(value) -> str:
        shown = shown_escaped(_cell(value))
        return shown if max_chars is None else cut(shown, max_chars)

    cells = [[shown_escaped(str(c)) for c in table.columns]] + [[cell(v) for v in row]
                                                                for row in table.itertuples(index=False)]
    widths = [max(display_width(row[i]) for row in cells) + 2 for i in range(len(table.columns))]
    return [indent + "".join(_pad(v, w, right=i > 0) for i, (v, w) in enumerate(zip(row, widths))) for row in cells]


def _cell(value) -> str:
    if isinstance(value, float):
        return "—" if value != value else f"{value:.3f}"  # NaN: no text was left to be right or wrong about
    return str(value)


def _markdown(value) -> str:
    """A value as a Markdown table shows it: as the terminal does (0.860, not 0.86; NaN as —; a line break as
    \\n), its markup escaped, so that no value ends a cell or a row, or reads as HTML, a link or emphasis."""
    return markdown_text(shown_escaped(_cell(value)))


def _markdown_table(table: pd.DataFrame) -> str:
    """A table as Markdown, its cells and column names each as :func:`_markdown` gives them."""
    return table.map(_markdown).set_axis(table.columns.map(_markdown), axis=1).to_markdown(
        index=False, disable_numparse=True, colalign=["left"] + ["right"] * (len(table.columns) - 1))


def _headline(metrics: dict, threshold: float | None = None) -> list[str]:
    below = f"（置信度低于 {threshold:.3f}）" if threshold is not None else ""
    held = sum(figures["support"] > 0 for figures in metrics["per_class"].values())
    over = f"（数据中有的 {held} 个类别的平均）" if held < len(metrics["per_class"]) else ""
    return [f"macro-F1 {metrics['macro_f1']:.3f}{over}，准确率 {metrics['accuracy']:.3f}，"
            f"校准误差（ECE）{metrics['calibration_error']:.3f}",
            f"需人工复核 {metrics['review_share']:.1%}{below}，其余准确率 {_cell(metrics['accuracy_when_sure'])}"]


def per_class_table(metrics: dict) -> pd.DataFrame:
    """Precision, recall, F1 and support per category, headed in Chinese as the tables beside it are."""
    return pd.DataFrame([(CATEGORIES.get(label, label), label, *(metrics["per_class"][label][k] for k in
                          ("precision", "recall", "f1", "support"))) for label in metrics["labels"]],
                        columns=["类别", "label", "精确率", "召回率", "F1", "文本数"])


def confusion_table(metrics: dict) -> pd.DataFrame:
    """Counts of true (rows) against predicted (columns) categories."""
    names = [CATEGORIES.get(label, label) for label in metrics["labels"]]
    return pd.concat([pd.DataFrame({"实际": names}), pd.DataFrame(metrics["confusion_matrix"], columns=names)], axis=1)


def calibration_table(metrics: dict) -> pd.DataFrame:
    """Per confidence bin: how many texts, their mean confidence and how many were right."""
    return pd.DataFrame([(r["bin"], r["count"], r["confidence"], r["accuracy"]) for r in metrics["reliability"]],
                        columns=["置信度区间", "文本数", "平均置信度", "实际准确率"])


def group_table(groups: dict, by: str, rest: tuple | None = None) -> pd.DataFrame:
    """The headline figures for each value of the column ``by``, then for ``rest`` (how many values
    were pooled, and their metrics) in one row; ``by`` named as a figure's column is headed 分组（…）."""
    rows = list(groups.items()) + ([(f"其余 {rest[0]} 个取值", rest[1])] if rest else [])
    figures = ["文本数", "准确率", "macro-F1", "ECE", "送复核", "其余准确率"]
    return pd.DataFrame([(group, g["n"], g["accuracy"], g["macro_f1"], g["calibration_error"], _share(g["review_share"]),
                          g["accuracy_when_sure"]) for group, g in rows],
                        columns=[f"分组（{by}）" if by in figures else by, *figures])  # (`--by n`: two columns n)


def figure_lines(metrics: dict, threshold: float | None = None) -> list[str]:
    """The headline figures and the per-class table, as terminal lines."""
    return ["  " + line for line in _headline(metrics, threshold)] + [""] + text_table(per_class_table(metrics))


def _share(value: float) -> str:
    return f"{value:.1%}"


@dataclass
class Evaluation:
    """A model's figures on one labeled set: ``metrics`` (see classification_metrics) and
    ``tradeoff`` (review share and accuracy on the rest at several confidence thresholds).
    :meth:`tables` holds every table once; the terminal, HTML and Markdown show the same."""

    model_name: str
    data_name: str
    metrics: dict
    tradeoff: list
    threshold: float
    by: str | None = None
    groups: dict = field(default_factory=dict)  # value of the ``by`` column -> its metrics, largest first
    rest: tuple | None = None  # beyond the MAX_GROUPS largest values: (how many values, their pooled metrics)
    warned: list = field(default_factory=list)  # what the data's reading warned of (rows left out…), in Chinese

    def names(self) -> list:
        return [CATEGORIES.get(label, label) for label in self.metrics["labels"]]

    def _groups_title(self) -> str:
        return f"按 {shown_escaped(self.by)} 分组"  # a header of two lines (Alt+Enter in Excel) on one, as tables show it

    def notes(self) -> dict:
        """{title of a table: the note under it}: a ``by`` column empty in every row (one group, the whole data's
        figures), one of nearly a value a row (codes, times: each row its own group), and how many groups hold fewer
        than ENOUGH_TEXTS texts, whose figures decide nothing (shown all the same)."""
        rows = list(self.groups.values()) + ([self.rest[1]] if self.rest else [])
        few = sum(g["n"] < ENOUGH_TEXTS for g in rows)
        said = [f"「{self.by}」列每一行都是空的，只有{group_name(None)}一组，它的指标就是全部数据的指标。"] \
            if list(self.groups) == [group_name(None)] and not self.rest else []
        values = len(self.groups) + (self.rest[0] if self.rest else 0)
        said += [f"「{self.by}」列有 {values} 个不同的取值（共 {self.metrics['n']} 条），几乎每条自成一组：它像是编号、时间"
                 f"这样的列，按它分组说明不了什么，请按渠道、来源这类取值不多的列分组。"] \
            if values > MAX_GROUPS and 2 * values > self.metrics["n"] else []
        said += [f"其中 {few} 组不足 {ENOUGH_TEXTS} 条文本，它们的指标说明不了什么，不要据此下结论。"] if few else []
        return {self._groups_title(): "".join(said)} if said else {}

    def tables(self) -> dict:
        """{title: table}: per class, confusion, calibration, the review trade-off, and per group."""
        tables = {
            "各类别": per_class_table(self.metrics),
            "混淆矩阵（行：实际，列：预测）": confusion_table(self.metrics),
            "校准（可靠性）": calibration_table(self.metrics),
            "复核阈值的取舍": pd.DataFrame([(f"{t['threshold']:.3f}", _share(t["review_share"]), t["accuracy_when_sure"])
                                     for t in self.tradeoff], columns=["阈值", "送复核比例", "其余准确率"]),
        }
        if self.groups:
            tables[self._groups_title()] = group_table(self.groups, self.by, self.rest)
        return tables

    def __str__(self) -> str:
        lines = [f"模型 {self.model_name} 在 {self.data_name} 上（{self.metrics['n']} 条）：",
                 *("  " + line for line in _headline(self.metrics, self.threshold))]
        notes = self.notes()
        for title, table in self.tables().items():
            lines += ["", f"  {title}", *text_table(table, max_chars=SHOWN_CHARS)]
            lines += [f"  {notes[title]}"] if title in notes else []
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The figures and tables as Markdown (for model cards and notes)."""
        parts = [f"模型 {_markdown(self.model_name)} 在 {_markdown(self.data_name)} 上（{self.metrics['n']} 条）：",
                 "；".join(_headline(self.metrics, self.threshold)) + "。"]
        parts += [f"注意：{_markdown(said)}。" for said in self.warned]
        notes = self.notes()
        for title, table in self.tables().items():
            parts += [f"**{_markdown(title)}**", _markdown_table(table)] + ([notes[title]] if title in notes else [])
        return "\n\n".join(parts) + "\n"

    def to_html(self) -> str:
        """One HTML file with the tables and the pictures embedded: it opens offline anywhere."""
        from ._charts import DRAWING, confusion_figure, png_data_uri, reliability_figure

        m = self.metrics
        with DRAWING:
            confusion = png_data_uri(confusion_figure(m["confusion_matrix"], self.names()))
            calibration = png_data_uri(reliability_figure(m["reliability"]))
        notes = self.notes()
        sections = "".join(f"<h2>{html.escape(title)}</h2>" + table.to_html(
            index=False, border=0, classes="numbers", na_rep="—", float_format=lambda v: f"{v:.3f}")
            + (f'<p class="note">{html.escape(notes[title])}</p>' if title in notes else "")
            for title, table in self.tables().items())
        return page(f"模型评估报告：{self.model_name}", f"""<p>模型 <b>{html.escape(self.model_name)}</b>，\
数据 <b>{html.escape(self.data_name)}</b>，共 {m['n']} 条。</p>
<p>{'；'.join(html.escape(line) for line in _headline(m, self.threshold))}。</p>
{"".join(f'<p class="note">注意：{html.escape(said)}。</p>' for said in self.warned)}
<div class="figures"><img alt="混淆矩阵" src="{confusion}"><img alt="可靠性图" src="{calibration}"></div>
{sections}""")


REPORT_ENDINGS = (".html", ".htm")


def check_report_path(path, *, force: bool, inputs=()) -> Path:
    """Check before any work that the HTML report may be written at ``path`` (see :func:`check_new_file`), a
    name ending in .html: a .pdf or .xlsx holding a web page opens as a damaged file."""
    path = check_new_file(path, force=force, inputs=inputs, what="report")
    if path.suffix.lower() not in REPORT_ENDINGS:
        raise ArchiveError(f"the report {path} is a web page: give it a name ending in .html", "output_name",
                           endings=list(REPORT_ENDINGS))
    return path


def evaluate(model: ComplaintClassifier, data: LabeledSource, *, model_name: str = "model", by: str | None = None,
             **read_options) -> Evaluation:
    """Tag labeled ``data`` (path, DataFrame or pairs) with ``model`` and measure the result;
    ``by`` names a column (source, channel…) to measure each of its values apart as well. ``print`` it for the
    figures in Chinese; ``metrics`` holds them for a program, ``to_html()`` and ``to_markdown()`` write them.

        >>> import consumer_nlp as cn
        >>> pairs = [("秤不准，少了二两", "price_measurement"), ("外卖里吃出头发", "safety")]
        >>> cn.evaluate(cn.load(), pairs).metrics["accuracy"]
        1.0
    """
    check_model(model)
    evaluation, warned = _noted(_evaluate, model, data, model_name, by, read_options)
    evaluation.warned = warned
    return evaluation


def _noted(work, *args) -> tuple:
    """``work(*args)`` and what it warned of, in Chinese (see :func:`note`): kept with the result, for a report or a
    page that has no terminal."""
    with warnings_kept() as kept:
        result = work(*args)
    return result, [said for said in map(note, kept) if said is not None]


def _evaluate(model: ComplaintClassifier, data: LabeledSource, model_name: str, by: str | None,
              read_options: dict) -> Evaluation:
    """:func:`evaluate`'s work, its warnings given as they come."""
    try:
        labeled = read_labeled(data, group_col=by, **read_options)
    except LabeledDataError as error:  # the column of groups is asked for here as ``by``, and named so
        missing = error.details.get("missing", {})
        if "group_col" in missing:
            missing["by"] = missing.pop("group_col")
        for said in ("groups_are_texts", "groups_are_labels"):
            if error.details.get(said):
                error.details[said] = "by"
        raise
    _warn_of(labeled)
    return _measure(model, labeled, model_name, by)[0]


def _warn_of(labeled) -> None:
    """Warn of what in labeled data tells on the figures measured on it: rows left out, texts repeated (each counted),
    conflicts, labels that are a model's own tags (``kind`` "own_tags", with the label ``column``)."""
    labeled.warn_of_unlabeled("evaluation")
    labeled.warn_of_duplicates("evaluation")
    labeled.warn_of_conflicts("evaluation")
    labeled.warn_of_own_tags("evaluation")


_FIGURES_ZH = {"macro-F1": VERSION_WORDS["macro_f1"], "accuracy": VERSION_WORDS["accuracy"],
               "calibration error": "校准误差", "review share": "送复核比例", "accuracy when sure": "有把握时的准确率"}


def figures_in_chinese(figures: pd.DataFrame) -> pd.DataFrame:
    """The figures table of :func:`compare` with its rows named in Chinese, for the desk's pages and
    the command line; the share sent to review as a percentage, as :func:`evaluate`'s figures say it."""
    shown = figures.astype(object)
    if "review share" in shown.index:
        shown.loc["review share"] = [_share(value) for value in figures.loc["review share"]]
    return shown.set_axis([_FIGURES_ZH.get(name, name.replace("F1 ", "F1 · ")) for name in figures.index])


def disagreements_in_chinese(disagreements: pd.DataFrame) -> pd.DataFrame:
    """The disagreements of :func:`compare` with their columns, places and categories in Chinese, for
    the command line (a program reads ``where``, ``label`` and the English labels)."""
    shown = disagreements.rename(columns={"where": "位置", "text": "投诉内容", "label": "标注类别"})
    shown["位置"] = shown["位置"].map(place_in_chinese)
    categories = shown.columns[2:]  # the label, then each model's category
    shown[categories] = shown[categories].map(lambda label: CATEGORIES.get(label, label))
    return shown


DISAGREEMENT_COLUMNS = ("where", "text", "label")  # the rows that differ: these, then a column per model


class Comparison(tuple):
    """What :func:`compare` found: unpacked as ``figures, disagreements`` (as before 2026-12-07), with ``warned``,
    what the comparison warned of in Chinese (as :attr:`Evaluation.warned`)."""

    def __new__(cls, figures: pd.DataFrame, disagreements: pd.DataFrame, warned: list):
        comparison = super().__new__(cls, (figures, disagreements))
        comparison.warned = warned
        return comparison

    def __getnewargs__(self) -> tuple:  # copied and pickled whole
        return (*self, self.warned)

    @property
    def figures(self) -> pd.DataFrame:
        return self[0]

    @property
    def disagreements(self) -> pd.DataFrame:
        return self[1]


def compare(models: dict[str, ComplaintClassifier], data: LabeledSource, **read_options) -> Comparison:
    """``models`` ({name: model}) on the same labeled ``data``: a table of their figures side by
    side (one column per model), and the rows on which their categories differ, each placed
    (``where``) as its file shows it; with what it warned of (``warned``). A model is not to be named ``where``,
    ``text`` or ``label``, the columns of those rows beside one per model.

        >>> import consumer_nlp as cn
        >>> pairs = [("秤不准，少了二两", "price_measurement"), ("外卖里吃出头发", "safety")]
        >>> figures, differ = cn.compare({"default": cn.load(), "again": cn.load()}, pairs)
        >>> figures.loc["accuracy"].tolist(), len(differ)
        ([1.0, 1.0], 0)
    """
    if not isinstance(models, dict):
        raise TypeError(f"models must be a dict {{name: model}}, not {type(models).__name__}")
    if not models:
        raise ValueError("models: give at least one, as {name: model}")
    for name, model in models.items():
        check_model(model, f"models[{name!r}]")
        if name in DISAGREEMENT_COLUMNS:  # its column would replace the data's own, the desk's labels by its answers
            raise ValueError(f"models[{name!r}]: the rows that differ have columns where, text and label of their "
                             f"own; give the model another name")
    (figures, disagreements), warned = _noted(_compare, models, data, read_options)
    return Comparison(figures, disagreements, warned)


def _compare(models: dict, data: LabeledSource, read_options: dict) -> tuple:
    """:func:`compare`'s work, its warnings given as they come."""
    labeled = read_labeled(data, **read_options)
    _warn_of(labeled)
    figures, predictions = {}, {}
    for name, model in models.items():
        evaluation, predictions[name] = _measure(model, labeled, name, None)
        m = evaluation.metrics
        figures[name] = {"macro-F1": m["macro_f1"], "accuracy": m["accuracy"],
                         "calibration error": m["calibration_error"], "review share": m["review_share"],
                         "accuracy when sure": m["accuracy_when_sure"],
                         **{f"F1 {CATEGORIES.get(label, label)}": m["per_class"][label]["f1"] for label in m["labels"]}}
    table = np.array(list(predictions.values()), dtype=object)
    differ = (table != table[:1]).any(axis=0)
    disagreements = pd.DataFrame({**{column: np.asarray(values, dtype=object)[differ] for column, values in zip(
        DISAGREEMENT_COLUMNS, (labeled.places, labeled.texts, labeled.labels))},
        **{name: predicted[differ] for name, predicted in predictions.items()}})
    return pd.DataFrame(figures), disagreements


def _same_data(fingerprint, labeled) -> bool:
    """Whether ``labeled`` is the data a ``fingerprint`` (:meth:`LabeledData.fingerprint`, None where none was kept)
    was taken of: the same rows, or the same texts in another order or labeled otherwise (a model trained before
    2026-12-06 keeps the rows' digest only)."""
    kept = fingerprint if isinstance(fingerprint, dict) else {}
    here = labeled.fingerprint()
    return any(kept.get(key) is not None and kept.get(key) == here[key] for key in ("sha256", "texts_sha256"))


def _trained_on(model: ComplaintClassifier, labeled) -> bool:
    """Whether ``model`` was trained on the texts of ``labeled``, as its training data's fingerprint says."""
    return _same_data(getattr(model, "training_data_", None), labeled)


def _calibrated_on(model: ComplaintClassifier, labeled) -> bool:
    """Whether ``labeled`` is the calibration data ``model``'s confidence was fitted on (``train``'s
    ``calibration_data``), as its training data's fingerprint of it says."""
    return _same_data((getattr(model, "training_data_", None) or {}).get("calibration_data"), labeled)


# A share of evaluation rows holding texts the model was trained on from which it is warned of: a few copies of a
# template across two labeled sets happen; beyond one row in twenty, accuracy is too high by about a point or more.
TRAINED_SHARE = 0.05


def _warn_of_trained_texts(model: ComplaintClassifier, labeled, model_name: str) -> None:
    """Warn when more than ``TRAINED_SHARE`` of the rows of ``labeled`` hold texts ``model`` was trained on, as its
    training data's per-text hashes say (a model trained before 2026-12-06 has none: nothing is said). The record
    carries ``kind`` "trained_texts", the ``model``'s name, the ``rows``, those ``trained`` on and their ``share``."""
    hashes = (getattr(model, "training_data_", None) or {}).get("text_hashes")
    trained = None if hashes is None else trained_rows(hashes, labeled.texts)
    rows = len(labeled.texts)
    if trained and trained > TRAINED_SHARE * rows:
        log.warning("%s: %d of its %d rows (%.0f%%) hold texts %s was trained on: the figures are too high by as much "
                    "as those rows weigh; evaluate on texts the model has not seen", labeled.source, trained, rows,
                    100 * trained / rows, model_name, extra={"kind": "trained_texts", "model": model_name,
                                                             "rows": rows, "trained": trained, "share": trained / rows})


def _warn_of_unknown_categories(model: ComplaintClassifier, labeled, model_name: str) -> None:
    """Warn of the categories ``labeled`` holds that ``model`` never gives (it was trained without them): their rows
    are all counted wrong, which their recall of 0 does not say. The record carries ``kind`` "unknown_to_model", the
    ``labels``, their ``rows`` and the ``model``'s name."""
    known = set(model.classes_)
    counts = Counter(label for label in labeled.labels if label not in known)
    if counts:
        labels = in_guide_order(counts)
        rows = sum(counts.values())
        log.warning("%s: %d row(s) are labeled %s, which %s never gives (it was trained without them): all are counted "
                    "wrong", labeled.source, rows, ", ".join(labels), model_name,
                    extra={"kind": "unknown_to_model", "labels": labels, "rows": rows, "model": model_name})


def _measure(model: ComplaintClassifier, labeled, model_name: str, by: str | None) -> tuple:
    """The :class:`Evaluation` of ``model`` on checked labeled data, and its predicted categories."""
    labeled.check_some_labeled("evaluation", "evaluate on")
    if _trained_on(model, labeled):  # figures near 1.000, untrue
        log.warning("%s is the data %s was trained on: its figures say nothing of new text", labeled.source,
                    model_name, extra={"kind": "training_data", "model": model_name})
    else:
        _warn_of_trained_texts(model, labeled, model_name)
    if _calibrated_on(model, labeled):  # never trained on, but its confidence fitted on these texts
        log.warning("%s is the data %s's confidence was calibrated on: its accuracy and F1 are fair, its calibration "
                    "error lower than on new text", labeled.source, model_name,
                    extra={"kind": "calibration_data", "model": model_name})
    _warn_of_unknown_categories(model, labeled, model_name)
    tags = model.tag_columns(labeled.texts)
    truth = np.asarray(labeled.labels, dtype=object)
    predicted = tags["category"].astype(str)
    labels = in_guide_order([*labeled.labels, *model.classes_])
    metrics = classification_metrics(truth, predicted, tags["confidence"], tags["needs_review"], labels)
    groups, rest = {}, None
    if by is not None:
        ranked = [group for group, _ in Counter(labeled.groups).most_common()]
        rows_of = pd.Series(range(len(truth))).groupby(pd.Series(labeled.groups, dtype=object), sort=False,
                                                          dropna=False).indices

        def measured(rows):
            return classification_metrics(truth[rows], predicted[rows], tags["confidence"][rows],
                                          tags["needs_review"][rows], labels)

        groups = {group: measured(rows_of[group]) for group in ranked[:MAX_GROUPS]}
        if len(ranked) > MAX_GROUPS:
            rest = (len(ranked) - MAX_GROUPS, measured(np.concatenate([rows_of[g] for g in ranked[MAX_GROUPS:]])))
    # the model's own threshold as it is (rounded, its row said otherwise than the headline of texts
    # between the two), in place of a usual one that would print alike
    own = model.review_threshold_
    thresholds = sorted({t for t in THRESHOLDS if round(t, 3) != round(own, 3)} | {own})
    data_name = labeled.source + (f"（表「{labeled.sheet}」）" if labeled.sheet is not None else "")  # two months' sheets
    return Evaluation(model_name, data_name, metrics,
                      review_tradeoff(tags["confidence"], truth == predicted, thresholds),
                      model.review_threshold_, by, groups, rest), predicted
