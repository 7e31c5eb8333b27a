import csv
import datetime
import json
import math
import os
import re
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook

from consumer_nlp import CATEGORIES
from consumer_nlp.exceptions import ArchiveError, CheckpointError
from consumer_nlp.io import XLSX_MAX_CELL, open_archive
from consumer_nlp.tagging import TAG_COLUMNS, tag_file

MESSY = [
    "", "   ", "=SUM(A1:A9)", 'he said "refund", then, nothing', "第一行\n第二行\n第三行", "😡" * 50, "漏水" * 5000,
    "NULL", "None", "nan", "0", "The fridge stopped cooling after two days", "电子秤少了二两，老板还不认",
]
ROWS = [{"id": f"R{i:03d}", "note": ["NULL", "", "0", "=1+1"][i % 4], "text": text} for i, text in enumerate(MESSY)]


def write_input(path, kind):
    frame = pd.DataFrame(ROWS)
    if kind == "gb18030.csv":
        frame.to_csv(path, index=False, encoding="gb18030")
    elif kind == "bom.csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    elif kind == "tsv":  # TSV has no quoting, so it cannot hold a line break or a tab in a cell
        frame[~frame["text"].str.contains("[\t\n]")].to_csv(path, index=False, sep="\t", encoding="utf-8",
                                                             quoting=csv.QUOTE_NONE)
    elif kind == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        for values in [list(ROWS[0])] + [list(r.values()) for r in ROWS]:
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"  # the text "=SUM(A1:A9)", not a formula
        workbook.save(path)
    elif kind == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    else:
        pq.write_table(pa.Table.from_pylist(ROWS), path)


def read_output(path):
    if path.suffix in (".csv", ".tsv"):
        with open(path, encoding="utf-8-sig", newline="") as f:
            if path.suffix == ".tsv":  # as Excel and pandas read it: a cell opening with a quote is quoted
                return list(csv.DictReader(f, delimiter="\t"))
            return list(csv.DictReader(f))
    if path.suffix == ".xlsx":
        sheet = load_workbook(path).worksheets[0]
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            for name, cell in zip(header, row):  # typed tags; user text always text, never a formula
                if cell.value is not None:
                    assert cell.data_type == {"confidence": "n", "needs_review": "b"}.get(name, cell.data_type)
                    assert cell.data_type != "f" and (cell.data_type == "s" or not isinstance(cell.value, str))
        rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
        return [dict(zip(rows[0], row)) for row in rows[1:]]
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return pq.read_table(path).to_pylist()


CASES = [("gb18030.csv", "in.csv"), ("bom.csv", "in.csv"), ("tsv", "in.tsv"), ("xlsx", "in.xlsx"),
         ("jsonl", "in.jsonl"), ("parquet", "in.parquet")]


@pytest.mark.parametrize("kind,name", CASES, ids=[k for k, _ in CASES])
def test_every_row_round_trips_in_order_with_values_unchanged(default_model, tmp_path, kind, name):
    source = tmp_path / name
    write_input(source, kind)
    output = tmp_path / ("out" + source.suffix)
    summary = tag_file(default_model, source, output, jobs=2, chunk_size=4, progress=False)
    rows = read_output(output)
    expected = [r for r in ROWS if kind != "tsv" or "\n" not in r["text"]]
    assert len(rows) == len(expected) and summary.rows_out == summary.rows_in == len(expected)
    for before, after in zip(expected, rows):
        assert {k: after[k] for k in before} == before
        assert set(TAG_COLUMNS) <= set(after)
        assert after["category_zh"] == CATEGORIES.get(after["category"], "")
    empty = [r for r in rows if not r["text"].strip()]
    assert len(empty) == 2 and all(str(r["needs_review"]).lower() == "true" and r["review_reason"] == "文本为空" for r in empty)
    assert not list(tmp_path.glob(".*parts")) and not list(tmp_path.glob("*.partial"))


def test_output_format_follows_the_extension(default_model, tmp_path):
    source = tmp_path / "in.csv"
    write_input(source, "bom.csv")
    for suffix in (".parquet", ".xlsx", ".jsonl"):
        rows = read_output(tag_file(default_model, source, tmp_path / f"out{suffix}", jobs=1, progress=False).output)
        assert [r["text"] for r in rows] == [r["text"] for r in ROWS]


def test_json_with_a_broken_emoji_is_tagged_and_kept(default_model, tmp_path):
    # "\\ud83d" alone (half an emoji, common in scraped posts) cannot be written as UTF-8
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "坏了\\ud83d退货"}\n{"id": 2, "text": "秤不准"}\n', encoding="utf-8")
    rows = read_output(tag_file(default_model, source, tmp_path / "out.jsonl", jobs=1, progress=False).output)
    assert [r["text"] for r in rows] == ["坏了\ud83d退货", "秤不准"]  # JSON to JSON: the same escape
    assert rows[0]["category"] == "quality"
    for suffix in (".csv", ".parquet", ".xlsx"):
        rows = read_output(tag_file(default_model, source, tmp_path / f"out{suffix}", jobs=1, progress=False).output)
        assert [r["text"] for r in rows] == ["坏了\ufffd退货", "秤不准"]  # elsewhere the replacement character


def test_a_broken_emoji_leaves_the_other_columns_of_its_chunk_as_they_were(default_model, tmp_path):
    # Replacing the half emoji once made pandas guess the column types again: 13800138000 -> 13800138000.0
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "phone": 13800138000, "text": "手机坏了"}\n{"id": 2, "text": "表情 \\ud83d"}\n'
                      '{"id": 3, "phone": 13900139000, "text": "快递慢"}\n', encoding="utf-8")
    result = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    with open(result.output, encoding="utf-8-sig", newline="") as f:
        assert [row["phone"] for row in csv.DictReader(f)] == ["13800138000", "", "13900139000"]


def test_a_parquet_index_written_by_pandas_comes_back_as_a_column(default_model, tmp_path):
    # pandas keeps an index as a column plus metadata; read with that metadata it became the frame's index
    # and was lost, while the header still named it, so every value sat under the wrong name.
    source = tmp_path / "in.parquet"
    pd.DataFrame({"id": ["C001", "C002"], "text": ["手机屏幕碎了", "快递三天没到"]}).set_index("id").to_parquet(source)
    rows = read_output(tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False).output)
    assert [(r["id"], r["text"]) for r in rows] == [("C001", "手机屏幕碎了"), ("C002", "快递三天没到")]


def test_a_time_of_day_cell_goes_out_as_the_time_it_shows(default_model, tmp_path, write_workbook):
    source = write_workbook(tmp_path / "in.xlsx", {"投诉": [["受理时间", "内容"], [datetime.time(13, 5), "手机屏幕碎了"]]})
    rows = read_output(tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False).output)
    assert rows[0]["受理时间"] == "13:05:00" and rows[0]["内容"] == "手机屏幕碎了"


def test_whole_numbers_beyond_a_double_keep_every_digit_in_a_workbook(default_model, tmp_path):
    # Excel stores numbers as doubles: 1876543210987654321 and ...322 both became 1.876543210987654e+18.
    source = tmp_path / "in.parquet"
    ids = [1876543210987654321, 1876543210987654322, 9007199254740992, 12345]
    pq.write_table(pa.table({"order_id": pa.array(ids, pa.int64()), "text": ["手机坏了", "退款难", "虚假宣传", "秤不准"]}),
                   source)
    result = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False)
    got = [row[0] for row in load_workbook(result.output).worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert got == ["1876543210987654321", "1876543210987654322", 9007199254740992, 12345]


def test_a_number_column_whole_in_one_chunk_and_decimal_in_another_joins_in_parquet(default_model, tmp_path):
    # Amounts are whole numbers in early rows and 12.5 later: the parts' types differed and the join
    # failed after the whole run was tagged, depending on where chunks happened to end.
    source = tmp_path / "in.jsonl"
    prices = [10, 20, 30, 10.5, 7, 8]
    source.write_text("".join(json.dumps({"id": i, "price": p, "text": "手机坏了"}) + "\n" for i, p in enumerate(prices)),
                      encoding="utf-8")
    result = tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False, chunk_size=3)
    assert pq.read_table(result.output).column("price").to_pylist() == prices


def test_a_tagged_parquet_archive_reads_back_in_pandas_and_dask_as_its_input_did(default_model, tmp_path):
    # The output carried the pandas metadata of the frames its parts were written from (Arrow-backed types):
    # with a categorical column (a dictionary) pd.read_parquet and dd.read_parquet failed on it ("data type
    # 'dictionary<values=string, indices=int32, ordered=0>[pyarrow]' not understood"), and the other columns
    # came back Arrow-backed, not as the input's did.
    frame = pd.DataFrame({"text": ["漏水", "秤不准", "外卖有头发"], "channel": pd.Categorical(["12315", "网站", "12315"]),
                          "amount": [1.5, None, 3.0], "n": [1, 2, 3]})
    frame.to_parquet(tmp_path / "in.parquet")
    tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.parquet", jobs=1, chunk_size=2, progress=False)
    back = pd.read_parquet(tmp_path / "out.parquet")
    pd.testing.assert_frame_equal(back[list(frame.columns)], pd.read_parquet(tmp_path / "in.parquet"))
    assert list(back["category"]) == [r["category"] for r in default_model.tag(list(frame["text"]))]
    dd = pytest.importorskip("dask.dataframe")
    pd.testing.assert_frame_equal(dd.read_parquet(tmp_path / "out.parquet").compute()[list(frame.columns)],
                                  dd.read_parquet(tmp_path / "in.parquet").compute())


@pytest.mark.parametrize("chunk_size", [1, 2, 5])
def test_blank_workbook_cells_among_dates_are_nulls_in_parquet(default_model, tmp_path, write_workbook, chunk_size):
    # Blank cells are read as "": among dates in one chunk they failed the part, and a chunk of blanks
    # alone failed the join after the whole run was tagged. A text column blank in a chunk stays "".
    day, later = datetime.datetime(2025, 1, 3), datetime.datetime(2025, 1, 5)
    source = write_workbook(tmp_path / "in.xlsx", {"投诉": [["日期", "备注", "投诉内容"], [day, None, "手机坏了"],
                                                           [None, None, "秤不准"], [None, "加急", "漏水"],
                                                           [later, None, "退款"]]})
    result = tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False, chunk_size=chunk_size)
    table = pq.read_table(result.output)
    assert table.column("日期").to_pylist() == [day, None, None, later]
    assert table.column("备注").to_pylist() == ["", "", "加急", ""]
    assert table.column("投诉内容").to_pylist() == ["手机坏了", "秤不准", "漏水", "退款"]
    assert pd.read_parquet(result.output)["日期"].tolist()[::3] == [pd.Timestamp(day), pd.Timestamp(later)]


def test_unparseable_rows_stop_the_run_naming_the_line(default_model, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("id,text\n1,好\n2,坏,多了一列\n3,\"多行\n文本\"\n4,又一列,多,了\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 3 cannot be parsed"):
        tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    bad_file = tmp_path / "bad_rows.csv"
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, bad_rows_path=bad_file)
    assert summary.bad_rows == 2 and summary.rows_out == 2 and summary.rows_in == 4
    bad = pd.read_csv(bad_file, encoding="utf-8-sig")
    assert list(bad["where"]) == ["row 3", "row 5 (line 6)"]  # as Excel shows the file, and the line for an editor
    assert [r["text"] for r in read_output(tmp_path / "out.csv")] == ["好", "多行\n文本"]


def test_a_bad_row_below_a_text_over_lines_is_named_by_its_row_as_excel_shows_it_and_its_line(default_model, tmp_path):
    # 文件第 4 行格式有误 sent a desk opening the file in Excel to row 4, a row too far: the text over two lines
    # above it is one row there. The row of column names was counted as Excel shows it, bad rows by file line.
    from consumer_nlp.messages import problem_in_chinese

    source = tmp_path / "bad.csv"
    source.write_text('id,text\n1,"两\n行"\n2,"没有收尾\n', encoding="utf-8")
    with pytest.raises(ArchiveError, match=re.escape("row 3 (line 4) cannot be parsed")) as stopped:
        tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert problem_in_chinese(stopped.value) == "第 3 行（文件第 4 行）格式有误（引号没有收尾）"
    assert stopped.value.details["line"] == 4 and stopped.value.details["row"] == 3


def test_the_bad_rows_file_says_each_place_and_why_in_chinese_after_its_english_columns(default_model, tmp_path):
    # A desk opening --bad-rows in Excel read only `line 3` and "2 fields where the header has 2"-like reasons;
    # then 原因 said every fault a CSV row can have (引号没有收尾、引号后还有文字或列数不对), not the row's own; then a
    # quote left open and text after a closing quote were told alike (引号没有收尾，或收尾的引号后面还有文字).
    source = tmp_path / "bad.csv"
    source.write_text('id,text\n1,好\n2,坏,多了一列\n3,"好"坏\n4,行\n5,"没有收尾\n6,行\n7,"第一行\n第二行"又有字\n'
                      '8,"到最后也没有收尾\n', encoding="utf-8")
    bad_file = tmp_path / "bad_rows.csv"
    tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, bad_rows_path=bad_file)
    bad = pd.read_csv(bad_file, encoding="utf-8-sig", dtype=str)
    assert list(bad.columns) == ["where", "reason", "raw", "位置", "原因"]  # a program's columns first, as before
    assert bad.values.tolist() == [
        ["row 3", "3 fields where the header has 2", "2,坏,多了一列", "第 3 行", "这一行有 3 列，表头有 2 列"],
        ["row 4", "a quote is left open or text follows a closing quote", '3,"好"坏', "第 4 行",
         "收尾的引号后面还有文字"],
        ["row 6", "a quote is left open or text follows a closing quote", '5,"没有收尾', "第 6 行",
         "引号没有收尾：只列出这一行，其后文件第 7 至 8 行已另行读入；若这是一段跨行的文字，它被拆开了，请核对"],
        ["row 8", "a quote is left open or text follows a closing quote", '7,"第一行\n第二行"又有字', "第 8 行",
         "收尾的引号后面还有文字"],
        # below a text over two lines: the row as Excel shows it, and the file's line for a text editor
        ["row 9 (line 10)", "a quote is left open or text follows a closing quote", '8,"到最后也没有收尾',
         "第 9 行（文件第 10 行）", "引号没有收尾"]]


@pytest.mark.parametrize("name, content, why", [
    ("q.csv", 'id,text\n1,"一\n2,x\n3,y\n4,z"\n', "这里开始的引号到文件第 5 行才收尾，而其后各行读来都像一行行记录："
     "已当作没有收尾的引号，只列出这一行，文件第 3 至 5 行已各按一行读入；若这是一段跨行的文字（如几行都以 1,200元 这样的金额开头），"
     "它被拆开了，请核对"),
    ("t.tsv", "id\ttext\n1\n", "这一行有 1 列，表头有 2 列"),
    ("j.jsonl", '{"text": "a"}\n{"text": "b",}\n', "不是一个完整的 JSON 对象"),
    ("d.jsonl", '{"text": "a"}\n' + '{"a":' * 120 + "1" + "}" * 120 + "\n", "有嵌套超过 100 层的值"),
    ("x.xlsx", [["id", "text"], ["1", "好"], ["2", "坏", None, "多"]], "表头各列之外的 D3 单元格有内容")],
    ids=["quote over rows", "too few fields", "not json", "too deep", "beyond the header"])
def test_the_bad_rows_file_says_each_formats_own_fault_in_chinese(default_model, tmp_path, write_workbook, name,
                                                                  content, why):
    source = tmp_path / name
    if name.endswith(".xlsx"):
        write_workbook(source, {"表": content})
    else:
        source.write_text(content, encoding="utf-8")
    bad_file = tmp_path / "bad_rows.csv"
    tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, bad_rows_path=bad_file)
    assert _reasons(bad_file) == [why]


def test_a_bad_row_kept_by_a_checkpoint_before_fault_kinds_is_told_by_its_formats_faults():
    # A run resumed from such a checkpoint holds bad rows without a kind: 原因 says what a row of its format can have.
    from consumer_nlp.messages import bad_row_in_chinese

    old = {"where": "line 3", "reason": "3 fields where the header has 2", "raw": "2,坏,多了一列", "wider": True}
    assert bad_row_in_chinese(old, "csv") == ["文件第 3 行", "引号没有收尾、引号后还有文字或列数不对"]  # a line, as it was
    assert bad_row_in_chinese({**old, "kind": "field_count", "details": {"fields": 3, "header": 2}}, "csv") == [
        "文件第 3 行", "这一行有 3 列，表头有 2 列"]
    # (one kind told both quote faults until 2026-12-05 (late))
    assert bad_row_in_chinese({**old, "kind": "quote_broken"}, "csv")[1] == "引号没有收尾，或收尾的引号后面还有文字"


def test_undecodable_bytes_name_the_line(default_model, tmp_path):
    source = tmp_path / "mixed.csv"
    source.write_bytes("id,text\n1,好\n".encode("utf-8") + b"2,\xff\xfe\xfa\n")
    with pytest.raises(ValueError, match="line 3"):
        tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, encoding="utf-8")


def test_the_text_column_is_found_or_asked_for(default_model, tmp_path):
    source = tmp_path / "a.csv"
    source.write_text("编号,投诉内容\n1,电表走得飞快\n", encoding="utf-8")
    rows = read_output(tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False).output)
    assert rows[0]["category"] == "price_measurement"
    source.write_text("编号,备注\n1,电表走得飞快\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"the columns are \['编号', '备注'\]"):
        tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False, force=True)


def test_a_frame_or_a_list_given_for_a_file_is_refused_by_its_parameter_saying_how_to_tag_texts_in_memory(
        small_model, tmp_path, monkeypatch):
    # An analyst's DataFrame given as the archive failed with Python's "expected str, bytes or os.PathLike object,
    # not DataFrame", naming no parameter; given as the output, with "The truth value of a DataFrame is ambiguous".
    monkeypatch.chdir(tmp_path)
    frame = pd.DataFrame({"text": ["电表走得飞快"]})
    for given, kind in ((frame, "pandas.DataFrame"), (frame["text"], "pandas.Series"), (["电表走得飞快"], "list"),
                        (None, "None")):
        with pytest.raises(TypeError, match=rf"^input_path must be the path of .*file.*, not {kind}") as no:
            tag_file(small_model, given, jobs=1, progress=False)
        assert ("model.tag(" in str(no.value)) == (given is not None)  # texts in memory: how to tag them
    frame.to_csv("a.csv", index=False)
    with pytest.raises(TypeError, match=r"^output_path must be the path of .*file.*, not pandas.DataFrame"):
        tag_file(small_model, "a.csv", frame, jobs=1, progress=False)
    with pytest.raises(TypeError, match=r"^bad_rows_path must be the path of .*file.*, not int"):
        tag_file(small_model, "a.csv", "o.csv", bad_rows_path=1, jobs=1, progress=False)
    assert sorted(os.listdir(tmp_path)) == ["a.csv"]


@pytest.mark.parametrize("encoding,text", [("gb18030", "电表走得飞快"), ("big5", "電錶走得飛快，退款還沒到")])
def test_encoding_is_detected_even_in_small_files(default_model, tmp_path, encoding, text):
    source = tmp_path / "in.csv"
    source.write_bytes(f"编号,投诉内容\n1,{text}\n".encode(encoding) if encoding == "gb18030"
                       else f"編號,投訴內容\n1,{text}\n".encode(encoding))
    rows = read_output(tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False).output)
    assert list(rows[0].values())[1] == text


BROKEN_QUOTES = 'id,text\n1,a\n2,"商家说"七天无理由"不适用\n3,"充电器冒烟\n4,退款不到账\n5,"价格欺诈"\n'


def test_a_stray_quote_never_merges_rows(default_model, tmp_path):
    source = tmp_path / "broken.csv"
    source.write_text(BROKEN_QUOTES, encoding="utf-8")
    with pytest.raises(ValueError, match="row 3 cannot be parsed"):
        tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    bad_file = tmp_path / "bad_rows.csv"
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, bad_rows_path=bad_file)
    assert summary.rows_in == 5 and summary.rows_out == 3 and summary.bad_rows == 2
    assert [(r["id"], r["text"]) for r in read_output(tmp_path / "out.csv")] == [
        ("1", "a"), ("4", "退款不到账"), ("5", "价格欺诈")]
    bad = pd.read_csv(bad_file, encoding="utf-8-sig")
    assert list(bad["where"]) == ["row 3", "row 4"]
    assert list(bad["raw"]) == ['2,"商家说"七天无理由"不适用', '3,"充电器冒烟']


def test_tsv_quotes_that_escape_nothing_stay_as_they_are(default_model, tmp_path):
    source = tmp_path / "in.tsv"
    source.write_text('id\ttext\n1\t"引号开头的投诉\n2\t秤不准"\n3\t退款不到账\n', encoding="utf-8")
    rows = read_output(tag_file(default_model, source, tmp_path / "out.tsv", jobs=1, progress=False).output)
    assert [(r["id"], r["text"]) for r in rows] == [("1", '"引号开头的投诉'), ("2", '秤不准"'), ("3", "退款不到账")]


def test_tsv_output_carries_tabs_and_line_breaks_as_excel_writes_them(default_model, tmp_path):
    # They were refused ("TSV cannot carry"), after all the tagging: a tab-separated file Excel saved
    # with a line break in a cell could not be tagged into its default output, INPUT.tagged.tsv.
    texts = ["两行\n的投诉", "制表\t符", "回车\r\n换行", '"引号"\n和换行', "制表\t在换行\n之前", "普通的投诉"]
    source = tmp_path / "in.csv"
    pd.DataFrame({"投诉\n编号": [str(n) for n in range(len(texts))], "投诉\n内容": texts, "渠道": "热线"}).to_csv(
        source, index=False)  # (two names over two lines: the line between them holds a tab)
    output = tag_file(default_model, source, tmp_path / "out.tsv", jobs=1, progress=False, text_col="投诉\n内容").output
    _, chunks = open_archive(output), list(open_archive(output).chunks())
    back = pd.concat([chunk.rows for chunk in chunks])
    assert list(back.columns[:3]) == ["投诉\n编号", "投诉\n内容", "渠道"] and list(back["投诉\n内容"]) == texts
    assert list(back["渠道"]) == ["热线"] * len(texts) and not any(chunk.bad for chunk in chunks)


@pytest.mark.parametrize("name", ["bad.xls", "bad.parquet", "bad"])
def test_a_bad_rows_file_not_named_csv_or_xlsx_is_refused_before_any_work(default_model, tmp_path, name):
    source = tmp_path / "in.csv"
    source.write_text('id,text\n1,"坏\n2,漏水\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad-rows file.*\.csv.*\.xlsx"):
        tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, bad_rows_path=tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_bad_rows_that_excel_would_run_as_formulas_are_said_in_csv_and_text_in_xlsx(default_model, tmp_path):
    # A helper's pass (h5): the bad-rows file, made for a desk to open in Excel, holds each raw row as the file held
    # it, and a row beginning with = or - ran there as a formula (#NAME?, or a complainant's =HYPERLINK), without a
    # word. The raw row is the evidence and stays as it was: a CSV bad-rows file cannot keep Excel from running it,
    # so the summary counts such rows and says to write .xlsx, where each cell is text, never a formula.
    source = tmp_path / "in.csv"
    long = "=" + "长" * (XLSX_MAX_CELL + 10)  # longer than an Excel cell: continued in the cells on its right
    source.write_text(f'id,text\n=1+1,"坏\n-信用卡,x,多\n3,漏水\n4,{long},y\n', encoding="utf-8")
    raws = ['=1+1,"坏', "-信用卡,x,多", f"4,{long},y"]
    as_csv = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False,
                      bad_rows_path=tmp_path / "bad.csv")
    assert pd.read_csv(tmp_path / "bad.csv", encoding="utf-8-sig", dtype=str)["raw"].tolist() == raws
    assert ("注意：用 Excel 直接打开「bad.csv」会改掉一些值：「raw」列 2 个以 = + - @ 开头的文字会被当成公式。文件里的值没有变；"
            "要在 Excel 里查看或编辑，请写成 .xlsx（bad_rows_path=文件名.xlsx）") in str(as_csv)  # the command line: --bad-rows
    as_xlsx = tag_file(default_model, source, tmp_path / "out2.csv", jobs=1, progress=False,
                       bad_rows_path=tmp_path / "bad.xlsx")
    sheet = load_workbook(tmp_path / "bad.xlsx").active
    rows = [[cell for cell in row if cell.value is not None] for row in sheet.iter_rows()]
    assert [c.value for c in rows[0]] == ["where", "reason", "raw", "位置", "原因"]
    assert [c.value for c in rows[1]][:3] == ["row 2", "a quote is left open or text follows a closing quote", raws[0]]
    assert [c.value for c in rows[1]][3:] == ["第 2 行", "引号没有收尾：只列出这一行，其后文件第 3 至 5 行已另行读入；"
                                                       "若这是一段跨行的文字，它被拆开了，请核对"]
    assert [c.value for c in rows[2]][2] == raws[1]
    assert rows[3][2].value + "".join(c.value for c in rows[3][5:]) == raws[2]
    assert all(c.data_type == "s" for row in rows for c in row)
    assert "会被当成公式" not in str(as_xlsx) and as_xlsx.bad_rows == 3


def test_bad_rows_beyond_a_sheet_go_on_in_the_next_sheet_of_an_xlsx_bad_rows_file(default_model, tmp_path,
                                                                                    monkeypatch):
    # A helper's pass (h9, from the code): an .xlsx bad-rows file was written past a sheet's 1,048,576 rows, where
    # Excel opens none of the rest. A full sheet is followed by another under the same header (limit lowered here).
    from consumer_nlp.io import _excel_out

    monkeypatch.setattr(_excel_out, "XLSX_MAX_ROWS", 3)  # the header and two bad rows a sheet
    source = tmp_path / "in.csv"
    source.write_text("id,text\n" + "".join(f"{n},漏水,多{n}\n" for n in range(5)) + "9,秤不准\n", encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False,
                       bad_rows_path=tmp_path / "bad.xlsx")
    workbook = load_workbook(tmp_path / "bad.xlsx")
    sheets = [[[c.value for c in row] for row in sheet.iter_rows()] for sheet in workbook.worksheets]
    assert [len(rows) for rows in sheets] == [3, 3, 2] and all(rows[0][0] == "where" for rows in sheets)
    assert [row[2] for rows in sheets for row in rows[1:]] == [f"{n},漏水,多{n}" for n in range(5)]
    assert summary.bad_rows == 5 and summary.rows_out == 1


def test_a_bare_carriage_return_survives_the_round_trip(default_model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "第一行\\r第二行"}\n{"id": 2, "text": "秤不准"}\n', encoding="utf-8")
    out = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False).output
    assert [r["text"] for r in read_output(out)] == ["第一行\r第二行", "秤不准"]  # two rows, as written
    # In .xlsx a carriage return was written raw, which every XML reader turns into a line feed;
    # Excel writes it as _x000D_, and so do we now.
    out = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False).output
    assert next(open_archive(out).chunks()).rows["text"].tolist() == ["第一行\r第二行", "秤不准"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_workbook_numbers_come_out_with_the_15_digits_excel_shows(default_model, tmp_path, write_workbook, suffix):
    # Excel keeps 15 significant digits: an 18-digit ID number typed into a number cell shows as
    # 440101199001011000 and =99*0.9 as 89.1, but the stored doubles came out as 440101199001011008
    # and 89.10000000000001.
    source = write_workbook(tmp_path / "in.xlsx", {"投诉": [["身份证号", "金额", "text"],
                                                            [4.40101199001011e17, 99 * 0.9, "秤不准"],
                                                            [12345, 0.1 + 0.2, "漏水"]]})
    rows = read_output(tag_file(default_model, source, tmp_path / ("out" + suffix), jobs=1, progress=False).output)
    assert [(str(r["身份证号"]), str(r["金额"])) for r in rows] == [("440101199001011000", "89.1"), ("12345", "0.3")]


def test_control_characters_survive_xlsx_output_as_excel_escapes_them(default_model, tmp_path):
    # A vertical tab (Word's manual line break, kept by many exports) and a NUL came out of .xlsx
    # output as U+FFFD; Excel keeps such a character as _x000B_, and reads it back.
    source = tmp_path / "in.csv"
    source.write_text('id,text\n1,第一段\x0b第二段：秤不准\n2,漏水\x00\n', encoding="utf-8")
    out = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False).output
    assert next(open_archive(out).chunks()).rows["text"].tolist() == ["第一段\x0b第二段：秤不准", "漏水\x00"]
    raw = [c.value for c in load_workbook(out).worksheets[0]["B"]]
    assert raw[1:] == ["第一段_x000B_第二段：秤不准", "漏水_x0000_"]


