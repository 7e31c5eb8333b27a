import argparse
import csv
import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import consumer_nlp as cn
from consumer_nlp._charts import cjk_fonts
from consumer_nlp.cli import build_parser, main

def read_rows(path, encoding="utf-8-sig"):
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow  # the whole command in a new Python process, 200 rows
def test_tag_keeps_every_row_and_adds_the_tags(tmp_path, repo_root):
    sample = repo_root / "data" / "sample_archive.csv"
    out = tmp_path / "tagged.csv"
    result = subprocess.run([sys.executable, "-m", "consumer_nlp", "tag", str(sample), "-o", str(out)],
                            cwd=tmp_path, capture_output=True, text=True, check=True)
    original, tagged = read_rows(sample, "utf-8"), read_rows(out)
    assert len(tagged) == len(original) == 200
    expected = cn.load().tag([row["text"] for row in original])
    for before, after, tags in zip(original, tagged, expected):
        assert {k: after[k] for k in before} == before
        assert (after["category"], after["category_zh"]) == (tags["category"], tags["category_zh"])
        assert float(after["confidence"]) == pytest.approx(tags["confidence"], abs=1e-4)
        assert after["needs_review"] == str(tags["needs_review"]).upper()  # TRUE, as Excel writes it
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
    assert "Warning" not in result.stderr and "读入 200 行，写出 200 行" in result.stderr
    assert "质量问题" in result.stderr


def test_tag_writes_beside_the_input_by_default(tmp_path):
    source = tmp_path / "archive.csv"
    source.write_text("编号,投诉内容\n1,电表走得飞快\n2,\n", encoding="gb18030")
    assert main(["tag", str(source), "-q"]) == 0
    rows = read_rows(tmp_path / "archive.tagged.csv")
    assert [r["编号"] for r in rows] == ["1", "2"]
    assert rows[1]["needs_review"] == "TRUE" and rows[1]["review_reason"] == "文本为空"  # as Excel writes it


def test_tag_by_a_blank_text_column_names_the_column_holding_the_texts_and_its_flag(tmp_path, capsys,
                                                                                     write_workbook):
    # `tag --text-col 备注` where 备注 is blank but for one note and the complaints are in 投诉内容: every other row
    # was tagged 文本为空, exit 0, and the closing summary said nothing of 投诉内容. It names it and the flag.
    source = write_workbook(tmp_path / "in.xlsx", {"投诉": [
        ["编号", "备注", "投诉内容"], ["A1", None, "冰箱买回来三天就不制冷了，商家拒绝退货"],
        ["A2", "已回访", "超市的秤不准，每斤少了二两，要求赔偿"], ["A3", None, "电视机开机就黑屏，售后一直推脱不管"]]})
    assert main(["tag", str(source), "--text-col", "备注", "-o", str(tmp_path / "out.xlsx"), "-q"]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "「投诉内容」" in line]
    assert len(said) == 1 and "2 件" in said[0] and "--text-col 投诉内容" in said[0], said
    assert pd.read_excel(tmp_path / "out.xlsx")["编号"].tolist() == ["A1", "A2", "A3"]


def test_tag_of_a_csv_saved_with_semicolons_tags_its_texts_and_says_how_it_was_read(tmp_path, capsys):
    # A European Excel's CSV (编号;投诉内容) was read as one column: each whole line, number and text, was tagged.
    source = tmp_path / "eu.csv"
    source.write_text("编号;投诉内容\n1;电表走得飞快\n2;\"退款;一直拖延\"\n", encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv")]) == 0
    rows = read_rows(tmp_path / "out.csv")
    assert [(r["编号"], r["投诉内容"]) for r in rows] == [("1", "电表走得飞快"), ("2", "退款;一直拖延")]
    assert "各列以分号（;）分隔" in capsys.readouterr().err


def test_a_csv_read_as_one_column_whose_name_holds_semicolons_is_said_with_how_to_save_it(tmp_path, capsys):
    # A semicolon CSV too odd for the guess (a text's ';' left unquoted, a row wider than the header, as no Excel
    # saves one) was read as one column 「编号;投诉内容」 and each line tagged whole, without a word. The summary names
    # the semicolons and how to save the file with commas. (A row of its id alone was such a case before 2026-12-06.)
    source = tmp_path / "eu.csv"
    source.write_text("编号;投诉内容\n1;电表走得飞快\n2;退款;一直拖延\n3;冰箱不制冷\n", encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv")]) == 2  # no text column found: how to go on
    said = capsys.readouterr().err
    assert "「编号;投诉内容」" in said and "分号（;）" in said and "另存为“CSV UTF-8（逗号分隔）”后再运行" in said, said
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "--text-col", "编号;投诉内容"]) == 0
    said = capsys.readouterr().err
    assert "「编号;投诉内容」" in said and "分号（;）" in said and "CSV UTF-8（逗号分隔）" in said, said
    (tmp_path / "comma.csv").write_text("编号,投诉内容\n1,漏水;没人管\n", encoding="utf-8")
    assert main(["tag", str(tmp_path / "comma.csv"), "-o", str(tmp_path / "out2.csv")]) == 0
    assert "分号" not in capsys.readouterr().err


