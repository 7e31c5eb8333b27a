import pandas as pd
import pytest

from consumer_nlp import LabeledDataError, read_labeled


def test_every_bad_row_is_listed_with_its_line(tmp_path, write_csv):
    rows = [["text", "label"], ["秤不准", "price_measurement"], ["漏水", "quality"],
            ["多行\n文本", "unknown"], ["", "other"], ["  ", "safety"], ["好", "financial"]]
    with pytest.raises(LabeledDataError) as error:
        read_labeled(write_csv(tmp_path / "bad.csv", rows))
    message = str(error.value)
    assert "row 4:" in message and "unknown label 'unknown'" in message  # as Excel shows the file, and its line
    assert "row 5 (line 6)" in message and "row 6 (line 7)" in message
    assert "text is empty" in message
    assert [where for where, _ in error.value.problems] == [
        "row 4", "row 5 (line 6)", "row 6 (line 7)"]


def test_missing_column_names_the_columns(tmp_path, write_csv):
    path = write_csv(tmp_path / "c.csv", [["text", "备注"], ["漏水", "楼上"]])
    with pytest.raises(LabeledDataError, match=r"no label column \(none is named label, 类别, .*\); the "
                                                r"columns are \['text', '备注'\]"):
        read_labeled(path)
    with pytest.raises(LabeledDataError, match=r"missing column\(s\) \['标注'\]; the columns are \['text', '备注'\]"):
        read_labeled(path, label_col="标注")  # a name given must be a column


@pytest.mark.parametrize("name", ["label", "类别", "分类", "投诉类别", "问题类别", "问题分类", "标签", "类型",
                                  "類別", " Label "])
def test_the_label_column_is_found_by_a_desks_names_for_it(tmp_path, write_csv, name):
    # A desk's labeled file says 类别, 分类 or 标签: it was "missing column(s) ['label']" unless named with label_col.
    path = write_csv(tmp_path / "l.csv", [["编号", "投诉内容", name], ["1", "秤不准", "价格/计量"], ["2", "漏水", "quality"]])
    assert read_labeled(path).labels == ["price_measurement", "quality"]
    frame = pd.DataFrame({"投诉内容": ["秤不准", "漏水"], name: ["价格/计量", "quality"]})
    assert read_labeled(frame).labels == ["price_measurement", "quality"]


def test_the_text_and_label_columns_are_found_by_their_names_with_a_note(tmp_path, write_csv):
    # A desk's form notes its columns' names (投诉内容（必填）, 类别（请选择）): train stopped with "no label column" and
    # the texts were looked for in a column `text`, though the names are the known ones.
    path = write_csv(tmp_path / "l.csv", [["编号", "投诉内容（必填）", "类别（请选择）"], ["1", "秤不准", "价格/计量"],
                                          ["2", "漏水", "quality"]])
    data = read_labeled(path)
    assert (data.texts, data.labels) == (["秤不准", "漏水"], ["price_measurement", "quality"])
    # a note before the name (【必填】投诉内容, 【请选择】类别) as well, which stopped train with "no label column"
    path = write_csv(tmp_path / "b.csv", [["编号", "【必填】投诉内容", "【请选择】类别"], ["1", "秤不准", "价格/计量"]])
    data = read_labeled(path)
    assert (data.text_col, data.label_col, data.labels) == ("【必填】投诉内容", "【请选择】类别", ["price_measurement"])


def test_a_tagged_archive_is_not_read_as_labeled_data_by_its_tags(tmp_path, write_csv):
    # A tagged archive's `category` holds the model's own tags: evaluated, or trained on, as if a person had labeled
    # them, a model scored against itself (figures near 1.000) without a word. Labels are named by people only.
    rows = [["投诉内容", "category", "category_zh", "confidence", "needs_review"],
            ["秤不准", "price_measurement", "价格/计量", "0.91", "FALSE"], ["漏水", "quality", "质量问题", "0.88", "FALSE"]]
    with pytest.raises(LabeledDataError, match=r"no label column"):
        read_labeled(write_csv(tmp_path / "a.tagged.csv", rows))
    assert read_labeled(tmp_path / "a.tagged.csv", label_col="category").labels == ["price_measurement", "quality"]


def test_the_text_and_the_label_column_are_never_one_column(tmp_path, write_csv):
    # 类别 given as the text column is not also taken for the labels, though its name is the first label name here.
    path = write_csv(tmp_path / "l.csv", [["类别", "类型"], ["秤不准", "价格/计量"], ["漏水", "quality"]])
    data = read_labeled(path, text_col="类别")
    assert (data.texts, data.labels) == (["秤不准", "漏水"], ["price_measurement", "quality"])
    path = write_csv(tmp_path / "t.csv", [["内容", "投诉内容"], ["quality", "漏水"]])
    assert read_labeled(path, label_col="内容").texts == ["漏水"]  # the text column found among the others
    with pytest.raises(ValueError, match=r"text_col=… and label_col=… name one column, '内容'"):
        read_labeled(path, text_col="内容", label_col="内容")


def test_a_column_found_by_a_label_name_that_holds_no_labels_is_named(tmp_path, write_csv):
    # A column 类型 of the goods' kind, or of the complaints themselves, is not the labels: it was read as them,
    # and every row was an unknown label.
    rows = [["投诉内容", "类型", "结论"], ["秤不准", "商品", "价格/计量"], ["漏水", "服务", "quality"], ["冒烟", "商品", "safety"]]
    with pytest.raises(LabeledDataError) as error:
        read_labeled(write_csv(tmp_path / "l.csv", rows))
    assert error.value.problems == [("header", "column '类型', taken for the labels by its name, holds other values: 0 "
                                               "of its first 3 are labels (such as '商品', '服务'); '结论' holds labels: "
                                               "name it with label_col=…")]
    assert read_labeled(tmp_path / "l.csv", label_col="结论").labels == ["price_measurement", "quality", "safety"]
    rows = [["编号", "类型"], ["1", "买的电饭煲用了三天就坏了"], ["2", "超市的秤少了二两"]]
    with pytest.raises(LabeledDataError, match=r"missing column\(s\) \['text'\].*column '类型', taken for the labels by "
                                                r"its name, holds other values: 0 of its first 2 are labels \(such as "
                                                r"'买的电饭煲用了三天就坏了', '超市的秤少了二两'\)"):
        read_labeled(write_csv(tmp_path / "t.csv", rows))
    with pytest.raises(LabeledDataError, match=r"column '类别', taken for the labels by its name, is empty"):
        read_labeled(write_csv(tmp_path / "e.csv", [["投诉内容", "类别"], ["漏水", ""], ["冒烟", " "]]))