@pytest.mark.parametrize("header", ["id,text,text", "id,text,note,note"])
def test_duplicate_column_names_are_refused_by_name(default_model, tmp_path, header):
    source = tmp_path / "dup.csv"
    source.write_text(header + "\n" + ",".join(["1"] + ["秤不准"] * (header.count(",") )) + "\n", encoding="utf-8")
    duplicated = "text" if header.endswith("text,text") else "note"
    with pytest.raises(ValueError, match=f"\\['{duplicated}'\\] more than once"):
        tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)



def test_no_file_is_ever_overwritten_unasked(default_model, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n", encoding="utf-8")
    before = source.read_bytes()
    for output, bad in [(source, None), (tmp_path / "out.csv", source), (tmp_path / "out.csv", tmp_path / "out.csv")]:
        with pytest.raises(ValueError, match="input file|same file"):
            tag_file(default_model, source, output, jobs=1, progress=False, bad_rows_path=bad, force=True)
    assert source.read_bytes() == before
    officer = tmp_path / "officer.csv"
    officer.write_text("an officer's own file", encoding="utf-8")
    with pytest.raises(FileExistsError, match="force=True"):
        tag_file(default_model, source, officer, jobs=1, progress=False)
    with pytest.raises(FileExistsError, match="force=True"):
        tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, bad_rows_path=officer)
    assert officer.read_text(encoding="utf-8") == "an officer's own file"
    tag_file(default_model, source, officer, jobs=1, progress=False, force=True)
    assert read_output(officer)[0]["text"] == "秤不准"


@pytest.mark.parametrize("appears", ["output", "bad-rows file"])
def test_a_file_that_appears_during_the_run_is_not_replaced(default_model, tmp_path, monkeypatch, appears):
    # Both were checked only when the run started: another program's file (or another run's
    # bad-rows file) written meanwhile was replaced at the end.
    from consumer_nlp.tagging import _run

    source = tmp_path / "in.csv"
    source.write_text('id,text\n1,秤不准\n2,"坏行"x\n', encoding="utf-8")
    output, bad_rows = tmp_path / "out.csv", tmp_path / "bad.csv"
    theirs = output if appears == "output" else bad_rows
    join_parts = _run.join_parts

    def join_while_another_program_writes(*args, **options):
        join_parts(*args, **options)
        theirs.write_text("另一个程序的文件", encoding="utf-8")

    monkeypatch.setattr(_run, "join_parts", join_while_another_program_writes)
    with pytest.raises(FileExistsError, match=f"the {appears} .* appeared .*force=True"):
        tag_file(default_model, source, output, jobs=1, progress=False, bad_rows_path=bad_rows)
    assert theirs.read_text(encoding="utf-8") == "另一个程序的文件"
    assert not (output if theirs == bad_rows else bad_rows).exists()  # neither file, rather than one of two
    monkeypatch.setattr(_run, "join_parts", join_parts)
    summary = tag_file(default_model, source, output, jobs=1, progress=False, bad_rows_path=bad_rows, resume=True,
                       force=True)  # the tagged chunks were kept
    assert summary.resumed_chunks == 1 and read_output(output)[0]["text"] == "秤不准"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "in.csv", "out.csv"]


@pytest.mark.parametrize("chunk_size", [0, -1, 2.5])
def test_a_chunk_size_that_is_not_a_count_is_refused_before_any_work(default_model, tmp_path, chunk_size):
    # Parquet input failed with pyarrow's "batch_size must be greater than zero".
    pq.write_table(pa.table({"text": ["漏水"]}), tmp_path / "in.parquet")
    with pytest.raises(ValueError, match="chunk_size=N must be a whole number of at least 1"):
        tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.csv", jobs=1, progress=False,
                 chunk_size=chunk_size)


def test_a_folder_as_output_or_input_is_refused_before_any_work(default_model, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n", encoding="utf-8")
    with pytest.raises(ValueError, match="is a folder"):
        tag_file(default_model, source, tmp_path, jobs=1, progress=False)
    with pytest.raises(ValueError, match="is a folder"):
        tag_file(default_model, tmp_path, tmp_path / "out.csv", jobs=1, progress=False)
    assert not list(tmp_path.glob(".*"))


def test_a_second_run_on_the_same_output_refuses_while_the_first_runs(default_model, tmp_path):
    from consumer_nlp.io import OutputLock

    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    with OutputLock(output):  # what a running tag_file holds
        with pytest.raises(ValueError, match="another run is writing"):
            tag_file(default_model, source, output, jobs=1, progress=False)
    tag_file(default_model, source, output, jobs=1, progress=False)
    assert not output.with_name(".out.csv.lock").exists()


@pytest.mark.parametrize("where", ["_Workers.stop", "output_sheet"])
def test_ctrl_c_between_the_last_chunk_and_the_join_stops_the_run_and_says_how_to_go_on(
        default_model, tmp_path, monkeypatch, where, sigint_heard):
    # Ctrl-C (or SIGTERM) as the workers were stopped after the last chunk was noted and never acted on: the run went
    # on and wrote its output (a minute more for 200,000 rows into .xlsx). A moment later, as the input was checked
    # again, it stopped with a bare KeyboardInterrupt: the command line said only "已中断。", not that --resume goes
    # on from the finished chunks.
    import signal

    from consumer_nlp.tagging import _run

    source = tmp_path / "in.csv"
    source.write_text("id,text\n" + "".join(f"{i},第{i:02d}号秤不准\n" for i in range(6)), encoding="utf-8")
    output = tmp_path / "out.csv"
    owner, name = (_run._Workers, "stop") if where == "_Workers.stop" else (_run, "output_sheet")
    original = getattr(owner, name)

    def interrupted_here(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, interrupted_here)
    with pytest.raises(KeyboardInterrupt, match="finished chunks are kept.*resume=True"):
        tag_file(default_model, source, output, jobs=1, chunk_size=2, progress=False)
    assert not output.exists()
    monkeypatch.undo()
    summary = tag_file(default_model, source, output, jobs=1, chunk_size=2, progress=False, resume=True)
    assert summary.resumed_chunks >= 3
    assert [str(row["id"]) for row in read_output(output)] == [str(i) for i in range(6)]


def test_a_folder_made_read_only_mid_run_is_told_as_such_and_leaves_no_lock_held(default_model, tmp_path,
                                                                                  monkeypatch):
    # The output's folder made read-only while a run went (a share's permissions changed; seen as another user with
    # chmod 555): the run's lock file could not be removed, that error replaced the one that stopped the run
    # ("Permission denied: '.out.csv.lock'", a hidden file the desk never named), and the lock stayed held, so that
    # the next run in the same process (a notebook's) was refused as "another run is writing" until it restarted.
    import errno

    from consumer_nlp.tagging import _run

    source = tmp_path / "in.csv"
    source.write_text("id,text\n" + "".join(f"{i},第{i:02d}号秤不准\n" for i in range(6)), encoding="utf-8")
    output = tmp_path / "out.csv"
    written, unlink = _run.write_part, os.unlink

    def read_only_from_the_second_chunk(frame, kind, path):
        if any(p.suffix == ".json" for p in Path(path).parent.iterdir() if p.stem.isdecimal()):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        written(frame, kind, path)

    def read_only_unlink(path, *args, **kwargs):
        if str(path).endswith(".lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        unlink(path, *args, **kwargs)

    monkeypatch.setattr(_run, "write_part", read_only_from_the_second_chunk)
    monkeypatch.setattr(os, "unlink", read_only_unlink)
    with pytest.raises(PermissionError) as refused:
        tag_file(default_model, source, output, jobs=1, chunk_size=2, progress=False)
    assert ".parts" in refused.value.filename  # the write that failed, not the lock
    monkeypatch.undo()  # the folder writable again
    tag_file(default_model, source, output, jobs=1, chunk_size=2, progress=False, resume=True)
    assert [str(row["id"]) for row in read_output(output)] == [str(i) for i in range(6)]


def test_each_part_reaches_the_disk_before_its_record_and_the_output_before_its_name(default_model, tmp_path,
                                                                                      disk_order):
    # A chunk's record means a whole part: a resumed run takes the chunks that have one. Nothing was flushed (fsync)
    # before a rename, so after a power cut a record could name a part whose bytes never reached the disk, and the
    # resumed CSV went out without that chunk's rows.
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n2,面包发霉\n3,快递丢了\n4,退款难\n5,虚假宣传\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    tag_file(default_model, source, output, jobs=1, chunk_size=2, progress=False)
    spool = tmp_path / ".out.csv.parts"
    for part in (spool / f"{index:07d}.csv" for index in range(3)):
        assert disk_order.landed(part) < disk_order.renamed_at(part.with_suffix(".json"))
        disk_order.landed(part.with_suffix(".json"))
    disk_order.landed(spool / "manifest.json")
    disk_order.landed(output)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_resume_tags_again_every_part_that_is_not_as_its_record_saw_it_written(default_model, tmp_path,
                                                                                 monkeypatch, suffix):
    # A chunk's record did not hold its part's size: a part lost despite the flush, cut short or replaced was taken
    # as done, and the resumed output went out without its rows (or with another chunk's) without a word.
    from consumer_nlp.tagging import _run

    source = tmp_path / "in.csv"
    source.write_text("id,text\n" + "".join(f"{i},第{i:02d}号秤不准\n" for i in range(12)), encoding="utf-8")
    output = tmp_path / f"out{suffix}"

    def stopped_as_it_joins(*args, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr(_run, "join_parts", stopped_as_it_joins)
    with pytest.raises(KeyboardInterrupt):
        tag_file(default_model, source, output, jobs=1, chunk_size=2, progress=False)
    monkeypatch.undo()
    spool = tmp_path / f".{output.name}.parts"
    parts = sorted(p for p in spool.iterdir() if p.stem.isdecimal() and p.suffix != ".json")
    assert len(parts) >= 6  # (and an empty last chunk)
    first_row, second_row = parts[3].read_bytes().splitlines(keepends=True)
    parts[0].write_bytes(parts[0].read_bytes().splitlines(keepends=True)[0])  # cut short, at a row's end
    parts[1].unlink()  # lost
    parts[2].write_bytes(parts[3].read_bytes())  # replaced by another chunk's
    parts[3].write_bytes(second_row + first_row)  # its rows swapped: the same size
    older = json.loads(parts[4].with_suffix(".json").read_text("utf-8"))
    del older["part"]  # as releases before 2026-12-06 wrote it: the part cannot be checked
    parts[4].with_suffix(".json").write_text(json.dumps(older), "utf-8")

    summary = tag_file(default_model, source, output, jobs=1, chunk_size=2, progress=False, resume=True)
    assert [str(row["id"]) for row in read_output(output)] == [str(i) for i in range(12)]
    assert (summary.resumed_chunks, summary.retagged_chunks) == (len(parts) - 5, 5)
    assert "5 个分块上次的结果缺失、不完整或无法核对，已重新标注" in str(summary)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_an_output_name_near_the_file_systems_limit_is_written(default_model, tmp_path, suffix):
    # 250 bytes: the run's lock, checkpoint and temporary names (.NAME.lock, .NAME.parts, …) passed
    # the 255-byte limit on a name and the run failed.
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n2,面包发霉\n", encoding="utf-8")
    output = tmp_path / ("投" * ((250 - len(suffix)) // 3) + "x" * ((250 - len(suffix)) % 3) + suffix)
    assert len(output.name.encode()) == 250
    bad_rows = tmp_path / ("坏" * 80 + "x" * 6 + ".csv")
    tag_file(default_model, source, output, jobs=1, progress=False, bad_rows_path=bad_rows)
    assert [str(row["id"]) for row in read_output(output)] == ["1", "2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.csv", output.name, bad_rows.name])


def test_a_bad_rows_file_another_run_is_writing_is_refused(default_model, tmp_path):
    # Two runs given one --bad-rows file each wrote it under one fixed temporary name: the run that
    # succeeded could leave the other run's rows in it, or a mix of both.
    from consumer_nlp.io import OutputLock

    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n2,a,b,c\n", encoding="utf-8")
    bad_rows = tmp_path / "bad.csv"
    with OutputLock(bad_rows, "bad_rows_path"):  # what the other run holds
        with pytest.raises(ValueError, match=r"another run is writing .*bad\.csv.*\(bad_rows_path=…\)"):
            tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, bad_rows_path=bad_rows)
    tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, bad_rows_path=bad_rows)
    assert "a,b,c" in bad_rows.read_text("utf-8-sig")


@pytest.mark.parametrize("interrupted", ["lock_exclusively", "samestat"])
def test_a_writer_stopped_as_it_takes_its_output_lock_leaves_no_lock_file(tmp_path, monkeypatch, interrupted):
    # A web server stopping just as a download's process took the lock of its output (a SIGTERM, raised as Ctrl-C)
    # left the lock file beside the output for good (CI: test_web's download stopped mid-write, under load).
    from consumer_nlp.io import OutputLock, _paths

    output = tmp_path / "download.jsonl"
    real = getattr(_paths if interrupted == "lock_exclusively" else _paths.os.path, interrupted)

    def then_stopped(*args, **kwargs):
        monkeypatch.undo()  # once
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(_paths if interrupted == "lock_exclusively" else _paths.os.path, interrupted, then_stopped)
    with pytest.raises(KeyboardInterrupt):
        with OutputLock(output):
            pass
    assert list(tmp_path.iterdir()) == []
    with OutputLock(output):  # and the lock is free
        assert output.with_name(".download.jsonl.lock").exists()
    assert list(tmp_path.iterdir()) == []


def test_a_run_killed_while_it_joins_leaves_copies_its_resume_removes(default_model, tmp_path, monkeypatch):
    # Joined under a random name, a run killed at the end (kill -9, out of memory) left a hidden copy of the whole
    # output that no later run would ever find; then under a fixed name (.out.csv.partial) that only a later run to
    # the same output wrote over; then working copies swept by age, an hour after: the resume wrote its output and
    # left the killed run's half-written copy beside it for good (seen: 9.7 MB of 17 MB). A run holds its outputs'
    # locks, so a copy of their names untouched since it took them is an earlier run's, which is dead.
    from consumer_nlp.tagging import _run

    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n2,a,b,c\n", encoding="utf-8")
    joined = _run.join_parts

    def killed_after_joining(*args, **options):
        joined(*args, **options)
        raise SystemExit("killed")  # the process ends here, before its own cleanup (simulated below)

    def run(**options):
        return tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False,
                        bad_rows_path=tmp_path / "b.csv", **options)

    monkeypatch.setattr(_run, "join_parts", killed_after_joining)
    monkeypatch.setattr(Path, "unlink", lambda self, missing_ok=False: None)  # no cleanup: as after kill -9
    with pytest.raises(SystemExit):
        run()
    monkeypatch.undo()
    copies = [p for p in tmp_path.iterdir() if p.is_file() and p.name.startswith(".")]
    # one each, hidden, random, with the file's extension, as every working copy is
    assert sorted(re.sub(r"\.[0-9a-f]{8}\.csv$", ".RANDOM.csv", p.name) for p in copies) == [
        ".b.csv.RANDOM.csv", ".out.csv.RANDOM.csv"]
    minute_ago, minute_on = time.time() - 60, time.time() + 60
    for copy in copies:
        os.utime(copy, (minute_ago, minute_ago))  # killed a minute ago: far from an hour
    others = [tmp_path / ".other.csv.0badc0de.csv",  # another output's
              tmp_path / ".out.csv.0badc0de.csv"]  # written to since this run took the lock: not a dead run's
    for other, when in zip(others, (minute_ago, minute_on)):
        other.write_text("x", encoding="utf-8")
        os.utime(other, (when, when))
    run(resume=True)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["b.csv", "in.csv", "out.csv", *(p.name for p in others)])


def test_a_tagging_run_on_the_output_a_report_is_writing_is_refused_and_leaves_the_reports_copy(default_model, tmp_path,
                                                                                               monkeypatch, joined):
    # A report took no output lock: a tagging run to the name it was writing went on, swept the report's working copy
    # as it joined (untouched since the run took its lock) and wrote its output there; the report then stopped.
    import threading

    from consumer_nlp.report import ArchiveReport, report_archive

    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n2,冰箱不制冷\n", encoding="utf-8")
    tag_file(default_model, source, tmp_path / "in.tagged.csv", jobs=1, progress=False)
    report = report_archive(tmp_path / "in.tagged.csv", progress=False)
    output = tmp_path / "out.xlsx"
    writing, go, failed = threading.Event(), threading.Event(), []
    to_excel = ArchiveReport.to_excel

    def slow_to_excel(self, path):
        writing.set()
        go.wait(60)
        to_excel(self, path)

    def write_report():
        try:
            report.write(output)
        except Exception as error:
            failed.append(error)

    monkeypatch.setattr(ArchiveReport, "to_excel", slow_to_excel)
    writer = threading.Thread(target=write_report)
    writer.start()
    assert writing.wait(60)
    try:
        with pytest.raises(ValueError, match="another run is writing"):
            tag_file(default_model, source, output, jobs=1, progress=False)
    finally:
        go.set()
        joined([writer])
    assert not failed, failed
    assert pd.ExcelFile(output).sheet_names[0] == "综述"  # the report's, whole


def test_a_file_killed_as_it_is_moved_into_place_is_there_whole_or_not_at_all(tmp_path, monkeypatch):
    # Without force a file's name was first claimed by an empty file, replaced a moment later: a run killed (or a
    # power cut) in that moment left an empty file where the desk looked for the output, which a later run then
    # refused to write over ("exists already").
    from consumer_nlp.io import _paths, new_file

    steps = {"os.replace": os.replace, "os.rename": os.rename, "os.link": os.link, "os.unlink": os.unlink,
             "flush": _paths.flush}
    killed_at = 0
    while True:
        output = tmp_path / str(killed_at) / "out.csv"
        output.parent.mkdir()
        calls = []

        def step(name, real):
            def call(*args, **kwargs):
                calls.append(name)
                if len(calls) > killed_at:
                    raise SystemExit(f"killed at {name}")
                return real(*args, **kwargs)
            return call

        for name, real in steps.items():
            monkeypatch.setattr(_paths if name == "flush" else os, name.split(".")[-1], step(name, real))
        monkeypatch.setattr(Path, "unlink", lambda self, missing_ok=False: None)  # no cleanup: as after kill -9
        try:
            with new_file(output, force=False) as temporary:
                temporary.write_text("whole", encoding="utf-8")
            finished = True
        except SystemExit:
            finished = False
        monkeypatch.undo()
        assert not output.exists() or output.read_text(encoding="utf-8") == "whole", calls
        if output.exists():  # a finished file: never written over unasked
            with pytest.raises(FileExistsError), new_file(output, force=False) as temporary:
                temporary.write_text("again", encoding="utf-8")
            assert output.read_text(encoding="utf-8") == "whole"
        else:  # the name is free for the next run
            with new_file(output, force=False) as temporary:
                temporary.write_text("again", encoding="utf-8")
            assert output.read_text(encoding="utf-8") == "again"
        if finished:
            break
        killed_at += 1
    assert killed_at >= 2


def test_where_the_file_system_has_no_hard_links_files_are_still_moved_into_place_never_over_one(tmp_path,
                                                                                                 monkeypatch):
    from consumer_nlp.io import new_files

    def refused(*args, **kwargs):  # as FAT and exFAT refuse a second name
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    output, bad_rows = tmp_path / "out.csv", tmp_path / "bad.csv"
    with new_files([(output, "output"), (bad_rows, "bad-rows file")], force=False) as (first, second):
        first.write_text("结果", encoding="utf-8")
        second.write_text("坏行", encoding="utf-8")
    assert (output.read_text(encoding="utf-8"), bad_rows.read_text(encoding="utf-8")) == ("结果", "坏行")
    bad_rows.unlink()
    with pytest.raises(FileExistsError, match="the output .* appeared"):
        with new_files([(bad_rows, "bad-rows file"), (output, "output")], force=False) as (first, second):
            first.write_text("新的坏行", encoding="utf-8")
            second.write_text("新的结果", encoding="utf-8")
    assert output.read_text(encoding="utf-8") == "结果" and not bad_rows.exists()  # neither, rather than one of two
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_an_input_moved_away_once_read_is_not_an_error_and_never_hides_one(default_model, tmp_path, monkeypatch):
    from consumer_nlp.tagging import _run

    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n2,面包发霉\n", encoding="utf-8")
    finish = _run._Workers.finish

    def moved_when_read(self, stop):  # a sync tool moves the file once the run has read it
        finish(self, stop)
        source.rename(tmp_path / "elsewhere.csv")

    monkeypatch.setattr(_run._Workers, "finish", moved_when_read)
    tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert (tmp_path / "out.csv").is_file()
    (tmp_path / "elsewhere.csv").rename(source)
    source.write_text("id,text\n1,秤不准\n2,a,b,c\n", encoding="utf-8")
    original = _run.check_text_bytes

    def moved_then_bad(values, rows, column):
        if source.exists():
            source.rename(tmp_path / "gone.csv")
        return original(values, rows, column)

    monkeypatch.setattr(_run, "check_text_bytes", moved_then_bad)
    with pytest.raises(ArchiveError, match="row 3 cannot be parsed"):  # the real problem, not FileNotFoundError
        tag_file(default_model, source, tmp_path / "out2.csv", jobs=1, progress=False)
    assert not (tmp_path / ".out2.csv.parts").exists()


def test_duplicate_columns_are_refused_in_every_format(default_model, tmp_path):
    workbook = Workbook()
    workbook.active.append(["id", "text", "text"])
    workbook.active.append(["1", "秤不准", "漏水"])
    workbook.save(tmp_path / "dup.xlsx")
    with pytest.raises(ValueError, match=r"\['text'\] more than once"):
        tag_file(default_model, tmp_path / "dup.xlsx", tmp_path / "o1.csv", jobs=1, progress=False)
    pq.write_table(pa.Table.from_arrays([pa.array(["1"]), pa.array(["秤不准"]), pa.array(["x"])],
                                        names=["id", "text", "id"]), tmp_path / "dup.parquet")
    with pytest.raises(ValueError, match=r"\['id'\] more than once"):
        tag_file(default_model, tmp_path / "dup.parquet", tmp_path / "o2.csv", jobs=1, progress=False)
    source = tmp_path / "dup.jsonl"
    source.write_text('{"id": 1, "text": "秤不准"}\n{"id": 2, "text": "漏水", "text": "冒烟"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        tag_file(default_model, source, tmp_path / "o3.csv", jobs=1, progress=False)
    summary = tag_file(default_model, source, tmp_path / "o4.csv", jobs=1, progress=False,
                       bad_rows_path=tmp_path / "bad.csv")
    assert summary.rows_out == 1 and summary.bad_rows == 1
    assert "given more than once" in pd.read_csv(tmp_path / "bad.csv")["reason"][0]


def test_a_workbook_with_several_data_sheets_asks_which(default_model, tmp_path, write_workbook):
    source = write_workbook(tmp_path / "in.xlsx", {"一月": [["id", "text"], ["1", "秤不准"]],
                                                  "二月": [["id", "text"], ["2", "漏水"], ["3", "盗刷"]]})
    with pytest.raises(ValueError, match=r"2 sheets with data: \['一月', '二月'\]"):
        tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False)
    by_name = tag_file(default_model, source, tmp_path / "o1.csv", jobs=1, progress=False, sheet="二月")
    by_number = tag_file(default_model, source, tmp_path / "o2.csv", jobs=1, progress=False, sheet=2)
    assert [r["id"] for r in read_output(by_name.output)] == [r["id"] for r in read_output(by_number.output)] == ["2", "3"]
    with pytest.raises(ValueError, match=r"no sheet '三月'.*\['一月', '二月'\]"):
        tag_file(default_model, source, tmp_path / "o3.csv", jobs=1, progress=False, sheet="三月")


def test_a_hidden_sheet_is_not_taken_for_the_visible_one(default_model, tmp_path, write_workbook):
    source = write_workbook(tmp_path / "in.xlsx", {"lookup": [["code", "text"], ["x", "内部代码表"]],
                                                  "投诉": [["id", "text"], ["1", "秤不准"]]}, hidden={"lookup"})
    summary = tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False)
    assert [r["id"] for r in read_output(summary.output)] == ["1"]
    assert summary.sheet == "投诉" and "工作表：投诉" in str(summary)  # the run says which sheet it read


def test_the_summary_names_the_sheets_the_output_leaves_out(default_model, tmp_path, write_workbook):
    # A workbook of several sheets tagged by --sheet (or beside a hidden one holding a list) came back as
    # one sheet, the others gone without a word: a desk sending the result on lost them.
    source = write_workbook(tmp_path / "in.xlsx", {"一月": [["id", "text"], ["1", "秤不准"]],
                                                  "二月": [["id", "text"], ["2", "漏水"]], "空表": [],
                                                  "lookup": [["code"], ["x"]]}, hidden={"lookup"})
    summary = tag_file(default_model, source, tmp_path / "o.xlsx", jobs=1, progress=False, sheet="二月")
    assert load_workbook(summary.output).sheetnames == ["二月"]
    assert summary.other_sheets == [("一月", False), ("lookup", True)]  # an empty sheet loses nothing
    assert "结果只含工作表「二月」；工作簿里的其他表「一月」、「lookup」（隐藏）没有写入结果" in str(summary)
    alone = tag_file(default_model, write_workbook(tmp_path / "one.xlsx", {"投诉": [["id", "text"], ["1", "秤不准"]],
                                                                          "空表": []}),
                     tmp_path / "one.csv", jobs=1, progress=False)
    assert alone.other_sheets == [] and "其他表" not in str(alone)


def test_a_csv_output_says_which_values_excel_would_change_on_opening_it(default_model, tmp_path):
    # A desk opens the tagged CSV in Excel, which runs texts beginning with = + - @ as formulas (#NAME?, or a
    # complainant's =HYPERLINK), drops the zeros of 000123 and shows an ID of 18 digits as 4.40101E+17 (saved
    # back as 440101199001011000): the file holds them right, and said nothing of what Excel would make of them.
    source = tmp_path / "in.csv"
    source.write_text("编号,身份证,电话,备注,投诉内容\r\n000123,440101199001011008,13812345678,-5,=1+1 多收了钱\r\n"
                      "7,44010119900101100X,+8613812345678,,-信用卡扣年费\r\n", encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    rows = read_output(summary.output)
    assert [(r["编号"], r["身份证"], r["投诉内容"]) for r in rows] == [  # the values stay as they were
        ("000123", "440101199001011008", "=1+1 多收了钱"), ("7", "44010119900101100X", "-信用卡扣年费")]
    assert summary.excel_changes == {"编号": {"leading_zero": 1}, "身份证": {"long_number": 1},
                                     "电话": {"long_number": 1}, "投诉内容": {"formula": 2}}
    said = str(summary)
    assert ("用 Excel 直接打开这个文件会改掉一些值：「编号」列 1 个以 0 开头的编号会丢掉开头的 0；「身份证」列 1 个 12 位以上的"
            "数字会显示成科学记数（如 4.40101E+17），16 位起的末几位变成 0；「电话」列 1 个") in said
    assert "「投诉内容」列 2 个以 = + - @ 开头的文字会被当成公式" in said and "请写成 .xlsx（output_path=文件名.xlsx）" in said
    as_xlsx = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False)
    assert as_xlsx.excel_changes == {} and "用 Excel 直接打开" not in str(as_xlsx)  # a workbook keeps them as text
    as_parquet = tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False)
    assert as_parquet.excel_changes == summary.excel_changes  # counted for the web's CSV downloads made from it
    assert "用 Excel 直接打开" not in str(as_parquet)  # but no Parquet file is opened in Excel


