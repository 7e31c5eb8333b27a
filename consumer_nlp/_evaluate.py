"""Evaluation of a model on labeled data: figures for the terminal and a self-contained HTML report."""
import html
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._categories import CATEGORIES
from ._html import page
from ._classifier import ComplaintClassifier
from .io import read_labeled
from ._metrics import classification_metrics, review_tradeoff

THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal, counting Chinese characters as two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a terminal width, counting Chinese characters as two columns."""
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def figure_lines(metrics: dict, threshold: float | None = None) -> list[str]:
    """The headline figures, the review trade-off and a per-class table, as terminal lines."""
    m = metrics
    below = f"（置信度低于 {threshold:.3f}）" if threshold is not None else ""
    lines = [f"  macro-F1 {m['macro_f1']:.3f}，准确率 {m['accuracy']:.3f}，校准误差（ECE）{m['calibration_error']:.3f}",
             f"  需人工复核 {m['review_share']:.1%}{below}，其余准确率 {m['accuracy_when_sure']:.3f}",
             "", f"  {_pad('类别', 30)}{'precision':>10}{'recall':>10}{'F1':>8}{'n':>7}"]
    for label in m["labels"]:
        f = m["per_class"][label]
        lines.append(f"  {_pad(f'{CATEGORIES.get(label, label)}（{label}）', 30)}{f['precision']:>10.3f}"
                     f"{f['recall']:>10.3f}{f['f1']:>8.3f}{f['support']:>7}")
    return lines


@dataclass
class Evaluation:
    """A model's figures on one labeled set: ``metrics`` (see classification_metrics) and
    ``tradeoff`` (review share and accuracy on the rest at several confidence thresholds)."""

    model_name: str
    data_name: str
    metrics: dict
    tradeoff: list
    threshold: float
    by: str | None = None
    groups: dict = field(default_factory=dict)  # value of the ``by`` column -> its metrics, largest first

    def names(self) -> list:
        return [CATEGORIES.get(label, label) for label in self.metrics["labels"]]

    def __str__(self) -> str:
        m = self.metrics
        lines = [f"模型 {self.model_name} 在 {self.data_name} 上（{m['n']} 条）：", *figure_lines(m, self.threshold)]
        lines += ["", "  混淆矩阵（行：实际，列：预测）", "  " + "".join(_pad(n, 11, True) for n in [""] + self.names())]
        for name, row in zip(self.names(), m["confusion_matrix"]):
            lines.append("  " + _pad(name, 11, True) + "".join(f"{c:>11}" for c in row))
        lines += ["", "  复核阈值的取舍：阈值 → 送复核比例，其余准确率"]
        lines += [f"    {t['threshold']:.2f} → {t['review_share']:.1%}，{t['accuracy_when_sure']:.3f}" for t in self.tradeoff]
        if self.groups:
            width = max(12, *(_width(group) + 2 for group in self.groups))
            lines += ["", f"  按 {self.by} 分组", "  " + _pad("", width) + "".join(
                _pad(h, 12, True) for h in ("n", "准确率", "macro-F1", "ECE", "送复核", "其余准确率"))]
            for group, g in self.groups.items():
                lines.append("  " + _pad(group, width) + f"{g['n']:>12}{g['accuracy']:>12.3f}{g['macro_f1']:>12.3f}"
                             f"{g['calibration_error']:>12.3f}{g['review_share']:>12.1%}{g['accuracy_when_sure']:>12.3f}")
        return "\n".join(lines)

    def to_html(self) -> str:
        """One HTML file with the tables and the pictures embedded: it opens offline anywhere."""
        from ._charts import confusion_figure, png_data_uri, reliability_figure

        m, names = self.metrics, self.names()
        per_class = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{label}</td><td>{m['per_class'][label]['precision']:.3f}</td>"
            f"<td>{m['per_class'][label]['recall']:.3f}</td><td>{m['per_class'][label]['f1']:.3f}</td>"
            f"<td>{m['per_class'][label]['support']}</td></tr>" for label, name in zip(m["labels"], names))
        reliability = "".join(f"<tr><td>{r['bin']}</td><td>{r['count']}</td><td>{r['confidence']:.3f}</td>"
                              f"<td>{r['accuracy']:.3f}</td></tr>" for r in m["reliability"])
        tradeoff = "".join(f"<tr><td>{t['threshold']:.2f}</td><td>{t['review_share']:.1%}</td>"
                           f"<td>{t['accuracy_when_sure']:.3f}</td></tr>" for t in self.tradeoff)
        group_rows = "".join(
            f"<tr><td>{html.escape(group)}</td><td>{g['n']}</td><td>{g['accuracy']:.3f}</td><td>{g['macro_f1']:.3f}</td>"
            f"<td>{g['calibration_error']:.3f}</td><td>{g['review_share']:.1%}</td><td>{g['accuracy_when_sure']:.3f}</td></tr>"
            for group, g in self.groups.items())
        by_group = (f"<h2>按 {html.escape(self.by)} 分组</h2><table class='numbers'><tr><th>{html.escape(self.by)}</th><th>n</th>"
                    f"<th>准确率</th><th>macro-F1</th><th>ECE</th><th>送复核</th><th>其余准确率</th></tr>{group_rows}</table>"
                    if self.groups else "")
        confusion = png_data_uri(confusion_figure(m["confusion_matrix"], names))
        calibration = png_data_uri(reliability_figure(m["reliability"]))
        return page(f"模型评估报告：{self.model_name}", f"""<p>模型 <b>{html.escape(self.model_name)}</b>，数据 <b>{html.escape(self.data_name)}</b>，共 {m['n']} 条。</p>