def test_a_text_and_a_label_column_holding_each_other_s_values_are_told_swapped(tmp_path, write_csv):
    # A file headed text,label over labels then complaints was refused row by row, each complaint "not one of the six
    # categories" (2 problems here; 360 in a desk's file), told to fix the rows; its columns' names were the fault.
    rows = [["质量问题", "买的电饭煲用了三天就坏了"], ["price_measurement", "超市的秤少了二两"], ["safety", "冒烟了"]]
    cases = [(write_csv(tmp_path / "l.csv", [["text", "label"], *rows]), {}, ("text", "label")),
             (write_csv(tmp_path / "c.csv", [["类别", "投诉内容"], *rows]), {"text_col": "类别", "label_col": "投诉内容"},
              ("类别", "投诉内容")),
             (rows, {}, ("text", "label"))]
    for data, given, (texts, labels) in cases:
        with pytest.raises(LabeledDataError) as error:
            read_labeled(data, **given)
        assert error.value.problem == "header" and error.value.details["swapped"] == [texts, labels], data
        assert error.value.problems == [("header", (
            f"column {texts!r}, read as the texts, holds labels (3 of its first 3), and column {labels!r}, read as "
            f"the labels, holds other values (0 of its first 3 are labels, such as '买的电饭煲用了三天就坏了', '超市的秤少了二两', "
            f"'冒烟了'): the two look swapped; name them with text_col={labels!r} and label_col={texts!r}"))]


@pytest.mark.parametrize("name, title", [("t.csv", "2025年标注表"), ("t.xlsx", "2025年标注表"),
                                         ("two_lines.csv", "2025年标注表\n（第一季度）")])
def test_a_title_above_the_column_names_is_told_with_the_row_that_holds_them(tmp_path, write_csv, write_workbook,
                                                                             name, title):
    # Only "missing column(s) ['text', 'label']; the columns are ['2025年标注表']" was said, where tagging the
    # same file names the row of the column names. A CSV's title over two lines is one row, as header_row counts.
    rows = [[title], ["投诉内容", "label"], ["漏水", "quality"]]
    path = write_csv(tmp_path / name, rows) if name.endswith(".csv") else write_workbook(tmp_path / name, {"表": rows})
    with pytest.raises(LabeledDataError, match=r"missing column.*row 2 .*'投诉内容'.*header_row=2"):
        read_labeled(path)
    assert read_labeled(path, header_row=2).texts == ["漏水"]


@pytest.mark.parametrize("name, lines", [
    ("blank.csv", ["2026年1月投诉标注,,", ",,", "text,label,", "漏水,quality,"]),
    ("subtitle.csv", ["2026年1月投诉标注,,", "导出：12315热线,,", "投诉内容,类别,", "漏水,quality,"]),
    ("blank.tsv", ["2026年1月投诉标注\t\t", "", "text\tlabel\t", "漏水\tquality\t"]),
])
def test_a_csv_title_over_a_blank_or_second_line_is_told_with_the_row_of_the_names(tmp_path, name, lines):
    # A title Excel padded with commas, then a blank or a second title line, then the names, was refused as
    # "columns 2 and 3 of the header have no name" naming no row, where a workbook's title is told with it.
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LabeledDataError, match=r"row 3 looks like the column names .*: say header_row=3") as error:
        read_labeled(path)
    assert error.value.details["names_row"][0] == 3
    data = read_labeled(path, header_row=3)
    assert (data.texts, data.labels) == (["漏水"], ["quality"])


def test_rows_hidden_in_excel_are_read_and_said_to_be(tmp_path, caplog):
    # A desk's filter hid rows of its labeled workbook: they were trained on without a word, where
    # tagging the same workbook says how many rows were hidden.
    from openpyxl import Workbook

    book = Workbook()
    for row in [["text", "label"], ["秤不准", "price_measurement"], ["漏水", "quality"], ["冒烟", "safety"]]:
        book.active.append(row)
    book.active.row_dimensions[3].hidden = book.active.row_dimensions[4].hidden = True
    book.save(tmp_path / "h.xlsx")
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        assert read_labeled(tmp_path / "h.xlsx").texts == ["秤不准", "漏水", "冒烟"]
    assert any("2 row(s) hidden in Excel" in r.getMessage() for r in caplog.records)


def test_label_and_group_columns_are_found_as_the_text_column_is(tmp_path, write_csv):
    # A header "Label " (Excel keeps a trailing space typed into a cell) or "LABEL" was a missing column,
    # though "Text " was found as the text column and `tag --text-col` finds such names.
    path = write_csv(tmp_path / "l.csv", [("Text ", "Label ", "渠道 "), ("漏水", "quality", "热线")])
    data = read_labeled(path, group_col="渠道")
    assert (data.texts, data.labels, data.groups) == (["漏水"], ["quality"], ["热线"])
    path = write_csv(tmp_path / "u.csv", [("投诉内容 ", "LABEL"), ("漏水", "quality")])
    assert read_labeled(path, text_col="投诉内容").labels == ["quality"]


def test_non_string_text_in_a_dataframe_names_the_row():
    frame = pd.DataFrame({"text": ["漏水", 12, None], "label": ["quality", "quality", "other"]})
    with pytest.raises(LabeledDataError) as error:
        read_labeled(frame)
    assert [where for where, _ in error.value.problems] == ["row 2", "row 3"]


def test_gb18030_csv_and_chinese_label_names(tmp_path, write_csv):
    path = write_csv(tmp_path / "gbk.csv", [["text", "label"], ["電錶走得太快", "价格/计量"], ["漏水", " quality "]],
                     encoding="gb18030")
    data = read_labeled(path)
    assert data.texts == ["電錶走得太快", "漏水"] and data.labels == ["price_measurement", "quality"]


def test_pairs_excel_and_fingerprint(tmp_path):
    pairs = [("漏水", "quality"), ("扣了年费", "financial")]
    pd.DataFrame(pairs, columns=["text", "label"]).to_excel(tmp_path / "x.xlsx", index=False)
    from_pairs, from_excel = read_labeled(pairs), read_labeled(tmp_path / "x.xlsx")
    assert from_pairs.texts == from_excel.texts
    assert from_pairs.fingerprint() == from_excel.fingerprint()
    assert from_pairs.fingerprint()["label_counts"] == {"quality": 1, "financial": 1}
    with pytest.raises(LabeledDataError, match="row 2: expected a \\(text, label\\) pair"):
        read_labeled([("漏水", "quality"), ("只有文本",)])