def test_texts_excel_reads_as_dates_are_counted_in_the_note_on_opening_a_csv(default_model, tmp_path):
    # Excel in a Chinese locale makes a room number 3-2, 1/2 or 3月2日 a date of this year: the note on what it changes
    # as it opens the tagged CSV said nothing of them. A date with its year (2024-3-2, an archive's date column) stays
    # the same date, only written as 2024/3/2 once saved, which the report reads alike: not counted, or every desk's
    # date column would bury the changes that matter (IDs losing digits, codes their zeros) under a note of its own.
    from consumer_nlp.io import excel_changes

    source = tmp_path / "in.csv"
    source.write_text("房号,受理日期,投诉内容\r\n3-2,2024-3-2,楼上漏水\r\n1/2,2024/03/02 10:30,3月2日买的冰箱坏了\r\n"
                      "3月2日,2024年3月2日,秤不准\r\n", encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert [r["房号"] for r in read_output(summary.output)] == ["3-2", "1/2", "3月2日"]  # the values stay as they were
    assert summary.excel_changes == {"房号": {"date_no_year": 3}}
    said = str(summary)
    assert "「房号」列 3 个没有年份的日期样文字（如 3-2、1/2、3月2日）会变成今年的日期" in said, said
    assert "受理日期" not in said, said
    # texts of no date are not counted, nor those only some locales read as dates (a two-digit year, a month and a
    # year, dots): the count says what Excel changes for certain, not all it may
    others = ["2024-13-1", "3-2号楼", "1.5", "3 - 2", "2024-3-2-1", "3-0", "24-3-2", "3-50", "2024.3.2", "Mar-2",
              "2024/3/2", "2024/3/12 9:05", "2024-3-2", "2024/03/02 10:30", "2024年3月2日"]  # dates with a year
    assert excel_changes(pd.DataFrame({"v": others})) == {}


def test_a_title_above_the_header_and_sparse_rows(default_model, tmp_path, write_workbook):
    source = write_workbook(tmp_path / "in.xlsx", {"s": [["2025年投诉登记表"], [], ["id", "text"], ["1", "秤不准"]]})
    workbook = load_workbook(source)
    workbook["s"].cell(row=5000, column=1, value="2")
    workbook["s"].cell(row=5000, column=2, value="漏水")
    workbook.save(source)
    summary = tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False, header_row=3)
    assert [r["id"] for r in read_output(summary.output)] == ["1", "2"]
    assert summary.rows_out == 2 and summary.blank_lines == 4995
    # the title is not in the output: said, so that nobody looks for it there
    assert "列名在第 3 行：其上的 2 行（表格标题等）没有写入结果" in str(summary)


def test_json_values_go_out_as_json_text(default_model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "meta": {"a": null, "b": [1, 2]}, "ok": true, "text": "秤不准"}\n', encoding="utf-8")
    row = read_output(tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False).output)[0]
    assert json.loads(row["meta"]) == {"a": None, "b": [1, 2]} and row["ok"] == "TRUE"  # as Excel writes it
    again = read_output(tag_file(default_model, source, tmp_path / "out.jsonl", jobs=1, progress=False).output)[0]
    assert again["meta"] == {"a": None, "b": [1, 2]} and again["ok"] is True  # JSON to JSON: values as they were


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_excel_booleans_go_out_in_delimited_text_as_excel_writes_them(default_model, tmp_path, write_workbook,
                                                                       suffix):
    # A workbook's TRUE and FALSE came out of CSV and TSV as true and false, as JSON writes them.
    source = write_workbook(tmp_path / "in.xlsx", {"投诉": [["已回访", "投诉内容"], [True, "电饭煲坏了"],
                                                            [False, "快递没送到"], ["否", "秤不准"]]})
    rows = read_output(tag_file(default_model, source, tmp_path / f"out{suffix}", jobs=1, progress=False).output)
    assert [r["已回访"] for r in rows] == ["TRUE", "FALSE", "否"]
    as_json = read_output(tag_file(default_model, source, tmp_path / "out.jsonl", jobs=1, progress=False).output)
    assert [r["已回访"] for r in as_json] == [True, False, "否"]  # JSON Lines output: JSON's own booleans


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_booleans_go_out_in_delimited_text_as_excel_writes_them_whatever_the_input(default_model, tmp_path,
                                                                                     write_workbook, suffix):
    # A workbook's booleans came out as TRUE, a JSON Lines record's as true, a Parquet column's (and the
    # needs_review tag column's) as True: users open CSV in Excel, which writes and reads TRUE.
    records = [{"编号": "1", "已回访": True, "投诉内容": "电饭煲坏了"}, {"编号": "2", "已回访": False, "投诉内容": "快递没送到"},
               {"编号": "3", "已回访": None, "投诉内容": ""}]
    sheet = [list(records[0])] + [["" if v is None else v for v in r.values()] for r in records]
    sources = [write_workbook(tmp_path / "in.xlsx", {"投诉": sheet}), tmp_path / "in.jsonl", tmp_path / "in.parquet"]
    sources[1].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(records), sources[2])
    outputs = [read_output(tag_file(default_model, source, tmp_path / f"{source.suffix[1:]}{suffix}", jobs=1,
                                    progress=False).output) for source in sources]
    for rows in outputs:
        assert [r["已回访"] for r in rows] == ["TRUE", "FALSE", ""]
        assert rows[2]["needs_review"] == "TRUE" and {r["needs_review"] for r in rows} <= {"TRUE", "FALSE"}


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_excel_error_cells_stay_errors_in_xlsx_output_and_a_text_that_reads_so_stays_text(default_model, tmp_path,
                                                                                          suffix):
    # An error cell (#N/A, #DIV/0!) came out of .xlsx output as text: Excel's ISNA and IFERROR no longer saw it.
    rows = [["查询结果", "备注", "投诉内容"], ["#N/A", "#N/A", "电饭煲坏了"], ["#DIV/0!", "", "快递没送到"]]
    source = tmp_path / f"in{suffix}"
    if suffix == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        for cell in ("A2", "A3"):
            workbook.active[cell].data_type = "e"  # as Excel saves an error: a cell of type e
        workbook.active["B2"].data_type = "s"  # typed by a user as text
        workbook.save(source)
    else:
        xlwt = pytest.importorskip("xlwt")
        workbook = xlwt.Workbook()
        sheet = workbook.add_sheet("投诉")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if r and c == 0:
                    sheet.row(r).set_cell_error(c, {"#N/A": 0x2A, "#DIV/0!": 0x07}[value])  # Excel's codes
                else:
                    sheet.write(r, c, value)
        workbook.save(str(source))
    out = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False).output
    sheet = load_workbook(out).worksheets[0]
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [("#N/A", "e"), ("#DIV/0!", "e")]
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("#N/A", "s")
    for text_suffix in (".csv", ".tsv", ".jsonl"):  # the text Excel shows, in every text output
        written = read_output(tag_file(default_model, source, tmp_path / f"out{text_suffix}", jobs=1,
                                       progress=False).output)
        assert [(r["查询结果"], r["备注"]) for r in written] == [("#N/A", "#N/A"), ("#DIV/0!", "")], text_suffix


@pytest.mark.parametrize("chunk_size", [1, 2])
def test_a_column_of_mixed_types_is_text_in_parquet_and_the_summary_says_so(default_model, tmp_path, chunk_size):
    # Parquet holds one type a column: numbers and words in one chunk stopped the run; in different
    # chunks they failed the join after all tagging with pyarrow's own words, leaving a .partial file;
    # a whole number no double holds beside a decimal ended the same way. The web, which keeps its
    # results as Parquet, could never tag such a workbook (联系电话: numbers and 无).
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "big": 1152921504606846977, "text": "秤不准"}\n'
                      '{"id": "A2", "big": 1.5, "text": "漏水"}\n', encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False,
                       chunk_size=chunk_size)
    table = pq.read_table(summary.output)
    assert table.column("id").to_pylist() == ["1", "A2"] and table.column("big").to_pylist() == [
        "1152921504606846977", "1.5"]
    assert "「id」「big」列的值类型不一" in str(summary)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.parquet"]
    assert [r["id"] for r in read_output(tag_file(default_model, source, tmp_path / "out.csv", jobs=1,
                                                  progress=False).output)] == ["1", "A2"]


def test_parquet_decimal_binary_and_duration_columns_reach_every_output(default_model, tmp_path):
    # An .xlsx output of these failed at the end with "Object of type Decimal is not JSON serializable".
    import decimal

    pq.write_table(pa.table({"amount": pa.array([decimal.Decimal("12.50"), decimal.Decimal("3.10")]),
                             "raw": pa.array([b"\x00\x01", b"ab\xff"]),
                             "waited": pa.array([datetime.timedelta(seconds=90), datetime.timedelta(days=1)]),
                             "text": ["手机坏了", "秤不准"]}), tmp_path / "in.parquet")
    as_csv = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.csv", jobs=1,
                                  progress=False).output)
    as_xlsx = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.xlsx", jobs=1,
                                   progress=False).output)
    for column in ("amount", "raw"):
        assert [str(r[column]) for r in as_xlsx] == [r[column] for r in as_csv], column
    assert [r["amount"] for r in as_csv] == ["12.50", "3.10"]
    assert [r["waited"] for r in as_csv] == ["0:01:30", "24:00:00"]
    assert [r["waited"] for r in as_xlsx] == [datetime.timedelta(seconds=90), datetime.timedelta(days=1)]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".xlsx"])
def test_a_parquet_uuid_column_reaches_every_output_as_its_text(default_model, tmp_path, suffix):
    # Parquet's UUID type (DuckDB and Spark write complaint IDs so) is an Arrow extension type: CSV and TSV output
    # wrote each ID as Python shows its 16 bytes (b'\x124Vx\x124Vx…'), so rows could not be matched back.
    import uuid

    if not hasattr(pa, "uuid"):
        pytest.skip("this pyarrow has no UUID type")
    ids = [uuid.UUID("12345678-1234-5678-1234-567812345678"), uuid.UUID(int=1)]
    pq.write_table(pa.table({"id": pa.array([i.bytes for i in ids], pa.uuid()), "text": ["秤不准", "漏水"]}),
                   tmp_path / "in.parquet")
    rows = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / f"out{suffix}", jobs=1,
                                progress=False).output)
    assert [r["id"] for r in rows] == [str(i) for i in ids]


def test_parquet_lists_and_structs_reach_csv_and_jsonl_whole(default_model, tmp_path):
    # They were written as numpy's display text, which shortens a long list with "...":
    # [100000 100001 100002 ... 101997 101998 101999] kept 6 of 2,000 values.
    numbers = list(range(100_000, 102_000))
    pq.write_table(pa.table({"text": ["手机屏幕坏了", "秤不准"], "tags": pa.array([["退货", "屏幕"], []]),
                             "numbers": pa.array([numbers, [1]]),
                             "meta": pa.array([{"shop": "京东", "n": 1}, None])}), tmp_path / "in.parquet")
    as_csv = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.csv", jobs=1,
                                  progress=False).output)
    assert [json.loads(r["tags"]) for r in as_csv] == [["退货", "屏幕"], []]
    assert json.loads(as_csv[0]["numbers"]) == numbers and json.loads(as_csv[0]["meta"]) == {"shop": "京东", "n": 1}
    as_jsonl = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.jsonl", jobs=1,
                                    progress=False).output)
    assert as_jsonl[0]["numbers"] == numbers and as_jsonl[1]["tags"] == [] and as_jsonl[0]["meta"]["shop"] == "京东"


@pytest.mark.parametrize("kind", ["csv", "tsv", "jsonl", "xlsx"])
def test_parquet_maps_reach_text_outputs_as_maps(default_model, tmp_path, kind):
    # A helper's pass: they came out as pyarrow gives them, lists of pairs ([["k", 1]]). Keys that are no strings
    # are their text, as JSON has only such keys; a map whose key repeats (Arrow allows it) keeps its pairs, the
    # column's other maps being maps.
    maps = {"m": pa.array([[("k", 1)], None], pa.map_(pa.string(), pa.int64())),
            "nested": pa.array([[("a", [("b", 1)])], []], pa.map_(pa.string(), pa.map_(pa.string(), pa.int64()))),
            "in_a_list": pa.array([[{"m": [("k", 1)]}], []], pa.list_(pa.struct([("m", pa.map_(pa.string(),
                                                                                               pa.int64()))]))),
            "numbered": pa.array([[(1, "x"), (2, "y")], []], pa.map_(pa.int64(), pa.string())),
            "dated": pa.array([[(datetime.date(2025, 3, 5), 1)], []], pa.map_(pa.date32(), pa.int64())),
            "repeated": pa.array([[("k", 1), ("k", 2)], [("j", 3)]], pa.map_(pa.string(), pa.int64()))}
    pq.write_table(pa.table({"投诉内容": ["秤不准", "漏水"], **maps}), tmp_path / "in.parquet")
    rows = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / f"out.{kind}", jobs=1,
                                progress=False).output)
    got = [{name: row[name] if kind == "jsonl" or row[name] == "" else json.loads(row[name]) for name in maps}
           for row in rows]
    assert got[0] == {"m": {"k": 1}, "nested": {"a": {"b": 1}}, "in_a_list": [{"m": {"k": 1}}],
                      "numbered": {"1": "x", "2": "y"}, "dated": {"2025-03-05": 1}, "repeated": [["k", 1], ["k", 2]]}
    assert got[1] == {"m": None if kind == "jsonl" else "", "nested": {}, "in_a_list": [], "numbered": {}, "dated": {},
                      "repeated": {"j": 3}}


def test_an_array_formula_and_a_time_zone_come_out_as_their_text(default_model, tmp_path):
    # An array (Ctrl+Shift+Enter) formula came out as "<openpyxl...ArrayFormula object at 0x…>", and
    # a Parquet timestamp with a time zone failed .xlsx output after all tagging.
    from openpyxl import Workbook
    from openpyxl.worksheet.formula import ArrayFormula

    workbook = Workbook()
    workbook.active.append(["投诉内容", "合计"])
    workbook.active.append(["手机屏幕坏了", None])
    workbook.active["B2"] = ArrayFormula("B2", "=SUM(C2:C3*2)")
    workbook.save(tmp_path / "in.xlsx")
    with pytest.raises(ArchiveError, match=r"cell B2 holds a formula .* no saved value"):  # read as its value
        tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.csv", jobs=1, progress=False)
    when = datetime.datetime(2024, 1, 1, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    pq.write_table(pa.table({"text": ["秤不准"], "received": pa.array([when], pa.timestamp("us", tz="+08:00"))}),
                   tmp_path / "in.parquet")
    rows = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.xlsx", jobs=1,
                                progress=False).output)
    assert rows[0]["received"] == "2024-01-01 08:00:00+08:00"


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl", ".xlsx"])
def test_a_parquet_file_without_rows_tags_to_an_archive_without_rows(default_model, tmp_path, suffix):
    # Dask writes a part file without rows for each partition a filter emptied: tagging one ended in a
    # TypeError from pandas ("'ArrowExtensionArray' with dtype string[pyarrow] does not support operation 'any'").
    pq.write_table(pa.table({"id": pa.array([], pa.int64()), "text": pa.array([], pa.string())}), tmp_path / "in.parquet")
    summary = tag_file(default_model, tmp_path / "in.parquet", tmp_path / f"out{suffix}", jobs=1, progress=False)
    assert (summary.rows_in, summary.rows_out) == (0, 0)
    if suffix == ".parquet":
        table = pq.read_table(summary.output)
        assert table.num_rows == 0 and table.column_names == ["id", "text", *TAG_COLUMNS]
        assert table.schema.field("id").type == pa.int64()
    else:
        assert read_output(summary.output) == []


def test_parquet_binary_text_is_read_as_utf8(default_model, tmp_path):
    pq.write_table(pa.table({"id": [1, 2], "text": pa.array(["秤不准".encode(), "信用卡被盗刷".encode()], pa.binary())}),
                   tmp_path / "in.parquet")
    rows = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.csv", jobs=1,
                                progress=False).output)
    assert [r["category"] for r in rows] == ["price_measurement", "financial"]
    assert "b'" not in rows[0]["top_terms"]



@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".xlsx"])
def test_a_parquet_binary_text_column_is_written_as_its_text(default_model, tmp_path, suffix):
    # Strings stored as binary (as Hive and Impala write them) were tagged on their text but written as
    # Python shows bytes: every complaint of the output read b'\xe7\xa7\xa4\xe4\xb8\x8d…'.
    texts = ["秤不准", "信用卡被盗刷"]
    codes = [b"\xff\x01", b"\xfe"]  # bytes that are no text keep Python's display of them
    pq.write_table(pa.table({"code": pa.array(codes, pa.binary()), "text": pa.array([t.encode() for t in texts],
                                                                                   pa.binary())}), tmp_path / "in.parquet")
    rows = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / f"out{suffix}", jobs=1,
                                progress=False).output)
    assert [r["text"] for r in rows] == texts
    assert [r["code"] for r in rows] == [str(c) for c in codes]


def test_a_tagged_workbook_keeps_types_sheet_name_and_is_ready_to_use(default_model, tmp_path):
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "三月投诉"
    sheet.append(["id", "date", "amount", "text"])
    sheet.append(["A1", datetime.datetime(2025, 3, 5), 128.5, "=SUM(A1:A9) 秤不准"])
    sheet.append(["A2", datetime.datetime(2025, 3, 6, 14, 30), 0, "信用卡被盗刷"])
    sheet["D2"].data_type = "s"  # a text that looks like a formula, as Excel stores '=SUM…
    workbook.save(tmp_path / "in.xlsx")
    tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.xlsx", jobs=1, progress=False)
    result = load_workbook(tmp_path / "out.xlsx")
    assert result.sheetnames == ["三月投诉"]
    out = result["三月投诉"]
    assert out.freeze_panes == "A2" and out.auto_filter.ref == "A1:J3"
    header = [c.value for c in out[1]]
    first = dict(zip(header, out[2]))
    assert first["date"].value == datetime.datetime(2025, 3, 5) and first["date"].is_date
    assert first["amount"].value == 128.5 and first["confidence"].data_type == "n"
    assert first["needs_review"].data_type == "b"
    assert first["text"].value == "=SUM(A1:A9) 秤不准" and first["text"].data_type == "s"
    # the same workbook to CSV: values as a person sees them in the sheet
    rows = read_output(tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.csv", jobs=1,
                                progress=False).output)
    assert [(r["date"], r["amount"]) for r in rows] == [("2025-03-05", "128.5"), ("2025-03-06 14:30:00", "0")]



@pytest.mark.parametrize("stem, title", [("'投诉'", "投诉"), ("'三月", "三月"), ("History", "History_"),
                                         ("history", "history_"), ("a[1]:*?", "a_1____"),
                                         ("投" * 30 + "'x", "投" * 30), ("''", "tagged")])
def test_a_tagged_xlsx_sheet_is_named_by_microsofts_rules(default_model, tmp_path, stem, title):
    # A helper's pass (h5): a sheet named from '投诉'.csv began and ended with ', and one from History.csv was named
    # History, both names Microsoft's rules forbid (Excel may repair the file as it opens it); only the length and
    # []:*?/\ were seen to.
    source = tmp_path / f"{stem}.csv"
    source.write_text("id,text\n1,秤不准\n", encoding="utf-8")
    tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False)
    assert load_workbook(tmp_path / "out.xlsx").sheetnames == [title]


def test_a_tagged_workbook_shows_numbers_and_dates_in_the_formats_of_the_input(default_model, tmp_path):
    # Percentages, amounts in yuan and 年月日 dates came out of a workbook as bare values (0.155,
    # 1234.5, 2025-03-05): a desk's columns changed how they read. Each column of the output shows its
    # numbers and dates in the format its input cells had.
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编号", "受理日期", "占比", "金额", "投诉内容"])
    sheet.append([1, datetime.datetime(2025, 3, 5), 0.155, 1234.5, "秤不准，少了二两"])
    sheet.append([2, datetime.datetime(2025, 3, 6), "不详", 88, "冰箱不制冷"])
    formats = {"B": 'yyyy"年"m"月"d"日"', "C": "0.0%", "D": '"¥"#,##0.00'}
    for column, number_format in formats.items():
        for row in (2, 3):
            sheet[f"{column}{row}"].number_format = number_format
    workbook.save(tmp_path / "in.xlsx")
    tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.xlsx", jobs=1, progress=False)
    out = load_workbook(tmp_path / "out.xlsx").active
    header = [c.value for c in out[1]]
    rows = [dict(zip(header, row)) for row in out.iter_rows(min_row=2)]
    assert [rows[0][name].number_format for name in ("受理日期", "占比", "金额")] == list(formats.values())
    assert [rows[1][name].number_format for name in ("受理日期", "金额")] == [formats["B"], formats["D"]]
    assert (rows[0]["占比"].value, rows[0]["金额"].value, rows[1]["占比"].value) == (0.155, 1234.5, "不详")
    assert rows[1]["占比"].number_format == "General"  # a text among them is text
    assert rows[0]["confidence"].number_format == "0.00%"  # the added column's own, whatever the input's

def test_a_text_longer_than_an_excel_cell_is_refused_before_writing(default_model, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1," + "漏" * 40_000 + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="at most 32,767"):
        tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False)
    assert not (tmp_path / "out.xlsx").exists()


def test_an_old_xls_workbook_is_read_and_never_written(default_model, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet, notes = workbook.add_sheet("投诉"), workbook.add_sheet("说明")
    for r, row in enumerate([["id", "text"], ["1", "秤不准少了二两"], ["2", "信用卡被盗刷"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    notes.write(0, 0, "内部说明")
    notes.visibility = 1  # hidden: not a second data sheet
    workbook.save(str(tmp_path / "old.xls"))
    rows = read_output(tag_file(default_model, tmp_path / "old.xls", tmp_path / "out.csv", jobs=1,
                                progress=False).output)
    assert [(r["id"], r["category"]) for r in rows] == [("1", "price_measurement"), ("2", "financial")]
    summary = tag_file(default_model, tmp_path / "old.xls", tmp_path / "out2.csv", jobs=1, progress=False)
    assert summary.other_sheets == [("说明", True)]  # left out of the output, and said to be
    with pytest.raises(ValueError, match="write .xlsx"):
        tag_file(default_model, tmp_path / "old.xls", tmp_path / "out.xls", jobs=1, progress=False)




def test_a_format_is_kept_only_where_a_columns_numbers_or_dates_all_share_it(default_model, tmp_path):
    # The first number or date of a column gave its format to all of them, header row included: a
    # heading typed as 2023年1月 turned the counts below it into dates of 1900, a date in a column of
    # percentages became 44958, a 7 among codes of format 000000 became the text 000007 once read.
    import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编号", "投诉内容", datetime.datetime(2023, 1, 1), "比例", "邮编", "受理时间"])
    sheet.append(["A1", "买的手机屏幕碎了", 5, 0.155, 100101, datetime.datetime(2023, 1, 5)])
    sheet.append(["A2", "健身房老板跑路了", 7, datetime.datetime(2023, 2, 1), 7, datetime.datetime(2023, 1, 6, 14, 30)])
    for cell, number_format in {"C1": "yyyy年m月", "D2": "0.0%", "D3": "yyyy-mm-dd", "E2": "000000",
                                "E3": "General", "F2": "yyyy-mm-dd", "F3": "yyyy-mm-dd hh:mm"}.items():
        sheet[cell].number_format = number_format
    workbook.save(tmp_path / "in.xlsx")
    tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.xlsx", jobs=1, progress=False)
    out = load_workbook(tmp_path / "out.xlsx").active
    assert [(c.value, c.number_format) for c in out["C"][1:]] == [(5, "General"), (7, "General")]
    assert [(c.value, c.number_format) for c in out[2][3:6]] == [
        (0.155, "0.0%"), ("100101", "General"), (datetime.datetime(2023, 1, 5), "yyyy-mm-dd")]
    assert [(c.value, c.number_format) for c in out[3][3:6]] == [
        (datetime.datetime(2023, 2, 1), "yyyy-mm-dd"), (7, "General"),
        (datetime.datetime(2023, 1, 6, 14, 30), "yyyy-mm-dd hh:mm:ss")]


def test_an_old_xls_workbooks_number_formats_reach_the_xlsx_output(default_model, tmp_path):
    # Excel's built-in short date (format 14: 2023/1/5 on a Chinese desktop) went out as the custom US
    # format m/d/yy that xlrd names it by (1/5/23): built-in formats keep their number.
    import datetime

    from openpyxl.styles.numbers import BUILTIN_FORMATS

    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("投诉")
    for c, value in enumerate(["id", "占比", "日期", "text"]):
        sheet.write(0, c, value)
    share, short_date = xlwt.easyxf(num_format_str="0.0%"), xlwt.easyxf(num_format_str="M/D/YY")  # the latter: 14
    for r, (value, text) in enumerate([(0.155, "秤不准少了二两"), (0.5, "信用卡被盗刷")], start=1):
        sheet.write(r, 0, r)
        sheet.write(r, 1, value, share)
        sheet.write(r, 2, datetime.datetime(2023, 1, 4 + r), short_date)
        sheet.write(r, 3, text)
    workbook.save(str(tmp_path / "old.xls"))
    tag_file(default_model, tmp_path / "old.xls", tmp_path / "out.xlsx", jobs=1, progress=False)
    out = load_workbook(tmp_path / "out.xlsx").active
    assert [(c.value, c.number_format) for c in out["B"][1:]] == [(0.155, "0.0%"), (0.5, "0.0%")]
    assert [(c.value, c.number_format) for c in out["C"][1:]] == [
        (datetime.datetime(2023, 1, 5), BUILTIN_FORMATS[14]), (datetime.datetime(2023, 1, 6), BUILTIN_FORMATS[14])]
    assert [c.number_format for c in out["A"][1:]] == ["General", "General"]



def test_an_xls_date_in_a_chinese_built_in_format_with_no_format_record_is_written(default_model, tmp_path):
    # Chinese Excel's built-in 年月日 formats (27-36, 50-58) may have no format record in an .xls: xlrd
    # names them None, which became the column's format, and .xlsx output failed after all tagging.
    import datetime
    import struct

    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("投诉")
    sheet.write(0, 0, "投诉内容")
    sheet.write(0, 1, "日期")
    for r, text in enumerate(["秤不准少了二两", "信用卡被盗刷"], start=1):
        sheet.write(r, 0, text)
        sheet.write(r, 1, datetime.datetime(2024, 1, 4 + r), xlwt.easyxf(num_format_str='yyyy"年"m"月"d"日"'))
    workbook.save(str(tmp_path / "src.xls"))
    raw = bytearray((tmp_path / "src.xls").read_bytes())
    at = raw.index(b"\x09\x08\x10\x00\x00\x06\x05\x00")  # the workbook's first record
    while struct.unpack_from("<H", raw, at)[0] != 0x000A:  # up to the end of the workbook's globals
        kind, length = struct.unpack_from("<HH", raw, at)
        if kind == 0x00E0 and struct.unpack_from("<H", raw, at + 6)[0] >= 164:  # a cell style's format
            struct.pack_into("<H", raw, at + 6, 31)  # the built-in 年月日, with no record of its own
        at += 4 + length
    (tmp_path / "in.xls").write_bytes(raw)
    tag_file(default_model, tmp_path / "in.xls", tmp_path / "out.xlsx", jobs=1, progress=False)
    out = load_workbook(tmp_path / "out.xlsx").active
    assert [(c.value, c.number_format) for c in out["B"][1:]] == [
        (datetime.datetime(2024, 1, 5), "yyyy-mm-dd"), (datetime.datetime(2024, 1, 6), "yyyy-mm-dd")]

def test_a_json_number_no_float_holds_comes_back_as_written(default_model, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "big": 1e400, "small": 2.5, "text": "秤不准"}\n', encoding="utf-8")
    out = tag_file(default_model, source, tmp_path / "out.jsonl", jobs=1, progress=False).output
    line = out.read_text(encoding="utf-8")
    assert '"big": 1e400' in line and "Infinity" not in line and '"small": 2.5' in line
    assert read_output(tag_file(default_model, source, tmp_path / "out.csv", jobs=1,
                                progress=False).output)[0]["big"] == "1e400"


def test_a_json_nan_is_kept_and_a_missing_key_stays_missing(default_model, tmp_path):
    # NaN marked the keys a record lacked, so a record's own NaN was dropped from JSONL output.
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "score": NaN, "text": "秤不准"}\n{"id": 2, "text": "漏水"}\n', encoding="utf-8")
    out = tag_file(default_model, source, tmp_path / "out.jsonl", jobs=1, progress=False).output
    first, second = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    assert "score" in first and first["score"] != first["score"] and "score" not in second
    pq.write_table(pa.table({"x": [1.5, None], "d": [datetime.date(2025, 1, 1), None], "text": ["秤不准", "漏水"]}),
                   tmp_path / "in.parquet")
    out = tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out2.jsonl", jobs=1, progress=False).output
    second = json.loads(out.read_text(encoding="utf-8").splitlines()[1])
    assert second["x"] is None and second["d"] is None  # Parquet nulls are JSON nulls


def test_json_infinities_and_nan_reach_xlsx_output_as_their_text(default_model, tmp_path):
    # A helper's pass (h5): Infinity, -Infinity and NaN came out of .xlsx output as blank cells without a word: an
    # Excel cell holds no such number. They are written as the JSON Lines file spelt them, text a desk can check.
    source = tmp_path / "in.jsonl"
    source.write_text('{"n": Infinity, "text": "秤不准"}\n{"n": -Infinity, "text": "漏水"}\n{"n": NaN, "text": "漏水"}\n'
                      '{"n": 5, "text": "漏水"}\n{"n": null, "text": "漏水"}\n{"text": "漏水"}\n', encoding="utf-8")
    out = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False).output
    cells = load_workbook(out).active["A"][1:]
    assert [c.value for c in cells] == ["Infinity", "-Infinity", "NaN", 5, None, None]
    assert [c.data_type for c in cells[:3]] == ["s"] * 3


@pytest.mark.parametrize("chunk_size", [1, 2, 5000])
def test_a_json_nan_and_an_empty_text_beside_numbers_reach_parquet_output_as_written(default_model, tmp_path,
                                                                                       chunk_size):
    # A helper's pass: both came out null, as a missing key does (pyarrow takes every NaN of an object column for
    # a missing value; "" among numbers was taken for a blank workbook cell), though Parquet holds a NaN and JSON's
    # "" is a value. A NaN beside words is its text, as in CSV output; a lone surrogate beside them (a broken emoji,
    # replaced before the part is written again) changes neither.
    source = tmp_path / "in.jsonl"
    source.write_text('{"n": 5, "s": 1, "w": "无", "text": "秤不准"}\n{"n": NaN, "s": "", "w": NaN, "text": "漏水\\ud83d"}\n'
                      '{"n": null, "s": null, "w": null, "text": "漏水"}\n{"text": "漏水"}\n', encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False, chunk_size=chunk_size)
    table = pq.read_table(summary.output)
    numbers = table.column("n").to_pylist()
    assert numbers[0] == 5 and math.isnan(numbers[1]) and numbers[2:] == [None, None]
    assert table.column("s").to_pylist() == ["1", "", None, None] and "「s」" in str(summary)
    assert table.column("w").to_pylist() == ["无", "nan", None, None]


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_a_json_nan_beside_numbers_reaches_csv_and_tsv_output_as_written(default_model, tmp_path, suffix):
    # A helper's pass: {"n": NaN} beside {"n": 5} came out of CSV and TSV output as an empty cell, as a null does,
    # while beside words it was written nan: the NaN was lost. It is nan in both now; a null stays empty.
    source = tmp_path / "in.jsonl"
    source.write_text('{"n": 5, "w": "无", "text": "秤不准"}\n{"n": NaN, "w": NaN, "text": "漏水"}\n'
                      '{"n": null, "w": null, "text": "漏水"}\n', encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / f"out{suffix}", jobs=1, progress=False)
    rows = pd.read_csv(summary.output, sep="\t" if suffix == ".tsv" else ",", dtype=str, keep_default_na=False)
    assert rows["n"].tolist() == ["5", "nan", ""] and rows["w"].tolist() == ["无", "nan", ""]


def test_a_blank_workbook_cell_beside_numbers_is_still_null_in_parquet_output(default_model, tmp_path, write_workbook):
    source = write_workbook(tmp_path / "in.xlsx", {"投诉": [["金额", "投诉内容"], [12.5, "秤不准"], [None, "漏水"]]})
    table = pq.read_table(tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False).output)
    assert table.column("金额").to_pylist() == [12.5, None]


@pytest.mark.parametrize("chunk_size", [1, 2, 5000])
def test_an_empty_json_object_reaches_parquet_output_as_written(default_model, tmp_path, chunk_size):
    # Parquet holds no struct without fields: a JSON Lines archive holding {} (an empty "attachments" or "extra"),
    # at any depth, stopped every run to Parquet at its first chunk with pyarrow's "Cannot write struct type 'o'
    # with no child field"; beside objects with keys in one chunk, {} came out as {"a": null}.
    objects = [{}, {"a": 1}, {"a": 2, "b": [{}]}, {"a": {}}, None]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"text": "秤不准", "o": o}) + "\n" for o in objects), encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False, chunk_size=chunk_size)
    written = pq.read_table(summary.output).column("o").to_pylist()
    assert [None if o is None else json.loads(o) for o in written] == objects
    assert "「o」列" in str(summary)