<p>macro-F1 <b>{m['macro_f1']:.3f}</b>，准确率 {m['accuracy']:.3f}，校准误差（ECE）{m['calibration_error']:.3f}；
需人工复核 {m['review_share']:.1%}（置信度低于 {self.threshold:.3f}），其余准确率 {m['accuracy_when_sure']:.3f}。</p>
<h2>各类别</h2>
<table class="numbers"><tr><th>类别</th><th>label</th><th>precision</th><th>recall</th><th>F1</th><th>n</th></tr>{per_class}</table>
<div class="figures"><img alt="混淆矩阵" src="{confusion}"><img alt="可靠性图" src="{calibration}"></div>
<h2>校准（可靠性）</h2>
<table class="numbers"><tr><th>置信度区间</th><th>文本数</th><th>平均置信度</th><th>实际准确率</th></tr>{reliability}</table>
<h2>复核阈值的取舍</h2>
<table class="numbers"><tr><th>阈值</th><th>送复核比例</th><th>其余准确率</th></tr>{tradeoff}</table>
{by_group}""")


def evaluate(model: ComplaintClassifier, data, *, model_name: str = "model", by: str | None = None,
             **read_options) -> Evaluation:
    """Tag labeled ``data`` (path, DataFrame or pairs) with ``model`` and measure the result;
    ``by`` names a column (source, channel…) to measure each of its values apart as well."""
    return _measure(model, read_labeled(data, group_col=by, **read_options), model_name, by)[0]


def compare(models: dict, data, **read_options) -> tuple:
    """``models`` ({name: model}) on the same labeled ``data``: a table of their figures side by
    side (one column per model), and the rows on which their categories differ."""
    labeled = read_labeled(data, **read_options)
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
    disagreements = pd.DataFrame({"row": np.flatnonzero(differ) + 1,
                                  "text": np.asarray(labeled.texts, dtype=object)[differ],
                                  "label": np.asarray(labeled.labels, dtype=object)[differ],
                                  **{name: predicted[differ] for name, predicted in predictions.items()}})
    return pd.DataFrame(figures), disagreements


def _measure(model: ComplaintClassifier, labeled, model_name: str, by: str | None) -> tuple:
    """The :class:`Evaluation` of ``model`` on checked labeled data, and its predicted categories."""
    tags = model.tag_columns(labeled.texts)
    truth = np.asarray(labeled.labels, dtype=object)
    predicted = tags["category"].astype(str)
    labels = [c for c in CATEGORIES if c in set(labeled.labels) | set(model.classes_)]
    metrics = classification_metrics(truth, predicted, tags["confidence"], tags["needs_review"], labels)
    groups = {}
    if by is not None:
        values = np.asarray(labeled.groups, dtype=object)
        for group, _ in Counter(labeled.groups).most_common():
            rows = values == group
            seen = set(truth[rows]) | set(predicted[rows])  # macro-F1 over the labels this group has
            groups[group] = classification_metrics(truth[rows], predicted[rows], tags["confidence"][rows],
                                                   tags["needs_review"][rows], [c for c in labels if c in seen])
    thresholds = sorted(set(THRESHOLDS) | {round(model.review_threshold_, 3)})
    return Evaluation(model_name, labeled.source, metrics,
                      review_tradeoff(tags["confidence"], truth == predicted, thresholds),
                      model.review_threshold_, by, groups), predicted