def test_duplicates_and_conflicts_are_reported():
    data = read_labeled([("漏水", "quality"), ("漏水", "quality"), ("漏水", "safety")])
    assert data.duplicates == [("row 2", "row 1")]
    assert data.conflicts == [("row 3", "labeled safety here, quality at row 1")]


def test_labeled_files_are_read_as_archives_are(tmp_path):
    """Every archive format is labeled data too, and a row a reader cannot parse is a bad row."""
    rows = [{"内容": "秤不准，少了二两", "label": "价格/计量"}, {"内容": "信用卡年费乱扣", "label": "financial"}]
    pd.DataFrame(rows).to_json(tmp_path / "l.jsonl", orient="records", lines=True, force_ascii=False)
    pd.DataFrame(rows).to_parquet(tmp_path / "l.parquet")
    (tmp_path / "l.tsv").write_text("内容\tlabel\n秤不准，少了二两\t价格/计量\n信用卡年费乱扣\tfinancial\n", "utf-8")
    for name in ("l.jsonl", "l.parquet", "l.tsv"):
        data = read_labeled(tmp_path / name)
        assert data.texts == [r["内容"] for r in rows] and data.labels == ["price_measurement", "financial"]
    (tmp_path / "broken.csv").write_text('text,label\n"秤不准,other\n信用卡年费乱扣,financial\n漏水,quality,extra\n',
                                         "utf-8")
    with pytest.raises(LabeledDataError) as caught:
        read_labeled(tmp_path / "broken.csv")
    assert [where for where, _ in caught.value.problems] == ["row 2", "row 4"]


def test_corrections_take_chinese_names_and_refuse_unknown_labels():
    # A correction labeled 质量问题 became a seventh class; one labeled 其他 failed training as too rare.
    data = read_labeled([("秤不准", "price_measurement"), ("漏水", "quality")])
    corrected = data.with_corrections({"漏水": "安全问题", "外卖有头发": "safety", " 秤不准 ": "其他"})
    assert corrected.labels == ["other", "safety", "safety"] and corrected.texts[2] == "外卖有头发"
    with pytest.raises(LabeledDataError) as error:
        data.with_corrections({"漏水": "不知道", "冒烟": None})
    assert [where for where, _ in error.value.problems] == ["correction of '漏水'", "correction of '冒烟'"]


def test_a_correction_replaces_the_label_of_a_text_the_model_reads_alike():
    # A correction of "电视机坏了\n不能开机" was added beside the training text "电视机坏了\r\n不能开机",
    # which kept its old label: the model learned both labels for one text, and no conflict was told.
    data = read_labeled([("电视机坏了\r\n不能开机", "quality"), ("ＴＶ没声音", "quality")])
    corrected = data.with_corrections({"电视机坏了\n不能开机": "safety", "TV没声音": "其他", "漏水": "quality"})
    assert corrected.texts == ["电视机坏了\r\n不能开机", "ＴＶ没声音", "漏水"]
    assert corrected.labels == ["safety", "other", "quality"]


def test_corrections_settle_the_conflicts_and_find_the_duplicates_they_make():
    # After with_corrections, duplicates and conflicts were those found before: a conflict a correction
    # settled was still warned of, and two corrections of texts read alike, labeled two ways, were not.
    data = read_labeled([("漏水", "quality"), ("冒烟", "safety"), ("漏水", "safety"), ("秤不准", "other")])
    assert data.conflicts and not data.duplicates
    corrected = data.with_corrections({"漏水": "safety", "订单123的冰箱坏了": "quality", "订单456的冰箱坏了": "safety"})
    assert corrected.labels == ["safety", "safety", "safety", "other", "quality", "safety"]
    assert corrected.duplicates == [("row 3", "row 1")]
    assert corrected.conflicts == [("correction of '订单456的冰箱坏了'", "labeled safety here, quality at correction of "
                                    "'订单123的冰箱坏了' (the texts differ only in what the model reads alike: "
                                    "numbers, amounts, spaces, width, case, Traditional characters or invisible "
                                    "characters)")]
    assert data.with_corrections({"秤不准": "price_measurement"}).conflicts == data.conflicts


def test_a_pair_of_three_values_is_named_with_its_count():
    with pytest.raises(LabeledDataError, match=r"row 2: expected a \(text, label\) pair, got 3 values"):
        read_labeled([("漏水", "quality"), ("冒烟", "safety", "extra")])


def test_texts_without_labels_or_values_that_are_no_pairs_are_named_by_their_row():
    # A list of texts given without labels was read character by character: 漏水 became the text 漏 labeled 水
    # ("unknown label '水'"), 漏水了 "a pair of 3 values"; a value that is no sequence, or data that is none, failed
    # with Python's "'int' object is not iterable", naming no row.
    with pytest.raises(LabeledDataError, match=r"row 1: expected a \(text, label\) pair, got the text '漏水' alone.*"
                                               r"zip\(texts, labels\)") as no:
        read_labeled(["漏水", "冒烟了"])
    assert [where for where, _ in no.value.problems] == ["row 1", "row 2"]
    with pytest.raises(LabeledDataError, match=r"row 2: expected a \(text, label\) pair, got int 5\n.*row 3: .*None"):
        read_labeled([("漏水", "quality"), 5, None])
    for data, got in ((None, "None"), (5, "int 5")):
        with pytest.raises(TypeError, match=rf"^got {got}: give labeled data as a file path"):
            read_labeled(data)


def test_excel_formulas_are_read_as_their_values_never_learned_as_text(tmp_path, with_cached_values):
    # A sheet of =TRIM(原始!A2) cells was trained on as the formulas' text: the model learned row numbers.
    # Formulas are now read as the values Excel saved; one never calculated is named by its cell.
    from openpyxl import Workbook

    from consumer_nlp.exceptions import ArchiveError

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["text", "label"])
    sheet.append(["面包发霉了", "safety"])
    sheet.append(["=TRIM(原始!A3)", "quality"])
    sheet.append(["秤不准", '="price_measurement"'])
    workbook.save(tmp_path / "f.xlsx")
    with pytest.raises(ArchiveError, match=r"cell A3 holds a formula \(=TRIM\(原始!A3\)\) with no saved value"):
        read_labeled(tmp_path / "f.xlsx")
    with_cached_values(tmp_path / "f.xlsx", {"A3": "洗衣机漏水", "B4": "price_measurement"})
    data = read_labeled(tmp_path / "f.xlsx")
    assert data.texts == ["面包发霉了", "洗衣机漏水", "秤不准"] and data.labels == ["safety", "quality", "price_measurement"]


