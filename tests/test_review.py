"""The review loop without a browser: queue → workbook → corrections → training and the report."""
import multiprocessing
from pathlib import Path

import pytest
from openpyxl import load_workbook

import consumer_nlp as cn
from consumer_nlp.cli import main
from consumer_nlp.review import CorrectionStore, review_queue


TEXTS = ["买的电饭煲用了三天就不加热了", "这家店的秤每斤少二两", "说是纯棉的其实是化纤", "嗯", "东西还行吧就是有点那个",
         "信用卡没开卡就扣年费", "东西还行吧就是有点那个呀", "充电宝充着充着冒烟了", "客服态度一般般，别的没啥",
         "等了一个月都没人管", "退款一直不到账，说好的七天", "房间有股怪味", "会员自动续费了我都不知道"]


@pytest.fixture
def model_file(small_model, tmp_path):
    """A model trained on little data, unsure of much: many rows to review."""
    return cn.save(small_model, tmp_path / "small.cnlp")


@pytest.fixture
def tagged(tmp_path, small_model):
    source = tmp_path / "archive.csv"
    source.write_text("id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(TEXTS, start=1)), encoding="utf-8")
    cn.tag_file(small_model, source, tmp_path / "archive.tagged.csv", progress=False)
    return tmp_path / "archive.tagged.csv"


def test_texts_stored_as_parquet_binary_are_queued_as_their_text(small_model, tmp_path):
    # Strings stored as binary (as Hive and Impala write them) were tagged, but no row of them was
    # ever queued: 4 of 10 rows needed review, and the queue (and the web's 复核 page) held none.
    import pyarrow as pa
    import pyarrow.parquet as pq

    for kind, values in (("string", TEXTS), ("binary", pa.array([t.encode() for t in TEXTS], pa.binary()))):
        pq.write_table(pa.table({"text": values}), tmp_path / f"{kind}.parquet")
        cn.tag_file(small_model, tmp_path / f"{kind}.parquet", tmp_path / f"{kind}.tagged.parquet", progress=False)
    as_text = review_queue(small_model, tmp_path / "string.tagged.parquet")
    assert len(as_text) > 0 and review_queue(small_model, tmp_path / "binary.tagged.parquet") == as_text


def test_a_text_without_evidence_is_queued_with_the_models_decision_as_its_guess(small_model, tmp_path):
    # 嗯 (a stop word alone) is tagged 其他 on no evidence, every category as likely; the queue took the first of the
    # equal probabilities for its guess, 虚假宣传, which the tagged file never said.
    source = tmp_path / "a.csv"
    source.write_text("text\n嗯\n12315\n", encoding="utf-8")
    cn.tag_file(small_model, source, tmp_path / "a.tagged.csv", progress=False)
    queue = review_queue(small_model, tmp_path / "a.tagged.csv")
    assert [(item["guess"], item["guess_zh"]) for item in queue] == [("other", "其他")] * 2
    assert all(item["runner_up"] != "other" for item in queue)


def test_a_complaint_cell_holding_a_number_is_queued_as_its_text_not_counted_as_empty(small_model, tmp_path):
    # A tagged workbook's complaint cell holding a number (12315, 3.5) was tagged as its text, but the queue took any
    # value that is not a string for no text: review export said 需复核 2 条，列出 1 条（另 1 条文本为空）, of a row the
    # tagging never called empty, and left it out of the workbook.
    import pandas as pd

    texts = ["买的电饭煲用了三天就坏了", 12315, 3.5, 110, 0, 2026, "东西还行吧就是有点那个"]
    pd.DataFrame({"投诉内容": texts}).to_excel(tmp_path / "投诉.xlsx", index=False)
    summary = cn.tag_file(small_model, tmp_path / "投诉.xlsx", tmp_path / "投诉.tagged.xlsx", progress=False)
    tagged = pd.read_excel(tmp_path / "投诉.tagged.xlsx")
    numbers = [i + 2 for i, (text, flag) in enumerate(zip(tagged["投诉内容"], tagged["needs_review"]))
               if flag and not isinstance(text, str)]
    assert numbers and summary.empty == 0  # the small model is unsure of some numbers; none was tagged as empty
    queue = review_queue(small_model, tmp_path / "投诉.tagged.xlsx")
    assert queue.empty == 0 and queue.flagged == summary.needs_review
    assert {item["row"]: item["text"] for item in queue if item["row"] in numbers} == {
        row: str(texts[row - 2]) for row in numbers}


def test_the_queue_holds_the_rows_to_review_most_instructive_first_without_near_duplicates(tagged, small_model):
    import pandas as pd

    frame = pd.read_csv(tagged, dtype=str, keep_default_na=False)
    # Each row as a spreadsheet numbers it (the header is row 1): the data row was shown, one too few.
    flagged = {i + 2 for i, flag in enumerate(frame["needs_review"]) if flag == "TRUE" and frame["text"][i].strip()}
    queue = review_queue(small_model, tagged)
    rows = [item["row"] for item in queue]
    assert set(rows) <= flagged and len(rows) == len(set(rows))
    assert all(frame["text"][item["row"] - 2] == item["text"] for item in queue)
    assert [item["score"] for item in queue] == sorted((item["score"] for item in queue), reverse=True)
    texts = [item["text"] for item in queue]
    assert not ("东西还行吧就是有点那个" in texts and "东西还行吧就是有点那个呀" in texts)
    for item in queue:
        proba = small_model.predict_proba([item["text"]])[0]
        guess = small_model.predict([item["text"]])[0]  # the most probable; other for 嗯, every category as likely
        assert item["guess"] == guess and item["runner_up"] != guess
        if proba.max() > proba.min():
            assert guess == small_model.classes_[proba.argmax()]
            assert item["runner_up"] == small_model.classes_[proba.argsort()[-2]]
    duplicates = {"东西还行吧就是有点那个", "东西还行吧就是有点那个呀"}
    assert duplicates <= set(frame["text"][[r - 2 for r in flagged]]), "the fixture must queue both"


def test_a_tagged_csv_edited_to_hold_a_blank_line_and_a_text_over_lines_is_numbered_as_excel_shows_it(
        model_file, small_model, tmp_path):
    # The queue numbered a tagged file's rows by counting from the header: a blank line below it and a text over two
    # lines (a file edited in a text editor, or saved so by another program) shifted every row by one in the review
    # workbook's 原文件行号, so that a desk looked at the wrong complaint. Each row is named as Excel shows it.
    import pandas as pd

    source = tmp_path / "two_lines.csv"
    pd.DataFrame({"text": [TEXTS[0] + "\n（第二行）", *TEXTS[1:]]}).to_csv(source, index=False)
    cn.tag_file(small_model, source, tmp_path / "two_lines.tagged.csv", progress=False)
    header, body = (tmp_path / "two_lines.tagged.csv").read_text("utf-8-sig").split("\n", 1)
    edited = tmp_path / "edited.csv"
    edited.write_text(f"{header}\n\n{body}", encoding="utf-8")  # Excel shows the blank line as row 2
    frame = pd.read_csv(edited, dtype=str, keep_default_na=False)
    excel_row = {text: i + 3 for i, text in enumerate(frame["text"])}
    queue = review_queue(small_model, edited)
    assert len(queue) >= 3 and [item["row"] for item in queue] == [excel_row[item["text"]] for item in queue]
    workbook = tmp_path / "复核.xlsx"
    assert main(["review", "export", str(edited), "-o", str(workbook), "--model", str(model_file),
                 "--registry", str(tmp_path / "registry")]) == 0
    shown = [(row[1].value, row[2].value) for row in load_workbook(workbook)["复核"].iter_rows(min_row=2)]
    assert shown and all(row == excel_row[text] for row, text in shown), shown


def test_a_tagged_tsv_with_a_row_cut_into_pieces_is_refused_by_its_row_not_left_out_of_the_review(
        model_file, small_model, tmp_path, capsys):
    # A tagged TSV whose text of row 3 a desk broke over two lines in a text editor (or a TSV cell in quotes cut into
    # rows): its pieces cannot be parsed, and `review export` left them out of the workbook without a word (需复核 N 条
    # counted without them), while `report` refuses such a file naming the row.
    source = tmp_path / "archive.tsv"
    source.write_text("id\ttext\n" + "".join(f"{i}\t{t}\n" for i, t in enumerate(TEXTS, start=1)), encoding="utf-8")
    cn.tag_file(small_model, source, tmp_path / "archive.tagged.tsv", progress=False)
    lines = (tmp_path / "archive.tagged.tsv").read_text("utf-8-sig").split("\n")
    lines[3] = lines[3].replace(TEXTS[2][:2], TEXTS[2][:2] + "\n", 1)  # row 4: id 3, its text over two lines
    edited = tmp_path / "edited.tsv"
    edited.write_text("\n".join(lines), encoding="utf-8")
    workbook = tmp_path / "复核.xlsx"
    assert main(["review", "export", str(edited), "-o", str(workbook), "--model", str(model_file),
                 "--registry", str(tmp_path / "registry")]) == 2
    err = capsys.readouterr().err
    assert "第 4 行格式有误（这一行有 2 列，表头有 8 列）" in err, err
    assert not workbook.exists()


def _exported(tagged, model_file, tmp_path) -> tuple[list, Path]:
    """The registry's flags and a review workbook exported from ``tagged`` by ``review export``, as a desk makes one."""
    registry = ["--registry", str(tmp_path / "registry")]
    workbook = tmp_path / "复核.xlsx"
    assert main(["review", "export", str(tagged), "-o", str(workbook), "--model", str(model_file), *registry]) == 0
    return registry, workbook


def _fill(workbook_path, choices: dict):
    """Choose categories in the workbook as a reviewer would: {sheet row: value}."""
    from openpyxl import load_workbook as open_book

    book = open_book(workbook_path)
    for row, value in choices.items():
        book["复核"].cell(row=row, column=7).value = value
    book.save(workbook_path)


def test_a_near_spelling_in_the_correction_is_refused_naming_the_nearest_category(tagged, model_file, tmp_path, capsys):
    # 「价格」 typed into 更正为 was refused as 第2行「价格」 alone, though the nearest category (价格/计量) was known, as
    # labeled data's refusal says it; it is said by its Chinese name, as the drop-down lists it (qualty: 质量问题).
    registry, workbook = _exported(tagged, model_file, tmp_path)
    _fill(workbook, {2: "价格", 3: "qualty", 4: "投诉"})
    assert main(["review", "import", str(workbook), *registry]) == 2
    err = capsys.readouterr().err
    assert ("“更正为”一列填的不是六个类别之一（请从下拉列表中选择）：第2行「价格」（是不是「价格/计量」？）、"
            "第3行「qualty」（是不是「质量问题」？）、第4行「投诉」\n") in err, err
    assert CorrectionStore(tmp_path / "registry" / "corrections.sqlite").all() == []


def test_a_reviewers_not_reviewed_yet_mark_is_a_row_not_reviewed_not_a_refusal_nor_a_correction(
        tagged, model_file, tmp_path, capsys):
    # 待定, / or ？ typed into 更正为 (as a desk marks a label cell it has not filled yet) refused the whole import as
    # “更正为”一列填的不是六个类别之一：第3行「待定」…, the other rows' choices unstored. It is a row not reviewed yet:
    # never stored, counted and named in the summary, as labeled data counts such a label as none.
    from consumer_nlp.review import read_review

    registry, workbook = _exported(tagged, model_file, tmp_path)
    capsys.readouterr()
    _fill(workbook, {2: "待定", 3: "/", 4: "？"})
    assert main(["review", "import", str(workbook), *registry]) == 0
    assert capsys.readouterr().out == (
        f"复核表里没有填写「更正为」的行（3 行填的是表示尚未复核的记号：「待定」1 行、「/」1 行、「？」1 行），"
        f"没有保存任何更正：{workbook}\n")
    _fill(workbook, {2: "安全问题", 4: "N/A", 5: "/"})
    corrections, _ = read_review(workbook)
    assert [c["label"] for c in corrections] == ["safety"]
    assert corrections.not_reviewed == [(3, "/"), (4, "N/A"), (5, "/")]
    assert main(["review", "import", str(workbook), "--reviewer", "张三", *registry]) == 0
    out = capsys.readouterr().out
    assert out.startswith("已保存 1 条人工更正（") and \
        "\n另 3 行「更正为」填的是表示尚未复核的记号：「/」2 行、「N/A」1 行，按留空计，没有保存" in out, out
    store = CorrectionStore(tmp_path / "registry" / "corrections.sqlite")
    assert [r["label"] for r in store.all()] == ["safety"]


def test_a_choice_written_with_a_question_mark_is_a_row_not_reviewed_counted_and_said(
        tagged, model_file, tmp_path, capsys):
    # 质量问题？ in 更正为, a reviewer's doubt, was stored as a sure correction to quality, which retraining learns
    # from, though ？ alone is a row not reviewed yet and labeled data leaves such a label out as in doubt. It is a row
    # not reviewed yet now: never stored, counted with the marks as written and said as in doubt in the summary.
    from consumer_nlp.exceptions import ReviewWorkbookError
    from consumer_nlp.review import read_review

    registry, workbook = _exported(tagged, model_file, tmp_path)
    capsys.readouterr()
    _fill(workbook, {2: "安全问题", 3: "质量问题？", 4: "quality?", 5: "待定", 6: "“虚假宣传？”", 7: "服务态度？"})
    with pytest.raises(ReviewWorkbookError) as refused:  # a question mark after no category: no category, as before
        read_review(workbook)
    assert refused.value.problems == [("not_a_category", {"rows": [(7, "服务态度？")]})]
    _fill(workbook, {7: "质量问题！"})  # an exclamation is no doubt
    corrections, _ = read_review(workbook)
    assert [(c["label"]) for c in corrections] == ["safety", "quality"]
    assert corrections.not_reviewed == [(3, "质量问题？"), (4, "quality?"), (5, "待定"), (6, "“虚假宣传？”")]
    assert main(["review", "import", str(workbook), *registry]) == 0
    out = capsys.readouterr().out
    assert out.startswith("已保存 2 条人工更正（") and (
        "\n另 4 行「更正为」填的是表示尚未复核的记号或带问号的存疑类别：「质量问题？」1 行、「quality?」1 行、「待定」1 行、"
        "「“虚假宣传？”」1 行，按留空计，没有保存；带问号的确定后删去问号，再导入即可保存\n") in out + "\n", out
    assert sorted(r["label"] for r in CorrectionStore(tmp_path / "registry" / "corrections.sqlite").all()) == \
        ["quality", "safety"]
    _fill(workbook, {2: None, 7: "safety？"})
    assert main(["review", "import", str(workbook), *registry]) == 0
    assert capsys.readouterr().out == (
        "复核表里没有填写「更正为」的行（5 行填的是表示尚未复核的记号或带问号的存疑类别：「质量问题？」1 行、「quality?」1 行、"
        f"「待定」1 行、「“虚假宣传？”」1 行、「safety？」1 行；带问号的确定后删去问号，再导入即可保存），没有保存任何更正：{workbook}\n")


def test_export_fill_import_and_the_report_counts_the_corrections(tagged, model_file, tmp_path, capsys):
    registry, workbook = _exported(tagged, model_file, tmp_path)
    book = load_workbook(workbook)
    sheet = book["复核"]
    assert [c.value for c in sheet[1]] == ["序号", "原文件行号", "投诉内容", "模型判断", "次选", "置信度", "更正为",
                                           "原文（勿改）", "导出时间（勿改）"]
    assert all(sheet.column_dimensions[letter].hidden for letter in "HI") and not sheet.column_dimensions["G"].hidden
    rows = sheet.max_row - 1
    assert rows >= 3
    validation = sheet.data_validations.dataValidation[0]
    assert validation.type == "list" and "价格/计量" in validation.formula1 and f"G2:G{rows + 1}" in str(validation.sqref)
    before = cn.report_archive(tagged, progress=False).tables["categories"].set_index("label")["件数"]

    _fill(workbook, {2: "安全问题", 3: " financial ", 4: "投诉"})
    assert main(["review", "import", str(workbook), *registry]) == 2
    err = capsys.readouterr().err
    assert "第4行「投诉」" in err and "nothing was stored" in err
    # The desk reads the first line: it said only the English "nothing was stored; these rows …".
    assert err.startswith("consumer-nlp: 错误：复核工作簿里有填得不对的行，一条更正也没有保存（逐类列在下面）。"), err
    assert "“更正为”一列填的不是六个类别之一（请从下拉列表中选择）：第4行「投诉」" in err
    assert "请改正后再导入" in err
    store = CorrectionStore(tmp_path / "registry" / "corrections.sqlite")
    assert store.all() == []

    _fill(workbook, {4: None})
    assert main(["review", "import", str(workbook), "--reviewer", "张三", *registry]) == 0
    stored = store.all()
    assert [(r["label"], r["reviewer"]) for r in stored] == [("safety", "张三"), ("financial", "张三")]
    texts = [sheet.cell(row=r, column=3).value for r in (2, 3)]
    assert [r["text"] for r in stored] == texts

    corrected = cn.report_archive(tagged, corrections=store.labels(), progress=False)
    after = corrected.tables["categories"].set_index("label")["件数"]
    guesses = [sheet.cell(row=r, column=4).value for r in (2, 3)]
    expected = before.copy()
    for guess, label in zip(guesses, ["safety", "financial"]):
        expected[{v: k for k, v in cn.CATEGORIES.items()}[guess]] -= 1
        expected[label] += 1
    assert after.to_dict() == expected.to_dict()
    assert main(["report", str(tagged), "-o", str(tmp_path / "r.md"), "-q", *registry]) == 0
    moved = sum(guess != cn.CATEGORIES[label] for guess, label in zip(guesses, ["safety", "financial"]))
    assert (f"{moved} 行按人工更正的类别计入" in (tmp_path / "r.md").read_text("utf-8")) == bool(moved)


def test_a_correction_whose_text_cell_was_emptied_is_refused_by_its_row(tagged, model_file, tmp_path, capsys):
    # An emptied 投诉内容 cell was stored as a correction of the text "None", which training then learned.
    # The exported text is kept in a hidden column, so the correction still belongs to it; a workbook
    # without that column (exported by an earlier version) is refused by row; an altered one too.
    registry, workbook = _exported(tagged, model_file, tmp_path)
    book = load_workbook(workbook)
    exported = [book["复核"].cell(row=r, column=3).value for r in (2, 3, 4)]
    book["复核"].cell(row=2, column=3).value = None
    book["复核"].cell(row=3, column=3).value = "   "
    book.save(workbook)
    _fill(workbook, {2: "安全问题", 3: "安全问题", 4: "安全问题"})
    older, altered = tmp_path / "旧版复核.xlsx", tmp_path / "改过的复核.xlsx"
    book = load_workbook(workbook)
    book["复核"].delete_cols(8, 1)
    book.save(older)
    book = load_workbook(workbook)
    book["复核"].cell(row=4, column=8).value = "被改过"
    book.save(altered)

    for path, rows in ((older, ["第2行", "第3行"]), (altered, ["第4行"])):
        assert main(["review", "import", str(path), *registry]) == 2
        err = capsys.readouterr().err
        assert all(row in err for row in rows) and not any(row in err for row in {"第2行", "第3行", "第4行"} - set(rows))
        assert ("投诉内容" if path == older else "原文（勿改）") in err
    store = CorrectionStore(tmp_path / "registry" / "corrections.sqlite")
    assert store.all() == []
    assert main(["review", "import", str(workbook), *registry]) == 0
    assert [r["text"] for r in store.all()] == exported


@pytest.mark.parametrize("name, content", [("复核.csv", "序号,原文件行号\n".encode()), ("复核.xlsx", b"PK\x03\x04broken"),
                                           ("复核.xls", b"\xd0\xcf\x11\xe0")])
def test_a_workbook_saved_in_another_format_or_damaged_is_refused_in_one_line(tmp_path, capsys, name, content):
    # Saved as .csv or .xls by a reviewer, or cut short: it ended in a Python traceback.
    (tmp_path / name).write_bytes(content)
    assert main(["review", "import", str(tmp_path / name), "--registry", str(tmp_path / "registry")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ".xlsx" in err and name in err


def test_a_correction_belongs_to_the_text_exported_even_when_the_cell_cannot_hold_it(tmp_path):
    # Texts were matched by the 投诉内容 cell: one cut at Excel's 32,767 characters or edited by the
    # reviewer lost its correction, and one with a control character ended export in a traceback.
    from consumer_nlp.review import export_review, read_review

    long_text = "洗衣机漏水，" * 7000  # 42,000 characters
    texts = [long_text, "充电宝\x01鼓包\x0b了", "秤不准\ud83d，少了二两", "手机屏幕坏了"]
    queue = [{"row": n, "text": text, "guess_zh": "其他", "runner_up_zh": "质量问题", "confidence": 0.4}
             for n, text in enumerate(texts, start=1)]
    workbook = export_review(queue, tmp_path / "复核.xlsx")
    book = load_workbook(workbook)
    cells = [book["复核"].cell(row=r, column=3).value for r in range(2, 6)]
    assert len(cells[0]) <= 32_767 and cells[1] == "充电宝\ufffd鼓包\ufffd了" and cells[2] == "秤不准\ufffd，少了二两"
    book["复核"].cell(row=5, column=3).value = "手机屏幕坏了（复核员注：已联系商家）"  # a reviewer's note in the text
    book.save(workbook)
    _fill(workbook, {r: "质量问题" for r in range(2, 6)})
    corrections, _ = read_review(workbook)
    assert [c["text"] for c in corrections] == texts and [c["row"] for c in corrections] == [1, 2, 3, 4]


def test_an_export_to_a_workbook_another_writer_holds_is_refused_and_the_file_untouched(tmp_path, writing_elsewhere):
    # review export -o took no output lock: two exports (or an export and a tagging run) of one name went on unaware.
    from consumer_nlp.review import export_review

    queue = [{"row": 1, "text": "秤不准", "guess_zh": "其他", "runner_up_zh": "价格/计量", "confidence": 0.4}]
    theirs = tmp_path / "复核.xlsx"
    theirs.write_text("a colleague's", "utf-8")
    with writing_elsewhere(theirs):
        with pytest.raises(ValueError, match="another run is writing"):
            export_review(queue, theirs, force=True)
    assert theirs.read_text("utf-8") == "a colleague's" and [p.name for p in tmp_path.iterdir()] == ["复核.xlsx"]
    export_review(queue, theirs, force=True)
    assert load_workbook(theirs)["复核"].cell(row=2, column=3).value == "秤不准"


def test_a_text_with_a_broken_emoji_is_corrected_and_counted(small_model, tmp_path):
    # A JSONL archive keeps a broken emoji (a lone surrogate, "\ud83d"); its correction ended the import
    # in a traceback, since the store (UTF-8) cannot hold one, and the report could not match it.
    import json

    from consumer_nlp.review import export_review, read_review

    text = "充电宝用了两次就鼓包\ud83d"
    source = tmp_path / "archive.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate([text, *TEXTS])),
                      encoding="utf-8")
    tagged = cn.tag_file(small_model, source, tmp_path / "archive.tagged.jsonl", progress=False).output
    queue = [item for item in review_queue(small_model, tagged) if item["text"] == text]
    queue = queue or [{"row": 1, "text": text, "guess": "other", "guess_zh": "其他", "runner_up_zh": "质量问题",
                       "confidence": 0.4}]
    workbook = export_review(queue, tmp_path / "复核.xlsx")
    _fill(workbook, {2: "安全问题"})
    store = CorrectionStore(tmp_path / "corrections.sqlite")
    store.add(read_review(workbook)[0], reviewer="张三")
    before = cn.report_archive(tagged, progress=False).tables["categories"].set_index("label")["件数"]
    after = cn.report_archive(tagged, corrections=store.labels(), progress=False).tables["categories"]
    guess = json.loads(tagged.read_text(encoding="utf-8").splitlines()[0])["category"]
    assert after.set_index("label")["件数"]["safety"] == before["safety"] + (guess != "safety")
    from consumer_nlp.io import LabeledData

    training = LabeledData([text, TEXTS[0]], ["other", "quality"]).with_corrections(store.labels())
    assert (training.texts, training.labels) == ([text, TEXTS[0]], ["safety", "quality"])  # applied, not added


def test_an_edit_of_category_zh_counts_and_chinese_in_category_is_read(tagged, tmp_path):
    import pandas as pd

    frame = pd.read_csv(tagged, dtype=str, keep_default_na=False)
    frame.loc[0, "category_zh"] = "安全问题"   # a person changed the Chinese column in Excel
    frame.loc[1, "category"] = "金融服务"      # and typed Chinese into the English one
    frame.loc[1, "category_zh"] = "金融服务"
    frame.to_csv(tmp_path / "edited.csv", index=False)
    table = cn.report_archive(tmp_path / "edited.csv", progress=False).tables["categories"].set_index("label")
    original = cn.report_archive(tagged, progress=False).tables["categories"].set_index("label")
    moved = pd.Series(0, index=original.index)
    for label, new in ((frame["category"][0], "safety"), (pd.read_csv(tagged, dtype=str)["category"][1], "financial")):
        moved[label] -= 1
        moved[new] += 1
    assert (table["件数"] - original["件数"]).to_dict() == moved.to_dict()
    frame.loc[2, "category_zh"] = "不知道"
    frame.to_csv(tmp_path / "typo.csv", index=False)
    with pytest.raises(ValueError, match="category_zh.*row 4「不知道」"):
        cn.report_archive(tmp_path / "typo.csv", progress=False)


def test_an_edit_of_category_alone_is_named_not_counted_as_corrected(tagged, tmp_path):
    # A person who changed only the English column saw it ignored, under a note that said the rows
    # were counted by a person's correction.
    import pandas as pd

    frame = pd.read_csv(tagged, dtype=str, keep_default_na=False)
    for row in (0, 3):
        frame.loc[row, "category"] = "safety" if frame["category"][row] != "safety" else "other"
    frame.loc[3, "category"] = cn.CATEGORIES[frame["category"][3]]  # Chinese typed into the English column
    frame.to_csv(tmp_path / "edited.csv", index=False)
    report = cn.report_archive(tmp_path / "edited.csv", progress=False)
    assert not any("人工更正" in note for note in report.notes)
    assert any("2 行的 category 与 category_zh 不一致，按 category_zh 计入（第2、5行）" in note for note in report.notes)


def test_training_with_corrections_learns_them(small_corpus, tmp_path):
    texts, labels = small_corpus
    odd = "这个东西吧，咋说呢，就是那个什么玩意儿"
    model = cn.train(list(zip(texts, labels)), cv=0, corrections={odd: "price_measurement"})
    assert model.training_data_["rows"] == len(texts) + 1
    assert model.training_data_["label_counts"]["price_measurement"] == labels.count("price_measurement") + 1
    relabeled = cn.train(list(zip(texts, labels)), cv=0, corrections={texts[0]: "other"})
    assert relabeled.training_data_["rows"] == len(texts)
    assert relabeled.training_data_["label_counts"]["other"] == labels.count("other") + (labels[0] != "other")


def test_the_same_correction_again_is_not_stored_and_a_later_different_one_replaces_it(tmp_path):
    # Importing one review workbook twice stored each correction again: the store grew with every import.
    store = CorrectionStore(tmp_path / "corrections.sqlite")
    batch = [{"text": "充电宝冒烟了", "label": "安全问题", "source": "一月.csv", "row": 5},
             {"text": "秤每斤少二两", "label": "price_measurement", "source": "一月.csv", "row": 9}]
    assert store.add(batch, reviewer="张三").stored == 2
    assert store.add(batch, reviewer="李四").stored == 0
    assert store.add([{**batch[0], "row": "5"}], reviewer="张三").stored == 0
    assert store.add([{**batch[0], "source": "二月.csv"}], reviewer="李四").stored == 1  # another archive's row: kept
    assert store.add([{**batch[0], "label": "quality"}], reviewer="李四").stored == 1
    assert store.labels()["充电宝冒烟了"] == "quality"
    assert store.add(batch[:1], reviewer="张三").stored == 1  # safety again, after quality: a later, different correction
    assert store.labels()["充电宝冒烟了"] == "safety"
    assert [(r["label"], r["source"], r["reviewer"]) for r in store.all()] == [
        ("safety", "一月.csv", "张三"), ("price_measurement", "一月.csv", "张三"), ("safety", "二月.csv", "李四"),
        ("quality", "一月.csv", "李四"), ("safety", "一月.csv", "张三")]


def test_labels_read_only_the_corrections_stored_since_and_know_a_store_put_back(tmp_path, monkeypatch):
    # The web's review page asked for every correction at every view and choice (labels()): 60 ms and more for 12,000
    # corrections, growing with every one stored. Another store of the file (the command line, another reviewer) and
    # a file put back from a backup must still be seen.
    import shutil

    from consumer_nlp.review import _store

    path = tmp_path / "corrections.sqlite"
    server, desk = CorrectionStore(path), CorrectionStore(path)
    desk.add([{"text": f"第{n}条：秤每斤少二两", "label": "price_measurement"} for n in range(300)], reviewer="张三")
    assert len(server.labels()) == 300
    shutil.copy(path, tmp_path / "backup.sqlite")
    read, key = [], _store.correction_key
    monkeypatch.setattr(_store, "correction_key", lambda text: read.append(text) or key(text))
    desk.add([{"text": "第0条：秤每斤少二两", "label": "quality"}, {"text": "充电宝冒烟了", "label": "safety"}],
             reviewer="李四")
    read.clear()
    labels = server.labels()
    assert len(read) == 2 and len(labels) == 301
    assert labels["第0条：秤每斤少二两"] == "quality" and labels["充电宝冒烟了"] == "safety"
    labels["充电宝冒烟了"] = "other"  # what a caller does with its copy is its own
    assert server.labels()["充电宝冒烟了"] == "safety"
    for name in ("corrections.sqlite-wal", "corrections.sqlite-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    shutil.copy(tmp_path / "backup.sqlite", path)  # put back: the two corrections since are gone
    labels = server.labels()
    assert len(labels) == 300 and labels["第0条：秤每斤少二两"] == "price_measurement"


def test_copies_of_one_text_in_one_add_cost_their_number_not_its_square(tmp_path, monkeypatch):
    # Each correction was checked against every correction of its text held, read again from the store for each:
    # 1,000 copies of one text in one `review import` took 2.0 s, 2,000 7.3 s, 4,000 25.5 s. The work (SQLite's
    # steps and the lines of Python the store runs) is counted, not timed: twice the copies, about twice the work.
    import sys

    from consumer_nlp.review import _store

    steps = [0]
    connect = CorrectionStore._connect

    def counted(self):
        connection = connect(self)
        connection.set_progress_handler(lambda: steps.__setitem__(0, steps[0] + 1) or 0, 100)
        return connection

    def lines(frame, event, arg):
        if frame.f_code.co_filename == _store.__file__:
            steps[0] += event == "line"
            return lines
        return None

    monkeypatch.setattr(CorrectionStore, "_connect", counted)
    work = {}
    for copies in (150, 300):
        store = CorrectionStore(tmp_path / f"{copies}.sqlite")
        batch = [{"text": "买的电饭煲用了三天就坏了", "label": "quality", "source": "一月.xlsx", "row": n + 2,
                  "exported_at": "2026-12-01T08:00:00+08:00"} for n in range(copies)]
        steps[0] = 0
        sys.settrace(lines)
        try:
            first, again = store.add(batch, reviewer="张三"), store.add(batch, reviewer="李四")
        finally:
            sys.settrace(None)
        work[copies] = steps[0]
        assert tuple(first) == (copies, 0, 0, 0, []) and tuple(again) == (0, copies, 0, 0, [])
        assert [(r["row"], r["reviewer"]) for r in store.all()] == [(n + 2, "张三") for n in range(copies)]
        assert store.labels() == {"买的电饭煲用了三天就坏了": "quality"}
    assert work[300] < 2.5 * work[150], work


def test_the_corrections_of_a_text_kept_as_an_add_goes_stand_where_all_of_them_read_again_would(tmp_path):
    # What one add keeps of a text's corrections as it stores them (_Choices) answers as they would all read again:
    # the category that counts, the choices left disputed, those of an export that contradict a choice, the latest
    # export whose choices agree; after each of many random choices.
    import random

    from consumer_nlp.review._store import _Choices, _standing

    rng = random.Random(12)
    moments = [None, "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    for _ in range(300):
        held, choices = [], _Choices()
        for _ in range(rng.randint(1, 14)):
            choice = (rng.choice(moments), rng.choice(["quality", "safety", "other"]), rng.choice(["张三", "李四"]))
            held.append(choice)
            choices.append(*choice)
            label, disputed = _standing(held)
            assert choices.standing() == (label, max((c[0] for c in disputed), default=None)), held
            for moment in moments:
                for other in ("quality", "safety"):
                    assert choices.others(moment, other) == [(c[1], c[2]) for c in held if moment is not None
                                                             and c[0] == moment and c[1] != other], held
            agreed = [m for m in moments[1:] if len({c[1] for c in held if c[0] == m}) == 1]
            assert choices.latest_agreed() == max(agreed, default=None), held
            assert len(choices) == len(held)


def test_a_store_on_a_disk_that_cannot_be_written_is_still_read(tagged, tmp_path, monkeypatch, capsys):
    # A registry on a read-only disk or share (the office's, which desks only read): `report` and `train
    # --with-corrections` stopped on the store's lock file ("Read-only file system"), though they only read it.
    import errno

    from consumer_nlp.review import _store

    registry = tmp_path / "registry"
    CorrectionStore.of_registry(registry).add([{"text": TEXTS[0], "label": "safety"}], reviewer="张三")

    def read_only_disk(path):
        raise OSError(errno.EROFS, "Read-only file system", str(path))
    monkeypatch.setattr(_store, "held", read_only_disk)
    store = CorrectionStore.of_registry(registry)
    assert store.labels() == {TEXTS[0]: "safety"} and [r["label"] for r in store.all()] == ["safety"]
    report = tmp_path / "报告.html"
    assert main(["report", str(tagged), "-o", str(report), "--registry", str(registry)]) == 0
    with pytest.raises(OSError, match="Read-only"):  # writing is refused, as the disk refuses it
        store.add([{"text": TEXTS[1], "label": "price_measurement"}], reviewer="张三")
    workbook = _export_one(tmp_path, "复核.xlsx")
    _fill(workbook, {2: "安全问题"})
    capsys.readouterr()
    assert main(["review", "import", str(workbook), "--reviewer", "张三", "--registry", str(registry)]) == 2
    first = capsys.readouterr().err.splitlines()[0]  # said only in English under 没有完成（原因在下面…） before
    assert "只读" in first and "请换一个可以写入的文件夹" in first, first


def _export_one(tmp_path, name: str, text: str = "充电宝充着充着冒烟了"):
    """A review workbook of one row, ``text``, exported now as ``name``."""
    from consumer_nlp.review import export_review

    return export_review([{"row": 9, "text": text, "guess_zh": "其他", "runner_up_zh": "质量问题", "confidence": 0.4}],
                         tmp_path / name)


def _first_imported_again(first, second, registry: list, capsys, reviewers: tuple) -> tuple:
    """``first`` (quality) and ``second`` (safety) imported, then ``first`` again: the last import's output and the
    store, which must keep ``second``'s choice and nothing stored again."""
    for workbook, reviewer in zip((first, second), reviewers):
        assert main(["review", "import", str(workbook), "--reviewer", reviewer, *registry]) == 0
    capsys.readouterr()
    assert main(["review", "import", str(first), "--reviewer", reviewers[0], *registry]) == 0
    out = capsys.readouterr().out
    store = CorrectionStore(Path(registry[1]) / "corrections.sqlite")
    assert store.labels() == {"充电宝充着充着冒烟了": "safety"}
    assert [r["label"] for r in store.all()] == ["quality", "safety"]
    return out, store


def test_an_older_workbook_imported_again_does_not_undo_a_newer_correction(tmp_path, capsys):
    # Last week's workbook imported by mistake after this week's had corrected the same text otherwise put last
    # week's category back, silently: an export carried no moment to tell the two apart.
    from consumer_nlp.review import read_review

    registry = ["--registry", str(tmp_path / "registry")]
    last_week, this_week = _export_one(tmp_path, "上周.xlsx"), _export_one(tmp_path, "本周.xlsx")
    _fill(last_week, {2: "质量问题"})  # saved again, as Excel does: the moment stays
    _fill(this_week, {2: "安全问题"})
    out, store = _first_imported_again(last_week, this_week, registry, capsys, ("张三", "李四"))  # this week's replaces
    assert "已保存 0 条人工更正" in out and "另 1 条没有采用：这些投诉已由更晚导出的复核表或网页复核更正为其他类别" in out, out
    assert tuple(store.add(read_review(last_week)[0], reviewer="张三"))[:4] == (0, 0, 1, 0)  # the library's count
    assert tuple(store.add(read_review(this_week)[0], reviewer="李四"))[:4] == (0, 1, 0, 0)  # the same one: harmless
    _fill(this_week, {2: "其他"})  # the same export chosen otherwise: a change of mind or another copy, none can tell
    added = store.add(read_review(this_week)[0], reviewer="李四")
    assert tuple(added)[:4] == (1, 0, 0, 0) and [d["others"] for d in added.disagreements] == [[("safety", "李四")]]
    assert store.labels() == {"充电宝充着充着冒烟了": "quality"}  # as before this week's export, until a person settles
    assert store.disputes() == {"充电宝充着充着冒烟了": [("safety", "李四"), ("other", "李四")]}  # for the person


def test_a_later_export_agreeing_with_an_earlier_one_still_outranks_one_exported_between(tmp_path, capsys):
    # Week 1's and week 3's workbooks chose 质量问题, week 2's (a colleague's, imported late) 安全问题: week 3's was not
    # stored (the same choice as held, from the same tagged file's row), so week 2's, imported last, was stored over
    # week 1's and counted, though week 3's later choice said otherwise. Each import's later moment is kept now.
    registry = ["--registry", str(tmp_path / "registry")]
    weeks = [_export_one(tmp_path, f"第{n}周.xlsx") for n in (1, 2, 3)]
    for workbook, choice in zip(weeks, ("质量问题", "安全问题", "质量问题")):
        _fill(workbook, {2: choice})
    for workbook in (weeks[0], weeks[2]):
        assert main(["review", "import", str(workbook), "--reviewer", "张三", *registry]) == 0
    capsys.readouterr()
    assert main(["review", "import", str(weeks[1]), "--reviewer", "李四", *registry]) == 0
    out = capsys.readouterr().out
    store = CorrectionStore(Path(registry[1]) / "corrections.sqlite")
    assert store.labels() == {"充电宝充着充着冒烟了": "quality"}
    assert "已保存 0 条人工更正" in out and "另 1 条没有采用" in out, out
    assert main(["review", "import", str(weeks[2]), "--reviewer", "张三", *registry]) == 0  # again: not stored twice
    assert [r["label"] for r in store.all()] == ["quality", "quality"]


@pytest.mark.parametrize("earlier_first", [True, False])
def test_an_earlier_exports_choice_counts_under_a_later_export_whose_copies_disagree_in_either_order(tmp_path,
                                                                                                    earlier_first):
    # Two copies of this week's export disagree; last week's choice counted meanwhile when imported before them, but
    # imported after them it was not stored at all, said as 已由更晚导出的复核表…更正为其他类别, though no later choice
    # counted: the complaint went back to the model's category, and last week's choice was lost.
    store = CorrectionStore(tmp_path / "corrections.sqlite")
    text = "充电宝冒烟了"
    last_week = [{"text": text, "label": "quality", "source": "上周.csv", "row": 1,
                  "exported_at": "2026-11-29T09:00:00+08:00"}]
    copies = [{"text": text, "label": label, "source": "本周.csv", "row": 1, "exported_at": "2026-12-06T09:00:00+08:00"}
              for label in ("safety", "other")]
    for given in ([last_week, copies[:1], copies[1:]] if earlier_first else [copies[:1], copies[1:], last_week]):
        store.add(given, reviewer="张三")
    assert store.labels() == {text: "quality"}
    assert store.disputes() == {text: [("safety", "张三"), ("other", "张三")]}
    assert sorted(r["label"] for r in store.all()) == ["other", "quality", "safety"]


@pytest.mark.parametrize("order", [("张三", "李四"), ("李四", "张三")])
def test_two_copies_of_one_export_that_disagree_keep_neither_either_way_and_say_the_row(tmp_path, capsys, order):
    # 张三's and 李四's copies of one export carry one 导出时间: the copy imported last gave the text its category,
    # whichever it was, and nothing said that the two disagreed; a third copy agreeing with the first was 没有再采用.
    import shutil

    from consumer_nlp.review import read_review

    registry = ["--registry", str(tmp_path / "registry")]
    exported = _export_one(tmp_path, "复核.xlsx")
    copies = {name: shutil.copy(exported, tmp_path / f"{name}.xlsx") for name in ("张三", "李四", "王五")}
    _fill(copies["张三"], {2: "质量问题"})
    _fill(copies["李四"], {2: "安全问题"})
    _fill(copies["王五"], {2: "质量问题"})
    store, seen = CorrectionStore(Path(registry[1]) / "corrections.sqlite"), []  # as a server reads it at each page
    for reviewer in order:
        assert main(["review", "import", str(copies[reviewer]), "--reviewer", reviewer, *registry]) == 0
        seen.append(store.labels().get("充电宝充着充着冒烟了"))
    out = capsys.readouterr().out
    assert seen == [{"张三": "quality", "李四": "safety"}[order[0]], None]  # whichever came first: a person settles it
    assert CorrectionStore(store.path).labels() == {}
    assert {text: sorted(choices) for text, choices in store.disputes().items()} == {  # what the browser shows
        "充电宝充着充着冒烟了": [("quality", "张三"), ("safety", "李四")]}
    assert store.disputes() == CorrectionStore(store.path).disputes()  # read since the last page, or all at once
    assert sorted((r["label"], r["reviewer"]) for r in store.all()) == [("quality", "张三"), ("safety", "李四")]
    first, last = (("质量问题", "安全问题") if order[0] == "张三" else ("安全问题", "质量问题"))
    assert (f"原文件第 9 行「充电宝充着充着冒烟了」：这份选的是「{last}」，同一次导出的另一份复核表（{order[0]}）选的是「{first}」"
            in out), out
    assert "1 条与同一次导出的另一份复核表选的不一致" in out, out
    added = store.add(read_review(copies["王五"])[0], reviewer="王五")  # agrees with 张三's: still two choices
    assert (added.stored, added.again) == (0, 1) and store.labels() == {}
    assert [(d["row"], d["text"], d["label"], d["others"]) for d in added.disagreements] == [
        (9, "充电宝充着充着冒烟了", "quality", [("safety", "李四")])]
    later = _export_one(tmp_path, "再次复核.xlsx")  # settled in a later export (or in the browser): it counts
    _fill(later, {2: "安全问题"})
    assert store.add(read_review(later)[0], reviewer="组长").stored == 1 and store.labels() == {
        "充电宝充着充着冒烟了": "safety"}
    assert store.disputes() == {}
    assert store.add(read_review(copies["张三"])[0], reviewer="张三").superseded == 1  # the earlier export's: not again


def _without_row_moments(book) -> None:
    """``book`` as exported before 2026-12-06 (late): its rows without their hidden 导出时间（勿改）."""
    sheet = book["复核"]
    sheet.delete_cols([cell.value for cell in sheet[1]].index("导出时间（勿改）") + 1)


def test_a_workbook_exported_before_moments_were_kept_replaces_as_before(tmp_path):
    # Workbooks exported before the moment was stamped carry none: their choices count as a new review's would.
    from consumer_nlp.review import read_review

    older = _export_one(tmp_path, "旧版.xlsx")
    book = load_workbook(older)
    assert [row[0].value for row in book["说明"].iter_rows()] == ["来源", "做法", "导出时间"]
    book["说明"].delete_rows(3)
    _without_row_moments(book)
    book.save(older)
    newer = _export_one(tmp_path, "本周.xlsx")
    _fill(older, {2: "质量问题"})
    _fill(newer, {2: "安全问题"})
    store = CorrectionStore(tmp_path / "corrections.sqlite")
    assert [c["exported_at"] for c in read_review(older)[0]] == [None]
    assert tuple(store.add(read_review(newer)[0], reviewer="李四"))[:4] == (1, 0, 0, 0)
    assert tuple(store.add(read_review(older)[0], reviewer="张三"))[:4] == (1, 0, 0, 0)
    assert store.labels() == {"充电宝充着充着冒烟了": "quality"}


def test_a_changed_export_moment_is_refused_not_taken_as_none(tmp_path):
    from consumer_nlp.exceptions import ReviewWorkbookError
    from consumer_nlp.messages import headline
    from consumer_nlp.review import read_review

    workbook = _export_one(tmp_path, "复核.xlsx")
    _fill(workbook, {2: "安全问题"})
    book = load_workbook(workbook)
    book["说明"].cell(row=3, column=2).value = "上周五"
    book.save(workbook)
    with pytest.raises(ReviewWorkbookError, match="导出时间.*row 3 '上周五'") as refused:
        read_review(workbook)
    # Its kind and rows, said in Chinese by messages (review/_workbook.py worded problems in Chinese itself)
    assert refused.value.problems == [("export_time_changed", {"rows": [(3, "上周五")]})]
    assert "“说明”表的“导出时间”被改动了（请改回导出时的值，或重新导出）：第3行「上周五」\n" in headline(refused.value, {})


def test_the_export_time_is_shown_in_local_time_to_the_second_and_imports_as_the_exact_moment(tmp_path, zone):
    # 导出时间 read 2026-12-06 19:48:43.898097+00:00 on a server kept in UTC: eight hours behind a desk in China, to the
    # microsecond. The desk now reads its own time, with the offset said; the exact moment stays in a hidden cell.
    import datetime
    import re

    from consumer_nlp.review import read_review

    zone("CST-8")
    workbook = _export_one(tmp_path, "复核.xlsx")
    notes = load_workbook(workbook)["说明"]
    shown = notes.cell(row=3, column=2).value
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d（UTC\+08:00）", shown), shown
    assert notes.column_dimensions["C"].hidden
    _fill(workbook, {2: "安全问题"})
    zone("EST5")  # imported at a desk elsewhere: the same moment
    exported_at = datetime.datetime.fromisoformat(read_review(workbook)[0][0]["exported_at"])
    assert exported_at.utcoffset() == datetime.timedelta(0)
    assert exported_at.replace(microsecond=0) == datetime.datetime.strptime(shown, "%Y-%m-%d %H:%M:%S（UTC%z）")


def test_a_workbook_exported_with_the_utc_moment_shown_imports_as_before(tmp_path):
    # Workbooks exported before 2026-12-06's change show the exact moment itself in 导出时间, and nothing beside it.
    from consumer_nlp.exceptions import ReviewWorkbookError
    from consumer_nlp.review import read_review

    workbook = _export_one(tmp_path, "旧版.xlsx")
    _fill(workbook, {2: "安全问题"})
    book = load_workbook(workbook)
    book["说明"].cell(row=3, column=2).value = "2026-12-06 19:48:43.898097+00:00"
    book["说明"].cell(row=3, column=3).value = None
    _without_row_moments(book)
    book.save(workbook)
    assert [c["exported_at"] for c in read_review(workbook)[0]] == ["2026-12-06T19:48:43.898097+00:00"]
    book["说明"].cell(row=3, column=3).value = "周一导出"  # a remark the desk typed beside it
    book.save(workbook)
    assert [c["exported_at"] for c in read_review(workbook)[0]] == ["2026-12-06T19:48:43.898097+00:00"]
    book["说明"].cell(row=3, column=3).value = None
    book["说明"].cell(row=3, column=2).value = "2026-12-07 03:48:43（UTC+08:00）"  # a shown time without the moment
    book.save(workbook)
    with pytest.raises(ReviewWorkbookError) as refused:
        read_review(workbook)
    assert refused.value.problems == [("export_time_changed", {"rows": [(3, "2026-12-07 03:48:43（UTC+08:00）")]})]


def test_a_notes_sheet_sorted_or_with_a_row_put_above_keeps_its_source_and_moment(tmp_path):
    # The source was read from the 说明 sheet's first row, whatever it held: sorted as Excel sorts Chinese (导出时间,
    # 来源, 做法), the import took the shown export time for the source, and a title row put above gave ''; the store
    # then did not know the workbook imported again (same source and row) and stored its choices twice.
    from consumer_nlp.review import export_review, read_review

    queue = [{"row": 9, "text": "充电宝充着充着冒烟了", "guess_zh": "其他", "runner_up_zh": "质量问题", "confidence": 0.4}]
    workbook = export_review(queue, tmp_path / "复核.xlsx", source="十二月投诉.csv")
    _fill(workbook, {2: "安全问题"})
    exported = read_review(workbook)
    book = load_workbook(workbook)
    notes = book["说明"]
    rows = [[cell.value for cell in row] for row in notes.iter_rows()]
    for number, values in enumerate(sorted(rows, key=lambda values: ["导出时间", "来源", "做法"].index(values[0])),
                                    start=1):  # whole rows sorted by column A
        for column, value in enumerate(values, start=1):
            notes.cell(row=number, column=column).value = value
    book.save(tmp_path / "排序.xlsx")
    notes.insert_rows(1)
    notes.cell(row=1, column=1).value = "十二月复核"
    book.save(tmp_path / "加标题.xlsx")
    assert exported[1] == "十二月投诉.csv"
    assert read_review(tmp_path / "排序.xlsx") == exported
    assert read_review(tmp_path / "加标题.xlsx") == exported


def _paste_rows(from_path, to_path, rows: list, at: int) -> None:
    """Copy whole ``rows`` of ``from_path``'s 复核 sheet, hidden cells with them (as Excel copies whole rows), into
    ``to_path``'s from row ``at`` on."""
    source = load_workbook(from_path)["复核"]
    book = load_workbook(to_path)
    for offset, row in enumerate(rows):
        for cell in source[row]:
            book["复核"].cell(row=at + offset, column=cell.column).value = cell.value
    book.save(to_path)


@pytest.mark.parametrize("how", ["rows pasted", "notes copied"])
def test_rows_of_an_older_export_keep_its_moment_wherever_pasted_and_the_import_says_so(tmp_path, capsys, how):
    # Last week's filled rows pasted into this week's workbook (or this week's 说明 sheet copied into last week's)
    # imported with this week's 导出时间: their choice undid one made since, and nothing said they came from elsewhere.
    import re

    registry = ["--registry", str(tmp_path / "registry")]
    last_week = _export_one(tmp_path, "上周.xlsx")
    shown = load_workbook(last_week)["说明"]["B3"].value  # its 导出时间, as the desk saw it
    since = _export_one(tmp_path, "周三.xlsx")  # a choice made since last week's export
    this_week = _export_one(tmp_path, "本周.xlsx", text="秤不准，少了二两")
    _fill(last_week, {2: "质量问题"})
    _fill(since, {2: "安全问题"})
    assert main(["review", "import", str(since), "--reviewer", "李四", *registry]) == 0
    if how == "rows pasted":
        _paste_rows(last_week, this_week, [2], at=3)
        _fill(this_week, {2: "价格/计量"})
        imported = this_week
    else:
        notes = [[cell.value for cell in row] for row in load_workbook(this_week)["说明"].iter_rows()]
        book = load_workbook(last_week)
        for number, values in enumerate(notes, start=1):
            for column, value in enumerate(values, start=1):
                book["说明"].cell(row=number, column=column).value = value
        book.save(last_week)
        imported = last_week
    capsys.readouterr()
    assert main(["review", "import", str(imported), "--reviewer", "张三", *registry]) == 0
    out = capsys.readouterr().out
    store = CorrectionStore(tmp_path / "registry" / "corrections.sqlite")
    assert store.labels()["充电宝充着充着冒烟了"] == "safety", out  # the choice made since stands
    assert "另 1 条没有采用" in out, out
    said = re.search(r"其中 1 条来自另一次导出的复核表（导出时间 ([^；]+)；本表“说明”表的导出时间是 ([^）]+）)", out)
    assert said and said.groups() == (shown, load_workbook(this_week)["说明"]["B3"].value), out


@pytest.mark.parametrize("how", ["exported before", "column name cleared"])
def test_a_new_rows_moment_pasted_into_a_workbook_exported_without_row_moments_is_kept(tmp_path, capsys, how):
    # This week's filled row pasted into last week's workbook, exported before rows carried their moment (no column
    # headed 导出时间（勿改）), took last week's 导出时间: a choice made between the two exports then outranked it, and the
    # import said 没有采用：已由更晚导出的复核表…更正为其他类别, which was not so. Its moment, in the unheaded cell after
    # the hidden 原文（勿改） ones, is taken.
    registry = ["--registry", str(tmp_path / "registry")]
    last_week = _export_one(tmp_path, "上周.xlsx")
    book = load_workbook(last_week)
    if how == "exported before":
        _without_row_moments(book)
    else:  # the hidden column kept, its name cleared
        book["复核"].cell(row=1, column=[c.value for c in book["复核"][1]].index("导出时间（勿改）") + 1).value = None
    book.save(last_week)
    between = _export_one(tmp_path, "周三.xlsx")
    this_week = _export_one(tmp_path, "本周.xlsx")
    _fill(between, {2: "其他"})
    assert main(["review", "import", str(between), "--reviewer", "李四", *registry]) == 0
    _fill(this_week, {2: "安全问题"})
    _paste_rows(this_week, last_week, [2], at=3)
    capsys.readouterr()
    assert main(["review", "import", str(last_week), "--reviewer", "张三", *registry]) == 0
    out = capsys.readouterr().out
    store = CorrectionStore(tmp_path / "registry" / "corrections.sqlite")
    assert store.labels() == {"充电宝充着充着冒烟了": "safety"}, out
    assert "已保存 1 条人工更正" in out and "没有采用" not in out and "其中 1 条来自另一次导出的复核表" in out, out


@pytest.mark.parametrize("pasted_above", [False, True])
def test_rows_of_two_exports_in_one_workbook_count_the_later_choice_for_each_complaint(tmp_path, pasted_above):
    # Both rows took the workbook's 导出时间: one moment, two categories, read as two copies of one export that
    # disagree, so neither counted; the later export's choice counts, as for two workbooks imported one by one.
    from consumer_nlp.review import read_review

    last_week, this_week = _export_one(tmp_path, "上周.xlsx"), _export_one(tmp_path, "本周.xlsx")
    _fill(last_week, {2: "质量问题"})
    _fill(this_week, {2: "安全问题"})
    if pasted_above:  # this week's row moved down, last week's put in its place
        _paste_rows(this_week, this_week, [2], at=3)
        _paste_rows(last_week, this_week, [2], at=2)
    else:
        _paste_rows(last_week, this_week, [2], at=3)
    corrections, _ = read_review(this_week)
    assert len({c["exported_at"] for c in corrections}) == 2
    store = CorrectionStore(tmp_path / "corrections.sqlite")
    store.add(corrections, reviewer="张三")
    assert store.labels() == {"充电宝充着充着冒烟了": "safety"} and store.disputes() == {}


@pytest.mark.parametrize("hidden", ["", "上周五", "2026-12-06 19:48:43"])
def test_a_rows_hidden_export_moment_cleared_or_typed_over_is_refused_by_its_row(tmp_path, capsys, hidden):
    # Taking the 说明 sheet's moment for such a row would let a row pasted from an older export, its moment lost,
    # undo a later choice without a word: it is refused by its row, the other rows' moments known.
    from consumer_nlp.exceptions import ReviewWorkbookError
    from consumer_nlp.review import export_review, read_review

    queue = [{"row": n, "text": text, "guess_zh": "其他", "runner_up_zh": "质量问题", "confidence": 0.4}
             for n, text in enumerate(["秤不准，少了二两", "手机屏幕坏了"], start=2)]
    workbook = export_review(queue, tmp_path / "复核.xlsx")
    _fill(workbook, {2: "价格/计量", 3: "质量问题"})
    book = load_workbook(workbook)
    sheet = book["复核"]
    column = [cell.value for cell in sheet[1]].index("导出时间（勿改）") + 1
    assert sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].hidden
    sheet.cell(row=3, column=column).value = hidden or None
    book.save(workbook)
    with pytest.raises(ReviewWorkbookError, match="row 3") as refused:
        read_review(workbook)
    assert [kind for kind, _ in refused.value.problems] == ["row_export_time_changed"]
    assert main(["review", "import", str(workbook), "--registry", str(tmp_path / "registry")]) == 2
    assert "隐藏列“导出时间（勿改）”是空的或被改动了" in capsys.readouterr().err


def test_a_workbook_exported_before_rows_carried_their_moment_imports_with_its_notes_moment(tmp_path):
    from consumer_nlp.review import read_review

    workbook = _export_one(tmp_path, "旧版.xlsx")
    _fill(workbook, {2: "安全问题"})
    book = load_workbook(workbook)
    _without_row_moments(book)
    book["说明"].cell(row=3, column=3).value = "2026-11-29T02:00:00+00:00"
    book["说明"].cell(row=3, column=2).value = "2026-11-29 10:00:00（UTC+08:00）"
    book.save(workbook)
    corrections, _ = read_review(workbook)
    assert [c["exported_at"] for c in corrections] == ["2026-11-29T02:00:00.000000+00:00"]


def test_a_store_of_an_earlier_release_loads_and_keeps_the_newer_correction(tmp_path):
    # The store gained a column (the moment each correction's workbook was exported): a store written before
    # must still load, its corrections as they were, and take stamped ones.
    import sqlite3

    from consumer_nlp.review import read_review

    path = tmp_path / "corrections.sqlite"
    _earlier_store(path)
    store = CorrectionStore(path)
    assert store.labels() == {"充电宝充着充着冒烟了": "other"}
    last_week, this_week = _export_one(tmp_path, "上周.xlsx"), _export_one(tmp_path, "本周.xlsx")
    _fill(last_week, {2: "质量问题"})
    _fill(this_week, {2: "安全问题"})
    assert tuple(store.add(read_review(this_week)[0], reviewer="李四"))[:4] == (1, 0, 0, 0)
    assert tuple(store.add(read_review(last_week)[0], reviewer="张三"))[:4] == (0, 0, 1, 0)
    stored = store.all()
    assert [(r["label"], r["reviewer"]) for r in stored] == [("other", "王五"), ("safety", "李四")]
    assert stored[0]["exported_at"] is None and stored[1]["exported_at"].endswith("+00:00")
    with sqlite3.connect(path) as connection:  # a release before this one still writes to it
        connection.execute("INSERT INTO corrections (text_sha256, text, label, model_label, reviewer, at, source, row) "
                           "VALUES ('x', '秤不准', 'price_measurement', NULL, '赵六', '2026-12-01T00:00:00+00:00', "
                           "NULL, NULL)")
    assert CorrectionStore(path).labels()["秤不准"] == "price_measurement"


def _earlier_store(path) -> None:
    """A correction store as releases before the export moment wrote it, holding one correction."""
    import sqlite3

    from consumer_nlp.review import text_key

    with sqlite3.connect(path) as connection:
        connection.executescript("""CREATE TABLE corrections (
            id INTEGER PRIMARY KEY AUTOINCREMENT, text_sha256 TEXT NOT NULL, text TEXT NOT NULL, label TEXT NOT NULL,
            model_label TEXT, reviewer TEXT NOT NULL, at TEXT NOT NULL, source TEXT, row INTEGER);
            CREATE INDEX corrections_by_text ON corrections (text_sha256, id);""")
        connection.execute("INSERT INTO corrections (text_sha256, text, label, reviewer, at) VALUES (?, ?, ?, ?, ?)",
                           (text_key("充电宝充着充着冒烟了"), "充电宝充着充着冒烟了", "other", "王五",
                            "2026-11-30T08:00:00+00:00"))
    connection.close()


def _review_in_another_process(path, reviewer, barrier, n):
    barrier.wait()
    store = CorrectionStore(path)
    for i in range(n):
        exported_at = f"2026-12-0{1 + i % 2}T08:00:00+00:00"
        store.add([{"text": f"{reviewer} 的第{i}条", "label": "other", "exported_at": exported_at}], reviewer=reviewer)


@pytest.mark.parametrize("earlier", [False, True])
def test_two_reviewers_at_once_store_every_correction_once(tmp_path, earlier):
    # (earlier: both find a store of an earlier release, without the column of export moments, and add it at once)
    path = tmp_path / "corrections.sqlite"
    if earlier:
        _earlier_store(path)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(2)
        with context.Pool(2) as pool:
            pool.starmap(_review_in_another_process, [(path, "李", barrier, 40), (path, "王", barrier, 40)])
    stored = CorrectionStore(path).all()[earlier:]
    assert len(stored) == 80
    assert sorted(r["text"] for r in stored) == sorted(f"{who} 的第{i}条" for who in "李王" for i in range(40))


@pytest.mark.parametrize("limit", [0, -3, 2.5, "3"])
def test_a_limit_below_one_is_refused_not_taken_as_no_limit(tagged, small_model, limit):
    # --limit 0 and --limit -3 exported every row to review, and so did limit=2.5 from Python.
    with pytest.raises(ValueError, match="limit=N must be a whole number of at least 1"):
        review_queue(small_model, tagged, limit=limit)


@pytest.mark.parametrize("columns", [(1, 7), (3, 7)])
def test_rows_sorted_apart_from_their_hidden_text_are_refused_by_row(tagged, small_model, tmp_path, columns):
    # Excel's sort of the selection only (A–G, or C–G) moved the shown cells but not the hidden
    # exact text: a correction chosen beside one complaint was stored, silently, for another.
    from consumer_nlp.review import export_review, read_review

    queue = review_queue(small_model, tagged)
    assert len(queue) >= 3, "the fixture must queue a few rows"
    path = export_review(queue, tmp_path / "q.xlsx")
    book = load_workbook(path)
    sheet = book["复核"]
    first, last = columns
    block = [[sheet.cell(row=r, column=c).value for c in range(first, last + 1)] for r in range(2, len(queue) + 2)]
    for r, values in enumerate(reversed(block), start=2):  # the selection sorted the other way round
        for c, value in zip(range(first, last + 1), values):
            sheet.cell(row=r, column=c).value = value
    sheet.cell(row=2, column=7).value = "安全问题"
    book.save(path)
    with pytest.raises(ValueError, match=r"nothing was stored.*sorted.*row 2"):
        read_review(path)
    whole = export_review(queue, tmp_path / "whole.xlsx")  # whole rows sorted, hidden cells with them: fine
    book = load_workbook(whole)
    sheet = book["复核"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    for r, values in enumerate(reversed(rows), start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c).value = value
    sheet.cell(row=2, column=7).value = "安全问题"
    book.save(whole)
    corrections, _ = read_review(whole)
    assert [(c["text"], c["label"]) for c in corrections] == [(queue[-1]["text"], "safety")]


def test_export_says_how_many_rows_were_left_out_as_near_duplicates(tagged, model_file, tmp_path, capsys):
    # "待复核 22 条" was all it said when 27 rows needed review: five near-duplicates left out unsaid.
    import pandas as pd

    frame = pd.read_csv(tagged, dtype=str, keep_default_na=False)
    flagged = int(((frame["needs_review"] == "TRUE") & frame["text"].str.strip().ne("")).sum())
    workbook = tmp_path / "q.xlsx"
    assert main(["review", "export", str(tagged), "-o", str(workbook), "--model", str(model_file)]) == 0
    listed = load_workbook(workbook)["复核"].max_row - 1
    assert flagged > listed, "the fixture must hold near-duplicates"
    out = capsys.readouterr().out
    assert f"需复核 {flagged} 条，列出 {listed} 条" in out and f"另 {flagged - listed} 条与已列出的相近" in out


def test_export_counts_the_rows_to_review_without_a_text_and_says_it_left_them_out(small_model, model_file,
                                                                                  tmp_path, capsys):
    # The tagging sent rows without text to review (文本为空), but export said 需复核 N 条 of those with a text alone:
    # its count fell short of the summary's, without a word of the others.
    source = tmp_path / "archive.csv"
    source.write_text("id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate([*TEXTS, "", "。"], start=1)),
                      encoding="utf-8")
    summary = cn.tag_file(small_model, source, tmp_path / "archive.tagged.csv", progress=False)
    workbook = tmp_path / "q.xlsx"
    assert main(["review", "export", str(tmp_path / "archive.tagged.csv"), "-o", str(workbook),
                 "--model", str(model_file)]) == 0
    listed = load_workbook(workbook)["复核"].max_row - 1
    out = capsys.readouterr().out
    assert f"需复核 {summary.needs_review} 条，列出 {listed} 条（另 " in out and "2 条文本为空，未列出）" in out, out


def test_a_pasted_row_of_column_names_is_left_out_of_the_export_and_said(tagged, model_file, tmp_path, capsys):
    # Two tagged files joined with the second one's header row pasted in: the report leaves that row out, but
    # review export refused the whole file (its needs_review "needs_review" is no true or false).
    lines = tagged.read_text(encoding="utf-8-sig").splitlines()
    joined = tmp_path / "joined.csv"
    joined.write_text("\n".join([*lines, lines[0], lines[1]]) + "\n", encoding="utf-8-sig")
    names_row = len(lines) + 1
    workbook = tmp_path / "q.xlsx"
    assert main(["review", "export", str(joined), "-o", str(workbook), "--model", str(model_file)]) == 0
    rows = [row[1] for row in load_workbook(workbook)["复核"].iter_rows(min_row=2, values_only=True)]
    assert rows and names_row not in rows
    out = capsys.readouterr().out
    assert f"第{names_row}行是又一行列名（两个文件拼在一起时一并粘贴进来的），没有列入" in out, out


def test_a_source_or_text_that_looks_like_a_formula_stays_text(tmp_path):
    # The 说明 sheet stored the source's name as a formula when it began with "=" (a file named
    # "=1+1.csv"), so read_review gave the source back as ''; only the 投诉内容 column was kept text.
    from consumer_nlp.review import export_review, read_review

    queue = [{"row": 1, "text": "=HYPERLINK(\"http://x\")秤不准", "guess_zh": "=其他", "runner_up_zh": "质量问题",
              "confidence": 0.4}]
    workbook = export_review(queue, tmp_path / "复核.xlsx", source="=1+1.csv")
    book = load_workbook(workbook)
    assert all(cell.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    _fill(workbook, {2: "质量问题"})
    corrections, source = read_review(workbook)
    assert source == "=1+1.csv" and corrections[0]["text"] == queue[0]["text"]


def test_a_correction_merged_over_several_rows_counts_for_each(tmp_path):
    # A reviewer who merged 更正为 over three rows (one choice for a block) saved one correction;
    # the other two were dropped without a word.
    from consumer_nlp.review import export_review, read_review

    texts = ["快递三天没到", "快递员态度差", "外卖送晚了一小时", "冰箱不制冷"]
    queue = [{"row": n, "text": text, "guess_zh": "质量问题", "runner_up_zh": "其他", "confidence": 0.4}
             for n, text in enumerate(texts, start=2)]
    workbook = export_review(queue, tmp_path / "复核.xlsx")
    _fill(workbook, {2: "其他", 5: "质量问题"})
    book = load_workbook(workbook)
    book["复核"].merge_cells("G2:G4")
    book.save(workbook)
    corrections, _ = read_review(workbook)
    assert [(c["text"], c["label"]) for c in corrections] == [
        ("快递三天没到", "other"), ("快递员态度差", "other"), ("外卖送晚了一小时", "other"), ("冰箱不制冷", "quality")]



def test_choices_under_a_merged_cell_that_shows_none_are_not_read(tmp_path):
    # 更正为's heading merged down over two rows hid the choices a program had left in them, as Excel
    # shows it; read row by row from the first data row, the merge was missed and they counted.
    from openpyxl.worksheet.cell_range import CellRange

    from consumer_nlp.review import export_review, read_review

    texts = ["快递三天没到", "快递员态度差", "外卖送晚了一小时", "冰箱不制冷"]
    queue = [{"row": n, "text": text, "guess_zh": "质量问题", "runner_up_zh": "其他", "confidence": 0.4}
             for n, text in enumerate(texts, start=2)]
    workbook = export_review(queue, tmp_path / "复核.xlsx")
    _fill(workbook, {2: "安全问题", 3: "其他", 5: "质量问题"})
    book = load_workbook(workbook)
    book["复核"].merged_cells.add(CellRange("G1:G3"))  # the cells keep their values, as a program may leave them
    book.save(workbook)
    corrections, _ = read_review(workbook)
    assert [(c["text"], c["label"]) for c in corrections] == [("冰箱不制冷", "quality")]
    book = load_workbook(workbook)  # merged with 置信度 on its left, 更正为 shows 置信度's value: no choice
    sheet = book["复核"]
    sheet.unmerge_cells("G1:G3")
    sheet["G2"], sheet["G3"] = "安全问题", "其他"
    sheet.merged_cells.add(CellRange("F2:G3"))
    book.save(workbook)
    corrections, _ = read_review(workbook)
    assert [(c["text"], c["label"]) for c in corrections] == [("冰箱不制冷", "quality")]

def test_a_text_that_fits_a_cell_is_not_cut_for_its_line_breaks(tmp_path):
    # The cell limit was applied after each carriage return became _x000D_ (seven characters).
    from consumer_nlp.review import export_review

    text = ("冰箱不制冷。\r\n" * 4000)[:32_000]
    workbook = export_review([{"row": 2, "text": text, "guess_zh": "其他", "runner_up_zh": "质量问题",
                               "confidence": 0.4}], tmp_path / "复核.xlsx")
    shown = load_workbook(workbook)["复核"].cell(row=2, column=3).value
    assert shown.replace("_x000D_", "").replace("\r", "") == text.replace("\r", "")  # whole, as Excel shows it


ESCAPE_LOOKALIKES = ["型号_x0041_漏水，_x005F_也在", "电视机_x0041_x0042_坏了", "前_x005F_x0041_后", "导出_x000D_的文本"]


@pytest.mark.parametrize("through_excel", [False, True])
def test_a_text_that_reads_like_an_excel_escape_survives_excel(tmp_path, through_excel):
    # The hidden cells held "_x0041_" as it is; Excel reads that as "A" and saves it so, and the
    # correction was stored for "型号A漏水", a text the archive does not hold. Escaping them instead
    # lost back-to-back look-alikes (_x0041_x0042_ came back as _x0041B).
    from consumer_nlp.io import excel_text, excel_unescape
    from consumer_nlp.review import export_review, read_review

    workbook = export_review([{"row": n + 2, "text": text, "guess_zh": "其他", "runner_up_zh": "质量问题",
                               "confidence": 0.4} for n, text in enumerate(ESCAPE_LOOKALIKES)], tmp_path / "复核.xlsx")
    book = load_workbook(workbook)
    for row in book["复核"].iter_rows():
        for cell in row:
            if through_excel and isinstance(cell.value, str):  # Excel reads each cell unescaped, saves it escaped
                cell.value = excel_text(excel_unescape(cell.value))
    for n in range(len(ESCAPE_LOOKALIKES)):
        book["复核"].cell(row=n + 2, column=7).value = "质量问题"
    book.save(workbook)
    corrections, _ = read_review(workbook)
    assert [(c["text"], c["label"]) for c in corrections] == [(text, "quality") for text in ESCAPE_LOOKALIKES]


def test_a_workbook_exported_before_holds_its_texts_as_they_were(tmp_path):
    # Workbooks of the previous release hold the exact text as plain JSON; reading them as escaped
    # turned _x0041_ into A, and _x000D_ into a line break that JSON refuses ("hidden column was changed").
    import json

    from consumer_nlp.review import export_review, read_review

    workbook = export_review([{"row": n + 2, "text": text, "guess_zh": "其他", "runner_up_zh": "质量问题",
                               "confidence": 0.4} for n, text in enumerate(ESCAPE_LOOKALIKES)], tmp_path / "复核.xlsx")
    book = load_workbook(workbook)
    for n, text in enumerate(ESCAPE_LOOKALIKES):
        book["复核"].cell(row=n + 2, column=8).value = json.dumps([n + 2, text])  # as 0.2 wrote it
        book["复核"].cell(row=n + 2, column=7).value = "安全问题"
    book.save(workbook)
    corrections, _ = read_review(workbook)
    assert [(c["text"], c["label"]) for c in corrections] == [(text, "safety") for text in ESCAPE_LOOKALIKES]


def test_a_queue_asked_of_another_model_than_the_one_that_tagged_is_refused(tagged, small_model, default_model):
    # Without --model, review export scored the rows with the built-in model: the workbook's 模型判断
    # and 置信度 contradicted the tagged file under review, and the import stored that model's guesses.
    assert review_queue(small_model, tagged)  # the model that tagged it
    with pytest.raises(ValueError, match=r"not those of the model given: row \d+: 0\.\d+ in the file.*another model "
                                         r"\(pass the one that tagged it, model=…\).*text_col=…"):
        review_queue(default_model, tagged)


def test_an_unfilled_workbook_a_second_import_and_a_tagged_file_given_instead_are_told_so(tagged, model_file,
                                                                                           tmp_path, capsys):
    # They were "已保存 0 条" (exit 0), "已保存 2 条" again, and "save it as .xlsx" for the tagged CSV.
    registry, workbook = _exported(tagged, model_file, tmp_path)
    capsys.readouterr()
    assert main(["review", "import", str(workbook), *registry]) == 0
    assert "没有填写「更正为」的行，没有保存任何更正" in capsys.readouterr().out
    _fill(workbook, {2: "安全问题", 3: "金融服务"})
    assert main(["review", "import", str(workbook), *registry]) == 0
    assert "已保存 2 条人工更正（" in capsys.readouterr().out
    assert main(["review", "import", str(workbook), *registry]) == 0
    assert "已保存 0 条人工更正，另 2 条此前已导入过，没有重复保存（" in capsys.readouterr().out
    assert len(CorrectionStore(tmp_path / "registry" / "corrections.sqlite").all()) == 2
    assert main(["review", "import", str(tagged), *registry]) == 2
    assert "is not a review workbook: write one from the tagged file with `consumer-nlp review export`" in \
        capsys.readouterr().err


def test_a_queue_of_a_file_excel_saved_with_rounded_confidences_is_not_refused(tagged, small_model, tmp_path):
    # A tagged CSV re-saved by Excel with its confidences shown as 0.00 holds 0.67 for 0.6662: the right
    # model was refused as "another model".
    import pandas as pd

    frame = pd.read_csv(tagged, dtype=str, keep_default_na=False)
    frame["confidence"] = [f"{float(c):.2f}" for c in frame["confidence"]]
    frame.to_csv(tmp_path / "rounded.csv", index=False)
    assert len(review_queue(small_model, tmp_path / "rounded.csv")) == len(review_queue(small_model, tagged))


def test_rows_the_file_marks_without_text_are_not_queued(small_model, tmp_path):
    # &nbsp; and zero-width spaces read as nothing: the file gives them no category, but the queue
    # offered them at the even 0.1667, and a correction of one was trained on.
    source = tmp_path / "a.csv"
    source.write_text("编号,投诉内容\n1,&nbsp;\n2,\u200b\u200b\n3,秤不准少了二两\n", encoding="utf-8")
    cn.tag_file(small_model, source, tmp_path / "a.tagged.csv", progress=False)
    assert all(item["text"] not in ("&nbsp;", "\u200b\u200b") for item in review_queue(small_model,
                                                                                          tmp_path / "a.tagged.csv"))


def test_a_reviewers_note_in_a_column_after_the_hidden_text_is_not_read_as_it(tmp_path):
    # A 备注 column typed in the first free column (the one after the hidden 原文（勿改）) was joined to the
    # hidden text, so every row with a note and a choice was refused as "hidden column was changed".
    from consumer_nlp.review import export_review, read_review

    queue = [{"row": n, "text": text, "guess_zh": "其他", "runner_up_zh": "质量问题", "confidence": 0.4}
             for n, text in enumerate(["秤不准，少了二两", "手机屏幕坏了"], start=2)]
    workbook = export_review(queue, tmp_path / "复核.xlsx")
    book = load_workbook(workbook)
    sheet = book["复核"]
    note = sheet.max_column + 1
    sheet.cell(row=1, column=note).value = "备注"
    sheet.cell(row=2, column=note).value = "已电话核实"
    book.save(workbook)
    _fill(workbook, {2: "价格/计量", 3: "质量问题"})
    corrections, _ = read_review(workbook)
    assert [(c["text"], c["label"], c["row"]) for c in corrections] == [
        ("秤不准，少了二两", "price_measurement", 2), ("手机屏幕坏了", "quality", 3)]


def test_a_guess_sorted_apart_from_its_text_or_typed_over_is_refused_by_row(tmp_path):
    # 模型判断…更正为 (D:G) sorted on their own moved each choice to another text, stored without a word;
    # a category typed over 模型判断 instead of chosen in 更正为 was dropped without a word.
    from consumer_nlp.review import export_review, read_review

    queue = [{"row": n, "text": text, "guess": guess, "guess_zh": cn.CATEGORIES[guess], "runner_up_zh": "其他",
              "confidence": confidence}
             for n, (text, guess, confidence) in enumerate([("秤不准，少了二两", "price_measurement", 0.6),
                                                            ("手机屏幕坏了", "quality", 0.4)], start=2)]
    sorted_apart = export_review(queue, tmp_path / "sorted.xlsx")
    book = load_workbook(sorted_apart)
    sheet = book["复核"]
    sheet["G2"], sheet["G3"] = "价格/计量", "质量问题"
    blocks = sorted(([sheet.cell(r, c).value for c in range(4, 8)] for r in (2, 3)), key=lambda v: v[2])
    for r, block in zip((2, 3), blocks):  # by 置信度, D:G selected alone
        for c, value in zip(range(4, 8), block):
            sheet.cell(r, c).value = value
    book.save(sorted_apart)
    with pytest.raises(ValueError, match="模型判断.*row 2, row 3"):
        read_review(sorted_apart)
    sheet["D2"], sheet["D3"] = "价格/计量", "质量问题"  # 模型判断 put back: 置信度 and 更正为 (F:G) sorted alone
    sheet["E2"], sheet["E3"] = "其他", "其他"
    sheet["F2"], sheet["G2"], sheet["F3"], sheet["G3"] = 0.4, "质量问题", 0.6, "价格/计量"
    book.save(sorted_apart)
    with pytest.raises(ValueError, match="置信度.*row 2, row 3"):
        read_review(sorted_apart)

    typed_over = export_review(queue, tmp_path / "typed.xlsx")
    book = load_workbook(typed_over)
    book["复核"]["D2"], book["复核"]["G3"] = "安全问题", "质量问题"
    book.save(typed_over)
    with pytest.raises(ValueError, match="模型判断.*row 2"):
        read_review(typed_over)
    book["复核"]["D2"] = "价格/计量"  # put back: the rest is read, with the model's guess as exported
    book.save(typed_over)
    assert [(c["text"], c["label"], c["model_label"]) for c in read_review(typed_over)[0]] == [
        ("手机屏幕坏了", "quality", "quality")]


def test_a_machine_that_cannot_tell_its_user_asks_for_the_reviewer(tmp_path, monkeypatch, capsys):
    # In a container run under a user id without a name (no $USER), review import ended in
    # "错误：'getpwuid(): uid not found: 1000'", saying nothing of who or what.
    import getpass

    def nameless():
        raise KeyError("getpwuid(): uid not found: 1000")

    monkeypatch.setattr(getpass, "getuser", nameless)
    store = CorrectionStore(tmp_path / "corrections.sqlite")
    with pytest.raises(ValueError, match="reviewer=NAME"):
        store.add([{"text": "秤不准", "label": "价格/计量"}])
    assert store.add([{"text": "秤不准", "label": "价格/计量"}], reviewer="张三").stored == 1
    from consumer_nlp.review import export_review

    workbook = export_review([{"row": 2, "text": "秤不准", "guess_zh": "其他", "runner_up_zh": "质量问题",
                               "confidence": 0.4}], tmp_path / "复核.xlsx")
    _fill(workbook, {2: "价格/计量"})
    assert main(["review", "import", str(workbook), "--registry", str(tmp_path / "registry")]) == 2
    err = capsys.readouterr().err
    assert "--reviewer NAME" in err and "getpwuid" not in err


def _exported_peak(rows: int, path) -> int:
    """The most memory Python held while exporting a queue of ``rows`` rows (bytes, the queue itself aside)."""
    import tracemalloc

    from consumer_nlp.review import export_review

    queue = [{"row": n + 2, "text": f"第{n}号投诉：买的电饭煲用了三天就不加热了，商家拒绝退款，要求依法处理。" * 3,
              "guess_zh": "质量问题", "runner_up_zh": "其他", "confidence": 0.41} for n in range(rows)]
    tracemalloc.start()
    try:
        export_review(queue, path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_export_holds_one_row_at_a_time_not_the_workbook(tmp_path):
    # The whole workbook was built in memory before it was saved (about 3 MB a thousand rows): 200,000
    # uncertain rows took 0.8 GB, which a desk's laptop may not have free.
    _exported_peak(20, tmp_path / "warm.xlsx")  # openpyxl's modules, imported at the first export
    small, large = _exported_peak(200, tmp_path / "small.xlsx"), _exported_peak(1600, tmp_path / "large.xlsx")
    assert large - small < 200_000, (small, large)


def test_the_workbook_keeps_its_layout_drop_down_hidden_text_and_notes(tmp_path):
    from consumer_nlp.review import export_review, read_review

    texts = ["洗衣机漏水，" * 1000, "秤不准，少了二两", "=1+1"]  # the first over two hidden cells (\uXXXX each)
    queue = [{"row": n, "text": text, "guess_zh": "其他", "runner_up_zh": "质量问题", "confidence": 0.4}
             for n, text in enumerate(texts, start=2)]
    book = load_workbook(export_review(queue, tmp_path / "复核.xlsx", source="archive.csv"))
    sheet = book["复核"]
    assert [c.value for c in sheet[1]] == ["序号", "原文件行号", "投诉内容", "模型判断", "次选", "置信度", "更正为",
                                           "原文（勿改）", "原文（勿改）", "导出时间（勿改）"]
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert [sheet.column_dimensions[letter].width for letter in "ABCDEFG"] == [6, 11, 70, 12, 12, 8, 14]
    assert [sheet.column_dimensions[letter].hidden for letter in "GHIJ"] == [False, True, True, True]
    assert {sheet.cell(row=r, column=10).value for r in (2, 3, 4)} == {book["说明"]["C3"].value}  # each row's moment
    assert all(sheet.cell(row=r, column=3).alignment.wrap_text for r in (2, 3, 4))
    assert [sheet.cell(row=r, column=n).value for r in (3, 4) for n in (1, 2, 4, 6)] == [2, 3, "其他", 0.4,
                                                                                         3, 4, "其他", 0.4]
    assert sheet.cell(row=4, column=3).data_type == "s" and sheet.cell(row=4, column=3).value == "=1+1"
    validation, = sheet.data_validations.dataValidation
    assert str(validation.sqref) == "G2:G4" and validation.showErrorMessage and validation.allow_blank
    notes = [[c.value for c in row] for row in book["说明"].iter_rows()]
    assert [row[0] for row in notes] == ["来源", "做法", "导出时间"] and notes[0][1] == "archive.csv"
    _fill(tmp_path / "复核.xlsx", {r: "质量问题" for r in (2, 3, 4)})
    corrections, source = read_review(tmp_path / "复核.xlsx")
    assert [c["text"] for c in corrections] == texts and source == "archive.csv"
    assert all(c["exported_at"] is not None for c in corrections)


def test_an_export_stopped_half_way_leaves_neither_the_workbook_nor_its_rows_behind(tmp_path, monkeypatch):
    import tempfile

    from consumer_nlp.review import export_review

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temporary"))  # where openpyxl spools a sheet's rows
    (tmp_path / "temporary").mkdir()
    queue = [{"row": 2, "text": "秤不准", "guess_zh": "其他", "runner_up_zh": "质量问题", "confidence": 0.4},
             {"row": 3, "text": "手机屏幕坏了", "guess_zh": "其他", "confidence": 0.4}]  # broken off at its 次选
    with pytest.raises(KeyError):
        export_review(queue, tmp_path / "复核.xlsx")
    assert list(tmp_path.iterdir()) == [tmp_path / "temporary"] and not any((tmp_path / "temporary").iterdir())


def test_a_total_row_added_below_the_tagged_table_is_told_as_added_not_as_a_bad_review_flag(tagged, model_file,
                                                                                            tmp_path, capsys):
    # A 合计 row a desk added below the tagged table stopped review export as 「needs_review」列应为 true 或 false…
    # 第N行（空）, telling them to fix a cell of a row that is no complaint; it is told as the report tells it.
    lines = tagged.read_text(encoding="utf-8-sig").splitlines()
    width = len(lines[0].split(","))
    total = tmp_path / "total.csv"
    total.write_text("\n".join([*lines, "合计" + "," * (width - 1)]) + "\n", encoding="utf-8-sig")
    assert main(["review", "export", str(total), "-o", str(tmp_path / "q.xlsx"), "--model", str(model_file)]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert f"第{len(lines) + 1}行" in first and "删掉" in first and "needs_review" not in first, first


def test_corrections_each_hold_their_own_rows_not_reviewed():
    # ``not_reviewed`` was a list on the class: rows added to one workbook's corrections showed in every other's.
    from consumer_nlp.review._workbook import Corrections

    first, second = Corrections([{"row": 2}], not_reviewed=[(3, "/")]), Corrections()
    first.not_reviewed.append((4, "待定"))
    assert list(first) == [{"row": 2}] and first.not_reviewed == [(3, "/"), (4, "待定")]
    assert list(second) == [] and second.not_reviewed == []