def test_a_row_of_column_names_pasted_into_an_untagged_archive_is_kept_untagged_and_said(tmp_path, capsys):
    # Two exports joined, the second one's header row 编号,投诉内容 among the rows: it was tagged as 其他 (other), not
    # flagged, and counted in the summary and the report as a complaint.
    source = tmp_path / "joined.csv"
    source.write_text("编号,投诉内容\n1,电表走得飞快\n编号,投诉内容\n2,冰箱不制冷\n", encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv")]) == 0
    said = capsys.readouterr().err
    rows = read_rows(tmp_path / "out.csv")
    assert [(r["编号"], r["投诉内容"]) for r in rows] == [("1", "电表走得飞快"), ("编号", "投诉内容"), ("2", "冰箱不制冷")]
    names = rows[1]
    assert (names["category"], names["category_zh"], names["needs_review"], names["top_terms"]) == ("", "", "FALSE", "")
    assert names["review_reason"] == "又一行列名", names
    assert "第3行是又一行列名（两个文件拼在一起时一并粘贴进来的），没有标注，没有计入。" in said, said
    counted = sum(int(line.split("：")[1].split(" 件")[0]) for line in said.splitlines()
                  if "）：" in line and " 件，占" in line)  # each category's count
    assert counted == 2, said
    assert main(["report", str(tmp_path / "out.csv"), "-o", str(tmp_path / "r.md"), "-q"]) == 0
    assert "第3行是又一行列名（两个文件拼在一起时一并粘贴进来的），没有计入。" in capsys.readouterr().err
    # a complaint that merely holds the column's name among other words is tagged
    source.write_text("编号,投诉内容\n1,投诉内容：电表走得飞快\n", encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out2.csv"), "-q"]) == 0
    assert read_rows(tmp_path / "out2.csv")[0]["category"] != ""


def test_a_row_of_column_names_kept_in_json_lines_output_is_strict_json(tmp_path):
    # the kept row's confidence, which it has none of, was written NaN, which a browser's JSON.parse refuses
    import json

    source = tmp_path / "joined.csv"
    source.write_text("编号,投诉内容\n1,电表走得飞快\n编号,投诉内容\n2,冰箱不制冷\n", encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out.jsonl"), "-q"]) == 0

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    records = [json.loads(line, parse_constant=refuse) for line in
               (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["投诉内容"] for r in records] == ["电表走得飞快", "投诉内容", "冰箱不制冷"]
    assert records[1]["confidence"] is None and records[0]["confidence"] > 0


def test_a_row_of_column_names_joined_with_its_byte_order_mark_is_found_too(tmp_path, capsys):
    # Two UTF-8 exports joined as Windows joins files (copy /b 一月.csv+二月.csv 全部.csv): the second one's byte order
    # mark stands before its 编号, which no longer read as the column's name, and the row was tagged as a complaint.
    export = "\ufeff编号,投诉内容\r\n{}\r\n"
    source = tmp_path / "joined.csv"
    source.write_bytes((export.format("1,电表走得飞快") + export.format("2,冰箱不制冷")).encode("utf-8"))
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv")]) == 0
    assert "第3行是又一行列名" in capsys.readouterr().err
    assert [r["review_reason"] == "又一行列名" for r in read_rows(tmp_path / "out.csv")] == [False, True, False]


def test_a_byte_order_mark_opening_a_data_row_is_none_of_its_first_cell_and_is_said(tmp_path, capsys):
    # A helper's pass (h3): two UTF-8 exports joined as copy /b joins them, the second without its header row, gave
    # \ufeff2,秤不准, tagged and written with the id \ufeff2, which Excel shows as 2 but VLOOKUP and a filter do not
    # find as 2; a quoted id ("3") kept its quotes too. The mark is an encoding's, no part of a value: dropped, said.
    source = tmp_path / "joined.csv"
    source.write_bytes(("\ufeff编号,投诉内容\r\n1,电表走得飞快\r\n" + "\ufeff2,秤不准\r\n"
                        + '\ufeff"3",冰箱不制冷\r\n').encode("utf-8"))
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q"]) == 0
    assert [r["编号"] for r in read_rows(tmp_path / "out.csv")] == ["1", "2", "3"]
    assert ("  2 行开头有字节顺序标记（BOM，两个文件首尾相接时后一个文件开头看不见的记号），不是第一格的值，已去掉"
            in capsys.readouterr().err.splitlines())


def test_the_closing_summary_advises_with_this_commands_flags(tmp_path, capsys):
    # The summary said --bad-rows and -o from the library (tagging.Summary): the words are messages', the flags ours.
    source = tmp_path / "in.csv"
    source.write_text('id,text\n=1+1,"坏\n-信用卡,x,多\n3,=HYPERLINK("x")\n', encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "--bad-rows", str(tmp_path / "bad.csv"),
                 "-q"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("读入 3 行，写出 1 行，无法解析 2 行，用时 ") and lines[-1] == f"  结果：{tmp_path / 'out.csv'}"
    assert ("  注意：用 Excel 直接打开这个文件会改掉一些值：「text」列 1 个以 = + - @ 开头的文字会被当成公式。文件里的值没有变；"
            "要在 Excel 里查看或编辑，请写成 .xlsx（-o 文件名.xlsx）") in lines
    assert ("  注意：用 Excel 直接打开「bad.csv」会改掉一些值：「raw」列 2 个以 = + - @ 开头的文字会被当成公式。文件里的值没有变；"
            "要在 Excel 里查看或编辑，请写成 .xlsx（--bad-rows 文件名.xlsx）") in lines


def test_tag_says_a_bad_row_is_a_piece_of_a_tsv_cell_in_quotes_cut_into_rows(tmp_path, capsys):
    # The bad-rows file's 原因 of the middle line of `1<TAB>"第一行` / `第二行` / `补充<TAB>说明"` said only 这一行有 1 列，
    # 表头有 2 列: a desk reading it could not tell a piece of a cell cut into rows from a row short of a column.
    source = tmp_path / "in.tsv"
    source.write_text('编号\t投诉内容\n1\t"第一行\n第二行\n补充\t说明"\n2\t冒烟\n', encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "--bad-rows", str(tmp_path / "bad.csv"),
                 "-q"]) == 0
    assert [(r["编号"], r["投诉内容"]) for r in read_rows(tmp_path / "out.csv")] == [
        ("1", '"第一行'), ("补充", '说明"'), ("2", "冒烟")]
    (bad,) = read_rows(tmp_path / "bad.csv")
    assert bad["位置"] == "第 3 行" and bad["原因"].startswith("这一行有 1 列，表头有 2 列"), bad
    assert "文件第 2 至 4 行" in bad["原因"] and "拆" in bad["原因"] and "请核对" in bad["原因"], bad


def test_models_list_names_a_model_it_cannot_use_in_chinese(tmp_path, small_model, capsys):
    registry = cn.ModelRegistry(tmp_path / "reg")
    registry.save(small_model, "bank"), registry.save(small_model, "shop")
    (registry.root / "bank" / "aliases.json").write_text('{"production": 1', "utf-8")
    assert main(["models", "list", "--registry", str(registry.root)]) == 0
    said = capsys.readouterr()
    assert "shop" in said.out and said.err.startswith("注意：模型 bank 无法使用（已损坏或没有权限读取）：")
    assert "aliases.json" in said.err


def test_a_checkpoint_that_cannot_be_resumed_is_said_in_chinese_with_the_flag_that_starts_over(tmp_path, capsys):
    source = tmp_path / "archive.csv"
    source.write_text("编号,投诉内容\n1,电表走得飞快\n", encoding="utf-8")
    spool = tmp_path / ".archive.tagged.csv.parts"  # an earlier release's
    spool.mkdir()
    (spool / "manifest.json").write_text("{}", encoding="utf-8")
    (spool / "0000000.json").write_text("{}", encoding="utf-8")
    assert main(["tag", str(source), "-q", "--resume"]) == 2
    said = capsys.readouterr().err
    assert "错误：上次中断时已完成的部分不能接着用" in said and "--restart" in said
    assert main(["tag", str(source), "-q", "--restart"]) == 0


def test_a_resume_with_other_flags_says_which_and_how_they_were_so_the_finished_chunks_are_kept(tmp_path, capsys,
                                                                                                 monkeypatch):
    # A resume given other flags than the stopped run (--chunk-size left out, --text-col given for the column that run
    # found by itself) was told only "输入文件、模型或设置与那次不同 … 请加 --restart 从头开始": the desk threw hours of
    # finished chunks away, where giving the earlier flags again went on from them.
    from consumer_nlp.tagging import _run

    source = tmp_path / "archive.csv"
    source.write_text("编号,投诉内容\n" + "".join(f"{i},第{i:02d}号电表走得飞快\n" for i in range(6)), encoding="utf-8")
    monkeypatch.setattr(_run, "join_parts", lambda *args, **options: (_ for _ in ()).throw(KeyboardInterrupt))
    assert main(["tag", str(source), "-q", "--chunk-size", "2"]) == 130
    monkeypatch.undo()
    assert main(["tag", str(source), "-q", "--resume", "--text-col", "投诉内容"]) == 2
    said = capsys.readouterr().err
    assert "与那次不同的设置：--text-col（那次没有给出）、--chunk-size（那次是 2）" in said
    assert "按那次的设置再加 --resume 即可接着运行" in said and "--restart" in said
    assert "--chunk-size 2" in said  # the English too, as flags
    original = source.read_bytes()
    source.write_bytes(original.replace("第05号".encode(), "第06号".encode()))  # edited since: no way on but anew
    assert main(["tag", str(source), "-q", "--resume", "--chunk-size", "2"]) == 2
    said = capsys.readouterr().err
    assert "不能接着用：输入文件的内容与那次不同。请加 --restart 从头开始" in said and "即可接着运行" not in said
    source.write_bytes(original)
    assert main(["tag", str(source), "-q", "--resume", "--chunk-size", "2"]) == 0
    assert "（续跑：" in capsys.readouterr().err


def test_a_resume_of_an_input_renamed_to_another_format_is_refused_naming_its_extension(tmp_path, capsys,
                                                                                       monkeypatch):
    # The format an input is read in comes from its extension and was not in the checkpoint: a one-column CSV of
    # quoted texts renamed .txt (read as TSV, its quotes kept) resumed into the same output and joined chunks read
    # both ways.
    from consumer_nlp.tagging import _run

    source = tmp_path / "archive.csv"
    source.write_text("投诉内容\n" + "".join(f'"第{i:02d}号电表，走得飞快"\n' for i in range(6)), encoding="utf-8")
    output = tmp_path / "out.csv"
    monkeypatch.setattr(_run, "join_parts", lambda *args, **options: (_ for _ in ()).throw(KeyboardInterrupt))
    assert main(["tag", str(source), "-o", str(output), "-q", "--chunk-size", "2"]) == 130
    monkeypatch.undo()
    renamed = source.rename(source.with_suffix(".txt"))
    assert main(["tag", str(renamed), "-o", str(output), "-q", "--chunk-size", "2", "--resume"]) == 2
    said = capsys.readouterr().err
    assert "不能接着用：输入文件的扩展名与那次不同" in said and "--restart" in said and "changed: read_as" in said
    assert not output.exists()
    renamed.rename(source)
    assert main(["tag", str(source), "-o", str(output), "-q", "--chunk-size", "2", "--resume"]) == 0
    assert "（续跑：" in capsys.readouterr().err


@pytest.mark.parametrize("refusal", [errno.EACCES, errno.EROFS], ids=["no right", "read-only disk"])
def test_a_run_stopped_by_a_folder_it_may_not_write_says_resume_keeps_its_finished_chunks(tmp_path, capsys,
                                                                                          monkeypatch, refusal):
    # The full-disk line says --resume keeps the finished chunks; a folder made read-only mid-run (or its disk) was
    # said as 没有权限读写这个文件或文件夹。请换一个有权限的文件夹…, where another folder throws them away and the same
    # command with --resume, once the folder is writable, goes on from them.
    from consumer_nlp.tagging import _run

    source = tmp_path / "archive.csv"
    source.write_text("编号,投诉内容\n" + "".join(f"{i},第{i:02d}号电表走得飞快\n" for i in range(6)), encoding="utf-8")
    written = _run.write_part

    def refused_from_chunk(first_refused):
        def write(frame, kind, path):
            if sum(p.stem.isdecimal() for p in Path(path).parent.glob("*.json")) >= first_refused:
                raise (PermissionError if refusal == errno.EACCES else OSError)(refusal, os.strerror(refusal), path)
            written(frame, kind, path)
        return write

    command = ["tag", str(source), "-q", "--chunk-size", "2", "--jobs", "1"]
    monkeypatch.setattr(_run, "write_part", refused_from_chunk(0))  # nothing finished: nothing kept
    assert main(command) == 2
    assert "--resume" not in capsys.readouterr().err
    monkeypatch.setattr(_run, "write_part", refused_from_chunk(1))
    assert main(command) == 2
    said = capsys.readouterr().err.splitlines()[0]
    assert "已标注的部分都保留着" in said and "用同样的命令加 --resume 接着运行" in said
    monkeypatch.undo()
    assert main([*command, "--resume"]) == 0
    assert "（续跑：" in capsys.readouterr().err


def test_tag_without_a_text_column_lists_the_columns(tmp_path, capsys):
    source = tmp_path / "a.csv"
    source.write_text("id,note\n1,x\n", encoding="utf-8")
    assert main(["tag", str(source)]) == 2
    assert "the columns are ['id', 'note']" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["a.csv", "a.xlsx"])
def test_a_title_above_the_column_names_is_told_with_the_flag_that_skips_it(tmp_path, capsys, write_workbook, name):
    # Only "the columns are ['2025年投诉登记表']" was said: the title read as the one column name.
    rows = [["2025年投诉登记表"], ["编号", "投诉内容"], ["1", "漏水"]]
    source = tmp_path / name
    if name.endswith(".csv"):
        source.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    else:
        write_workbook(source, {"投诉": rows})
    assert main(["tag", str(source), "-q"]) == 2
    assert "--header-row 2" in capsys.readouterr().err
    assert main(["tag", str(source), "-q", "--header-row", "2"]) == 0


def test_train_lists_bad_rows_and_writes_nothing(tmp_path, capsys, write_csv):
    rows = [["text", "label"]] + [[f"第{i}件：东西坏了", "quality"] for i in range(12)]
    rows[7][1] = "bad-label"
    rows[12][0] = ""
    source = write_csv(tmp_path / "train.csv", rows)
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp")]) == 2
    err = capsys.readouterr().err
    assert "row 8:" in err and "row 13:" in err
    assert not (tmp_path / "m.cnlp").exists()
    # each row's place and fault were said in English alone, under a Chinese first line
    lines = err.splitlines()
    assert lines[1:3] == ["  第 8 行：类别「bad-label」不是六个类别之一：应填 quality、price_measurement、safety、"
                          "false_advertising、financial、other，或中文名 质量问题、价格/计量、安全问题、虚假宣传、金融服务、其他。",
                          "  第 13 行：文本为空。"], lines
    assert lines[3].startswith(f"  {source}: 2 problem(s)") and "row 13: text is empty" in lines[5]
    (tmp_path / "more.csv").write_text('text,label\n漏水,qualty\n"冒烟,quality\n', encoding="utf-8")
    assert main(["train", str(tmp_path / "more.csv"), "-o", str(tmp_path / "m.cnlp")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[1:3] == ["  第 2 行：类别「qualty」不是六个类别之一（是不是「quality」？）：应填 quality、"
                          "price_measurement、safety、false_advertising、financial、other，或中文名 质量问题、价格/计量、"
                          "安全问题、虚假宣传、金融服务、其他。", "  第 3 行：格式有误（引号没有收尾）。"], lines


def test_train_writes_a_model_and_prints_figures(tmp_path, small_corpus, capsys, write_csv):
    source = write_csv(tmp_path / "train.csv", [("text", "label"), *zip(*small_corpus)])
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--cv", "3"]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and re.search(r"金融服务 +financial +0\.\d{3} +0\.\d{3} +0\.\d{3} +40\n", out)
    assert list(cn.load(tmp_path / "m.cnlp").predict(["信用卡年费", "秤不准，少了二两"])) == ["financial",
                                                                                  "price_measurement"]


def test_train_with_calibration_data_fits_confidence_on_it_and_records_it(tmp_path, small_corpus, write_csv):
    texts, labels = small_corpus
    source = write_csv(tmp_path / "train.csv", [("text", "label"), *zip(texts[::2], labels[::2])])
    # the corpus's other texts, labels rotated by one: a calibration set, never trained on, the model gets wrong
    hard = write_csv(tmp_path / "hard.csv", [("text", "label"), *zip(texts[1::2], (labels[1:] + labels[:1])[1::2])])
    assert main(["train", str(source), "-o", str(tmp_path / "plain.cnlp"), "--cv", "0"]) == 0
    assert main(["train", str(source), "-o", str(tmp_path / "cal.cnlp"), "--cv", "0",
                 "--calibration-data", str(hard)]) == 0
    plain, calibrated = cn.load(tmp_path / "plain.cnlp"), cn.load(tmp_path / "cal.cnlp")
    assert calibrated.temperature_ > 2 * plain.temperature_
    assert calibrated.training_data_["calibration_data"]["rows"] == len(texts[1::2])
    assert "calibration_data" not in plain.training_data_


def test_calibration_data_that_cannot_be_read_is_told_how_to_fix_it_not_the_training_data_flags(
        tmp_path, capsys, small_corpus, write_csv, write_workbook):
    # --calibration-data is read with the training data's --text-col and --label-col, but never with its --sheet or
    # --header-row: a calibration workbook of two sheets was told 请用 --sheet 指定要读的一张, which then chose the
    # training file's sheet (a CSV's: refused), a title row 请用 --header-row 2, and a label column named otherwise
    # 请用 --label-col 指定, which then missed the training file's. None of them could be followed.
    texts, labels = small_corpus
    source = write_workbook(tmp_path / "train.xlsx", {"标注": [("投诉内容", "结论"), *zip(texts[::2], labels[::2])]})
    held = [("投诉内容", "结论"), *zip(texts[1::2], labels[1::2])]
    write_workbook(tmp_path / "sheets.xlsx", {"说明": [("本表说明",)], "校准": held})
    write_csv(tmp_path / "title.csv", [("2026年校准用投诉",), *held])
    write_csv(tmp_path / "other.csv", [("投诉内容", "类别"), *held[1:]])
    cases = [("sheets.xlsx", ["校准数据（--calibration-data）：", "只留下要标注的一张，或把它另存为单独的文件"]),
             ("title.csv", ["校准数据（--calibration-data）：", "在文件里删去第 2 行上面的 1 行"]),
             ("other.csv", ["校准数据（--calibration-data）：", "在文件里把类别所在的列的列名改为「结论」"])]
    for name, says in cases:
        assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--cv", "0", "--label-col", "结论",
                     "--calibration-data", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err.splitlines()
        first = next(line for line in err if line.startswith("consumer-nlp: 错误："))
        assert all(said in first for said in says), (name, first)
        assert not re.search("--sheet|--header-row|--label-col", "\n".join(err)), (name, err)


def test_a_labeled_file_whose_text_and_label_columns_are_swapped_is_told_so_once(tmp_path, capsys, small_corpus,
                                                                                  write_csv):
    # Its 240 complaints were each told 类别「…」不是六个类别之一, and the desk to fix the rows (下面列出前 20 处).
    texts, labels = small_corpus
    source = write_csv(tmp_path / "l.csv", [("text", "label"), *zip(labels, texts)])
    for command in (["train", str(source), "-o", str(tmp_path / "m.cnlp")], ["evaluate", "default", str(source)]):
        assert main(command) == 2
        first = next(line for line in capsys.readouterr().err.splitlines() if line.startswith("consumer-nlp: 错误："))
        assert "两列像是对调了" in first and "请用 --text-col label --label-col text 指定后再运行" in first, first
    assert not (tmp_path / "m.cnlp").exists()


def test_calibration_data_is_read_in_its_own_encoding_not_the_training_data_s(tmp_path, small_corpus, write_csv):
    # --calibration-data was read with the training data's --encoding: a UTF-8 calibration file beside a GB18030
    # training file read with --encoding gb18030 was refused (无法按 gb18030 编码读出, then told to save it as UTF-8 or
    # GB18030, neither of which read), and a Big5 one was read as GB18030 without a word, its texts garbled.
    texts, labels = small_corpus
    source = write_csv(tmp_path / "train.csv", [("text", "label"), *zip(texts[::2], labels[::2])], encoding="gb18030")
    held = [(text, label) for text, label in zip(texts[1::2], labels[1::2]) if _in_big5(text)]  # Traditional ones
    assert len(held) >= 4
    for encoding in ("big5", "utf-8"):
        calibration = write_csv(tmp_path / f"{encoding}.csv", [("text", "label"), *held], encoding=encoding)
        assert main(["train", str(source), "-o", str(tmp_path / f"{encoding}.cnlp"), "--cv", "0",
                     "--encoding", "gb18030", "--calibration-data", str(calibration)]) == 0, encoding
        read = cn.read_labeled(calibration)
        assert read.texts == [text for text, _ in held]
        assert cn.load(tmp_path / f"{encoding}.cnlp").training_data_["calibration_data"] == read.fingerprint()


def _in_big5(text: str) -> bool:
    try:
        text.encode("big5")
    except UnicodeEncodeError:
        return False
    return True


def test_help_reads_well():
    result = subprocess.run([sys.executable, "-m", "consumer_nlp", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "tag" in result.stdout and "train" in result.stdout


def _command_paths(parser, path=()):
    """Every command and subcommand as its words after ``consumer-nlp`` (the top level first)."""
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield from _command_paths(command, (*path, name))


# Lowercase words the help keeps as they are: commands, arguments, column names and values to type.
KEPT_WORDS = {"train", "evaluate", "models", "review", "report", "serve", "list", "show", "alias", "delete", "unalias",
              "compare", "convert", "export", "import", "input", "data", "model", "other", "tagged", "workbook", "text",
              "content", "label", "category", "confidence", "default", "name", "production", "strftime", "date",
              "month", "quarter", "channel"}


def test_every_help_is_in_chinese(capsys):
    paths = list(_command_paths(build_parser()))
    assert len(paths) == 17
    for path in paths:
        with pytest.raises(SystemExit) as done:
            main([*path, "--help"])
        shown = capsys.readouterr().out
        assert done.value.code == 0 and shown.startswith("用法：consumer-nlp"), path
        assert "选项:" in shown and "-h, --help  " in shown and "显示此帮助并退出" in shown, path
        prose = re.sub(r"`[^`]*`", "", shown.split("\n\n", 1)[1])  # the help after the usage, without `code`
        words = [run.lstrip("([").rstrip(")],.;:") for run in re.findall(r"[!-~]+", prose)]
        english = [word for word in words if re.fullmatch(r"[a-z]{4,}", word) and word not in KEPT_WORDS]
        assert not english, (path, english)


@pytest.mark.parametrize("path", [["tag"], ["train"], ["evaluate"], ["models", "compare"]])
def test_the_help_of_a_command_that_reads_a_file_names_every_format_it_reads(capsys, path):
    # train's help said 标注好的 CSV 或 XLSX 文件 (UTF-8 or GB18030), and tag's omitted .xls: both read TSV, .xls,
    # JSON Lines and Parquet too, in any encoding recognised, as the README says.
    with pytest.raises(SystemExit):
        main([*path, "--help"])
    shown = re.sub(r"\s+", "", capsys.readouterr().out)  # argparse wraps lines anywhere in Chinese
    assert all(kind in shown for kind in ("CSV", "TSV", ".xlsx", ".xls）", "JSONL", "Parquet")), shown
    assert "UTF-8或GB18030" not in shown and "CSV或XLSX" not in shown


def test_the_help_of_models_convert_names_the_result_as_it_is_written(capsys):
    # It said the result was named FILE.cnlp, which a desk reads as mine.skops.cnlp: the suffix is replaced.
    with pytest.raises(SystemExit):
        main(["models", "convert", "--help"])
    shown = re.sub(r"\s+", "", capsys.readouterr().out)  # argparse wraps lines anywhere in Chinese
    assert "FILE.cnlp" not in shown and "扩展名换成.cnlp（如mine.skops转换为mine.cnlp）" in shown, shown


@pytest.mark.parametrize("argv, says", [
    (["tag"], "consumer-nlp tag: 错误：缺少参数 input（要标注的档案）。"),
    (["models"], "consumer-nlp models: 错误：缺少要运行的命令（list、show、alias、delete、unalias、compare、convert 之一）。"),
    (["tag", "a.csv", "--forse"], "consumer-nlp tag: 错误：不认识的选项 --forse（是不是 --force？）。"),
    (["tag", "a.csv", "--text_col=内容"], "consumer-nlp tag: 错误：不认识的选项 --text_col（是不是 --text-col？）。"),
    (["tag", "a.csv", "b.csv"], "consumer-nlp tag: 错误：多余的参数「b.csv」（名字里有空格时，请给它加上引号）。"),
    (["tga", "a.csv"], "consumer-nlp: 错误：没有 tga 这个命令（是不是 tag？可用的命令：tag、train、evaluate、models、review、"
                       "report、serve）。"),
    (["tag", "a.csv", "--jobs", "two"], "consumer-nlp tag: 错误：--jobs 的值应是整数，「two」不是。"),
    (["tag", "a.csv", "--encoding"], "consumer-nlp tag: 错误：--encoding 后面缺少它的值（输入编码"),
    (["tag", "a.csv", "--re"], "consumer-nlp tag: 错误：--re 可以是 --resume、--restart、--registry 中的任何一个，请写全。"),
    (["tag", "a.csv", "--force=yes"], "consumer-nlp tag: 错误：--force 不带值，只写 --force 即可。"),
])
def test_usage_errors_are_said_in_chinese_first_with_the_usage_and_the_english_below(capsys, argv, says):
    # argparse's own errors were English alone: "error: the following arguments are required: input".
    with pytest.raises(SystemExit) as done:
        main(argv)
    first, *rest = capsys.readouterr().err.splitlines()
    assert done.value.code == 2 and first.startswith(says), first
    assert rest[0].startswith("  用法：consumer-nlp") and any("--help" in line for line in rest), rest
    assert all(line.startswith("  ") for line in rest)
    assert re.match(r"  (the|argument|unrecognized|ambiguous) ", rest[-1]), rest  # argparse's English, kept last


def test_id_column_names_rows_with_empty_text(tmp_path, capsys):
    source = tmp_path / "a.csv"
    source.write_text("编号,内容\nA1,电表走得飞快\nA2,\nA3,  \n", encoding="utf-8")
    assert main(["tag", str(source), "--id-col", "编号", "-q"]) == 0
    assert "文本为空的行：A2、A3" in capsys.readouterr().err
    assert main(["tag", str(source), "-o", str(tmp_path / "b.csv"), "--id-col", "序号", "-q"]) == 2
    assert "no column '序号'" in capsys.readouterr().err


def test_train_with_bad_rows_registers_nothing(tmp_path, small_corpus, capsys, write_csv):
    pairs = [list(p) for p in zip(*small_corpus)][:30]
    pairs[6][1] = "not-a-label"   # data row 7
    pairs[11][0] = ""             # data row 12
    source = write_csv(tmp_path / "bad.csv", [("text", "label"), *pairs])
    assert main(["train", str(source), "--name", "desk", "--registry", str(tmp_path / "reg")]) == 2
    err = capsys.readouterr().err
    assert "row 8:" in err and "not-a-label" in err and "row 13:" in err and "text is empty" in err
    assert not (tmp_path / "reg" / "desk").exists()


def _display_width(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_models_list_lines_up_chinese_names_as_a_terminal_shows_them(tmp_path, small_model, capsys):
    # Columns were padded by characters, so a row naming 投诉分类@生产 stood four places left of the others.
    registry = cn.ModelRegistry(tmp_path / "reg")
    registry.set_alias("投诉分类", registry.save(small_model, "投诉分类"), "生产")
    registry.set_alias("complaints", registry.save(small_model, "complaints"), "production")
    assert main(["models", "list", "--registry", str(tmp_path / "reg")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and len({_display_width(line) for line in lines}) == 1, lines


def test_models_list_heads_its_columns_in_chinese(tmp_path, small_model, capsys):
    # A desk's `models list` was headed `name latest versions aliases`, the one English line of the command.
    registry = cn.ModelRegistry(tmp_path / "reg")
    registry.set_alias("complaints", registry.save(small_model, "complaints"), "production")
    assert main(["models", "list", "--registry", str(tmp_path / "reg")]) == 0
    head, row = capsys.readouterr().out.splitlines()
    assert head.split() == ["模型", "最新版本", "版本数", "别名"] and row.split() == ["complaints", "1", "1", "production→1"]


def test_models_show_gives_a_desk_a_chinese_account_and_scripts_the_json(tmp_path, small_corpus, capsys, write_csv):
    # `models show` printed a version's metadata.json as JSON with English keys (created_at, training_data …), where
    # `models list` and the web's 模型 page say 模型、版本 in Chinese, and with it the base64 of per-text hashes that
    # an earlier release copies into metadata.json (126 KB for the default corpus).
    import base64
    import json

    from consumer_nlp._moments import shown_time

    source = write_csv(tmp_path / "labeled.csv", [("text", "label"), *zip(*small_corpus)])
    registry = ["--registry", str(tmp_path / "reg")]
    assert main(["train", str(source), "--name", "desk", "--alias", "production", "--cv", "3", "--description",
                 "热线 2025 年数据", *registry]) == 0
    capsys.readouterr()
    path = tmp_path / "reg" / "desk" / "1" / "metadata.json"
    saved = json.loads(path.read_text("utf-8"))
    blob = base64.b64encode(bytes(range(256)) * 4).decode("ascii")
    saved["training_data"]["text_hashes"] = blob  # as an earlier release saves a model of this one
    path.write_text(json.dumps(saved, ensure_ascii=False), "utf-8")
    assert main(["models", "show", "desk@production", *registry]) == 0
    out = capsys.readouterr().out
    assert blob[:40] not in out and not re.search(r"created_at|training_data|cv_metrics|[{}]", out), out[:80]
    lines = dict((line.split(maxsplit=1) + [""])[:2] for line in out.splitlines() if line.strip())
    assert lines["模型"] == "desk" and lines["版本"].startswith("1") and "production" in lines["别名"], out
    assert lines["创建时间"] == shown_time(saved["created_at"], seconds=False) and lines["说明"] == "热线 2025 年数据"
    assert lines["训练数据"].startswith(f"{len(small_corpus[0])} 行") and "质量问题" in lines["训练数据"]
    figures = saved["cv_metrics"]
    assert f"{figures['macro_f1']:.3f}" in out and f"{figures['accuracy']:.3f}" in out
    assert not re.search(r"\.\d{4}", out), out  # rounded as the web's 模型 page rounds them
    assert main(["models", "show", "desk@production", "--json", *registry]) == 0
    assert json.loads(capsys.readouterr().out) == {**saved, "aliases": ["production"]}  # for scripts, as before


def test_train_registers_a_version_and_the_models_commands_work(tmp_path, small_corpus, capsys, write_csv):
    pairs = list(zip(*small_corpus))
    source = write_csv(tmp_path / "good.csv", [("text", "label"), *pairs, pairs[0]])
    registry = ["--registry", str(tmp_path / "reg")]
    assert main(["train", str(source), "--name", "desk", "--alias", "production", "--cv", "3", *registry]) == 0
    out = capsys.readouterr()
    assert "macro-F1" in out.out and re.search(r"质量问题 +quality +0\.\d{3}", out.out) and "已登记：desk@1" in out.out
    assert "1 duplicate text(s)" in out.err
    assert main(["train", str(source), "--name", "desk", "--cv", "0", *registry]) == 0
    capsys.readouterr()
    assert main(["models", "list", *registry]) == 0
    assert "production→1" in capsys.readouterr().out
    assert main(["models", "delete", "desk@1", *registry]) == 2
    assert "in use by alias" in capsys.readouterr().err
    assert main(["models", "alias", "desk@2", "production", *registry]) == 0
    assert main(["models", "delete", "desk@1", *registry]) == 0
    assert main(["models", "show", "desk@production", *registry]) == 0
    assert re.search(r"^版本 +2", capsys.readouterr().out, re.M)
    assert main(["models", "compare", "desk@2", "desk@production", str(source), *registry]) == 0
    out = capsys.readouterr().out
    assert "两个模型判断不同的 0 条。" in out and "Empty DataFrame" not in out and "宏平均 F1" in out and "macro-F1" not in out  # the figures in Chinese too


def test_train_reports_its_progress_in_chinese(tmp_path, small_corpus, capsys, write_csv):
    # `train` told a desk "cross-validation fold 1/5" and "fitting on all 240 texts" between its Chinese lines.
    source = write_csv(tmp_path / "good.csv", [("text", "label"), *zip(*small_corpus)])
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--cv", "3"]) == 0
    err = capsys.readouterr().err
    assert "3 折交叉验证：第 1 折" in err and "3 折交叉验证：第 3 折" in err, err
    progress = re.sub(r"注意：.*\n  .*\n", "", err)  # a warning's Chinese, then its English (240 texts are few)
    assert f"在全部 {len(small_corpus[0])} 条文本上训练" in progress and not re.search(r"[A-Za-z]{4,}", progress), err


@pytest.mark.skipif(not cjk_fonts(), reason="no CJK font: apt-get install fonts-wqy-microhei (CI installs it)")
def test_evaluate_prints_figures_and_writes_a_report(tmp_path, small_corpus, capsys, write_csv):
    source = write_csv(tmp_path / "eval.csv", [("text", "label"), *list(zip(*small_corpus))[::3]])
    report = tmp_path / "report.html"
    assert main(["evaluate", "default", str(source), "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "混淆矩阵" in out and "复核阈值的取舍" in out
    # a desk's tables are headed in Chinese: the per-category one said precision, recall and n among them
    heading = next(line for line in out.splitlines() if line.strip().startswith("类别"))
    assert heading.split() == ["类别", "label", "精确率", "召回率", "F1", "文本数"]
    page = report.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2 and "金融服务" in page and "http" not in page.replace("http-equiv", "")


def test_evaluate_by_column_prints_figures_per_value(tmp_path, small_corpus, capsys, write_csv):
    texts, labels = small_corpus
    rows = [(t, l, "论坛" if i % 3 == 0 else "热线") for i, (t, l) in enumerate(zip(texts, labels))][:90]
    source = write_csv(tmp_path / "eval.csv", [("text", "label", "source"), *rows])
    report = tmp_path / "report.html"
    assert main(["evaluate", "default", str(source), "--by", "source", "--report", str(report)]) == 0
    out = capsys.readouterr().out
    predicted = cn.load().predict([t for t, _, _ in rows])
    for group in ("论坛", "热线"):
        picked = [i for i, row in enumerate(rows) if row[2] == group]
        accuracy = sum(predicted[i] == rows[i][1] for i in picked) / len(picked)
        line = next(line for line in out.splitlines() if line.strip().startswith(group))
        assert f"{len(picked)}" in line.split() and f"{accuracy:.3f}" in line.split(), line
    assert "按 source 分组" in out
    assert "按 source 分组" in report.read_text(encoding="utf-8")


def test_evaluate_by_a_missing_column_names_it(tmp_path, small_corpus, capsys, write_csv):
    source = write_csv(tmp_path / "eval.csv", [("text", "label"), *list(zip(*small_corpus))[:20]])
    assert main(["evaluate", "default", str(source), "--by", "channel"]) == 2
    err = capsys.readouterr().err
    assert "channel" in err and "text" in err and "trained" not in err  # it said "nothing was trained"


def test_train_group_col_is_read_and_a_missing_one_is_named(tmp_path, small_corpus, capsys, write_csv):
    texts, labels = small_corpus
    groups = [f"s{i % 3}" for i in range(len(texts))]
    source = write_csv(tmp_path / "labeled.csv", [("text", "label", "source"), *zip(texts, labels, groups)])
    model_path = tmp_path / "m.cnlp"
    assert main(["train", str(source), "-o", str(model_path), "--cv", "0", "--group-col", "source"]) == 0
    trained = cn.load(model_path)
    # the groups reached the fit: calibrated as a fit with those groups is, not as one without
    grouped = cn.ComplaintClassifier().fit(texts, labels, groups=groups)
    plain = cn.ComplaintClassifier().fit(texts, labels)
    assert trained.temperature_ == pytest.approx(grouped.temperature_, rel=1e-4)
    assert trained.temperature_ != pytest.approx(plain.temperature_, rel=1e-2)
    assert trained.review_threshold_ == pytest.approx(grouped.review_threshold_, rel=1e-4)
    assert main(["train", str(source), "-o", str(tmp_path / "n.cnlp"), "--cv", "0", "--group-col", "渠道"]) == 2
    assert "渠道" in capsys.readouterr().err


@pytest.mark.parametrize("name,content,says,said", [
    ("empty.csv", b"", "is empty", "文件是空的"),
    ("zero.xlsx", b"", "is not an Excel .xlsx workbook", "文件不是 Excel 工作簿（.xlsx）"),
    ("fake.xlsx", "投诉内容\n电表走得快\n".encode(), "is not an Excel .xlsx workbook", "文件不是 Excel 工作簿（.xlsx）"),
])
def test_a_file_that_cannot_be_read_gets_one_clear_line(tmp_path, capsys, name, content, says, said):
    source = tmp_path / name
    source.write_bytes(content)
    assert main(["tag", str(source), "-q"]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and len(err.strip().splitlines()) == 2
    assert err.startswith(f"consumer-nlp: 错误：{said}")


def test_errors_are_headed_in_chinese_and_keep_their_particulars_with_flags(tmp_path, capsys):
    # The summaries were Chinese and every error English ("consumer-nlp: error: …").
    (tmp_path / "重名.csv").write_text("投诉内容,投诉内容\n漏水,冒烟\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text("id,投诉内容\n1,漏水\n", encoding="utf-8")
    (tmp_path / "out.csv").write_text("留着\n", encoding="utf-8")
    (tmp_path / "labeled.csv").write_text("text,label\n漏水,qualty\n", encoding="utf-8")
    cases = [(["tag", str(tmp_path / "重名.csv")], "表头里有重名的列：投诉内容。", "rename them"),
             (["tag", str(tmp_path / "无.csv")], "找不到文件。", "无.csv"),
             (["tag", str(tmp_path / "a.csv"), "-o", str(tmp_path / "out.csv")],
              "文件已经存在，没有覆盖（要覆盖它请加 --force，或换一个文件名）。", "--force"),
             # the report of the archive itself, before tagging: said in English alone
             (["report", str(tmp_path / "a.csv"), "-o", str(tmp_path / "r.html")],
              "文件里没有标注结果列（category、needs_review、confidence）。请先用 consumer-nlp tag 标注这个文件，"
              "再对它写出的 .tagged 文件运行。", "tag it first with `consumer-nlp tag "),
             (["tag", str(tmp_path / "a.csv"), "--model", "nobody", "--registry", str(tmp_path / "r")], "找不到模型。",
              "nobody"),
             (["train", str(tmp_path / "labeled.csv"), "-o", str(tmp_path / "m.cnlp")],
              "标注数据有 1 处问题，没有使用（逐处列在下面）。", "unknown label 'qualty'"),
             (["evaluate", "default", str(tmp_path / "labeled.csv")], "标注数据有 1 处问题，没有使用（逐处列在下面）。",
              "unknown label 'qualty'"),
             # a column of the user's that a result column would overwrite: not told it is "already tagged"
             (["tag", str(tmp_path / "own.csv"), "-o", str(tmp_path / "own.out.csv")],
              "文件里已有与结果列同名的列：confidence。", "is it an already tagged file?"),
             (["tag", str(tmp_path / "a.jsonl"), "-o", str(tmp_path / "j.csv")],
              "文件第 2 行格式有误（不是一个完整的 JSON 对象）。", "--bad-rows FILE"),
             (["tag", str(tmp_path / "a.jsonl"), "-o", str(tmp_path / "k.csv"), "--encoding", "ascii"],
              "文件第 1 行无法按 ascii 编码读出（文件也许是另一种编码，或这一行是乱码）。", "--encoding …")]
    (tmp_path / "own.csv").write_text("投诉内容,confidence\n漏水,高\n", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text('{"投诉内容": "漏水"}\n{"投诉内容": "退款",}\n', encoding="utf-8")
    for argv, headline, particulars in cases:
        assert main(argv + ["-q"] if argv[0] == "tag" else argv) == 2
        first, *rest = capsys.readouterr().err.strip().splitlines()
        assert first.startswith(f"consumer-nlp: 错误：{headline}") and particulars in "\n".join(rest), argv
        assert all(line.startswith("  ") for line in rest), argv
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "留着\n"


@pytest.mark.parametrize("failure, says, kept", [
    (MemoryError, "内存不够。请减少 --jobs 或减小 --chunk-size 后再运行", "减少 --jobs 后"),
    (lambda: OSError(28, "No space left on device", "out.csv.partial"),
     "磁盘空间不足（正在写 out.csv.partial）。请腾出空间后再运行", "腾出空间后")], ids=["memory", "disk"])
def test_running_out_of_memory_or_disk_is_said_plainly(tmp_path, capsys, monkeypatch, failure, says, kept):
    # Out of memory ended in a traceback; a full disk gave only "[Errno 28] No space left on device". Both lines
    # then said (tag 加 --resume 可保留已标注的部分) from the command line itself, also where no chunk was finished:
    # --resume is said only where chunks were kept, from messages, which a front end gives its words for it.
    import consumer_nlp.tagging
    from consumer_nlp.messages import headline

    def fails(*args, chunks_kept=None, **options):
        error = failure()
        error.chunks_kept = chunks_kept
        raise error

    source = tmp_path / "a.csv"
    source.write_text("text\n漏水\n", encoding="utf-8")
    monkeypatch.setattr(consumer_nlp.tagging, "tag_file", fails)
    assert main(["tag", str(source), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"consumer-nlp: 错误：{says}" in err and "--resume" not in err and "Traceback" not in err
    monkeypatch.setattr(consumer_nlp.tagging, "tag_file", lambda *a, **o: fails(chunks_kept=str(tmp_path / ".parts")))
    assert main(["tag", str(source), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"已标注的部分都保留着：{kept}，用同样的命令加 --resume 接着运行" in err and "Traceback" not in err
    error = failure()
    error.chunks_kept = "parts"
    assert "用同样的命令加 resume=True 接着运行" in headline(error, {})  # without a front end's flag, the parameter


def test_a_run_stopped_by_its_data_once_chunks_are_finished_says_the_one_way_on(tmp_path, capsys):
    # Bytes not UTF-8 or a bad row found once chunks were finished left them, the line saying only to fix the file:
    # the same command on the mended file was then refused as an unfinished run, and --resume as another run's. Chunks
    # no resume could use (the bytes leave only a mended file) go; a bad row's stay, which --bad-rows goes on from.
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = [f"秤不准{n}".encode() for n in range(30)]
    texts[17] = b"\xff\xfe bad"
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": list(range(30)), "text": pa.array(texts, pa.binary())}), source)
    run = ["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q", "--jobs", "1", "--chunk-size", "5"]
    assert main(run) == 2 and "请让导出这个文件的人" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"], "no chunk a resume could never use"
    texts[17] = "秤不准17".encode()
    pq.write_table(pa.table({"id": list(range(30)), "text": pa.array(texts, pa.binary())}), source)
    assert main(run) == 0 and "沿用上次结果" not in capsys.readouterr().err

    rows = [f"{n},秤不准{n}\n" for n in range(30)]
    source = tmp_path / "in.csv"
    source.write_text("id,text\n" + "".join(rows[:17] + ["17,多了,一列\n"] + rows[18:]), encoding="utf-8")
    run = ["tag", str(source), "-o", str(tmp_path / "tagged.csv"), "-q", "--jobs", "1", "--chunk-size", "5"]
    assert main(run) == 2
    err = capsys.readouterr().err
    assert ("请修正这一行后加 --restart 再运行（文件改过，已标注的部分就不能再用），或用 --bad-rows 把无法解析的行另存到一个文件、"
            "再加 --resume 接着运行（已标注的部分都能用上）") in err, err
    assert "run with --restart" in err and "--bad-rows FILE with --resume" in err  # the library's line, in flags
    assert main([*run, "--bad-rows", str(tmp_path / "bad.csv"), "--resume"]) == 0
    assert "沿用上次结果" in capsys.readouterr().err and len(pd.read_csv(tmp_path / "tagged.csv")) == 29


def test_a_model_option_naming_another_file_is_refused_clearly(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n", encoding="utf-8")
    not_a_model = tmp_path / "notes.cnlp"
    not_a_model.write_text("hello", encoding="utf-8")
    assert main(["tag", str(source), "--model", str(not_a_model), "-q"]) == 2
    assert "notes.cnlp: not a consumer_nlp model file" in capsys.readouterr().err


@pytest.mark.slow  # the whole command in a new Python process
def test_a_reader_that_goes_away_stops_the_command_quietly(tmp_path, small_corpus, write_csv):
    source = write_csv(tmp_path / "eval.csv", [("text", "label"), *list(zip(*small_corpus))[:12]])
    process = subprocess.Popen([sys.executable, "-m", "consumer_nlp", "evaluate", "default", str(source)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # like `| head` that has read enough
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141 and "Traceback" not in err and "BrokenPipe" not in err


def test_models_convert_writes_a_model_file_beside_an_old_one(tmp_path, capsys, data_dir):
    import shutil

    pytest.importorskip("skops")
    import sklearn

    old = tmp_path / "mine.skops"
    shutil.copy(data_dir / "model_0.1.skops", old)
    assert main(["tag", str(tmp_path / "x.csv"), "--model", str(old)]) == 2
    assert "consumer-nlp models convert" in capsys.readouterr().err
    if not sklearn.__version__.startswith("1.9."):
        assert main(["models", "convert", str(old)]) == 2
        assert "Convert it where scikit-learn 1.9.x is installed" in capsys.readouterr().err
        return
    assert main(["models", "convert", str(old)]) == 0
    assert "mine.cnlp" in capsys.readouterr().out
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,信用卡被盗刷了\n", encoding="utf-8")
    assert main(["tag", str(source), "--model", str(tmp_path / "mine.cnlp"), "-q"]) == 0
    assert main(["models", "convert", str(old)]) == 2  # never replaces the converted file
    assert "was not replaced" in capsys.readouterr().err


def test_library_errors_are_said_with_the_commands_flags(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text("id,正文内容\n1,秤不准\n", encoding="utf-8")
    assert main(["tag", str(source), "-q"]) == 2
    err = capsys.readouterr().err
    assert "--text-col …" in err and "text_col=" not in err
    source.write_text("id,text\n1,秤不准\n", encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q"]) == 0
    capsys.readouterr()
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "pass --force to replace it" in err and "force=True" not in err
    assert main(["report", str(source)]) == 2
    assert "tag it first with `consumer-nlp tag " in capsys.readouterr().err


def test_report_given_the_archive_itself_as_previous_says_so_in_chinese(tmp_path, capsys):
    # `report t.csv --previous ./t.csv` said only "previous=… is the archive itself: give …", in English.
    source = tmp_path / "t.csv"
    source.write_text("id,text\n1,秤不准\n", encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "t.tagged.csv"), "-q"]) == 0
    capsys.readouterr()
    assert main(["report", str(tmp_path / "t.tagged.csv"), "--previous", str(tmp_path / "." / "t.tagged.csv"), "-q"]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first == ("consumer-nlp: 错误：用来对比的前一期档案就是这份档案本身。请用 --previous 指定前一期的已标注档案"
                     "后再运行。"), first
    assert not (tmp_path / "t.tagged.report.html").exists()


def test_report_of_a_1904_workbook_tagged_into_csv_reads_its_day_numbers_by_1904_when_told(tmp_path, capsys):
    # A CSV of a 1904 workbook keeps no date system: `report` read its day numbers (44259 for 2025-03-05) by the 1900
    # system (2021-03-04), and no flag could say otherwise; the summary told the desk to write .xlsx, nothing else.
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = Workbook()
    book.epoch = CALENDAR_MAC_1904
    for row in [["投诉内容", "投诉日期"], ["冰箱不制冷", 44259], ["秤不准", 44260]]:
        book.active.append(row)
    book.save(tmp_path / "mac.xlsx")
    assert main(["tag", str(tmp_path / "mac.xlsx"), "-o", str(tmp_path / "out.csv"), "-q"]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "1904 日期系统" in line]
    assert len(said) == 1 and said[0].endswith("请写成 .xlsx（-o 文件名.xlsx），或生成报告时加上 --dates-1904"), said
    assert main(["report", str(tmp_path / "out.csv"), "-o", str(tmp_path / "r.md"), "-q", "--dates-1904"]) == 0
    notes = capsys.readouterr().err
    assert "（1904 日期系统）读取（如 第2行「44259」即 2025-03-05）" in notes, notes
    told = (tmp_path / "r.md").read_text("utf-8")
    assert "2025-03" in told and "2021-03" not in told
    assert main(["report", str(tmp_path / "out.csv"), "-o", str(tmp_path / "r.md"), "-q", "--force"]) == 0
    assert "2021-03" in (tmp_path / "r.md").read_text("utf-8")  # unsaid, the 1900 system, as Excel reads the CSV


def test_numbers_and_functions_in_library_messages_become_flags_and_commands(tmp_path, capsys, write_csv):
    # "pass cv=0" and "written by export_review" reached command-line users as Python.
    labeled = write_csv(tmp_path / "l.csv", [("text", "label"), *[(f"漏水{n}", "quality") for n in range(5)],
                                             *[(f"年费{n}", "financial") for n in range(3)]])
    assert main(["train", str(labeled), "-o", str(tmp_path / "m.cnlp")]) == 2
    err = capsys.readouterr().err
    assert "--cv 0" in err and "cv=0" not in err
    workbook = tmp_path / "w.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(workbook, index=False)
    assert main(["review", "import", str(workbook), "--registry", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "`consumer-nlp review export`" in err and "export_review" not in err


def test_tag_takes_a_model_from_the_registry(tmp_path, small_model, capsys):
    cn.ModelRegistry(tmp_path / "registry").save(small_model, "desk")
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,信用卡被盗刷了\n", encoding="utf-8")
    assert main(["tag", str(source), "--model", "desk@1", "--registry", str(tmp_path / "registry"), "-q"]) == 0
    assert main(["tag", str(source), "-o", str(tmp_path / "b.csv"), "--model", "desk@7",
                 "--registry", str(tmp_path / "registry"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "consumer-nlp: 错误：找不到模型。请用 consumer-nlp models list 查看" in err
    assert "。\n  model 'desk' has no version 7; it has [1]" in err


def test_text_col_means_the_same_for_every_command(tmp_path, small_corpus, capsys, write_csv):
    source = write_csv(tmp_path / "labeled.csv", [("投诉内容", "label"), *zip(*small_corpus)])
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--cv", "0"]) == 0  # found by name
    assert main(["evaluate", str(tmp_path / "m.cnlp"), str(source)]) == 0
    assert main(["train", str(source), "-o", str(tmp_path / "n.cnlp"), "--cv", "0", "--text-col", "正文"]) == 2
    assert "missing column(s) ['正文']" in capsys.readouterr().err


def test_train_finds_a_desks_label_column_by_its_chinese_name(tmp_path, small_corpus, capsys, write_csv):
    # A desk's labeled file says 类别: `train` stopped at "missing column(s) ['label']" unless told --label-col 类别.
    rows = [(n, text, cn.CATEGORIES[label]) for n, (text, label) in enumerate(zip(*small_corpus), start=1)]
    source = write_csv(tmp_path / "标注.csv", [("编号", "投诉内容", "类别"), *rows])
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--cv", "0"]) == 0
    assert "模型已保存" in capsys.readouterr().out
    assert cn.load(tmp_path / "m.cnlp").training_data_["label_counts"] == {label: 40 for label in cn.CATEGORIES}
    assert main(["evaluate", str(tmp_path / "m.cnlp"), str(source)]) == 0
    assert build_parser().parse_args(["train", "x.csv", "-o", "m.cnlp"]).label_col is None
    assert main(["train", str(source), "-o", str(tmp_path / "n.cnlp"), "--label-col", "标注"]) == 2
    assert "missing column(s) ['标注']" in capsys.readouterr().err  # a name given must still be a column


def test_train_says_which_duplicate_texts_differ_in_their_numbers(tmp_path, small_corpus, capsys, write_csv):
    # "row 243 repeats row 242" (第 243 行重复第 242 行) of 洗衣机…第0次反映 and …第1次反映, which the model reads alike:
    # a desk opening both rows saw two different texts. A text repeated exactly keeps its wording.
    pairs = list(zip(*small_corpus))
    washer = [(f"洗衣机用了三天就坏了，第{n}次反映", "quality") for n in range(2)]
    source = write_csv(tmp_path / "l.csv", [("text", "label"), *pairs, *washer, pairs[0]])
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--cv", "0"]) == 0
    err = capsys.readouterr().err.splitlines()
    duplicate = err.index("注意：标注数据里有 2 条文本与前面的一行重复，照原样保留（第 243 行与第 242 行相同，只是数字、空格等不同；"
                          "第 244 行重复第 2 行）。")
    assert err[duplicate + 1] == ("  2 duplicate text(s), kept as they are (row 243 repeats row 242 apart from "
                                  "numbers, spaces or the like; row 244 repeats row 2)")


def test_train_warns_of_duplicates_and_conflicts_in_chinese_first(tmp_path, small_corpus, capsys, write_csv):
    # A desk read "1 duplicate text(s), kept as they are (line 3 repeats line 2)" and nothing in Chinese.
    pairs = list(zip(*small_corpus))
    other = next(label for label in cn.CATEGORIES if label != pairs[1][1])
    source = write_csv(tmp_path / "l.csv", [("text", "label"), *pairs, pairs[0], (pairs[1][0], other)])
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--cv", "0"]) == 0
    err = capsys.readouterr().err.splitlines()
    duplicate = err.index("注意：标注数据里有 1 条文本与前面的一行重复，照原样保留（第 242 行重复第 2 行）。")
    assert err[duplicate + 1] == ("  1 duplicate text(s), kept as they are (row 242 repeats row 2)")
    conflict = err.index("注意：标注数据里有 1 条文本的类别与前面同一文本的不同，两种都会学习（第 243 行）。")
    assert err[conflict + 1].startswith("  1 conflicting labels, both learned (at row 243: labeled ")
    assert main(["evaluate", str(tmp_path / "m.cnlp"), str(source)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert "注意：标注数据里有 1 条文本的类别与前面同一文本的不同，每处有一条计为判断错误（第 243 行）。" in err
    from openpyxl import Workbook

    book = Workbook()
    for row in [("text", "label"), ("秤不准", "price_measurement"), ("漏水", "quality"), ("冒烟", "safety")]:
        book.active.append(row)
    book.active.row_dimensions[3].hidden = True  # a desk's filter
    book.save(tmp_path / "h.xlsx")
    assert main(["evaluate", "default", str(tmp_path / "h.xlsx")]) == 0
    err = capsys.readouterr().err.splitlines()
    hidden = err.index("注意：工作簿里有 1 行在 Excel 中被隐藏（筛选或手动隐藏），也一并读入了。")
    assert err[hidden + 1].endswith("h.xlsx: 1 row(s) hidden in Excel (by a filter or by hand) were read too")


def test_labeled_data_with_a_quoted_text_over_lines_reading_as_rows_is_said_to_be(tmp_path, capsys):
    # Tagging names a quoted text kept whole over lines that read as rows (a stray quote closed lines later would have
    # merged them), for checking; evaluate and train read the same reader and said nothing of it.
    source = tmp_path / "l.csv"
    source.write_text('编号,投诉内容,类别\r\n1,"充值\r\n1,200元不到账",financial\r\n2,冒烟,safety\r\n3,漏水,quality\r\n',
                      encoding="utf-8-sig")
    assert main(["evaluate", "default", str(source)]) == 0
    err = capsys.readouterr().err
    assert "注意：第 2 行（文件第 2 至 3 行）引号里的文字跨了几行" in err and "请核对原文件" in err, err


def test_no_command_writes_over_a_file_unasked_or_over_its_input(tmp_path, small_model, small_corpus, capsys,
                                                                 write_csv):
    # report -o, train -o, evaluate --report and review export once replaced any file, the input included.
    texts, labels = small_corpus
    labeled = write_csv(tmp_path / "labeled.csv", [("text", "label"), *zip(texts, labels)])
    model = cn.save_model(small_model, tmp_path / "m.cnlp")
    archive = write_csv(tmp_path / "a.csv", [("id", "text"), *((str(i), t) for i, t in enumerate(texts[:30]))])
    assert main(["tag", str(archive), "-o", str(tmp_path / "a.tagged.csv"), "--model", str(model), "-q"]) == 0
    tagged = tmp_path / "a.tagged.csv"
    commands = {
        "report": (["report", str(tagged), "-q"], "-o", tagged),
        "train": (["train", str(labeled), "--cv", "0"], "-o", labeled),
        "evaluate": (["evaluate", str(model), str(labeled)], "--report", labeled),
        "review export": (["review", "export", str(tagged), "--model", str(model)], "-o", tagged),
    }
    for name, (command, flag, source) in commands.items():
        before = source.read_bytes()
        taken = tmp_path / {"review export": "taken.xlsx", "train": "taken.cnlp"}.get(name, "taken.html")
        taken.write_text("kept", encoding="utf-8")
        assert main([*command, flag, str(taken)]) == 2, name
        err = capsys.readouterr().err
        assert "exists already" in err and "--force" in err, name
        assert taken.read_text(encoding="utf-8") == "kept", name
        assert main([*command, flag, str(source), "--force"]) == 2, name
        assert "is the input file" in capsys.readouterr().err, name
        assert source.read_bytes() == before, name
        assert main([*command, flag, str(taken), "--force"]) == 0, name
        assert taken.read_bytes() != b"kept", name


def test_an_output_named_for_another_format_or_beside_no_folder_is_refused_in_chinese(tmp_path, small_model,
                                                                                     small_corpus, capsys, write_csv):
    # `evaluate --report 评估.pdf` (or .xlsx, .md) wrote the HTML page under that name, which then opened as a
    # damaged file; and an output that is the input, in a folder that does not exist or of a wrong ending
    # stopped every command in English alone.
    texts, labels = small_corpus
    labeled = write_csv(tmp_path / "labeled.csv", [("text", "label"), *zip(texts, labels)])
    model = cn.save_model(small_model, tmp_path / "m.cnlp")
    archive = write_csv(tmp_path / "a.csv", [("id", "text"), *((str(i), t) for i, t in enumerate(texts[:30]))])
    assert main(["tag", str(archive), "-o", str(tmp_path / "a.tagged.csv"), "--model", str(model), "-q"]) == 0
    capsys.readouterr()
    evaluate = ["evaluate", str(model), str(labeled), "--report"]
    for name in ("评估.pdf", "评估.xlsx", "评估.md"):
        assert main([*evaluate, str(tmp_path / name)]) == 2, name
        first = capsys.readouterr().err.splitlines()[0]
        assert "输出文件名应以 .html 或 .htm 结尾" in first and "请用 --report 换一个" in first, first
        assert not (tmp_path / name).exists()
    said = {"输出文件就是输入文件": [*evaluate, str(labeled)],
            "输出文件所在的文件夹不存在": [*evaluate, str(tmp_path / "没有" / "评估.html")],
            "输出文件名应以 .html、.htm、.xlsx、.md 或 .markdown 结尾": [
                "report", str(tmp_path / "a.tagged.csv"), "-o", str(tmp_path / "报告.pdf")],
            "输出文件名应以 .cnlp 结尾": ["train", str(labeled), "--cv", "0", "-o", str(tmp_path / "m.pkl")],
            "输出文件名应以 .xlsx 结尾": ["review", "export", str(tmp_path / "a.tagged.csv"), "--model", str(model),
                                    "-o", str(tmp_path / "复核.csv")]}
    for chinese, command in said.items():
        assert main(command) == 2, command
        first = capsys.readouterr().err.splitlines()[0]
        assert first.startswith(f"consumer-nlp: 错误：{chinese}") and "请" in first, first


def test_an_output_below_a_file_is_said_to_be_below_that_file_not_in_a_missing_folder(tmp_path, capsys):
    # A helper's pass (n4): `report -o t.csv/r.html` was told 输出文件所在的文件夹不存在, though t.csv is there: a file.
    tagged = tmp_path / "t.csv"
    pd.DataFrame([{"text": "漏水", "category": "quality", "category_zh": "质量问题", "confidence": 0.9,
                   "needs_review": False, "review_reason": "", "top_terms": ""}]).to_csv(tagged, index=False)
    for output in (tagged / "r.html", tagged / "报告" / "r.html"):
        assert main(["report", str(tagged), "-o", str(output), "-q"]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert "「t.csv」是一个文件，不是文件夹" in first and "不存在" not in first and "建好" not in first, first
    from consumer_nlp.io import check_new_file

    with pytest.raises(cn.ArchiveError, match=r"t\.csv is a file, not a folder") as refused:
        check_new_file(tagged / "报告" / "r.html", force=False)
    assert refused.value.problem == "no_folder" and refused.value.details["file"] == "t.csv"


def test_no_command_writes_over_a_file_that_appears_while_it_works(tmp_path, small_model, small_corpus, capsys,
                                                                   write_csv, monkeypatch):
    # The checks above ran when a command started; a file written at that name meanwhile was replaced.
    import consumer_nlp._evaluate
    import consumer_nlp.io
    import consumer_nlp.models._file
    import consumer_nlp.review._workbook

    texts, labels = small_corpus
    labeled = write_csv(tmp_path / "labeled.csv", [("text", "label"), *zip(texts, labels)])
    model = cn.save_model(small_model, tmp_path / "m.cnlp")
    archive = write_csv(tmp_path / "a.csv", [("id", "text"), *((str(i), t) for i, t in enumerate(texts[:30]))])
    assert main(["tag", str(archive), "-o", str(tmp_path / "a.tagged.csv"), "--model", str(model), "-q"]) == 0
    check_new_file = consumer_nlp.io.check_new_file

    def checked_then_written_by_another_program(path, **options):
        checked = check_new_file(path, **options)
        Path(path).write_text("theirs", encoding="utf-8")
        return checked

    for module in (consumer_nlp.io, consumer_nlp._evaluate, consumer_nlp.models._file, consumer_nlp.review._workbook):
        monkeypatch.setattr(module, "check_new_file", checked_then_written_by_another_program)
    before = sorted(tmp_path.iterdir())
    for name, (command, flag) in {"report": (["report", str(tmp_path / "a.tagged.csv"), "-q"], "-o"),
                                  "train": (["train", str(labeled), "--cv", "0"], "-o"),
                                  "evaluate": (["evaluate", str(model), str(labeled)], "--report"),
                                  "review export": (["review", "export", str(tmp_path / "a.tagged.csv"), "--model",
                                                     str(model)], "-o")}.items():
        theirs = tmp_path / ("theirs.cnlp" if name == "train" else "theirs.xlsx" if name == "review export" else
                             "theirs.html")
        assert main([*command, flag, str(theirs)]) == 2, name
        err = capsys.readouterr().err  # (review export checks twice: before scoring the queue, and when writing)
        assert "appeared while this was being written" in err or "exists already" in err, name
        assert theirs.read_text(encoding="utf-8") == "theirs", name
        theirs.unlink()
        assert sorted(tmp_path.iterdir()) == before, name  # no temporary file left behind


@pytest.mark.parametrize("flags, says", [(["--name", "投诉/x"], "invalid model name"),
                                         (["--name", "t", "--alias", "Production"], "invalid alias"),
                                         (["--name", "t", "--alias", "3"], "invalid alias")])
def test_train_checks_the_name_and_alias_before_any_work(tmp_path, capsys, flags, says):
    # They were checked after training (a minute on a real corpus), and a bad alias left the new version behind.
    registry = tmp_path / "registry"
    assert main(["train", str(tmp_path / "not-yet-written.csv"), "--registry", str(registry), *flags]) == 2
    assert says in capsys.readouterr().err
    assert not registry.exists() or not any(registry.iterdir())


def test_train_alias_or_description_without_a_name_is_refused_before_training(tmp_path, capsys, write_csv):
    # The desk believed it had promoted a model: the alias was dropped and the command succeeded.
    source = write_csv(tmp_path / "l.csv", [("text", "label"), ("漏水", "quality")])
    for extra in (["--alias", "production"], ["--description", "银行投诉台"]):
        assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--cv", "0", *extra]) == 2
        assert "--name" in capsys.readouterr().err and not (tmp_path / "m.cnlp").exists()


@pytest.mark.parametrize("argv, says", [
    (["train", "l.csv"], "没有说模型保存到哪里：请用 --name NAME 登记到注册表，或用 -o FILE.cnlp 写成文件（也可两者都用）"),
    (["train", "l.csv", "-o", "m.cnlp", "--alias", "production"], "--alias 和 --description 属于注册表里的版本：请同时用 "
                                                                "--name NAME 指定模型名称"),
    (["models", "alias", "desk", "production"], "请写明别名指向哪个版本：NAME@VERSION（如 complaints@3）或 NAME@ALIAS"),
    # one column of figures and 两个模型判断不同的 0 条, the second model taken for the first
    (["models", "compare", "default", "default", "l.csv"], "两个模型都是「default」，是在和自己比较：请给出另一个模型"),
])
def test_the_command_lines_own_refusals_are_said_in_chinese_first(tmp_path, capsys, write_csv, argv, says):
    # These were English alone: "say where the model goes: --name NAME (the registry) and/or -o FILE.cnlp".
    write_csv(tmp_path / "l.csv", [("text", "label"), ("漏水", "quality")])
    argv = [str(tmp_path / word) if word.endswith((".csv", ".cnlp")) else word for word in argv]
    assert main([*argv, "--registry", str(tmp_path / "r")]) == 2
    first, english = capsys.readouterr().err.splitlines()
    assert first.startswith(f"consumer-nlp: 错误：{says}"), first
    assert english.startswith("  ") and not re.search(r"[\u4e00-\u9fff]", english), english


def test_tag_of_an_old_workbook_writes_xlsx_beside_it(tmp_path):
    # The default output kept .xls, which is read but never written: `tag 旧表.xls` always failed.
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("投诉")
    for r, row in enumerate([("编号", "投诉内容"), ("1", "电表走得飞快")]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    workbook.save(str(tmp_path / "旧表.xls"))
    assert main(["tag", str(tmp_path / "旧表.xls"), "-q"]) == 0
    assert (tmp_path / "旧表.tagged.xlsx").is_file()


def test_an_output_of_a_format_the_command_cannot_write_is_refused_before_any_work(tmp_path, small_model, capsys,
                                                                                  write_csv):
    # review export -o 复核.csv wrote a workbook under a .csv name; report -o 年报.pdf did all the work,
    # then failed naming a temporary file.
    model = cn.save_model(small_model, tmp_path / "m.cnlp")
    archive = write_csv(tmp_path / "a.csv", [("id", "text"), ("1", "漏水"), ("2", "秤不准")])
    assert main(["tag", str(archive), "-o", str(tmp_path / "t.csv"), "--model", str(model), "-q"]) == 0
    for command in (["review", "export", str(tmp_path / "t.csv"), "--model", str(model), "-o", str(tmp_path / "复核.csv")],
                    ["report", str(tmp_path / "t.csv"), "-q", "-o", str(tmp_path / "年报.pdf")]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert ("复核.csv" in err or "年报.pdf" in err) and ".xlsx" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "m.cnlp", "t.csv"]


def test_what_commands_write_others_may_read_as_the_umask_says(tmp_path, small_model, small_corpus, write_csv,
                                                                 monkeypatch):
    # Reports, model files, review workbooks and registry versions were owner-only (0600, 0700), whatever
    # the umask: colleagues, or a web server running as another user, could not open them.
    import os
    import stat

    old = os.umask(0o022)
    try:
        monkeypatch.setenv("CONSUMER_NLP_HOME", str(tmp_path / "home"))
        texts, labels = small_corpus
        labeled = write_csv(tmp_path / "l.csv", [("text", "label"), *zip(texts, labels)])
        assert main(["train", str(labeled), "--cv", "0", "-o", str(tmp_path / "m.cnlp"), "--name", "desk",
                     "--registry", str(tmp_path / "registry")]) == 0
        archive = write_csv(tmp_path / "a.csv", [("id", "text"), *((str(i), t) for i, t in enumerate(texts[:30]))])
        assert main(["tag", str(archive), "-o", str(tmp_path / "t.csv"), "--model", str(tmp_path / "m.cnlp"), "-q"]) == 0
        assert main(["report", str(tmp_path / "t.csv"), "-q", "-o", str(tmp_path / "r.html")]) == 0
        assert main(["review", "export", str(tmp_path / "t.csv"), "--model", str(tmp_path / "m.cnlp"), "-o",
                     str(tmp_path / "复核.xlsx")]) == 0
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [
            tmp_path / "m.cnlp", tmp_path / "r.html", tmp_path / "复核.xlsx", tmp_path / "t.csv",
            tmp_path / "registry" / "desk" / "1", *(tmp_path / "registry" / "desk" / "1").iterdir()]}
        assert modes == {name: 0o755 if name == "1" else 0o644 for name in modes}, modes
    finally:
        os.umask(old)


def test_train_and_evaluate_read_a_workbook_sheet_and_errors_use_the_commands_own_flags(tmp_path, small_corpus,
                                                                                      capsys, write_workbook):
    # A labeled workbook with a 说明 sheet was told to use --sheet, a flag of `tag` alone; and errors
    # named Python parameters (chunk_size, header_row, cv) instead of flags.
    texts, labels = small_corpus
    book = write_workbook(tmp_path / "标注.xlsx", {"标注": [["text", "label"], *zip(texts, labels)],
                                                   "说明": [["按 docs/labeling-guide.md 标注"]]})
    assert main(["train", str(book), "--cv", "0", "-o", str(tmp_path / "m.cnlp")]) == 2
    assert "--sheet NAME" in capsys.readouterr().err
    assert main(["train", str(book), "--cv", "0", "-o", str(tmp_path / "m.cnlp"), "--sheet", "标注"]) == 0
    assert main(["evaluate", str(tmp_path / "m.cnlp"), str(book), "--sheet", "1"]) == 0
    capsys.readouterr()
    archive = tmp_path / "a.csv"
    archive.write_text("text\n漏水\n", encoding="utf-8")
    for command, says in [(["tag", str(archive), "--chunk-size", "0"], "--chunk-size N must be"),
                          (["tag", str(archive), "--sheet", "1"], "--sheet NAME applies to workbooks"),
                          (["train", str(book), "--sheet", "标注", "--cv", "1", "-o", str(tmp_path / "n.cnlp")],
                           "--cv N must be 0")]:
        assert main(command) == 2
        err = capsys.readouterr().err
        assert says in err and not any(name in err for name in ("chunk_size", "header_row", "sheet=", "cv=")), err


def _registry_of(tmp_path, model, *names) -> tuple:
    """A registry in tmp_path with ``model`` saved under each of ``names`` in turn, and the flag naming it."""
    registry = cn.ModelRegistry(tmp_path / "r")
    for name in names:
        registry.save(model, name)
    return registry, ["--registry", str(tmp_path / "r")]


def test_models_delete_names_the_version_and_unalias_frees_it(tmp_path, small_model, capsys):
    # `models delete desk` deleted the latest version but said 已删除 desk; an alias in the way could be
    # removed only from Python. And a desk meaning "the whole model" lost its newest version, then the one before
    # at the next try: a deletion, which cannot be undone, now names its version.
    registry, where = _registry_of(tmp_path, small_model, "desk", "desk")
    registry.set_alias("desk", 2, "production")
    assert main(["models", "delete", "desk@2", *where]) == 2
    assert "`consumer-nlp models unalias`" in capsys.readouterr().err
    assert main(["models", "unalias", "desk@production", *where]) == 0
    assert main(["models", "delete", "desk", *where]) == 2
    assert "desk@2" in capsys.readouterr().err and [v["version"] for v in registry.versions("desk")] == [1, 2]
    assert main(["models", "delete", "desk@2", *where]) == 0
    assert "已删除 desk@2" in capsys.readouterr().out and [v["version"] for v in registry.versions("desk")] == [1]


def test_models_alias_and_unalias_read_a_full_width_at_as_every_reference_does(tmp_path, small_model, capsys):
    # 热线投诉＠3, as a Chinese input method types it, resolved in show, delete and evaluate, but alias
    # said "give the version as NAME@VERSION" and unalias "invalid model name '热线投诉＠生产'".
    registry, where = _registry_of(tmp_path, small_model, "热线投诉")
    assert main(["models", "alias", "热线投诉＠1", "生产", *where]) == 0
    assert registry.resolve("热线投诉@生产") == ("热线投诉", 1)
    assert main(["models", "unalias", "热线投诉＠生产", *where]) == 0
    assert registry.aliases("热线投诉") == {}


def test_models_alias_promotes_what_another_alias_points_at(tmp_path, small_model, capsys):
    # `models alias desk@staging production` (promote what was tried) said "give the version … as
    # NAME@VERSION", though desk@staging names a version everywhere else; a bare NAME is still refused.
    registry, where = _registry_of(tmp_path, small_model, "desk", "desk")
    registry.set_alias("desk", 1, "staging")
    assert main(["models", "alias", "desk@staging", "production", *where]) == 0
    assert registry.aliases("desk") == {"staging": 1, "production": 1} and "第 1 版" in capsys.readouterr().out
    assert main(["models", "alias", "desk", "production", *where]) == 2
    assert "NAME@VERSION" in capsys.readouterr().err and registry.aliases("desk")["production"] == 1


def test_jobs_below_one_are_refused_and_an_early_ctrl_c_keeps_nothing(tmp_path, default_model, monkeypatch):
    from consumer_nlp.tagging import _run, tag_file

    (tmp_path / "in.csv").write_text("text\n漏水\n", encoding="utf-8")
    for jobs in (0, -2):
        with pytest.raises(ValueError, match="jobs=N must be"):
            tag_file(default_model, tmp_path / "in.csv", tmp_path / "out.csv", jobs=jobs, progress=False)

    def interrupted(self, work):
        raise KeyboardInterrupt

    monkeypatch.setattr(_run._Workers, "tag", interrupted)  # Ctrl-C before the first chunk was finished
    with pytest.raises(KeyboardInterrupt, match="before any chunk was finished; nothing was kept"):
        tag_file(default_model, tmp_path / "in.csv", tmp_path / "out.csv", jobs=1, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_sigterm_ends_a_command_as_ctrl_c_does_so_it_cleans_up(monkeypatch, capsys, tmp_path, stop):
    # SIGTERM (a service stopped, `timeout`, a task manager) ended commands on the spot: a registry
    # save left its staging folder, a report its temporary file. Now cleanup runs as for Ctrl-C.
    # SIGHUP (the terminal closed) did so until 2026-12-06.
    import os
    import signal
    import time

    from consumer_nlp import cli

    number = getattr(signal, stop)
    cleaned = []

    def works_until_stopped(args):
        try:
            os.kill(os.getpid(), number)
            time.sleep(5)
        finally:
            cleaned.append(True)
        return 0

    monkeypatch.setattr(cli, "_models", works_until_stopped)
    before = signal.getsignal(number)
    assert main(["models", "list", "--registry", str(tmp_path)]) == 130 and cleaned == [True]
    assert "已中断" in capsys.readouterr().err and signal.getsignal(number) is before


@pytest.mark.parametrize("stopped_at", [0, 1])
def test_an_interrupted_tagging_says_in_chinese_whether_its_finished_chunks_are_kept(monkeypatch, capsys, tmp_path,
                                                                                     stopped_at):
    # A helper's pass (h3): Ctrl-C in `tag --jobs 2` was said as "consumer-nlp: 已中断：interrupted; finished chunks are
    # kept in …/.out.csv.parts. Run the same command with --resume to go on", the way on in English alone.
    from consumer_nlp.tagging import _run

    tag = _run._tag_chunk

    def stopped(index, *args, **options):
        if index == stopped_at:
            raise KeyboardInterrupt
        return tag(index, *args, **options)

    monkeypatch.setattr(_run, "_tag_chunk", stopped)
    source = tmp_path / "in.csv"
    source.write_text("id,text\n" + "".join(f"{i},第{i:02d}号秤不准\n" for i in range(6)), encoding="utf-8")
    output = tmp_path / "out.csv"
    assert main(["tag", str(source), "-o", str(output), "--jobs", "1", "--chunk-size", "2", "-q"]) == 130
    said, english = capsys.readouterr().err.strip().splitlines()[-2:]
    if stopped_at:
        assert said == "consumer-nlp: 已中断。已标注完的部分都保留着，用同样的命令加 --resume 接着运行。"
        assert english.strip().startswith("interrupted; finished chunks are kept in") and "--resume" in english
    else:
        assert said == "consumer-nlp: 已中断。还没有标注完任何一块，什么也没有保留。"
        assert english.strip() == "interrupted before any chunk was finished; nothing was kept"


def test_a_command_started_under_nohup_keeps_ignoring_sighup(monkeypatch, tmp_path):
    # nohup sets SIGHUP to ignored before it starts the command, which was started to outlive its terminal.
    import os
    import signal

    from consumer_nlp import cli

    def hung_up(args):
        os.kill(os.getpid(), signal.SIGHUP)
        return 0

    monkeypatch.setattr(cli, "_models", hung_up)
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        assert main(["models", "list", "--registry", str(tmp_path)]) == 0
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)


def test_a_run_stopped_as_its_terminal_closes_ends_130_though_the_terminal_takes_no_more(tmp_path):
    # After a hangup, writing to the terminal fails (EIO): the 已中断 line raised OSError on the way out, and the
    # command ended with exit code 1 instead of 130. The child writes to a pty whose other end it closes mid-run.
    script = ("import os, pty, signal, sys\n"
              "from consumer_nlp import cli\n"
              "from consumer_nlp.tagging import _run\n"
              "terminal, its_end = pty.openpty()\n"
              "os.dup2(its_end, 1)\n"
              "os.dup2(its_end, 2)\n"
              "tag = _run._tag_chunk\n"
              "def hung_up(index, *args, **options):\n"
              "    if index == 1:\n"
              "        os.close(terminal)  # the terminal closed: what is written to it fails with EIO\n"
              "        signal.raise_signal(signal.SIGHUP)\n"
              "    return tag(index, *args, **options)\n"
              "_run._tag_chunk = hung_up\n"
              "sys.exit(cli.main(sys.argv[1:]))\n")
    source = tmp_path / "in.csv"
    source.write_text("id,text\n" + "".join(f"{n},手机屏幕坏了第{n}次\n" for n in range(30)), encoding="utf-8")
    output = tmp_path / "out.csv"
    run = subprocess.run([sys.executable, "-c", script, "tag", str(source), "-o", str(output), "--jobs", "1",
                          "--chunk-size", "5"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 130, run
    spool = tmp_path / ".out.csv.parts"
    assert sorted(p.name for p in tmp_path.iterdir()) == [spool.name, "in.csv"], "the lock and working copies gone"
    assert sorted(p.name for p in spool.glob("0*.json")) == ["0000000.json", "0000001.json"]
    resumed = subprocess.run([sys.executable, "-m", "consumer_nlp", "tag", str(source), "-o", str(output), "--jobs",
                              "1", "--chunk-size", "5", "-q", "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0 and len(pd.read_csv(output)) == 30, resumed.stderr


def test_models_compare_takes_any_model_evaluate_takes_and_names_the_rows_that_differ_in_chinese(
        tmp_path, capsys, small_model, write_csv):
    # "default" and model files were "no model named …": only registry references were read. And the rows that
    # differ were placed `line 3 (data row 2)` under `where`, beside categories spelt `other` and `safety`.
    cn.save(small_model, tmp_path / "mine.cnlp")
    data = write_csv(tmp_path / "h.csv", [("text", "label"), ("秤不准，少了二两", "price_measurement"),
                                          ("天气不错", "other")])
    assert main(["models", "compare", "default", str(tmp_path / "mine.cnlp"), str(data),
                 "--registry", str(tmp_path / "r")]) == 0
    figures, differ = capsys.readouterr().out.split("两个模型判断不同的 1 条：\n")
    assert "宏平均 F1" in figures
    # The share sent to review was 0.500 here and 50.0% in evaluate's figures (helper h3): a share, said as one.
    shares = next(line for line in figures.splitlines() if line.startswith("送复核比例")).split()[1:]
    assert all(re.fullmatch(r"\d+\.\d%", share) for share in shares), shares
    head, row = differ.splitlines()
    assert head.split() == ["位置", "投诉内容", "标注类别", "default", str(tmp_path / "mine.cnlp")], head
    assert row.split() == ["第", "3", "行", "天气不错", "其他", "其他", "安全问题"], row


def test_models_compare_show_0_says_how_many_differ_and_lists_none(tmp_path, capsys, small_model, write_csv):
    # --show 0 printed 两个模型判断不同的 1 条： over a table of column names and no row.
    cn.save(small_model, tmp_path / "mine.cnlp")
    data = write_csv(tmp_path / "h.csv", [("text", "label"), ("秤不准，少了二两", "price_measurement"),
                                          ("天气不错", "other")])
    assert main(["models", "compare", "default", str(tmp_path / "mine.cnlp"), str(data), "--show", "0",
                 "--registry", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("两个模型判断不同的 1 条。"), out
    assert "位置" not in out and "投诉内容" not in out


def test_models_compare_reads_the_labeled_data_as_evaluate_does(tmp_path, capsys, small_model, write_workbook):
    # It had no --sheet, --header-row, --text-col, --label-col nor --encoding: a workbook of two sheets or
    # a 类别 column could not be compared, and the errors named flags the command refused.
    cn.save(small_model, tmp_path / "mine.cnlp")
    rows = [["2025年复核抽样"], ["投诉内容", "类别"], ["秤不准，少了二两", "价格/计量"], ["面包里有头发", "安全问题"]]
    write_workbook(tmp_path / "h.xlsx", {"说明": [["见第二张表"]], "抽样": rows})
    assert main(["models", "compare", "default", str(tmp_path / "mine.cnlp"), str(tmp_path / "h.xlsx"),
                 "--sheet", "抽样", "--header-row", "2", "--label-col", "类别", "--text-col", "投诉内容",
                 "--registry", str(tmp_path / "r")]) == 0
    assert "宏平均 F1" in capsys.readouterr().out
    assert main(["models", "compare", "default", str(tmp_path / "mine.cnlp"), str(tmp_path / "h.xlsx"),
                 "--registry", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "--sheet" in err and "sheet=" not in err


def test_labeled_data_with_a_bad_row_on_every_line_is_told_in_a_screen_not_a_line_each(tmp_path, capsys, write_csv):
    # --label-col naming the wrong column of 94,200 rows printed 24 MB, a line each, "listed one by one"
    # above them scrolled out of sight; the error itself still holds every one.
    rows = [("text", "label", "src")] + [(f"第{i}条，东西坏了", "quality", "热线") for i in range(500)]
    source = write_csv(tmp_path / "l.csv", rows)
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--label-col", "src"]) == 2
    err = capsys.readouterr().err
    assert "500 处问题" in err and "前 20 处" in err and "400 more" in err
    assert len(err.splitlines()) < 130 and "row 101:" in err and "row 102:" not in err
    with pytest.raises(cn.LabeledDataError) as error:
        cn.read_labeled(source, label_col="src")
    assert len(error.value.problems) == 500


def test_evaluate_with_the_data_and_the_model_swapped_says_so(tmp_path, capsys, small_model, write_csv,
                                                               monkeypatch):
    # `evaluate h.csv mine.cnlp` said "a file 'h.csv' is in this folder: give it as ./h.csv to load it", and
    # doing so was "模型文件已损坏": no model file is named without .cnlp.
    monkeypatch.chdir(tmp_path)
    cn.save(small_model, tmp_path / "mine.cnlp")
    write_csv(tmp_path / "h.csv", [("text", "label"), ("秤不准，少了二两", "price_measurement")])
    assert main(["evaluate", "h.csv", "mine.cnlp", "--registry", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "./h.csv" not in err and ".cnlp" in err and "'h.csv'" in err


def test_a_model_file_given_as_the_data_is_said_to_be_a_model_file(tmp_path, capsys, small_model):
    # A helper's pass (n2): `evaluate m.cnlp m.cnlp` was told 不认识 .cnlp 这种文件…请另存为 CSV 或 Excel 工作簿.
    model = cn.save(small_model, tmp_path / "m.cnlp")
    for argv in (["evaluate", str(model), str(model)], ["tag", str(model), "-o", str(tmp_path / "o.csv"), "-q"]):
        assert main([*argv, "--registry", str(tmp_path / "r")] if argv[0] == "evaluate" else argv) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert "是模型文件（.cnlp），不是数据文件" in first and "另存为" not in first and "不认识" not in first, first
    with pytest.raises(cn.ArchiveError, match=r"m\.cnlp is a model file, not data") as refused:
        cn.read_labeled(model)
    assert refused.value.problem == "unknown_format" and refused.value.details["model"] is True


def test_train_refuses_a_model_file_name_load_would_not_read_as_a_file(tmp_path, capsys, write_csv):
    # `-o 模型.csv` wrote a zip named .csv, which `--model 模型.csv` then read as a registry name.
    source = write_csv(tmp_path / "l.csv", [("text", "label"), ("漏水", "quality")])
    assert main(["train", str(source), "-o", str(tmp_path / "模型.csv"), "--cv", "0"]) == 2
    assert ".cnlp" in capsys.readouterr().err and not (tmp_path / "模型.csv").exists()


def test_a_group_column_of_one_value_is_named_by_its_flag(tmp_path, capsys, write_csv):
    rows = [(f"{w}条，东西坏了", "quality") for w in "甲乙丙丁戊己"] + [(f"{w}条，年费乱扣", "financial") for w in "甲乙丙丁戊己"]
    source = write_csv(tmp_path / "l.csv", [("text", "label", "src"), *[(t, lab, "门店") for t, lab in rows]])
    assert main(["train", str(source), "-o", str(tmp_path / "m.cnlp"), "--cv", "0", "--group-col", "src"]) == 2
    err = capsys.readouterr().err
    assert "--group-col" in err and "group_col=" not in err  # (the file's folder is named after the test)


def test_an_archive_problem_says_in_chinese_how_to_go_on_with_this_commands_flags(tmp_path, capsys, write_workbook):
    # How to go on was said only in the English particulars ("pass --bad-rows FILE", "sheet=NAME"), which a
    # desk reading Chinese skips; and each command has its own flags (report has no --bad-rows).
    (tmp_path / "open.csv").write_text('投诉内容\n"漏水\n', encoding="utf-8")
    write_workbook(tmp_path / "two.xlsx", {"一月": [["投诉内容"], ["漏水"]], "二月": [["投诉内容"], ["冒烟"]]})
    (tmp_path / "gbk.csv").write_bytes("投诉内容\n水龙头漏水\n".encode("gb18030"))
    (tmp_path / "dup.csv").write_text("投诉内容,投诉内容\n漏水,冒烟\n", encoding="utf-8")
    cases = [(["tag", "open.csv", "-o", "o1.csv"], "请修正这一行后再运行，或用 --bad-rows 把无法解析的行另存到一个文件、其余照常处理"),
             (["report", "open.csv", "-o", "r.html"], "请修正这一行后再运行。"),
             (["tag", "two.xlsx", "-o", "o2.csv"], "请用 --sheet 指定要读的一张（名称或序号）"),
             (["tag", "gbk.csv", "-o", "o3.csv", "--encoding", "utf-8"],  # read rightly without it
              "请去掉 --encoding utf-8 后再运行（不用 --encoding 时自动识别编码，这个文件读作 GB18030）"),
             (["tag", "dup.csv", "-o", "o4.csv"], "请把重名的列改名后再运行。")]
    for argv, says in cases:
        argv = [argv[0], str(tmp_path / argv[1]), argv[2], str(tmp_path / argv[3]), *argv[4:]]
        assert main(argv + ["-q"] if argv[0] == "tag" else argv) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert says in first, (argv, first)
        assert argv[0] == "tag" or "--bad-rows" not in first  # a flag of tag only


def test_an_unknown_encoding_is_said_in_chinese_by_evaluate_and_tag(tmp_path, capsys):
    # `evaluate default 评估.csv --encoding ANSI` said only 没有完成（原因在下面，是英文的…）above the English.
    source = tmp_path / "a.csv"
    source.write_text("投诉内容,类别\n水龙头漏水,质量问题\n", encoding="utf-8")
    for argv in (["evaluate", "default", str(source)], ["tag", str(source), "-o", str(tmp_path / "o.csv"), "-q"]):
        assert main(argv + ["--encoding", "ANSI"]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert first.startswith("consumer-nlp: 错误：不认识编码「ANSI」。请改用 --encoding utf-8"), first
    assert not (tmp_path / "o.csv").exists()


def test_files_a_desk_gives_by_mistake_are_said_in_chinese_with_how_to_go_on(tmp_path, capsys, write_workbook):
    # An empty file, a sheet named that the workbook lacks, a header row past the file's end, a file named .xlsx that
    # is no workbook: each a plain ValueError, said only in English under 没有完成（原因在下面，是英文的…）.
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "short.csv").write_text("投诉内容\n漏水\n", encoding="utf-8")
    write_workbook(tmp_path / "one.xlsx", {"一月": [["投诉内容"], ["漏水"]]})
    (tmp_path / "fake.xlsx").write_text("投诉内容\n漏水\n", encoding="utf-8")
    (tmp_path / "a.doc").write_text("投诉内容\n漏水\n", encoding="utf-8")
    cases = [(["empty.csv"], "文件是空的，连列名那一行也没有。请检查是否选错了文件"),
             (["short.csv", "--header-row", "9"], "文件只有 2 行，没有第 9 行。请用 --header-row 指定列名所在的行"),
             (["one.xlsx", "--sheet", "二月"], "工作簿里没有名为「二月」的表（有：一月）。请用 --sheet 指定其中一张"),
             (["fake.xlsx"], "文件不是 Excel 工作簿（.xlsx）"),
             (["a.doc"], "不认识 .doc 这种文件：能读的是 ")]
    for argv, says in cases:
        assert main(["tag", str(tmp_path / argv[0]), "-o", str(tmp_path / "o.csv"), "-q", *argv[1:]]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert says in first, (argv, first)


def test_a_count_out_of_range_is_said_in_chinese_by_its_flag(tmp_path, capsys):
    # --jobs 0 or --header-row 0 were said in English alone under 没有完成（原因在下面，是英文的…）.
    (tmp_path / "a.csv").write_text("投诉内容\n漏水\n", encoding="utf-8")
    cases = [(["--jobs", "0"], "--jobs 的值应是不小于 1 的整数，「0」不行"),
             (["--header-row", "0"], "--header-row 的值应是不小于 1 的整数，「0」不行"),
             (["--chunk-size", "-5"], "--chunk-size 的值应是不小于 1 的整数，「-5」不行")]
    for flags, says in cases:
        assert main(["tag", str(tmp_path / "a.csv"), "-o", str(tmp_path / "o.csv"), "-q", *flags]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert says in first and "请改正后再运行" in first, (flags, first)


# Each case: files to write ({name: rows}, a CSV each; a folder name ending in / is made as an earlier run's
# checkpoint), the command, and what its Chinese first line says (the flag a desk uses to go on among it).
_DESK_ERRORS = {
    "too few examples for the folds": (
        {"l.csv": [("text", "label"), *[(f"{w}条，东西坏了", "quality") for w in "甲乙丙丁戊己庚辛壬"],
                   ("秤不准，少了二两", "price_measurement"), ("秤不准，少了三两", "price_measurement"),
                   ("秤不准，少了一两", "price_measurement")]},  # three: the fit on all would do (--cv 0)
        ["train", "l.csv", "-o", "m.cnlp"],
        ["做 5 折交叉验证，每个类别至少要 4 条例子", "价格/计量（price_measurement）只有 3 条", "--cv 0"]),
    "fewer texts than folds": (
        {"l.csv": [("text", "label"), *[(f"{w}条，东西坏了", "quality") for w in "甲乙丙丁"],
                   *[(f"{w}条，年费乱扣", "financial") for w in "甲乙丙丁"]]},
        ["train", "l.csv", "-o", "m.cnlp", "--cv", "9"],
        ["做 9 折交叉验证至少要 9 条文本，只有 8 条", "--cv"]),
    "a group column of one value": (
        {"l.csv": [("text", "label", "src"), *[(f"{w}条，东西坏了", "quality", "门店") for w in "甲乙丙丁戊己"],
                   *[(f"{w}条，年费乱扣", "financial", "门店") for w in "甲乙丙丁戊己"]]},
        ["train", "l.csv", "-o", "m.cnlp", "--cv", "0", "--group-col", "src"],
        ["「src」列只有一个值（门店）", "--group-col"]),
    "a model name the registry refuses": (
        {}, ["train", "l.csv", "--name", "投诉/x"], ["模型名称「投诉/x」不能用", "--name"]),
    "the built-in model's name": ({}, ["train", "l.csv", "--name", "default"], ["「default」是内置模型的名称", "--name"]),
    "an alias the registry refuses": (
        {}, ["train", "l.csv", "--name", "desk", "--alias", "3"], ["别名「3」不能用", "--alias"]),
    "a file that review export did not write": (
        {"a.csv": [("投诉内容", "category"), ("漏水", "quality")]}, ["review", "import", "a.csv"],
        ["这个文件不是用 review export 导出的复核表", "请用 consumer-nlp review export"]),
    "a review workbook saved as CSV": (
        {"复核.csv": [("序号", "原文件行号", "投诉内容", "更正为"), ("1", "2", "漏水", "安全问题")]},
        ["review", "import", "复核.csv"], ["不是能读的 .xlsx 工作簿", "另存为 .xlsx"]),
    "an earlier run's finished chunks, its manifest lost": (  # (the unfinished line: test_resume.py)
        {"a.csv": [("投诉内容",), ("漏水",)], ".a.tagged.csv.parts/": []}, ["tag", "a.csv", "-q"],
        ["上次中断时已完成的部分不能接着用", "--restart"]),
    "a missing label column": (
        {"l.csv": [("text", "备注"), ("漏水", "无")]}, ["train", "l.csv", "-o", "m.cnlp"],
        ["标注数据的表头有问题，没有使用", "找不到类别所在的列", "--label-col"]),
    "a column named that is missing": (
        {"l.csv": [("text", "label"), ("漏水", "quality")]}, ["train", "l.csv", "-o", "m.cnlp", "--text-col", "正文"],
        ["没有「正文」列（列名有：text、label）", "--text-col"]),
    "a label column holding no labels": (
        {"l.csv": [("text", "类别"), ("漏水", "商品"), ("冒烟", "服务"), ("乱扣费", "商品")]},
        ["train", "l.csv", "-o", "m.cnlp"], ["「类别」列按列名当作类别列，但它填的不是类别", "--label-col"]),
    "a label column left empty": (  # it said 它填的不是类别, and --label-col 类别 then that no row had a label
        {"l.csv": [("投诉内容", "类别"), ("漏水", ""), ("冒烟", " ")]}, ["evaluate", "default", "l.csv"],
        ["「类别」列按列名当作类别列，但它一行也没有填", "请给各行填上类别", "--label-col"]),
    "a title above the column names": (
        {"l.csv": [("2025年标注表",), ("投诉内容", "类别"), ("漏水", "质量问题")]}, ["train", "l.csv", "-o", "m.cnlp"],
        ["标注数据的表头有问题", "请用 --header-row 2 指定列名所在的行"]),
    "one column for texts and labels": (
        {"l.csv": [("内容", "label"), ("漏水", "quality")]},
        ["train", "l.csv", "-o", "m.cnlp", "--text-col", "内容", "--label-col", "内容"],
        ["文本和类别指的是同一列「内容」", "--text-col", "--label-col"]),
    "--by naming the text column": (
        {"l.csv": [("投诉内容", "label", "渠道"), ("漏水", "quality", "热线")]}, ["evaluate", "default", "l.csv", "--by", "投诉内容"],
        ["--by 指的是投诉文本所在的「投诉内容」列", "每条投诉会自成一组", "请用 --by 指定"]),
    "--group-col naming the text column": (
        {"l.csv": [("投诉内容", "label"), *[(f"{w}条，东西坏了", "quality") for w in "甲乙丙丁戊己庚辛"],
                   *[(f"{w}条，年费乱扣", "financial") for w in "甲乙丙丁戊己庚辛"]]},
        ["train", "l.csv", "-o", "m.cnlp", "--cv", "0", "--group-col", "投诉内容"],
        ["--group-col 指的是投诉文本所在的「投诉内容」列", "每条投诉会自成一组", "请用 --group-col 指定"]),
    "an output named .xlsm": (
        {"a.csv": [("投诉内容",), ("漏水",)]}, ["tag", "a.csv", "-o", "o.xlsm", "-q"],
        ["不能写成 .xlsm（.xls 和 .xlsm 只能读）", ".xlsx", "请用 --output"]),
    "an output named .xls": (
        {"a.csv": [("投诉内容",), ("漏水",)]}, ["tag", "a.csv", "-o", "o.xls", "-q"],
        ["不能写成 .xls（", ".csv、", "请用 --output"]),
    "an output without an extension": (
        {"a.csv": [("投诉内容",), ("漏水",)]}, ["tag", "a.csv", "-o", "结果", "-q"],
        ["输出文件名没有扩展名：应以 .csv、", ".parquet", "请用 --output"]),
    "an output named - for the terminal": (  # told only to give an extension, not that tag writes no terminal output
        {"a.csv": [("投诉内容",), ("漏水",)]}, ["tag", "a.csv", "-o", "-", "-q"],
        ["输出文件名是「-」：标注结果只写成文件，不输出到终端", "如 结果.xlsx", "请用 --output"]),
    "a negative --show": (  # --show -1 listed all the rows that differ but the last, -500 the first of 516
        {}, ["models", "compare", "default", "default", "l.csv", "--show", "-1"],
        ["--show 的值应是不小于 0 的整数，「-1」不行"]),
    "a bad-rows file named as the output": (
        {"a.csv": [("投诉内容",), ("漏水",)]}, ["tag", "a.csv", "-o", "o.csv", "--bad-rows", "o.csv", "-q"],
        ["存放无法解析的行的文件就是输出文件", "请用 --bad-rows"]),
    "a bad-rows file not named .csv or .xlsx": (
        {"a.csv": [("投诉内容",), ("漏水",)]}, ["tag", "a.csv", "--bad-rows", "坏行.txt", "-q"],
        ["存放无法解析的行的文件名应以 .csv 或 .xlsx 结尾", "请用 --bad-rows"]),
    "a report named for no format it writes": (
        {}, ["evaluate", "default", "l.csv", "--report", "评估.pdf"], ["应以 .html 或 .htm 结尾", "请用 --report"]),
    "one fold of cross-validation": (
        {}, ["train", "l.csv", "-o", "m.cnlp", "--cv", "1"], ["--cv 的值应是 0 或不小于 2 的整数，「1」不行"]),
    "groups that leave a fold too little to calibrate on": (
        {"l.csv": [("text", "label", "src"), *[(f"{w}条，东西坏了", "quality", "门店") for w in "甲乙丙丁戊"],
                   *[(f"{w}条，年费乱扣", "financial", "门店") for w in "甲乙丙丁戊"],
                   ("又一条，东西坏了", "quality", "热线"), ("又一条，年费乱扣", "financial", "热线")]},
        ["train", "l.csv", "-o", "m.cnlp", "--cv", "0", "--group-col", "src"],
        ["按「src」列留出「门店」一组，只剩 2 条文本可学", "不够校准置信度", "--group-col"]),
    "groups that split the labels": (
        {"l.csv": [("text", "label", "src"), *[(f"{w}条，东西坏了", "quality", "门店") for w in "甲乙丙丁戊"],
                   *[(f"{w}条，年费乱扣", "financial", "热线") for w in "甲乙丙丁戊"]]},
        ["train", "l.csv", "-o", "m.cnlp", "--cv", "0", "--group-col", "src"],
        ["「src」列的各组把类别分开了", "--group-col"]),
    "review export with a model that did not tag the file": (
        {"a.tagged.csv": [("投诉内容", "needs_review", "confidence"), ("买的热水器漏水，修了三次还漏", "True", "0.1234")]},
        ["review", "export", "a.tagged.csv"],
        ["文件里的置信度不是这个模型算出的", "请用 --model 指定标注它时用的模型", "consumer-nlp tag"]),
    "a lookup of a name no model can have": (
        {}, ["models", "show", "投诉/x"], ["没有这样的模型名称「投诉/x」", "consumer-nlp models list"]),
    "an output naming a folder": (
        {"a.csv": [("投诉内容",), ("漏水",)], "结果/": []}, ["tag", "a.csv", "-o", "结果", "-q"],
        ["输出文件是一个文件夹", "请用 --output 给出文件名", "a.tagged.csv"]),
    "a bad-rows file naming a folder": (
        {"a.csv": [("投诉内容",), ("漏水",)], "坏行/": []}, ["tag", "a.csv", "--bad-rows", "坏行", "-q"],
        ["存放无法解析的行的文件是一个文件夹", "请用 --bad-rows 给出文件名"]),
    "a folder to tag": (
        {"档案/": []}, ["tag", "档案", "-q"], ["要标注的是一个文件夹", "一次标注一个文件"]),
    "resume and restart at once": (
        {"a.csv": [("投诉内容",), ("漏水",)]}, ["tag", "a.csv", "--resume", "--restart", "-q"],
        ["--resume", "--restart", "只能用其中一个"]),
    "calibration data holding training texts": (
        {"c.csv": [("text", "label"), ("漏水", "quality")],
         "l.csv": [("text", "label"), ("漏水", "quality"), ("冰箱不制冷", "quality"), ("屏幕坏了", "quality"),
                   ("秤不准", "price_measurement"), ("缺斤少两", "price_measurement"), ("多收钱", "price_measurement")]},
        ["train", "l.csv", "-o", "m.cnlp", "--cv", "0", "--calibration-data", "c.csv"],
        ["校准数据里有 1 条文本也在训练数据里（如「漏水」）", "--calibration-data"]),
    "labeled data of a header alone": (
        {"e.csv": [("text", "label")]}, ["train", "e.csv", "-o", "m.cnlp"], ["标注数据里没有一行填了类别的文本", "没有训练"]),
    "data to evaluate on without a label": (
        {"u.csv": [("text", "label"), ("漏水", "")]}, ["evaluate", "default", "u.csv"],
        ["标注数据里没有一行填了类别的文本", "没有评估"]),
    "labeled data of one label": (
        {"q.csv": [("text", "label"), ("漏水", "quality"), ("冒烟", "quality"), ("秤不准", "quality")]},
        ["train", "q.csv", "-o", "m.cnlp", "--cv", "0"],
        ["3 行都是「质量问题」（quality）", "只有一个类别", "没有训练", "请补充其他类别的例子", "--label-col"]),
    "a label of fewer than three examples, without cross-validation": (
        {"l.csv": [("text", "label"), *[(f"{w}条，东西坏了", "quality") for w in "甲乙丙丁"],
                   ("年费乱扣", "financial"), ("又一条，年费乱扣", "financial")]},
        ["train", "l.csv", "-o", "m.cnlp", "--cv", "0"],
        ["每个类别至少要 3 条例子才能训练", "金融服务（financial）只有 2 条", "没有训练", "请给这些类别补充例子后再运行"]),
    "labels written as numbers": (
        {"n.csv": [("text", "label"), *((f"第{i}条投诉", str(i % 6 + 1)) for i in range(30))]},
        ["evaluate", "default", "n.csv"],
        ["「label」列填的是数字（1、2、3、4、5、6，共 30 行）", "数字不代表类别", "质量问题（quality）", "编码表", "不能按顺序猜"]),
    "labels written as numbers beside a column of labels": (
        {"n.csv": [("投诉内容", "类别", "结论"), *((f"第{i}条投诉", str(i % 6 + 1), "其他") for i in range(30))]},
        ["train", "n.csv", "-o", "m.cnlp"], ["「类别」列填的是数字", "请用 --label-col 结论 指定类别所在的列"]),
}


@pytest.mark.parametrize("case", list(_DESK_ERRORS))
def test_errors_a_desk_meets_are_said_in_chinese_with_the_flag_to_go_on(tmp_path, capsys, monkeypatch, write_csv,
                                                                        case):
    # Each was a plain ValueError (or labeled data's `header` particulars), said only in English under
    # 没有完成（原因在下面，是英文的…） (or 标注数据有 1 处问题); an output's name refused was told as a file read, and a
    # lookup's bad name was told to be chosen otherwise (请换一个模型名称), as a name to save under is.
    files, argv, says = _DESK_ERRORS[case]
    monkeypatch.chdir(tmp_path)  # (names without an extension are the folder's too)
    write_csv(tmp_path / "l.csv", [("text", "label"), ("漏水", "quality")])
    for name, rows in files.items():
        if name.endswith("/"):  # an earlier run's checkpoint: one finished chunk
            (tmp_path / name).mkdir()
            (tmp_path / name / "0000000.json").write_text("{}", encoding="utf-8")
        else:
            write_csv(tmp_path / name, rows)
    argv = [str(tmp_path / word) if word.endswith((".csv", ".cnlp")) else word for word in argv]
    assert main([*argv, "--registry", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.splitlines()  # (notes of the training data may come first)
    at = next(i for i, line in enumerate(err) if line.startswith("consumer-nlp: 错误："))
    first, english = err[at], err[at + 1:]
    assert "没有完成（原因在下面" not in first, first
    assert all(said in first for said in says), (says, first)
    assert english and re.search(r"[a-z]+ [a-z]+ [a-z]+", english[0]), english  # the library's English below

def test_a_deletion_the_registry_refuses_is_said_in_chinese_with_how_to_go_on(tmp_path, capsys, small_model):
    # `models delete desk` (no version) and a deletion of the version an alias points at were said in English alone,
    # under 没有完成（原因在下面，是英文的…）.
    registry = cn.ModelRegistry(tmp_path / "reg")
    registry.set_alias("desk", registry.save(small_model, "desk"), "production")
    cases = [("desk", ["没有写明要删除哪个版本", "desk@1 是最新版本", "请写成 desk@版本号"]),
             ("desk@1", ["desk@1 有别名 production 指向它", "consumer-nlp models alias", "consumer-nlp models unalias"])]
    for ref, says in cases:
        assert main(["models", "delete", ref, "--registry", str(tmp_path / "reg")]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert "没有完成（原因在下面" not in first and all(said in first for said in says), (ref, first)
    assert registry.versions("desk")  # nothing deleted


def test_no_text_column_is_said_in_chinese_with_the_flag_that_names_it(tmp_path, capsys, write_workbook):
    # The commonest stop at a desk (a title row above the column names, or a text column of another name)
    # was said in English alone: "cannot tell which column holds the complaint text …".
    write_workbook(tmp_path / "title.xlsx", {"投诉": [["2025年3月消费投诉登记表"], ["编号", "投诉内容"], ["1", "漏水"]]})
    (tmp_path / "other.csv").write_text("编号,客户原话\n1,漏水\n", encoding="utf-8")
    (tmp_path / "title.csv").write_text('"2026年投诉汇总\n（第一季度）"\n编号,投诉内容\n1,漏水\n', encoding="utf-8")
    cases = [(["title.xlsx"], "第 2 行像是列名（含「投诉内容」）。请用 --header-row 2 指定列名所在的行后再运行"),
             (["title.csv"], "第 2 行像是列名（含「投诉内容」）。请用 --header-row 2 指定列名所在的行后再运行"),
             (["other.csv"], "找不到投诉文本所在的列（列名有：编号、客户原话）。请用 --text-col 指定它"),
             (["other.csv", "--text-col", "内容x"], "没有名为「内容x」的列（列名有：编号、客户原话）")]
    for argv, says in cases:
        assert main(["tag", str(tmp_path / argv[0]), "-o", str(tmp_path / "o.csv"), "-q", *argv[1:]]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert says in first, (argv, first)
    assert main(["tag", str(tmp_path / "other.csv"), "-q", "--text-col", "客户原话"]) == 0
    assert main(["tag", str(tmp_path / "title.csv"), "-q", "--header-row", "2"]) == 0


def test_a_text_column_named_with_a_note_is_tagged_without_text_col(tmp_path, capsys):
    # 投诉内容（必填） was 找不到投诉文本所在的列 … 请用 --text-col 指定它: a known name with a form's note after it.
    (tmp_path / "form.csv").write_text("编号,投诉内容（必填）,处理结果\n1,冰箱买回来三天就不制冷了,已退\n", encoding="utf-8")
    assert main(["tag", str(tmp_path / "form.csv"), "-o", str(tmp_path / "o.csv"), "-q"]) == 0, capsys.readouterr().err
    tagged = pd.read_csv(tmp_path / "o.csv", dtype=str)
    assert tagged["投诉内容（必填）"].tolist() == ["冰箱买回来三天就不制冷了"] and tagged["category"].notna().all()


def test_a_title_above_the_names_of_a_semicolon_csv_points_to_the_names_row(tmp_path, capsys):
    # A European Excel's CSV with a title padded with semicolons above its names was told only 「请用 --text-col 指定」
    # and 「列名有：投诉汇总」: the rows under the title, set aside as wider than it, were looked through for names split
    # at commas and tabs, not at semicolons, as a comma CSV's are.
    (tmp_path / "eu.csv").write_bytes("投诉汇总;;\r\n编号;投诉内容;金额\r\n1;漏水;12,5\r\n".encode("utf-8-sig"))
    assert main(["tag", str(tmp_path / "eu.csv"), "-o", str(tmp_path / "o.csv"), "-q"]) == 2
    assert "第 2 行像是列名（含「投诉内容」）。请用 --header-row 2" in capsys.readouterr().err.splitlines()[0]
    assert main(["tag", str(tmp_path / "eu.csv"), "-o", str(tmp_path / "o.csv"), "-q", "--header-row", "2"]) == 0


@pytest.fixture(scope="module")
def tagged_run(tmp_path_factory, small_model, small_corpus):
    """A labeled file, a model file and a tagged archive of 30 rows, made once for the tests below."""
    folder = tmp_path_factory.mktemp("inputs")
    texts, labels = small_corpus
    with open(folder / "labeled.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([("text", "label"), *zip(texts, labels)])
    with open(folder / "a.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([("id", "text"), *((str(i), t) for i, t in enumerate(texts[:30]))])
    model = cn.save_model(small_model, folder / "m.cnlp")
    assert main(["tag", str(folder / "a.csv"), "-o", str(folder / "a.tagged.csv"), "--model", str(model), "-q"]) == 0
    return folder


@pytest.mark.parametrize("name", ["report.html", "report.xlsx", "report.md", "model.cnlp", "evaluation.html",
                                  "review.xlsx", "aliases.json", "tagged.csv", "bad.csv"])
def test_every_file_written_through_a_working_copy_sweeps_the_copies_killed_writers_left(tmp_path, tagged_run,
                                                                                       small_model, name):
    # kill -9 (or a power cut) while a report or a review workbook was written left its hidden working copy
    # beside it for good; only model files swept theirs. A tagging run's output and bad-rows file, killed as the
    # parts were joined, left theirs under a fixed name until a run to the same output wrote over it.
    import os
    import time

    inputs = tagged_run
    out = tmp_path / name
    command = {"report.html": ["report", str(inputs / "a.tagged.csv"), "-q", "-o", str(out)],
               "report.xlsx": ["report", str(inputs / "a.tagged.csv"), "-q", "-o", str(out)],
               "report.md": ["report", str(inputs / "a.tagged.csv"), "-q", "-o", str(out)],
               "model.cnlp": ["train", str(inputs / "labeled.csv"), "--cv", "0", "-o", str(out)],
               "evaluation.html": ["evaluate", str(inputs / "m.cnlp"), str(inputs / "labeled.csv"), "--report", str(out)],
               "review.xlsx": ["review", "export", str(inputs / "a.tagged.csv"), "--model", str(inputs / "m.cnlp"),
                               "-o", str(out)],
               "aliases.json": ["models", "alias", "desk@1", "production", "--registry", str(tmp_path / "r")],
               "tagged.csv": ["tag", str(inputs / "a.csv"), "-o", str(out), "--model", str(inputs / "m.cnlp"), "-q"],
               "bad.csv": ["tag", str(inputs / "a.csv"), "-o", str(tmp_path / "t.csv"), "--bad-rows", str(out),
                           "--model", str(inputs / "m.cnlp"), "-q"]}[name]
    if name == "aliases.json":
        cn.ModelRegistry(tmp_path / "r").save(small_model, "desk")
        out = tmp_path / "r" / "desk" / name
    suffix = out.suffix
    stale = out.with_name(f".{name}.0badc0de{suffix}")  # as a killed writer leaves it: hidden, random, its extension
    fresh = out.with_name(f".{name}.5a5a5a5a{suffix}")  # written to since the command took the output's lock
    other = out.with_name(f".{name}.parts")  # a tagging run's checkpoints: no working copy
    if name == "tagged.csv":  # (where this run keeps its own) another name that is none: no extension
        other = out.with_name(f".{name}.0badc0de")
    for planted in (stale, fresh, other):
        planted.write_bytes(b"half written")
    hours_ago = time.time() - 2 * 3600
    for old in (stale, other):
        os.utime(old, (hours_ago, hours_ago))
    # every writer locks its output (a live one's copy is never swept: it is refused): only a copy written to since
    # the command took the lock is kept
    minute_on = time.time() + 60
    os.utime(fresh, (minute_on, minute_on))
    assert main(command) == 0
    assert out.is_file() and out.read_bytes() != b"half written"
    assert not stale.exists(), "the copy a killed writer left an hour ago and more is removed"
    assert fresh.read_bytes() == b"half written" and other.read_bytes() == b"half written"  # kept


@pytest.mark.parametrize("name", ["report.xlsx", "model.cnlp", "evaluation.html", "review.xlsx", "tagged.csv",
                                  "bad.csv"])
def test_every_command_writing_a_file_another_writer_holds_is_refused_before_its_work_in_one_line(
        tmp_path, tagged_run, writing_elsewhere, capsys, name):
    # Only tagging took the output lock: a report, an export, a model or an evaluation written to the name another
    # writer was at work on went on unaware of it (and a tagging run's sweep could remove its working copy). The
    # bad-rows file's line named -o, not --bad-rows.
    inputs, out = tagged_run, tmp_path / name
    command, flag = {
        "report.xlsx": (["report", str(inputs / "a.tagged.csv"), "-q", "-o", str(out)], "--output"),
        "model.cnlp": (["train", str(inputs / "labeled.csv"), "--cv", "0", "-o", str(out)], "--output"),
        "evaluation.html": (["evaluate", str(inputs / "m.cnlp"), str(inputs / "labeled.csv"), "--report", str(out)],
                            "--report"),
        "review.xlsx": (["review", "export", str(inputs / "a.tagged.csv"), "--model", str(inputs / "m.cnlp"), "-o",
                         str(out)], "--output"),
        "tagged.csv": (["tag", str(inputs / "a.csv"), "-o", str(out), "--model", str(inputs / "m.cnlp"), "-q"],
                       "--output"),
        "bad.csv": (["tag", str(inputs / "a.csv"), "-o", str(tmp_path / "t.csv"), "--bad-rows", str(out), "--model",
                     str(inputs / "m.cnlp"), "-q"], "--bad-rows")}[name]
    capsys.readouterr()
    with writing_elsewhere(out):
        assert main(command) == 2
    said, err = capsys.readouterr()
    assert said == ""  # refused before its work (a report's summary, an evaluation's figures are printed after it)
    assert err.splitlines()[0] == f"consumer-nlp: 错误：另一次运行正在写同一个结果文件。请等那次运行结束，或用 {flag} 写到别的文件。"
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, no lock left behind
    assert main(command) == 0 and out.is_file()


def test_a_partly_labeled_file_is_evaluated_on_its_labeled_rows_and_said_in_chinese_first(tmp_path, small_corpus,
                                                                                        capsys, write_csv):
    # 700 unlabeled rows of 1,000 gave "标注数据有 700 处问题，没有使用" and 100 lines of "the label is empty".
    pairs = list(zip(*small_corpus))[::4]
    rows = [row for pair in pairs for row in (pair, (pair[0] + "，还没有标注", ""))]
    source = write_csv(tmp_path / "part.csv", [("text", "label"), *rows])
    assert main(["evaluate", "default", str(source)]) == 0
    out, err = capsys.readouterr()
    assert f"（{len(pairs)} 条）" in out
    err = err.splitlines()
    said = err.index(f"注意：标注数据里有 {len(pairs)} 行没有填类别，没有计入评估（第 3 行、第 5 行、"
                     f"第 7 行、第 9 行、第 11 行、…）。")
    assert err[said + 1].startswith(f"  {source}: {len(pairs)} row(s) without a label were left out of the evaluation")
    mostly = write_csv(tmp_path / "mostly.csv", [("text", "label"), *pairs[:10], *((t + "。", "") for t, _ in pairs)])
    assert main(["train", str(mostly), "-o", str(tmp_path / "m.cnlp")]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first == (f"consumer-nlp: 错误：「label」列只有 10 行填了类别，{len(pairs)} 行没有填，没有训练。这一列若没有选错，"
                     f"请删去没有类别的行（或给它们填上类别）后再运行；否则请用 --label-col 指定类别所在的列。")
    assert not (tmp_path / "m.cnlp").exists()


def test_evaluate_by_a_column_the_file_lacks_names_the_by_flag(tmp_path, capsys, write_csv):
    # The Chinese line said 请用 group_col=… 指定文本出处所在的列: a Python parameter evaluate's command line has not,
    # for a column asked for with --by.
    source = write_csv(tmp_path / "l.csv", [("text", "label"), ("秤不准", "price_measurement"), ("漏水", "quality")])
    assert main(["evaluate", "default", str(source), "--by", "渠道"]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first == ("consumer-nlp: 错误：标注数据的表头有问题，没有使用：没有「渠道」列（列名有：text、label）。请用 --by 指定"
                     "分组依据所在的列后再运行。")

def test_evaluate_names_the_version_a_reference_resolved_to(tmp_path, capsys, small_model, small_corpus, write_csv):
    # `evaluate desk@production` headed its figures and report with desk@production alone: two reports months apart
    # could not tell which version each measured.
    registry, where = _registry_of(tmp_path, small_model, "desk", "desk")
    registry.set_alias("desk", 1, "production")
    source = write_csv(tmp_path / "eval.csv", [("text", "label"), *list(zip(*small_corpus))[::8]])
    report = tmp_path / "评估.html"
    assert main(["evaluate", "desk@production", str(source), "--report", str(report), *where]) == 0
    assert capsys.readouterr().out.startswith("模型 desk@production（即 desk@1） 在 ")
    assert "desk@production（即 desk@1）" in report.read_text(encoding="utf-8")
    assert main(["evaluate", "desk", str(source), *where]) == 0
    assert capsys.readouterr().out.startswith("模型 desk（即 desk@2） 在 ")
    assert main(["evaluate", "desk@2", str(source), *where]) == 0
    assert capsys.readouterr().out.startswith("模型 desk@2 在 ")
    assert main(["models", "compare", "desk@production", "desk", str(source), *where]) == 0
    assert capsys.readouterr().out.splitlines()[0].split() == ["desk@production（即", "desk@1）", "desk（即", "desk@2）"]


def test_evaluate_against_a_tagged_files_own_tags_says_so_in_chinese_first(tmp_path, capsys, small_corpus, write_csv):
    archive = write_csv(tmp_path / "archive.csv", [("投诉内容",), *((t,) for t in small_corpus[0][::8])])
    assert main(["tag", str(archive), "-q"]) == 0
    capsys.readouterr()
    assert main(["evaluate", "default", str(tmp_path / "archive.tagged.csv"), "--label-col", "category_zh"]) == 0
    err = capsys.readouterr().err.splitlines()
    said = err.index("注意：类别列「category_zh」是标注结果列，即模型给出的类别（人工改过的行除外）：这些指标只说明模型与它们有多一致"
                     "（若正是这个模型标注的，就是与自己一致），不说明它分得对不对；请用人工标注的列评估。")
    assert err[said + 1].endswith("are the tags a model wrote, except where a person corrected them: the figures say "
                                  "how well the model agrees with them (with itself, if it tagged the file), not how "
                                  "right it is")


# An example of each problem the library names (exceptions.py's PROBLEMS), with the details it carries, and the
# command a desk meets it in. A kind added to PROBLEMS without an example here fails the test below.
ARCHIVE_PROBLEMS = {
    "encoding": ("tag", {}), "unknown_encoding": ("tag", {"given": "ANSI"}),
    "unparseable_row": ("tag", {"line": 3, "format": "csv", "fault": "quote_left_open"}),
    "duplicate_columns": ("tag", {"columns": ["投诉内容"]}), "unnamed_columns": ("tag", {"columns": ["3"]}),
    "several_sheets": ("tag", {"sheets": ["一月", "二月"]}), "misnamed": ("tag", {"rename": ".xlsx"}),
    "json_document": ("tag", {}), "password": ("tag", {}), "uncalculated_formula": ("tag", {"cell": "B2"}),
    "giant_cell": ("tag", {"part": "xl/sharedStrings.xml"}),
    "giant_row": ("tag", {"part": "xl/worksheets/sheet1.xml", "megabytes": 2}),
    "overpacked": ("tag", {"part": "xl/sharedStrings.xml", "megabytes": 900, "ratio": 1000}),
    "needs_memory": ("tag", {"megabytes": 1024}),
    "needs_time": ("tag", {"seconds": 30}),
    "too_many_keys": ("tag", {"line": 7}), "already_tagged": ("tag", {"columns": ["confidence"]}),
    "not_tagged": ("report", {"columns": ["category"]}), "no_text_column": ("tag", {"columns": ["编号", "客户原话"]}),
    "no_column": ("report", {"wanted": "区域", "columns": ["区县", "投诉内容"]}),
    "tag_values": ("report", {"column": "category", "rows": [(7, "")]}), "no_rows": ("report", {}),
    "text_bytes": ("tag", {"column": "投诉内容", "rows": [(18, "b'\\xff\\xfe'")], "index": False}),
    "beyond_excel": ("tag", {}), "busy": ("tag", {}), "previous_is_itself": ("report", {}),
    "output_is_input": ("tag", {}), "no_folder": ("tag", {}), "output_name": ("report", {"endings": [".html", ".md"]}),
    "empty": ("tag", {"rows": 0, "header_row": 1}), "no_sheet": ("tag", {"sheet": "二月", "sheets": ["一月"]}),
    "no_data": ("tag", {"sheets": ["Sheet1"]}), "chart_sheet": ("report", {"sheet": "图", "sheets": ["数据"]}),
    "not_a_workbook": ("tag", {"format": "xlsx"}), "not_parquet": ("tag", {"empty": False}),
    "unknown_format": ("tag", {"suffix": ".doc", "formats": [".csv"]}),
    "not_review_workbook": ("report", {"sheets": ["Sheet1"]}),
    "same_output": ("tag", {"parameters": ["bad_rows_path", "output_path"]}),
    "other_model": ("tag", {"row": 5, "written": 0.9, "computed": 0.6, "differ": 3, "rows": 4}),
    "folder": ("tag", {"parameter": "output_path", "example": "结果/a.tagged.csv"}),
    "not_for_format": ("tag", {"parameter": "sheet", "format": "csv"}),
    "blank_header_row": ("tag", {"header_row": 5, "filled": [1, 2, 6], "sheet": "投诉"}),
}
LABELED_PROBLEMS = {"categories_as_texts": {"column": "类型"},
                    "few_texts": {"column": "渠道", "rows": 240, "different": 8},
                    "mostly_unlabeled": {"column": "label", "labeled": 3, "unlabeled": 40}, None: {},
                    "few_examples": {"cv": 5, "needed": 4, "short": {"safety": 2}, "texts": 40},
                    "one_group": {"column": "来源", "values": ["门店"]},
                    "few_to_calibrate": {"column": "来源", "held": ["门店", "热线", "网站", "信函"], "left": 3},
                    "groups_split_labels": {"column": "来源"},
                    "header": {"columns": ["编号", "备注"], "missing": {"text_col": "text"}, "no_label_column": True},
                    "calibration_trained": {"texts": 3, "example": "漏水"},
                    "calibration_labels": {"labels": {"financial": 2}},
                    "no_labeled_rows": {"use": "training", "unlabeled": 0, "column": "label"},
                    "one_label": {"label": "quality", "rows": 40, "column": "label"},
                    "numbered_labels": {"column": "label", "rows": 40, "labeled": 40, "different": 3,
                                        "numbers": ["1", "2", "3"]}}
REVIEW_PROBLEMS = {"not_a_category": [(4, "质量")], "no_text": [3], "sorted_apart": [2, 5], "guess_changed": [2],
                   "hidden_changed": [6], "export_time_changed": [(3, "上周五")], "row_export_time_changed": [4]}
CHECKPOINT_PROBLEMS = {"cannot_resume": {}, "unfinished": {"chunks": 3}, "resume_and_restart": {}}
NAME_PROBLEMS = {"characters": {"name": "投诉/x", "parameter": "name"},
                 "builtin": {"name": "default", "parameter": "name"},
                 "model_file": {"name": "v1.cnlp", "parameter": "name", "suffix": ".cnlp"},
                 "windows": {"name": "con", "parameter": "name"}, "digits": {"name": "3", "parameter": "alias"},
                 "no_version": {"name": "desk", "latest": 3, "parameter": "ref"},
                 "in_use": {"name": "desk", "version": 3, "aliases": ["production"], "parameter": "ref"}}


def _errors_a_desk_meets():
    """(command, error) for each problem kind and each other error of exceptions.py, as the library raises them."""
    from consumer_nlp import exceptions

    assert set(ARCHIVE_PROBLEMS) == set(exceptions.ArchiveError.PROBLEMS), "a problem kind without its example"
    assert set(LABELED_PROBLEMS) == {None, *exceptions.LabeledDataError.PROBLEMS}, "a problem kind without its example"
    for kind, (command, details) in ARCHIVE_PROBLEMS.items():
        yield command, exceptions.ArchiveError(f"a.csv: the {kind} problem", kind, **details)
    for kind, details in LABELED_PROBLEMS.items():
        yield "train", exceptions.LabeledDataError("l.csv", [("line 3 (data row 2)", "the label is empty")], kind,
                                                   **details)
    assert set(REVIEW_PROBLEMS) == set(exceptions.ReviewWorkbookError.PROBLEMS), "a problem kind without its example"
    for kind, rows in REVIEW_PROBLEMS.items():
        yield "train", exceptions.ReviewWorkbookError(f"q.xlsx: nothing was stored; the {kind} problem",
                                                      [(kind, {"rows": rows})])
    assert set(CHECKPOINT_PROBLEMS) == set(exceptions.CheckpointError.PROBLEMS), "a problem kind without its example"
    for kind, details in CHECKPOINT_PROBLEMS.items():
        yield "tag", exceptions.CheckpointError(f"the checkpoint's {kind} problem", kind, **details)
    assert set(NAME_PROBLEMS) == set(exceptions.InvalidNameError.PROBLEMS), "a problem kind without its example"
    for kind, details in NAME_PROBLEMS.items():
        yield "train", exceptions.InvalidNameError(f"invalid name: the {kind} problem", kind, **details)
    yield "tag", exceptions.InvalidNameError("no model name can be 'x/y'", "characters", name="x/y", parameter="name",
                                             lookup=True)
    others = [exceptions.ModelNotFoundError("no model named 'desk'"), exceptions.UntrustedModelError("m.cnlp: bad"),
              exceptions.IncompatibleModelError("m.cnlp: newer"), exceptions.IntegrityError("m.cnlp: checksum")]
    assert {type(error) for error in others} | {exceptions.ArchiveError, exceptions.LabeledDataError,
                                                 exceptions.ReviewWorkbookError, exceptions.CheckpointError,
                                                 exceptions.InvalidNameError} == {
        value for value in vars(exceptions).values() if isinstance(value, type) and issubclass(value, Exception)
        and value.__module__ == exceptions.__name__}, "an error of exceptions.py without its example"
    yield from (("tag", error) for error in others)


@pytest.mark.parametrize("command, error", list(_errors_a_desk_meets()), ids=lambda x: getattr(x, "problem", None)
                         or type(x).__name__ if isinstance(x, Exception) else x)
def test_every_error_of_the_library_is_said_in_chinese_with_how_to_go_on(tmp_path, capsys, monkeypatch, command,
                                                                          error):
    # A kind the command line had no words for fell through to "无法读取这个文件。请检查这个文件" or to the English
    # message alone; models, checkpoints and labeled data's bad rows said what was wrong and not how to go on.
    import consumer_nlp._train
    import consumer_nlp.report
    import consumer_nlp.tagging

    def fails(*args, **options):
        raise error

    for module, function in [(consumer_nlp.tagging, "tag_file"), (consumer_nlp._train, "train"),
                             (consumer_nlp.report, "report_archive")]:
        monkeypatch.setattr(module, function, fails)
    source = tmp_path / "a.csv"
    source.write_text("text,label\n漏水,quality\n", encoding="utf-8")
    out = {"tag": str(tmp_path / "o.csv"), "train": str(tmp_path / "m.cnlp"), "report": str(tmp_path / "r.html")}
    assert main([command, str(source), "-o", out[command]]) == 2
    said = capsys.readouterr().err
    chinese = said.split(str(error).splitlines()[0])[0]  # what comes before the library's own message
    assert chinese.startswith("consumer-nlp: 错误：") and "请" in chinese, said
    assert "无法读取这个文件" not in chinese and "请检查这个文件" not in chinese, said


def test_a_json_key_holding_a_broken_emoji_is_a_bad_row_named_by_its_line(tmp_path, capsys):
    # A helper's pass (n6): a key written with a lone surrogate escape ("备注\ud83d", an emoji cut in half) stopped the
    # run with 文件的编码无法识别，请用 --encoding 指定, which no encoding mends: pandas cannot hold such a column name.
    # The record is now a bad row named by its line; with --bad-rows the others are tagged and it is kept aside whole.
    source = tmp_path / "in.jsonl"
    broken = '{"text": "秤不准", "备注\\ud83d": 1}'
    source.write_text(f'{{"text": "手机坏了", "备注": 2}}\n{broken}\n{{"text": "漏水"}}\n', encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q"]) == 2
    said = capsys.readouterr().err
    assert "文件第 2 行" in said and "编码" not in said and not (tmp_path / "out.csv").exists()
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "--bad-rows", str(tmp_path / "bad.csv"),
                 "-q"]) == 0
    assert [(r["text"], r["备注"]) for r in read_rows(tmp_path / "out.csv")] == [("手机坏了", "2"), ("漏水", "")]
    assert [r["raw"] for r in read_rows(tmp_path / "bad.csv")] == [broken]


def test_a_file_named_parquet_that_is_not_a_whole_parquet_file_is_said_so_before_any_output(tmp_path, capsys):
    # A helper's pass (n6): a CSV named .parquet, an empty file and a Parquet file cut short (a copy that did not end)
    # stopped with 没有完成（原因在下面，是英文的…） and Arrow's "Parquet magic bytes not found in footer".
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["手机坏了"] * 50}), tmp_path / "whole.parquet")
    inputs = {"csv.parquet": "id,text\n1,手机坏了\n".encode(), "empty.parquet": b"",
              "cut.parquet": (tmp_path / "whole.parquet").read_bytes()[:-20]}
    for name, content in inputs.items():
        (tmp_path / name).write_bytes(content)
        assert main(["tag", str(tmp_path / name), "-o", str(tmp_path / "out.csv"), "-q"]) == 2, name
        said = capsys.readouterr().err
        assert "英文" not in said and not (tmp_path / "out.csv").exists(), name
        assert ("把扩展名改为 .csv" in said) if name == "csv.parquet" else ("不是完整的 Parquet 文件" in said), said


def test_a_json_lines_file_without_one_object_names_its_first_line_not_the_text_column(tmp_path, capsys):
    # A helper's pass (n6): lines that are arrays, or Python's dicts in single quotes, left no key to read, and the
    # desk was told 找不到投诉文本所在的列（列名有：）…请用 --text-col 指定它, which no flag mends.
    for content in ('["手机坏了", 1]\n["漏水", 2]\n', "{'text': '手机坏了'}\n{'text': '漏水'}\n"):
        (tmp_path / "in.jsonl").write_text(content, encoding="utf-8")
        assert main(["tag", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.csv"), "-q"]) == 2
        said = capsys.readouterr().err
        assert "文件第 1 行格式有误（不是一个完整的 JSON 对象）" in said and "--text-col" not in said, said
        assert "--bad-rows" not in said, said  # which would set every row aside
        assert not (tmp_path / "out.csv").exists()


def test_a_json_lines_key_given_twice_is_named_not_said_to_be_an_incomplete_object(tmp_path, capsys):
    # An adversarial pass (z4): a record holding "text" twice (an export joining two fields under one name) was said
    # 文件第 2 行格式有误（不是一个完整的 JSON 对象）, though the line is a whole object: the desk found nothing to fix.
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "秤不准"}\n{"text": "屏幕坏了", "编号": 7, "text": "要退货"}\n', encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q"]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert "文件第 2 行格式有误（键「text」出现了不止一次" in first and "不完整" not in first, first
    bad_rows = ["--bad-rows", str(tmp_path / "bad.csv")]
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q", *bad_rows]) == 0
    (bad,) = read_rows(tmp_path / "bad.csv")
    assert bad["位置"] == "文件第 2 行" and "键「text」出现了不止一次" in bad["原因"], bad
    assert "given more than once" in bad["reason"]


def test_a_json_lines_key_given_twice_inside_a_value_names_the_object_that_gives_it(tmp_path, capsys):
    # An adversarial pass (a3): a key given twice inside a value ({"商品": {"名称": …, "名称": …}}) was said 键「名称」出现了
    # 不止一次，一行只能保留一个值, though the row holds one value of 商品 and other objects of the line give 名称 once
    # each, rightly: the desk could not tell which 名称 to mend. It is refused still (one of its values would be lost).
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "秤不准", "商家": {"名称": "甲"}, "商品": {"名称": "秤", "名称": "电子秤"}}\n'
                      '{"text": "屏幕坏了", "附件": [{"名": 1}, {"名": 1, "名": 2}]}\n'
                      '{"text": "漏水", "text": "要退货"}\n'
                      '{"text": "缺斤少两", "商品": {"名称": "秤", "名称": "电子秤"},\n'  # cut short after it
                      '[{"text": "虚假宣传", "text": "退款"}]\n', encoding="utf-8")
    bad_rows = ["--bad-rows", str(tmp_path / "bad.csv")]
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q", *bad_rows]) == 0
    first, second, third, cut, array = read_rows(tmp_path / "bad.csv")
    assert "「商品」里的键「名称」出现了不止一次，同一个对象只能保留一个值" in first["原因"], first
    assert "「附件」第 2 项里的键「名」出现了不止一次" in second["原因"], second
    assert "键「text」出现了不止一次，一行只能保留一个值" in third["原因"], third
    assert "in the object at 商品" in first["reason"] and "in the object at 附件[1]" in second["reason"], second
    assert cut["原因"] == array["原因"] == "不是一个完整的 JSON 对象", (cut, array)

def test_a_json_lines_key_given_twice_under_an_escape_says_how_the_line_writes_it(tmp_path, capsys, small_model):
    # An adversarial pass (a3): {"投诉": …, "\u6295\u8bc9": …} (a record joined from an export escaping non-ASCII and
    # one not) was said 键「投诉」出现了不止一次, though a desk searching the line for 投诉 finds it once.
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "秤不准"}\n{"投诉": "秤不准", "\\u6295\\u8bc9": "缺斤少两"}\n'
                      '{"text": "漏水", "\\u0074ext": "要退货"}\n'
                      '{"text": "屏幕坏了", "text": "要退货"}\n', encoding="utf-8")
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q", "--text-col", "text"]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert "键「投诉」出现了不止一次" in first and "「\\u6295\\u8bc9」" in first, first
    bad_rows = ["--bad-rows", str(tmp_path / "bad.csv")]
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q", "--text-col", "text", *bad_rows]) == 0
    chinese, english, plain = read_rows(tmp_path / "bad.csv")
    assert "转义" in chinese["原因"] and "「\\u6295\\u8bc9」" in chinese["原因"], chinese
    assert "转义" in english["原因"] and "「\\u0074ext」" in english["原因"], english
    assert "\\u0074ext" in english["reason"] and "escape" in english["reason"], english
    assert "转义" not in plain["原因"] and "escape" not in plain["reason"], plain
    with pytest.raises(cn.ArchiveError) as refused:
        cn.tag_file(small_model, source, tmp_path / "out2.csv", text_col="text", progress=False)
    assert refused.value.details["escaped"] == ["\\u6295\\u8bc9"], refused.value.details


def test_a_json_lines_file_without_a_record_is_said_to_be_empty_not_to_lack_a_text_column(tmp_path, capsys):
    # A helper's pass (n6): blank lines only, or records all {}, were told 找不到投诉文本所在的列（列名有：）…请用
    # --text-col 指定它, which no flag mends; an empty CSV's words (连列名那一行也没有) speak of a header row.
    for content, says in (("\n\n  \n", "文件里没有一条记录（只有空行）"), ("", "文件是空的，没有一条记录"),
                          ("{}\n\n{}\n", "文件里的 2 条记录都是空的 {}，没有一个键")):
        (tmp_path / "in.jsonl").write_text(content, encoding="utf-8")
        assert main(["tag", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.csv"), "-q"]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert says in first and "请检查是否选错了文件" in first, (content, first)
        assert "--text-col" not in first and "列名" not in first, first
        assert not (tmp_path / "out.csv").exists()
    from consumer_nlp.io import open_archive

    with pytest.raises(cn.ArchiveError, match=r"no record with a key") as refused:
        for _ in open_archive(tmp_path / "in.jsonl").chunks():
            pass
    assert refused.value.problem == "empty"


def test_the_column_names_again_in_labeled_data_are_said_as_such_with_their_row(tmp_path, capsys, write_workbook):
    # Two labeled files pasted one under the other, the second's header row with them, were told
    # 类别「类别」不是六个类别之一 (an unknown label), as if the desk had misspelt a category in that row.
    rows = [("投诉内容", "类别"), ("热水器漏水，修了三次还漏", "质量问题"), ("秤不准，少了二两", "价格/计量"),
            ("投诉内容", "类别"), ("信用卡年费乱扣", "金融服务")]
    write_workbook(tmp_path / "l.xlsx", {"标注": rows})
    for argv in (["evaluate", "default"], ["train", "--cv", "0", "-o", str(tmp_path / "m.cnlp")]):
        assert main([*argv, str(tmp_path / "l.xlsx"), "--registry", str(tmp_path / "r")]) == 2
        err = capsys.readouterr().err
        assert "第 4 行：这一行又是列名（「投诉内容」「类别」）" in err and "删去这一行" in err, err
        assert "不是六个类别之一" not in err, err
    with pytest.raises(cn.LabeledDataError, match=r"row 4: the row repeats the column names") as refused:
        cn.read_labeled(tmp_path / "l.xlsx")
    assert refused.value.faults == [("names_row", {"text": "投诉内容", "label": "类别"})]


def test_a_sheet_or_header_row_for_a_file_without_them_is_said_in_chinese(tmp_path, capsys, write_csv):
    # `evaluate default l.csv --sheet 2` (and `--header-row 2` for a .jsonl) were said in English alone, under
    # 没有完成（原因在下面，是英文的…）, in `train`, `evaluate` and `tag` alike.
    write_csv(tmp_path / "l.csv", [("text", "label"), ("漏水", "quality")])
    (tmp_path / "l.jsonl").write_text('{"text": "漏水", "label": "quality"}\n', encoding="utf-8")
    cases = [(["evaluate", "default", "l.csv", "--sheet", "2"], ["CSV 文件不是 Excel 工作簿，没有可选的表", "请去掉 --sheet"]),
             (["train", "l.jsonl", "-o", "m.cnlp", "--header-row", "2"],
              ["JSONL 文件没有列名所在的行可选", "请去掉 --header-row"]),
             (["tag", "l.csv", "--sheet", "数据", "-q"], ["CSV 文件不是 Excel 工作簿", "请去掉 --sheet"])]
    for argv, says in cases:
        argv = [str(tmp_path / word) if word.startswith("l.") or word.endswith(".cnlp") else word for word in argv]
        assert main([*argv, "--registry", str(tmp_path / "r")]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert all(said in first for said in says), (argv, first)
    with pytest.raises(cn.ArchiveError) as refused:
        cn.read_labeled(tmp_path / "l.csv", sheet=2)
    assert refused.value.problem == "not_for_format"
    assert refused.value.details == {"parameter": "sheet", "format": "csv"}


def test_labeled_data_given_as_a_folder_is_said_to_be_one(tmp_path, capsys):
    # `evaluate default 标注` and `train 标注 -o m.cnlp`, 标注 a folder of labeled files, were told 找不到文件 (no such
    # file): the desk, who sees the folder there, was sent to check its name.
    (tmp_path / "标注").mkdir()
    for argv in (["evaluate", "default", str(tmp_path / "标注")], ["train", str(tmp_path / "标注"), "-o",
                                                                    str(tmp_path / "m.cnlp")]):
        assert main([*argv, "--registry", str(tmp_path / "r")]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert "标注数据是一个文件夹，不是文件" in first and "请给出文件夹里的那个标注文件" in first, (argv, first)
    with pytest.raises(cn.ArchiveError) as refused:
        cn.read_labeled(tmp_path / "标注")
    assert refused.value.problem == "folder" and refused.value.details == {"parameter": "data"}


def test_the_data_given_where_the_model_goes_is_said_to_be_so(tmp_path, capsys, monkeypatch, write_csv):
    # `evaluate 标注.csv default` (the two swapped) was told 找不到模型。请用 consumer-nlp models list 查看…, though the
    # library knew the file was data given where the model goes (said in English only, below).
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "标注.csv", [("text", "label"), ("漏水", "quality")])
    assert main(["evaluate", "标注.csv", "default", "--registry", str(tmp_path / "r")]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert "「标注.csv」是数据文件，不是模型" in first and "模型写在前面，数据写在后面" in first, first


def test_the_closing_summary_names_the_text_column_tagged_and_the_encoding_read(tmp_path, capsys):
    # A GB18030 export of the old 12315 system, with two columns of text: the summary said neither which column was
    # tagged nor how the file was read, so a desk could not check that 诉求内容, not 办理结果, was read, and read right.
    source = tmp_path / "旧系统.csv"
    source.write_bytes("登记号,诉求内容,办理结果\n1,秤不准少了二两,已调解\n2,信用卡乱扣年费,转办\n".encode("gb18030"))
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "-q"]) == 0
    assert "  按「诉求内容」列标注（文件编码：GB18030）" in capsys.readouterr().err.splitlines()
    book = tmp_path / "导出.xlsx"
    pd.DataFrame({"受理编号": ["1"], "投诉内容": ["漏水"], "处理结果": ["已调解"]}).to_excel(book, index=False)
    assert main(["tag", str(book), "-o", str(tmp_path / "out.xlsx"), "-q"]) == 0
    assert "  按「投诉内容」列标注" in capsys.readouterr().err.splitlines()  # a workbook has no encoding to say


@pytest.mark.parametrize("kind", ["csv", "tsv", "jsonl", "parquet"])
def test_the_closing_summary_of_an_output_without_header_notes_says_what_the_added_columns_hold(tmp_path, capsys,
                                                                                                 kind):
    # A tagged CSV (opened in Excel), TSV, JSON Lines or Parquet file has category … top_terms named in English, with
    # confidence 0.9995 and needs_review TRUE, and nothing said what they hold: only an .xlsx's header cells carry a
    # note. The summary now says it in a line, and where each is said at length; the file holds no more than before.
    source = tmp_path / "in.csv"
    source.write_text("编号,投诉内容\n1,秤不准少了二两\n2,\n", encoding="utf-8")
    out = tmp_path / f"out.{kind}"
    assert main(["tag", str(source), "-o", str(out), "-q"]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("  新增的列：")]
    assert len(said) == 1
    assert all(f"{column} " in said[0] for column in cn.io.TAG_COLUMNS)
    assert "99.95%" in said[0] and "TRUE" in said[0] and "不是概率" in said[0]
    assert ("各字段的元数据（description）" if kind == "parquet" else "请写成 .xlsx（-o 文件名.xlsx）") in said[0]
    frame = pd.concat(chunk.rows for chunk in cn.io.open_archive(out).chunks())
    assert list(frame.columns) == ["编号", "投诉内容", *cn.io.TAG_COLUMNS] and len(frame) == 2
    assert main(["tag", str(source), "-o", str(tmp_path / "out.xlsx"), "-q"]) == 0  # its header cells say it
    assert "新增的列" not in capsys.readouterr().err


@pytest.mark.parametrize("name", ["a.xlsx", "a.xls", "a.csv"])
@pytest.mark.parametrize("command", ["tag", "train"])
def test_a_header_row_on_a_blank_row_is_said_with_the_rows_that_hold_something(tmp_path, capsys, write_sheet_or_csv,
                                                                               name, command):
    # --header-row 5 on a blank row past the data (formatting running on) was told 找不到投诉文本所在的列（列名有：）
    # by tag and 没有「text」列 …（列名有：） by train, naming no column, where the row is blank.
    rows = [["投诉内容"], ["漏水"], [], [], [], ["合计"]]
    path = write_sheet_or_csv(tmp_path / name, rows)
    out = tmp_path / ("o.csv" if command == "tag" else "m.cnlp")
    assert main([command, str(path), "-o", str(out), "--header-row", "5"] + (["-q"] if command == "tag" else [])) == 2
    first = capsys.readouterr().err.splitlines()[0]
    where = "工作表「投诉」" if name != "a.csv" else "文件"
    assert f"{where}第 5 行是空行，没有列名（有内容的是第 1、2、6 行）。请用 --header-row 指定列名所在的行" in first, first


@pytest.mark.parametrize("name", ["a.xlsx", "a.csv"])
def test_a_header_row_on_the_blank_row_under_a_title_points_to_the_names_below(tmp_path, capsys, write_workbook, name):
    # A blank header row is said as blank, and the row of names below it is pointed to, as a title above them is.
    rows = [["2025年投诉登记表"], [], ["text", "label"], ["漏水", "quality"]]
    path = tmp_path / name
    if name == "a.xlsx":
        write_workbook(path, {"投诉": rows})
    else:
        path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    assert main(["train", str(path), "-o", str(tmp_path / "m.cnlp"), "--header-row", "2"]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert "第 2 行是空行，没有列名；第 3 行像是列名（含「text」）。请用 --header-row 3 指定列名所在的行后再运行" in first, first


@pytest.mark.parametrize("name", ["a.xlsx", "a.csv"])
def test_a_title_and_a_blank_row_above_the_names_are_told_with_the_row_of_the_names(tmp_path, capsys, write_workbook,
                                                                                    name):
    # A CSV's title padded with commas (2026年1月投诉标注,,) over a blank line was refused as 表头的第 2、3 列没有列名,
    # naming no row, where the same workbook is told 第 3 行像是列名 and the flag that reads it.
    rows = [["2026年1月投诉标注", "", ""], ["", "", ""], ["编号", "投诉内容", "类别"], ["1", "漏水", "quality"]]
    path = tmp_path / name
    if name == "a.xlsx":
        write_workbook(path, {"投诉": rows})
    else:
        path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    for command, out in (("train", "m.cnlp"), ("tag", "o.csv")):
        assert main([command, str(path), "-o", str(tmp_path / out)]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert "第 3 行像是列名" in first and "请用 --header-row 3 指定列名所在的行" in first, (command, first)
    assert main(["tag", str(path), "-o", str(tmp_path / "o.csv"), "-q", "--header-row", "3"]) == 0


@pytest.mark.parametrize("command", ["tag", "train"])
def test_an_empty_sheet_or_a_row_past_the_sheet_is_said_of_the_sheet(tmp_path, capsys, write_workbook, command):
    # An empty sheet read with --header-row 3 was told 文件只有 0 行，没有第 3 行 and asked for another --header-row,
    # and a sheet's rows were said as the file's (文件只有 2 行).
    path = write_workbook(tmp_path / "a.xlsx", {"一月": [["text", "label"], ["漏水", "quality"]], "空表": []})
    out = tmp_path / ("o.csv" if command == "tag" else "m.cnlp")
    cases = [(["--sheet", "空表", "--header-row", "3"], "工作表「空表」是空的（有数据的表：一月）。请用 --sheet 指定有数据的表"),
             (["--sheet", "一月", "--header-row", "9"],
              "工作表「一月」只有 2 行，没有第 9 行。请用 --header-row 指定列名所在的行")]
    for flags, says in cases:
        argv = [command, str(path), "-o", str(out), *flags] + (["-q"] if command == "tag" else [])
        assert main(argv) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert says in first, (flags, first)


def test_serve_without_its_extra_says_in_chinese_to_install_it_from_this_folder_as_the_readme_does(monkeypatch,
                                                                                                  capsys):
    # A desk who installed with `pip install .` (the README's set-up) and ran `consumer-nlp serve` was told, under a
    # headline saying only that something is missing, `pip install 'consumer_nlp[web]'`: a name fetched from a package
    # index, not this clone, where the README says `pip install ".[web]"`. It now says that command, in Chinese.
    monkeypatch.setitem(sys.modules, "consumer_nlp.web", None)  # the web's libraries not installed
    assert main(["serve"]) == 2
    said = capsys.readouterr().err
    first = said.splitlines()[0]
    assert "网页界面" in first and 'pip install ".[web]"' in first and "源码" in first, said
    assert "consumer_nlp[web]" not in said


def test_version_is_said_for_a_desk_to_tell_support(capsys):
    # A failed command says 看不懂时请把这几行发给技术支持, but `consumer-nlp --version` (and `python -m consumer_nlp
    # --version`) was refused as 缺少要运行的命令: a desk could not say which release it runs.
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"consumer-nlp {cn.__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--version" in capsys.readouterr().out
