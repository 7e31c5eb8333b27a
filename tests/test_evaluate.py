"""evaluate(): a model's figures on labeled data, checked against counts made here from its predictions."""
import copy
import csv
import logging
import re

import numpy as np
import pandas as pd
import pytest

import consumer_nlp as cn
from consumer_nlp import CATEGORIES, ComplaintClassifier
from consumer_nlp._charts import cjk_fonts
from consumer_nlp._evaluate import evaluate
from consumer_nlp.exceptions import LabeledDataError
from consumer_nlp._unicode import display_width

needs_font = pytest.mark.skipif(not cjk_fonts(), reason="no CJK font: apt-get install fonts-wqy-microhei")


@pytest.fixture(scope="module")
def labeled(repo_root):
    """Five texts per category that small_model was not fitted on (it fits the first 40), with a channel
    column: two in three from 热线, the rest from a channel whose name needs escaping in HTML."""
    texts, labels, taken = [], [], {}
    with open(repo_root / "data" / "complaints.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            taken[row["label"]] = taken.get(row["label"], 0) + 1
            if 40 < taken[row["label"]] <= 45:
                texts.append(row["text"])
                labels.append(row["label"])
    channels = ["<网站>" if i % 3 == 0 else "热线" for i in range(len(texts))]
    return pd.DataFrame({"text": texts, "label": labels, "channel": channels})


@pytest.fixture(scope="module")
def counted(small_model, labeled):
    """What the model says of each text, straight from predict_proba."""
    proba = small_model.predict_proba(list(labeled["text"]))
    return {"truth": np.asarray(labeled["label"], dtype=object),
            "predicted": small_model.classes_[proba.argmax(axis=1)],
            "confidence": proba.max(axis=1)}


@pytest.fixture(scope="module")
def result(small_model, labeled):
    return evaluate(small_model, labeled, model_name="小模型 <v1>", by="channel")


def count_figures(truth, predicted, labels):
    """Precision, recall, F1 and support per label by counting, and their macro-F1."""
    figures = {}
    for label in labels:
        right = int(np.sum((predicted == label) & (truth == label)))
        said, there = int(np.sum(predicted == label)), int(np.sum(truth == label))
        precision = right / said if said else 0.0
        recall = right / there if there else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        figures[label] = {"precision": precision, "recall": recall, "f1": f1, "support": there}
    return figures, float(np.mean([f["f1"] for f in figures.values()]))


def test_the_set_is_a_real_test(counted):
    # the figures below are only worth checking if the model gets some texts wrong and some right
    right = counted["truth"] == counted["predicted"]
    assert 0 < right.sum() < len(right)


def test_overall_figures_agree_with_a_direct_count(result, counted, small_model):
    truth, predicted, confidence = counted["truth"], counted["predicted"], counted["confidence"]
    metrics = result.metrics
    assert metrics["n"] == len(truth) == 30
    assert metrics["labels"] == list(CATEGORIES)  # every category is in the data and in the model
    assert metrics["accuracy"] == pytest.approx(np.mean(truth == predicted))
    review = confidence < small_model.review_threshold_
    assert metrics["review_share"] == pytest.approx(review.mean())
    assert result.threshold == small_model.review_threshold_
    if (~review).any():
        assert metrics["accuracy_when_sure"] == pytest.approx(np.mean((truth == predicted)[~review]))


def test_per_class_figures_and_confusion_agree_with_a_direct_count(result, counted):
    truth, predicted = counted["truth"], counted["predicted"]
    expected, macro = count_figures(truth, predicted, list(CATEGORIES))
    for label in CATEGORIES:
        assert result.metrics["per_class"][label] == pytest.approx(expected[label]), label
    assert result.metrics["macro_f1"] == pytest.approx(macro)
    assert result.metrics["confusion_matrix"] == [
        [int(np.sum((truth == actual) & (predicted == said))) for said in CATEGORIES] for actual in CATEGORIES]


def test_the_tradeoff_is_measured_at_the_usual_thresholds_and_the_models_own(result, counted, small_model):
    truth, predicted, confidence = counted["truth"], counted["predicted"], counted["confidence"]
    own = small_model.review_threshold_
    assert [row["threshold"] for row in result.tradeoff] == sorted(
        {t for t in (0.5, 0.6, 0.7, 0.8, 0.9) if round(t, 3) != round(own, 3)} | {own})
    for row in result.tradeoff:
        sure = confidence >= row["threshold"]
        assert row["review_share"] == pytest.approx(1 - sure.mean())
        if sure.any():
            assert row["accuracy_when_sure"] == pytest.approx(np.mean((truth == predicted)[sure]))


def test_the_tradeoff_row_at_the_models_threshold_says_what_the_headline_says(small_model, small_corpus):
    # The row was measured at the threshold rounded to 0.001: texts between the two (a threshold of
    # 0.99710, texts at 0.9970x) went to review in the headline (100%) and not in that row (0%).
    texts = list(small_corpus[0])
    confidence = small_model.predict_proba(texts).max(axis=1)
    model = copy.deepcopy(small_model)
    model.review_threshold_ = float(np.median(confidence)) + 0.0004  # texts close to it round alike
    result = evaluate(model, list(zip(texts, small_corpus[1])))
    own = [row for row in result.tradeoff if round(row["threshold"], 3) == round(model.review_threshold_, 3)]
    assert len(own) == 1 and own[0]["review_share"] == pytest.approx(result.metrics["review_share"])
    assert own[0]["review_share"] == pytest.approx(np.mean(confidence < model.review_threshold_))


def test_by_gives_each_groups_figures_largest_group_first(result, counted, labeled):
    truth, predicted = counted["truth"], counted["predicted"]
    channel = labeled["channel"].to_numpy()
    assert list(result.groups) == ["热线", "<网站>"]  # 20 texts, then 10
    for group, figures in result.groups.items():
        rows = channel == group
        assert figures["n"] == rows.sum()
        assert figures["accuracy"] == pytest.approx(np.mean(truth[rows] == predicted[rows]))
        # a group's macro-F1 is over the labels it has, in its truth or its predictions
        seen = [c for c in CATEGORIES if c in set(truth[rows]) | set(predicted[rows])]
        per_label, macro = count_figures(truth[rows], predicted[rows], seen)
        assert figures["labels"] == seen
        assert figures["macro_f1"] == pytest.approx(macro)
        assert list(figures["per_class"]) == seen
        for label in seen:
            assert figures["per_class"][label] == pytest.approx(per_label[label]), (group, label)


def test_labels_are_those_of_the_data_or_the_model_in_the_guides_order(small_corpus):
    texts, labels = small_corpus
    two = [(t, y) for t, y in zip(texts, labels) if y in ("financial", "quality")]
    model = ComplaintClassifier(cv=3).fit(*zip(*two))
    data = [("信用卡年费乱扣", "financial"), ("洗衣机不脱水", "quality"), ("面包里吃出钢丝", "safety")]
    result = evaluate(model, data)
    assert result.metrics["labels"] == ["quality", "safety", "financial"]
    assert result.metrics["per_class"]["safety"]["support"] == 1
    assert result.metrics["per_class"]["safety"]["recall"] == 0.0  # a label the model does not know
    assert result.groups == {} and result.by is None


def test_macro_f1_averages_only_the_categories_the_data_holds(small_model, small_corpus):
    # A holdout of one category, all right, once scored macro-F1 1/6: the five absent ones counted as 0.
    texts, labels = small_corpus
    picked = [(t, y) for t, y in zip(texts, labels) if y == "financial"]
    result = evaluate(small_model, picked)
    assert result.metrics["macro_f1"] == pytest.approx(result.metrics["per_class"]["financial"]["f1"])


def test_categories_the_data_lacks_show_no_figures_and_the_headline_says_what_it_averages(small_model, labeled):
    # A desk's holdout of two categories showed the four it lacks at precision, recall and F1 0.000, as if
    # the model failed at them, and a macro-F1 pulled down by them (0.379 beside an accuracy of 0.911).
    two = labeled[labeled["label"].isin(["quality", "financial"])]
    result = evaluate(small_model, two, by="channel")
    lines = str(result).splitlines()
    assert "（数据中有的 2 个类别的平均）" in lines[1]
    safety = next(line.split() for line in lines if line.split()[:2] == ["安全问题", "safety"])
    assert safety[3:] == ["—", "—", "0"]  # recall and F1 of a category with no text: nothing to measure
    assert not re.search(r"\bnan\b", str(result) + result.to_html() + result.to_markdown())
    assert "<td>—</td>" in result.to_html()


def _number(text):
    return float(text.rstrip("%")) / (100 if text.endswith("%") else 1)


def test_the_text_shows_the_figures(result, counted):
    truth, predicted = counted["truth"], counted["predicted"]
    expected, macro = count_figures(truth, predicted, list(CATEGORIES))
    lines = str(result).splitlines()
    assert "小模型 <v1>" in lines[0] and "30" in lines[0]
    assert f"macro-F1 {macro:.3f}" in lines[1] and f"{np.mean(truth == predicted):.3f}" in lines[1]
    names = {name: label for label, name in CATEGORIES.items()}
    rows = [cells for cells in map(str.split, lines) if len(cells) > 1 and cells[0] in names]
    per_class = [cells for cells in rows if cells[1] in CATEGORIES]  # name, label, figures
    confusion = [cells for cells in rows if cells[1].isdigit()]  # name, counts per predicted category
    assert len(per_class) == 6 and len(confusion) == 6
    for cells in per_class:
        assert cells[1] == names[cells[0]]
        figures = expected[names[cells[0]]]
        assert [_number(c) for c in cells[2:]] == pytest.approx(
            [figures["precision"], figures["recall"], figures["f1"], figures["support"]], abs=5e-4)
    for cells in confusion:
        actual = names[cells[0]]
        assert [int(c) for c in cells[1:]] == [int(np.sum((truth == actual) & (predicted == said)))
                                              for said in CATEGORIES]
    for group, figures in result.groups.items():
        cells = next(line.split() for line in lines if line.split() and line.split()[0] == group)
        assert int(cells[1]) == figures["n"] and _number(cells[2]) == pytest.approx(figures["accuracy"], abs=5e-4)


@needs_font
def test_the_html_report_shows_the_figures_escaped_with_both_pictures(result, counted):
    from matplotlib import pyplot

    truth, predicted = counted["truth"], counted["predicted"]
    expected, _ = count_figures(truth, predicted, list(CATEGORIES))
    pyplot.close("all")
    page = result.to_html()
    assert pyplot.get_fignums() == []  # pyplot keeps a figure until it is closed: a page's pictures leaked
    rows = [[cell.strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)]
    for label, name in CATEGORIES.items():
        cells = next(cells for cells in rows if cells[:2] == [name, label])
        figures = expected[label]
        assert [_number(c) for c in cells[2:]] == pytest.approx(
            [figures["precision"], figures["recall"], figures["f1"], figures["support"]], abs=5e-4)
    for group, figures in result.groups.items():
        cells = next(cells for cells in rows if cells[0] == group.replace("<", "&lt;").replace(">", "&gt;"))
        assert int(cells[1]) == figures["n"] and _number(cells[2]) == pytest.approx(figures["accuracy"], abs=5e-4)
    # user text is escaped: the model name and a channel named like a tag
    assert "小模型 &lt;v1&gt;" in page and "<v1>" not in page and "<网站>" not in page
    assert page.count('src="data:image/png;base64,') == 2  # confusion matrix and reliability, embedded


def test_the_tradeoff_table_tells_close_thresholds_apart_and_never_prints_nan(small_model, small_corpus):
    # A threshold of 0.903 and 0.9 both printed as "0.90"; a group whose texts all went to review
    # printed "nan" for the accuracy on the rest.
    from consumer_nlp._evaluate import _cell

    result = evaluate(small_model, list(zip(*small_corpus)))
    result.tradeoff = [{"threshold": 0.9, "review_share": 0.5, "accuracy_when_sure": 0.9},
                       {"threshold": 0.903, "review_share": 0.6, "accuracy_when_sure": float("nan")}]
    table = result.tables()["复核阈值的取舍"]
    assert list(table["阈值"]) == ["0.900", "0.903"] and not re.search(r"\bnan\b", str(result))
    assert _cell(float("nan")) == "—"


def test_disagreements_are_placed_as_the_file_shows_them(tmp_path, small_model, small_corpus):
    # They were numbered by data row: a title row above the header, or a text over two lines, put
    # every number off from what Excel or an editor shows.
    from openpyxl import Workbook

    from consumer_nlp._evaluate import compare

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2025年复核抽样"]), sheet.append([]), sheet.append(["text", "label"])
    texts = ["秤不准，少了二两", "面包里有头发", "信用卡年费乱扣", "手机屏幕碎了", "快递一直不到"]
    for text, label in zip(texts, ["price_measurement", "safety", "financial", "quality", "other"]):
        sheet.append([text, label])
    workbook.save(tmp_path / "h.xlsx")
    shifted = {"price_measurement": "safety", "safety": "financial", "financial": "quality", "quality": "other",
               "other": "false_advertising", "false_advertising": "price_measurement"}
    contrary = ComplaintClassifier(cv=2).fit(small_corpus[0], [shifted[label] for label in small_corpus[1]])
    _, differ = compare({"a": small_model, "b": contrary}, tmp_path / "h.xlsx", header_row=3)
    assert len(differ) >= 3 and all(where == f"sheet row {4 + texts.index(text)}" for where, text in zip(differ["where"], differ["text"]))


def test_a_model_given_by_name_or_models_not_in_a_dict_are_refused_with_what_to_do(tmp_path):
    # evaluate("default", …), tag_file("default", …) and compare({"a": "default"}, …) failed with
    # "'str' object has no attribute 'tag_columns'"; compare([m]) and compare({}) with pandas' words.
    pairs = [("秤不准，少了二两", "price_measurement"), ("屏幕坏了", "quality")]
    with pytest.raises(TypeError, match=r"model must be a fitted ComplaintClassifier, not str 'default'.*load\('default'\)"):
        cn.evaluate("default", pairs)
    with pytest.raises(TypeError, match=r"models\['a'\] must be a fitted ComplaintClassifier"):
        cn.compare({"a": "default"}, pairs)
    with pytest.raises(TypeError, match=r"models must be a dict \{name: model\}, not list"):
        cn.compare([cn.load()], pairs)
    with pytest.raises(ValueError, match="models: give at least one"):
        cn.compare({}, pairs)
    source = tmp_path / "a.csv"
    source.write_text("text\n漏水\n", encoding="utf-8")
    with pytest.raises(TypeError, match=r"model must be a fitted ComplaintClassifier"):
        cn.tag_file("default", source, tmp_path / "o.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_a_column_of_many_values_shows_the_largest_groups_and_the_rest_together(small_model, labeled, counted):
    # --by on a column of ids or days measured every value on its own (4 ms each: 10,000 ids took
    # 40 s and printed 10,000 lines). The largest MAX_GROUPS values are shown, the rest as one row.
    from consumer_nlp._evaluate import MAX_GROUPS

    ids = [f"第{i % (MAX_GROUPS + 5)}号" for i in range(len(labeled))]
    ids[0] = ids[MAX_GROUPS + 5] = "其余 5 个取值"  # a value named like the pooled row is a value like any other
    evaluation = evaluate(small_model, labeled.assign(编号=ids), by="编号")
    assert len(evaluation.groups) == MAX_GROUPS and evaluation.groups["其余 5 个取值"]["n"] == 2
    pooled, metrics = evaluation.rest
    assert pooled == 5 and sum(g["n"] for g in evaluation.groups.values()) + metrics["n"] == len(labeled)
    rest = [i for i, value in enumerate(ids) if value not in evaluation.groups]
    assert metrics["accuracy"] == pytest.approx(np.mean(counted["truth"][rest] == counted["predicted"][rest]))
    table = evaluation.tables()["按 编号 分组"]
    assert len(table) == MAX_GROUPS + 1 and table["编号"].tolist().count("其余 5 个取值") == 2


def test_by_the_label_column_is_refused_as_by_the_text_column_is(small_model, labeled, tmp_path, capsys):
    # `--by label` gave one group per category without a word: each group's figures repeated the per-class table's
    # recall (its precision 1 by construction). Refused as the text column is, naming it.
    from consumer_nlp.cli import main

    with pytest.raises(LabeledDataError, match=r"the column of groups, 'label', is the label column") as refused:
        evaluate(small_model, labeled, by="label")
    assert refused.value.problem == "header" and refused.value.details["groups_are_labels"] == "by"
    labeled.to_csv(tmp_path / "holdout.csv", index=False)
    assert main(["evaluate", "default", str(tmp_path / "holdout.csv"), "--by", "label"]) == 2
    said = capsys.readouterr().err
    assert "--by 指的是类别所在的「label」列" in said and "Traceback" not in said, said


def test_by_a_column_empty_in_every_row_says_so_under_its_table(small_model, labeled):
    # `--by 备注` of a column left empty gave one group, （空）, without a word: its figures are the whole data's.
    evaluation = evaluate(small_model, labeled.assign(备注=""), by="备注")
    assert list(evaluation.groups) == ["（空）"]
    said = "「备注」列每一行都是空的"
    assert said in str(evaluation) and said in evaluation.to_html() and said in evaluation.to_markdown()
    assert said not in str(evaluate(small_model, labeled, by="channel"))


def test_by_a_column_half_blank_half_written_kong_is_two_groups_and_not_called_empty(small_model, labeled):
    # A system's export writes an empty field as the text （空）: half such cells and half blank ones were one group,
    # （空）, noted as 「kong」列每一行都是空的. The blank cells are the group （空）; the text is its own group, quoted.
    kong = ["（空）" if i % 2 else "" for i in range(len(labeled))]
    evaluation = evaluate(small_model, labeled.assign(kong=kong), by="kong")
    assert {group: figures["n"] for group, figures in evaluation.groups.items()} == {"（空）": 15, "「（空）」": 15}
    assert "每一行都是空的" not in str(evaluation)
    written = evaluate(small_model, labeled.assign(kong=["(空)"] * len(labeled)), by="kong")
    assert list(written.groups) == ["「(空)」"] and "每一行都是空的" not in str(written)


def test_by_a_column_whose_name_holds_a_line_break_is_named_on_one_line(small_model, labeled):
    # `--by` a column headed 投诉⏎来源 (Alt+Enter in an Excel header) printed the title 按 投诉 and 来源 分组 on two
    # lines of the terminal, where the table's own header shows it escaped (found by helper h3).
    evaluation = evaluate(small_model, labeled.rename(columns={"channel": "投诉\n来源"}), by="投诉\n来源")
    assert "按 投诉\\n来源 分组" in str(evaluation)
    assert not any(line.rstrip().endswith("按 投诉") for line in str(evaluation).splitlines())


def test_by_a_column_of_a_value_a_row_says_it_groups_nothing(small_model, labeled):
    # `--by 编号` (or a date and time column) gave 20 groups of 1 text and 其余 N 个取值, said only as groups too small
    # to decide anything: not that nearly every row is its own group, a column of codes rather than of channels.
    evaluation = evaluate(small_model, labeled.assign(编号=[f"C{n:03d}" for n in range(len(labeled))]), by="编号")
    said = f"「编号」列有 {len(labeled)} 个不同的取值（共 {len(labeled)} 条），几乎每条自成一组"
    assert said in str(evaluation) and said in evaluation.to_html() and said in evaluation.to_markdown()
    assert "自成一组" not in str(evaluate(small_model, labeled, by="channel"))


def test_by_a_column_named_like_a_column_of_the_groups_table_heads_its_own_column_apart(small_model, labeled):
    # `--by n` headed the groups' values and their counts alike: `n  n  准确率 …` (the count is 文本数 since).
    halves = ["甲" if i % 2 else "乙" for i in range(len(labeled))]
    evaluation = evaluate(small_model, labeled.assign(文本数=halves), by="文本数")
    table = evaluation.tables()["按 文本数 分组"]
    assert list(table.columns)[:2] == ["分组（文本数）", "文本数"] and table.columns.is_unique
    assert list(table["分组（文本数）"]) == ["乙", "甲"] and list(table["文本数"]) == [15, 15]


def test_the_groups_table_counts_texts_under_a_chinese_header_as_the_per_category_table_does(small_model, labeled):
    # `evaluate --by 渠道` headed its count n (渠道  n  准确率 …) under the per-category table's 文本数.
    evaluation = evaluate(small_model, labeled, by="channel")
    assert list(evaluation.tables()["按 channel 分组"].columns)[:2] == ["channel", "文本数"]
    assert re.search(r"\n +channel +文本数 +准确率 +macro-F1", str(evaluation)), str(evaluation)


def test_by_the_text_column_is_refused_and_long_values_are_cut_in_the_terminal_only(small_model, labeled):
    # `--by 投诉内容` made each complaint a group: 20 lines padded to the longest text (hundreds of characters).
    with pytest.raises(LabeledDataError, match=r"the column of groups, 'text', is the text column") as refused:
        evaluate(small_model, labeled, by="Text ")
    assert refused.value.problem == "header" and refused.value.details["groups_are_texts"] == "by"
    notes = ["客户来电反映情况已转交相关部门处理并于三个工作日内回复" * 3 if i % 2 else "已办结" for i in range(len(labeled))]
    evaluation = evaluate(small_model, labeled.assign(处理结果=notes), by="处理结果")
    lines = str(evaluation).splitlines()
    group_lines = lines[lines.index("  按 处理结果 分组") + 1:]
    assert max(map(display_width, group_lines)) < 120  # columns: a Chinese character takes two
    assert any(line.strip().startswith("客户来电") for line in group_lines)
    assert notes[1] in evaluation.to_html()  # the page wraps a long value: it is shown whole


def test_markdown_keeps_a_group_value_holding_a_bar_or_a_line_break_in_its_cell(small_model, labeled):
    channels = ["网站|APP" if i % 2 else "来信\n转办" for i in range(len(labeled))]
    markdown = evaluate(small_model, labeled.assign(channel=channels), by="channel").to_markdown()
    table = markdown[markdown.index("| channel"):].split("\n\n")[0].splitlines()  # the note on small groups below
    assert len(table) == 4 and all(line.count(" | ") == 6 for line in table[2:]), table
    assert any(line.startswith("| 网站\\|APP") for line in table)
    # markup is text: <网站> (a channel of the fixture) was written raw, where a Markdown viewer reads it as HTML
    shown = evaluate(small_model, labeled, by="channel", model_name="<v1>").to_markdown()
    assert "| \\<网站\\>" in shown and "模型 \\<v1\\>" in shown and not re.search(r"(?<!\\)<", shown)


def test_evaluating_on_the_models_own_training_data_is_warned_of(small_corpus, caplog, tmp_path):
    # It reported figures near 1.000 without a word, though the model records what it was trained on. The warning
    # said 是模型…的训练数据 beside its English, from the library: its kind says it now, and messages words it.
    import consumer_nlp as cn
    from consumer_nlp.messages import note

    pairs = list(zip(*small_corpus))
    model = cn.train(pairs, cv=0)
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.evaluate(model, pairs, model_name="desk@1")
    said = [r for r in caplog.records if getattr(r, "kind", None) == "training_data"]
    assert len(said) == 1 and said[0].model == "desk@1"
    assert said[0].getMessage() == "pairs is the data desk@1 was trained on: its figures say nothing of new text"
    assert note(said[0]) == ("评估数据是模型 desk@1 的训练数据：在它上面的成绩不说明模型对新文本的表现；"
                             "请用模型没有学过的文本评估")
    # The training file sorted in Excel, or with a label corrected, is the training data still: it was warned of
    # only for the same rows in the same order. The model file keeps the fingerprint, so a model loaded knows it.
    relabeled = [(text, "other" if i == 0 else label) for i, (text, label) in enumerate(pairs)]
    for n, again in enumerate((sorted(pairs), relabeled, pairs + pairs[:3])):
        caplog.clear()
        with caplog.at_level("WARNING", logger="consumer_nlp"):
            cn.evaluate(cn.load(cn.save(model, tmp_path / f"m{n}.cnlp")), again)
        assert any(getattr(r, "kind", None) == "training_data" for r in caplog.records)
    caplog.clear()
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.evaluate(model, pairs[:-1])
    assert not any(getattr(r, "kind", None) == "training_data" for r in caplog.records)


def test_evaluating_on_the_data_a_model_was_calibrated_on_is_warned_of(small_corpus, caplog):
    # `train --calibration-data 校准.csv` then `evaluate model 校准.csv` (the set a desk put aside) printed its
    # calibration error without a word, though the model's confidence was fitted on those very texts and the model
    # keeps their fingerprint.
    from consumer_nlp.messages import note

    pairs = list(zip(*small_corpus))
    trained, held = pairs[::2], pairs[1::2]
    model = cn.train(trained, cv=0, calibration_data=held)
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.evaluate(model, sorted(held), model_name="desk@1")
    said = [r for r in caplog.records if getattr(r, "kind", None) == "calibration_data"]
    assert len(said) == 1 and said[0].model == "desk@1", [r.getMessage() for r in caplog.records]
    assert note(said[0]) == ("评估数据是模型 desk@1 的校准数据：模型没有学过这些文本，准确率和 F1 照常可信；但置信度是按它们校准的，"
                             "校准误差（ECE）会比在新文本上偏低")
    for other in (trained, held[:-1]):  # the training data is said as such; a part of the set is not the set
        caplog.clear()
        with caplog.at_level("WARNING", logger="consumer_nlp"):
            cn.evaluate(model, other)
        assert not any(getattr(r, "kind", None) == "calibration_data" for r in caplog.records)


def test_a_terminal_table_keeps_each_row_on_one_line():
    # models compare printed a disagreeing text with a line break over two lines, its tab out of line.
    from consumer_nlp._evaluate import text_table

    from consumer_nlp._unicode import display_width

    table = pd.DataFrame({"where": ["row 2", "row 3", "row 4"],
                          "渠道\n来源": ["冰箱坏了\n又漏水\t三次", "a\rb\x0bc\u2028d\x1b[31me", "e\u0301\u200b冰"]})
    lines = text_table(table, indent="")
    assert len("\n".join(lines).splitlines()) == 4 and "渠道\\n来源" in lines[0]
    assert "冰箱坏了\\n又漏水\\t三次" in lines[1] and "a\\rb\\x0bc\\u2028d\\x1b[31me" in lines[2]
    assert len({display_width(line) for line in lines}) == 1  # a combining accent and a zero-width space take no place


def test_evaluation_data_with_conflicting_labels_is_warned_of(small_model, caplog):
    # One text labeled two ways is always counted wrong once; training warned of it, evaluate and compare did not.
    pairs = [("冰箱不制冷，修了三次还是坏", "quality"), ("冰箱不制冷，修了三次还是坏", "safety"), ("秤不准，少了二两", "price_measurement")]
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.evaluate(small_model, pairs)
        cn.compare({"a": small_model, "b": small_model}, pairs)  # said once, not once a model
    said = [r.getMessage() for r in caplog.records if "conflicting" in r.getMessage()]
    assert len(said) == 2 and all(m.startswith("1 conflicting labels, one of each counted wrong") for m in said)


def test_rows_without_a_label_are_left_out_of_the_figures_and_said_by_count_and_place(small_model, labeled, caplog):
    # A desk labels a sample of its archive and evaluates on it: 700 unlabeled rows of 1,000 stopped evaluate whole.
    unlabeled = labeled.assign(label=[None if i % 2 else " " for i in range(len(labeled))])
    mixed = pd.concat([labeled, unlabeled, unlabeled]).sort_index(kind="stable").reset_index(drop=True)
    whole = evaluate(small_model, labeled, by="channel")
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        part = evaluate(small_model, mixed, by="channel")
    assert part.metrics["n"] == len(labeled) and part.metrics["confusion_matrix"] == whole.metrics["confusion_matrix"]
    assert [part.metrics[k] for k in ("accuracy", "macro_f1")] == [whole.metrics[k] for k in ("accuracy", "macro_f1")]
    assert {group: g["n"] for group, g in part.groups.items()} == {group: g["n"] for group, g in whole.groups.items()}
    said = [r for r in caplog.records if getattr(r, "kind", None) == "unlabeled"]
    assert len(said) == 1 and said[0].use == "evaluation" and len(said[0].places) == 2 * len(labeled)
    assert said[0].places[:3] == ["row 2", "row 3", "row 5"]
    assert said[0].getMessage().startswith(f"DataFrame: {2 * len(labeled)} row(s) without a label were left out of "
                                           f"the evaluation (row 2, row 3, row 5, row 6, row 8, …)")
    with pytest.raises(ValueError, match=r"no labeled rows to evaluate on: none of its 30 row\(s\) has a label"):
        evaluate(small_model, unlabeled)


def test_rows_marked_not_labeled_are_left_out_of_the_figures_and_of_their_groups(small_model, labeled, caplog):
    # A desk's 待定 or / in a label cell stopped evaluate (and `--by`) as an unknown label; such rows are left out of
    # the figures and of each group's, and said as rows without a label are; a file of marks only is refused so.
    marked = labeled.assign(label=["待定" if i % 2 else "／" for i in range(len(labeled))], channel="<网站>")
    mixed = pd.concat([labeled, marked]).sort_index(kind="stable").reset_index(drop=True)
    whole = evaluate(small_model, labeled, by="channel")
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        part = evaluate(small_model, mixed, by="channel")
    assert part.metrics["n"] == len(labeled) and part.metrics["confusion_matrix"] == whole.metrics["confusion_matrix"]
    assert {group: g["n"] for group, g in part.groups.items()} == {group: g["n"] for group, g in whole.groups.items()}
    said = [r for r in caplog.records if getattr(r, "kind", None) == "unlabeled"]
    assert len(said) == 1 and said[0].places[:3] == ["row 2", "row 4", "row 6"]
    with pytest.raises(LabeledDataError, match=r"none of its 30 row\(s\) has a label; 30 are marked as not labeled "
                                               r"yet: '／' 15, '待定' 15") as error:
        evaluate(small_model, marked, by="channel")
    assert error.value.problem == "no_labeled_rows"


def test_groups_of_fewer_than_30_texts_are_marked_under_their_table_not_hidden(small_model, labeled, small_corpus):
    # `--by 月份` showed groups of 3 to 8 texts with macro-F1 and ECE to three decimals, without a word that they
    # decide nothing (the web's 比较 page warns below 30 texts).
    from consumer_nlp._evaluate import ENOUGH_TEXTS

    note = f"其中 2 组不足 {ENOUGH_TEXTS} 条文本，它们的指标说明不了什么，不要据此下结论"
    evaluation = evaluate(small_model, labeled, by="channel")  # 20 and 10 texts
    assert ENOUGH_TEXTS == 30 and [g["n"] for g in evaluation.groups.values()] == [20, 10]
    lines = str(evaluation).splitlines()
    table = lines.index("  按 channel 分组")
    assert lines[table + 4] == f"  {note}。" and lines[table + 2].split()[:2] == ["热线", "20"]
    assert f"{note}。" in evaluation.to_markdown().split("**按 channel 分组**")[1]
    assert f"{note}。" in evaluation.to_html().split("按 channel 分组")[1]
    texts, labels = small_corpus
    big = evaluate(small_model, pd.DataFrame({"text": texts, "label": labels,
                                              "channel": ["热线" if i % 2 else "网站" for i in range(len(texts))]}),
                   by="channel")
    assert "不足" not in str(big) + big.to_markdown() + big.to_html()


def test_evaluating_against_a_tagged_files_own_tags_is_warned_of(small_model, labeled, caplog):
    # `evaluate default archive.tagged.csv --label-col category_zh` scored the model against the answers it wrote,
    # 1.000, without a word.
    from consumer_nlp.tagging import tag_frame

    def own_tags(data, **options):
        caplog.clear()
        with caplog.at_level("WARNING", logger="consumer_nlp"):
            evaluation = evaluate(small_model, data, **options)
        return evaluation, [r for r in caplog.records if getattr(r, "kind", None) == "own_tags"]

    tagged = tag_frame(small_model, labeled, "text")  # the desk's label column kept beside the tags
    for column in ("category_zh", "category"):
        evaluation, said = own_tags(tagged, label_col=column)
        assert evaluation.metrics["accuracy"] == 1.0 and len(said) == 1 and said[0].column == column
        assert said[0].getMessage() == (
            f"DataFrame: the labels (column {column!r}) are the tags a model wrote, except where a person corrected "
            f"them: the figures say how well the model agrees with them (with itself, if it tagged the file), not "
            f"how right it is")
    assert own_tags(tagged)[1] == []  # the desk's own labels, found by name
    assert own_tags(labeled.rename(columns={"label": "category"}), label_col="category")[1] == []  # no tagged file


def test_repeated_texts_in_evaluation_data_are_warned_of_and_still_counted(small_model, labeled, caplog):
    # A complaint pasted 30 times weighed 30 in every figure without a word: evaluate warned of conflicts only.
    from consumer_nlp.messages import note

    repeated = pd.concat([labeled, labeled.iloc[[3] * 30], labeled.iloc[[7]]], ignore_index=True)
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        evaluation = evaluate(small_model, repeated)
    assert evaluation.metrics["n"] == len(labeled) + 31  # counted as they are: the figures are the data's
    said = [r for r in caplog.records if getattr(r, "kind", None) == "duplicates"]
    assert len(said) == 1 and said[0].use == "evaluation" and len(said[0].places) == 31
    assert said[0].places[:2] == [("row 31", "row 4"), ("row 32", "row 4")]
    assert said[0].getMessage().startswith("31 duplicate text(s), each counted in the figures, which weigh those "
                                           "texts more than once (row 31 repeats row 4; ")
    assert note(said[0]).startswith("评估数据里有 31 条文本与前面的一行重复，每条都计入了指标，这些文本在指标里不止算一次"
                                    "（第 31 行重复第 4 行；")


def test_evaluation_data_holding_part_of_the_training_data_is_warned_of_with_its_share(small_corpus, labeled, caplog,
                                                                                       tmp_path):
    # The model kept digests of its training data whole, so the training file with new rows added, or a part of it,
    # was evaluated on without a word, its figures too high by as much as it held of the training texts.
    from consumer_nlp.messages import note

    pairs = list(zip(*small_corpus))
    new = list(zip(labeled["text"], labeled["label"]))  # 30 texts the model is not trained on
    model = cn.load(cn.save(cn.train(pairs, cv=0), tmp_path / "m.cnlp"))  # as a desk has it: from its file

    def trained_on(data):
        caplog.clear()
        with caplog.at_level("WARNING", logger="consumer_nlp"):
            cn.evaluate(model, data, model_name="desk@1")
        return [r for r in caplog.records if getattr(r, "kind", None) == "trained_texts"]

    said = trained_on(new + [(f"  {text}", label) for text, label in pairs[:10]])  # 10 of 40 rows, a space before
    assert len(said) == 1 and (said[0].rows, said[0].trained) == (40, 10) and said[0].share == 0.25
    assert "pairs: 10 of its 40 rows (25%) hold texts desk@1 was trained on" in said[0].getMessage()
    assert note(said[0]).startswith("评估数据里有 10 行（占 25%）的文本是模型 desk@1 训练时学过的：指标因此偏高")
    said = trained_on(pairs[:60])  # a part of the training data: all of it trained on
    assert len(said) == 1 and said[0].share == 1.0
    assert trained_on(new + pairs[:1]) == []  # one text in 31, 3%: below the share warned of
    assert trained_on(pairs) == []  # the training data itself, said as it was (训练数据)
    # the registry's metadata.json, which `models show` prints, keeps the fingerprint without the hashes
    registry = cn.ModelRegistry(tmp_path / "reg")
    registry.save(model, "desk")
    shown = registry.info("desk")["training_data"]
    assert "text_hashes" not in shown and shown["rows"] == len(pairs)
    assert registry.load("desk").training_data_ == model.training_data_


def test_categories_the_data_holds_but_the_model_cannot_give_are_warned_of(small_corpus, labeled, caplog):
    # A model trained without examples of 其他 never gives it: the desk's 其他 rows showed recall 0.000 and counted
    # wrong without a word, read as the model being bad at 其他 rather than not knowing it (training warns of it).
    from consumer_nlp.messages import note

    pairs = [(text, label) for text, label in zip(*small_corpus) if label != "other"]
    model = cn.train(pairs, cv=0)
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        result = cn.evaluate(model, labeled, model_name="desk@2")
    said = [r for r in caplog.records if getattr(r, "kind", None) == "unknown_to_model"]
    assert len(said) == 1 and said[0].labels == ["other"] and said[0].rows == 5 and said[0].model == "desk@2"
    assert "5 row(s) are labeled other, which desk@2 never gives" in said[0].getMessage()
    assert note(said[0]) == ("评估数据里有 5 行的类别是「其他」，模型 desk@2 不会给出这些类别（训练时没有它们的例子）："
                             "这些行都计为判断错误")
    assert result.metrics["per_class"]["other"]["recall"] == 0.0
    caplog.clear()
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.evaluate(model, labeled[labeled["label"] != "other"])
    assert not any(getattr(r, "kind", None) == "unknown_to_model" for r in caplog.records)


@needs_font
def test_the_html_report_says_what_the_terminal_warned_of(small_model, labeled, caplog):
    # The report a desk passes on said 共 28 条 and nothing of the 2 rows left out for want of a label, nor of the
    # texts repeated: only the terminal's warnings did, which are gone once the window is closed.
    data = labeled.copy()
    data.loc[[1, 3], "label"] = ""
    data = pd.concat([data, data.iloc[[0]]], ignore_index=True)  # row 31 repeats row 1
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        page = evaluate(small_model, data, by="channel").to_html()
    assert "共 29 条" in page
    assert "标注数据里有 2 行没有填类别，没有计入评估（第 2 行、第 4 行）" in page
    assert "评估数据里有 1 条文本与前面的一行重复" in page
    assert evaluate(small_model, labeled).to_html().count('class="note"') == 0  # nothing to say: nothing said


def test_the_report_says_what_was_warned_of_whatever_the_users_logging(small_model, labeled):
    # A script that had set Python's logging to errors only (its own handler, the library's logger at ERROR) got a
    # report saying 共 28 条 and nothing of the 2 rows left out: the report kept only the warnings logging let through.
    # The user's handler still gets none of them: the level chosen is kept.
    data = labeled.copy()
    data.loc[[1, 3], "label"] = ""
    logger, theirs = logging.getLogger("consumer_nlp"), []
    handler = logging.Handler(logging.ERROR)
    handler.emit = theirs.append
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    try:
        evaluation = evaluate(small_model, data)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
    assert "标注数据里有 2 行没有填类别，没有计入评估（第 2 行、第 4 行）" in evaluation.to_html()
    assert "标注数据里有 2 行没有填类别" in evaluation.to_markdown()
    assert theirs == []


def test_rows_labeled_in_doubt_are_left_out_and_said_counted_in_the_summary(small_model, labeled, caplog):
    # 质量问题？ (a desk's doubt) was scored as quality, without a word (helper g10's entry): such rows are left out
    # of the figures as rows not labeled yet are, and the summary counts them with their labels as written.
    data = labeled.copy()
    data.loc[[1, 3, 5], "label"] = ["质量问题？", "", "safety?"]
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        evaluation = evaluate(small_model, data)
    assert evaluation.metrics["n"] == len(labeled) - 3
    said = [r for r in caplog.records if getattr(r, "kind", None) == "unlabeled"]
    assert len(said) == 1 and said[0].marks == {"质量问题？": 1, "safety?": 1}
    assert "3 row(s) without a label, or labeled in doubt ('质量问题？' 1, 'safety?' 1), were left out" in \
        said[0].getMessage()
    assert ("标注数据里有 3 行没有填类别或类别存疑，没有计入评估（第 2 行、第 4 行、第 6 行）；其中 2 行的类别带问号："
            "「质量问题？」1 行、「safety?」1 行，确定后删去问号即可计入") in evaluation.to_markdown()


def test_the_markdown_of_an_evaluation_says_what_the_terminal_warned_of(small_model, labeled, caplog):
    # A model card written from to_markdown said the figures of 28 rows and nothing of the 2 left out.
    data = labeled.copy()
    data.loc[[1, 3], "label"] = ""
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        text = evaluate(small_model, data).to_markdown()
    assert "标注数据里有 2 行没有填类别，没有计入评估（第 2 行、第 4 行）" in text
    assert "注意" not in evaluate(small_model, labeled).to_markdown()


def test_a_long_value_without_spaces_wraps_in_the_report_s_table(small_model, labeled):
    # A --by value of 300 characters with no space stretched the table past the page: cells did not wrap.
    data = labeled.copy()
    data["channel"] = "https://example.com/" + "x" * 280
    page = evaluate(small_model, data, by="channel").to_html()
    assert "x" * 280 in page
    style = page[page.index("<style>"):page.index("</style>")]
    assert re.search(r"(^|[}\s,])td[^{]*\{[^}]*overflow-wrap:\s*anywhere", style)


def test_compare_refuses_a_model_named_as_a_column_of_the_rows_that_differ(small_model):
    # compare({"label": m, "b": m2}, …) put the model's answers in the rows' label column, in place of the desk's
    # labels, and gave the model no column of its own ({"where": …, "text": …}: neither model had one).
    pairs = [("秤不准，少了二两", "price_measurement"), ("屏幕坏了", "quality")]
    for name in ("where", "text", "label"):
        with pytest.raises(ValueError, match=rf"models\['{name}'\]: .*where, text and label.*another name"):
            cn.compare({name: small_model, "b": cn.load()}, pairs)


def test_compare_keeps_what_it_warned_of_with_its_two_tables(small_corpus, small_model, labeled):
    # compare warned through logging alone: a script (and the web's 比较 page) got its two tables and no word of a
    # category one model never gives, nor of texts repeated; evaluate keeps them as Evaluation.warned.
    pairs = [(text, label) for text, label in zip(*small_corpus) if label != "other"]
    without_other = cn.train(pairs, cv=0)
    data = pd.concat([labeled, labeled.iloc[[0]]], ignore_index=True)  # row 31 repeats row 1
    result = cn.compare({"all": small_model, "desk@2": without_other}, data)
    figures, disagreements = result  # unpacked as before: two tables
    assert list(figures.columns) == ["all", "desk@2"] and figures is result.figures
    assert disagreements is result.disagreements
    assert ("评估数据里有 5 行的类别是「其他」，模型 desk@2 不会给出这些类别（训练时没有它们的例子）："
            "这些行都计为判断错误") in result.warned
    assert sum("重复" in said for said in result.warned) == 1, result.warned  # said once, not once a model
    assert len(result.warned) == 2, result.warned
    assert cn.compare({"all": small_model}, labeled).warned == []  # nothing to say: nothing said


def test_an_evaluation_of_a_chosen_sheet_names_the_sheet_it_measured(tmp_path, small_model, write_workbook):
    # A desk measuring each month's sheet of one workbook (--sheet 一月, then --sheet 2) got two reports each saying
    # 数据 h.xlsx: nothing told which sheet a report's figures were of.
    rows = [["投诉内容", "类别"], ["秤不准，少了二两", "价格/计量"], ["面包里有头发", "安全问题"]]
    path = write_workbook(tmp_path / "h.xlsx", {"一月": rows, "二月": rows[:1] + rows[:0:-1]})
    for sheet, name in (("一月", "一月"), (2, "二月")):
        evaluation = cn.evaluate(small_model, path, sheet=sheet)
        assert evaluation.data_name == f"{path}（表「{name}」）", evaluation.data_name
        assert str(evaluation).startswith(f"模型 model 在 {path}（表「{name}」） 上（2 条）")
        assert f"数据 <b>{path}（表「{name}」）</b>" in evaluation.to_html()
    alone = write_workbook(tmp_path / "one.xlsx", {"一月": rows})
    assert cn.evaluate(small_model, alone).data_name == str(alone)  # one sheet with data: the file names it