def test_every_problem_is_listed_at_once_parse_errors_included(tmp_path):
    # A row that could not be parsed hid the others: a second run showed the unknown label, a third the empty text.
    path = tmp_path / "l.csv"
    path.write_text('text,label\n东西坏了,quality\n"坏了"x,quality\n商品很差,qualty\n,quality\n', encoding="utf-8")
    with pytest.raises(LabeledDataError) as refused:
        read_labeled(path)
    assert [where.split()[1] for where, _ in refused.value.problems] == ["3", "4", "5"]
    assert "质量问题" in dict(refused.value.problems)[refused.value.problems[1][0]]  # Chinese names are said to work


def test_a_broken_emoji_in_a_text_is_kept_readable_not_an_error_at_the_end(tmp_path):
    # A lone surrogate (JSONL "\ud83d") failed training after all its work, when the data was fingerprinted.
    path = tmp_path / "l.jsonl"
    path.write_text('{"text": "屏幕碎了\\ud83d", "label": "quality"}\n{"text": "秤不准", "label": "price_measurement"}\n',
                    encoding="utf-8")
    data = read_labeled(path)
    assert data.texts[0] == "屏幕碎了\ufffd" and data.fingerprint()["rows"] == 2


@pytest.mark.parametrize("written, label", [("質量問題", "quality"), ("價格/計量", "price_measurement"),
                                            ("价格／计量", "price_measurement"), ("其它", "other"),
                                            ("Quality", "quality"), (" ＳＡＦＥＴＹ ", "safety"),
                                            ("虛假宣傳", "false_advertising"), ("价格 / 计量", "price_measurement"),
                                            ("质量　问题", "quality"), ("其他。", "other"), ("quality.", "quality"),
                                            ("“安全问题”", "safety"), ("金融服务；", "financial"),
                                            ("quality\u200b", "quality"), ("\ufeff质量问题", "quality"),
                                            ("虚假\u200d宣传", "false_advertising")])
def test_labels_as_people_write_them_are_read(written, label):
    # Desks in Taiwan and Hong Kong label in Traditional characters; Excel users capitalise, type
    # full-width and put spaces around a slash or inside a name: each was "unknown label". So were a
    # name ended with 。 or put in quotes as a sentence is, and one holding a zero-width space or a
    # byte-order mark pasted from a web page or a case system, which no desk can see in a cell.
    from consumer_nlp._categories import label_of

    assert label_of(written) == label


def test_a_label_written_by_both_its_names_is_read_and_two_categories_are_not(tmp_path):
    # A drop-down listing each category by both its names, as the labeling guide heads them (quality 质量问题,
    # 质量问题（quality）), was refused whole: 「类别」列按列名当作类别列，但它填的不是类别 … 请用 --label-col 指定, though it
    # was the label column. Two names of one category are that category; of two, or a name and a note, none.
    from consumer_nlp._categories import label_of

    path = tmp_path / "l.csv"
    path.write_text("text,类别\n漏水,质量问题（quality）\n秤不准,price_measurement 价格/计量\n冒烟,安全问题 (Safety)\n"
                    "年费乱扣,financial金融服务\n", encoding="utf-8")
    assert read_labeled(path).labels == ["quality", "price_measurement", "safety", "financial"]
    assert label_of("“其他（Other）”。") == "other"  # in quotes and ended as a sentence, as one name may be
    assert [label_of(v) for v in ("质量问题（safety）", "质量问题（存疑）", "quality safety", "质量问题 其他")] == [None] * 4


@pytest.mark.parametrize("shape", ["（" * 100_000, "quality" + " " * 100_000 + "#", "质量问题" + "a" * 100_000 + "#"])
def test_a_long_value_is_told_no_label_in_time_linear_in_its_length(shape):
    # label_of reads every text of a labeled file (is it a label put in the text column?) and every label cell. Its
    # patterns for a label written by both its names tried each bracket, each space after a first word and each letter
    # after a first Chinese name against the rest of the value: 100,000 characters of such a shape took about a minute
    # (20,000: 2 s; 40,000: 11 s; 80,000: 39 s of full-width brackets), a file of long texts hours. Now a millisecond.
    import time

    from consumer_nlp._categories import label_of

    started = time.perf_counter()
    assert label_of(shape) is None
    assert time.perf_counter() - started < 5  # far over a linear reading's time, far under the quadratic one's


def test_rows_left_empty_are_no_examples_in_any_format(tmp_path):
    # Excel's CSV export ends with ",\r\n" rows: CSV reported them as problems, xlsx skipped them.
    path = tmp_path / "l.csv"
    path.write_bytes("text,label\r\n漏水,quality\r\n,\r\n秤不准,price_measurement\r\n,\r\n".encode("utf-8"))
    data = read_labeled(path)
    assert data.texts == ["漏水", "秤不准"] and data.labels == ["quality", "price_measurement"]


def test_any_path_object_is_a_file_and_other_containers_are_refused_by_name(tmp_path):
    # Only str and pathlib.Path were files: an os.PathLike (pytest's py.path, os.DirEntry) was read
    # as (text, label) pairs ("'LocalPath' object is not iterable"); a Series was split into
    # characters ("unknown label '水'") and a dict read as pairs of its keys.
    import os

    path = tmp_path / "lab.csv"
    path.write_text("text,label\n漏水,quality\n", encoding="utf-8")

    class Named(os.PathLike):
        def __fspath__(self):
            return str(path)

    assert read_labeled(Named()).texts == ["漏水"]
    assert read_labeled(next(e for e in os.scandir(tmp_path) if e.name == "lab.csv")).labels == ["quality"]
    for given, kind in [(pd.Series(["漏水"]), "Series"), ({"漏水": "quality"}, "dict"), (b"text,label", "bytes")]:
        with pytest.raises(TypeError, match=rf"got a {kind}.*DataFrame"):
            read_labeled(given)


def test_spellings_of_one_group_are_one_group(tmp_path, write_csv):
    # The report counted 12315热线, "12315 热线" and １２３１５热线 as one channel, but read_labeled kept
    # them apart: training folds grouped by channel split one channel, and evaluate(by=...) gave it
    # three rows. Each is now named by the most common spelling of its group.
    rows = [["text", "label", "channel"], ["秤不准少了二两", "price_measurement", "12315热线"],
            ["充电器冒烟了", "safety", "12315 热线"], ["衣服洗一次就掉色", "quality", "１２３１５热线"],
            ["信用卡乱扣年费", "financial", "12315热线"], ["快递三天没到", "other", "App "],
            ["说是纯羊毛其实是化纤", "false_advertising", "app"], ["又少了一斤", "price_measurement", ""]]
    data = read_labeled(write_csv(tmp_path / "c.csv", rows), group_col="channel")
    assert data.groups == ["12315热线"] * 4 + ["App", "App", "（空）"]


