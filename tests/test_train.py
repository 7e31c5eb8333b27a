"""Training from labeled data (train) and the held-out figures it attaches (cross_validate)."""
import pandas as pd
import pytest

import consumer_nlp as cn
from consumer_nlp import LabeledDataError, read_labeled
from consumer_nlp._train import cross_validate
from consumer_nlp.messages import headline


def test_grouped_cross_validation_holds_each_group_out_together(small_corpus):
    texts, labels = small_corpus
    pairs = [(t, l) for t, l in zip(texts, labels) if l in ("quality", "safety", "financial")][:90]
    texts, labels = [t for t, _ in pairs], [l for _, l in pairs]
    # Grouped by label, every fold tests on a label its model never saw: nothing can be right.
    grouped = cross_validate(cn.ComplaintClassifier(cv=3), texts, labels, cv=3, groups=labels)
    assert grouped["n"] == len(texts) and grouped["accuracy"] == 0.0
    assert cross_validate(cn.ComplaintClassifier(cv=3), texts, labels, cv=3)["accuracy"] > 0.5


def test_training_data_of_rows_marked_not_labeled_is_refused_naming_the_marks(small_corpus, tmp_path, write_csv):
    # A row whose label cell a desk marked 待定 stopped training as an unknown label; such rows are left out as rows
    # without a label are, and a file of more marks than labels is refused as mostly unlabeled, saying the marks.
    from consumer_nlp.messages import headline

    pairs = list(zip(*small_corpus))
    model = cn.train(pairs + [("第1件投诉，还没有标注", "待定"), ("第2件投诉，还没有标注", "N/A")], cv=0)
    assert model.training_data_ == read_labeled(pairs).fingerprint(per_text=True)
    rows = [["text", "label"], ["漏水", "quality"], ["冒烟", "待定"], ["掉色", "／"], ["秤不准", "待定"]]
    with pytest.raises(LabeledDataError) as error:
        cn.train(write_csv(tmp_path / "marks.csv", rows), cv=0)
    assert error.value.problem == "mostly_unlabeled" and error.value.details["marks"] == {"待定": 2, "／": 1}
    said = str(error.value)
    assert "only 1 of the 4 rows have a label (3 are marked as not labeled yet: '待定' 2, '／' 1), the first" in said
    said = headline(error.value, {"label_col": "--label-col"})
    assert "3 行没有填（填的是表示还没有标注的记号：「待定」2 行、「／」1 行）" in said, said


def test_train_refuses_bad_rows_before_training(tmp_path, write_csv):
    rows = [["text", "label"]] + [[f"第{i}条投诉，东西坏了", "quality"] for i in range(12)]
    rows[7][1] = "bogus"
    rows[12][0] = ""
    with pytest.raises(LabeledDataError) as error:
        cn.train(write_csv(tmp_path / "t.csv", rows))
    assert [where for where, _ in error.value.problems] == ["row 8", "row 13"]


def test_train_leaves_out_rows_without_a_label_but_refuses_a_file_mostly_without(small_corpus, caplog):
    # A row without a label stopped training whole ("the label is empty"). Rows left unlabeled are left out and
    # said; a label column empty in most rows is more likely the wrong column or sheet, and is refused.
    pairs = list(zip(*small_corpus))
    some = pairs + [(f"第{i}件投诉，还没有标注", "") for i in range(100)]
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        model = cn.train(some, cv=0)
    assert model.training_data_ == read_labeled(pairs).fingerprint(per_text=True)
    said = [r for r in caplog.records if getattr(r, "kind", None) == "unlabeled"]
    assert len(said) == 1 and said[0].use == "training" and said[0].places[0] == f"row {len(pairs) + 1}"
    mostly = pairs[:100] + [(f"第{i}件投诉，还没有标注", None) for i in range(101)]
    with pytest.raises(LabeledDataError) as error:
        cn.train(mostly, cv=0)
    assert error.value.problem == "mostly_unlabeled"
    assert error.value.details == {"labeled": 100, "unlabeled": 101, "column": None}
    assert "only 100 of the 201 rows have a label" in str(error.value)


def test_train_attaches_cross_validated_metrics(small_corpus, caplog):
    texts, labels = small_corpus
    with caplog.at_level("INFO", logger="consumer_nlp"):
        model = cn.train(list(zip(texts, labels)), cv=3)
    # Its progress was logged in Chinese (3 折交叉验证：第 1 折), which a script logging at INFO read so: English, with
    # its kind for a front end that says it in its own words (the command line, in Chinese, from messages).
    progress = [(r.getMessage(), r.kind) for r in caplog.records if r.levelname == "INFO"]
    assert progress == [("cross-validation: fold 1 of 3", "fold"), ("cross-validation: fold 2 of 3", "fold"),
                        ("cross-validation: fold 3 of 3", "fold"), (f"fitting on all {len(texts)} texts", "fit_all")]
    metrics = model.cv_metrics_
    assert metrics["n"] == len(texts) and metrics["folds"] == 3
    # 40 texts of each category: every one is predicted once, in the fold that holds it out
    assert {label: figures["support"] for label, figures in metrics["per_class"].items()} == dict.fromkeys(
        cn.CATEGORIES, 40)
    assert [sum(row) for row in metrics["confusion_matrix"]] == [40] * 6  # rows are the true labels
    # held-out figures: below the score on the texts the final model was fitted on
    assert metrics["accuracy"] < model.score(texts, labels)
    assert model.training_data_ == read_labeled(list(zip(texts, labels))).fingerprint(per_text=True)