@pytest.mark.slow  # a row of 16,381 cells
def test_more_columns_than_an_excel_sheet_holds_are_refused(default_model, tmp_path):
    source = tmp_path / "wide.csv"
    names = ["text"] + [f"c{i}" for i in range(16_380)]
    source.write_text(",".join(names) + "\n" + ",".join(["漏水"] + ["x"] * 16_380) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="at most 16,384"):
        tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False)
    assert not (tmp_path / "out.xlsx").exists()


def test_cells_of_200000_letters_or_digits_are_tagged_without_stalling(default_model, tmp_path):
    source = tmp_path / "long.csv"
    source.write_text("id,text\n1," + "a" * 200_000 + "\n2,\"" + "1," * 100_000 + "\"\n", encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.rows_out == 2  # minutes before (quadratic patterns); about a second now


@pytest.mark.parametrize("edited", ["称不准第39次", "面包发霉了第39次"], ids=["same length", "longer"])
def test_an_input_changed_while_it_is_tagged_is_refused_not_mixed(default_model, tmp_path, monkeypatch, edited):
    # A (resumed) run read some chunks of the old file and some of the edited one, and said nothing.
    from consumer_nlp.tagging import _run

    source = tmp_path / "in.csv"
    source.write_text("id,text\n" + "".join(f"{n},秤不准第{n}次\n" for n in range(40)), encoding="utf-8")
    original = _run._tag_chunk

    def edit_then_tag(*work, **state):
        if work[0] == 1:  # a colleague saves the file while the run goes on
            source.write_text(source.read_text("utf-8").replace("秤不准第39次", edited), "utf-8")
        return original(*work, **state)

    monkeypatch.setattr(_run, "_tag_chunk", edit_then_tag)
    with pytest.raises(ValueError, match="changed while it was tagged"):
        tag_file(default_model, source, tmp_path / "out.csv", jobs=1, chunk_size=10, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_resume_and_restart_together_are_refused(default_model, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n", encoding="utf-8")
    with pytest.raises(ValueError, match="resume=True.*restart=True"):
        tag_file(default_model, source, tmp_path / "out.csv", resume=True, restart=True, progress=False)



def _tag_in_threads(runs, joined) -> dict:
    """Each run's ``tag_file`` arguments run in a thread of its own, all at once: what each returned or raised
    (``joined``: the fixture, which fails the test if one has not ended in time)."""
    import threading

    results = {}

    def run(name, args, kwargs):
        try:
            results[name] = tag_file(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 (told by the test)
            results[name] = error

    threads = [threading.Thread(target=run, args=(name, *call)) for name, call in runs.items()]
    for thread in threads:
        thread.start()
    joined(threads, 300)
    return results


def test_a_file_is_tagged_from_a_thread_other_than_the_main_one(default_model, tmp_path, joined):
    # A notebook's background thread, a Streamlit script (run in a thread of its own) or a web handler failed with
    # "signal only works in main thread of the main interpreter": the run took SIGTERM and Ctrl-C wherever it ran.
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准，少了二两\n2,信用卡被盗刷\n", encoding="utf-8")
    result = _tag_in_threads({"one": ((default_model, source, tmp_path / "out.csv"), {"progress": False, "jobs": 1})},
                             joined)
    assert not isinstance(result["one"], Exception), result["one"]
    tags = default_model.tag(["秤不准，少了二两", "信用卡被盗刷"])
    assert [r["category"] for r in read_output(tmp_path / "out.csv")] == [t["category"] for t in tags]


def test_worker_processes_started_from_a_thread_are_not_forked_and_tag_the_same_rows(default_model, tmp_path,
                                                                                      monkeypatch, joined):
    # From a thread other than the main one, the workers were forked from a process running threads (Python 3.12
    # warns): a lock another thread held at the fork, such as the main thread's, stays held in the worker for ever.
    source = tmp_path / "in.csv"
    texts = ["秤不准，少了二两", "信用卡被盗刷", "外卖里吃出头发", "保健品说能根治高血压", "快递一直不到", ""]
    pd.DataFrame({"id": range(60), "text": texts * 10}).to_csv(source, index=False)
    settings = {"jobs": 2, "chunk_size": 5, "progress": False}
    tag_file(default_model, source, tmp_path / "main.csv", **settings)

    def fork():
        raise AssertionError("a worker was forked from a thread other than the main one")

    monkeypatch.setattr(os, "fork", fork)
    result = _tag_in_threads({"thread": ((default_model, source, tmp_path / "thread.csv"), settings)}, joined)
    assert not isinstance(result["thread"], Exception), result["thread"]
    assert read_output(tmp_path / "thread.csv") == read_output(tmp_path / "main.csv")
    assert len(read_output(tmp_path / "thread.csv")) == 60


def test_two_files_tagged_at_once_in_threads_each_get_their_own_rows(default_model, small_model, tmp_path, joined):
    # The main process tagged its chunks with the model, text column and checkpoint folder of whichever run began
    # last (one record for the whole process): a run's chunks could be tagged by the other's model, or written into
    # the other's checkpoint.
    texts = {"a": ["秤不准，少了二两", "信用卡被盗刷", "外卖里吃出头发"], "b": ["保健品说能根治高血压", "快递一直不到"]}
    runs = {}
    for name, column, model in (("a", "text", default_model), ("b", "投诉内容", small_model)):
        source = tmp_path / f"{name}.csv"
        rows = [{"id": f"{name}{i}", column: text} for i, text in enumerate(texts[name] * 40)]
        pd.DataFrame(rows).to_csv(source, index=False)
        runs[name] = ((model, source, tmp_path / f"{name}.out.csv"), {"chunk_size": 1, "jobs": 1, "progress": False})
    results = _tag_in_threads(runs, joined)
    for name, (args, _) in runs.items():
        assert not isinstance(results[name], Exception), results[name]
        out = read_output(args[2])
        expected = [t["category"] for t in args[0].tag(texts[name] * 40)]
        assert [r["id"] for r in out] == [f"{name}{i}" for i in range(len(expected))]
        assert [r["category"] for r in out] == expected, name



@pytest.mark.parametrize("key", ["chunking", "parts", "software", "read_as"])
def test_a_checkpoint_whose_chunks_were_cut_or_written_another_way_is_not_resumed(default_model, tmp_path, key):
    # Chunks are found again by their numbers. When a release changed how many rows a chunk holds
    # (a cap on a chunk's cells; bad rows counting towards it), a checkpoint of the release before
    # was resumed and its finished chunks overlapped the new ones: 455 rows written twice in 20,000.
    # When one changed how values are written (time spans), a resumed column mixed both ways.
    from consumer_nlp.tagging._spool import prepare_spool, run_manifest

    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,秤不准\n", encoding="utf-8")
    spool = tmp_path / ".out.csv.parts"
    prepare_spool(spool, run_manifest(source, default_model, chunk_size=10), resume=False, restart=False)
    (spool / "0000000.json").write_text("{}", "utf-8")
    saved = json.loads((spool / "manifest.json").read_text("utf-8"))
    del saved[key]  # what releases before 2026-12-05 wrote
    (spool / "manifest.json").write_text(json.dumps(saved), "utf-8")
    with pytest.raises(ValueError, match="earlier release.*restart=True"):
        prepare_spool(spool, run_manifest(source, default_model, chunk_size=10), resume=True, restart=False)

def test_a_checkpoint_tagged_by_other_software_is_not_resumed(default_model, tmp_path, monkeypatch):
    # The checkpoint named the model but not the code and libraries that applied it: a run stopped, then resumed
    # after an upgrade (pip install -U; a web server restarted on a new release goes on from its batch's chunks by
    # itself) joined chunks tagged by two versions of the normalisation, segmenter and scores, without a word.
    from importlib import metadata

    from consumer_nlp.tagging import _run

    source = tmp_path / "in.csv"
    source.write_text("id,text\n" + "".join(f"{i},第{i:02d}号秤不准\n" for i in range(6)), encoding="utf-8")
    output = tmp_path / "out.csv"
    monkeypatch.setattr(_run, "join_parts", lambda *args, **options: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        tag_file(default_model, source, output, jobs=1, chunk_size=2, progress=False)
    monkeypatch.undo()
    installed = metadata.version
    monkeypatch.setattr(metadata, "version",
                        lambda name: "99.0" if name == "scikit-learn" else installed(name))  # upgraded meanwhile
    with pytest.raises(CheckpointError, match=r"different run \(changed: software\).*restart=True"):
        tag_file(default_model, source, output, jobs=1, chunk_size=2, progress=False, resume=True)
    tag_file(default_model, source, output, jobs=1, chunk_size=2, progress=False, restart=True)
    assert [str(row["id"]) for row in read_output(output)] == [str(i) for i in range(6)]


def test_a_checkpoint_resumes_after_its_folder_moved_and_says_what_is_damaged(default_model, tmp_path):
    # The checkpoint named the input by its full path: moved to a bigger disk, the same file was
    # "a different run". An empty manifest (a full disk) was a bare JSON error.
    from consumer_nlp.tagging._spool import prepare_spool, run_manifest

    first, moved = tmp_path / "a" / "in.csv", tmp_path / "b" / "in.csv"
    for path in (first, moved):
        path.parent.mkdir()
        path.write_text("id,text\n1,秤不准\n", encoding="utf-8")
    spool = tmp_path / "b" / ".out.csv.parts"
    prepare_spool(spool, run_manifest(first, default_model, chunk_size=10), resume=False, restart=False)
    (spool / "0000000.json").write_text("{}", "utf-8")
    assert prepare_spool(spool, run_manifest(moved, default_model, chunk_size=10), resume=True, restart=False) == {0}
    saved = json.loads((spool / "manifest.json").read_text("utf-8"))
    saved["input"]["path"] = str(first)  # what releases before 2026-12-04 wrote: they named the input by path
    (spool / "manifest.json").write_text(json.dumps(saved), "utf-8")
    with pytest.raises(ValueError, match="earlier release.*restart=True") as refused:
        prepare_spool(spool, run_manifest(moved, default_model, chunk_size=10), resume=True, restart=False)
    assert "changed: input" not in str(refused.value)
    (spool / "manifest.json").write_text("", "utf-8")
    with pytest.raises(ValueError, match="manifest.json is damaged.*restart=True"):
        prepare_spool(spool, run_manifest(moved, default_model, chunk_size=10), resume=True, restart=False)


def test_a_checkpoint_is_never_left_half_deleted(tmp_path, monkeypatch):
    # Its files were deleted one by one: a run killed meanwhile left records whose parts were gone,
    # and --resume then failed on a missing file.
    from consumer_nlp.io import _paths
    from consumer_nlp.tagging import _spool

    spool = tmp_path / ".out.csv.parts"
    spool.mkdir()
    for n in range(3):
        (spool / f"{n:07d}.csv").write_text("x", "utf-8")
        (spool / f"{n:07d}.json").write_text("{}", "utf-8")

    def killed_midway(path, *args, **kwargs):
        next(Path(path).iterdir()).unlink()
        raise KeyboardInterrupt

    monkeypatch.setattr(_paths.shutil, "rmtree", killed_midway)  # io.remove_aside removes the spool
    with pytest.raises(KeyboardInterrupt):
        _spool.remove_spool(spool)
    assert not spool.exists()


def test_bytes_that_are_not_utf8_in_a_parquet_text_column_name_their_row(default_model, tmp_path, capsys):
    texts = [f"秤不准{n}".encode() for n in range(30)]
    texts[17] = b"\xff\xfe bad"
    pq.write_table(pa.table({"id": list(range(30)), "text": pa.array(texts, pa.binary())}), tmp_path / "in.parquet")
    # its 18th record, as the reader places it (a Parquet file has no header row), as read_labeled and the web name it
    with pytest.raises(ArchiveError, match=r"UTF-8 text; these rows do not: row 18「") as refused:
        tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.csv", jobs=1, chunk_size=10, progress=False)
    # The rows were named 第18行 inside a plain ValueError's English: said in English by the library, in Chinese by
    # the command line and the web, from its kind.
    from consumer_nlp.cli import main
    from consumer_nlp.web._workspace import in_chinese

    assert refused.value.problem == "text_bytes" and refused.value.details == {
        "column": "text", "rows": [(18, "b'\\xff\\xfe bad'")], "index": False}
    said = "「text」列的第18行「b'\\xff\\xfe bad'」不是文字，而是无法按 UTF-8 读出的字节"
    assert in_chinese(refused.value) == f"{said}。请让导出这个文件的人把这一列存为 UTF-8 文字（字符串）后再上传。"
    assert main(["tag", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "cli.csv"), "-q", "--jobs", "1"]) == 2
    assert capsys.readouterr().err.startswith(f"consumer-nlp: 错误：{said}。请让导出这个文件的人")


def test_column_names_under_a_group_row_are_pointed_to(default_model, tmp_path, write_workbook):
    # A sheet whose column names stand under a row of group names (基本信息 over 编号 and 日期) was
    # refused with "cannot tell which column holds the complaint text" and no word of header_row;
    # naming a column instead tagged the names' row as a complaint. The error now says which row
    # holds the names, and that row tags as the header.
    rows = [["基本信息", None, "投诉信息", None], ["编号", "日期", "投诉内容", "渠道"],
            ["1", "2025-01-01", "充电器冒烟了", "热线"], ["2", "2025-01-02", "秤不准少了二两", "网站"]]
    source = write_workbook(tmp_path / "in.xlsx", {"登记": rows})
    with pytest.raises(ValueError, match=r"Row 2 looks like the column names \(it holds '投诉内容'\).*header_row=2"):
        tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False)
    summary = tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False, header_row=2)
    assert [r["编号"] for r in read_output(summary.output)] == ["1", "2"]


def test_the_text_column_of_an_xlsx_output_is_wide_whatever_its_name(default_model, tmp_path, write_workbook):
    # Only a column literally named "text" was widened: a 投诉内容 column came out 14 characters wide,
    # its complaints cut to a few words on screen.
    from openpyxl.utils import get_column_letter

    source = write_workbook(tmp_path / "in.xlsx", {"s": [["编号", "投诉内容"], ["1", "洗衣机用了一周就漏水，联系客服没人理"]]})
    summary = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False)
    sheet = load_workbook(summary.output)["s"]
    widths = {sheet.cell(row=1, column=i).value: sheet.column_dimensions[get_column_letter(i)].width
              for i in range(1, sheet.max_column + 1)}
    assert widths["投诉内容"] == widths["top_terms"] == 60 and widths["编号"] == 14
    assert sheet.cell(row=2, column=list(widths).index("needs_review") + 1).value in (True, False)


def test_a_merged_channel_is_given_to_every_row_and_the_summary_says_so(default_model, tmp_path):
    # A channel merged down three rows came out on the first only; the report counted the others as （空）.
    from openpyxl import Workbook

    workbook = Workbook()
    for row in (["编号", "渠道", "投诉内容"], [1, "12315热线", "冰箱不制冷"], [2, None, "秤不准，少了二两"],
                [3, None, "手机屏幕碎了"]):
        workbook.active.append(row)
    workbook.active.merge_cells("B2:B4")
    workbook.save(tmp_path / "in.xlsx")
    summary = tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.csv", jobs=1, progress=False)
    assert [r["渠道"] for r in read_output(summary.output)] == ["12315热线"] * 3
    assert summary.merged == ["B2:B4"] and "合并单元格 B2:B4：所跨的每一行都按合并格的值填写" in str(summary)


def test_a_text_holding_an_excel_escape_comes_back_as_written(default_model, tmp_path):
    # A text holding "_x0041_" was written raw and read back as "A": Excel writes such text as _x005F_x0041_.
    source = tmp_path / "in.jsonl"
    # back to back, and before a character the writer escapes itself: each look-alike escaped; U+FFFE
    # and U+FFFF, which XML cannot hold, escaped too (written raw, the file could not be read back)
    texts = ["型号_x0041_漏水", "电视机_x0041_x0042_坏了", "前_x005F_x0041_后", "型号_x0041\r漏水", "型号_x0041\x0b漏水",
             "字\ufffe\uffff"]
    source.write_text("".join(json.dumps({"text": text}) + "\n" for text in texts), encoding="utf-8")
    out = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False).output
    assert next(open_archive(out).chunks()).rows["text"].tolist() == texts


def test_a_long_text_of_many_line_breaks_is_written_whole_to_xlsx(default_model, tmp_path):
    # Written with Excel's escape for each carriage return it would pass openpyxl's 32,767-character
    # cut: such a text goes unescaped, whole.
    text = "冰箱不制冷。\r\n" * 4000
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False).output
    read_back = next(open_archive(out).chunks()).rows["text"].tolist()[0]
    assert read_back.replace("\r", "") == text.replace("\r", "")


def test_rows_hidden_in_excel_are_tagged_and_the_summary_says_how_many(default_model, tmp_path):
    # Rows a desk filtered out (已撤诉) were tagged and counted without a word.
    from openpyxl import Workbook

    workbook = Workbook()
    for row in (["编号", "状态", "投诉内容"], [1, "受理", "冰箱不制冷"], [2, "已撤诉", "秤不准"], [3, "受理", "漏水"]):
        workbook.active.append(row)
    workbook.active.row_dimensions[3].hidden = True
    workbook.save(tmp_path / "in.xlsx")
    summary = tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.csv", jobs=1, progress=False)
    assert [r["编号"] for r in read_output(summary.output)] == ["1", "2", "3"]
    assert summary.hidden_rows == 1 and "其中 1 行在 Excel 里是隐藏的（筛选或隐藏行），也已标注" in str(summary)


def _workbook_a_desk_sends_on(path):
    """A workbook whose table starts in column B (each column's letter moves one to the left in the output), with
    a blank row (skipped), a hidden 身份证 column, a hidden row (case 2), a 查看 link to each case and a comment."""
    from openpyxl.comments import Comment

    workbook = Workbook()
    sheet = workbook.active
    for row in ([None, "编号", "身份证", "查看", "投诉内容"], [None, 1, "440101199001011234", "查看", "冰箱不制冷"],
                [None, None, None, None, None], [None, 2, "440101199001015678", "查看", "秤不准"],
                [None, 3, "440101199001019999", "查看", "漏水"]):
        sheet.append(row)
    sheet.column_dimensions["C"].hidden = True
    sheet.row_dimensions[4].hidden = True
    for row, case in ((2, 1), (4, 2), (5, 3)):
        sheet.cell(row=row, column=4).hyperlink = f"https://cases.example.cn/case?id={case}"
    sheet["E5"].comment = Comment("消费者已撤诉", "王芳")
    workbook.save(path)
    return path


def hidden_columns_and_rows(sheet) -> tuple[list, list]:
    """The letters of the hidden columns and the numbers of the hidden rows of an openpyxl ``sheet``."""
    return ([letter for letter, dimension in sheet.column_dimensions.items() if dimension.hidden],
            [n for n in range(1, sheet.max_row + 1) if sheet.row_dimensions[n].hidden])


@pytest.mark.parametrize("chunk_size", [1, 5000])
def test_hidden_columns_and_rows_of_a_workbook_stay_hidden_in_its_tagged_xlsx(default_model, tmp_path, chunk_size):
    # A 身份证 column a desk hid before sending the file on came out shown, and so did hidden rows, without a word.
    tag_file(default_model, _workbook_a_desk_sends_on(tmp_path / "in.xlsx"), tmp_path / "out.xlsx", jobs=1,
             progress=False, chunk_size=chunk_size)
    out = load_workbook(tmp_path / "out.xlsx").active
    assert [c.value for c in out[1]][:4] == ["编号", "身份证", "查看", "投诉内容"]
    assert hidden_columns_and_rows(out) == (["B"], [3])  # 身份证, and case 2's row: nothing else


@pytest.mark.parametrize("chunk_size", [1, 5000])
def test_links_and_comments_of_a_workbook_reach_its_tagged_xlsx(default_model, tmp_path, chunk_size):
    # A case system's 查看 links kept their text but lost their address, and comments were gone, without a word.
    tag_file(default_model, _workbook_a_desk_sends_on(tmp_path / "in.xlsx"), tmp_path / "out.xlsx", jobs=1,
             progress=False, chunk_size=chunk_size)
    out = load_workbook(tmp_path / "out.xlsx").active
    assert [(c.value, c.hyperlink.target if c.hyperlink else None) for c in out["C"][1:]] == [
        ("查看", f"https://cases.example.cn/case?id={case}") for case in (1, 2, 3)]
    assert [(c.coordinate, c.comment.text, c.comment.author) for row in out.iter_rows(min_row=2) for c in row
            if c.comment] == [("D4", "消费者已撤诉", "王芳")]


def test_a_workbook_in_the_1904_date_system_is_tagged_into_one_in_the_same_system(default_model, tmp_path):
    # A workbook of old Mac Excel counts its days from 1904: its tagged .xlsx, in the 1900 system, showed a date column
    # formatted as a number (44259 for 2025-03-05) as days four years and a day earlier, and its report read them so.
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from consumer_nlp import report_archive

    workbook = Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    for row in [["投诉内容", "投诉日期", "受理时间"], ["冰箱不制冷", 44259, datetime.datetime(2025, 3, 5, 9, 30)]]:
        workbook.active.append(row)
    workbook.save(tmp_path / "mac.xlsx")
    tag_file(default_model, tmp_path / "mac.xlsx", tmp_path / "out.xlsx", jobs=1, progress=False)
    out = load_workbook(tmp_path / "out.xlsx")
    assert out.epoch == CALENDAR_MAC_1904
    assert [out.active["B2"].value, out.active["C2"].value] == [44259, datetime.datetime(2025, 3, 5, 9, 30)]
    report = report_archive(tmp_path / "out.xlsx", progress=False)
    assert report.tables["by_period"]["合计"].to_dict() == {"2025-03": 1}


def test_day_numbers_of_a_1904_workbook_tagged_into_text_are_said_in_the_summary(default_model, tmp_path):
    # A text output holds a 1904 workbook's day numbers (44259 for 2025-03-05) as bare numbers, which Excel and the
    # report read by the 1900 system (2021-03-04), without a word. The summary names such columns and says to write
    # .xlsx; a date column of dates, a 1900 workbook and an .xlsx output get no note.
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from consumer_nlp.messages import summary_in_chinese

    def workbook(name, epoch_1904, days):
        book = Workbook()
        if epoch_1904:
            book.epoch = CALENDAR_MAC_1904
        for row in [["投诉内容", "投诉日期", "受理时间", "金额"], ["冰箱不制冷", days[0], datetime.datetime(2025, 3, 5, 9), 44300],
                    ["秤不准", days[1], datetime.datetime(2025, 3, 6), 12.5]]:
            book.active.append(row)
        book.save(tmp_path / name)
        return tmp_path / name

    def notes(source, output):
        summary = tag_file(default_model, source, tmp_path / output, jobs=1, progress=False, force=True)
        return [line for line in summary_in_chinese(summary, {"output_path": "-o"}).splitlines() if "1904 日期系统" in line]

    mac = workbook("mac.xlsx", True, [44259, 44260])
    for output in ("out.csv", "out.jsonl", "out.parquet"):
        said = notes(mac, output)
        assert len(said) == 1 and "「投诉日期」列" in said[0] and "受理时间" not in said[0] and "金额" not in said[0]
        assert "44259" in said[0] and "2025-03-05" in said[0] and "2021-03-04" in said[0], said
        assert said[0].endswith("请写成 .xlsx（-o 文件名.xlsx）"), said
    assert notes(mac, "out.xlsx") == []
    assert notes(workbook("pc.xlsx", False, [45721, 45722]), "out.csv") == []
    assert notes(workbook("dated.xlsx", True, [datetime.datetime(2025, 3, 5), datetime.datetime(2025, 3, 6)]),
                 "out.csv") == []


def test_day_numbers_with_a_time_of_a_1904_workbook_tagged_into_text_are_said_too(default_model, tmp_path):
    # The report reads day numbers with a time of day (44259.41667, a date and time column formatted as General) as
    # dates; a 1904 workbook's such column tagged into CSV was not named, so the report read it four years early.
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from consumer_nlp.messages import summary_in_chinese

    book = Workbook()
    book.epoch = CALENDAR_MAC_1904
    for row in [["投诉内容", "受理时间", "金额"], ["冰箱不制冷", 44259.41667, 12.5], ["秤不准", 44260, 30]]:
        book.active.append(row)
    book.save(tmp_path / "mac.xlsx")
    summary = tag_file(default_model, tmp_path / "mac.xlsx", tmp_path / "out.csv", jobs=1, progress=False)
    said = [line for line in summary_in_chinese(summary, {"output_path": "-o"}).splitlines() if "1904 日期系统" in line]
    assert len(said) == 1 and "「受理时间」列" in said[0] and "金额" not in said[0], said
    assert "44259.41667" in said[0] and "2025-03-05" in said[0] and "2021-03-04" in said[0], said