def test_an_unknown_correction_label_names_the_chinese_names_too():
    # The unknown-label hint named the Chinese names for a labeled file's rows but not for
    # corrections: the message had two copies and the fix reached one.
    data = read_labeled([("秤不准少了二两", "price_measurement"), ("充电器冒烟了", "safety")])
    with pytest.raises(LabeledDataError, match=r"unknown label '质量' \(did you mean '质量问题'\?\); expected one of "
                                               r".* or their Chinese names"):
        data.with_corrections({"充电器冒烟了": "质量"})


def test_texts_the_model_reads_alike_are_duplicates_and_texts_it_reads_as_nothing_are_bad_rows():
    # A trailing space or a full-width space made a conflicting label pass unseen; texts that are
    # empty once normalised ("&nbsp;", zero-width spaces) were trained on unnamed.
    data = read_labeled([("漏水了", "quality"), ("漏水了 ", "quality"), ("\u3000漏水了", "safety")])
    assert data.duplicates == [("row 2", "row 1")]
    assert data.conflicts == [("row 3", "labeled safety here, quality at row 1 (the texts differ only in what the "
                                        "model reads alike: numbers, amounts, spaces, width, case, Traditional "
                                        "characters or invisible characters)")]
    with pytest.raises(LabeledDataError) as caught:
        read_labeled([("漏水", "quality"), ("&nbsp;", "other"), ("\u200b\u200b", "other"), ("\ufeff&#8203;", "other"),
                      ("。。。！！", "other")])
    assert [where for where, _ in caught.value.problems] == ["row 2", "row 3", "row 4"]
    assert all("nothing to read" in what for _, what in caught.value.problems)


def test_an_empty_label_a_misspelt_one_and_labels_under_another_name_are_told_what_they_are(tmp_path, write_csv):
    # A blank label was "unknown label ''", a typo got no suggestion, and labels in a column named 类别
    # were only "missing column(s) ['label']" (类别 is now found by its name).
    # (An empty label is a row not labeled yet, left out: see the test below.)
    rows = [["text", "label"], ["秤不准", "qualty"], ["冒烟", "安全问题"], ["假货", "虚假宣"], ["少秤", "计量"]]
    with pytest.raises(LabeledDataError) as error:
        read_labeled(write_csv(tmp_path / "bad.csv", rows))
    said = [what for _, what in error.value.problems]
    assert said[0].startswith("unknown label 'qualty'") and "did you mean 'quality'?" in said[0]
    assert "did you mean '虚假宣传'?" in said[1]
    assert "did you mean '价格/计量'?" in said[2]  # a part of a Chinese name
    rows = [["投诉内容", "结论"], ["秤不准", "价格/计量"], ["漏水", "quality"], ["冒烟", "safety"]]
    with pytest.raises(LabeledDataError, match=r"no label column .*'结论' holds labels: name it with label_col=…"):
        read_labeled(write_csv(tmp_path / "named.csv", rows))
    assert read_labeled(tmp_path / "named.csv", label_col="结论").labels == ["price_measurement", "quality", "safety"]


@pytest.mark.parametrize("written, near", [("quantity", "price_measurement"), ("Quantity", "price_measurement"),
                                           ("price", "price_measurement"), ("measurement", "price_measurement"),
                                           ("advertising", "false_advertising"), ("数量", "价格/计量"),
                                           ("分量", "价格/计量"), ("qualtiy", "quality"), ("1", None),
                                           ("虛假廣告", "虚假宣传"), ("金融消費", "金融服务"), ("/", None), ("-", None)])
def test_a_label_is_offered_the_category_the_labeling_guide_puts_its_word_under(written, near):
    # `quantity` (the quantity supplied, short weight: price_measurement in the guide) was offered "did you mean
    # 'quality'?" by its spelling, which a hurried desk would follow into the wrong category; `price` was offered
    # nothing. A word of a category's label, or one the guide names under it, is offered that category.
    from consumer_nlp._categories import label_fault

    assert label_fault(written) == ("unknown_label", {"label": written, "near": near})


def test_a_conflict_between_texts_that_differ_only_in_numbers_says_why_they_are_one():
    # "订单123的冰箱坏了" and "订单456的冰箱坏了" were called conflicting with no word of why; texts differing in case
    # or in Traditional characters (IPHONE屏幕壞了, iphone屏幕坏了) were said to differ in "numbers, amounts, spaces or
    # width", none of which they differ in.
    data = read_labeled([("IPHONE屏幕壞了", "quality"), ("iphone屏幕坏了", "safety")])
    assert "case, Traditional characters" in data.conflicts[0][1]
    data = read_labeled([("订单123的冰箱坏了", "quality"), ("订单456的冰箱坏了", "safety")])
    assert data.conflicts == [("row 2", "labeled safety here, quality at row 1 (the texts differ only in what the "
                                        "model reads alike: numbers, amounts, spaces, width, case, Traditional "
                                        "characters or invisible characters)")]


def test_rows_without_a_label_are_left_out_and_named_while_misspelt_labels_stay_errors(tmp_path, write_csv):
    # A desk labels a sample of its archive: each row without a label was a problem ("the label is empty"),
    # so 700 unlabeled rows of 1,000 stopped evaluate and train whole.
    rows = [["text", "label", "编号"], ["秤不准", "price_measurement", "1"], ["漏水", "", "2"], ["冒烟", "safety", "3"],
            ["", "", "4"], ["退款难", " ", "5"]]
    data = read_labeled(write_csv(tmp_path / "part.csv", rows))
    assert data.texts == ["秤不准", "冒烟"] and data.labels == ["price_measurement", "safety"]
    assert data.places == ["row 2", "row 4"]
    assert data.unlabeled == ["row 3", "row 5", "row 6"]
    rows[3][1] = "safty"
    with pytest.raises(LabeledDataError) as error:
        read_labeled(write_csv(tmp_path / "typo.csv", rows))
    assert [where for where, _ in error.value.problems] == ["row 4"]
    data = read_labeled([("漏水", None), ("秤不准", "quality"), ("冒烟", float("nan"))])
    assert data.texts == ["秤不准"] and data.unlabeled == ["row 1", "row 3"]
    assert read_labeled([("漏水", "quality")]).unlabeled == []