def test_data_too_small_for_its_folds_or_empty_says_so(small_corpus, tmp_path):
    # Three examples of a label under cv=5 were called "too few" although fit takes three: the folds
    # train on four fifths of them. A file with a header and no rows: "Found array with 0 sample(s)".
    texts, labels = small_corpus
    rare = [i for i, label in enumerate(labels) if label == "safety"][:3]
    keep = [i for i, label in enumerate(labels) if label != "safety"] + rare
    data = [(texts[i], labels[i]) for i in keep]
    with pytest.raises(ValueError, match=r"cross-validation in 5 folds needs at least 4 examples of each label.*"
                                         r"safety \(3\).*cv=0"):
        cn.train(data, cv=5)
    assert "safety" in cn.train(data, cv=0).classes_
    (tmp_path / "empty.csv").write_text("text,label\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no labeled rows"):
        cn.train(tmp_path / "empty.csv")


def test_too_few_examples_for_the_folds_advises_what_would_train(small_corpus, tmp_path, write_csv, capsys):
    # A desk with three examples of a label was told 或用 --cv 指定较少的折数: fewer folds each train on less, so
    # --cv 3 then asked for 5 examples and --cv 2 for 6. Only more folds (to 4) or --cv 0 go on.
    from consumer_nlp.cli import main

    texts, labels = small_corpus
    safety = [t for t, label in zip(texts, labels) if label == "safety"]
    others = [(t, label) for t, label in zip(texts, labels) if label != "safety"]
    source = write_csv(tmp_path / "labeled.csv", [["text", "label"]] + [[t, "safety"] for t in safety[:3]]
                       + [list(pair) for pair in others])
    assert main(["train", str(source), "--cv", "3", "-o", str(tmp_path / "m.cnlp")]) == 2
    first = next(line for line in capsys.readouterr().err.splitlines() if "错误" in line)
    assert "较少的折数" not in first and "或用 --cv 0（不做交叉验证）后再运行" in first, first
    with pytest.raises(LabeledDataError) as error:  # five of a label: 2 folds need 6, 3 folds need 5
        cn.train(others + [(t, "safety") for t in safety[:5]], cv=2)
    assert error.value.details["folds"] == 3 and "pass cv=3" in str(error.value)
    assert "或用 cv=3（3 折交叉验证" in headline(error.value, {})
    with pytest.raises(LabeledDataError) as error:  # two of a label: nothing but examples will do
        cn.train(others + [(t, "safety") for t in safety[:2]], cv=5)
    assert "folds" not in error.value.details and "cv=0" not in str(error.value)
    assert headline(error.value, {}).endswith("请给这些类别补充例子后再运行"), headline(error.value, {})


def test_group_col_reaches_the_folds_and_is_checked_before_any_work(small_corpus, monkeypatch):
    # train(group_col=...) calibrated the saved model on grouped folds but its cross-validated figures
    # came from fold models calibrated without groups; a column of one value failed after all the folds.
    import pandas as pd

    from consumer_nlp import _classifier

    texts, labels = small_corpus
    frame = pd.DataFrame({"text": texts, "label": labels, "src": [("shop", "hotline", "forum")[i % 3]
                                                                  for i in range(len(texts))]})
    seen = []
    fit = _classifier.ComplaintClassifier.fit

    def recording_fit(self, X, y, groups=None, calibration=None):
        seen.append(groups is not None)
        return fit(self, X, y, groups=groups, calibration=calibration)

    monkeypatch.setattr(_classifier.ComplaintClassifier, "fit", recording_fit)
    cn.train(frame, cv=3, group_col="src")
    assert seen == [True] * 4  # three fold models and the final one
    seen.clear()
    with pytest.raises(ValueError, match="group_col=.*src.*two different"):
        cn.train(frame.assign(src=""), cv=3, group_col="src")
    assert seen == []


def test_a_group_column_nearly_all_one_value_is_told_before_any_work(small_corpus, monkeypatch):
    # 239 texts from 门店 and one from 网站: holding 门店 out left one text to learn from, and training
    # ended, after its folds, in scikit-learn's "n_splits=2 greater than the number of samples: n_samples=1".
    import pandas as pd

    from consumer_nlp import _classifier

    texts, labels = small_corpus
    frame = pd.DataFrame({"text": texts, "label": labels, "src": ["门店"] * (len(texts) - 1) + ["网站"]})
    fits = []
    monkeypatch.setattr(_classifier.ComplaintClassifier, "fit", lambda self, *a, **k: fits.append(1))
    with pytest.raises(ValueError, match="group_col=.*src.*门店.*1 text"):
        cn.train(frame, cv=3, group_col="src")
    assert fits == []
    monkeypatch.undo()
    with pytest.raises(ValueError, match="groups: .*门店.*1 text"):
        cn.ComplaintClassifier(cv=3).fit(texts, labels, groups=list(frame["src"]))