def test_a_layout_handed_to_the_writer_before_its_sheet_is_read_is_kept(tmp_path):
    # The web writes a download from the upload's chunks as they are read: a layout the reader replaced as it began
    # reading was left empty in the writer's hands.
    from consumer_nlp.io import write_archive

    reader = open_archive(_workbook_a_desk_sends_on(tmp_path / "in.xlsx"))
    write_archive((chunk.rows for chunk in reader.chunks()), tmp_path / "out.xlsx", layout=reader.layout)
    out = load_workbook(tmp_path / "out.xlsx").active
    assert hidden_columns_and_rows(out) == (["B"], [3]) and out["C2"].hyperlink.target.endswith("id=1")


def test_hidden_columns_and_rows_of_an_old_xls_workbook_stay_hidden_in_its_tagged_xlsx(default_model, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("投诉")
    for r, row in enumerate([["编号", "身份证", "投诉内容"], ["1", "440101199001011234", "冰箱不制冷"],
                             ["2", "440101199001015678", "秤不准"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    sheet.col(1).hidden = True
    sheet.row(2).hidden = True
    workbook.save(str(tmp_path / "old.xls"))
    summary = tag_file(default_model, tmp_path / "old.xls", tmp_path / "out.xlsx", jobs=1, progress=False)
    assert hidden_columns_and_rows(load_workbook(tmp_path / "out.xlsx").active) == (["B"], [3])
    assert summary.hidden_rows == 1  # said, as of an .xlsx


@pytest.mark.parametrize("chunk_size", [1, 5000])
def test_a_json_integer_beyond_64_bits_is_text_in_parquet(default_model, tmp_path, chunk_size):
    # An order number written as a bare JSON integer of 20 digits ended Parquet output in a traceback
    # (OverflowError, which pyarrow does not wrap), with no output.
    source = tmp_path / "in.jsonl"
    source.write_text('{"订单号": 12345678901234567890, "text": "秤不准，少了二两"}\n{"订单号": 2, "text": "漏水"}\n',
                      encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False, chunk_size=chunk_size)
    assert pq.read_table(summary.output).column("订单号").to_pylist() == ["12345678901234567890", "2"]
    assert "「订单号」列的值类型不一" in str(summary)


def test_tsv_output_carries_a_quote_in_a_column_name(default_model, tmp_path):
    # A column named 尺寸5.5" ended TSV output after all tagging (the header's writer would not write a
    # quote unescaped), and --resume ended the same way.
    source = tmp_path / "in.csv"
    source.write_text('id,"尺寸5.5""",text\r\n1,a,秤不准\r\n', encoding="utf-8")
    rows = read_output(tag_file(default_model, source, tmp_path / "out.tsv", jobs=1, progress=False).output)
    assert [(r["id"], r['尺寸5.5"'], r["text"]) for r in rows] == [("1", "a", "秤不准")]


@pytest.mark.parametrize("chunk_size", [1, 2, 4])
def test_an_xls_date_column_mixing_whole_days_and_moments_keeps_its_times_in_parquet(default_model, tmp_path,
                                                                                       chunk_size, write_xls):
    # An .xls gives a whole day as a date and a moment as a datetime: with a day first, pyarrow took
    # the column for days and dropped the times; with a moment first the column became text, and
    # parts of days and of moments failed to join, so it became text too.
    moments = [datetime.datetime(2025, 1, 3), datetime.datetime(2025, 1, 3, 14, 30), datetime.datetime(2025, 1, 4),
               datetime.datetime(2025, 1, 5, 9, 15)]
    write_xls(tmp_path / "in.xls", [["受理时间", "投诉内容"]] + [[(m, "YYYY-MM-DD HH:MM"), t] for m, t in
                                                                zip(moments, ["手机坏了", "秤不准", "漏水", "退款"])])
    result = tag_file(default_model, tmp_path / "in.xls", tmp_path / "out.parquet", jobs=1, progress=False,
                      chunk_size=chunk_size)
    assert pq.read_table(result.output).column("受理时间").to_pylist() == moments
    assert "值类型不一" not in str(result)


def test_elapsed_times_are_written_as_excel_shows_them_and_stay_durations(default_model, tmp_path):
    # A [h]:mm cell (1.5 shown as 36:00) came out as Python's "1 day, 12:00:00", in an .xlsx output
    # as that text; a Parquet duration came out as pandas' "0 days 00:01:30".
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["处理时长", "投诉内容"])
    for value, text in [(1.5, "手机坏了"), (0.25, "秤不准"), (datetime.timedelta(seconds=-90), "漏水")]:
        sheet.append([value, text])
        sheet.cell(sheet.max_row, 1).number_format = "[h]:mm"
    workbook.save(tmp_path / "in.xlsx")
    spans = [datetime.timedelta(hours=36), datetime.timedelta(hours=6), datetime.timedelta(seconds=-90)]
    as_csv = read_output(tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.csv", jobs=1, progress=False).output)
    assert [r["处理时长"] for r in as_csv] == ["36:00:00", "6:00:00", "-0:01:30"]
    as_jsonl = read_output(tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.jsonl", jobs=1,
                                    progress=False).output)
    assert [r["处理时长"] for r in as_jsonl] == ["36:00:00", "6:00:00", "-0:01:30"]
    out = tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.xlsx", jobs=1, progress=False).output
    cells = [row[0] for row in load_workbook(out).worksheets[0].iter_rows(min_row=2)]
    assert [(c.value, c.number_format) for c in cells] == [(s, "[h]:mm") for s in spans]
    out = tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.parquet", jobs=1, progress=False).output
    assert pq.read_table(out).column("处理时长").to_pylist() == spans
    pq.write_table(pa.table({"waited": pa.array(spans), "text": ["手机坏了", "秤不准", "漏水"]}), tmp_path / "in.parquet")
    as_csv = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / "from_parquet.csv", jobs=1,
                                  progress=False).output)
    assert [r["waited"] for r in as_csv] == ["36:00:00", "6:00:00", "-0:01:30"]


@pytest.mark.parametrize("chunk_size", [1, 2, 3])
def test_a_number_among_dates_or_spans_is_text_in_parquet_never_a_moment_of_1970(default_model, tmp_path, chunk_size,
                                                                                  write_xls):
    # A count typed into a date column (a moment, a whole day, then 12) became 1970-01-01 00:00:00.000012
    # once the days were made moments; a span beside a number became 12 microseconds.
    write_xls(tmp_path / "in.xls", [["日期", "时长", "投诉内容"],
                                    [(datetime.datetime(2024, 3, 1, 14, 30), "yyyy-mm-dd hh:mm"), (1.5, "[h]:mm"), "快递丢件"],
                                    [(datetime.date(2024, 3, 2), "yyyy-mm-dd"), (0.25, "[h]:mm"), "快递丢件"],
                                    [(12, "0"), (12, "0"), "快递丢件"]])
    result = tag_file(default_model, tmp_path / "in.xls", tmp_path / "out.parquet", jobs=1, progress=False,
                      chunk_size=chunk_size)
    table = pq.read_table(result.output)
    assert table.column("日期").to_pylist() == ["2024-03-01 14:30:00", "2024-03-02", "12"]
    assert table.column("时长").to_pylist() == ["36:00:00", "6:00:00", "12"]
    assert "值类型不一" in str(result)


def test_moments_with_a_time_zone_beside_days_are_not_shifted(tmp_path):
    # Whole days were made moments at midnight beside moments with a time zone: pyarrow then read the
    # naive day as UTC (08:00+08:00), or, a day first, turned 14:30+08:00 into a naive 06:30.
    from consumer_nlp.io import write_archive

    zone = datetime.timezone(datetime.timedelta(hours=8))
    for values in ([datetime.datetime(2024, 3, 1, 14, 30, tzinfo=zone), datetime.date(2024, 3, 2)],
                   [datetime.date(2024, 3, 2), datetime.datetime(2024, 3, 1, 14, 30, tzinfo=zone)]):
        write_archive(pd.DataFrame({"when": pd.Series(values, dtype=object)}), tmp_path / "out.parquet")
        got = pq.read_table(tmp_path / "out.parquet").column("when").to_pylist()
        assert sorted(got) == ["2024-03-01 14:30:00+08:00", "2024-03-02"]  # as text, as CSV shows them


def test_a_parquet_span_beyond_pandas_range_reaches_text_outputs(default_model, tmp_path):
    # pandas holds spans in nanoseconds, to 292 years: a duration[s] of 10**13 seconds stopped CSV and
    # JSONL output with "Python int too large to convert to C long".
    pq.write_table(pa.table({"waited": pa.array([10**13, None], pa.duration("s")), "text": ["手机坏了", "漏水"]}),
                   tmp_path / "in.parquet")
    as_csv = read_output(tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.csv", jobs=1,
                                  progress=False).output)
    assert [r["waited"] for r in as_csv] == ["2777777777:46:40", ""]


@pytest.mark.parametrize("chunk_size", [1, 3])
def test_true_and_false_among_numbers_are_text_in_parquet_never_1_and_0(default_model, tmp_path, write_workbook,
                                                                        chunk_size):
    # =IF(金额>100, 金额*0.1) gives 12.5 or FALSE: pyarrow took the column for numbers and FALSE came out
    # as 0.0 (the web's downloads, made from Parquet, gave 0 and 1 in every format).
    source = write_workbook(tmp_path / "in.xlsx", {"投诉": [["赔付", "投诉内容"], [12.5, "电饭煲坏了"], [False, "快递没送到"],
                                                            [True, "秤不准"]]})
    result = tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False, chunk_size=chunk_size)
    assert pq.read_table(result.output).column("赔付").to_pylist() == ["12.5", "FALSE", "TRUE"]
    assert "值类型不一" in str(result)


def test_an_archive_is_written_from_chunks_one_at_a_time_as_from_one_frame(tmp_path):
    # The web made each download from the whole tagged result in memory (pd.concat of every chunk):
    # a CSV download of a large batch took 4.1 GB in the server process.
    from consumer_nlp.io import write_archive

    whole = pd.DataFrame({"编号": [f"C{n}" for n in range(7)], "金额": [1, 2.5, 3, 4, 5, 6, 7.5], "投诉内容": ["漏水"] * 7})
    chunks = [whole.iloc[:3], whole.iloc[3:3], whole.iloc[3:]]
    for kind in ("csv", "jsonl", "xlsx", "parquet"):
        write_archive(whole, tmp_path / f"whole.{kind}")
        write_archive(iter(chunks), tmp_path / f"chunks.{kind}")
        assert read_output(tmp_path / f"chunks.{kind}") == read_output(tmp_path / f"whole.{kind}"), kind


def test_a_text_longer_than_an_excel_cell_is_refused_for_xlsx_by_its_row_before_it_is_tagged(default_model,
                                                                                               tmp_path, monkeypatch):
    # A helper's pass (h3): a CSV with one pasted text of 200,000 characters, tagged into .xlsx, was refused as
    # "column '投诉内容' holds a text of 200,000 characters", naming no row: among 300,000 rows the desk could not
    # find it. It was refused as its chunk's part was written, after tagging every chunk before it.
    from consumer_nlp.messages import problem_in_chinese
    from consumer_nlp.tagging import _run

    tagged = []
    tag_frame = _run.tag_frame
    monkeypatch.setattr(_run, "tag_frame", lambda model, frame, column: tagged.append(len(frame))
                        or tag_frame(model, frame, column))
    source = tmp_path / "in.csv"
    texts = ["电饭煲坏了"] * 8
    texts[5] = "长" * (XLSX_MAX_CELL + 1)  # row 7, in the second chunk
    source.write_text("编号,投诉内容\n" + "".join(f"{n},{t}\n" for n, t in enumerate(texts)), encoding="utf-8")
    with pytest.raises(ArchiveError, match="row 7") as caught:
        tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, chunk_size=4, progress=False)
    assert caught.value.problem == "beyond_excel"
    assert (caught.value.details["row"], caught.value.details["column"]) == (7, "投诉内容")
    said = problem_in_chinese(caught.value)
    assert "第 7 行" in said and "投诉内容" in said and f"{XLSX_MAX_CELL + 1:,}" in said, said
    assert tagged == [4] and not (tmp_path / "out.xlsx").exists()  # the first chunk only: refused before tagging


def test_a_column_name_longer_than_an_excel_cell_is_refused_for_xlsx_not_cut(tmp_path):
    # Cells longer than Excel holds were refused, headings were cut short without a word.
    from consumer_nlp.io import write_archive

    frame = pd.DataFrame({"名" * 40_000: ["x"], "投诉内容": ["漏水"]})
    with pytest.raises(ArchiveError, match="column name of 40,000 characters") as caught:
        write_archive(frame, tmp_path / "out.xlsx")
    assert caught.value.problem == "beyond_excel" and not (tmp_path / "out.xlsx").exists()


def test_parquet_dates_are_written_to_csv_as_any_other_inputs_are(default_model, tmp_path, write_workbook):
    # A Parquet date column went to CSV in pandas' words: whole days as 2024-03-05 00:00:00, where the
    # same days from a workbook came out as 2024-03-05; so the web's downloads, made from Parquet,
    # differed from the command line on the same upload.
    source = write_workbook(tmp_path / "in.xlsx", {"投诉": [["日期", "件数", "已退款", "投诉内容"],
                                                            [datetime.datetime(2024, 3, 5), 6, True, "电饭煲坏了"],
                                                            [datetime.datetime(2024, 3, 6, 9, 30), 0.5, False, "没送到"]]})
    from_book = read_output(tag_file(default_model, source, tmp_path / "a.csv", jobs=1, progress=False).output)
    as_parquet = tag_file(default_model, source, tmp_path / "a.parquet", jobs=1, progress=False).output
    pq.write_table(pq.read_table(as_parquet).drop(list(TAG_COLUMNS)), tmp_path / "b.parquet")
    from_parquet = read_output(tag_file(default_model, tmp_path / "b.parquet", tmp_path / "b.csv", jobs=1,
                                        progress=False).output)
    assert [r["日期"] for r in from_parquet] == [r["日期"] for r in from_book] == ["2024-03-05", "2024-03-06 09:30:00"]


def test_an_xlsx_output_given_up_halfway_leaves_no_temporary_file_and_no_traceback(tmp_path, monkeypatch):
    # Interrupted (Ctrl-C) or refused while the parts were joined into a workbook, its writer was left
    # to the garbage collector, which printed "Exception ignored … I/O operation on closed file" under
    # the command line's 已中断 line, and its temporary file stayed behind.
    import gc
    import sys
    import tempfile

    from consumer_nlp.io import _excel_out, write_archive

    ignored = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    (tmp_path / "temp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    monkeypatch.setattr(_excel_out, "XLSX_MAX_ROWS", 3)
    with pytest.raises(ArchiveError, match="more than 2 rows"):
        write_archive(pd.DataFrame({"投诉内容": ["漏水", "秤不准", "起火", "假货"]}), tmp_path / "out.xlsx")
    gc.collect()
    assert ignored == [] and list((tmp_path / "temp").iterdir()) == [] and not (tmp_path / "out.xlsx").exists()


def test_a_csv_title_excel_padded_with_commas_is_pointed_past(default_model, tmp_path):
    # Excel saves a title above the table as "title,," (one cell a column): it was refused as a header
    # with unnamed columns, told to name them, never that the names stand in row 2.
    source = tmp_path / "in.csv"
    source.write_text("2025年一季度投诉登记表,,\n编号,投诉内容,渠道\n1,充电器冒烟了,热线\n2,秤不准少了二两,网站\n",
                      encoding="utf-8")
    with pytest.raises(ValueError, match=r"Row 2 looks like the column names \(it holds '投诉内容'\).*header_row=2"):
        tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False)
    summary = tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False, header_row=2)
    assert [r["编号"] for r in read_output(summary.output)] == ["1", "2"]


@pytest.mark.parametrize("name, content, names_row", [
    ("two_line_title.csv", '"2026年投诉汇总\n（第一季度）"\n编号,投诉内容\n1,手机屏幕坏了\n2,电池鼓包\n', 2),
    ("two_line_title.tsv", '"2026年投诉汇总\n（第一季度）"\n编号\t投诉内容\n1\t手机屏幕坏了\n2\t电池鼓包\n', 2),
    ("title_and_blank.csv", '"2026年投诉汇总\n（第一季度）"\n\n编号,投诉内容\n1,手机屏幕坏了\n2,电池鼓包\n', 3),
    ("note_over_lines.csv", '投诉汇总\n"说明：第一季度\n含补录"\n编号,投诉内容\n1,手机屏幕坏了\n2,电池鼓包\n', 3),
    ("note_over_lines.tsv", '投诉汇总\n"说明：第一季度\n含补录"\n编号\t投诉内容\n1\t手机屏幕坏了\n2\t电池鼓包\n', 3),
    ("title_and_blank.xlsx", [["2026年投诉汇总\n（第一季度）"], [], ["编号", "投诉内容"], ["1", "手机屏幕坏了"],
                              ["2", "电池鼓包"]], 3),
])
def test_the_row_of_column_names_pointed_to_is_the_header_row_that_reads_them(default_model, tmp_path, write_workbook,
                                                                              name, content, names_row):
    # The hint counted a CSV's lines, header_row its rows as Excel shows them (a quoted value over lines is one, a
    # blank line one): under a title over two lines it said header_row=3, which read the first record as the names.
    source = tmp_path / name
    if isinstance(content, list):
        write_workbook(source, {"投诉": content})
    else:
        source.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"Row {names_row} looks like the column names .*header_row={names_row}\."):
        tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False)
    summary = tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False, header_row=names_row)
    assert [r["编号"] for r in read_output(summary.output)] == ["1", "2"]


def test_a_title_row_is_said_to_be_deleted_where_the_front_end_has_no_header_row_to_name(default_model, tmp_path):
    # headline(error, names) of a register with a title above 编号, 投诉内容 advised, where the front end names no
    # header_row, 请用 --text-col 指定它（列名照上面写）, which reads the names from the title row all the same, or,
    # with no names at all, 把投诉文本所在的列改名为「投诉内容」, which it is already called. It says to delete the title.
    from consumer_nlp.messages import headline

    source = tmp_path / "title.csv"
    source.write_text("2025年1月投诉登记表,\n编号,投诉内容\n1,手机屏幕坏了\n", encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        tag_file(default_model, source, tmp_path / "o.csv", jobs=1, progress=False)
    for names in ({"text_col": "--text-col"}, {}):
        said = headline(refused.value, names)
        assert "第 2 行像是列名" in said and "删掉第 2 行上面" in said and "让列名在第一行" in said, said
        assert "--text-col" not in said and "改名" not in said, said
    assert "--header-row 2" in headline(refused.value, {"text_col": "--text-col", "header_row": "--header-row"})


def test_a_row_without_text_is_in_no_category_in_the_file_as_in_the_summary(default_model, tmp_path):
    # It was written as other/其他 (at confidence 0.1667: no category more likely than another), while
    # the summary and the report count it in no category: a pivot of category_zh in Excel counted one
    # 其他 more than the report did.
    from consumer_nlp import report_archive

    source = tmp_path / "in.csv"
    source.write_text("编号,投诉内容\n1,秤不准少了二两\n2,\n3,&nbsp;\n", encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    rows = read_output(summary.output)
    assert [(r["category"], r["category_zh"], r["review_reason"]) for r in rows[1:]] == [("", "", "文本为空")] * 2
    assert rows[0]["category"] == "price_measurement" and summary.empty == 2
    report = report_archive(summary.output)
    assert "文本为空" in report.to_markdown()


def test_tsv_output_refuses_a_text_with_a_tab_after_a_line_break(default_model, tmp_path):
    # Quoted as Excel quotes it, such a text's later line can read as a row of its own, which is how
    # the reader tells a stray quote from a text: it would not read back the same.
    source = tmp_path / "in.csv"
    source.write_text('编号,投诉内容,渠道\n1,"第一行\n第二\t行",热线\n', encoding="utf-8")
    with pytest.raises(ValueError, match="tab after a line break.*write CSV"):
        tag_file(default_model, source, tmp_path / "out.tsv", jobs=1, progress=False)
    assert not (tmp_path / "out.tsv").exists()


def test_an_archive_too_long_for_an_excel_sheet_is_refused_before_it_is_tagged(default_model, tmp_path, monkeypatch):
    # The rows an Excel sheet holds were counted only as the tagged parts were joined: a desk asking for
    # .xlsx from a CSV of 1.2 million rows waited for all of them to be tagged, then was refused. The
    # CSV's broken line after the limit shows how far the run read: to the limit, no further.
    from consumer_nlp.io import _excel_out

    monkeypatch.setattr(_excel_out, "XLSX_MAX_ROWS", 11)  # a sheet of a header and 10 rows
    source = tmp_path / "in.csv"
    lines = ["编号,投诉内容"] + [f"{n},电饭煲坏了第{n}次" for n in range(30)]
    lines[25] = '25,"引号没有收尾'
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="more than 10 rows") as caught:
        tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, chunk_size=4, progress=False)
    assert caught.value.problem == "beyond_excel" and not (tmp_path / "out.xlsx").exists()
    assert list(tmp_path.iterdir()) == [source]  # no parts kept for a resume that could never finish
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, chunk_size=4, progress=False,
                       bad_rows_path=tmp_path / "bad.csv")
    assert summary.rows_out == 29  # the same archive to CSV: every row


def test_json_lines_with_more_keys_than_a_sheet_has_columns_beside_the_tags_are_refused_early(default_model, tmp_path,
                                                                                                monkeypatch):
    # The reader's cap (an Excel sheet's 16,384 columns) did not count the six tag columns, so a file of
    # 16,379-16,384 keys was refused for .xlsx output only when the tagged parts were joined.
    from consumer_nlp.io import _excel_out

    monkeypatch.setattr(_excel_out, "XLSX_MAX_COLUMNS", 9)  # the text, two more keys and the six tags fit
    source = tmp_path / "in.jsonl"
    records = [{"投诉内容": f"电饭煲坏了{n}", "a": n, "b": n} for n in range(8)] + [{"投诉内容": "漏水", "c": 1}]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="10 columns") as caught:
        tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, chunk_size=4, progress=False)
    assert caught.value.problem == "beyond_excel" and not (tmp_path / "out.xlsx").exists()


def test_a_utf8_row_in_a_gb18030_file_is_refused_by_its_line_not_read_as_nonsense(default_model, tmp_path):
    # A helper's pass: a row pasted from a UTF-8 system into a GB18030 file decodes as GB18030 too,
    # so it was read as 绉や笉鍑嗭紝灏戜簡浜屼袱, tagged and written without a word.
    source = tmp_path / "in.csv"
    source.write_bytes("编号,投诉内容\r\n001,商家虚假宣传，退款不到账\r\n002,电饭煲漏电，差点触电\r\n".encode("gb18030")
                       + "003,秤不准，少了二两\r\n".encode("utf-8") + "004,快递丢件不赔偿\r\n".encode("gb18030"))
    with pytest.raises(ArchiveError, match="line 4") as caught:
        tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert caught.value.problem == "encoding" and caught.value.details["line"] == 4
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes('{"投诉内容": "商家虚假宣传，退款不到账"}\n'.encode("gb18030")
                      + '{"投诉内容": "秤不准，少了二两"}\n'.encode("utf-8"))
    with pytest.raises(ArchiveError, match="line 2"):
        tag_file(default_model, jsonl, tmp_path / "out.jsonl", jobs=1, progress=False)


def test_json_numbers_a_double_would_round_come_out_as_written(default_model, tmp_path):
    # A helper's pass: 99999999999999.99 came out 99999999999999.98 in JSONL and CSV output (the double
    # nearest to it), and 1e23 came out of CSV as the double's 23 digits, 99999999999999991611392.
    import decimal

    written = ["99999999999999.99", "12345678.123456789", "0.1000000000000000055511151231257827", "1e23", "12.50", "0.1"]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(f'{{"投诉内容": "信用卡被多扣了年费{n}", "金额": {amount}}}\n'
                              for n, amount in enumerate(written)), encoding="utf-8")
    for kind in ("jsonl", "csv"):
        out = tag_file(default_model, source, tmp_path / f"out.{kind}", jobs=1, progress=False).output
        if kind == "jsonl":
            got = [json.loads(line, parse_float=decimal.Decimal)["金额"]
                   for line in out.read_text(encoding="utf-8").splitlines()]
        else:
            got = [row["金额"] for row in read_output(out)]
        assert [decimal.Decimal(str(value)) for value in got] == [decimal.Decimal(text) for text in written], kind


def test_a_nan_in_a_parquet_float_column_stays_in_json_lines_output(default_model, tmp_path):
    # A helper's pass: a NaN (a value, not a null) was dropped from the record, as a key a JSON Lines
    # record lacked is; the null beside it came out as null.
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"投诉内容": ["信用卡被多扣了年费", "电饭煲漏电", "秤不准"],
                             "评分": pa.array([1.5, float("nan"), None], pa.float64())}), source)
    out = tag_file(default_model, source, tmp_path / "out.jsonl", jobs=1, progress=False).output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["评分"] == 1.5 and math.isnan(records[1]["评分"]) and records[2]["评分"] is None


@pytest.mark.parametrize("kind", ["csv", "tsv", "xlsx", "jsonl"])
def test_parquet_lists_and_structs_of_decimals_and_dates_reach_every_output(default_model, tmp_path, kind):
    # A helper's pass: CSV, TSV and .xlsx output ended, after all the tagging, with Python's own
    # "Object of type Decimal is not JSON serializable", and nothing was written.
    import decimal

    source = tmp_path / "in.parquet"
    items = pa.array([[{"价格": decimal.Decimal("12.50"), "日期": datetime.date(2025, 1, 1),
                        "时间": datetime.datetime(2025, 3, 5, 8, 0)}], []],
                     pa.list_(pa.struct([("价格", pa.decimal128(10, 2)), ("日期", pa.date32()),
                                         ("时间", pa.timestamp("us"))])))
    pq.write_table(pa.table({"投诉内容": ["商家虚假宣传，退款不到账", "电饭煲漏电"], "明细": items}), source)
    rows = read_output(tag_file(default_model, source, tmp_path / f"out.{kind}", jobs=1, progress=False).output)
    first = rows[0]["明细"] if kind == "jsonl" else json.loads(rows[0]["明细"])
    assert first == [{"价格": "12.50", "日期": "2025-01-01", "时间": "2025-03-05 08:00:00"}]


def test_a_blank_cell_among_words_and_numbers_is_the_same_in_parquet_output_whatever_the_chunk_size(default_model,
                                                                                                      tmp_path,
                                                                                                      write_workbook):
    # A helper's pass: the blank came out as null with chunk_size=2 (its chunk held only a number beside
    # it) and as "" with 5,000, the column being text in the end either way.
    source = write_workbook(tmp_path / "in.xlsx", {"投诉": [["编号", "投诉内容", "身份证"],
                                                            ["A1", "商家虚假宣传", "44010119900101123X"],
                                                            ["A2", "快递丢件不赔偿", "无"],
                                                            ["A3", "电饭煲漏电", 6222021234567890],
                                                            ["A4", "秤不准，少了二两", None]]})
    got = [pq.read_table(tag_file(default_model, source, tmp_path / f"out{size}.parquet", jobs=1, progress=False,
                                  chunk_size=size).output).column("身份证").to_pylist() for size in (2, 5000)]
    assert got[0] == got[1] == ["44010119900101123X", "无", "6222021234567890", ""]


def test_numbers_kept_as_written_never_touch_other_cells_and_stay_numbers_when_nested(default_model, tmp_path):
    # A helper's review of the change that keeps such numbers as written: each was put back into its
    # line by replacing every "\u0000N" string, so a cell or key whose text was NUL and digits took the
    # number's place (or broke the line); and inside objects and lists they came out as strings.
    import decimal

    source = tmp_path / "in.jsonl"
    source.write_text('{"投诉内容": "冰箱不制冷", "金额": 99999999999999.99, "备注": "\\u00000", "明细": {"\\u00000": "x", '
                      '"价": 99999999999999.99, "列": [1.00000000000000001, 0.1]}}\n', encoding="utf-8")
    exact = decimal.Decimal
    want = {"金额": exact("99999999999999.99"), "备注": "\x000",
            "明细": {"\x000": "x", "价": exact("99999999999999.99"), "列": [exact("1.00000000000000001"), exact("0.1")]}}
    out = tag_file(default_model, source, tmp_path / "out.jsonl", jobs=1, progress=False).output
    record = json.loads(out.read_text(encoding="utf-8"), parse_float=exact)
    assert {key: record[key] for key in want} == want
    for kind in ("csv", "xlsx"):
        row = read_output(tag_file(default_model, source, tmp_path / f"out.{kind}", jobs=1, progress=False).output)[0]
        assert json.loads(row["明细"], parse_float=exact) == want["明细"], kind