def test_labels_written_as_numbers_are_said_once_with_the_names_to_write(tmp_path, write_csv, write_workbook):
    # A column coding the six categories 1 to 6 was told row by row as unknown labels (20 lines in Chinese), or, named
    # 类别, as a column "holding other values", without a word that a number names no category.
    texts = [f"第{i}条投诉，东西坏了" for i in range(30)]
    numbered = [("text", "label"), *((text, str(i % 6 + 1)) for i, text in enumerate(texts))]
    with pytest.raises(LabeledDataError) as error:
        read_labeled(write_csv(tmp_path / "n.csv", numbered))
    assert error.value.problem == "numbered_labels" and len(error.value.problems) == 1
    assert error.value.details == {"column": "label", "rows": 30, "labeled": 30, "different": 6,
                                   "numbers": ["1", "2", "3", "4", "5", "6"]}
    said = str(error.value)
    assert "column 'label': holds numbers (1, 2, 3, 4, 5, 6) in 30 of its 30 labeled rows: a number names no category" \
        in said and "quality (质量问题), price_measurement (价格/计量)" in said
    # numbers in a workbook's cells, in a column found by its name 类别, beside a column of the labels
    rows = [("投诉内容", "类别", "结论"), *((text, i % 6 + 1, "quality") for i, text in enumerate(texts))]
    write_workbook(tmp_path / "n.xlsx", {"Sheet1": rows})
    with pytest.raises(LabeledDataError) as error:
        read_labeled(tmp_path / "n.xlsx")
    assert error.value.problem == "numbered_labels" and error.value.details["holding"] == "结论"
    assert error.value.details["numbers"] == ["1", "2", "3", "4", "5", "6"] and "'结论' holds labels" in str(error.value)
    # a few numbers among names are each a row's slip, told with its place
    mixed = [("text", "label"), *((text, "3" if i in (4, 9) else "quality") for i, text in enumerate(texts))]
    with pytest.raises(LabeledDataError) as error:
        read_labeled(write_csv(tmp_path / "m.csv", mixed))
    assert error.value.problem is None and [where for where, _ in error.value.problems] == ["row 6", "row 11"]


def test_a_label_column_coded_by_number_and_partly_renamed_is_said_once_with_its_first_rows(tmp_path, write_csv):
    # A column coded 1 to 6 with a fifth of its rows renamed by hand was told row by row, 20 lines of unknown labels
    # 「3」: below nine in ten numbers, each was taken for a slip. A real share of numbers is said once, with where the
    # first of them are (the desk renames them by its code table); one stray number among names is still a row's slip.
    from consumer_nlp.messages import headline

    texts = [f"第{i}条投诉，东西坏了" for i in range(30)]
    renamed = [("text", "label"),
               *((text, "quality" if i % 5 == 0 else str(i % 6 + 1)) for i, text in enumerate(texts))]
    with pytest.raises(LabeledDataError) as error:
        read_labeled(write_csv(tmp_path / "r.csv", renamed))
    assert error.value.problem == "numbered_labels" and len(error.value.problems) == 1
    assert error.value.details == {"column": "label", "rows": 24, "labeled": 30, "different": 6,
                                   "numbers": ["1", "2", "3", "4", "5", "6"], "first_rows": [3, 4, 5, 6, 8]}
    assert "holds numbers (1, 2, 3, 4, 5, 6) in 24 of its 30 labeled rows (rows 3, 4, 5, 6, 8, …)" \
        in str(error.value)
    said = headline(error.value, {"label_col": "--label-col"})
    assert said.startswith("「label」列有 24 行填的是数字（1、2、3、4、5、6；如第 3、4、5、6、8 行等），数字不代表类别"), said
    # a fifth of the labels is still said once; one number among four names is a slip, told by its row
    fifth = [("text", "label"), *((text, "2" if i % 5 == 0 else "quality") for i, text in enumerate(texts))]
    with pytest.raises(LabeledDataError) as error:
        read_labeled(write_csv(tmp_path / "f.csv", fifth))
    assert error.value.problem == "numbered_labels" and error.value.details["rows"] == 6
    stray = [("text", "label"), ("漏水", "quality"), ("冒烟", "safety"), ("秤不准", "3"), ("贷款乱收费", "financial")]
    with pytest.raises(LabeledDataError) as error:
        read_labeled(write_csv(tmp_path / "s.csv", stray))
    assert error.value.problem is None and [where for where, _ in error.value.problems] == ["row 4"]


def test_a_label_that_is_no_text_is_quoted_as_the_file_writes_it(tmp_path, write_workbook):
    # A helper's pass (n2): a JSON Lines label of `true` was quoted 「True」, as Python spells it.
    (tmp_path / "l.jsonl").write_text('{"text": "秤不准，少了二两", "label": true}\n{"text": "漏水", "label": ["quality"]}\n'
                                      '{"text": "冒烟", "label": "safety"}\n', encoding="utf-8")
    write_workbook(tmp_path / "l.xlsx", {"标注": [["text", "label"], ["秤不准，少了二两", True], ["冒烟", "safety"]]})
    for name, shown in (("l.jsonl", ["true", '["quality"]']), ("l.xlsx", ["TRUE"])):
        with pytest.raises(LabeledDataError) as refused:
            read_labeled(tmp_path / name)
        assert [details["label"] for _, details in refused.value.faults] == shown, name
        assert "True" not in str(refused.value), name