def test_a_group_column_that_gives_each_label_its_own_groups_is_refused(small_corpus):
    # --group-col label trained and saved a model that sent every text to review: each fold held a label
    # out whole, so no fold model had seen the label of a text it was calibrated on.
    import pandas as pd

    texts, labels = small_corpus
    frame = pd.DataFrame({"text": texts, "label": labels, "科室": [f"{label}科" for label in labels]})
    for column, said in (("label", "the column of groups, 'label', is the label column"),
                         ("科室", "group_col=.*科室.*split the labels")):  # the label column itself: before any work
        with pytest.raises(ValueError, match=said):
            cn.train(frame, cv=0, group_col=column)


def test_calibration_data_that_was_trained_on_is_refused(small_corpus):
    # --calibration-data promises writing never trained on; the training file itself was accepted.
    pairs = list(zip(*small_corpus))
    with pytest.raises(ValueError, match="calibration data.*3 of its texts are in the training data"):
        cn.train(pairs, cv=0, calibration_data=pairs[:3] + [("一段训练里没有的文字，东西坏了", "quality")])


def test_calibration_data_read_from_a_chosen_sheet_and_header_row(small_corpus, tmp_path, write_workbook):
    # The calibration data could only be a CSV or a one-sheet workbook: train() read it with the
    # default sheet and header row, and data already read (LabeledData) was taken for pairs.
    texts, labels = small_corpus
    held = [("这家店的秤少了二两，找老板理论还骂人", "price_measurement"), ("充电器用了一周就冒烟烧焦了", "safety"),
            ("包装上写有机蔬菜，检测报告根本不是", "false_advertising")]
    book = write_workbook(tmp_path / "校准.xlsx", {"说明": [["按标注指南标注"]],
                                                  "校准": [["2025年校准集"], ["text", "label"], *held]})
    calibration = cn.read_labeled(book, sheet="校准", header_row=2)
    model = cn.train(list(zip(texts, labels)), cv=0, calibration_data=calibration)
    assert model.training_data_["calibration_data"] == calibration.fingerprint()
    assert model.training_data_["calibration_data"]["rows"] == 3
    with pytest.raises(ValueError, match="group_col=.*already read"):
        cn.read_labeled(calibration, group_col="source")


def test_numpy_whole_numbers_are_numbers_and_corrections_must_be_a_dict(small_corpus):
    # train(cv=np.int64(3)) was refused although fit takes numpy numbers; corrections as a list
    # failed with AttributeError.
    import numpy as np

    pairs = list(zip(*small_corpus))
    assert cn.train(pairs, cv=np.int64(3)).cv_metrics_["folds"] == 3
    with pytest.raises(TypeError, match=r"corrections=.*\{text: label\}"):
        cn.train(pairs, cv=0, corrections=[("漏水", "quality")])


def test_calibration_texts_that_differ_from_training_ones_only_in_spaces_or_width_are_refused(small_corpus):
    # The overlap check compared raw strings: the training texts with a trailing space were accepted as
    # writing never trained on, and made the model surer than it is.
    pairs = list(zip(*small_corpus))
    copies = [(text + " ", label) for text, label in pairs[:2]] + [("\u3000" + pairs[2][0], pairs[2][1])]
    with pytest.raises(ValueError, match="calibration data.*3 of its texts are in the training data"):
        cn.train(pairs, cv=0, calibration_data=copies + [("一段训练里没有的文字，东西坏了", "quality")])