def test_objects_in_a_column_written_to_parquet_as_text_are_json(default_model, tmp_path):
    # A helper's review: beside a number in one column, a JSON object came out of Parquet output as
    # Python's repr ({'v': 1.5}), where CSV output has its JSON.
    source = tmp_path / "in.jsonl"
    source.write_text('{"投诉内容": "冰箱不制冷", "附": {"v": 1.5, "好": true}}\n{"投诉内容": "快递丢件", "附": 3}\n',
                      encoding="utf-8")
    out = tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False).output
    assert pq.read_table(out).column("附").to_pylist() == ['{"v": 1.5, "好": true}', "3"]


def test_where_a_parquet_part_has_blank_cells_is_noted_in_little_space(tmp_path):
    # A helper's review: each part noted the row of every blank cell of every column of numbers as a
    # JSON list, 29 MB a part for a sparse sheet of 1,000 columns, which doubled the time and memory
    # of the run. A bit a row is enough; the rows still come back as "" where the column ends as text.
    from consumer_nlp.io import join_parts, write_part

    numbers = pd.DataFrame({f"列{j}": [n if n % 50 == j else "" for n in range(5000)] for j in range(50)})
    words = pd.DataFrame({f"列{j}": ["无"] for j in range(50)})
    write_part(numbers, "parquet", tmp_path / "0.parquet")
    write_part(words, "parquet", tmp_path / "1.parquet")
    assert (tmp_path / "0.parquet").stat().st_size < 200_000
    join_parts([tmp_path / "0.parquet", tmp_path / "1.parquet"], list(numbers.columns), "parquet", tmp_path / "out.parquet")
    column = pq.read_table(tmp_path / "out.parquet").column("列7").to_pylist()
    assert column[:51] == ["" if n != 7 else "7" for n in range(50)] + [""] and column[-1] == "无"


@pytest.mark.parametrize("size", [1, 2, 5000])
def test_parquet_output_is_the_same_whatever_the_chunk_size(default_model, tmp_path, size):
    # A helper's review: a number kept as written inside an object came out of Parquet as a string when its
    # chunk held objects of one shape; a "" beside a null in a chunk came back null; a lone surrogate inside
    # a list ended the output with "the file's encoding cannot be recognised".
    source = tmp_path / "in.jsonl"
    source.write_text('{"投诉内容": "冰箱不制冷", "明细": {"价": 99999999999999.99}, "备注": null}\n'
                      '{"投诉内容": "快递丢件", "明细": [1.5], "备注": ""}\n'
                      '{"投诉内容": "秤不准", "明细": ["\\ud83d"], "备注": "已回访"}\n'
                      '{"投诉内容": "漏水", "明细": {"价": 1}, "备注": ""}\n', encoding="utf-8")
    table = pq.read_table(tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False,
                                   chunk_size=size).output)
    assert table.column("明细").to_pylist() == ['{"价": 99999999999999.99}', "[1.5]", '["\\ud83d"]', '{"价": 1}']
    assert table.column("备注").to_pylist() == [None, "", "已回访", ""]


def test_dates_before_1900_and_negative_spans_reach_xlsx_output_as_their_text(default_model, tmp_path):
    # A helper's pass (n6): a Parquet date 0001-01-01 (a data warehouse's "no date") and a span of -90 s were written
    # to .xlsx as the numbers -693593 and -0.001, which Excel's 1900 date system shows as ##### only. They are now
    # written as the CSV output shows them; the dates and spans Excel can hold stay dates and spans.
    pq.write_table(pa.table({
        "day": pa.array([datetime.date(1, 1, 1), datetime.date(1899, 12, 31), datetime.date(2024, 3, 5)]),
        "at": pa.array([datetime.datetime(1, 1, 1), datetime.datetime(1899, 12, 31, 12),
                        datetime.datetime(1900, 1, 1)]),
        "waited": pa.array([datetime.timedelta(seconds=-90), datetime.timedelta(0), datetime.timedelta(seconds=90)]),
        "text": ["手机坏了", "秤不准", "漏水"]}), tmp_path / "in.parquet")
    out = tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.xlsx", jobs=1, progress=False).output
    sheet = load_workbook(out).active
    assert [c.value for c in sheet["A"][1:]] == ["0001-01-01", "1899-12-31", datetime.datetime(2024, 3, 5)]
    assert [c.value for c in sheet["B"][1:]] == ["0001-01-01", "1899-12-31 12:00:00", datetime.datetime(1900, 1, 1)]
    assert [c.value for c in sheet["C"][1:]] == ["-0:01:30", datetime.timedelta(0), datetime.timedelta(seconds=90)]


def test_numbers_beyond_excels_range_reach_xlsx_output_as_their_text(default_model, tmp_path):
    # A helper's pass (n6): a JSON 1.7976931348623157e308 (the largest double) reached .xlsx as a number written with
    # 16 digits, which no double holds (read back as inf), and 1e308 and 5e-324 are beyond Excel's range too
    # (9.99999999999999E+307 at most, 2.2251E-308 at least). They are now written as the CSV output shows them, as
    # whole numbers beyond 15 digits are; the numbers Excel holds stay numbers.
    odd = ["1.7976931348623157e308", "-1e308", "5e-324", "2.2250738585072014e-308"]
    fine = ["9.99999999999999e307", "2.2251e-308", "0.0", "1.5"]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(f'{{"text": "漏水", "n": {n}}}\n' for n in odd + fine), encoding="utf-8")
    out = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False).output
    shown = [c.value for c in load_workbook(out).active["B"][1:]]
    csv_out = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False).output
    assert shown[:len(odd)] == pd.read_csv(csv_out, dtype=str)["n"].tolist()[:len(odd)]
    assert all(isinstance(value, str) for value in shown[:len(odd)])
    assert shown[len(odd):] == [float(n) for n in fine]


def test_moments_times_and_spans_with_fractions_of_a_second_show_them_in_xlsx_output(default_model, tmp_path):
    # A helper's pass (n6): a Parquet 12:30:01.5 was held to the microsecond, but its format (yyyy-mm-dd hh:mm:ss,
    # h:mm:ss, [h]:mm:ss) showed the second only. A value with a fraction of a second now shows it, to the
    # millisecond (as far as an Excel format goes), as Excel formats a time typed so; whole seconds as before.
    half = datetime.timedelta(milliseconds=500)
    pq.write_table(pa.table({
        "at": pa.array([datetime.datetime(2024, 3, 5, 12, 30, 1) + half, datetime.datetime(2024, 3, 5, 12, 30, 1)]),
        "clock": pa.array([datetime.time(12, 30, 1, 500_000), datetime.time(12, 30, 1)]),
        "waited": pa.array([datetime.timedelta(seconds=90) + half, datetime.timedelta(seconds=90)]),
        "text": ["手机坏了", "漏水"]}), tmp_path / "in.parquet")
    out = tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.xlsx", jobs=1, progress=False).output
    sheet = load_workbook(out).active
    formats = [[cell.number_format for cell in sheet[column][1:]] for column in "ABC"]
    assert formats == [["yyyy-mm-dd hh:mm:ss.000", "yyyy-mm-dd hh:mm:ss"], ["h:mm:ss.000", "h:mm:ss"],
                       ["[h]:mm:ss.000", "[h]:mm:ss"]]
    assert sheet["A2"].value == datetime.datetime(2024, 3, 5, 12, 30, 1) + half


@pytest.mark.parametrize("chunk_size", [1, 5000])
def test_a_lone_surrogate_in_a_key_inside_a_json_object_reaches_parquet_output_as_written(default_model, tmp_path,
                                                                                         chunk_size):
    # A helper's pass (n6): an object value whose key held a broken emoji ({"备注\ud83d": 1}) stopped a Parquet output
    # with 文件的编码无法识别 (Arrow holds no lone surrogate), where one in a value was written as JSON text. Keys too now.
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "手机坏了", "o": {"备注\\ud83d": 1}}\n{"text": "漏水", "o": {"备注": 2}}\n',
                      encoding="utf-8")
    out = tag_file(default_model, source, tmp_path / "out.parquet", jobs=1, progress=False,
                   chunk_size=chunk_size).output
    assert pq.read_table(out).column("o").to_pylist() == ['{"备注\\ud83d": 1}', '{"备注": 2}']


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_on_relative_paths_is_not_moved_by_a_change_of_folder_mid_run(default_model, tmp_path, monkeypatch,
                                                                           jobs):
    # A notebook's %cd (os.chdir) while a run went on in a thread: the run wrote and looked for its parts relative to
    # the new folder and failed with a FileNotFoundError naming no file, leaving its lock file behind.
    import consumer_nlp.tagging._run as run

    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir(), elsewhere.mkdir()
    texts = ["漏水了好几天", "信用卡被盗刷", "秤不准", "外卖有头发", ""] * 4
    pd.DataFrame({"id": range(len(texts)), "text": texts}).to_csv(work / "in.csv", index=False)
    monkeypatch.chdir(work)
    tag_frame = run.tag_frame

    def moved_after_the_first_chunk(*args):  # the main process's folder changes as it tags its first chunk
        tagged = tag_frame(*args)
        os.chdir(elsewhere)
        return tagged

    monkeypatch.setattr(run, "tag_frame", moved_after_the_first_chunk)
    summary = tag_file(default_model, "in.csv", "out.csv", chunk_size=3, jobs=jobs, progress=False)
    assert summary.rows_out == len(texts)
    back = pd.read_csv(work / "out.csv", keep_default_na=False)
    assert list(back["id"]) == list(range(len(texts))) and list(back["text"]) == texts
    assert sorted(os.listdir(work)) == ["in.csv", "out.csv"] and os.listdir(elsewhere) == []