def test_a_desks_own_word_for_a_category_is_offered_it_but_never_taken_as_it(tmp_path, capsys, write_csv):
    # A helper's pass (n2): 虚假广告 (for 虚假宣传) and 金融消费 (for 金融服务) were told 不是六个类别之一 with no 是不是,
    # their spelling too far from the name meant. Offered it; still refused, as the labeling guide names neither.
    from consumer_nlp.cli import main

    rows = [("text", "label"), ("保健品宣称包治百病", "虚假广告"), ("信用卡年费乱扣", "金融消费"), ("漏水", "quality")]
    path = write_csv(tmp_path / "l.csv", rows)
    with pytest.raises(LabeledDataError) as refused:
        read_labeled(path)
    assert [details["near"] for _, details in refused.value.faults] == ["虚假宣传", "金融服务"]
    assert main(["evaluate", "default", str(path), "--registry", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "类别「虚假广告」不是六个类别之一（是不是「虚假宣传」？）" in err, err
    assert "类别「金融消费」不是六个类别之一（是不是「金融服务」？）" in err, err


def test_a_group_column_of_objects_whose_keys_are_of_two_types_is_read():
    # An adversarial pass (c3): a DataFrame's channel objects keyed by a number and a text ({1: "热线", "b": 2}) raised
    # a TypeError from read_labeled, as their keys were sorted to tell one object in two orders apart, and a number and
    # a text have no order. Each is named as the outputs write it, and one object in two orders is one group.
    frame = pd.DataFrame({"text": ["秤不准少了二两", "充电器冒烟了", "衣服洗一次就掉色"],
                          "label": ["price_measurement", "safety", "quality"],
                          "channel": [{1: "热线", "b": 2}, {"b": 2, 1: "热线"}, {"b": 3}]})
    data = read_labeled(frame, group_col="channel")
    assert data.groups == ['{"1": "热线", "b": 2}'] * 2 + ['{"b": 3}']


def test_a_group_object_whose_keys_differ_in_case_and_order_is_one_group():
    # An adversarial pass (c3): {"B": 1, "a": 2} and {"b": 1, "a": 2} were one channel (a group is one whatever the
    # case), but {"B": 1, "a": 2} and {"a": 2, "b": 1} were two, as keys were put in order by their code points (B
    # before a, a before b) before the case was set aside. They are now put in order as groups are told apart.
    frame = pd.DataFrame({"text": ["秤不准少了二两", "充电器冒烟了", "衣服洗一次就掉色"],
                          "label": ["price_measurement", "safety", "quality"],
                          "channel": [{"B": 1, "a": 2}, {"a": 2, "b": 1}, {"Ｂ": 1, "a": 2}]})
    assert read_labeled(frame, group_col="channel").groups == ['{"B": 1, "a": 2}'] * 3


def test_a_group_cell_of_deeply_nested_json_text_is_its_own_group(tmp_path, write_csv):
    # An adversarial pass (c3): a channel cell of a CSV holding JSON text nested 500 levels deep ([[[…]]]) made
    # read_labeled raise a RecursionError, as the text was read as JSON to put its objects' keys in order. A text
    # nested deeper than a JSON Lines record may be is a group as written.
    deep = "[" * 500 + "]" * 500
    rows = [["text", "label", "channel"], ["秤不准少了二两", "price_measurement", deep],
            ["充电器冒烟了", "safety", "热线"]]
    assert read_labeled(write_csv(tmp_path / "c.csv", rows), group_col="channel").groups == [deep, "热线"]


def test_a_group_cell_of_json_text_with_half_an_emoji_escaped_in_a_key_is_read(tmp_path, write_csv):
    # An adversarial pass (c3): a channel cell holding '{"\ud800": 1, "a": 2}' (half an emoji, escaped, as a key) made
    # read_labeled raise a UnicodeEncodeError, as its keys were put in order by their group names, which cannot hold
    # a lone surrogate. It is one group with the same object in the other order, named as the cell writes it.
    rows = [["text", "label", "channel"], ["秤不准少了二两", "price_measurement", '{"\\ud800": 1, "a": 2}'],
            ["充电器冒烟了", "safety", '{"a": 2, "\\ud800": 1}'], ["衣服洗一次就掉色", "quality", '{"\\ud800": 1, "a": 2}']]
    data = read_labeled(write_csv(tmp_path / "c.csv", rows), group_col="channel")
    assert data.groups == ['{"\\ud800": 1, "a": 2}'] * 3


def test_a_label_cell_that_only_looks_empty_is_a_row_without_a_label(tmp_path, write_csv):
    # A label cell holding a zero-width space (pasted from a web page) or a byte-order mark looks empty in Excel but
    # stopped the file as 类别「​」不是六个类别之一, an invisible label named; a cell of spaces was left out unlabeled.
    rows = [["text", "label"], ["秤不准", "price_measurement"], ["漏水", "\u200b"], ["冒烟", "safety"],
            ["退款难", " \ufeff "], ["掉色", "quality"]]
    data = read_labeled(write_csv(tmp_path / "part.csv", rows))
    assert data.texts == ["秤不准", "冒烟", "掉色"] and data.unlabeled == ["row 3", "row 5"]


# The marks desks write in a label cell of a row they have not labeled yet, in either width, with spaces around.
_NOT_LABELED = ["/", "-", "—", "－", "无", "待定", "未标注", "未分类", "空", "N/A", "NA", "#N/A", "?", "？", " 待定 ", "Ｎ／Ａ",
                "n/a", "——", "（空）"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".xls"])
def test_a_label_cell_a_desk_marked_as_not_labeled_is_a_row_without_a_label(tmp_path, write_sheet_or_csv, suffix):
    # A desk marks the rows it has not labeled yet (/, —, 无, 待定, N/A, …): one such row stopped train and evaluate
    # as an unknown label 「待定」, until every mark was deleted by hand. (In an .xlsx, #N/A is an error cell.)
    rows = [["text", "label"], ["秤不准", "price_measurement"],
            *([f"第{i}条投诉，还没有标注", mark] for i, mark in enumerate(_NOT_LABELED)), ["冒烟", "safety"]]
    data = read_labeled(write_sheet_or_csv(tmp_path / f"marked{suffix}", rows))
    assert data.texts == ["秤不准", "冒烟"] and data.labels == ["price_measurement", "safety"]
    first = "sheet row" if suffix != ".csv" else "row"
    assert data.unlabeled == [f"{first} {i}" for i in range(3, 3 + len(_NOT_LABELED))]
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    assert read_labeled(frame).unlabeled == [f"row {i}" for i in range(2, 2 + len(_NOT_LABELED))]
    # a real unknown label, or a typo, is still each a row's problem, told with its place
    rows[2][1], rows[4][1] = "服务态度", "qualty"
    with pytest.raises(LabeledDataError) as error:
        read_labeled(write_sheet_or_csv(tmp_path / f"unknown{suffix}", rows))
    assert [where for where, _ in error.value.problems] == [f"{first} 3", f"{first} 5"]
    assert [fault[1]["label"] for fault in error.value.faults] == ["服务态度", "qualty"]


def test_a_label_with_a_question_mark_is_a_doubt_left_out_and_counted_with_the_marks(tmp_path, write_csv):
    # A desk writes 质量问题？ (quality?, “虚假宣传？”) for a label it doubts; such a label was read as a sure one and
    # trained or scored as one (helper g10's entry), though ？ alone is "not labeled yet". It is left out as a row not
    # labeled yet is, and counted with the marks as written; a question mark after no category is an unknown label.
    from consumer_nlp.messages import headline

    rows = [["text", "label"], ["秤不准", "price_measurement"], ["漏水", "质量问题？"], ["冒烟", "safety"],
            ["退款难", " quality? "], ["掉色", "其他?？"], ["待处理", "待定"], ["夸大", "“虚假宣传？”"]]
    data = read_labeled(write_csv(tmp_path / "doubt.csv", rows))
    assert data.texts == ["秤不准", "冒烟"] and data.unlabeled == ["row 3", "row 5", "row 6", "row 7", "row 8"]
    assert data.marks == {"质量问题？": 1, "quality?": 1, "其他?？": 1, "待定": 1, "“虚假宣传？”": 1}
    with pytest.raises(LabeledDataError) as error:
        read_labeled([("漏水", "质量问题？"), ("冒烟", "服务态度？")])
    assert error.value.faults == [("unknown_label", {"label": "服务态度？", "near": None})]
    with pytest.raises(LabeledDataError) as error:
        read_labeled([("漏水", "质量问题？"), ("冒烟", "待定")]).check_some_labeled("training", "learn from")
    assert "2 are marked as not labeled yet or labeled in doubt: '质量问题？' 1, '待定' 1" in str(error.value)
    said = headline(error.value, {"label_col": "--label-col"})
    assert "2 行都没有填类别，填的是表示还没有标注的记号或带问号的存疑类别：「质量问题？」1 行、「待定」1 行）" in said, said


def test_a_label_column_found_by_name_of_marks_only_is_a_file_not_labeled_yet(tmp_path, write_csv):
    # A column found by its name 类别 holding nothing but 待定 and / was said to hold other values than labels, as if
    # it were not the label column; it is that of a file not labeled yet, refused as one (no labeled rows), the marks
    # named.
    from consumer_nlp.messages import headline

    rows = [["投诉内容", "类别"], ["漏水", "待定"], ["冒烟", "/"], ["掉色", "待定"]]
    data = read_labeled(write_csv(tmp_path / "marks.csv", rows))
    assert data.label_col == "类别" and data.unlabeled == ["row 2", "row 3", "row 4"]
    assert data.marks == {"待定": 2, "/": 1}
    with pytest.raises(LabeledDataError) as error:
        data.check_some_labeled("evaluation", "evaluate on")
    assert error.value.problem == "no_labeled_rows" and error.value.details["marks"] == {"待定": 2, "/": 1}
    assert "none of its 3 row(s) has a label; 3 are marked as not labeled yet: '待定' 2, '/' 1" in str(error.value)
    said = headline(error.value, {"label_col": "--label-col"})
    assert "3 行都没有填类别，填的是表示还没有标注的记号：「待定」2 行、「/」1 行）" in said, said


def test_an_english_label_written_with_spaces_or_hyphens_for_its_underscore_is_that_label():
    # "false advertising" and "Price-Measurement" (the words as a desk types them) stopped the file as unknown labels,
    # each row to be retyped, though no other category is meant.
    data = read_labeled([("夸大功效", "false advertising"), ("缺斤短两", "Price-Measurement"),
                         ("计价器跳得快", "price measurement"), ("纯棉是化纤", "FALSE_ADVERTISING")])
    assert data.labels == ["false_advertising", "price_measurement", "price_measurement", "false_advertising"]


def test_an_english_labels_underscore_or_hyphen_is_set_aside_only_between_its_words():
    # fin_ancial, safe-ty and false_advertising_ were read as financial, safety and false_advertising (helper e2's
    # entry): an underscore, a hyphen or a space was set aside anywhere in a label. One between its words only is;
    # the others are unknown labels, told with the label meant. price/measurement, as 价格/计量 is written, is one.
    data = read_labeled([("缺斤短两", "price/measurement"), ("夸大功效", "False - Advertising"),
                         ("冒烟", "“safety”"), ("贷款", "financial"), ("纯棉是化纤", "falseadvertising")])
    assert data.labels == ["price_measurement", "false_advertising", "safety", "financial", "false_advertising"]
    with pytest.raises(LabeledDataError) as error:
        read_labeled([("贷款", "fin_ancial"), ("冒烟", "safe-ty"), ("夸大", "false_advertising_"), ("掉色", "_quality"),
                      ("秤不准", "price_meas urement"), ("漏水", "quality")])
    assert [where for where, _ in error.value.problems] == [f"row {i}" for i in range(1, 6)]
    assert [fault[1]["near"] for fault in error.value.faults] == ["financial", "safety", "false_advertising",
                                                                  "quality", "price_measurement"]


def test_a_text_cell_holding_an_excel_error_is_refused_not_learned(tmp_path, write_workbook, capsys):
    # A text column filled by a formula (VLOOKUP) that found nothing holds #N/A or #REF! error cells: each was read
    # as a complaint text "#N/A", trained on and counted in evaluate's figures without a word.
    from consumer_nlp.cli import main

    rows = [["text", "label"], ["秤不准", "price_measurement"], ["#N/A", "quality"], ["冒烟", "safety"],
            ["#REF!", "safety"]]
    source = write_workbook(tmp_path / "vlookup.xlsx", {"标注": rows})
    with pytest.raises(LabeledDataError) as error:
        read_labeled(source)
    assert [where for where, _ in error.value.problems] == ["sheet row 3", "sheet row 5"]
    assert error.value.faults[0] == ("text_excel_error", {"error": "#N/A"})
    assert main(["evaluate", "default", str(source)]) == 2
    err = capsys.readouterr().err
    assert "工作表第 3 行：文本是 Excel 的错误值 #N/A" in err and "工作表第 5 行：文本是 Excel 的错误值 #REF!" in err
    typed = read_labeled([("#N/A", "quality"), ("冒烟", "safety")])  # a text typed so, not a workbook's error, stays
    assert typed.texts == ["#N/A", "冒烟"]


@pytest.mark.parametrize("suffix", ["csv", "tsv"])
def test_a_csv_saved_by_excel_from_a_sheet_of_error_cells_is_refused_too(tmp_path, write_csv, suffix):
    # Excel saves an error cell into a CSV as its text: the VLOOKUP that found nothing, refused in the .xlsx, was
    # learned as the complaint "#N/A" once the sheet was saved as CSV (pandas' read_csv reads it as missing too). A
    # text holding more than the error's name is a person's, and stays.
    rows = [["text", "label"], ["秤不准", "price_measurement"], ["#N/A", "quality"], ["冒烟", "safety"],
            [" #REF! ", "safety"], ["#N/A 查不到商家，电话打不通", "other"]]
    if suffix == "csv":
        source = write_csv(tmp_path / "vlookup.csv", rows)
    else:
        source = tmp_path / "vlookup.tsv"
        source.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    with pytest.raises(LabeledDataError) as error:
        read_labeled(source)
    assert [where for where, _ in error.value.problems] == ["row 3", "row 5"]
    assert [fault for fault in error.value.faults] == [("text_excel_error", {"error": "#N/A"}),
                                                      ("text_excel_error", {"error": "#REF!"})]