def test_data_with_nothing_to_learn_or_too_few_rows_for_the_folds_is_told_in_our_words(tmp_path):
    # scikit-learn's words reached the user: "empty vocabulary; perhaps the documents only contain stop
    # words", "Cannot have number of splits n_splits=200 greater than the number of samples", and
    # evaluating a file with a header only: "no texts to score: got an empty list", naming no file.
    stop_words = [("的了", "quality"), ("了的", "safety"), ("吗呢", "other")] * 4
    with pytest.raises(ValueError, match="nothing to learn from") as caught:
        cn.ComplaintClassifier(cv=2).fit(*zip(*stop_words))
    assert "vocabulary" not in str(caught.value)
    pairs = [(f"{chr(0x4E00 + i)}投诉：商品坏了" if i % 2 else f"{chr(0x4E00 + i)}投诉：信用卡乱扣费",
              "quality" if i % 2 else "financial") for i in range(150)]  # (numbers would read alike: NUM)
    with pytest.raises(ValueError, match="cv=200 folds need at least 200 texts; there are 150"):
        cn.train(pairs, cv=200)
    (tmp_path / "empty.csv").write_text("text,label\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"(?s)empty.csv: .*no labeled rows to evaluate on") as caught:
        cn.evaluate(cn.load(), tmp_path / "empty.csv")
    assert caught.value.problem == "no_labeled_rows"


def test_conflicting_labels_are_counted_in_one_warning(small_corpus, caplog):
    # A warning a conflict: --text-col naming a column of a few values (a channel) printed 69,658
    # warnings, 7.7 MB, before saving a model trained on the channel names.
    from consumer_nlp import CATEGORIES

    texts, labels = small_corpus
    pairs = list(zip(texts, labels)) + [("热线", label) for label in list(CATEGORIES) * 40]
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.train(pairs, cv=0)
    said = [r.getMessage() for r in caplog.records if "conflicting" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("200 conflicting labels") and said[0].count("labeled") == 5


def test_labeled_data_without_a_category_is_warned_of(small_corpus, caplog, capsys, tmp_path):
    # It trained without a word: the model could never say 安全问题, and tagging reported 0 of it. Then the library
    # warned 训练数据里没有「安全问题」的例子：… beside its English, which another front end could not word: its kind
    # says it, and messages words it for a desk.
    from consumer_nlp.cli import main
    from consumer_nlp.messages import note

    texts, labels = small_corpus
    kept = [(t, label) for t, label in zip(texts, labels) if label not in ("safety", "false_advertising")]
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.train(kept, cv=0)
    said = [r for r in caplog.records if getattr(r, "kind", None) == "absent_labels"]
    assert len(said) == 1 and said[0].labels == ["safety", "false_advertising"]
    english = "no example of safety, false_advertising in the training data: the model will never give them"
    assert said[0].getMessage() == english
    assert note(said[0]) == "训练数据里没有「安全问题」、「虚假宣传」的例子：这个模型永远不会给出这些类别"
    caplog.clear()
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.train(list(zip(texts, labels)), cv=0)
    assert not any(getattr(r, "kind", None) == "absent_labels" for r in caplog.records)
    pd.DataFrame(kept, columns=["text", "label"]).to_csv(tmp_path / "l.csv", index=False)
    assert main(["train", str(tmp_path / "l.csv"), "-o", str(tmp_path / "m.cnlp"), "--cv", "0"]) == 0
    err = capsys.readouterr().err.splitlines()
    said = err.index("注意：训练数据里没有「安全问题」、「虚假宣传」的例子：这个模型永远不会给出这些类别。")
    assert err[said + 1] == f"  {english}"


def test_a_model_trained_on_few_texts_is_warned_of_with_what_was_measured(small_corpus, caplog, capsys, tmp_path,
                                                                          monkeypatch):
    # A desk trained on 60 rows with --cv 0 and got a model file with no word that it was far weaker than the default
    # one (macro-F1 0.226 against 0.905 on the same rows, helper g4): with cv=0 no figure said so.
    from consumer_nlp import _train
    from consumer_nlp.cli import main
    from consumer_nlp.messages import note

    texts, labels = small_corpus
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.train(list(zip(texts, labels)), cv=0)
    said = [r for r in caplog.records if getattr(r, "kind", None) == "small_training_data"]
    assert len(said) == 1 and said[0].texts == len(set(texts)) == 240
    assert said[0].measured == _train.MEASURED_ON_FEW_TEXTS and said[0].getMessage().startswith(
        "240 different texts to learn from")
    assert note(said[0]).startswith("训练数据只有 240 条不同的文本") and "models compare" in note(said[0])
    caplog.clear()
    monkeypatch.setattr(_train, "FEW_TEXTS", 200)  # as many as that, or more: no word
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.train(list(zip(texts, labels)), cv=0)
    assert not any(getattr(r, "kind", None) == "small_training_data" for r in caplog.records)
    monkeypatch.undo()
    pd.DataFrame({"text": texts, "label": labels}).to_csv(tmp_path / "l.csv", index=False)
    assert main(["train", str(tmp_path / "l.csv"), "-o", str(tmp_path / "m.cnlp"), "--cv", "0"]) == 0
    assert any(line.startswith("注意：训练数据只有 240 条不同的文本") for line in capsys.readouterr().err.splitlines())


CHANNELS = ["热线", "网站", "微信", "来信", "来访", "小程序", "短信", "其他"]


def test_a_text_column_of_a_few_values_is_refused_before_fitting(small_corpus, tmp_path, write_csv, capsys):
    # --text-col naming a channel column trained and saved a model after one warning (a helper's run: 94,200
    # rows of eight channel names, 69,658 conflicts, a model saved).
    from consumer_nlp.cli import main

    texts, labels = small_corpus
    rows = [["渠道", "text", "label"]] + [[CHANNELS[i % 8], t, label] for i, (t, label) in
                                        enumerate(zip(texts, labels))]
    source = write_csv(tmp_path / "labeled.csv", rows)
    with pytest.raises(LabeledDataError, match=r"'渠道'.*240 rows hold 8 different texts.*(\d+) rows label") as error:
        cn.train(source, text_col="渠道", cv=0)
    assert "text_col=…" in str(error.value)
    assert main(["train", str(source), "--text-col", "渠道", "-o", str(tmp_path / "m.cnlp"), "--cv", "0"]) == 2
    err = capsys.readouterr().err
    assert "'渠道'" in err and "--text-col" in err and not (tmp_path / "m.cnlp").exists()
    assert "「渠道」" in err.splitlines()[0] and "--text-col" in err.splitlines()[0]  # said first in Chinese
    with pytest.raises(LabeledDataError, match=r"the texts: 24 rows hold 2 different texts"):
        cn.train([(("漏水", "冒烟")[i % 2], label) for i, label in enumerate(labels[::10])], cv=0)


def test_a_text_column_of_complaint_types_is_refused_before_fitting(small_corpus, tmp_path, write_csv, capsys):
    # --text-col naming a 投诉类型 column spelt otherwise than the categories (质量, 安全, 服务态度) trained when each
    # type kept to one label: no conflicts, so neither the rule on few values nor the one on category names
    # refused it, and the model learned eight words.
    from consumer_nlp.cli import main

    texts, labels = small_corpus
    kinds = {"quality": ["质量", "做工"], "price_measurement": ["计价", "缺斤少两"], "safety": ["安全"],
             "false_advertising": ["广告", "宣传"], "financial": ["金融"], "other": ["服务态度", "物流"]}
    rows = [["投诉类型", "text", "label"]] + [[kinds[label][i % len(kinds[label])], t, label] for i, (t, label) in
                                          enumerate(zip(texts, labels))]
    source = write_csv(tmp_path / "labeled.csv", rows)
    with pytest.raises(LabeledDataError, match=r"'投诉类型'.*240 rows hold 10 different texts.*text_col=…") as error:
        cn.train(source, text_col="投诉类型", cv=0)
    assert error.value.problem == "few_texts"
    model = tmp_path / "m.cnlp"
    assert main(["train", str(source), "--text-col", "投诉类型", "-o", str(model), "--cv", "0"]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert "「投诉类型」" in first and "--text-col" in first and not model.exists()
    repeated = [(t if i % 2 else texts[0], label) for i, (t, label) in enumerate(zip(texts, labels))]
    assert cn.train([(t, labels[0]) if t == texts[0] else (t, label) for t, label in repeated], cv=0)  # half repeats


def test_a_text_column_of_category_names_is_refused_before_fitting(small_corpus, tmp_path, write_csv, capsys):
    # --text-col naming a 问题类型 column (six category names over 240 rows) trained: no conflicting labels, only
    # duplicates, warned of ("234 duplicate text(s)"), and a model was saved.
    from consumer_nlp import CATEGORIES
    from consumer_nlp.cli import main

    texts, labels = small_corpus
    rows = [["问题类型", "text", "label"]] + [[CATEGORIES[label], t, label] for t, label in zip(texts, labels)]
    source = write_csv(tmp_path / "labeled.csv", rows)
    with pytest.raises(LabeledDataError, match=r"(?s)column '问题类型': 240 of 240 rows.*categories, not complaint "
                                               r"texts.*text_col=…") as error:
        cn.train(source, text_col="问题类型", cv=0)
    assert (error.value.problem, error.value.details) == ("categories_as_texts", {"column": "问题类型"})
    with pytest.raises(LabeledDataError, match=r"'label'.*not complaint texts"):  # the label column itself
        cn.train(source, text_col="label", label_col="问题类型", cv=0)  # (not found by name: it is not the texts')
    model = tmp_path / "m.cnlp"
    assert main(["train", str(source), "--text-col", "问题类型", "-o", str(model), "--cv", "0"]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert "「问题类型」" in first and "类别" in first and "--text-col" in first and not model.exists()


def test_texts_are_refused_as_category_names_only_when_most_of_them_are(small_corpus):
    # A stray category name typed as a text (其他) is no reason to refuse a file; a column of them is.
    from consumer_nlp._train import _check_texts_are_not_categories

    texts, labels = small_corpus
    names = ["其他", "Quality", "質量問題", " 价格/计量 "]  # as label_of reads them: any case, script or spacing
    half = [(names[i % 4] if i % 2 else text, label) for i, (text, label) in enumerate(zip(texts, labels))]
    _check_texts_are_not_categories(read_labeled(half))  # 120 of 240: not most
    with pytest.raises(LabeledDataError, match=r"121 of 240 rows"):
        _check_texts_are_not_categories(read_labeled([(names[0], labels[0])] + half[1:]))


def test_training_on_a_tagged_files_own_tags_is_warned_of_in_chinese_first(small_model, small_corpus, tmp_path, capsys):
    # `train archive.tagged.csv --label-col category_zh` learned the answers a model wrote, without a word (evaluate
    # warned of such labels, train did not): the new model copies the other's mistakes.
    from consumer_nlp.cli import main
    from consumer_nlp.tagging import tag_frame

    texts, labels = small_corpus
    tagged_path = tmp_path / "archive.tagged.csv"
    tag_frame(small_model, pd.DataFrame({"投诉内容": texts}), "投诉内容").to_csv(tagged_path, index=False)
    assert main(["train", str(tagged_path), "--label-col", "category_zh", "-o", str(tmp_path / "m.cnlp"),
                 "--cv", "0"]) == 0
    err = capsys.readouterr().err.splitlines()
    said = err.index("注意：类别列「category_zh」是标注结果列，即模型给出的类别（人工改过的行除外）：用它训练，新模型学的是"
                     "那个模型的判断，连同它的错误；请用人工标注的列训练。")
    assert err[said + 1].endswith("are the tags a model wrote, except where a person corrected them: a model trained "
                                  "on them learns that model's answers, its mistakes too")
    tagged_path.write_text(tagged_path.read_text("utf-8").replace("category_zh", "人工类别", 1), "utf-8")
    assert main(["train", str(tagged_path), "--label-col", "人工类别", "-o", str(tmp_path / "n.cnlp"), "--cv", "0"]) == 0
    assert "标注结果列" not in capsys.readouterr().err  # a column a person fills is no tag column


def test_real_labeled_data_with_many_repeated_texts_still_trains(repo_root, caplog):
    # Real labeled data may repeat a text many times (the same short praise) and hold a stray category name.
    import csv

    with open(repo_root / "data" / "complaints.csv", encoding="utf-8") as f:
        pairs = [(row["text"], row["label"]) for row in csv.DictReader(f)][:1000]
    pairs += [("服务很好，谢谢！", "other")] * 200 + [("其他", "other")] * 3
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        model = cn.train(pairs, cv=0)
    assert model.training_data_["rows"] == 1203
    assert any(r.getMessage().startswith("201 duplicate") for r in caplog.records)


def test_labeled_data_with_a_few_duplicates_and_conflicts_still_trains(small_corpus, caplog):
    # Real labeled data repeat some texts (copies, templates) and label a few two ways: warned of, trained on.
    texts, labels = small_corpus
    pairs = list(zip(texts, labels))
    other = {label: next(o for o in labels if o != label) for label in labels}
    pairs += pairs[:30] + [(text, other[label]) for text, label in pairs[30:50]]
    pairs += [("退款七天没到账", "financial")] * 20 + [("退款七天没到账", "other")] * 5  # a template, labeled two ways
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        model = cn.train(pairs, cv=0)
    assert model.training_data_["rows"] == len(pairs) == 315
    said = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("25 conflicting labels") for m in said) and any(m.startswith("49 duplicate") for m in said)


def test_training_data_of_one_label_is_refused_with_the_label_and_its_rows(small_corpus, caplog):
    # It stopped in the first fit with "need at least two labels to learn from" (a plain ValueError), after a warning
    # that five categories have no example, and the command line said it in English alone.
    texts, labels = small_corpus
    quality = [(text, label) for text, label in zip(texts, labels) if label == "quality"]
    for cv in (0, 5):
        caplog.clear()
        with caplog.at_level("WARNING", logger="consumer_nlp"), pytest.raises(LabeledDataError) as error:
            cn.train(quality, cv=cv)
        assert error.value.problem == "one_label"
        assert error.value.details == {"label": "quality", "rows": 40, "column": None}
        assert "all 40 labeled rows are labeled quality: a model learns to tell categories apart" in str(error.value)
        assert not any("no example of" in r.getMessage() for r in caplog.records)  # the error says it, once


def test_a_dataframe_naming_a_column_twice_is_refused_as_a_file_is(small_corpus):
    # Two columns named label (two labelers' passes, frames put side by side) trained on the last one without a word
    # of ours (pandas warned "some columns will be omitted", from inside the library); a file's header so is refused.
    texts, labels = small_corpus
    frame = pd.DataFrame({"text": texts, "first": labels, "second": ["other"] * len(labels)})
    frame.columns = ["text", "label", "label"]
    for read in (cn.read_labeled, lambda data: cn.train(data, cv=0)):
        with pytest.raises(cn.ArchiveError, match=r"DataFrame: the header names column\(s\) \['label'\] more than once"
                           ) as error:
            read(frame)
        assert error.value.problem == "duplicate_columns" and error.value.details["columns"] == ["label"]


def test_a_misspelled_keyword_of_train_is_named_as_trains_before_the_data_is_read(tmp_path, monkeypatch):
    # train(data, text_column="内容") said "ComplaintClassifier.__init__() got an unexpected keyword argument", of a
    # class the caller never named, and only once the whole file was read.
    import consumer_nlp._train as training

    monkeypatch.setattr(training, "read_labeled", lambda *a, **k: pytest.fail("the data was read"))
    with pytest.raises(TypeError, match=r"train\(\) got an unexpected keyword argument 'text_column'.*text_col"):
        cn.train(tmp_path / "labeled.csv", text_column="内容")
    with pytest.raises(ValueError, match=r"C must be a positive number, not -1"):
        cn.train(tmp_path / "labeled.csv", C=-1)


def test_rows_of_a_dataframe_with_an_index_of_its_own_are_named_by_it_too(small_corpus):
    # A frame filtered or sorted before training (index 100, 107, …) had its bad rows named "row 6" alone: counted from
    # 1 in the frame's order, which df.loc[6] does not find. They are named by their index label too, as tag_dataframe
    # names rows; a frame of the default index is said as before.
    texts, labels = small_corpus
    frame = pd.DataFrame({"text": texts, "label": labels}, index=range(100, 100 + 7 * len(texts), 7)).astype(object)
    frame.loc[135, "label"], frame.loc[163, "text"] = "nonsense", 42
    with pytest.raises(LabeledDataError) as error:
        cn.train(frame, cv=0)
    assert [where for where, _ in error.value.problems] == ["row 6 (index 135)", "row 10 (index 163)"]
    with pytest.raises(LabeledDataError) as error:
        cn.train(frame.reset_index(drop=True), cv=0)
    assert [where for where, _ in error.value.problems] == ["row 6", "row 10"]


def test_cross_validation_never_tests_a_text_its_fold_trained_on(small_corpus, monkeypatch):
    # A desk pasting its sheet twice (or a text again, a space or width apart) got held-out figures of 1.000: each
    # copy was tested by a fold that had learned the other. Copies, as the model reads them, are held out together.
    from consumer_nlp.features import normalize_many

    texts, labels = small_corpus
    texts = texts[:90] + [text.replace("，", ", ") for text in texts[:90]]  # each text again, read alike
    labels = labels[:90] * 2
    learned, fit, tag = [], cn.ComplaintClassifier.fit, cn.ComplaintClassifier.tag

    def fit_noting(self, fold_texts, *args, **kwargs):
        learned.append(set(normalize_many(list(fold_texts))))
        return fit(self, fold_texts, *args, **kwargs)

    def tag_checking(self, fold_texts, *args, **kwargs):
        assert not set(normalize_many(list(fold_texts))) & learned[-1], "a held-out text was trained on"
        return tag(self, fold_texts, *args, **kwargs)

    monkeypatch.setattr(cn.ComplaintClassifier, "fit", fit_noting)
    monkeypatch.setattr(cn.ComplaintClassifier, "tag", tag_checking)
    metrics = cross_validate(cn.ComplaintClassifier(cv=3), texts, labels, cv=3)
    assert metrics["n"] == 180 and len(learned) == 3


def test_folds_count_copies_of_a_text_once_and_say_so(small_corpus, tmp_path, write_csv, capsys):
    # With copies held out together, a label of two texts copied stopped in a fold's fit ("each label needs at least
    # 3 examples"), and four texts copied in 5 folds in scikit-learn's words ("n_splits=5 greater than the number of
    # groups: 4"): said before any fit now, copies counted once.
    from consumer_nlp.cli import main

    texts, labels = small_corpus
    pairs = [(t, label) for t, label in zip(texts, labels) if label != "safety"]
    safety = [t for t, label in zip(texts, labels) if label == "safety"]
    pairs += [(safety[0], "safety")] * 4 + [(safety[1], "safety")]
    with pytest.raises(LabeledDataError, match=r"at least 4 different examples of each label.*safety \(2\)") as error:
        cn.train(pairs, cv=5)
    assert error.value.problem == "few_examples" and error.value.details["copies"] is True
    copied = [("冰箱不制冷", "quality"), ("电视黑屏", "quality"), ("计价器跳快", "price_measurement"),
              ("多收停车费", "price_measurement")] * 4
    with pytest.raises(LabeledDataError, match=r"cv=5 folds need at least 5 different texts; there are 4"):
        cn.train(copied, cv=5)
    source = write_csv(tmp_path / "labeled.csv", [["text", "label"]] + [list(pair) for pair in pairs])
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp")]) == 2
    first = next(line for line in capsys.readouterr().err.splitlines() if "错误" in line)
    assert "至少要 4 条不同的例子" in first and "安全问题（safety）只有 2 条（重复的文本只算一条）" in first
    assert not (tmp_path / "m.cnlp").exists()


def test_calibration_data_of_a_label_the_training_data_lacks_is_refused_before_any_fit(small_corpus, tmp_path,
                                                                                         write_csv, capsys):
    # It stopped in the fit (after the folds' work) with "calibration: labels the training data does not have:
    # financial", in English only under 没有完成.
    from consumer_nlp.cli import main

    texts, labels = small_corpus
    rows = [["text", "label"]] + [[t, label] for t, label in zip(texts, labels) if label != "financial"]
    held = [["text", "label"], ["银行卡被盗刷了两万元", "financial"], ["信用卡年费乱扣", "financial"],
            ["冰箱用了三天就不制冷", "quality"]]
    source, calibration = write_csv(tmp_path / "l.csv", rows), write_csv(tmp_path / "c.csv", held)
    with pytest.raises(LabeledDataError, match=r"(?s)c.csv.*2 of its rows are labeled financial") as error:
        cn.train(source, cv=0, calibration_data=calibration)
    assert error.value.problem == "calibration_labels" and error.value.details["labels"] == {"financial": 2}
    assert main(["train", str(source), "--calibration-data", str(calibration), "-o", str(tmp_path / "m.cnlp")]) == 2
    first = next(line for line in capsys.readouterr().err.splitlines() if "错误" in line)
    assert "校准数据" in first and "金融服务（financial）2 条" in first and "--calibration-data" in first


def test_folds_spread_a_labels_different_texts_however_often_one_is_copied(small_corpus, monkeypatch):
    # The folds' check lets cv=2 go with 6 different texts of a label, so that each fold trains on 3 of them; but the
    # folds balanced rows, not texts: one quality text pasted ten times filled a fold's share of quality, and that
    # fold trained on that text alone, its held-out figures those of a model of one quality complaint.
    from collections import Counter

    from consumer_nlp.features import normalize_many

    texts, labels = small_corpus
    picked = [(t, label) for label in ("quality", "safety", "financial")
              for t in [t for t, lab in zip(texts, labels) if lab == label][:6]]
    picked += [picked[0]] * 9  # one quality complaint, ten times in all
    learned, fit = [], cn.ComplaintClassifier.fit

    def fit_noting(self, fold_texts, fold_labels, *args, **kwargs):
        learned.append(Counter(label for _, label in set(zip(normalize_many(list(fold_texts)), fold_labels))))
        return fit(self, fold_texts, fold_labels, *args, **kwargs)

    monkeypatch.setattr(cn.ComplaintClassifier, "fit", fit_noting)
    cross_validate(cn.ComplaintClassifier(cv=2), [t for t, _ in picked], [label for _, label in picked], cv=2)
    assert [min(different.values()) for different in learned] == [3, 3]


def test_folds_more_than_every_labels_texts_are_refused_before_any_fit(small_corpus, tmp_path, write_csv, capsys):
    # Five texts of each of three labels let --cv 10 past the folds' check (each fold would train on four of a
    # label), but scikit-learn draws no stratified folds more than every label's texts: train stopped in its English,
    # "n_splits=10 cannot be greater than the number of members in each class", under 没有完成.
    from consumer_nlp.cli import main

    texts, labels = small_corpus
    pairs = [(t, label) for label in ("quality", "safety", "financial")
             for t in [t for t, lab in zip(texts, labels) if lab == label][:5]]
    with pytest.raises(LabeledDataError, match=r"cv=10 folds need at least 10 texts of one label") as error:
        cn.train(pairs, cv=10)
    assert error.value.problem == "few_examples" and error.value.details["short"] == {
        "quality": 5, "safety": 5, "financial": 5}
    source = write_csv(tmp_path / "labeled.csv", [["text", "label"]] + [list(pair) for pair in pairs])
    assert main(["train", str(source), "--cv", "10", "-o", str(tmp_path / "m.cnlp")]) == 2
    first = next(line for line in capsys.readouterr().err.splitlines() if "错误" in line)
    assert "做 10 折交叉验证，至少要有一个类别有 10 条例子" in first and "--cv" in first, first
    cn.train(pairs + [(t, "quality") for t in [t for t, lab in zip(texts, labels) if lab == "quality"][5:10]], cv=10)


def test_a_sheet_pasted_six_times_is_told_as_its_copies(small_corpus, tmp_path, write_csv, capsys):
    # 150 different complaints pasted six times under themselves were refused as a column of "only a few different
    # values (a channel, a region or a type of complaint)", which a desk looking at 150 complaints cannot make sense of:
    # the message now says how many different texts the rows hold, and that pasted rows are deleted.
    from consumer_nlp.cli import main

    texts, labels = small_corpus
    rows = [["text", "label"]] + [[t, label] for t, label in zip(texts[:150], labels[:150])] * 6
    source = write_csv(tmp_path / "labeled.csv", rows)
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--cv", "0"]) == 2
    first = next(line for line in capsys.readouterr().err.splitlines() if "错误" in line)
    assert "900 行里只有 150 种不同的文本" in first and "删去重复的行" in first and "--text-col" in first, first


def test_a_label_of_fewer_texts_than_folds_prints_no_scikit_learn_warning(small_corpus, recwarn):
    # Four quality texts in five folds are let go by the folds' check (each fold trains on three or four), and a fold
    # holding none of them out is as meant; yet scikit-learn's UserWarning "The least populated class in y has only 4
    # members, which is less than n_splits=5", with its file's path, was printed among train's Chinese lines.
    texts, labels = small_corpus
    pairs = [(t, label) for label, n in (("quality", 4), ("safety", 12), ("financial", 12))
             for t in [t for t, lab in zip(texts, labels) if lab == label][:n]]
    metrics = cross_validate(cn.ComplaintClassifier(cv=3), [t for t, _ in pairs], [label for _, label in pairs], cv=5)
    assert metrics["n"] == 28
    assert not [str(w.message) for w in recwarn if "least populated" in str(w.message)]