@pytest.mark.parametrize("rows", [3, 20])
def test_jobs_beyond_the_chunks_to_tag_start_no_more_workers_than_chunks(default_model, tmp_path, monkeypatch, rows):
    # jobs=16 started 15 worker processes whatever the input: a 3-row file forked 15 for its one chunk.
    from consumer_nlp.tagging import _run

    started = tmp_path / "started"
    start_worker = _run._start_worker

    def noted(*args):  # runs in each worker as it starts
        with open(started, "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")
        start_worker(*args)

    monkeypatch.setattr(_run, "_start_worker", noted)
    texts = ["秤不准，少了二两", "信用卡被盗刷", "外卖里吃出头发", "保健品说能根治高血压", "快递一直不到"]
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": range(rows), "text": (texts * rows)[:rows]}).to_csv(source, index=False)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=16, chunk_size=5, progress=False)
    workers = started.read_text(encoding="utf-8").split() if started.exists() else []
    chunks = -(-rows // 5)
    assert len(workers) <= chunks, f"{len(workers)} workers for {chunks} chunk(s)"
    assert summary.rows_out == rows
    tag_file(default_model, source, tmp_path / "one.csv", jobs=1, chunk_size=5, progress=False)
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_list_an_object_or_a_boolean_in_the_text_column_is_tagged_as_its_output_cell_shows_it(default_model,
                                                                                                  tmp_path, suffix):
    # A JSON Lines ["秤不准", "退款"] was tagged as Python shows it, ['秤不准', '退款'] (price_measurement), and true as
    # True, while the output cell held ["秤不准", "退款"] (false_advertising, its top term 「"」) and TRUE.
    source = tmp_path / "in.jsonl"
    values = [["秤不准", "退款"], {"问题": "秤不准", "金额": 1.5}, True, "电子秤少了二两", 12.0]
    lines = [json.dumps({"id": i, "text": v}, ensure_ascii=False) for i, v in enumerate(values)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tagged = read_output(tag_file(default_model, source, tmp_path / f"out{suffix}", jobs=1, progress=False).output)
    texts = ["TRUE" if r["text"] is True else str(r["text"]) for r in tagged]  # an .xlsx cell TRUE reads as True
    assert texts[:3] == ['["秤不准", "退款"]', '{"问题": "秤不准", "金额": 1.5}', "TRUE"]
    shown = tmp_path / "shown.csv"  # the texts as the output's cells show them, tagged again
    pd.DataFrame({"id": [r["id"] for r in tagged], "text": texts}).to_csv(shown, index=False)
    again = read_output(tag_file(default_model, shown, tmp_path / "again.csv", jobs=1, progress=False).output)
    for row, expected in zip(tagged, again):
        assert [str(row[c]) for c in ("category", "confidence", "top_terms")] == \
            [str(expected[c]) for c in ("category", "confidence", "top_terms")], row["text"]


def header_notes(sheet) -> dict:
    """The notes (Excel comments) on the header cells of an openpyxl ``sheet``, by column name."""
    return {cell.value: cell.comment.text for cell in sheet[1] if cell.comment}


def test_the_added_columns_of_a_tagged_xlsx_say_what_they_hold(default_model, tmp_path):
    # A desk opening the tagged .xlsx met category, confidence (0.9995), needs_review, review_reason and top_terms
    # (银行(0.32), 〈数字〉) with nothing in the file saying what they mean. Each added column's header now carries a note
    # in Chinese, the user's own columns none; confidence is shown as a percentage, its value unchanged.
    from consumer_nlp import report_archive

    workbook = Workbook()
    for row in [["受理编号", "投诉内容"], ["A1", "冰箱买回来三天就不制冷了"], ["A2", ""],
                ["A3", "超市的秤不准，买2斤少了二两"], ["A4", "好"]]:
        workbook.active.append(row)
    workbook.save(tmp_path / "in.xlsx")
    tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.xlsx", jobs=1, progress=False)
    tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.csv", jobs=1, progress=False)
    out = load_workbook(tmp_path / "out.xlsx").active
    notes = header_notes(out)
    assert list(notes) == list(TAG_COLUMNS)
    assert all(re.search("[\u4e00-\u9fff]", note) for note in notes.values())
    assert all(f"{code}（{name}）" in notes["category"] for code, name in CATEGORIES.items())
    assert "概率" in notes["confidence"] and "百分比" in notes["confidence"]
    assert all(reason in notes["review_reason"] for reason in ("置信度低", "文本为空", "又一行列名"))
    assert "(0.32)" in notes["top_terms"] and "〈数字〉" in notes["top_terms"] and "老人 花" in notes["top_terms"]
    confidence = [row[4] for row in out.iter_rows(min_row=2)]
    assert {cell.number_format for cell in confidence if cell.value is not None} == {"0.00%"}
    assert [cell.value for cell in confidence] == [
        None if pd.isna(v) else v for v in pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig")["confidence"]]
    assert [cell.number_format for cell in out["A"] + out["B"]] == ["General"] * 10
    reports = [report_archive(tmp_path / name, progress=False) for name in ("out.xlsx", "out.csv")]  # read as before
    for table in ("categories", "review"):
        pd.testing.assert_frame_equal(reports[0].tables[table], reports[1].tables[table])


def test_the_added_columns_of_a_tagged_parquet_say_what_they_hold_in_its_schema(default_model, tmp_path):
    # A tagged Parquet file's category … top_terms said nothing of what they hold (the .xlsx's header notes had no
    # counterpart). Each added field now carries the same Chinese note as field metadata, the user's fields none; the
    # file reads back as before, by pandas and by our own readers.
    from consumer_nlp import report_archive
    from consumer_nlp.messages import COLUMN_NOTES

    pd.DataFrame({"受理编号": ["A1", "A2", "A3"], "投诉内容": ["冰箱买回来三天就不制冷了", "", "超市的秤不准"]}) \
        .to_parquet(tmp_path / "in.parquet")
    tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.parquet", jobs=1, progress=False)
    tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.csv", jobs=1, progress=False)
    schema = pq.read_schema(tmp_path / "out.parquet")
    notes = {field.name: field.metadata[b"description"].decode("utf-8") for field in schema if field.metadata}
    assert notes == {column: COLUMN_NOTES[column] for column in TAG_COLUMNS}
    read = pd.read_parquet(tmp_path / "out.parquet")
    assert list(read.columns) == ["受理编号", "投诉内容", *TAG_COLUMNS] and len(read) == 3
    assert list(read["category"]) == [row["category"] for row in read_output(tmp_path / "out.csv")]
    reports = [report_archive(tmp_path / name, progress=False) for name in ("out.parquet", "out.csv")]
    for table in ("categories", "review"):
        pd.testing.assert_frame_equal(reports[0].tables[table], reports[1].tables[table])


def test_a_parquet_inputs_own_column_notes_reach_its_tagged_parquet_and_xlsx(default_model, tmp_path):
    # A Parquet file whose 编号 field said what it holds (description, as the tagged file's added fields now do) lost
    # that note in its tagged Parquet and .xlsx, while the added fields gained theirs: tagging dropped the input's
    # field metadata. It is kept, as a workbook's note on a column name is.
    import openpyxl

    from consumer_nlp.messages import COLUMN_NOTES

    schema = pa.schema([pa.field("编号", pa.string(), metadata={b"description": "12315 平台的受理编号".encode()}),
                        pa.field("投诉内容", pa.string())])
    pq.write_table(pa.table({"编号": ["A1", "A2"], "投诉内容": ["冰箱买回来三天就不制冷了", "超市的秤不准"]}, schema=schema),
                   tmp_path / "in.parquet")
    for name in ("out.parquet", "out.xlsx"):
        tag_file(default_model, tmp_path / "in.parquet", tmp_path / name, jobs=1, progress=False)
    fields = pq.read_schema(tmp_path / "out.parquet")
    assert fields.field("编号").metadata == {b"description": "12315 平台的受理编号".encode()}
    assert fields.field("投诉内容").metadata is None
    assert fields.field("category").metadata[b"description"].decode() == COLUMN_NOTES["category"]
    header = next(openpyxl.load_workbook(tmp_path / "out.xlsx").active.iter_rows(max_row=1))
    assert header[0].value == "编号" and header[0].comment.text.startswith("12315 平台的受理编号")
    assert list(pd.read_parquet(tmp_path / "out.parquet")["编号"]) == ["A1", "A2"]


def test_a_parquet_inputs_column_note_in_gb18030_reaches_its_tagged_files_unchanged(default_model, tmp_path):
    # A field's description written in GB18030 (by a program on a Chinese Windows) was decoded as UTF-8 with U+FFFD
    # for what it could not read: the tagged Parquet file held other bytes than the input (Ͷ�ߵ�ԭ��), as did the
    # tagged .xlsx's note. The Parquet file now keeps the bytes as they were; the note reads them as GB18030.
    import openpyxl

    note = "投诉的原文".encode("gb18030")
    schema = pa.schema([pa.field("编号", pa.string()), pa.field("投诉内容", pa.string(), metadata={b"description": note})])
    pq.write_table(pa.table({"编号": ["A1", "A2"], "投诉内容": ["冰箱买回来三天就不制冷了", "超市的秤不准"]}, schema=schema),
                   tmp_path / "in.parquet")
    for name in ("out.parquet", "out.xlsx"):
        tag_file(default_model, tmp_path / "in.parquet", tmp_path / name, jobs=1, progress=False)
    assert pq.read_schema(tmp_path / "out.parquet").field("投诉内容").metadata == {b"description": note}
    header = next(openpyxl.load_workbook(tmp_path / "out.xlsx").active.iter_rows(max_row=1))
    assert header[1].value == "投诉内容" and header[1].comment.text.startswith("投诉的原文"), header[1].comment.text


SPARK_SCHEMA = b"org.apache.spark.sql.parquet.row.metadata"


def _interrupted_once_tagged(monkeypatch, tag) -> None:
    """Run ``tag`` stopped (SIGINT) once every chunk is tagged, before the output is written, to be resumed."""
    import signal

    from consumer_nlp.tagging import _run

    def interrupted_here(*args, original=_run.output_sheet, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return original(*args, **kwargs)

    monkeypatch.setattr(_run, "output_sheet", interrupted_here)
    with pytest.raises(KeyboardInterrupt):
        tag()
    monkeypatch.undo()


@pytest.mark.parametrize("resumed", [False, True])
def test_a_parquet_inputs_other_field_and_file_metadata_reach_its_tagged_parquet(default_model, tmp_path, monkeypatch,
                                                                                  resumed, sigint_heard):
    # Other keys of a field's metadata (unit) and the file's own key-value metadata (owner, a producer's notes) were
    # dropped from the tagged Parquet file, as its parts are written from pandas frames. They are kept: on the same
    # fields, beside their description and the added fields' own; pandas' and Spark's records of the input's frame are
    # not (Spark would read the tagged file by its stored schema, which holds none of the added columns).
    fields = [pa.field("编号", pa.string(), metadata={b"description": "受理编号".encode(), b"unit": b"none"}),
              pa.field("金额", pa.int64(), metadata={b"unit": "元".encode()}), pa.field("投诉内容", pa.string())]
    table = pa.table({"编号": ["A1", "A2"], "金额": [200, 35], "投诉内容": ["冰箱买回来三天就不制冷了", "超市的秤不准"]},
                     schema=pa.schema(fields, metadata={b"owner": "市消协".encode(), b"pandas": b"{}", SPARK_SCHEMA:
                                                        b'{"type":"struct","fields":[]}'}))
    pq.write_table(table, tmp_path / "in.parquet")
    if resumed:  # stopped once every chunk is tagged, then gone on with
        _interrupted_once_tagged(monkeypatch, lambda: tag_file(default_model, tmp_path / "in.parquet",
                                                               tmp_path / "out.parquet", jobs=1, progress=False))
    summary = tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.parquet", jobs=1, progress=False,
                       resume=resumed)
    assert summary.resumed_chunks == resumed
    out = pq.read_schema(tmp_path / "out.parquet")
    assert out.field("编号").metadata == {b"description": "受理编号".encode(), b"unit": b"none"}
    assert out.field("金额").metadata == {b"unit": "元".encode()}
    assert out.field("投诉内容").metadata is None and b"description" in out.field("category").metadata
    assert out.metadata == {b"owner": "市消协".encode()}
    assert list(pd.read_parquet(tmp_path / "out.parquet")["金额"]) == [200, 35]


_LABELED = pd.DataFrame({"金额": [0, 200, 35, 0, 58, 12, 99], "投诉内容": [
    "物流很慢", "冰箱买回来三天就不制冷了", "超市的秤不准", "保健品宣传能治病", "充电宝冒烟了", "会员卡余额不退", "客服态度差"]})


@pytest.mark.parametrize("how", ["cli", "api", "resumed"])
@pytest.mark.parametrize("rows", [slice(1, None), slice(1, None, 2)], ids=["iloc[1:]", "iloc[1::2] named"])
def test_a_tagged_parquet_file_keeps_its_pandas_inputs_row_labels(default_model, tmp_path, monkeypatch, sigint_heard,
                                                                   how, rows):
    # pandas stores a RangeIndex (1, 2, 3, …; 1, 3, 5, … of iloc[1::2]) in its `pandas` key alone, no column; the
    # tagged file had no such key, so pandas read its rows as 0, 1, 2, … and a join of the tags onto the input by
    # index put each tag one row off, without a word. The tagged file's `pandas` key now gives the input's labels.
    import consumer_nlp as cn
    from consumer_nlp.cli import main

    dask_frames = pytest.importorskip("dask.dataframe")
    frame = _LABELED.iloc[rows].rename_axis("序号" if rows.step else None)
    frame.to_parquet(tmp_path / "in.parquet")
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    if how == "cli":
        assert main(["tag", str(source), "-o", str(out), "--chunk-size", "2", "--jobs", "1", "-q"]) == 0
    else:
        if how == "resumed":  # stopped once every chunk is tagged, then gone on with
            _interrupted_once_tagged(monkeypatch, lambda: cn.tag_file(default_model, source, out, jobs=1, chunk_size=2,
                                                                      progress=False))
        cn.tag_file(default_model, source, out, jobs=1, chunk_size=2, progress=False, resume=how == "resumed")
    tagged = pd.read_parquet(out)
    assert tagged.index.equals(frame.index) and tagged.index.name == frame.index.name
    joined = frame[["投诉内容"]].join(tagged[["投诉内容"]].add_suffix("_tagged"))
    assert list(joined["投诉内容_tagged"]) == list(frame["投诉内容"])
    assert list(tagged.columns) == [*frame.columns, *TAG_COLUMNS]
    assert list(tagged["金额"]) == list(frame["金额"]) and tagged["金额"].dtype == frame["金额"].dtype
    if frame.index.name is None:  # Dask reads the index so too (a named RangeIndex it reads of no file pandas wrote)
        assert dask_frames.read_parquet(out).compute().index.equals(frame.index)


_INDEXED = {  # frames whose row labels pandas stores as columns (a RangeIndex with a name in its key alone)
    "named": lambda: _LABELED.assign(编号=[f"C{n}" for n in range(7)]).set_index("编号").iloc[1:],
    # whole numbers in no steps (pandas 3 makes a RangeIndex of even steps)
    "named, whole numbers": lambda: _LABELED.assign(编号=[3000 + n * n for n in range(7)]).set_index("编号"),
    "unnamed, out of order": lambda: _LABELED.iloc[[6, 0, 3, 1, 5, 2, 4]],
    "MultiIndex": lambda: _LABELED.assign(编号=[f"C{n}" for n in range(7)], 渠道=["电话", "网络"] * 3 + ["信件"])
    .set_index(["编号", "渠道"]).iloc[1:],
    "RangeIndex named": lambda: _LABELED.rename_axis("序号"),
}


@pytest.mark.parametrize("how", ["cli", "jobs=2", "resumed"])
@pytest.mark.parametrize("index", list(_INDEXED))
def test_an_index_pandas_stored_as_columns_is_the_tagged_parquets_index(default_model, tmp_path, monkeypatch,
                                                                        sigint_heard, index, how):
    # A named index, a MultiIndex or labels no range describes (__index_level_0__), which pandas stores as columns
    # named in its `pandas` key, were written as plain columns with no such key: pd.read_parquet read the tagged rows
    # as 0, 1, 2, … and the labels as columns, so an analyst's join by index joined wrong rows or none. The tagged
    # file's `pandas` key now names them as the input's does: the same index, its columns, each row its own.
    from consumer_nlp.cli import main

    frame = _INDEXED[index]()
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    frame.to_parquet(source)
    read = pd.read_parquet(source)
    if how == "cli":
        assert main(["tag", str(source), "-o", str(out), "--chunk-size", "2", "--jobs", "1", "-q"]) == 0
    else:
        def tag(**kwargs):
            return tag_file(default_model, source, out, jobs=1 if how == "resumed" else 2, chunk_size=2,
                            progress=False, **kwargs)

        if how == "resumed":
            _interrupted_once_tagged(monkeypatch, tag)
        assert tag(resume=how == "resumed").resumed_chunks == (how == "resumed") * -(-len(frame) // 2)
    tagged = pd.read_parquet(out)
    assert tagged.index.equals(read.index) and tagged.index.names == read.index.names
    assert [str(level.dtype) for level in (tagged.index.levels if tagged.index.nlevels > 1 else [tagged.index])] == \
        [str(level.dtype) for level in (read.index.levels if read.index.nlevels > 1 else [read.index])]
    assert list(tagged.columns) == [*read.columns, *TAG_COLUMNS] and tagged["category"].notna().all()
    pd.testing.assert_frame_equal(tagged[list(read.columns)], read)
    joined = read[["投诉内容"]].join(tagged[["投诉内容"]].add_suffix("_tagged"))
    assert list(joined["投诉内容_tagged"]) == list(read["投诉内容"])
    if index != "RangeIndex named":  # Dask reads these labels too (a named RangeIndex it reads of no file pandas wrote)
        by_dask = pytest.importorskip("dask.dataframe").read_parquet(out).compute().index
        # the labels and their names (older Dask reads text labels as pandas' string dtype, not object)
        assert list(by_dask) == list(read.index) and list(by_dask.names) == list(read.index.names)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("index", ["named", "MultiIndex", "unnamed, out of order"])
def test_an_index_pandas_stored_as_columns_stays_columns_of_a_tagged_csv_or_xlsx(default_model, tmp_path, kind,
                                                                                 index):
    # A desk's CSV and .xlsx have no index: the labels pandas stored as columns are columns there, named as stored
    # (pandas writes them last), each row its own.
    frame = _INDEXED[index]()
    frame.to_parquet(tmp_path / "in.parquet")
    stored = pq.read_table(tmp_path / "in.parquet").to_pandas(ignore_metadata=True)
    tag_file(default_model, tmp_path / "in.parquet", tmp_path / f"out.{kind}", jobs=1, chunk_size=2, progress=False)
    tagged = pd.read_csv(tmp_path / "out.csv") if kind == "csv" else pd.read_excel(tmp_path / "out.xlsx")
    assert list(tagged.columns) == [*stored.columns, *TAG_COLUMNS]
    for column in stored.columns:
        assert list(tagged[column]) == list(stored[column]), column


@pytest.mark.parametrize("damage", [lambda key: key[:-5],
                                    lambda key: key.replace(b'"name": null', '"name": "序号"'.encode("gb18030"))],
                         ids=["cut off", "GB18030"])
def test_a_parquet_file_whose_pandas_key_is_damaged_is_tagged_every_row_kept(default_model, tmp_path, damage):
    # A file whose `pandas` key a program cut off or wrote in GB18030 (its other readers need no pandas) stopped the
    # tagging with Python's JSONDecodeError or UnicodeDecodeError naming no row, though its columns read well.
    table = pa.Table.from_pandas(_LABELED.iloc[1:])
    metadata = table.schema.metadata
    pq.write_table(table.replace_schema_metadata({**metadata, b"pandas": damage(metadata[b"pandas"])}),
                   tmp_path / "in.parquet")
    tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.parquet", jobs=1, chunk_size=2, progress=False)
    tagged = pd.read_parquet(tmp_path / "out.parquet")
    assert list(tagged["投诉内容"]) == list(_LABELED["投诉内容"][1:]) and list(tagged["金额"]) == list(_LABELED["金额"][1:])


@pytest.mark.parametrize("edit", [(b'"start": 1', b'"start": true'), (b'"name": null', b'"name": ["a", "b"]')],
                         ids=["start true", "name a list"])
def test_a_range_pandas_cannot_read_is_not_given_to_the_tagged_parquet(default_model, tmp_path, edit):
    # A RangeIndex edited by hand into one pandas cannot make (start true, a list for its name) was copied into the
    # tagged file's `pandas` key, so pd.read_parquet failed on the tagged file (TypeError) as on the input: the rows
    # are read as 0, 1, 2, … instead, each with its own values.
    table = pa.Table.from_pandas(_LABELED.iloc[1:])
    metadata = table.schema.metadata
    pq.write_table(table.replace_schema_metadata({**metadata, b"pandas": metadata[b"pandas"].replace(*edit)}),
                   tmp_path / "in.parquet")
    tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.parquet", jobs=1, chunk_size=2, progress=False)
    tagged = pd.read_parquet(tmp_path / "out.parquet")
    assert list(tagged.index) == list(range(6)) and list(tagged["投诉内容"]) == list(_LABELED["投诉内容"][1:])


@pytest.mark.parametrize("edit", [('"index_columns": ["编号"]', '"index_columns": ["不在文件中"]'),
                                  ('"index_columns": ["编号"]', '"index_columns": ["编号", "编号"]'),
                                  ('"name": "编号"', '"name": ["a"]'), ('"columns": [', '"columns": [1, ')],
                         ids=["no such column", "one column twice", "name a list", "not a column's record"])
def test_index_columns_pandas_cannot_read_are_not_given_to_the_tagged_parquet(default_model, tmp_path, edit):
    # The index columns named in a `pandas` key are copied into the tagged file's: one edited by hand into what pandas
    # cannot read (pd.read_parquet fails on such an input) must not make the tagged file unreadable too; its rows are
    # read as 0, 1, 2, …, the labels a column as stored, each row its own.
    table = pa.Table.from_pandas(_LABELED.assign(编号=[f"C{n}" for n in range(7)]).set_index("编号"))
    key = json.dumps(json.loads(table.schema.metadata[b"pandas"]), ensure_ascii=False)
    assert edit[0] in key
    pq.write_table(table.replace_schema_metadata({b"pandas": key.replace(*edit).encode()}), tmp_path / "in.parquet")
    tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.parquet", jobs=1, chunk_size=2, progress=False)
    tagged = pd.read_parquet(tmp_path / "out.parquet")
    assert list(tagged.index) == list(range(7)) and list(tagged["编号"]) == [f"C{n}" for n in range(7)]
    assert list(tagged["投诉内容"]) == list(_LABELED["投诉内容"])


def test_a_parquet_file_with_string_view_columns_is_tagged_every_value_kept(default_model, tmp_path):
    # A file whose texts pyarrow (or a polars frame's to_arrow) wrote as string_view, the type it reads them back as,
    # stopped the tagging with pyarrow's ArrowNotImplementedError ('array_take' has no kernel), naming no row.
    texts = list(_LABELED["投诉内容"])
    pq.write_table(pa.table({"投诉内容": pa.array(texts, pa.string_view()),
                             "编号": pa.array([f"C{n}" for n in range(7)], pa.string_view())}), tmp_path / "in.parquet")
    tag_file(default_model, tmp_path / "in.parquet", tmp_path / "out.parquet", jobs=1, chunk_size=2, progress=False)
    tagged = pd.read_parquet(tmp_path / "out.parquet")
    assert list(tagged["投诉内容"]) == texts and list(tagged["编号"]) == [f"C{n}" for n in range(7)]
    assert tagged["category"].notna().all()


def test_a_tagged_parquet_file_of_no_rows_reads_beside_one_with_rows(default_model, tmp_path):
    # A Parquet input of no rows (a day without complaints) gave a tagged file whose added columns were of Arrow's
    # null type: a dataset of a folder of tagged files, the empty one first, failed (cast from string to null).
    import pyarrow as pa
    import pyarrow.dataset as ds

    # (the input's own columns typed as such: pandas 2 writes an empty object column as null, pandas 3 as string)
    typed = pa.schema([("金额", pa.int64()), ("投诉内容", pa.string())])
    _LABELED.iloc[:0].to_parquet(tmp_path / "none.parquet", schema=typed)
    _LABELED.iloc[:2].to_parquet(tmp_path / "two.parquet", schema=typed)
    (tmp_path / "tagged").mkdir()
    for name in ("none", "two"):
        tag_file(default_model, tmp_path / f"{name}.parquet", tmp_path / "tagged" / f"{name}.parquet", jobs=1,
                 progress=False)
    both = ds.dataset([tmp_path / "tagged" / "none.parquet", tmp_path / "tagged" / "two.parquet"]).to_table()
    assert both.column("投诉内容").to_pylist() == list(_LABELED["投诉内容"][:2])
    assert both.column("category").null_count == 0


def test_notes_on_a_workbooks_column_names_reach_its_tagged_xlsx(default_model, tmp_path):
    # A note a desk put on a column name (what 金额 counts in) was gone from the tagged .xlsx, without a word, while
    # the notes on its data cells were kept. It is kept, with its author, beside the added columns' own notes.
    from openpyxl.comments import Comment

    workbook = Workbook()
    for row in [[None, "金额", "投诉内容"], [None, 200, "冰箱买回来三天就不制冷了"], [None, 35, "超市的秤不准"]]:
        workbook.active.append(row)
    workbook.active["B1"].comment = Comment("单位：元，含运费", "王芳")
    workbook.active["C3"].comment = Comment("已回访", "李明")
    workbook.save(tmp_path / "in.xlsx")
    tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.xlsx", jobs=1, progress=False)
    out = load_workbook(tmp_path / "out.xlsx").active
    assert [(c.coordinate, c.comment.text, c.comment.author) for row in out.iter_rows() for c in row
            if c.comment and c.comment.author != "consumer-nlp"] == [("A1", "单位：元，含运费", "王芳"), ("B3", "已回访", "李明")]
    assert list(header_notes(out)) == ["金额", *TAG_COLUMNS]


def _two_row_heading(path):
    """A desk's workbook with a two-row heading: 编号 and 渠道 merged over A1:A2 and B1:B2 (a note on A1) beside 投诉信息
    merged over C1:D1, the names 投诉内容 and 金额 in row 2, as .xlsx or (by ``path``'s name) .xls."""
    rows = [["编号", "渠道", "投诉信息", None], [None, None, "投诉内容", "金额"],
            ["C1", "电话", "冰箱买回来三天就不制冷了", 200], ["C2", "网络", "超市的秤不准", 35]]
    if path.suffix == ".xls":
        xlwt = pytest.importorskip("xlwt")
        workbook = xlwt.Workbook()
        sheet = workbook.add_sheet("投诉")
        sheet.write_merge(0, 1, 0, 0, "编号")
        sheet.write_merge(0, 1, 1, 1, "渠道")
        sheet.write_merge(0, 0, 2, 3, "投诉信息")
        for r, row in enumerate(rows[1:], start=1):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        workbook.save(str(path))
        return path
    from openpyxl.comments import Comment

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    for merged in ("A1:A2", "B1:B2", "C1:D1"):
        workbook.active.merge_cells(merged)
    workbook.active["A1"].comment = Comment("受理编号，勿改", "王芳")
    workbook.save(path)
    return path


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
@pytest.mark.parametrize("kind", ["csv", "xlsx", "jsonl"])
def test_a_column_name_merged_down_from_a_row_above_heads_its_column(default_model, tmp_path, name, kind):
    # A two-row heading read from its second row gave columns A and B no name (Excel shows 编号 and 渠道 there): it
    # was refused as two unnamed columns (one alone was headed with an empty cell in the tagged file, its note on A1
    # lost). The header row now takes the value (and note) of a range merged down over it from above, in .xlsx and
    # .xls alike.
    source = _two_row_heading(tmp_path / name)
    # read from its first row, 投诉信息 over C1:D1 names D (投诉信息（D列）), and the names in row 2 are still pointed at
    with pytest.raises(ValueError, match=r"Row 2 looks like the column names \(it holds '投诉内容'\).*header_row=2"):
        tag_file(default_model, source, tmp_path / "first.csv", jobs=1, progress=False)
    reader = open_archive(source, header_row=2)
    chunk = next(iter(reader.chunks()))
    assert reader.columns == ["编号", "渠道", "投诉内容", "金额"]
    assert chunk.rows["编号"].tolist() == ["C1", "C2"]
    output = tmp_path / f"out.{kind}"
    tag_file(default_model, source, output, jobs=1, progress=False, header_row=2)
    if kind == "xlsx":
        out = load_workbook(output).active
        assert [c.value for c in out[1]][:4] == ["编号", "渠道", "投诉内容", "金额"]
        if name.endswith(".xlsx"):  # xlwt writes no notes
            assert header_notes(out)["编号"] == "受理编号，勿改"
    else:
        back = open_archive(output)
        next(iter(back.chunks()))
        assert back.columns[:4] == ["编号", "渠道", "投诉内容", "金额"]


@pytest.mark.parametrize("header_row", [1, 2])
def test_a_column_name_merged_down_reads_as_excel_shows_it(tmp_path, header_row):
    # The top cell of a range merged down over the header row was read as stored, not as Excel shows it: a code
    # number 1 shown 001 by its format 000 named its column 1, and a text's _x000D_ (a carriage return, as Excel saves
    # it) stayed as written, where the same cells read as the header row itself give 001 and a carriage return.
    workbook = Workbook()
    sheet = workbook.active
    for row in [[1, "投诉_x000D_内容"]] + [[None, None]] * (header_row - 1) + [["C1", "冰箱买回来三天就不制冷了"]]:
        sheet.append(row)
    sheet["A1"].number_format = "000"
    if header_row == 2:
        sheet.merge_cells("A1:A2")
        sheet.merge_cells("B1:B2")
    workbook.save(tmp_path / "in.xlsx")
    reader = open_archive(tmp_path / "in.xlsx", header_row=header_row)
    next(iter(reader.chunks()))
    assert reader.columns == ["001", "投诉\r内容"]


def test_notes_outside_a_workbooks_table_are_kept_beside_it_or_named(default_model, tmp_path, capsys):
    # A note on an empty cell outside the table (本表截至12月 on E1, two columns right of the last named one; 已回访 on
    # E3; notes on the empty column A left of a table drawn from B) reached no output and was counted nowhere. Those
    # right of the table are kept in the tagged .xlsx as far right of its last column; the others, which have no place
    # there, are named in the closing summary.
    from openpyxl.comments import Comment

    from consumer_nlp.cli import main

    workbook = Workbook()
    for row in [[None, "金额", "投诉内容"], [None, 200, "冰箱买回来三天就不制冷了"], [None, 35, "超市的秤不准"]]:
        workbook.active.append(row)
    for cell, text in [("E1", "本表截至12月"), ("E3", "已回访"), ("A1", "左侧说明"), ("A2", "第一条是样例")]:
        workbook.active[cell].comment = Comment(text, "王芳")
    workbook.save(tmp_path / "in.xlsx")
    assert main(["tag", str(tmp_path / "in.xlsx"), "-o", str(tmp_path / "out.xlsx")]) == 0
    said = "".join(capsys.readouterr())
    out = load_workbook(tmp_path / "out.xlsx").active
    last = 2 + len(TAG_COLUMNS)  # 金额, 投诉内容 and the added columns
    notes = {(c.column, c.row): c.comment.text for row in out.iter_rows() for c in row
             if c.comment and c.comment.author == "王芳"}
    assert notes == {(last + 2, 1): "本表截至12月", (last + 2, 3): "已回访"}
    assert "单元格 A1、A2 的批注在表格之外" in said


def test_a_header_cells_own_note_under_a_heading_merged_down_over_it_is_named(default_model, tmp_path):
    # A header cell covered by a range merged down from above takes the range's note, as Excel shows it: a note of its
    # own (kept in the file by a program that merged without clearing the cells under the range) was dropped without a
    # word. It is now named in the summary, as the notes no output keeps are.
    from openpyxl.comments import Comment
    from openpyxl.worksheet.cell_range import CellRange

    workbook = Workbook()
    sheet = workbook.active
    for row in [["编号", None], ["旧编号", "投诉内容"], ["C1", "冰箱买回来三天就不制冷了"]]:
        sheet.append(row)
    sheet["A1"].comment = Comment("受理编号，勿改", "王芳")
    sheet["A2"].comment = Comment("旧的说明", "李明")
    sheet.merged_cells.add(CellRange("A1:A2"))  # as merge_cells, but the cell A2 and its note are kept in the file
    workbook.save(tmp_path / "in.xlsx")
    summary = tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.xlsx", jobs=1, progress=False,
                       header_row=2)
    out = load_workbook(tmp_path / "out.xlsx").active
    assert [c.value for c in out[1]][:2] == ["编号", "投诉内容"]
    assert header_notes(out)["编号"] == "受理编号，勿改"
    assert summary.notes_left_out == ["A2"] and "单元格 A2 的批注" in str(summary) and "合并单元格遮住" in str(summary)


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_a_heading_merged_down_into_the_data_rows_is_named_with_the_rows_it_covers(default_model, tmp_path, name):
    # 编号 merged over A1:A5 read with the header in row 2 names column A 编号, but rows 3 to 5 read their own cells
    # (empty, as Excel saves them) where Excel shows 编号 across them: their 编号 came out empty and nothing said why.
    # The summary now names the range and the rows it covers, so that a desk can check them; the rows are not filled.
    source = _headings_merged_into_the_data(tmp_path / name, [("编号", 0, 0)], ["冰箱买回来三天就不制冷了", "超市的秤不准", "手机屏幕碎了"])
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, header_row=2)
    assert [r["编号"] for r in read_output(summary.output)] == ["", "", ""]
    said = str(summary)
    assert "合并单元格 A1:A5" in said and "第 3 至 5 行" in said and "「编号」" in said, said
    assert summary.merged == []


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_a_column_name_merged_down_from_the_header_row_into_data_rows_is_named(default_model, tmp_path, name):
    # 编号 typed in the header row and merged down over A1:A4 shows 编号 in rows 2 to 4 in Excel, as a heading merged
    # from a row above does, but their 编号 came out empty without a word: only ranges from above the header were named.
    texts = ["冰箱买回来三天就不制冷了", "超市的秤不准", "手机屏幕碎了", "充值卡不能退"]
    source = tmp_path / name
    if name.endswith(".xls"):
        xlwt = pytest.importorskip("xlwt")
        book = xlwt.Workbook()
        sheet = book.add_sheet("投诉")
        sheet.write_merge(0, 3, 0, 0, "编号")
        sheet.write(0, 1, "投诉内容")
        for r, text in enumerate(texts, start=1):
            sheet.write(r, 1, text)
        book.save(str(source))
    else:
        workbook = Workbook()
        workbook.active.append(["编号", "投诉内容"])
        for text in texts:
            workbook.active.append([None, text])
        workbook.active.merge_cells("A1:A4")
        workbook.save(source)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert [r["编号"] for r in read_output(summary.output)] == ["", "", "", ""]
    said = str(summary)
    assert "合并单元格 A1:A4（「编号」列第 2 至 4 行）" in said, said


def _headings_merged_into_the_data(path, ranges, texts):
    """A workbook (.xlsx, or .xls by ``path``'s name) whose ``ranges`` ((value, first column, last column), numbered
    from 0, of one column or more) are merged from row 1 down to the last text's row, beside 投诉内容 in row 2 and
    ``texts`` (None: a blank row) below it in the column after the last range."""
    text_column, last = max(r[2] for r in ranges) + 1, len(texts) + 1
    if path.suffix == ".xls":
        xlwt = pytest.importorskip("xlwt")
        book = xlwt.Workbook()
        sheet = book.add_sheet("投诉")
        for value, first, end in ranges:
            sheet.write_merge(0, last, first, end, value)
        for r, text in enumerate(["投诉内容"] + texts, start=1):
            if text is not None:
                sheet.write(r, text_column, text)
        book.save(str(path))
        return path
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    for value, first, end in ranges:
        sheet.cell(1, first + 1, value)
        sheet.merge_cells(f"{get_column_letter(first + 1)}1:{get_column_letter(end + 1)}{last + 1}")
    for r, text in enumerate(["投诉内容"] + texts, start=2):
        if text is not None:
            sheet.cell(r, text_column + 1, text)
    workbook.save(path)
    return path


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_a_heading_merged_into_the_data_rows_over_two_columns_names_each_column(default_model, tmp_path, name):
    # 编号 over A1:B5 and 渠道 over C1:D5, read with the header in row 2, head columns A and C in Excel and B and D
    # too: B and D had no name and the sheet was refused (columns B and D have no name; one such range alone left B
    # unnamed, and the note named column A alone). Every column a range covers is now named after it, the first as
    # the range's value, the others by it and their letter, and the note names them all.
    texts = ["冰箱买回来三天就不制冷了", "超市的秤不准", "手机屏幕碎了"]
    source = _headings_merged_into_the_data(tmp_path / name, [("编号", 0, 1), ("渠道", 2, 3)], texts)
    summary = tag_file(default_model, source, tmp_path / "out.xlsx", jobs=1, progress=False, header_row=2)
    out = load_workbook(tmp_path / "out.xlsx").active
    assert [c.value for c in out[1]][:5] == ["编号", "编号（B列）", "渠道", "渠道（D列）", "投诉内容"]
    assert [r["投诉内容"] for r in read_output(summary.output)] == texts
    said = str(summary)
    assert "A1:B5（「编号」「编号（B列）」列第 3 至 5 行）" in said, said
    assert "C1:D5（「渠道」「渠道（D列）」列第 3 至 5 行）" in said, said


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_blank_rows_under_a_heading_merged_into_the_data_rows_are_not_named_as_rows(default_model, tmp_path, name,
                                                                                    capsys):
    # 编号 over A1:B6, the header in row 2 and row 4 blank (skipped, no record): the note named rows 3 to 6, the
    # blank row among them, where the output holds rows 3, 5 and 6 only. It now names the records' rows alone.
    from consumer_nlp.cli import main

    source = _headings_merged_into_the_data(tmp_path / name, [("编号", 0, 1)],
                                      ["冰箱买回来三天就不制冷了", None, "超市的秤不准", "手机屏幕碎了"])
    assert main(["tag", str(source), "-o", str(tmp_path / "out.csv"), "--header-row", "2"]) == 0
    said = "".join(capsys.readouterr())
    assert "A1:B6（「编号」「编号（B列）」列第 3 行、第 5 至 6 行）" in said, said
    rows = read_output(tmp_path / "out.csv")
    assert [r["投诉内容"] for r in rows] == ["冰箱买回来三天就不制冷了", "超市的秤不准", "手机屏幕碎了"]
    assert list(rows[0])[:3] == ["编号", "编号（B列）", "投诉内容"]


def _headings_across_the_header_row(path, header, ranges, rows):
    """A workbook (.xlsx, or .xls by ``path``'s name) whose ``header`` (None: a cell a range covers) stands in row 1,
    ``ranges`` ((first column, last column), numbered from 0) merged across it in that row alone, and ``rows`` below."""
    if path.suffix == ".xls":
        xlwt = pytest.importorskip("xlwt")
        book = xlwt.Workbook()
        sheet = book.add_sheet("投诉")
        for first, end in ranges:
            sheet.write_merge(0, 0, first, end, header[first])
        covered = {c for first, end in ranges for c in range(first, end + 1)}
        for r, row in enumerate([header] + rows):
            for c, value in enumerate(row):
                if value is not None and not (r == 0 and c in covered):
                    sheet.write(r, c, value)
        book.save(str(path))
        return path
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    for row in [header] + rows:
        workbook.active.append(row)
    for first, end in ranges:
        workbook.active.merge_cells(f"{get_column_letter(first + 1)}1:{get_column_letter(end + 1)}1")
    workbook.save(path)
    return path


_PHONES = [["C1", "冰箱买回来三天就不制冷了", "13800000001", "wang@example.cn"],
           ["C2", "超市的秤不准", "13800000002", ""],
           ["C3", "手机屏幕碎了", "", "li@example.cn"]]


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
@pytest.mark.parametrize("header, ranges, rows, columns", [
    # 联系方式 over C1:D1 as the last columns: every row with an e-mail in D was set aside (cells beyond the header)
    (["编号", "投诉内容", "联系方式", None], [(2, 3)], _PHONES, ["编号", "投诉内容", "联系方式", "联系方式（D列）"]),
    # between other columns: D was an unnamed column
    (["编号", "联系方式", None, "投诉内容"], [(1, 2)], [[r[0], r[2], r[3], r[1]] for r in _PHONES],
     ["编号", "联系方式", "联系方式（C列）", "投诉内容"]),
    # two such headings: the sheet was refused (columns C and E have no name)
    (["编号", "联系方式", None, "地址", None, "投诉内容"], [(1, 2), (3, 4)],
     [[r[0], r[2], r[3], "浙江省", f"杭州市{n}号", r[1]] for n, r in enumerate(_PHONES)],
     ["编号", "联系方式", "联系方式（C列）", "地址", "地址（E列）", "投诉内容"]),
], ids=["last", "between", "two"])
def test_a_heading_merged_across_columns_in_the_header_row_alone_names_each_column(default_model, tmp_path, name,
                                                                                   header, ranges, rows, columns):
    # A heading merged across two columns of the header row alone (联系方式 over C1:D1, phones in C, e-mails in D) left
    # the column after its first unnamed, though Excel shows the heading over both: as the last column every row with
    # an e-mail was a bad row, between others D was unnamed, and two such headings had the sheet refused. Each column
    # the range covers is now named as for a range over the header row and a row above or below it (`named_under`).
    source = _headings_across_the_header_row(tmp_path / name, header, ranges, rows)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.bad_rows == 0 and summary.rows_out == len(rows)
    out = read_output(tmp_path / "out.csv")
    assert list(out[0])[:len(columns)] == columns
    assert [[r[c] for c in columns] for r in out] == rows


_REMARKS = [["C1", "冰箱买回来三天就不制冷了", "热线", "已回访"], ["C2", "超市的秤不准", "微信", ""],
            ["C3", "手机屏幕碎了", "热线", "已退款"]]


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_a_heading_merged_past_the_last_column_holding_a_value_adds_no_empty_columns(default_model, tmp_path, name):
    # 备注 merged over D1:H1, values in A to D alone (helper e1's open entry): D to H were named 备注（E列） … 备注（H列）
    # and every output held four columns of nothing. The names now stop at the sheet's last column holding a value.
    source = _headings_across_the_header_row(tmp_path / name, ["编号", "投诉内容", "渠道", "备注", *[None] * 4],
                                             [(3, 7)], _REMARKS)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.bad_rows == 0 and summary.rows_out == 3, str(summary)
    out = read_output(tmp_path / "out.csv")
    assert list(out[0]) == ["编号", "投诉内容", "渠道", "备注", *TAG_COLUMNS]
    assert [[r[c] for c in ("编号", "备注")] for r in out] == [[r[0], r[3]] for r in _REMARKS]


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_a_value_under_a_heading_merged_past_the_table_on_a_late_row_keeps_its_column(default_model, tmp_path, name):
    # 备注 over D1:H1 with a value in G on row 5,000 alone: G is kept and named 备注（G列）, as are E and F between it
    # and D (a merge within the used columns names every column it covers); H, beyond every value, is no column.
    rows = [[f"C{n}", "冰箱买回来三天就不制冷了", "热线", ""] for n in range(1, 5000)]
    rows[-1] = rows[-1] + [None, None, "消费者来电补充：已退款"]
    source = _headings_across_the_header_row(tmp_path / name, ["编号", "投诉内容", "渠道", "备注", *[None] * 4],
                                             [(3, 7)], rows)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.bad_rows == 0 and summary.rows_out == 4999, str(summary)
    out = read_output(tmp_path / "out.csv")
    assert list(out[0])[:7] == ["编号", "投诉内容", "渠道", "备注", "备注（E列）", "备注（F列）", "备注（G列）"]
    assert "备注（H列）" not in out[0]
    assert out[-1]["编号"] == "C4999" and out[-1]["备注（G列）"] == "消费者来电补充：已退款"
    assert not any(r["备注（G列）"] for r in out[:-1])


@pytest.mark.parametrize("name, end", [("in.xlsx", 16_383), ("in.xls", 255)])
def test_a_heading_merged_to_the_end_of_the_header_row_makes_no_columns_of_nothing(default_model, tmp_path, name,
                                                                                   end):
    # 备注 over D1:XFD1 (D1, Ctrl+Shift+→, 合并; IV1 in an old .xls) named 16,381 empty columns 备注（E列） …: 1,000
    # complaints took 79 s to tag into a 17 MB CSV of 16,384 columns (helper g7). The table now ends at D.
    rows = [[f"C{n}", "超市的秤不准，每斤少了二两", "热线", "已回访" if n % 3 else ""] for n in range(1, 301)]
    source = _headings_across_the_header_row(tmp_path / name, ["编号", "投诉内容", "渠道", "备注"], [(3, end)], rows)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.bad_rows == 0 and summary.rows_out == 300, str(summary)
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["编号", "投诉内容", "渠道", "备注", *TAG_COLUMNS]


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_texts_under_a_text_columns_heading_merged_over_a_blank_column_are_said_to_be_there(default_model, tmp_path,
                                                                                           name):
    # 投诉内容 merged over B1:C1, B empty and the texts in C (helper e1): the text column is found by its name, B, every
    # row was tagged 文本为空 and the summary said nothing of the texts in 投诉内容（C列）, the column Excel shows them in.
    rows = [["C1", None, "冰箱买回来三天就不制冷了"], ["C2", None, "超市的秤不准，少了二两"], ["C3", None, None]]
    source = _headings_across_the_header_row(tmp_path / name, ["编号", "投诉内容", None], [(1, 2)], rows)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.text_col == "投诉内容" and summary.empty == 3, str(summary)
    assert summary.empty_elsewhere == {"投诉内容（C列）": 2}, str(summary)
    said = [line for line in str(summary).splitlines() if "投诉内容（C列）" in line]
    assert len(said) == 1 and "2 件" in said[0] and "合并" in said[0], str(summary)


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_texts_under_a_merged_heading_written_over_two_lines_are_said_to_be_there(default_model, tmp_path, name):
    # A heading typed over two lines in its cell (投诉 Alt+Enter 内容, as forms are headed) merged over B1:C1, the texts
    # in B and C: the rows whose texts were in 投诉\n内容（C列） were tagged 文本为空 without a word, where the heading
    # typed on one line has them counted and named.
    rows = [["C1", "冰箱买回来三天就不制冷了", None], ["C2", None, "超市的秤不准，少了二两"], ["C3", None, None]]
    source = _headings_across_the_header_row(tmp_path / name, ["编号", "投诉\n内容", None], [(1, 2)], rows)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.text_col == "投诉\n内容" and summary.empty == 2, str(summary)
    assert summary.empty_elsewhere == {"投诉\n内容（C列）": 1}, str(summary)
    assert "合并" in str(summary), str(summary)


def test_texts_in_the_unnamed_column_a_merged_heading_leaves_in_a_csv_are_said_to_be_there(default_model, tmp_path):
    # A sheet with 投诉内容 merged over B1:C1, saved as CSV from Excel, keeps the heading in B and leaves C's name blank
    # (编号,投诉内容,,渠道): the rows whose texts were in C were tagged 文本为空 without a word, where the workbook itself
    # has them counted and named (投诉内容（C列）). A blank-named column elsewhere is not the text column's.
    source = tmp_path / "in.csv"
    source.write_text("编号,投诉内容,,渠道\n1,冰箱买回来三天就不制冷了,,热线\n2,,超市的秤不准，少了二两,微信\n"
                      "3,,,微信\n4,,充电宝冒烟起火,热线\n", encoding="utf-8-sig")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.text_col == "投诉内容" and summary.empty == 3, str(summary)
    assert dict(summary.empty_elsewhere) == {"": 2}, str(summary)
    said = [line for line in str(summary).splitlines() if "2 件" in line and "没有列名" in line]
    assert len(said) == 1 and "「投诉内容」右边" in said[0], str(summary)
    source.write_text("编号,,投诉内容,渠道\n1,冰箱,,热线\n2,秤,超市的秤不准，少了二两,微信\n", encoding="utf-8-sig")
    summary = tag_file(default_model, source, tmp_path / "out2.csv", jobs=1, progress=False)
    assert summary.empty == 1 and not summary.empty_elsewhere, str(summary)


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_texts_beside_a_text_column_under_a_merged_heading_are_said_to_be_there(default_model, tmp_path, name):
    # 投诉内容 merged over B1:D1, B empty, texts in C and D (helper f3): the summary told the desk to name
    # 投诉内容（C列） the text column, and tagged so, the rows whose texts were in 投诉内容（D列） (or in B) were tagged
    # 文本为空 without a word of where their texts were.
    rows = [["C1", None, "冰箱买回来三天就不制冷了", None], ["C2", None, None, "超市的秤不准，少了二两"],
            ["C3", "电视机开机黑屏，售后不管", None, None], ["C4", None, None, None]]
    source = _headings_across_the_header_row(tmp_path / name, ["编号", "投诉内容", None, None], [(1, 3)], rows)
    summary = tag_file(default_model, source, tmp_path / "out.csv", text_col="投诉内容（C列）", jobs=1, progress=False)
    assert summary.text_col == "投诉内容（C列）" and summary.empty == 3, str(summary)
    assert summary.empty_elsewhere == {"投诉内容（D列）": 1, "投诉内容": 1}, str(summary)
    said = [line for line in str(summary).splitlines() if "投诉内容（D列）" in line]
    assert len(said) == 1 and "1 件" in said[0] and "合并" in said[0], str(summary)


# Complaints in the third column, the second (named as the text) blank but for a note in one row; 地址 holds short
# Chinese words and 处理结果 a long reply in one row.
_TEXTS_IN_ANOTHER_COLUMN = [["A1", "", "冰箱买回来三天就不制冷了，商家拒绝退货", "杭州市西湖区", ""],
                            ["A2", "已回访", "超市的秤不准，每斤少了二两，要求赔偿", "宁波市", ""],
                            ["A3", "", "电视机开机就黑屏，售后一直推脱不管", "温州市", "已转交商家处理，三日内回复消费者"],
                            ["A4", "", "健身房收了年费之后就关门跑路了", "杭州市", ""]]


@pytest.mark.parametrize("name", ["in.xlsx", "in.csv"])
@pytest.mark.parametrize("named, texts, given", [("备注", "投诉内容", {"text_col": "备注"}), ("投诉内容", "详细情况", {})],
                         ids=["text_col", "by_name"])
def test_a_text_column_blank_in_most_rows_names_the_column_holding_the_texts(default_model, tmp_path,
                                                                           write_sheet_or_csv, name, named, texts,
                                                                           given):
    # The column named as the text (备注 by text_col=, or 投诉内容 found by its name) blank in most rows, the
    # complaints in a column of another name: every such row was tagged 文本为空 and the summary said nothing of where
    # the texts are. It names the column holding long Chinese text in most of them, and how to tag by it; every row
    # is written.
    rows = [["编号", named, texts, "地址", "处理结果"]] + _TEXTS_IN_ANOTHER_COLUMN
    source = write_sheet_or_csv(tmp_path / name, rows)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, **given)
    assert summary.text_col == named and summary.rows_out == 4 and summary.empty == 3, str(summary)
    assert [row["编号"] for row in read_output(tmp_path / "out.csv")] == ["A1", "A2", "A3", "A4"]
    assert summary.empty_elsewhere == {texts: 3}, str(summary)
    said = [line for line in str(summary).splitlines() if f"「{texts}」" in line]
    assert len(said) == 1 and "3 件" in said[0] and f"text_col={texts}" in said[0], str(summary)


def test_a_text_column_blank_in_a_few_rows_names_no_other_column(default_model, tmp_path, write_csv):
    # Rows without text now and then are the desk's, not a sign of the wrong column: 处理结果's long replies are not
    # offered as the texts while 投诉内容 holds words in most rows.
    rows = [["编号", "投诉内容", "处理结果"]] + [
        [f"A{n}", "" if n == 1 else "冰箱买回来三天就不制冷了，商家拒绝退货", "已转交商家处理，三日内回复消费者"]
        for n in range(1, 5)]
    summary = tag_file(default_model, write_csv(tmp_path / "in.csv", rows), tmp_path / "out.csv", jobs=1,
                       progress=False)
    assert summary.empty == 1 and summary.empty_elsewhere == {}, str(summary)
    assert "处理结果" not in str(summary)


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_a_text_columns_name_with_a_note_is_found_merged_over_two_columns_or_not(default_model, tmp_path, name):
    # 投诉内容（必填） (a form's note after the name) stopped tag with "cannot tell which column holds the complaint text"
    # until --text-col named it (helper f3), merged heading or not. It is the text column, and merged over C too, the
    # texts under it in C are said to be there as under 投诉内容.
    rows = [["C1", "冰箱买回来三天就不制冷了", None], ["C2", None, "超市的秤不准，少了二两"]]
    source = _headings_across_the_header_row(tmp_path / name, ["编号", "投诉内容（必填）", None], [(1, 2)], rows)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.text_col == "投诉内容（必填）" and summary.empty == 1, str(summary)
    assert summary.empty_elsewhere == {"投诉内容（必填）（C列）": 1}, str(summary)
    source = _headings_across_the_header_row(tmp_path / f"plain.{name}", ["编号", "投诉内容(必填)", "处理结果"], [],
                                             [["C1", "冰箱买回来三天就不制冷了", "已退"]])
    summary = tag_file(default_model, source, tmp_path / "plain.csv", jobs=1, progress=False)
    assert summary.text_col == "投诉内容(必填)" and summary.rows_out == 1 and summary.empty == 0, str(summary)


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_a_headings_derived_column_name_a_real_column_has_steps_aside(default_model, tmp_path, name):
    # 类别 over B1:C1 names C 类别（C列）; a column D the desk named 类别（C列） itself had the sheet refused as two columns
    # of one name (表头里有重名的列), though the sheet shows it once. The desk's name stays; the derived one steps aside.
    rows = [["C1", "质量", "网购", "电话", "冰箱买回来三天就不制冷了"], ["C2", "计量", "超市", "网络", "超市的秤不准"]]
    source = _headings_across_the_header_row(tmp_path / name, ["编号", "类别", None, "类别（C列）", "投诉内容"],
                                             [(1, 2)], rows)
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    out = read_output(summary.output)
    columns = ["编号", "类别", "类别（C列）2", "类别（C列）", "投诉内容"]
    assert list(out[0])[:5] == columns
    assert [[r[c] for c in columns] for r in out] == rows


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_a_title_merged_across_the_whole_header_row_is_still_told_as_a_title(default_model, tmp_path, name):
    # A title merged over A1:D1 above the column names (编号, 诉求, …: none a known text column's name) is all the first
    # row shows: read as a heading over four columns, it named them 2026年投诉登记表（B列）…, the row of names became
    # a record, and the advice to say which row holds the names was no longer given (the web's 第 1 行像是标题 neither):
    # a desk naming a column with --text-col had the names tagged as a complaint. It is read as the title it is again,
    # and a row of group names (基本信息 over A1:B1, 诉求信息 over C1:D1) is read as before: its rows wider than it.
    rows = [["编号", "诉求", "电话", "处理结果"], ["C1", "冰箱买回来三天就不制冷了", "138", "已退"]]
    source = _headings_across_the_header_row(tmp_path / name, ["2026年投诉登记表", None, None, None], [(0, 3)], rows)
    reader = open_archive(source)
    chunk = next(iter(reader.chunks()))
    assert reader.columns == ["2026年投诉登记表"]
    assert [(bad.row, bad.wider) for bad in chunk.bad] == [(2, True), (3, True)]
    with pytest.raises(ArchiveError, match="If that is a title above the column names"):
        tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    source = _headings_across_the_header_row(tmp_path / f"groups.{name}", ["基本信息", None, "诉求信息", None],
                                             [(0, 1), (2, 3)], rows)  # a row of group names, read as before
    chunk = next(iter(open_archive(source).chunks()))
    assert chunk.rows.empty and [(bad.row, bad.wider) for bad in chunk.bad] == [(2, True), (3, True)]
    source = _headings_across_the_header_row(tmp_path / f"named.{name}", ["2026年投诉登记表", None, None, "备注"],
                                             [(0, 2)], rows)  # a heading beside another name names each column
    reader = open_archive(source)
    chunk = next(iter(reader.chunks()))
    assert len(chunk.rows) == 2 and not chunk.bad
    assert reader.columns == ["2026年投诉登记表", *[f"2026年投诉登记表（{c}列）" for c in "BC"], "备注"]
    source = _headings_across_the_header_row(tmp_path / f"texts.{name}", ["投诉内容", None],
                                             [(0, 1)], [["冰箱买回来三天就不制冷了", "已退"]])  # the texts' heading
    reader = open_archive(source)
    chunk = next(iter(reader.chunks()))
    assert reader.columns == ["投诉内容", "投诉内容（B列）"] and chunk.rows.values.tolist() == [["冰箱买回来三天就不制冷了", "已退"]]


def test_a_derived_name_of_a_two_row_heading_a_real_column_has_steps_aside(tmp_path):
    # The same with 类别 merged over B1:C2 and the header in row 2 (helper c3's case).
    workbook = Workbook()
    for row in [["编号", "类别", None, None, None], [None, None, None, "类别（C列）", "投诉内容"],
                ["C1", "质量", "网购", "电话", "冰箱买回来三天就不制冷了"]]:
        workbook.active.append(row)
    workbook.active.merge_cells("A1:A2")
    workbook.active.merge_cells("B1:C2")
    workbook.save(tmp_path / "in.xlsx")
    reader = open_archive(tmp_path / "in.xlsx", header_row=2)
    chunk = next(iter(reader.chunks()))
    assert reader.columns == ["编号", "类别", "类别（C列）2", "类别（C列）", "投诉内容"]
    assert chunk.rows.values.tolist() == [["C1", "质量", "网购", "电话", "冰箱买回来三天就不制冷了"]]


def test_notes_near_excels_last_column_beside_a_table_are_each_kept(default_model, tmp_path):
    # Notes right of the table are kept as far right of the tagged table's added columns, at most in Excel's last
    # column (XFD): two notes near it on a row (XFC, XFD) were both put in XFD, one over the other, and one was lost.
    from openpyxl.comments import Comment

    workbook = Workbook()
    for row in [["编号", "投诉内容"], ["C1", "冰箱买回来三天就不制冷了"], ["C2", "超市的秤不准"]]:
        workbook.active.append(row)
    for cell, text in [("XFC1", "表头旁一"), ("XFD1", "表头旁二"), ("XFC3", "已回访"), ("XFD3", "已结案")]:
        workbook.active[cell].comment = Comment(text, "王芳")
    workbook.save(tmp_path / "in.xlsx")
    tag_file(default_model, tmp_path / "in.xlsx", tmp_path / "out.xlsx", jobs=1, progress=False)
    out = load_workbook(tmp_path / "out.xlsx").active
    notes = {c.coordinate: c.comment.text for row in out.iter_rows() for c in row
             if c.comment and c.comment.author == "王芳"}
    assert notes == {"XFC1": "表头旁一", "XFD1": "表头旁二", "XFC3": "已回访", "XFD3": "已结案"}


def _reasons(bad_file) -> list:
    """The 原因 column of a bad-rows file: why each row was set aside, in Chinese."""
    return pd.read_csv(bad_file, encoding="utf-8-sig", dtype=str)["原因"].tolist()


def _lines_to_check(summary) -> list:
    """The lines of a closing summary that ask for a check (请核对)."""
    return [line for line in str(summary).splitlines() if "请核对" in line]


@pytest.mark.parametrize("content, where", [
    ('编号,投诉内容\n1,"充值\n1,200元不到账"\n2,冒烟\n', "第 2 行（文件第 2 至 3 行）"),  # a real text, kept whole
    ('序号,投诉内容\n1,ok\n7,"屏幕有划痕\n9,只有5.5"\n12,ok\n', "第 3 行（文件第 3 至 4 行）"),  # a stray quote, merged
    ('编号,投诉内容\n1,ok\n2,"退款明细：\n押金和\n5,000元货款"\n3,ok\n', "第 3 行（文件第 3 至 5 行）"),
    ('编号,投诉内容\n1,"退款明细：\n1,200元押金\n3,500元货款"\n2,ok\n', "第 2 行（文件第 2 至 4 行）")],
    ids=["text over two lines", "stray quote over ids with gaps", "text over three lines", "lines of amounts"])
def test_a_quoted_text_whose_later_lines_read_as_rows_is_named_for_checking(default_model, tmp_path, content, where):
    # A quoted value over lines that each read as a row of their own cannot be told from a quote left open and closed
    # lines later (an inch mark): kept as one text, the rows it may have merged were tagged as one without a word.
    source = tmp_path / "a.csv"
    source.write_text(content, encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False,
                       bad_rows_path=tmp_path / "bad.csv")
    assert summary.bad_rows == 0
    notes = _lines_to_check(summary)
    assert len(notes) == 1 and where in notes[0], str(summary)


def test_a_text_with_no_line_reading_as_a_row_is_not_named(default_model, tmp_path):
    source = tmp_path / "a.csv"
    source.write_text('编号,投诉内容\n1,"第一行\n第二行\n第三行"\n2,ok\n', encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert "请核对" not in str(summary) and summary.rows_out == 2


def test_a_text_whose_lines_read_as_rows_not_beginning_as_its_row_does_is_not_named(default_model, tmp_path):
    # A numbered list in a text (1、屏幕坏了,要求退货) or lines of amounts without a thousands comma (200元,押金): each line
    # reads as a row of two, but begins with no id like its row's 5, as rows a stray quote ran over would. Every such
    # text of an archive was named for checking, 10,000 of them in a desk's export of many-line complaints.
    source = tmp_path / "a.csv"
    source.write_text('编号,投诉内容\r\n5,"问题如下：\r\n1、屏幕坏了,要求退货\r\n2. 客服不理,态度差"\r\n'
                      '6,"退款明细：\r\n200元,押金\r\n300元,货款"\r\n7,ok\r\n', encoding="utf-8-sig")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert "请核对" not in str(summary) and summary.rows_out == 3 and summary.bad_rows == 0, str(summary)
    # nor in an export quoting every value ("5","…"), whose ids' quotes close on their line
    source.write_text('"编号","投诉内容"\r\n"5","问题如下：\r\n1、屏幕坏了,要求退货"\r\n"6","ok"\r\n', encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, force=True)
    assert "请核对" not in str(summary) and summary.rows_out == 2, str(summary)


@pytest.mark.parametrize("content, said", [
    # A real text over lines that read as rows (明细 over 2,押金200元 and 3,货款500元, ids running on) is cut: its first
    # line set aside, made-up rows 「2」「押金200元」 and 「3」「货款500元"」 tagged. 原因 said only that the lines between
    # are rows, not that they were read as such, nor that a text cut so is to be checked.
    ('编号,投诉内容\n1,"退款明细：\n2,押金200元\n3,货款500元"\n4,ok\n', ["文件第 3 至 4 行已各按一行读入"]),
    # Text after the closing quote: line 2 is set aside as 引号没有收尾 and line 3 tagged as 「2」「x"了」; 原因 did not say
    # that the lines after it were read as rows, to be checked.
    ('编号,投诉内容\n1,"第一行\n2,x"了\n3,ok\n', ["引号没有收尾", "其后文件第 3 行已另行读入"])],
    ids=["quote set aside over rows", "quote that breaks"])
def test_a_quote_set_aside_says_which_lines_after_it_were_read_as_rows(default_model, tmp_path, content, said):
    source = tmp_path / "a.csv"
    source.write_text(content, encoding="utf-8")
    bad_file = tmp_path / "bad.csv"
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, bad_rows_path=bad_file)
    assert summary.bad_rows == 1 and summary.rows_out == content.count("\n") - 2, str(summary)
    why = _reasons(bad_file)
    assert len(why) == 1 and all(part in why[0] for part in said + ["请核对"]), why


@pytest.mark.parametrize("content, rows_out, bad_rows", [
    ('编号\t投诉内容\n1\t"充值\n1\t200元"\n2\t冒烟\n', 3, 0),
    ('编号\t投诉内容\t金额\n1\t"第一行\n补充\t说明"\t200\n2\t冒烟\t3\n', 2, 1)],
    ids=["into rows", "into a bad row and rows"])
def test_a_tsv_cell_in_quotes_cut_into_rows_is_named_for_checking(default_model, tmp_path, content, rows_out, bad_rows):
    # Excel quotes a TSV cell holding a line break: `1<TAB>"充值` over `1<TAB>200元"` is one such cell if its text holds a
    # tab, or a stray quote over a row. The reader cuts it into rows 「1」「"充值」 and 「1」「200元"」: said nowhere. In a
    # middle column (`1<TAB>"第一行` over `补充<TAB>说明"<TAB>200`) its first line is a bad row (2 fields of 3) and its
    # second a row 「补充」「说明"」「200」, and the note, given for a cell in the last column, said nothing of it either.
    source = tmp_path / "a.tsv"
    source.write_text(content, encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.tsv", jobs=1, progress=False,
                       bad_rows_path=tmp_path / "bad.csv")
    assert summary.rows_out == rows_out and summary.bad_rows == bad_rows, str(summary)
    notes = [line for line in _lines_to_check(summary) if "拆" in line]
    assert len(notes) == 1 and "第 2 行（文件第 2 至 3 行）" in notes[0], str(summary)


def test_a_piece_of_a_tsv_cell_in_quotes_cut_into_rows_says_so_in_its_bad_row(default_model, tmp_path):
    # `1<TAB>"第一行` over `第二行` and `补充<TAB>说明"` is one cell Excel quoted, or a stray quote: cut, its middle line
    # is a bad row whose 原因 said only 这一行有 1 列，表头有 2 列, not that it is a piece of a cell cut into rows.
    source = tmp_path / "a.tsv"
    source.write_text('编号\t投诉内容\n1\t"第一行\n第二行\n补充\t说明"\n2\t冒烟\n', encoding="utf-8")
    bad_file = tmp_path / "bad.csv"
    summary = tag_file(default_model, source, tmp_path / "out.tsv", jobs=1, progress=False, bad_rows_path=bad_file)
    assert summary.rows_out == 3 and summary.bad_rows == 1, str(summary)
    out = pd.read_csv(tmp_path / "out.tsv", sep="\t", dtype=str, encoding="utf-8-sig")
    assert out[["编号", "投诉内容"]].values.tolist() == [["1", '"第一行'], ["补充", '说明"'], ["2", "冒烟"]]
    why = _reasons(bad_file)
    assert len(why) == 1 and why[0].startswith("这一行有 1 列，表头有 2 列") and "文件第 2 至 4 行" in why[0] \
        and "请核对" in why[0], why


def test_a_tsv_cell_in_quotes_over_more_than_20_lines_cut_into_rows_is_named(default_model, tmp_path):
    # A cell in quotes over 25 lines, one of which reads as a row, was cut without a word: only those over 20 lines or
    # fewer were looked at (telling whether Excel could have written it was quadratic).
    source = tmp_path / "a.tsv"
    middle = "".join(f"第{i}行\n" for i in range(3, 26))
    source.write_text(f'编号\t投诉内容\n1\t"第一行\n2\t第二行\n{middle}补充\t说明"\n3\t冒烟\n', encoding="utf-8")
    bad_file = tmp_path / "bad.csv"
    summary = tag_file(default_model, source, tmp_path / "out.tsv", jobs=1, progress=False, bad_rows_path=bad_file)
    assert summary.rows_out == 4 and summary.bad_rows == 23, str(summary)
    out = pd.read_csv(tmp_path / "out.tsv", sep="\t", dtype=str, encoding="utf-8-sig")
    assert out["编号"].tolist() == ["1", "2", "补充", "3"], out
    notes = _lines_to_check(summary)
    assert len(notes) == 1 and "第 2 行（文件第 2 至 27 行）" in notes[0] and "拆" in notes[0], str(summary)
    why = _reasons(bad_file)
    assert len(why) == 23 and all("文件第 2 至 27 行" in reason for reason in why), why[:2]


def test_a_tsv_cell_cut_into_rows_late_in_a_stray_quotes_run_is_named_not_a_crash(default_model, tmp_path):
    # A stray quote (`1<TAB>"第一行`) whose run of lines holds, near its end, a cell Excel quoted for a line break after
    # an inch mark (`7"<TAB>"再开`): the cell's width was counted from the stray quote's first line, which the reader
    # had let go of by then, and the run stopped with an IndexError (a traceback on the command line).
    source = tmp_path / "a.tsv"
    source.write_text('编号\t投诉内容\n1\t"第一行\n第二行\n4\t第4行\n5\t第5行\n6\t第6行\n7"\t"再开\n8\t第8行\n说明"\n'
                      '99\tok\n', encoding="utf-8")
    bad_file = tmp_path / "bad.csv"
    summary = tag_file(default_model, source, tmp_path / "out.tsv", jobs=1, progress=False, bad_rows_path=bad_file)
    assert summary.rows_out == 7 and summary.bad_rows == 2, str(summary)
    out = pd.read_csv(tmp_path / "out.tsv", sep="\t", dtype=str, encoding="utf-8-sig")
    assert out["编号"].tolist() == ["1", "4", "5", "6", '7"', "8", "99"], out
    notes = _lines_to_check(summary)
    assert len(notes) == 1 and "第 7 行（文件第 7 至 9 行）" in notes[0], str(summary)
    why = _reasons(bad_file)
    assert why[0] == "这一行有 1 列，表头有 2 列" and "文件第 7 至 9 行" in why[1], why


def test_a_stray_quote_closed_by_an_inch_mark_in_a_csv_of_one_column_is_named(default_model, tmp_path):
    # Every line of a one-column CSV reads as a row: a stray quote (`"好评返现`) closed by an inch mark lines later
    # (`屏幕6.1"`) merged the complaints between into one, without a word.
    source = tmp_path / "a.csv"
    source.write_text('投诉内容\n"好评返现\n秤不准\n屏幕6.1"\n空调不制冷\n', encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    notes = _lines_to_check(summary)
    assert len(notes) == 1 and "第 2 行（文件第 2 至 4 行）" in notes[0], str(summary)
    # a text over lines as Excel writes it, its closing quote after no inch mark, is not named
    source.write_text('投诉内容\n"问题如下：\n1、屏幕坏了\n2、客服不理"\n"屏幕只有6.1"""\n空调不制冷\n', encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, force=True)
    assert "请核对" not in str(summary) and summary.rows_out == 3, str(summary)


def test_a_quoted_csv_value_over_rows_too_narrow_for_the_header_is_a_bad_row_named_as_merged(default_model, tmp_path):
    # a CSV's quoted value kept whole over lines reading as rows, too narrow for the header, is a bad row named so too
    source = tmp_path / "a.csv"
    source.write_text('编号,投诉内容,金额\n1,"好评返现\n2,秤不准,3\n3,屏幕6.1"\n4,空调不制冷,5\n', encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False,
                       bad_rows_path=tmp_path / "bad_csv.csv")
    assert summary.rows_out == 1 and summary.bad_rows == 1, str(summary)
    notes = [line for line in str(summary).splitlines() if "并成了这一行" in line]
    assert len(notes) == 1 and "第 2 行（文件第 2 至 4 行）" in notes[0], str(summary)


def test_a_stray_quote_closed_by_an_inch_mark_in_a_tsv_of_one_column_is_named(default_model, tmp_path):
    # The bytes a one-column CSV's note names (`"好评返现` over `秤不准` and `屏幕6.1"`), saved as .tsv, merged three
    # complaints into one without a word: the inch-mark guess was the CSV reader's only.
    source = tmp_path / "a.tsv"
    source.write_text('投诉内容\n"好评返现\n秤不准\n屏幕6.1"\n空调不制冷\n', encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.tsv", jobs=1, progress=False)
    notes = _lines_to_check(summary)
    assert len(notes) == 1 and "第 2 行（文件第 2 至 4 行）" in notes[0] and "并成了这一行" in notes[0], str(summary)
    # a cell over lines as Excel writes it, closed after no inch mark, is not named
    source.write_text('投诉内容\n"问题如下：\n1、屏幕坏了\n2、客服不理"\n"屏幕只有6.1"""\n空调不制冷\n', encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.tsv", jobs=1, progress=False, force=True)
    assert "请核对" not in str(summary) and summary.rows_out == 3, str(summary)


def test_texts_under_a_key_spelt_otherwise_than_the_text_column_are_said_to_be_there(default_model, tmp_path):
    # JSON Lines joined from two systems name the text 投诉内容 and 投訴內容 (or "投诉内容 ", Content beside content): a
    # column each. The records whose text sits under the second were tagged 文本为空, needing review, and the summary
    # counted them as empty without saying that their texts are in the other column.
    source = tmp_path / "in.jsonl"
    records = [{"编号": "A1", "投诉内容": "冰箱买回来三天就不制冷了"}, {"编号": "A2", "投訴內容": "超市的秤不准，少了二两"},
               {"编号": "A3", "投诉内容": ""}, {"编号": "A4", "投訴內容": "螢幕碎了"}]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.empty == 3 and summary.empty_elsewhere == {"投訴內容": 2}, str(summary)
    said = [line for line in str(summary).splitlines() if "投訴內容" in line]
    assert len(said) == 1 and "2 件" in said[0] and "「投诉内容」" in said[0], str(summary)


def test_texts_under_a_text_columns_name_with_another_note_are_said_to_be_there(default_model, tmp_path):
    # 投诉内容(必填) is the text column found by its name, and 投诉内容(补充) beside it is the same name with another note:
    # a row whose text sits in the second was tagged 文本为空 without a word of where its text was, as for 投訴內容.
    source = tmp_path / "in.csv"
    source.write_text("编号,投诉内容(必填),投诉内容(补充)\nA1,,冰箱买回来三天就不制冷了\nA2,超市的秤不准,\n", encoding="utf-8")
    summary = tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False)
    assert summary.text_col == "投诉内容(必填)" and summary.empty_elsewhere == {"投诉内容(补充)": 1}, str(summary)
    said = [line for line in str(summary).splitlines() if "「投诉内容(补充)」" in line]
    assert len(said) == 1 and "1 件" in said[0] and "括号里的说明不同" in said[0], str(summary)


@pytest.mark.parametrize("name", ["in.xlsx", "in.xls"])
def test_a_heading_merged_into_the_data_rows_over_more_than_five_runs_of_rows_names_five_and_the_count(
        default_model, tmp_path, name):
    # An adversarial pass (c3): the note on a heading merged into the data rows lists the first five runs of the
    # records' rows and how many runs there are (等 N 段); no test had more than five. 编号 over A1:B15, the header in
    # row 2 and every other row blank: seven runs of one row each.
    texts = ["冰箱买回来三天就不制冷了", None, "超市的秤不准", None, "手机屏幕碎了", None, "充电宝鼓包了", None,
             "说是纯棉其实是化纤", None, "信用卡乱扣年费", None, "快递三天没到"]
    source = _headings_merged_into_the_data(tmp_path / name, [("编号", 0, 1)], texts)
    said = str(tag_file(default_model, source, tmp_path / "out.csv", jobs=1, progress=False, header_row=2))
    assert "A1:B15（「编号」「编号（B列）」列第 3 行、第 5 行、第 7 行、第 9 行、第 11 行 等 7 段）" in said, said
