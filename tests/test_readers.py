"""The archive readers, read directly: every value as it is in the file, chunk after chunk, with each row
that cannot be parsed named by its line or sheet row (tests/test_batch.py runs the same files through
tag_file end to end)."""
import codecs
import csv
import datetime
import io
import json
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from consumer_nlp.exceptions import ArchiveError
from consumer_nlp.io import archive_format, open_archive
from consumer_nlp.io._archive import check_header
from consumer_nlp.io._workbook import choose_sheet


def read(path, **options):
    """(reader, chunks) after reading every chunk of ``path``."""
    reader = open_archive(path, **options)
    return reader, list(reader.chunks())


def rows(chunks):
    return [row for chunk in chunks for row in chunk.rows.values.tolist()]


def bad(chunks):
    return [(b.where, b.reason, b.raw) for chunk in chunks for b in chunk.bad]


# ---- choosing a reader ----

@pytest.mark.parametrize("name, kind", [("a.csv", "csv"), ("A.CSV", "csv"), ("a.tsv", "tsv"), ("a.txt", "tsv"),
                                        ("a.xlsx", "xlsx"), ("a.xls", "xls"), ("a.jsonl", "jsonl"),
                                        ("a.ndjson", "jsonl"), ("a.parquet", "parquet"), ("a.pq", "parquet")])
def test_the_format_follows_the_extension(name, kind):
    assert archive_format(name) == kind


def test_a_txt_file_is_read_as_tab_separated_and_ndjson_as_json_lines(tmp_path):
    (tmp_path / "a.txt").write_text("id\ttext\n1\t漏水, 还漏电\n", encoding="utf-8")
    assert rows(read(tmp_path / "a.txt")[1]) == [["1", "漏水, 还漏电"]]
    (tmp_path / "a.ndjson").write_text('{"id": 1, "text": "漏水"}\n', encoding="utf-8")
    assert rows(read(tmp_path / "a.ndjson")[1]) == [[1, "漏水"]]


def test_what_cannot_be_read_is_refused_before_reading(tmp_path):
    with pytest.raises(ValueError, match=r"cannot tell the format of .*a\.docx: use one of .*\.csv"):
        open_archive(tmp_path / "a.docx")
    with pytest.raises(FileNotFoundError, match="no such file"):
        open_archive(tmp_path / "missing.csv")
    (tmp_path / "a.jsonl").write_text("{}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header_row=N applies to workbooks and CSV or TSV files"):
        open_archive(tmp_path / "a.jsonl", header_row=2)
    pq.write_table(pa.table({"text": ["漏水"]}), tmp_path / "a.parquet")
    with pytest.raises(ValueError, match="sheet=NAME applies to workbooks"):
        open_archive(tmp_path / "a.parquet", sheet="一月")


@pytest.mark.parametrize("name", ["a.csv", "a.tsv"])
def test_delimited_text_takes_its_column_names_from_the_header_row_but_has_no_sheets(tmp_path, name):
    # header_row was refused for CSV, so a CSV saved from a workbook with a title above its column
    # names could not be read without editing it.
    sep = "," if name == "a.csv" else "\t"
    (tmp_path / name).write_text(f"2025年投诉登记表\n\nid{sep}text\n1{sep}漏水\n", encoding="utf-8")
    reader, chunks = read(tmp_path / name, header_row=3)
    assert reader.columns == ["id", "text"] and rows(chunks) == [["1", "漏水"]]
    assert chunks[0].where == ["row 4"] and chunks[0].places() == [4]
    with pytest.raises(ValueError, match="header_row=5 is past the end"):
        list(open_archive(tmp_path / name, header_row=5).chunks())
    with pytest.raises(ValueError, match="sheet=NAME applies to workbooks"):
        open_archive(tmp_path / name, sheet="一月")


# ---- CSV and TSV ----

AWKWARD = ["0", "007", "NULL", "None", "nan", "", "  两边有空格  ", "=SUM(A1:A9)", "1e400", "TRUE", "多行\n文本",
           'he said "refund", then nothing', "😡" * 3, "1,280元"]


def test_csv_cells_come_back_as_the_text_written(tmp_path, write_csv):
    path = write_csv(tmp_path / "a.csv", [["id", "text"]] + [[str(i), cell] for i, cell in enumerate(AWKWARD)])
    reader, chunks = read(path)
    assert reader.columns == ["id", "text"]
    assert rows(chunks) == [[str(i), cell] for i, cell in enumerate(AWKWARD)]  # no NaN, no numbers, no trimming
    assert all(chunk.rows.dtypes.tolist() == [object, object] for chunk in chunks)


def test_csv_chunks_hold_chunk_size_rows_in_order(tmp_path, write_csv):
    data = [[f"R{i}", f"第{i}条"] for i in range(7)]
    path = write_csv(tmp_path / "a.csv", [["id", "text"], *data])
    reader, chunks = read(path, chunk_size=3)
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))
    assert [len(chunk.rows) for chunk in chunks] == [3, 3, 1]
    assert rows(chunks) == data
    positions = [chunk.position for chunk in chunks]
    assert positions == sorted(positions) and positions[-1] == reader.total == path.stat().st_size
    _, chunks = read(path, chunk_size=7)
    assert rows(chunks) == data and len(chunks[0].rows) == 7


def test_bad_csv_rows_are_named_by_the_line_they_start_on(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id,text\n'           # line 1
                    '1,a\n'               # line 2
                    '2,"多行\n文本"\n'     # lines 3-4: one record
                    '\n'                  # line 5: blank, not a record
                    '3,c,多一列\n'         # line 6: three fields
                    '4,"a"b\n'            # line 7: text after a closing quote
                    '5,ok\n'              # line 8
                    '6,"没有收尾的引号\n'   # line 9: a quote left open to the end
                    '7,x\n', encoding="utf-8")  # line 10: read again on its own, not swallowed
    _, chunks = read(path, chunk_size=2)
    assert rows(chunks) == [["1", "a"], ["2", "多行\n文本"], ["5", "ok"], ["7", "x"]]
    assert bad(chunks) == [
        ("row 5 (line 6)", "3 fields where the header has 2", "3,c,多一列"),  # as Excel shows the file, and its line
        ("row 6 (line 7)", "a quote is left open or text follows a closing quote", '4,"a"b'),
        ("row 8 (line 9)", "a quote is left open or text follows a closing quote", '6,"没有收尾的引号')]
    assert [row.kind for chunk in chunks for row in chunk.bad] == ["field_count", "text_after_quote", "quote_left_open"]
    assert sum(chunk.blank for chunk in chunks) == 1


def test_a_stray_quote_is_not_closed_by_a_quote_lines_later(tmp_path):
    # An opening quote left open ran on to a later line ending in an inch mark; the lines between
    # were rows of their own, merged into one text of the header's width and tagged as one row.
    (tmp_path / "a.csv").write_text('id,text\n1,"屏幕有划痕\n2,退款不到账\n3,屏幕只有5.5"\n4,ok\n', encoding="utf-8")
    _, chunks = read(tmp_path / "a.csv")
    assert rows(chunks) == [["2", "退款不到账"], ["3", '屏幕只有5.5"'], ["4", "ok"]]
    assert bad(chunks) == [("row 2", "a quote opened here closes only on line 4, and the lines between read as "
                                      "rows of their own", '1,"屏幕有划痕')]


def test_a_stray_quote_closed_on_the_next_line_by_an_inch_mark_merges_no_rows(tmp_path):
    # A quote left open in row 1 and closed by an inch mark at the end of row 2 parsed as one value over two lines:
    # rows 1 and 2 were merged into one, tagged as one (「屏幕有划痕\n2,只有5.5」), row 2 lost. The line between begins
    # with the id that runs between its row's and the next row's: it is a row of its own.
    for header, first, second, after in (("id,text", '1,"屏幕有划痕', '2,只有5.5"', "3,ok"),
                                         ("编号,投诉内容,渠道", '1,"屏幕有划痕,电话', '2,只有5.5",网络', "3,ok,电话"),
                                         ("编号,投诉内容", '0103,"屏幕有划痕', '0102,只有5.5"', "0101,ok")):
        (tmp_path / "a.csv").write_text("\r\n".join((header, first, second, after)) + "\r\n", encoding="utf-8")
        _, chunks = read(tmp_path / "a.csv")
        assert rows(chunks) == [second.split(","), after.split(",")], header
        assert [(where, raw) for where, _, raw in bad(chunks)] == [("row 2", first)], header
    # a real text over two lines whose second begins with a number is kept whole: the number does not run between
    # the ids (1,200元), nor with ids that do not (its row's id before it, or no row after it)
    for text in ('id,text\n1,"充值\n1,200元不到账"\n2,ok\n', 'id,text\n5,"充值\n7,200元"\n6,ok\n',
                 'id,text\n1,"充值\n2,200元"\n'):
        (tmp_path / "a.csv").write_text(text, encoding="utf-8")
        _, chunks = read(tmp_path / "a.csv")
        assert rows(chunks)[0][1] == text.split('"')[1] and bad(chunks) == [], text


def test_a_text_over_two_lines_is_kept_whole_in_a_file_whose_first_column_skips_numbers(tmp_path):
    # A sheet filtered before it was saved (序号 1, 7: rows between left out), or a first column of quantities: a text
    # whose second line begins with an amount (3,500元) between its row's number and the next row's was cut in two,
    # its first line set aside and a made-up row 「3」「500元至今未到账"」 tagged. Only ids running on by one (1, 2, 3)
    # tell a row from a text's line.
    for text in ('序号,投诉内容\n1,"商家答应退款\n3,500元至今未到账"\n7,ok\n',
                 '数量,投诉内容\n5,"买了一台\n2,000元的空调"\n1,ok\n'):
        (tmp_path / "a.csv").write_text(text, encoding="utf-8")
        _, chunks = read(tmp_path / "a.csv")
        assert rows(chunks)[0][1] == text.split('"')[1] and bad(chunks) == [], text


def test_a_text_over_three_lines_whose_later_lines_begin_with_amounts_is_kept_whole(tmp_path):
    # 退款明细 over 1,200元押金 and 3,500元货款: each later line reads as a row whose first field is a number, as its own
    # row's, and was taken for a stray quote's: its first line set aside, made-up rows 「1」「200元押金」 and
    # 「3」「500元货款"」 tagged. An amount written with a thousands comma (1,200) begins each: a text's lines.
    for text in ('编号,投诉内容\n1,"退款明细：\n1,200元押金\n3,500元货款"\n2,ok\n',
                 '编号,投诉内容\r\n1,"退款明细：\r\n1,200元押金\r\n3,500元货款\r\n12,000元合计"\r\n2,ok\r\n'):
        (tmp_path / "a.csv").write_text(text, encoding="utf-8")
        _, chunks = read(tmp_path / "a.csv")
        assert rows(chunks) == [["1", text.split('"')[1]], ["2", "ok"]] and bad(chunks) == [], text
    # rows whose texts do not each begin with such an amount are rows run over, as before (one with 500元 between)
    (tmp_path / "a.csv").write_text('编号,投诉内容\n1,"屏幕有划痕\n2,500元买的\n3,只有5.5"\n4,ok\n', encoding="utf-8")
    _, chunks = read(tmp_path / "a.csv")
    assert [where for where, _, _ in bad(chunks)] == ["row 2"]


def test_a_stray_quote_over_rows_of_an_id_and_an_amount_of_three_digits_merges_none(tmp_path):
    # A desk's 编号,金额,投诉内容 file: each row begins 2,350, as an amount written with a thousands comma does (2,350元),
    # so a stray quote over such rows, closed by an inch mark, was kept as one text and the rows merged into it. A
    # text's amount is not followed by the comma that ends a field of its own.
    (tmp_path / "a.csv").write_text('编号,金额,投诉内容\n1,200,"屏幕5.5寸\n2,350,冰箱坏了\n3,120,秤不准\n4,500,尺寸6.1"\n'
                                    '5,100,ok\n', encoding="utf-8")
    _, chunks = read(tmp_path / "a.csv")
    assert [where for where, _, _ in bad(chunks)] == ["row 2"]
    assert [row[0] for row in rows(chunks)] == ["2", "3", "4", "5"]


def test_a_text_over_two_lines_followed_by_a_blank_line_is_read(tmp_path):
    # A real text over two lines whose second begins as a row does (1,200元), followed by a blank line (as Excel saves
    # an empty row in a .csv, or a file ending so): the reading stopped with IndexError, a traceback for the desk.
    for after in ("\r\n\r\n2,冒烟\r\n", "\r\n\r\n", "\r\n,\r\n2,冒烟\r\n"):
        (tmp_path / "a.csv").write_text('编号,投诉内容\r\n1,"充值\r\n1,200元不到账"' + after, encoding="utf-8")
        _, chunks = read(tmp_path / "a.csv")
        assert rows(chunks)[0] == ["1", "充值\r\n1,200元不到账"] and bad(chunks) == [], repr(after)

def test_a_broken_text_over_several_lines_is_set_aside_whole(tmp_path):
    # Its continuation lines were read again as rows of their own, and a fragment of the header's
    # width would have been tagged as a row; lines that do not read as rows stay with their record.
    (tmp_path / "a.csv").write_text('id,text\n1,"尺码偏小\n颜色也不对"了\n2,ok\n', encoding="utf-8")
    _, chunks = read(tmp_path / "a.csv")
    assert rows(chunks) == [["2", "ok"]]
    assert bad(chunks) == [("row 2", "a quote is left open or text follows a closing quote",
                            '1,"尺码偏小\n颜色也不对"了')]


def test_a_quoted_text_over_several_lines_stays_one_value(tmp_path):
    # ...while a real multi-line text, whose later lines are not rows of the header's width, stays whole,
    # and so does any multi-line text of a one-column file.
    (tmp_path / "a.csv").write_text('id,text,date\n1,"第一行, 还有\n第二行,\n\n完",5.1\n', encoding="utf-8")
    assert rows(read(tmp_path / "a.csv")[1]) == [["1", "第一行, 还有\n第二行,\n\n完", "5.1"]]
    (tmp_path / "one.csv").write_text('text\n"第一行\n第二行"\n', encoding="utf-8")
    assert rows(read(tmp_path / "one.csv")[1]) == [["第一行\n第二行"]]
    (tmp_path / "first.csv").write_text('text,label\n"第一行\n第二行",quality\n', encoding="utf-8")
    assert rows(read(tmp_path / "first.csv")[1]) == [["第一行\n第二行", "quality"]]
    # A second line with a comma read alone as a row of three: the record was refused, and with
    # --bad-rows its second half tagged as a row of its own.
    (tmp_path / "comma.csv").write_text('id,text,date\n1,"屏幕坏了\n商家说要等一周,我不同意",2024-01-01\n',
                                        encoding="utf-8")
    assert rows(read(tmp_path / "comma.csv")[1]) == [["1", "屏幕坏了\n商家说要等一周,我不同意", "2024-01-01"]]


def test_a_quoted_text_whose_later_lines_each_hold_a_comma_stays_one_value(tmp_path):
    # A valid file, as Excel and Python write it: a text over three lines, each with one ASCII comma,
    # in a two-column archive. Its later lines read alone as rows of two, so it was taken for a stray
    # quote: refused, or with --bad-rows split into rows with text in the id column. Rows that a
    # stray quote runs over begin like the row it opened in (an id like its id); these lines do not.
    (tmp_path / "a.csv").write_text('编号,投诉内容\r\n1,"商家说7天无理由退货,结果不退\n已经投诉3次,没人理\n'
                                    '订单号123,金额99元"\r\n2,秤不准\r\n', encoding="utf-8")
    _, chunks = read(tmp_path / "a.csv")
    assert rows(chunks) == [["1", "商家说7天无理由退货,结果不退\n已经投诉3次,没人理\n订单号123,金额99元"],
                            ["2", "秤不准"]] and bad(chunks) == []


def test_a_stray_quote_does_not_take_the_first_line_of_the_next_quoted_row(tmp_path):
    # Row 1 opens a quote it never closes; row 2 is a correct text over two lines. The failed record
    # took row 1 and row 2's first line, set aside together, and row 2's second line was read again
    # as a bad row of its own: row 2 was lost.
    (tmp_path / "a.csv").write_text('编号,投诉内容,渠道\r\n1,"健身房关门,电话\r\n2,"第一行\n第二行",网络\r\n'
                                    '3,秤不准,电话\r\n', encoding="utf-8")
    _, chunks = read(tmp_path / "a.csv")
    assert rows(chunks) == [["2", "第一行\n第二行", "网络"], ["3", "秤不准", "电话"]]
    assert [(where, raw) for where, _, raw in bad(chunks)] == [("row 2", '1,"健身房关门,电话')]


@pytest.mark.parametrize("name", ["a.csv", "a.xlsx", "a.jsonl"])
def test_bad_rows_count_towards_a_chunks_size(tmp_path, write_workbook, name):
    # A chunk closed only at chunk_size good rows: a file of bad rows (a field too many in each) was one
    # chunk however large, all of it in memory (100,000 bad rows of 1,000 characters: 1.9 GB).
    path = tmp_path / name
    if name == "a.csv":
        path.write_text("id,text\n" + "".join(f"{i},坏,多一列\n" for i in range(7)) + "7,ok\n", encoding="utf-8")
    elif name == "a.xlsx":
        write_workbook(path, {"Sheet": [["id", "text"]] + [[str(i), "坏", "多一列"] for i in range(7)] + [["7", "ok"]]})
    else:
        path.write_text("".join(f"[{i}]\n" for i in range(7)) + '{"id": "7", "text": "ok"}\n', encoding="utf-8")
    _, chunks = read(path, chunk_size=2)
    assert [len(chunk.bad) + len(chunk.rows) for chunk in chunks][:4] == [2, 2, 2, 2]
    assert rows(chunks) == [["7", "ok"]] and len(bad(chunks)) == 7


@pytest.mark.parametrize("name", ["a.csv", "a.tsv", "a.xlsx", "a.jsonl", "a.parquet"])
def test_a_chunk_is_bounded_in_text_as_well_as_in_rows(tmp_path, write_workbook, monkeypatch, name):
    # A chunk held chunk_size rows whatever their length: a 2.8 MB workbook of 3,000 rows of cells of 300,000
    # characters (each under the 1 MB limit of a text) took 7.4 GB to tag.
    from consumer_nlp.io import _archive

    monkeypatch.setattr(_archive, "MAX_CHUNK_TEXT", 1000)
    texts = [f"第{i}件" + "漏" * 300 for i in range(10)]
    path = tmp_path / name
    if name == "a.xlsx":
        write_workbook(path, {"Sheet": [["id", "text"]] + [[str(i), text] for i, text in enumerate(texts)]})
    elif name == "a.jsonl":
        path.write_text("".join(json.dumps({"id": str(i), "text": t}, ensure_ascii=False) + "\n"
                                for i, t in enumerate(texts)), encoding="utf-8")
    elif name == "a.parquet":  # a repeated text takes almost nothing in Parquet, and all its room once read
        pq.write_table(pa.table({"id": [str(i) for i in range(10)], "text": texts}), path)
    else:
        sep = "," if name == "a.csv" else "\t"
        path.write_text(f"id{sep}text\n" + "".join(f"{i}{sep}{t}\n" for i, t in enumerate(texts)), encoding="utf-8")
    _, chunks = read(path, chunk_size=5000)
    assert [len(chunk.rows) for chunk in chunks] == [4, 4, 2]  # closed once a chunk holds 1,000 characters
    assert rows(chunks) == [[str(i), t] for i, t in enumerate(texts)]
    assert [w for chunk in chunks for w in chunk.where][-1].endswith(" 10" if name in ("a.jsonl", "a.parquet") else " 11")


def test_a_parquet_chunk_of_texts_stored_as_binary_is_bounded_too(tmp_path, monkeypatch):
    # Only string columns were counted: 3,000 rows of one 100,000-character text stored as binary (14 KB of
    # Parquet) made one chunk of all 3,000 rows, where a string column made chunks of 200.
    from consumer_nlp.io import _archive

    monkeypatch.setattr(_archive, "MAX_CHUNK_TEXT", 1000)
    texts = [(f"第{i}件" + "漏" * 300).encode() for i in range(10)]  # 910 bytes each
    pq.write_table(pa.table({"id": [str(i) for i in range(10)], "text": pa.array(texts, pa.binary())}),
                   tmp_path / "a.parquet")
    _, chunks = read(tmp_path / "a.parquet", chunk_size=5000)
    assert [len(chunk.rows) for chunk in chunks] == [2] * 5  # closed once a chunk holds 1,000 bytes
    assert rows(chunks) == [[str(i), t] for i, t in enumerate(texts)]


def test_a_parquet_chunk_of_texts_stored_as_a_dictionary_is_bounded_too(tmp_path, monkeypatch):
    # A dictionary column (a pandas categorical; Parquet keeps a repeated text once) was not counted: 3,000 rows of
    # one 100,000-character text made one chunk of all 3,000 rows, where a string column made chunks of 200 (tagged
    # to CSV: 1,039 MB at the peak against 757 MB).
    from consumer_nlp.io import _archive

    monkeypatch.setattr(_archive, "MAX_CHUNK_TEXT", 1000)
    texts = [f"第{i % 3}件" + "漏" * 300 for i in range(10)] + [None]  # 303 characters each
    pq.write_table(pa.table({"id": [str(i) for i in range(11)], "text": pa.array(texts).dictionary_encode()}),
                   tmp_path / "a.parquet")
    _, chunks = read(tmp_path / "a.parquet", chunk_size=5000)
    assert [len(chunk.rows) for chunk in chunks] == [4, 4, 3]  # closed once a chunk holds 1,000 characters
    assert [None if row[1] is pd.NA else row[1] for row in rows(chunks)] == texts


def test_a_quote_left_open_is_given_up_after_many_lines(tmp_path, monkeypatch):
    # The lines of a record were all held until its quote closed: one stray quote near the top of a
    # large archive held the whole file in memory (582 MiB for an 86 MiB file).
    from consumer_nlp.io import _delimited

    monkeypatch.setattr(_delimited, "OPEN_QUOTE_LINES", 5)
    (tmp_path / "a.csv").write_text('id,text\n1,"没有收尾的引号\n' + "".join(f"{i},第{i}条\n" for i in range(2, 12)),
                                    encoding="utf-8")
    _, chunks = read(tmp_path / "a.csv")
    assert rows(chunks) == [[str(i), f"第{i}条"] for i in range(2, 12)]
    assert bad(chunks) == [("row 2", "a quote opened here is still open 5 lines later", '1,"没有收尾的引号')]


def lines_parsed(monkeypatch) -> list:
    """A list whose one number counts, from now on, every line given to the csv module."""
    count, reader = [0], csv.reader

    def counted(lines):
        for line in lines:
            count[0] += 1
            yield line
    monkeypatch.setattr(csv, "reader", lambda lines, *args, **options: reader(counted(lines), *args, **options))
    return count


def stray_quote_file(path, pairs: int) -> int:
    """An ordinary row, then a line whose stray quote opens a text running on over the rest of the file,
    ``pairs`` times (TSV for a .tsv ``path``); the file's line count."""
    stray = '{i}"\t"客服说\n' if path.suffix == ".tsv" else '{i},客服说","明天处理\n'
    sep = "\t" if path.suffix == ".tsv" else ","
    path.write_text(f"id{sep}text\n" + "".join(f"{i}{sep}普通{i}\n" + stray.format(i=i) for i in range(pairs)),
                    encoding="utf-8")
    return 1 + 2 * pairs


@pytest.mark.parametrize("name", ["a.csv", "a.tsv"])
def test_stray_quotes_on_many_lines_have_their_rows_parsed_once(tmp_path, monkeypatch, name):
    # Each line with a stray quote had the lines its quote runs over (up to OPEN_QUOTE_LINES) parsed
    # again after it was set aside: a stray quote between every two rows made reading quadratic (1.3 MB
    # in 40 s). Where such a quote ends is now found once for all the records parsed again from its lines.
    from consumer_nlp.io import _delimited

    monkeypatch.setattr(_delimited, "OPEN_QUOTE_LINES", 100)
    lines = stray_quote_file(tmp_path / name, 1000)
    parsed = lines_parsed(monkeypatch)
    read(tmp_path / name)
    assert parsed[0] < 4 * lines  # 2.0 a line in CSV, 1.5 in TSV (49 before)


def test_a_run_of_stray_quotes_is_searched_for_a_row_once(tmp_path, monkeypatch):
    # Lines whose stray quotes run on to a broken line, none of them reading as a row, then a row: each
    # was set aside alone (the row shows a stray quote ran on over rows), after looking at every line
    # between it and the row for one: 90 stray lines took 4,000 looks.
    from consumer_nlp.io import _delimited

    monkeypatch.setattr(_delimited, "OPEN_QUOTE_LINES", 100)
    block = "".join(f'{i},客服说","明天处理\n' for i in range(90)) + "90,普通\n" + '91,"a"b\n'
    (tmp_path / "a.csv").write_text("id,text\n" + block * 10, encoding="utf-8")
    parsed = lines_parsed(monkeypatch)
    _, chunks = read(tmp_path / "a.csv")
    assert parsed[0] < 4 * 921  # 3.0 a line (91 before)
    assert rows(chunks) == [["90", "普通"]] * 10
    assert bad(chunks) == [(f"row {2 + 92 * b + i}", "a quote is left open or text follows a closing quote",
                            f'{i},客服说","明天处理' if i < 90 else '91,"a"b') for b in range(10) for i in range(92) if i != 90]


def test_stray_quotes_on_many_lines_set_aside_only_their_own_lines(tmp_path, monkeypatch):
    from consumer_nlp.io import _delimited

    monkeypatch.setattr(_delimited, "OPEN_QUOTE_LINES", 10)
    last = stray_quote_file(tmp_path / "a.csv", 30)
    _, chunks = read(tmp_path / "a.csv", chunk_size=7)
    assert rows(chunks) == [[str(i), f"普通{i}"] for i in range(30)]
    assert [where for chunk in chunks for where in chunk.where] == [f"row {2 * i + 2}" for i in range(30)]
    # a quote still open 10 lines on is given up; one that reaches the end of the file sooner is left open
    given_up, left_open = "a quote opened here is still open 10 lines later", "a quote is left open or text follows a closing quote"
    assert bad(chunks) == [(f"row {2 * i + 3}", given_up if last - (2 * i + 3) >= 9 else left_open, f'{i},客服说","明天处理')
                           for i in range(30)]
    stray_quote_file(tmp_path / "a.tsv", 30)  # (in TSV each of them reads as a row of its own)
    _, chunks = read(tmp_path / "a.tsv", chunk_size=7)
    assert rows(chunks) == [row for i in range(30) for row in ([str(i), f"普通{i}"], [f'{i}"', '"客服说'])]
    assert bad(chunks) == []


@pytest.mark.parametrize("name", ["a.csv", "a.tsv"])
def test_stray_quotes_closed_by_an_inch_mark_have_their_lines_parsed_once(tmp_path, monkeypatch, name):
    # Lines whose stray quotes close and reopen, each reading alone as a row, up to a line closing the
    # quote with an inch mark: each record was parsed again up to that line after its first line was
    # set aside (CSV), or read as a row (TSV): 2,000 such lines took 14 s. Whether the lines it takes
    # read as rows is now told before parsing them, and remembered for the records parsed again.
    sep = "\t" if name.endswith(".tsv") else ","
    stray = [f'{i}{sep}客服说"{sep}"明天处理' for i in range(300)]
    ordinary = [f"{i}{sep}普通{i}{sep}ok" for i in range(5)]
    (tmp_path / name).write_text("\n".join([f"id{sep}text{sep}note", *stray, f'300{sep}屏幕6.1"{sep}x', *ordinary]) + "\n",
                                 encoding="utf-8")
    parsed = lines_parsed(monkeypatch)
    _, chunks = read(tmp_path / name, chunk_size=7)
    # 4.9 a line in CSV (2.5 before each line was first tried as a record of its own), 1.5 in TSV: linear, where
    # each line was parsed 296 and 149 times before
    assert parsed[0] < 6 * 307
    if sep == "\t":
        assert rows(chunks) == [line.split("\t") for line in stray] + [["300", '屏幕6.1"', "x"]] + [
            line.split("\t") for line in ordinary] and bad(chunks) == []
        return
    assert rows(chunks) == [line.split(",") for line in ordinary]
    assert bad(chunks) == [(f"row {i + 2}", "a quote opened here closes only on line 302, and the lines between "
                                             "read as rows of their own", stray[i]) for i in range(299)] + [
        ("row 301", "4 fields where the header has 3", stray[299] + '\n300,屏幕6.1",x')]
    assert [where for chunk in chunks for where in chunk.where] == [f"row {i - 1} (line {i})" for i in range(303, 308)]


def test_a_blank_line_is_an_empty_value_only_in_a_one_column_file(tmp_path):
    (tmp_path / "one.csv").write_text("text\n漏水\n\n冒烟\n", encoding="utf-8")
    _, chunks = read(tmp_path / "one.csv")
    assert rows(chunks) == [["漏水"], [""], ["冒烟"]] and sum(c.blank for c in chunks) == 0
    (tmp_path / "two.csv").write_text("id,text\n1,漏水\n\n2,冒烟\n", encoding="utf-8")
    _, chunks = read(tmp_path / "two.csv")
    assert rows(chunks) == [["1", "漏水"], ["2", "冒烟"]] and sum(c.blank for c in chunks) == 1


def test_records_of_one_line_read_as_the_csv_module_reads_them(tmp_path):
    # Most records are told whole from their one line, without the csv module's parser over the file: they must
    # come out as it reads them (line ends of three kinds, a last line without one, spaces, NUL, empty fields,
    # quotes closed on the line, a quote inside a field left as it is).
    content = ('id,text,note\n1,漏水,\r\n2, 有空格 ,x\r3,a\x00b,c\n\n,,\n4,"引号,逗号",""\n5,"说""好""的",x\n'
               '6,b"c"d,e\n7,末行,无换行')
    (tmp_path / "a.csv").write_bytes(content.encode("utf-8"))
    _, chunks = read(tmp_path / "a.csv")
    expected = [record for record in csv.reader(io.StringIO(content, newline=""), strict=True) if record][1:]
    assert rows(chunks) == expected and len(expected) == 8 and bad(chunks) == []
    assert [where for chunk in chunks for where in chunk.where] == [f"row {n}" for n in (2, 3, 4, 6, 7, 8, 9, 10)]


def test_windows_line_ends_stay_out_of_values_but_inside_quotes_they_are_kept(tmp_path):
    (tmp_path / "a.csv").write_bytes('id,text\r\n1,漏水\r\n2,"两行\r\n的投诉"\r\n3,a,b\r\n'.encode("utf-8"))
    _, chunks = read(tmp_path / "a.csv")
    assert rows(chunks) == [["1", "漏水"], ["2", "两行\r\n的投诉"]]
    assert bad(chunks) == [("row 4 (line 5)", "3 fields where the header has 2", "3,a,b")]


def test_tsv_rows_with_a_field_too_many_are_named_and_blank_lines_counted(tmp_path):
    (tmp_path / "a.tsv").write_text('id\ttext\n1\t"引号开头\n2\ta\tb\n\n3\t结尾"\n', encoding="utf-8")
    _, chunks = read(tmp_path / "a.tsv")
    assert rows(chunks) == [["1", '"引号开头'], ["3", '结尾"']]  # (a quote is a plain character in TSV)
    assert bad(chunks) == [("row 3", "3 fields where the header has 2, a piece of a cell in quotes on lines 2 to 5 "
                                     "read as rows", "2\ta\tb")]  # (which, as one, would fit the header)
    assert sum(chunk.blank for chunk in chunks) == 1


def test_tab_separated_text_saved_by_excel_reads_as_excel_shows_it(tmp_path):
    # Excel's "Unicode Text" puts a cell holding a quote, a tab or a line break in quotes, its own
    # quotes doubled. Read with no quoting, such a cell came out with the quotes in it, and a cell over
    # two lines was cut into a row and a bad row. Quotes that escape nothing stay as they are.
    text = ('编号\t投诉内容\t渠道\r\n1\t"他说""七天无理由""不算数"\t电话\r\n2\t"第一行\n第二行"\t网络\r\n'
            '3\t"带\t制表符"\t电话\r\n4\t"好评"\t网络\r\n5\t"七天无理由"不算数\t电话\r\n6\the said ""ok""\t网络\r\n')
    path = tmp_path / "a.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    _, chunks = read(path)
    assert rows(chunks) == [["1", '他说"七天无理由"不算数', "电话"], ["2", "第一行\n第二行", "网络"],
                            ["3", "带\t制表符", "电话"], ["4", '"好评"', "网络"], ["5", '"七天无理由"不算数', "电话"],
                            ["6", 'he said ""ok""', "网络"]]
    assert bad(chunks) == []


def test_a_header_only_file_has_columns_and_no_rows(tmp_path):
    (tmp_path / "a.csv").write_text("id,投诉内容\n", encoding="utf-8")
    reader, chunks = read(tmp_path / "a.csv")
    assert reader.columns == ["id", "投诉内容"] and rows(chunks) == [] and list(chunks[0].rows.columns) == reader.columns


def test_an_empty_file_or_a_broken_header_is_refused(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ValueError, match="is empty: not even a header line"):
        read(tmp_path / "empty.csv")
    (tmp_path / "quote.csv").write_text('"id,text\n1,漏水\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 1 \(the header\) cannot be parsed"):
        read(tmp_path / "quote.csv")


def test_a_title_whose_quote_runs_to_the_end_is_named_not_the_file_said_to_end(tmp_path):
    # A title above the names with a quote left open (「"2026年投诉汇总」, header_row=2) ran on to the end of the file:
    # it was refused as "header_row=2 is past the end of the file, which holds 1 row(s)" (文件只有 1 行), of a file of
    # four lines, so the desk looked for a missing row and not at the title's quote.
    for sep in (",", ";"):
        (tmp_path / "a.csv").write_text(f'"2026年投诉汇总\n编号{sep}投诉内容\n1{sep}漏水\n2{sep}冒烟\n', encoding="utf-8")
        with pytest.raises(ArchiveError, match=r"row 1 \(above the header\) cannot be parsed") as error:
            read(tmp_path / "a.csv", header_row=2)
        assert error.value.problem == "unparseable_row" and error.value.details["row"] == 1, sep
        assert error.value.details["fault"] == "quote_left_open" and error.value.details["none_readable"], sep


def test_header_check_names_every_repeated_column():
    assert check_header(["id", "text", "日期"], "a.csv") == ["id", "text", "日期"]
    with pytest.raises(ValueError, match=r"a\.csv: the header names column\(s\) \['id', 'text'\] more than once"):
        check_header(["id", "text", "id", "note", "text", "text"], "a.csv")
    # Two columns without a name were reported as the column [''] named twice.
    with pytest.raises(ValueError, match=r"a\.csv: columns 2 and 4 of the header have no name"):
        check_header(["id", "", "text", ""], "a.csv")


# ---- encodings ----

SIMPLIFIED = ["电表走得飞快，一个月多了两百度", "退款还没到账，客服一直推脱"]
TRADITIONAL = ["電錶走得飛快，一個月多了兩百度", "退款還沒到帳，客服一直推托"]
ENCODINGS = [("utf-8", SIMPLIFIED), ("utf-8-sig", SIMPLIFIED), ("gb18030", SIMPLIFIED), ("big5", TRADITIONAL)]


@pytest.mark.parametrize("encoding, texts", ENCODINGS, ids=[e for e, _ in ENCODINGS])
def test_csv_encoding_is_detected_and_the_text_decoded(tmp_path, encoding, texts):
    path = tmp_path / "a.csv"
    header = "编号,投诉内容\n" if texts is SIMPLIFIED else "編號,投訴內容\n"
    path.write_bytes((header + "".join(f"{i},{t}\n" for i, t in enumerate(texts))).encode(encoding))
    reader, chunks = read(path)
    assert reader.encoding == encoding
    assert reader.columns[1] in ("投诉内容", "投訴內容")  # no byte-order mark in the first column's name
    assert rows(chunks) == [[str(i), t] for i, t in enumerate(texts)]


@pytest.mark.parametrize("encoding, texts", ENCODINGS, ids=[e for e, _ in ENCODINGS])
def test_json_lines_encoding_is_detected_and_the_text_decoded(tmp_path, encoding, texts):
    path = tmp_path / "a.jsonl"
    path.write_bytes("".join(f'{{"id": {i}, "text": "{t}"}}\n' for i, t in enumerate(texts)).encode(encoding))
    reader, chunks = read(path)
    assert reader.encoding == encoding and reader.columns == ["id", "text"]
    assert rows(chunks) == [[i, t] for i, t in enumerate(texts)] and bad(chunks) == []


TAIWAN = ["屋裏漏水，物業不理，打了三次電話都說再等等", "網購的皮靴穿了兩天就開膠，店家不給退"]  # 裏: cp950, not strict big5
HONG_KONG = ["部手機嘅螢幕壞咗，送去維修又話唔包", "間舖頭啲嘢過咗期都仲擺出嚟賣"]  # 嘅 咗 啲: HKSCS


@pytest.mark.parametrize("encoding, texts", [("cp950", TAIWAN), ("big5hkscs", HONG_KONG)])
def test_big5_with_taiwan_or_hong_kong_characters_is_never_read_as_gb18030(tmp_path, encoding, texts):
    # Strict big5 cannot decode these, and the fall-back to GB18030 turned every Chinese cell into others.
    path = tmp_path / "a.csv"
    path.write_bytes(("id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(texts))).encode(encoding))
    reader, chunks = read(path)
    assert rows(chunks) == [[str(i), t] for i, t in enumerate(texts)]


@pytest.mark.parametrize("encoding, text", [
    *[("gb18030", t) for t in ["漏水了", "屏幕碎了", "秤不准", "冒烟", "发霉", "少给了", "房间脏", "乱收费", "假货", "过期了"]],
    *[("big5", t) for t in ["漏水了", "螢幕碎了", "秤不準", "冒煙", "發霉", "少給了", "房間髒", "亂收費", "假貨", "過期了"]]])
def test_a_file_of_one_short_row_is_read_in_its_own_encoding(tmp_path, encoding, text):
    # charset-normalizer, with a few bytes to go on, read every one of these GB18030 files as Big5.
    path = tmp_path / "a.csv"
    path.write_bytes(f"text\n{text}\n".encode(encoding))
    reader, chunks = read(path)
    assert rows(chunks) == [[text]] and reader.encoding.startswith(encoding[:4])


def test_one_gb18030_row_among_thousands_of_ascii_rows_is_read_as_gb18030(tmp_path):
    path = tmp_path / "a.csv"
    ascii_rows = "".join(f"{i:06d},order {i} late refund\n" for i in range(5000))
    texts = ["你好，贷款的事，我想问下合同上那个综合费率是年化吗，业务员说是月的", "电表走得飞快，一个月多了两百度",
             "退款还没到账，客服一直推脱", "外卖里吃出头发，商家不认"]
    for number, text in enumerate(texts):
        path.write_bytes(("id,text\n" + ascii_rows + f"X1,{text}\n").encode("gb18030"))
        reader, chunks = read(path)
        assert rows(chunks)[-1] == ["X1", text], number


def test_gb18030_after_more_ascii_than_the_sample_is_read_as_gb18030(tmp_path, monkeypatch):
    # The first 4 MiB all ASCII said UTF-8, and the run failed at line 126,217 after tagging the
    # chunks before it.
    from consumer_nlp.io import _encoding

    monkeypatch.setattr(_encoding, "SAMPLE_BYTES", 4096)
    path = tmp_path / "a.csv"
    ascii_rows = "".join(f"{i:06d},order {i} late refund\n" for i in range(2000))
    path.write_bytes(("id,text\n" + ascii_rows + "X1,电表走得飞快，一个月多了两百度\n").encode("gb18030"))
    assert rows(read(path)[1])[-1] == ["X1", "电表走得飞快，一个月多了两百度"]
    path.write_bytes(("id,text\n" + ascii_rows + "X1,電表走得飛快，一個月多了兩百度\n").encode("big5"))
    assert rows(read(path)[1])[-1] == ["X1", "電表走得飛快，一個月多了兩百度"]
    path.write_bytes(("id,text\n" + ascii_rows).encode())
    assert read(path)[0].encoding in ("utf-8", "utf-8-sig")


def test_a_file_whose_every_row_but_one_reads_in_an_encoding_is_refused_by_that_row(tmp_path):
    # A helper's pass (h3): a GB18030 file of 200 rows with one damaged character (a byte lost) was refused as
    # "cannot tell its encoding (not UTF-8, GB18030 or Big5)", naming no row, and the desk was told to name an
    # encoding; named, it was refused by its line all the same. A UTF-8 file with one stray byte was refused alike.
    from consumer_nlp.messages import how_to_go_on, problem_in_chinese

    texts = ["手机屏幕坏了，要求退货", "超市秤不准，少了二两", "电动车电池起火", "广告说能治病是假的", "快递丢件"]
    body = "编号,投诉内容\n" + "".join(f"{i},{texts[i % 5]}\n" for i in range(1, 200))  # 快递丢件 first on line 5
    path = tmp_path / "a.csv"
    for encoding, damaged in [("gb18030", "快递".encode("gb18030") + b"\x81\x20"), ("utf-8", b"\xff")]:
        path.write_bytes(body.encode(encoding).replace("快递丢件".encode(encoding), damaged, 1))
        with pytest.raises(ArchiveError, match=f"line 5 is not valid {encoding}") as caught:
            read(path)
        assert caught.value.problem == "encoding", encoding
        assert (caught.value.details["line"], caught.value.details["encoding"]) == (5, encoding)
        said = problem_in_chinese(caught.value)
        assert "第 5 行" in said and "无法识别" not in said, said
        assert "--encoding" not in how_to_go_on(caught.value, {"encoding": "--encoding"})  # naming it does not help
    # bytes of no encoding throughout are still of none, and so is a file whose only Chinese row is damaged
    for garbled in [b"text\n" + bytes([0xFF, 0xFE, 0x81]) * 40 + b"\n", "id,text\n1,快递".encode("gb18030") + b"\xff\n"]:
        path.write_bytes(garbled)
        with pytest.raises(ArchiveError) as caught:
            read(path)
        assert caught.value.problem == "encoding" and "line" not in caught.value.details
        assert "无法识别文件的编码" in problem_in_chinese(caught.value)


def test_excel_unicode_text_utf16_is_read(tmp_path):
    # Excel's "Unicode Text" (.txt: tab-separated UTF-16 with a byte-order mark) was refused as "not
    # UTF-8, GB18030 or Big5".
    path = tmp_path / "a.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "编号\t投诉内容\r\n1\t电表走得飞快\r\n".encode("utf-16-le"))
    assert rows(read(path)[1]) == [["1", "电表走得飞快"]]
    path = tmp_path / "a.jsonl"  # and JSON Lines, which were split at bytes that are half a character
    path.write_bytes(codecs.BOM_UTF16_LE + '{"id": 1, "text": "秤不准"}\n{"id": 2, "text": "漏水"}\n'.encode("utf-16-le"))
    assert rows(read(path)[1]) == [[1, "秤不准"], [2, "漏水"]]


def test_a_named_encoding_is_used_as_given(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("id,text\n1,退款\n".encode("gb18030"))
    reader, chunks = read(path, encoding="gb18030")
    assert reader.encoding == "gb18030" and rows(chunks) == [["1", "退款"]]


def test_bytes_that_do_not_decode_are_named_by_their_line(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes('id,text\n1,"两行\n的投诉"\n2,'.encode("utf-8") + b"\xff\xfe\n")  # line 4, after a 2-line record
    with pytest.raises(ValueError, match="line 4 is not valid utf-8"):
        read(path, encoding="utf-8")
    path = tmp_path / "a.jsonl"
    path.write_bytes('{"text": "漏水"}\n'.encode("utf-8") + b'{"text": "\xff"}\n')
    with pytest.raises(ValueError, match="line 2 is not valid utf-8"):
        read(path, encoding="utf-8")


def test_an_encoding_no_codec_knows_is_an_archive_problem_said_with_the_names_there_are(tmp_path):
    # --encoding ANSI (Notepad's name of a Chinese Windows' GB18030) or utf8-bom was a plain ValueError: the command
    # line said only 没有完成（原因在下面，是英文的…）above "unknown encoding 'ANSI'"; no problem kind for a program.
    from consumer_nlp.messages import how_to_go_on, problem_in_chinese

    path = tmp_path / "a.csv"
    path.write_text("投诉内容\n水龙头漏水\n", encoding="utf-8")
    for given in ("ANSI", "utf8-bom"):
        with pytest.raises(ArchiveError, match=f"unknown encoding '{given}'") as caught:
            read(path, encoding=given)
        assert (caught.value.problem, caught.value.details) == ("unknown_encoding", {"given": given})
        assert problem_in_chinese(caught.value) == f"不认识编码「{given}」"
        said = how_to_go_on(caught.value, {"encoding": "--encoding"})
        assert said.startswith("请改用 --encoding utf-8、--encoding gb18030 或 --encoding big5，或去掉 --encoding"), said
        assert ("记事本说的 ANSI" in said) == (given == "ANSI"), said
    assert how_to_go_on(caught.value, {}).startswith("请改用 utf-8、gb18030 或 big5 这样的编码名，或不指定编码")


def test_an_encoding_named_wrongly_is_said_as_given_with_the_one_the_file_reads_in_without_it(tmp_path):
    # A helper's pass (h5): a GB18030 file read with encoding="utf-8" was refused as "line 1 is not valid utf-8-sig
    # … name the encoding with encoding=…": the reader's codec, not the name given, and the desk was told to name
    # an encoding, though left out it is detected and the file read rightly.
    from consumer_nlp.messages import how_to_go_on, problem_in_chinese

    for name, text in [("a.csv", "编号,投诉内容\n1,水龙头漏水\n2,电子秤不准\n"),
                       ("a.jsonl", '{"投诉内容": "水龙头漏水"}\n{"投诉内容": "电子秤不准"}\n')]:
        path = tmp_path / name
        path.write_bytes(text.encode("gb18030"))
        for given in ("utf-8", "UTF8", "big5"):
            with pytest.raises(ArchiveError, match=f"line 1 is not valid {given} ") as caught:
                read(path, encoding=given)
            assert "encoding=… left out, the file is read as gb18030" in str(caught.value), str(caught.value)
            assert (caught.value.details["given"], caught.value.details["detected"]) == (given, "gb18030")
            assert f"无法按 {given} 编码读出" in problem_in_chinese(caught.value)
            assert how_to_go_on(caught.value, {"encoding": "--encoding"}) == (
                f"请去掉 --encoding {given} 后再运行（不用 --encoding 时自动识别编码，这个文件读作 GB18030）")
    # where no encoding was named, or none is detected, the advice is as it was
    path.write_bytes(b'{"text": "' + bytes([0xFF, 0xFE, 0x81]) * 40 + b'"}\n')
    with pytest.raises(ArchiveError) as caught:
        read(path, encoding="utf-8")
    assert "given" in caught.value.details and "detected" not in caught.value.details
    assert "或用 --encoding 指定文件的编码" in how_to_go_on(caught.value, {"encoding": "--encoding"})


def test_naming_utf_8_for_a_file_with_a_byte_order_mark_reads_the_same_columns(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeff投诉内容,编号\n电表走得飞快,1\n".encode("utf-8"))
    assert read(path, encoding="utf-8")[0].columns == ["投诉内容", "编号"]


def test_a_byte_order_mark_opening_a_csv_or_tsv_line_is_none_of_its_first_cell_and_is_counted(tmp_path):
    # A helper's pass (h3): two exports joined end to end (copy /b) left the second's byte order mark in the first cell
    # of a data row (an id \ufeff2), which Excel shows as 2 but a lookup does not find; a quoted one kept its quotes.
    for name, sep, third in [("a.csv", ",", '"3"'), ("a.tsv", "\t", "3")]:  # (a TSV's "3" is read as it is)
        path = tmp_path / name
        path.write_bytes(f"\ufeff编号{sep}投诉内容\n1{sep}漏水\n\ufeff2{sep}秤不准\n\ufeff{third}{sep}冒烟\n".encode())
        _, chunks = read(path, chunk_size=1)
        assert rows(chunks) == [["1", "漏水"], ["2", "秤不准"], ["3", "冒烟"]], name
        assert sum(chunk.boms for chunk in chunks) == 2, name
    path.write_bytes("编号\t投诉内容\n1\t秤不准\ufeff\n".encode())  # one within a line is a character of its value
    assert rows(read(path)[1]) == [["1", "秤不准\ufeff"]]


# ---- JSON lines ----

def test_json_values_keep_their_types(tmp_path):
    records = [{"id": 1, "amount": 128.5, "ok": True, "note": None, "meta": {"a": [1, 2]}, "text": "0"},
               {"id": 2, "amount": 0, "ok": False, "note": "NULL", "meta": [], "text": "=SUM(A1)"}]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    reader, chunks = read(path)
    assert reader.columns == list(records[0])
    assert chunks[0].rows.to_dict("records") == records


def test_a_number_no_float_holds_comes_back_as_written(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"big": 1e400, "small": 2.5, "tiny": -1e400}\n', encoding="utf-8")
    row = read(tmp_path / "a.jsonl")[1][0].rows.iloc[0]
    assert (row["big"], row["small"], row["tiny"]) == ("1e400", 2.5, "-1e400")


def test_records_with_different_keys_share_the_columns_in_order_of_first_appearance(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": 1, "text": "漏水"}\n{"text": "冒烟", "channel": "热线"}\n',
                                      encoding="utf-8")
    reader, chunks = read(tmp_path / "a.jsonl")
    assert reader.columns == ["id", "text", "channel"]
    first, second = chunks[0].rows.to_dict("records")
    assert (first["id"], first["text"], second["text"], second["channel"]) == (1, "漏水", "冒烟", "热线")
    assert pd.isna(first["channel"]) and pd.isna(second["id"])  # absent, not an empty text or a zero


def test_lines_that_are_not_json_objects_are_named_and_blank_lines_counted(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": 1}\n'               # line 1
                                      '\n'                        # line 2: blank
                                      '[1, 2]\n'                  # line 3: not an object
                                      '{"id": 2, "id": 3}\n'      # line 4: a key twice
                                      '{"id": \n'                 # line 5: broken
                                      '"just text"\n'             # line 6
                                      '{"id": 4}\n', encoding="utf-8")
    _, chunks = read(tmp_path / "a.jsonl", chunk_size=1)
    assert rows(chunks) == [[1], [4]]
    found = bad(chunks)
    assert [where for where, _, _ in found] == ["line 3", "line 4", "line 5", "line 6"]
    assert "key(s) ['id'] given more than once" in found[1][1]
    # each said once, in JSON's words (a helper's pass, n6: "not a JSON object (not a JSON object)")
    assert (found[0][1], found[3][1]) == ("not a JSON object (a JSON array)", "not a JSON object (a JSON string)")
    assert [raw for _, _, raw in found] == ["[1, 2]", '{"id": 2, "id": 3}', '{"id": ', '"just text"']
    assert sum(chunk.blank for chunk in chunks) == 1


def test_json_lines_files_joined_end_to_end_read_the_byte_order_mark_of_each_as_none_of_its_records(tmp_path):
    # An adversarial pass (z4): two exports joined (`copy /b a.jsonl+b.jsonl`, `cat`), the second saved with a BOM, made
    # its first line a bad row, 文件第 3 行格式有误（不是一个完整的 JSON 对象）, though no editor shows anything wrong in it;
    # a file with a BOM of its own at the start read such lines (each decoded as utf-8-sig), one without did not.
    for first in (b"", b"\xef\xbb\xbf"):
        (tmp_path / "a.jsonl").write_bytes(first + '{"text": "漏水"}\n{"text": "冒烟"}\n'.encode()
                                           + b"\xef\xbb\xbf" + '{"text": "秤不准"}\n'.encode())
        _, chunks = read(tmp_path / "a.jsonl")
        assert bad(chunks) == [] and rows(chunks) == [["漏水"], ["冒烟"], ["秤不准"]], first


def test_a_value_nested_too_deep_is_a_bad_row_not_the_end_of_the_run(tmp_path):
    # 1,000 levels of [ (a 2 KB line) stopped reading with "maximum recursion depth exceeded", even
    # with bad rows set aside; 500 levels read, then failed when the chunk went to a worker.
    deep = '{"text": "a", "x": ' + "[" * 1000 + "]" * 1000 + "}"
    middling = '{"text": "b", "x": ' + "[" * 500 + "]" * 500 + "}"
    (tmp_path / "a.jsonl").write_text(f'{{"text": "漏水"}}\n{deep}\n{middling}\n{{"text": "冒烟"}}\n', encoding="utf-8")
    reader, chunks = read(tmp_path / "a.jsonl")
    assert reader.columns == ["text", "x"] and [r[0] for r in rows(chunks)] == ["漏水", "冒烟"]
    assert [(where, reason) for where, reason, _ in bad(chunks)] == [
        ("line 2", "a value nested more than 100 levels deep"), ("line 3", "a value nested more than 100 levels deep")]


def test_records_with_keys_of_their_own_are_read_in_chunks_of_bounded_size(tmp_path, monkeypatch):
    # Each chunk was a table of every key of the file: 10,000 records with a key each took 36 s and
    # 1.5 GB, 20,000 over 3.5 GB. A chunk now holds at most MAX_CELLS cells.
    from consumer_nlp.io import _archive

    monkeypatch.setattr(_archive, "MAX_CELLS", 100)
    (tmp_path / "a.jsonl").write_text("".join(f'{{"text": "第{i}件", "key{i}": {i}}}\n' for i in range(40)),
                                      encoding="utf-8")
    reader, chunks = read(tmp_path / "a.jsonl", chunk_size=5000)
    assert len(reader.columns) == 41 and [len(c.rows) for c in chunks if len(c.rows)] == [2] * 20
    assert [r[0] for r in rows(chunks)] == [f"第{i}件" for i in range(40)]


def test_records_bringing_more_keys_than_excel_has_columns_are_refused_by_line(tmp_path):
    # Every record is read with every key of the file, so records with keys of their own cost rows
    # times keys: 10,000 took 36 s, 100,000 would take an hour, to write a table no one can open.
    from consumer_nlp.exceptions import ArchiveError

    path = tmp_path / "a.jsonl"
    path.write_text("".join(f'{{"text": "第{i}件", "k{i}": {i}}}\n' for i in range(16_384)), encoding="utf-8")
    with pytest.raises(ArchiveError, match=r"more than 16,384 different keys: line 16384 brings 'k16383'") as error:
        read(path)
    assert error.value.problem == "too_many_keys" and error.value.details["line"] == 16_384


def test_json_lines_chunks_hold_chunk_size_records(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("".join(f'{{"n": {i}}}\n' for i in range(5)), encoding="utf-8")
    reader, chunks = read(path, chunk_size=2)
    assert [len(chunk.rows) for chunk in chunks if len(chunk.rows)] == [2, 2, 1]
    assert rows(chunks) == [[i] for i in range(5)]
    positions = [chunk.position for chunk in chunks]
    assert positions == sorted(positions) and positions[-1] == reader.total == path.stat().st_size


# ---- Excel ----

def test_xlsx_cells_keep_their_types_and_formula_like_text_stays_text(tmp_path, write_workbook):
    from openpyxl import load_workbook

    when = datetime.datetime(2025, 3, 5, 14, 30)
    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["id", "amount", "date", "ok", "text"],
                                                       ["A1", 128.5, when, True, "=SUM(A1:A9)"],
                                                       [2, 0, datetime.date(2025, 3, 6), False, "漏水"]]})
    book = load_workbook(path)
    book["投诉"]["E2"].data_type = "s"  # a text that looks like a formula, as Excel stores '=SUM…
    book.save(path)
    reader, chunks = read(path)
    assert reader.columns == ["id", "amount", "date", "ok", "text"] and reader.sheet_title == "投诉"
    assert rows(chunks) == [["A1", 128.5, when, True, "=SUM(A1:A9)"],
                            [2, 0, datetime.datetime(2025, 3, 6), False, "漏水"]]


def test_xlsx_numbers_formatted_as_zeros_keep_their_leading_zeros(tmp_path):
    # Excel shows 123 formatted "000000" as 000123 (postcodes, staff and order numbers); it came out as 123.
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编号", "工号", "金额", "投诉内容"])
    sheet.append([123, 7, 1280, "漏水"])
    sheet.append([123456, 12, 3.5, "冒烟"])
    for row in (2, 3):
        sheet.cell(row=row, column=1).number_format = "000000"
        sheet.cell(row=row, column=2).number_format = "00"
    sheet.cell(row=2, column=3).number_format = "#,##0"
    workbook.save(tmp_path / "a.xlsx")
    assert rows(read(tmp_path / "a.xlsx")[1]) == [["000123", "07", 1280, "漏水"], ["123456", "12", 3.5, "冒烟"]]


@pytest.mark.parametrize("number_format, value, shown", [
    # Only bare zeros were read as codes: these came out as 57188886666 and 123.
    ("0000-00000000", 57188886666, "0571-88886666"), ("000000_ ", 123, "000123"), ("000000;@", 123, "000123"),
    ('"NO."000000', 123, "NO.000123"), ("0000000000;[Red]-0000000000", 123, "0000000123"),
    (r"000\-000", 1234567, "1234-567"), ("[$-804]000000", 42, "000042"), ("0000!0", 5, "00050"),
    ('0000;-0000;"零"', 0, "零"), ('0000;-0000;"零"', 12, "0012"),
    # numbers that stay numbers: amounts, percentages, dates, one placeholder
    ("#,##0", 1280, 1280), ("0.00", 3, 3), ("0%", 1, 1), ('0"元"', 35, 35), ("[>100]000;0", 7, 7),
])
def test_xlsx_code_formats_keep_what_excel_shows(tmp_path, number_format, value, shown):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["编号", "投诉内容"])
    workbook.active.append([value, "漏水"])
    workbook.active["A2"].number_format = number_format
    workbook.save(tmp_path / "a.xlsx")
    assert rows(read(tmp_path / "a.xlsx")[1]) == [[shown, "漏水"]]


def test_xlsx_rows_short_long_and_blank(tmp_path, write_workbook):
    path = write_workbook(tmp_path / "a.xlsx", {"s": [["2025年投诉登记表"],        # sheet row 1: a title
                                                      [],                        # 2
                                                      ["id", "text", None],      # 3: the header
                                                      ["1", "漏水"],              # 4
                                                      [None, None],              # 5: blank
                                                      ["2"],                     # 6: short, filled in
                                                      ["3", "冒烟", None, "多"],   # 7: a cell beyond the header
                                                      ["4", "盗刷", " ", ""]]})   # 8: nothing beyond it
    reader, chunks = read(path, header_row=3, chunk_size=2)
    assert reader.columns == ["id", "text"]  # empty header cells at the end are no columns
    assert rows(chunks) == [["1", "漏水"], ["2", ""], ["4", "盗刷"]]
    # A cell of spaces beyond the header, which Excel shows as nothing, set the row aside; the
    # reason did not say which cell held what.
    assert bad(chunks) == [("sheet row 7", "cells beyond the 2 header columns (D7 holds '多')", "3\t冒烟\t\t多")]
    assert sum(chunk.blank for chunk in chunks) == 1
    assert all(len(chunk.rows) <= 2 for chunk in chunks)
    for wrong in (0, 2.7, "2", True):  # 2.7 was read as 2, "2" and True as 2 and 1
        with pytest.raises(ValueError, match=r"header_row=N must be a whole number of at least 1 \(the row"):
            open_archive(path, header_row=wrong)


def test_xls_cells_and_rows_are_read_as_for_xlsx(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("投诉")
    for r, row in enumerate([["登记表"], [], ["id", "amount", "text"], ["A1", 128.5, "秤不准"], [2, 0, "漏水"],
                             ["3", None, "冒烟", "多"]]):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    workbook.save(str(tmp_path / "a.xls"))
    reader, chunks = read(tmp_path / "a.xls", header_row=3)
    assert reader.columns == ["id", "amount", "text"] and reader.sheet_title == "投诉"
    assert rows(chunks) == [["A1", 128.5, "秤不准"], [2, 0, "漏水"]]
    assert bad(chunks) == [("sheet row 6", "cells beyond the 3 header columns (D6 holds '多')", "3\t\t冒烟\t多")]


def test_xls_numbers_formatted_as_zeros_keep_them_and_cells_keep_their_types(tmp_path):
    # python-calamine gives .xls values without their formats: 123 shown as 000123 came out as 123.
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("投诉")
    style = {f: xlwt.easyxf(num_format_str=f) for f in ("000000", "00", "YYYY-MM-DD", "HH:MM", "YYYY-MM-DD HH:MM")}
    for c, name in enumerate(["编号", "工号", "日期", "时间", "登记", "金额", "核实", "投诉内容"]):
        sheet.write(0, c, name)
    for r, (number, staff, amount, ok, text) in enumerate([(123, 7, 1280, True, "漏水"), (123456, 12, 3.5, False, "冒烟")],
                                                          start=1):
        sheet.write(r, 0, number, style["000000"])
        sheet.write(r, 1, staff, style["00"])
        sheet.write(r, 2, datetime.date(2025, 3, r), style["YYYY-MM-DD"])
        sheet.write(r, 3, datetime.time(14, 30), style["HH:MM"])
        sheet.write(r, 4, datetime.datetime(2025, 3, 5, 14, r), style["YYYY-MM-DD HH:MM"])
        sheet.write(r, 5, amount)
        sheet.write(r, 6, ok)
        sheet.write(r, 7, text)
    workbook.save(str(tmp_path / "a.xls"))
    assert rows(read(tmp_path / "a.xls")[1]) == [
        ["000123", "07", datetime.date(2025, 3, 1), datetime.time(14, 30), datetime.datetime(2025, 3, 5, 14, 1), 1280,
         True, "漏水"],
        ["123456", "12", datetime.date(2025, 3, 2), datetime.time(14, 30), datetime.datetime(2025, 3, 5, 14, 2), 3.5,
         False, "冒烟"]]


def _with_data(*names):
    return lambda: list(names)


def test_a_sheet_is_chosen_by_name_or_number_or_as_the_only_one_with_data():
    names = ["一月", "二月", "说明"]
    assert choose_sheet(names, names, _with_data("一月", "二月"), "二月", "a.xlsx") == "二月"
    assert choose_sheet(names, names, _with_data("一月", "二月"), 2, "a.xlsx") == "二月"
    assert choose_sheet(names, names, _with_data("一月", "二月"), "3", "a.xlsx") == "说明"  # asked for, data or not
    assert choose_sheet(names, names, _with_data("二月"), None, "a.xlsx") == "二月"
    assert choose_sheet(["2", "1"], ["2", "1"], _with_data("2", "1"), 2, "a.xlsx") == "2"  # a sheet named "2" by its name


@pytest.mark.parametrize("with_data, sheet, message", [
    (("一月", "二月"), None, r"a\.xlsx has 2 sheets with data: \['一月', '二月'\]; choose one with sheet=NAME"),
    ((), None, r"a\.xlsx: no visible sheet holds data; its sheets are \['一月', '二月', '说明'\]"),
    (("一月",), "三月", r"a\.xlsx has no sheet '三月'; its sheets are \['一月', '二月', '说明'\]"),
    (("一月",), 4, r"a\.xlsx has no sheet '4'"),
    (("一月",), 0, r"a\.xlsx has no sheet '0'"),
])
def test_a_sheet_that_cannot_be_told_is_refused_with_the_sheets_listed(with_data, sheet, message):
    with pytest.raises(ValueError, match=message):
        choose_sheet(["一月", "二月", "说明"], ["一月", "二月", "说明"], _with_data(*with_data), sheet, "a.xlsx")


# ---- Parquet ----

def test_parquet_values_keep_their_types(tmp_path):
    table = pa.table({"id": pa.array([1, 2, None], pa.int64()), "text": ["漏水", None, "0"],
                      "ok": [True, False, None], "amount": [1.5, None, 2.0],
                      "when": pa.array([datetime.datetime(2025, 3, 5, 14, 30), None, datetime.datetime(2025, 1, 1)],
                                       pa.timestamp("ms"))})
    pq.write_table(table, tmp_path / "a.parquet")
    reader, chunks = read(tmp_path / "a.parquet")
    assert reader.columns == ["id", "text", "ok", "amount", "when"]
    assert [str(t) for t in chunks[0].rows.dtypes] == [
        "int64[pyarrow]", "string[pyarrow]", "bool[pyarrow]", "double[pyarrow]", "timestamp[ms][pyarrow]"]
    got = chunks[0].rows.to_dict("records")
    for before, after in zip(table.to_pylist(), got):
        assert {k: v for k, v in after.items() if not pd.isna(v)} == {k: v for k, v in before.items() if v is not None}
        assert {k for k, v in after.items() if pd.isna(v)} == {k for k, v in before.items() if v is None}


def test_parquet_chunks_cross_row_groups(tmp_path):
    pq.write_table(pa.table({"n": list(range(10))}), tmp_path / "a.parquet", row_group_size=3)
    reader, chunks = read(tmp_path / "a.parquet", chunk_size=4)
    assert [len(chunk.rows) for chunk in chunks] == [4, 4, 2]
    assert [chunk.index for chunk in chunks] == [0, 1, 2] and [chunk.position for chunk in chunks] == [4, 8, 10]
    assert rows(chunks) == [[n] for n in range(10)] and reader.total == 10


def test_an_empty_parquet_file_gives_one_empty_chunk_with_its_columns(tmp_path):
    pq.write_table(pa.table({"id": pa.array([], pa.int64()), "text": pa.array([], pa.string())}),
                   tmp_path / "a.parquet")
    reader, chunks = read(tmp_path / "a.parquet")
    assert len(chunks) == 1 and list(chunks[0].rows.columns) == ["id", "text"] and rows(chunks) == []
    assert reader.total == 0



def test_a_sheet_number_counts_the_visible_sheets_as_the_error_lists_them(tmp_path):
    # --sheet 2 read the hidden sheet between two visible ones: the wrong data, without a word.
    from openpyxl import Workbook

    from consumer_nlp.io import open_archive

    workbook = Workbook()
    workbook.active.title = "2023"
    workbook.active.append(["text"]), workbook.active.append(["漏水"])
    hidden = workbook.create_sheet("旧版")
    hidden.append(["text"]), hidden.append(["旧的"])
    hidden.sheet_state = "hidden"
    latest = workbook.create_sheet("2024")
    latest.append(["text"]), latest.append(["冒烟"])
    workbook.save(tmp_path / "w.xlsx")
    texts = lambda sheet: [t for chunk in open_archive(tmp_path / "w.xlsx", sheet=sheet).chunks()  # noqa: E731
                           for t in chunk.rows["text"]]
    assert texts(1) == ["漏水"] and texts(2) == ["冒烟"] and texts("旧版") == ["旧的"]
    with pytest.raises(ValueError, match=r"no sheet '3'.*\['2023', '2024'\]"):
        texts(3)


def test_a_sheet_declaring_a_huge_range_is_read_by_its_cells_not_its_declared_size(tmp_path, monkeypatch):
    # A 5 KB workbook declaring A1:XFD1048576 with one cell far down padded every row between to
    # 16,384 cells: about 50 minutes of reading, with no chunk finished for Ctrl-C to stop at.
    import re
    import zipfile

    from openpyxl import Workbook

    from consumer_nlp.io import _cells

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "text"])
    sheet.append(["1", "秤不准"])
    sheet.cell(row=500, column=1, value="2")
    sheet.cell(row=500, column=2, value="漏水")
    workbook.save(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as source, \
            zipfile.ZipFile(tmp_path / "a.xlsx", "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD500"', data)
            target.writestr(item, data)
    cells = []
    cell_value = _cells.cell_value
    monkeypatch.setattr(_cells, "cell_value", lambda cell: cells.append(1) or cell_value(cell))
    reader, chunks = read(tmp_path / "a.xlsx")
    assert rows(chunks) == [["1", "秤不准"], ["2", "漏水"]] and sum(c.blank for c in chunks) == 497
    assert len(cells) < 20, len(cells)


def test_a_formula_reads_as_the_value_excel_saved_and_one_never_calculated_is_named(tmp_path, with_cached_values):
    # Formula cells were read as their formula text although Excel had saved their values: an id
    # column of =ROW()-1 read "=ROW()-1" on every row, and a text joined by =B2&C2 was tagged from
    # the formula. A formula with no saved value (a file a program wrote) was read as its text too.
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["编号", "商品", "问题", "投诉内容", "备注"])
    workbook.active.append(["=ROW()-1", "冰箱", "不制冷", "=B2&C2", '=IF(A2>5,"多","")'])
    workbook.active.append(["=ROW()-1", "电动车", "电池起火", '=B3&"的"&C3', "=1/0"])
    workbook.save(tmp_path / "f.xlsx")
    with pytest.raises(ArchiveError, match=r"cell A2 holds a formula \(=ROW\(\)-1\) with no saved value") as refused:
        read(tmp_path / "f.xlsx")
    assert refused.value.problem == "uncalculated_formula"
    with_cached_values(tmp_path / "f.xlsx", {"A2": 1, "D2": "冰箱不制冷", "E2": "", "A3": 2, "D3": "电动车的电池起火"})
    with pytest.raises(ArchiveError, match=r"cell E3 holds a formula \(=1/0\)"):
        read(tmp_path / "f.xlsx")
    with_cached_values(tmp_path / "f.xlsx", {"E3": "#DIV/0!"})
    assert rows(read(tmp_path / "f.xlsx")[1]) == [[1, "冰箱", "不制冷", "冰箱不制冷", ""],
                                                  [2, "电动车", "电池起火", "电动车的电池起火", "#DIV/0!"]]


def test_line_breaks_excel_escapes_are_read_as_the_characters(tmp_path, write_workbook):
    # Excel stores a carriage return in a cell as _x000D_ (text pasted with Windows line breaks);
    # it was read as those seven characters, tagged with them, and made long texts too long for .xlsx.
    import zipfile

    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "TEXT1"]]})
    with zipfile.ZipFile(path) as zin:
        members = {item.filename: zin.read(item.filename) for item in zin.infolist()}
    for name, data in members.items():
        if name.startswith("xl/worksheets/"):
            members[name] = data.replace(b"TEXT1", "消费者反映：_x000D_\n冰箱_x0009_不制冷".encode())
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    assert rows(read(path)[1]) == [[1, "消费者反映：\r\n冰箱\t不制冷"]]


def _with_shared_strings(path) -> None:
    """Rewrite an openpyxl-written workbook as Excel saves one: its text cells in a shared string table."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = {item.filename: zin.read(item.filename) for item in zin.infolist()}
    strings = []

    def shared(match):
        strings.append(match.group(2))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), len(strings) - 1)

    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = re.sub(rb'<c r="(\w+)" t="inlineStr"><is><t>(.*?)</t></is></c>', shared, members[sheet])
    members["xl/sharedStrings.xml"] = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                       + b"".join(b"<si><t>%s</t></si>" % text for text in strings) + b"</sst>")
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdS"/></Relationships>')
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)


def _rewrite_part(path, name: str, change) -> None:
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = {item.filename: zin.read(item.filename) for item in zin.infolist()}
    members[name] = change(members[name])
    with zipfile.ZipFile(path, "w") as zout:
        for member, data in members.items():
            zout.writestr(member, data)


def test_a_damaged_or_unlisted_shared_string_table_is_told_or_read_never_a_traceback(tmp_path, write_workbook):
    # A shared string table that is not well-formed XML ended in a ParseError traceback; one the
    # package's list of parts leaves out, in an IndexError traceback when its first cell was read.
    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "漏水"]]})
    _with_shared_strings(path)
    _rewrite_part(path, "[Content_Types].xml", lambda data: data.replace(b'<Override PartName="/xl/sharedStrings.xml"', b"<Ignored"))
    assert rows(read(path)[1]) == [[1, "漏水"]]  # the table where Excel keeps it
    _rewrite_part(path, "xl/sharedStrings.xml", lambda data: data.replace(b"</si>", b"</x>", 1))
    with pytest.raises(ValueError, match=r"a.xlsx is damaged: a part of it is not well-formed XML .*\(ParseError: "
                                         r"mismatched tag.*open it in Excel or WPS and save it again"):
        read(path)


def test_excels_escape_of_text_that_reads_like_an_escape_is_undone_once(tmp_path, write_workbook):
    # Excel saves a typed "_x0041_" as _x005F_x0041_ in its shared strings; openpyxl dropped every
    # "x005F_" there before our own escapes were undone, so the text came back as "型号A漏水".
    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "型号_x005F_x0041_漏水"],
                                                          [2, "冰箱_x000D_x005F_漏水"], [3, "进水_x000D_"]]})
    _with_shared_strings(path)
    assert rows(read(path)[1]) == [[1, "型号_x0041_漏水"], [2, "冰箱\rx005F_漏水"], [3, "进水\r"]]


@pytest.mark.parametrize("shared", [False, True])
def test_a_cell_far_beyond_excels_limit_is_refused_before_it_is_read(tmp_path, write_workbook, shared, monkeypatch):
    # A 585 KB workbook holding one 200-million-character cell took the tagging process to 6.5 GB:
    # openpyxl builds the whole string (and the sheet scan kept joining blocks waiting for the row's end).
    import zipfile

    from consumer_nlp.exceptions import ArchiveError
    from consumer_nlp.io import _workbook
    from consumer_nlp.messages import problem_in_chinese

    monkeypatch.setattr(_workbook, "_SCAN_BLOCK", 1 << 16)  # the run spans blocks
    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "漏水"], [2, "TEXT1"]]})
    with zipfile.ZipFile(path) as zin:  # openpyxl cuts what it writes at Excel's limit; a program need not
        members = {item.filename: zin.read(item.filename) for item in zin.infolist()}
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(b"TEXT1", "冒烟".encode() * 200_000)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    if shared:
        _with_shared_strings(path)
    with pytest.raises(ArchiveError, match="more than 1 MB of text without a break") as error:
        read(path)
    assert error.value.problem == "giant_cell" and "远远超出一个单元格" in problem_in_chinese(error.value)
    write_workbook(path, {"投诉": [["编号", "投诉内容"], [1, "漏水"], [2, "冒烟" * 16_000]]})  # as long as a cell holds
    assert rows(read(path)[1])[1] == [2, "冒烟" * 16_000]


@pytest.mark.parametrize("part, old, new", [
    ("xl/worksheets/sheet1.xml", b"<sheetPr>", b'<sheetPr codeName="' + b"A" * 3_000_000 + b'">'),  # its head
    ("xl/workbook.xml", b"</workbook>", b'<definedNames><definedName name="x">' + b"A" * 3_000_000
     + b"</definedName></definedNames></workbook>"),
    ("docProps/core.xml", b"</cp:coreProperties>", b"<dc:title>" + b"A" * 3_000_000 + b"</dc:title></cp:coreProperties>"),
])
def test_every_part_openpyxl_parses_on_opening_is_checked_first(tmp_path, write_workbook, part, old, new):
    # Opening parsed each sheet's head (a long attribute there cost quadratic time: 44 s for 40 million
    # characters in a 44 KB file) and read the workbook's other parts whole before any check.
    import zipfile

    from consumer_nlp.exceptions import ArchiveError
    from consumer_nlp.io import open_read_only

    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["投诉内容"], ["漏水"]]})
    with zipfile.ZipFile(path) as zin:
        members = {item.filename: zin.read(item.filename) for item in zin.infolist()}
    assert old in members[part]
    members[part] = members[part].replace(old, new, 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    with pytest.raises(ArchiveError, match=f"{part} holds more than 1 MB of text without a break"):
        open_read_only(path)


def test_parts_nobody_reads_are_not_held_against_a_workbook(tmp_path, write_workbook):
    # Power Query keeps its queries as one base64 element in customXml/item1.xml (1.6 MB here): the
    # workbook was refused as holding a giant cell.
    import base64
    import os
    import zipfile

    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "漏水"]]})
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("customXml/item1.xml", b'<DataMashup xmlns="http://schemas.microsoft.com/DataMashup">'
                         + base64.b64encode(os.urandom(1_200_000)) + b"</DataMashup>")
    assert rows(read(path)[1]) == [[1, "漏水"]]


def test_a_shared_string_of_many_runs_is_limited_as_one(tmp_path, write_workbook):
    # Each run of a rich-text string was under the limit, so 592 KB of runs took 34 s and 5.5 GB.
    from consumer_nlp.exceptions import ArchiveError

    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "TEXT1"]]})
    _with_shared_strings(path)
    _rewrite_part(path, "xl/sharedStrings.xml",
                  lambda data: data.replace(b"<t>TEXT1</t>", (b"<r><t>" + b"A" * 100_000 + b"</t></r>") * 12))
    with pytest.raises(ArchiveError, match="sharedStrings.xml holds more than 1 MB of text"):
        read(path)


@pytest.mark.parametrize("cells", [
    b'<c r="B2" t="inlineStr"><is>' + (b"<r><t>" + "漏".encode() * 100_000 + b"</t></r>") * 12 + b"</is></c>",
    b"".join(b'<c r="%s2" t="inlineStr"><is><t>' % column + "漏".encode() * 100_000 + b"</t></is></c>"
             for column in (b"B", b"C", b"D", b"E", b"F", b"G", b"H", b"I", b"J", b"K", b"L", b"M")),
])
def test_a_sheet_row_far_beyond_what_excel_saves_is_refused_before_it_is_built(tmp_path, write_workbook, monkeypatch,
                                                                               cells):
    # Each run of an inline rich-text cell (or each cell of a row) was under the 1 MB limit, and openpyxl builds
    # a row's element whole: a 179 KB workbook of one cell of 200 runs took 1 GB to tag, written out as 180 MB.
    from consumer_nlp.exceptions import ArchiveError
    from consumer_nlp.io import _workbook
    from consumer_nlp.messages import problem_in_chinese

    monkeypatch.setattr(_workbook, "MAX_ROW_XML", 2 << 20)  # the same rule, on a lighter file
    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "TEXT1"], [2, "漏水"]]})
    _rewrite_part(path, "xl/worksheets/sheet1.xml",
                  lambda data: re.sub(rb'<c r="B2" t="inlineStr"><is><t>TEXT1</t></is></c>', lambda m: cells, data))
    with pytest.raises(ArchiveError, match="xl/worksheets/sheet1.xml holds a row of more than 2 MB") as error:
        read(path)
    assert error.value.problem == "giant_row" and "有一行超过 2 MB" in problem_in_chinese(error.value)
    # rows as long as Excel saves them are read whole (their tags laid out over lines), and what follows the
    # rows is no row
    links = b"<hyperlinks>" + b'<hyperlink ref="B2" display="x"/>' * 100_000 + b"</hyperlinks>"
    book = {"投诉": [["编号", *"ABCDEFGH"], *[[n] + ["冒烟" * 16_000] * 8 for n in range(1, 4)]]}
    _rewrite_part(write_workbook(path, book), "xl/worksheets/sheet1.xml",
                  lambda data: data.replace(b"<row ", b"<row\n").replace(b"</sheetData>", b"</sheetData>" + links))
    assert rows(read(path)[1]) == [[n] + ["冒烟" * 16_000] * 8 for n in range(1, 4)]


def test_a_listed_shared_string_table_that_is_missing_is_told(tmp_path, write_workbook):
    # Listed in [Content_Types].xml but not in the file: an IndexError traceback when its first cell was read.
    import zipfile

    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "漏水"]]})
    _with_shared_strings(path)
    with zipfile.ZipFile(path) as zin:
        members = {item.filename: zin.read(item.filename) for item in zin.infolist()}
    del members["xl/sharedStrings.xml"]
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    with pytest.raises(ValueError, match="is not an Excel .xlsx workbook"):
        read(path)


@pytest.mark.parametrize("change", [
    lambda data: data.replace(b"</row>", b"</rowx>", 1),  # not well formed
    lambda data: data.replace(b'<c r="B2" t="s"><v>2</v>', b'<c r="B2" t="s"><v>99</v>', 1),  # no such string
])
def test_a_damaged_sheet_is_told_never_a_traceback(tmp_path, write_workbook, change):
    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "漏水"]]})
    _with_shared_strings(path)
    _rewrite_part(path, "xl/worksheets/sheet1.xml", change)
    with pytest.raises(ValueError, match="a.xlsx is damaged: .*open it in Excel or WPS and save it again"):
        read(path)


@pytest.mark.parametrize("read_size", [1000, 3 << 20])  # as parsers read, and as the sheet scan reads
@pytest.mark.parametrize("runs, refused", [((10, 1 << 20, 10), False), ((10, (1 << 20) + 1, 10), True),
                                           (((1 << 20) + 1,), True), ((5, 2 << 20), True)])
def test_a_part_is_refused_as_soon_as_a_run_without_a_tag_passes_the_limit(runs, refused, read_size):
    import io

    from consumer_nlp.exceptions import ArchiveError
    from consumer_nlp.io._workbook import _TextRunLimit

    data = b"<".join(b"x" * n for n in runs)  # runs of n bytes between tags
    stream = _TextRunLimit(io.BytesIO(b"<" + data), "a.xlsx", "xl/sharedStrings.xml")
    if refused:
        with pytest.raises(ArchiveError, match="sharedStrings.xml holds more than 1 MB of text"):
            while stream.read(read_size):
                pass
    else:
        assert b"".join(iter(lambda: stream.read(read_size), b"")) == b"<" + data


def test_chinese_excels_builtin_date_formats_read_as_dates(tmp_path):
    # Chinese-locale Excel and WPS save their 年月日 formats by number only (27-36, 50-58), which
    # openpyxl does not know: 2025年1月3日 was read as the number 45660, and the report put every
    # such row under 日期缺失或无法识别.
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["编号", "受理日期", "受理月份", "回访时间", "投诉内容"])
    workbook.active.append([1, datetime.date(2025, 1, 3), datetime.date(2025, 1, 3), datetime.time(9, 30), "漏水"])
    formats = {"B2": 'yyyy"年"m"月"d"日"', "C2": 'yyyy"年"m"月"', "D2": 'h"时"mm"分"'}
    for cell, number_format in formats.items():
        workbook.active[cell].number_format = number_format
    workbook.save(tmp_path / "saved.xlsx")
    ids = {'yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;': "31", 'yyyy&quot;年&quot;m&quot;月&quot;': "57",
           'h&quot;时&quot;mm&quot;分&quot;': "32", "yyyy-mm-dd": "14"}
    with zipfile.ZipFile(tmp_path / "saved.xlsx") as zin, zipfile.ZipFile(tmp_path / "a.xlsx", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/styles.xml":  # the formats by number, as that Excel saves them
                xml = data.decode()
                for number, code in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', xml):
                    xml = xml.replace(f'numFmtId="{number}"', f'numFmtId="{ids[code]}"')
                data = re.sub(r"<numFmts.*?</numFmts>", "", xml).encode()
            zout.writestr(item, data)
    assert rows(read(tmp_path / "a.xlsx")[1]) == [[1, datetime.datetime(2025, 1, 3), datetime.datetime(2025, 1, 3),
                                                  datetime.time(9, 30), "漏水"]]


def test_a_sheet_number_counts_chart_tabs_as_excel_shows_them(tmp_path):
    # Tabs [图表][1月][2月]: --sheet 2 read 2月, since chart sheets were not counted, though the desk
    # counts every tab it sees.
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    workbook = Workbook()
    workbook.active.title = "1月"
    workbook.active.append(["编号", "投诉内容"]), workbook.active.append([1, "冰箱不制冷"])
    february = workbook.create_sheet("2月")
    february.append(["编号", "投诉内容"]), february.append([3, "电动车起火"])
    chart = BarChart()
    chart.add_data(Reference(workbook.active, min_col=1, min_row=1, max_row=2))
    workbook.create_chartsheet("图表", 0).add_chart(chart)
    workbook.save(tmp_path / "tabs.xlsx")
    reader, chunks = read(tmp_path / "tabs.xlsx", sheet=2)
    assert reader.sheet_title == "1月" and rows(chunks) == [[1, "冰箱不制冷"]]
    with pytest.raises(ValueError, match=r"sheet '图表' is a chart, not a table"):
        read(tmp_path / "tabs.xlsx", sheet=1)


def test_a_heading_merged_past_the_values_of_a_sheet_whose_cells_do_not_say_their_place_keeps_its_columns(tmp_path):
    # 备注 merged over D1:H1 names no column past the last one holding a value, read from where the sheet's XML puts
    # its cells (<c r="G5">). A writer may leave r out (the cells of a row then follow one another): that column is
    # not known there, and every column the heading covers is kept, as before, so the value read is kept too.
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编号", "投诉内容", "渠道", "备注"])
    for n in range(1, 5):
        sheet.append([f"C{n}", "冰箱不制冷", "热线"])
    sheet["G5"] = "已退款"
    sheet.merge_cells("D1:H1")
    workbook.save(tmp_path / "a.xlsx")
    reader, chunks = read(tmp_path / "a.xlsx")
    assert reader.columns[3:] == ["备注", "备注（E列）", "备注（F列）", "备注（G列）"]
    assert rows(chunks)[-1] == ["C4", "冰箱不制冷", "热线", "", "", "", "已退款"] and not bad(chunks)
    _rewrite_part(tmp_path / "a.xlsx", "xl/worksheets/sheet1.xml",
                  lambda xml: re.sub(rb'(<c\b[^<>]*?) r="\w+"', rb"\1", xml))
    reader, chunks = read(tmp_path / "a.xlsx")
    assert reader.columns[3:] == ["备注", "备注（E列）", "备注（F列）", "备注（G列）", "备注（H列）"]
    assert "已退款" in rows(chunks)[-1] and not bad(chunks)


def test_merged_cells_give_their_value_to_every_row_they_cover(tmp_path):
    # A channel merged down three rows (B2:B4) left two of them blank, so the report counted them as
    # （空）; a correction merged over three rows of a review workbook saved one. Every row a merged
    # range covers now reads its value, and the reader lists the ranges it filled. A row holding
    # nothing but the lower part of a merged cell is no record, as before.
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编号", "渠道", "投诉内容"])
    sheet.append([1, "12315热线", "冰箱不制冷"])
    sheet.append([2, None, "秤不准，少了二两"])
    sheet.append([3, None, "手机屏幕碎了"])
    sheet.append([4, "网络平台", "充电宝鼓包"])
    sheet.append([None, None, None])
    for cells in ("B2:B4", "C5:C6", "A1:A1"):
        sheet.merge_cells(cells)
    workbook.save(tmp_path / "a.xlsx")
    reader, chunks = read(tmp_path / "a.xlsx")
    assert rows(chunks) == [[1, "12315热线", "冰箱不制冷"], [2, "12315热线", "秤不准，少了二两"],
                            [3, "12315热线", "手机屏幕碎了"], [4, "网络平台", "充电宝鼓包"]]
    assert reader.merged == ["B2:B4"] and sum(chunk.blank for chunk in chunks) == 0  # row 6: under the table



def _declare_merged(path, ranges):
    """Write ``ranges`` into the first sheet's XML as merged cells, as a hand-made file may declare them."""
    import zipfile

    cells = "".join(f'<mergeCell ref="{r}"/>' for r in ranges).encode()
    with zipfile.ZipFile(path) as source:
        parts = {item: source.read(item) for item in source.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item, data in parts.items():
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"</sheetData><mergeCells>" + cells + b"</mergeCells>", 1)
            target.writestr(item, data)


def test_merged_ranges_a_column_long_cost_nothing_for_rows_that_are_not_there(tmp_path):
    # A 5 KB workbook declaring 256 merged ranges, each a whole column long, took 2.7 GB: every row
    # each range covers was listed before the first row was read. A range now costs only the rows
    # the sheet holds.
    import tracemalloc

    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编号", "投诉内容"] + [f"c{j}" for j in range(16)])
    sheet.append([1, "冰箱不制冷"] + ["上门"] * 16)
    sheet.append([2, "秤不准"])
    workbook.save(tmp_path / "a.xlsx")
    _declare_merged(tmp_path / "a.xlsx", [f"{get_column_letter(j + 3)}2:{get_column_letter(j + 3)}1048576"
                                          for j in range(16)])
    tracemalloc.start()
    try:
        reader, chunks = read(tmp_path / "a.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows(chunks) == [[1, "冰箱不制冷"] + ["上门"] * 16, [2, "秤不准"] + ["上门"] * 16]
    assert len(reader.merged) == 16
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MiB"



def test_merged_ranges_with_nothing_to_give_cost_no_work_per_row(tmp_path, monkeypatch):
    # Each open range was sorted and filled on every row, empty top or not: 4,000 column-long ranges
    # with empty tops over 20,000 rows (a 244 KB file) took 30 s. A range that shows nothing only
    # hides what its cells hold (as Excel shows them), and costs no work on rows that hold nothing there.
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from consumer_nlp.io import _workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编号", "投诉内容", "渠道"])
    sheet.append([1, "冰箱不制冷", None])
    sheet.append([2, "秤不准", "藏在合并格下"])
    for i in range(3, 40):
        sheet.append([i, "手机屏幕碎了"])
    workbook.save(tmp_path / "a.xlsx")
    _declare_merged(tmp_path / "a.xlsx", [f"{get_column_letter(j + 3)}2:{get_column_letter(j + 3)}1048576"
                                          for j in range(300)])
    given = []
    calls = _workbook.MergedBelow.__call__
    monkeypatch.setattr(_workbook.MergedBelow, "__call__",
                        lambda self, row: given.extend(calls(self, row)) or calls(self, row))
    reader, chunks = read(tmp_path / "a.xlsx")
    assert rows(chunks)[:2] == [[1, "冰箱不制冷", ""], [2, "秤不准", ""]]  # C2 shows nothing, so C3 neither
    assert len(rows(chunks)) == 39 and given == [] and reader.merged == []


def test_a_merged_range_whose_top_row_is_blank_hides_what_its_cells_hold(tmp_path):
    # Ranges were registered at their top row only when that row held a record, so one whose top row
    # was blank hid nothing: the values a program left under it were read, though Excel shows none.
    from openpyxl import Workbook
    from openpyxl.worksheet.cell_range import CellRange

    workbook = Workbook()
    sheet = workbook.active
    for row in (["编号", "投诉内容"], ["A1", "买的手机屏幕碎了"], [], ["旧编号X", "健身房跑路了"], ["旧编号Y", "外卖吃坏肚子了"]):
        sheet.append(row)
    sheet.merged_cells.add(CellRange("A3:A5"))  # the cells under it keep their values, as a program may leave them
    workbook.save(tmp_path / "a.xlsx")
    _, chunks = read(tmp_path / "a.xlsx")
    assert rows(chunks) == [["A1", "买的手机屏幕碎了"], ["", "健身房跑路了"], ["", "外卖吃坏肚子了"]] and not bad(chunks)


def test_a_row_whose_only_value_is_hidden_under_a_merged_cell_is_blank(tmp_path):
    # Excel shows such a row empty; it was read as a record of empty cells and tagged 文本为空.
    from openpyxl import Workbook
    from openpyxl.worksheet.cell_range import CellRange

    workbook = Workbook()
    sheet = workbook.active
    for row in (["编号", "渠道", "投诉内容"], [1, None, "冰箱不制冷"], [None, "电话", None], [3, "网络", "秤不准"]):
        sheet.append(row)
    sheet.merged_cells.add(CellRange("B2:B3"))  # B3 keeps its value, as a program may leave it
    workbook.save(tmp_path / "a.xlsx")
    _, chunks = read(tmp_path / "a.xlsx")
    assert rows(chunks) == [[1, "", "冰箱不制冷"], [3, "网络", "秤不准"]]
    assert [w for chunk in chunks for w in chunk.where] == ["sheet row 2", "sheet row 4"]
    assert sum(chunk.blank for chunk in chunks) == 1

@pytest.mark.parametrize("name", ["wide.csv", "wide.tsv", "wide.xlsx", "wide.parquet"])
def test_a_chunk_of_a_wide_file_holds_at_most_max_cells(tmp_path, monkeypatch, write_workbook, name):
    # A chunk was 5,000 rows whatever the width of the file (CSV, TSV and workbooks): 5,000 rows of
    # 20,000 columns took 2.6 GB. Every format now caps a chunk's cells as JSON Lines did, and
    # still gives every row, in order (JSON Lines: see above).
    from consumer_nlp.io import _archive

    monkeypatch.setattr(_archive, "MAX_CELLS", 200)
    header = ["text"] + [f"c{j}" for j in range(49)]
    table = [[f"漏水{i}"] + [""] * 49 for i in range(30)]
    path = tmp_path / name
    if name.endswith((".csv", ".tsv")):
        separator = "," if name.endswith(".csv") else "\t"
        path.write_text("\n".join(separator.join(row) for row in [header] + table) + "\n", encoding="utf-8")
    elif name.endswith(".xlsx"):
        write_workbook(path, {"Sheet": [header] + [[row[0], *([None] * 48), "x"] for row in table]})
    else:
        pq.write_table(pa.table({column: [row[j] for row in table] for j, column in enumerate(header)}), path)
    reader, chunks = read(path)
    assert [row[0] for row in rows(chunks)] == [f"漏水{i}" for i in range(30)]
    assert max(len(chunk.rows) for chunk in chunks) * len(reader.columns) <= 200 and len(chunks) >= 7

OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


@pytest.mark.parametrize("name, content, problem, says", [
    # each of these was told something that sent the desk the wrong way (an encoding, raw bytes, "name it .xls")
    ("导出.csv", b"PK\x03\x04" + b"\0" * 60, "misnamed", r"an Excel \.xlsx workbook.*rename it \.xlsx"),
    ("系统导出.xls", "编号,投诉内容\n1,漏水\n".encode("gb18030"), "misnamed", r"a text file.*rename it \.csv"),
    ("制表符.xls", "编号\t投诉内容\n1\t漏水\n".encode("gb18030"), "misnamed", r"a text file.*rename it \.tsv"),
    ("网页.xls", b"\xef\xbb\xbf <html><body><table><tr><td>1</td></tr></table></body></html>", "misnamed",
     r"a web page or XML.*save it as \.xlsx"),
    ("旧.xlsx", OLE2 + b"\0" * 600, "misnamed", r"an old Excel \.xls workbook.*rename it \.xls"),
    # told to remove a title row above its header, and "line 1 cannot be parsed"
    ("导出.jsonl", "编号,投诉内容\n1,漏水\n".encode(), "misnamed", r"a text file.*rename it \.csv"),
    ("数组.jsonl", '[{"投诉内容": "漏水"}, {"投诉内容": "缺斤少两"}]\n'.encode(), "json_document",
     r"one JSON document.*one object a line"),
    ("缩进.jsonl", '\ufeff[\n  {"投诉内容": "漏水"}\n]\n'.encode(), "json_document", r"one JSON document"),
    ("对象.jsonl", '{\n  "投诉内容": "漏水"\n}\n'.encode(), "json_document", r"one JSON document"),
    ("加密.xlsx", OLE2 + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64, "password",
     r"has a password"),
])
def test_a_file_whose_content_is_not_what_its_name_says_is_told_what_it_is(tmp_path, name, content, problem, says):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ArchiveError, match=says) as refused:
        open_archive(tmp_path / name)
    assert refused.value.problem == problem


def test_a_macro_enabled_workbook_is_read_like_any_other(tmp_path, write_workbook):
    # .xlsm was refused ("cannot tell the format"), though it is a workbook like .xlsx.
    book = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "漏水"]]})
    book.rename(tmp_path / "宏.xlsm")
    assert rows(read(tmp_path / "宏.xlsm")[1]) == [[1, "漏水"]]


def test_a_column_named_by_the_user_is_found_however_its_name_is_spaced_or_written():
    # --text-col 反映问题 missed a column named "反映问题 " (a trailing space Excel does not show),
    # although the automatic search matched names loosely.
    from consumer_nlp.io import find_column

    columns = ["编号", "渠道", "反映问题 ", "ＩＤ"]
    assert find_column(columns, "反映问题", ()) == "反映问题 " and find_column(columns, "id", ()) == "ＩＤ"
    assert find_column(columns, "反映问题 ", ()) == "反映问题 "
    with pytest.raises(ValueError, match="no column '问题'"):
        find_column(columns, "问题", ())
    with pytest.raises(ValueError, match="no column 'a'"):  # two columns it could mean: neither is guessed
        find_column(["A", "a "], "a", ())


@pytest.mark.parametrize("column", ["诉求描述", "投诉详情", "来电内容"])
def test_common_export_headings_of_the_complaint_text_are_known_names(column):
    # Seen by helper h4 walking the web pages: an export headed 诉求描述 (投诉详情 in platforms' exports, 来电内容 in
    # hotline records) was not found by its name, and the desk was asked to choose, or tag stopped for --text-col.
    from consumer_nlp.io import find_text_column

    assert find_text_column(["编号", column, "备注"]) == column
    assert find_text_column([column, "投诉内容"]) == "投诉内容"  # the names known before come first


@pytest.mark.parametrize("column", ["投诉内容(必填)", "投诉内容（必填）", "投诉内容【必填】", "投诉内容 [必填]", "诉求内容(200字以内)",
                                    "投訴內容（必填）", "投诉内容（必填）（200字以内）", "【必填】投诉内容", "（必填）投诉内容",
                                    "[必填] 诉求内容", "【必填】投诉内容（200字以内）"])
def test_a_known_name_with_a_note_in_brackets_is_found_by_that_name(column):
    # Complaint forms note a column's name in brackets (投诉内容(必填), 类别（请选择）): the name was matched whole, and
    # such a sheet stopped tag and train with "cannot tell which column holds the complaint text". A note before the
    # name (【必填】投诉内容, as forms put it too) was not found so until 2026-12-07.
    from consumer_nlp.io import find_column, find_text_column
    from consumer_nlp.io._columns import LABEL_COLUMN_NAMES

    assert find_text_column(["编号", column, "处理结果"]) == column
    assert find_column(["编号", "类别（请选择）", column], None, LABEL_COLUMN_NAMES) == "类别（请选择）"
    # a column named exactly by a known name wins over one with a note, whichever comes first
    assert find_text_column([column, "内容"]) == "内容" and find_text_column([column, "投诉内容"]) == "投诉内容"
    # two with notes: as for two names without, the first known name's (in TEXT_COLUMN_NAMES), then the first column
    assert find_text_column(["文本(选填)", column]) == column
    assert find_text_column(["投诉内容(选填)", "投诉内容(必填)"]) == "投诉内容(选填)"
    # a heading with a note merged over two columns: its own column, not the one named after it (…（C列）)
    assert find_text_column([f"{column}（C列）", column]) == column


@pytest.mark.parametrize("columns", [["编号", "投诉内容摘要"], ["编号", "投诉内容（C列）"], ["编号", "投诉内容（C列）2"],
                                     ["编号", "(必填)"], ["编号", "投诉内容(必填"], ["编号", "投诉内容(必填)说明"],
                                     ["编号", "【必填】投诉内容摘要"], ["编号", "【必填】"], ["编号", "必填】投诉内容"]])
def test_a_name_holding_a_known_name_without_a_note_after_it_is_not_taken(columns):
    # 投诉内容摘要 is another column; 投诉内容（C列） is the name the reader gives a column under a heading 投诉内容
    # merged over it (named_under): its bracket is no note, and the heading's own column is the text column.
    from consumer_nlp.io import find_text_column

    with pytest.raises(ArchiveError, match="cannot tell which column holds the complaint text"):
        find_text_column(columns)


def test_a_table_drawn_away_from_column_a_is_read_from_where_it_starts(tmp_path, write_workbook):
    # A table drawn from C3 (columns A and B empty) was refused, even with --header-row 3 as advised:
    # "columns 1 and 2 of the header have no name".
    table = [["", "", "2025年投诉登记表"], [], [None, None, "编号", "投诉内容"], [None, None, 1, "漏水"],
             [None, None, 2, "冒烟"]]
    reader, chunks = read(write_workbook(tmp_path / "a.xlsx", {"s": table}), header_row=3)
    assert reader.columns == ["编号", "投诉内容"] and rows(chunks) == [[1, "漏水"], [2, "冒烟"]]
    table[4][0] = "备注"  # column A holds something after all: it is a column, and so is B, both without a name
    with pytest.raises(ArchiveError, match="columns A and B of the header have no name"):
        read(write_workbook(tmp_path / "b.xlsx", {"s": table}), header_row=3)
    # an unnamed first column that holds something (pandas writes its index so) stays a column
    path = write_workbook(tmp_path / "c.xlsx", {"s": [[None, "编号", "投诉内容"], [0, 1, "漏水"], [1, 2, "冒烟"]]})
    reader, chunks = read(path)
    assert reader.columns == ["", "编号", "投诉内容"] and rows(chunks) == [[0, 1, "漏水"], [1, 2, "冒烟"]]


def test_an_old_workbook_with_a_password_is_told_so(tmp_path, monkeypatch):
    # xlrd's "Workbook is encrypted" reached the desk as "not an Excel .xls workbook".
    xlrd = pytest.importorskip("xlrd")

    def encrypted(*args, **kwargs):
        raise xlrd.XLRDError("Workbook is encrypted")

    (tmp_path / "加密.xls").write_bytes(OLE2 + b"\0" * 600)
    monkeypatch.setattr(xlrd, "open_workbook", encrypted)
    with pytest.raises(ArchiveError, match="has a password") as refused:
        read(tmp_path / "加密.xls")
    assert refused.value.problem == "password"


def test_formula_results_a_program_asks_excel_to_recalculate_are_not_trusted(tmp_path, with_cached_values):
    # XlsxWriter (pandas' engine when installed) saves 0 as every formula's result and asks Excel to
    # recalculate on opening (fullCalcOnLoad): a text of =B2&C2 and an id of =ROW()-1 read as 0.
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["编号", "投诉内容"])
    workbook.active.append(["=ROW()-1", "漏水"])
    workbook.save(tmp_path / "f.xlsx")
    with_cached_values(tmp_path / "f.xlsx", {"A2": 0}, by_excel=False)
    with zipfile.ZipFile(tmp_path / "f.xlsx") as book:
        assert b'fullCalcOnLoad="1"' in book.read("xl/workbook.xml")
    with pytest.raises(ArchiveError, match=r"cell A2 holds a formula \(=ROW\(\)-1\) whose saved value") as refused:
        read(tmp_path / "f.xlsx")
    assert refused.value.problem == "uncalculated_formula"


def test_the_scan_of_a_large_prefixed_sheet_goes_block_by_block(tmp_path, monkeypatch):
    # Sheets written with a namespace prefix (<x:row>, .NET exporters) were held whole before the
    # scan: it looked for </row> only.
    import io
    import zipfile

    from consumer_nlp.io import _workbook

    rows = "".join(f'<x:row r="{n}"><x:c r="A{n}" t="inlineStr"><x:is><x:t>投诉{n}</x:t></x:is></x:c></x:row>'
                   for n in range(1, 2001))
    xml = f'<x:worksheet xmlns:x="main"><x:sheetData>{rows}</x:sheetData></x:worksheet>'.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sheet.xml", xml)
    seen = []
    monkeypatch.setattr(_workbook, "_SCAN_BLOCK", 4096)
    real = _workbook._UNCALCULATED.finditer

    class Pattern:
        def finditer(self, data, start, end):
            seen.append(end - start)
            return real(data, start, end)

    monkeypatch.setattr(_workbook, "_UNCALCULATED", Pattern())
    book = type("Book", (), {"_archive": zipfile.ZipFile(buffer)})()
    sheet = type("Sheet", (), {"_worksheet_path": "sheet.xml"})()
    _workbook.scan_sheet(book, sheet)
    assert len(seen) > 10 and max(seen) < 3 * 4096


def test_empty_formatted_rows_below_the_table_are_not_counted_as_blank_rows(tmp_path):
    # A border drawn down to row 60,000 under five complaints was reported as 空行 59,994 行.
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    workbook = Workbook()
    workbook.active.append(["编号", "投诉内容"])
    for n in range(1, 4):
        workbook.active.append([n, "漏水"])
    workbook.active.append([])
    workbook.active.append([4, "冒烟"])
    for row in range(7, 3000):
        workbook.active.cell(row=row, column=1).border = Border(left=Side(style="thin"))
    workbook.save(tmp_path / "a.xlsx")
    reader, chunks = read(tmp_path / "a.xlsx")
    assert len(rows(chunks)) == 4 and sum(chunk.blank for chunk in chunks) == 1  # the one between the rows


@pytest.mark.parametrize("dates_1904", [0, 1])
def test_xls_elapsed_time_cells_are_durations(tmp_path, write_xls, dates_1904):
    # 1.5 shown as 36:00 ([h]:mm) was read as the moment 1900-01-01 12:00 (1904-01-02 in a workbook
    # with 1904 dates), and 0.25 as the time of day 06:00.
    write_xls(tmp_path / "a.xls", [["处理时长", "text"], [(1.5, "[h]:mm"), "漏水"], [(0.25, "[h]:mm"), "漏水"]],
              dates_1904=dates_1904)
    assert rows(read(tmp_path / "a.xls")[1]) == [[datetime.timedelta(hours=36), "漏水"],
                                                 [datetime.timedelta(hours=6), "漏水"]]


def test_xls_spans_are_read_to_the_millisecond_as_excel_shows_them(tmp_path, write_xls):
    # An .xls [h]:mm cell holding B-A of two minute-exact moments is a double a hair off: it came out
    # as 33:09:00.000001 or 60:51:59.999999 where Excel shows 33:09 and 60:52 (an .xlsx gave 33:09:00).
    from openpyxl.utils.datetime import to_excel

    starts = [datetime.datetime(2024, 6, 1) + datetime.timedelta(minutes=997 * r) for r in range(200)]
    ends = [start + datetime.timedelta(minutes=1_931 * r % 9_000 + 1) for r, start in enumerate(starts)]
    write_xls(tmp_path / "a.xls", [["投诉内容", "处理用时"]] + [["快递丢件", (to_excel(end) - to_excel(start), "[h]:mm")]
                                                              for start, end in zip(starts, ends)])
    assert [row[1] for row in rows(read(tmp_path / "a.xls")[1])] == [end - start for start, end in zip(starts, ends)]


def test_xls_elapsed_formats_without_a_colon_are_spans_too(tmp_path, write_xls):
    # xlrd takes [m]"分钟", [h]"小时" or [ss] for plain numbers: 95 minutes came out as 0.0659722222222222.
    write_xls(tmp_path / "a.xls", [["投诉内容", "等待"], ["客服电话没人接", (95 / 1440, '[m]"分钟"')],
                                   ["客服电话没人接", (2 / 24, '[h]"小时"')], ["客服电话没人接", (30 / 86400, "[ss]")]])
    assert [row[1] for row in rows(read(tmp_path / "a.xls")[1])] == [
        datetime.timedelta(minutes=95), datetime.timedelta(hours=2), datetime.timedelta(seconds=30)]


def test_xls_dates_and_spans_beyond_what_python_holds_stay_numbers(tmp_path, write_xls):
    # A date cell past 9999-12-31 (Excel shows #####) or a span of over 999,999,999 days stopped the
    # run with a traceback (OverflowError).
    write_xls(tmp_path / "a.xls", [["日期", "时长", "text"], [(3_000_000, "YYYY-MM-DD"), (1e10, "[h]:mm"), "漏水"]])
    assert rows(read(tmp_path / "a.xls")[1]) == [[3_000_000, 10_000_000_000, "漏水"]]


def test_a_tab_separated_file_named_csv_is_named_as_such_not_read_as_one_column(tmp_path):
    # Excel's 文本文件（制表符分隔） renamed .csv was read as one column "编号\t投诉内容": tagged with its
    # codes, and written back with both still in one cell.
    (tmp_path / "a.csv").write_text("编号\t投诉内容\n1\t漏水\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="tab-separated.*rename it .tsv") as caught:
        read(tmp_path / "a.csv")
    assert caught.value.problem == "misnamed" and caught.value.details["rename"] == ".tsv"
    (tmp_path / "one.csv").write_text("投诉内容\n漏水\t了\n", encoding="utf-8")  # a tab in a text is a text
    assert rows(read(tmp_path / "one.csv")[1]) == [["漏水\t了"]]


def test_a_csv_excel_saved_with_semicolons_is_read_by_its_semicolons(tmp_path):
    # A CSV saved by an Excel whose list separator is ';' (a European one) was read as one column 「编号;投诉内容」:
    # the web offered it as the text column and each whole line, number and text, was tagged. (A name such as
    # 金额(元,含税) left it read with commas too: its header now needs only more semicolons than commas.)
    for amount in ("金额", "金额(元,含税)"):
        (tmp_path / "a.csv").write_text(f'编号;投诉内容;{amount}\n1;漏水;12,5\n2;"退款;拖延";3\n', encoding="utf-8")
        reader, chunks = read(tmp_path / "a.csv")
        assert reader.columns == ["编号", "投诉内容", amount] and reader.delimiter == ";"
        assert rows(chunks) == [["1", "漏水", "12,5"], ["2", "退款;拖延", "3"]]
    # under a title row Excel padded with separators, as a comma CSV's is read
    (tmp_path / "title.csv").write_text("2024年投诉;;\n编号;投诉内容;备注\n1;漏水;\n", encoding="utf-8")
    assert rows(read(tmp_path / "title.csv", header_row=2)[1]) == [["1", "漏水", ""]]


def test_semicolons_in_the_texts_of_a_comma_csv_are_never_separators(tmp_path):
    # a plain list of complaints whose first one holds a semicolon, and a comma CSV whose texts hold them
    (tmp_path / "list.csv").write_text("电饭煲坏了;商家不退\n热水器漏水\n", encoding="utf-8")
    reader, chunks = read(tmp_path / "list.csv")
    assert reader.columns == ["电饭煲坏了;商家不退"] and rows(chunks) == [["热水器漏水"]]
    (tmp_path / "comma.csv").write_text("编号,投诉内容\n1,漏水;没人管;\n2,a;b\n", encoding="utf-8")
    reader, chunks = read(tmp_path / "comma.csv")
    assert reader.delimiter == "," and rows(chunks) == [["1", "漏水;没人管;"], ["2", "a;b"]]


def test_a_semicolon_csv_with_a_row_saved_shorter_is_read_by_its_semicolons(tmp_path):
    # A row Excel saved without its empty last cells left a European Excel's CSV read with commas, each line tagged
    # whole. Its next records now need as many fields or fewer (a short one is then named, as in a comma CSV), one at
    # least as many.
    (tmp_path / "short.csv").write_text("编号;投诉内容;备注\n1;漏水;x\n2;冒烟\n3;秤不准;\n", encoding="utf-8")
    reader, chunks = read(tmp_path / "short.csv")
    assert reader.delimiter == ";" and rows(chunks) == [["1", "漏水", "x"], ["3", "秤不准", ""]]
    assert [(where, reason) for where, reason, _ in bad(chunks)] == [("row 3", "2 fields where the header has 3")]


def test_semicolons_in_a_comma_csv_or_a_list_of_texts_stay_unsplit_with_the_wider_guess(tmp_path):
    # as many commas as semicolons in the header is a comma CSV's; texts no record of which fills the header's width
    # are a list of complaints
    (tmp_path / "comma.csv").write_text("编号,投诉内容;备注\n1,漏水;没人管\n", encoding="utf-8")
    assert read(tmp_path / "comma.csv")[0].delimiter == ","
    (tmp_path / "list.csv").write_text("坏了;不退;没人管\n漏水;拖延\n冒烟;没人理\n", encoding="utf-8")
    reader, chunks = read(tmp_path / "list.csv")
    assert reader.columns == ["坏了;不退;没人管"] and rows(chunks) == [["漏水;拖延"], ["冒烟;没人理"]]


def test_a_semicolon_csv_with_a_row_of_one_field_is_read_by_its_semicolons(tmp_path):
    # A European Excel's CSV UTF-8 (byte order mark, CRLF) whose third row Excel saved as its id alone (its empty last
    # cells left off) was read with commas: one column 「编号;投诉内容;备注」, each whole line tagged. Its records now
    # need only be no wider than the header and most of them as wide; the short row is named, as in a comma CSV.
    (tmp_path / "eu.csv").write_bytes("编号;投诉内容;备注\r\n1;电表走得飞快;\r\n2\r\n3;\"冰箱不制冷;商家不管\";\r\n"
                                      "4;秤不准;复秤\r\n".encode("utf-8-sig"))
    reader, chunks = read(tmp_path / "eu.csv")
    assert reader.columns == ["编号", "投诉内容", "备注"] and reader.delimiter == ";"
    assert rows(chunks) == [["1", "电表走得飞快", ""], ["3", "冰箱不制冷;商家不管", ""], ["4", "秤不准", "复秤"]]
    assert [(where, reason) for where, reason, _ in bad(chunks)] == [("row 3", "1 fields where the header has 3")]


def test_a_semicolon_csv_with_a_stray_quote_in_its_first_rows_is_read_by_its_semicolons(tmp_path):
    # A quote left open in row 1 or 2 of a European Excel's CSV (`1;"说好的包邮;网络`) ran on, as the guess read it, over
    # the records after it, which then did not count: the file was read with commas, as one column 「编号;投诉内容;渠道」,
    # each line tagged whole (the ids and channels inside the texts) and the stray quote named nowhere.
    for stray in (1, 2):
        lines = ["编号;投诉内容;渠道", "1;漏水;电话", "2;冒烟;网络", "3;秤不准;电话", "4;退款难;网络"]
        lines[stray] = lines[stray].replace(";", ';"', 1)
        (tmp_path / "eu.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
        reader, chunks = read(tmp_path / "eu.csv")
        assert reader.delimiter == ";" and reader.columns == ["编号", "投诉内容", "渠道"], stray
        assert rows(chunks) == [line.split(";") for i, line in enumerate(lines[1:], start=1) if i != stray], stray
        assert [(where, raw) for where, _, raw in bad(chunks)] == [(f"row {stray + 1}", lines[stray])], stray
    # records that do not parse with commas (quoted texts followed by ';') are no records the commas read well
    (tmp_path / "eu.csv").write_bytes('投诉内容;金额(元,含税,不含运费)\r\n"退款;一直拖延";3\r\n"漏水;拖延";12,5\r\n'.encode())
    reader, chunks = read(tmp_path / "eu.csv")
    assert reader.delimiter == ";" and rows(chunks) == [["退款;一直拖延", "3"], ["漏水;拖延", "12,5"]]
    # a list of complaints whose text with a quote after a semicolon does not parse so stays one column
    (tmp_path / "list.csv").write_text('坏了;不退\n漏水;"拖延了"三天\n冒烟\n', encoding="utf-8")
    reader, chunks = read(tmp_path / "list.csv")
    assert reader.columns == ["坏了;不退"] and rows(chunks) == [['漏水;"拖延了"三天'], ["冒烟"]]


def test_a_semicolon_csv_whose_header_holds_more_commas_than_semicolons_is_read_by_them(tmp_path):
    # 金额(元,含税,不含运费): two commas within one name, one semicolon between two, in a CSV a Chinese Excel whose
    # list separator is ';' saved (GB18030, CRLF): it was read with commas, as columns 「投诉内容;金额(元」, 「含税」
    # and 「不含运费)」, and its texts and amounts cut at their commas.
    (tmp_path / "eu.csv").write_bytes("投诉内容;金额(元,含税,不含运费)\r\n电表走得飞快;12,5\r\n\"退款;一直拖延\";3\r\n"
                                      "秤不准;0,5\r\n".encode("gb18030"))
    reader, chunks = read(tmp_path / "eu.csv")
    assert reader.columns == ["投诉内容", "金额(元,含税,不含运费)"] and reader.delimiter == ";"
    assert rows(chunks) == [["电表走得飞快", "12,5"], ["退款;一直拖延", "3"], ["秤不准", "0,5"]]


def test_lists_of_texts_and_comma_csvs_with_semicolons_stay_unsplit_when_a_row_is_short(tmp_path):
    # what the guess that takes short rows must still leave alone: a list of complaints whose first holds a ';' and
    # whose next hold one or none (or more), and a comma CSV whose header and texts hold semicolons, a row short
    for name, lines in (("list.csv", ["坏了;不退", "漏水", "冒烟;没人理"]),
                        ("wider.csv", ["坏了;不退", "漏水;拖延;没人管", "冒烟;没人理", "秤不准;少两"])):
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        reader, chunks = read(tmp_path / name)
        assert reader.columns == lines[:1] and rows(chunks) == [[line] for line in lines[1:]], name
    (tmp_path / "comma.csv").write_text("编号,投诉内容;备注\n1,漏水;没人管\n2\n3,冒烟;没人理\n", encoding="utf-8")
    reader, chunks = read(tmp_path / "comma.csv")
    assert reader.delimiter == "," and rows(chunks) == [["1", "漏水;没人管"], ["3", "冒烟;没人理"]]


def test_a_workbook_without_its_size_is_not_read_whole_to_open_it(tmp_path, monkeypatch):
    # openpyxl looks for a sheet's <dimension> until the end of its <sheetData>: a workbook written
    # without one (openpyxl's own write-only mode, many exporting programs) was parsed whole as it
    # opened, before its first row was read (1,000,000 rows of 20 cells: 86 s before the web
    # application's page answered).
    import zipfile

    from openpyxl import Workbook

    from consumer_nlp.io._workbook import open_read_only

    book = Workbook(write_only=True)
    sheet = book.create_sheet("投诉")
    sheet.append(["编号", "投诉内容"])
    for n in range(20000):
        sheet.append([n, f"电饭煲用了三天就坏了{n}"])
    book.save(tmp_path / "a.xlsx")
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<dimension" not in xml and len(xml) > 1_000_000
    taken, open_member = [], zipfile.ZipFile.open

    def counted(self, name, *args, **kwargs):
        member = open_member(self, name, *args, **kwargs)
        if "worksheets/sheet" in str(getattr(name, "filename", name)):
            reading = member.read
            member.read = lambda *a: taken.append(len(data := reading(*a))) or data
        return member

    monkeypatch.setattr(zipfile.ZipFile, "open", counted)
    workbook = open_read_only(tmp_path / "a.xlsx")
    assert sum(taken) < 100_000 and workbook.worksheets[0].max_row is None  # unsized, as openpyxl says
    workbook.close()
    monkeypatch.undo()
    assert [r[:2] for r in rows(read(tmp_path / "a.xlsx")[1])][-1] == [19999, "电饭煲用了三天就坏了19999"]


def test_a_workbook_with_its_size_is_sized_as_it_declares(tmp_path, write_workbook):
    from consumer_nlp.io._workbook import open_read_only

    path = write_workbook(tmp_path / "a.xlsx", {"投诉": [["编号", "投诉内容"], [1, "漏水"], [2, "缺斤少两"]],
                                                 "其他": [["x"]]})
    book = open_read_only(path)
    assert [(ws.min_row, ws.max_row, ws.min_column, ws.max_column) for ws in book.worksheets] == [(1, 3, 1, 2),
                                                                                                  (1, 1, 1, 1)]


def test_tsv_written_here_reads_back_the_same_values(tmp_path):
    # A value opening with a quote was written as it is, and read back as Excel reads a quoted cell:
    # '"a""b"' came back as 'a"b'. Such values are now written as Excel writes them, in quotes.
    from consumer_nlp.io import write_archive

    values = ['"a""b"', '"引号开头', '结尾"', '中间"引号"', '""', '"', "普通"]
    frame = pd.DataFrame({'"编号"': [str(n) for n in range(len(values))], "投诉内容": values})
    write_archive(frame, tmp_path / "a.tsv")
    reader, chunks = read(tmp_path / "a.tsv")
    assert reader.columns == ['"编号"', "投诉内容"] and [r[1] for r in rows(chunks)] == values
    back = pd.read_csv(tmp_path / "a.tsv", sep="\t", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back["投诉内容"]) == values  # and as pandas reads a TSV


def test_a_shared_formula_without_a_saved_value_is_named_as_shared(tmp_path):
    # Excel saves a formula filled down as its first cell's text and "shared" marks below it: a
    # marked cell with no saved value was named as a formula "(=)".
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["编号", "投诉内容"])
    workbook.active.append([1, "秤不准"])
    workbook.active.append([2, "漏水"])
    workbook.save(tmp_path / "a.xlsx")
    with zipfile.ZipFile(tmp_path / "a.xlsx") as source, \
            zipfile.ZipFile(tmp_path / "shared.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="A2"[^>]*>.*?</c>', b'<c r="A2"><f t="shared" ref="A2:A3" si="0">ROW()-1</f>'
                              b'<v>1</v></c>', data)
                data = re.sub(rb'<c r="A3"[^>]*>.*?</c>', b'<c r="A3"><f t="shared" si="0"/></c>', data)
            target.writestr(item, data)
    with pytest.raises(ArchiveError, match=r"cell A3 holds a formula \(shared with the cells above it\) with no saved"):
        read(tmp_path / "shared.xlsx")


def test_a_tsv_stray_quote_swallows_no_rows_however_short_its_lines(tmp_path):
    # A quote left open on a line short of the header's width (a trailing empty cell's tab trimmed),
    # closed by an inch mark three rows on: the rows between were merged into one, silently.
    (tmp_path / "a.tsv").write_text('编号\t投诉内容\t备注\r\n1\t"屏幕坏了\r\n2\t充电器发烫\r\n3\t燃气灶漏气\r\n'
                                    '4\t手机尺寸5.5"\t已回访\r\n5\t秤不准\t已回访\r\n', encoding="utf-8")
    _, chunks = read(tmp_path / "a.tsv")
    assert len(rows(chunks)) + len(bad(chunks)) == 5
    assert not any("充电器发烫" in str(value) and "燃气灶漏气" in str(value) for row in rows(chunks) for value in row)
    (tmp_path / "b.tsv").write_text('id\ttext\tch\n1\t"坏\n2\t漏水\t网络\n3\t尺寸12"\t电话\n', encoding="utf-8")
    _, chunks = read(tmp_path / "b.tsv")
    assert rows(chunks) == [["2", "漏水", "网络"], ["3", '尺寸12"', "电话"]] and len(bad(chunks)) == 1


@pytest.mark.parametrize("first", ['坏了，商家不给退货", "编号": "C0"}', "[1, 2]", '[{"投诉内容": "漏水"}]'])
def test_a_json_lines_file_whose_first_line_is_bad_is_read_with_that_line_set_aside(tmp_path, first):
    # The sniffing of .jsonl names took a damaged first record (the tail of one, as a file cut by size
    # starts) or a one-line array for CSV or a whole JSON document, and refused the file.
    (tmp_path / "a.jsonl").write_text(first + '\n{"编号": "C1", "投诉内容": "秤不准"}\n', encoding="utf-8")
    _, chunks = read(tmp_path / "a.jsonl")
    assert rows(chunks) == [["C1", "秤不准"]] and [where for where, _, _ in bad(chunks)] == ["line 1"]


@pytest.mark.parametrize("content", ["反映问题,,\n屏幕坏了,,\n漏水,,\n", "编号,,\n1,屏幕坏了,热线\n"])
def test_a_padded_header_over_rows_that_are_no_names_is_no_title(tmp_path, content):
    # A one-column list Excel saved with a wider range (反映问题,,), or a header with unnamed columns
    # over data, was taken for a title above column names: the web said to delete the header.
    (tmp_path / "a.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ArchiveError, match="have no name") as refused:
        read(tmp_path / "a.csv")
    assert refused.value.problem == "unnamed_columns"


@pytest.mark.parametrize("data, end", [
    (b'<row r="1"><c><v>1</v></c></row><row r="2"><c><is><t>row>row>row></t></is></c>', 32),
    (b'<x:row r="1"></x:row><x:row r="2"><x:c>', 21),
    (b'<row r="1"><c><is><t>row> and </t></is></c>', 0),
    (b"", 0),
])
def test_the_sheet_scan_finds_the_last_whole_row(data, end):
    # It searched back from every "row>" in a cell's text (">" may stand raw in XML text): quadratic in
    # a cell of them (600 cells of "row>" in a 40 KB file: 33-52 s). Closing tags alone are searched now.
    from consumer_nlp.io._workbook import _last_row_end

    assert _last_row_end(data) == end


def test_the_sheet_scan_patterns_never_run_past_the_next_tag():
    # A helper's pass: an XML comment full of "<c ", "<row " and "<mergeCell " and no ">" (well-formed;
    # openpyxl skips it) made each of these patterns scan from every one of them to the comment's end:
    # 304 KB of comment in a 6 KB .xlsx took 80 s to tag. A tag holds no "<", so none may run past one,
    # which also keeps a match from taking another element's attributes.
    from consumer_nlp.io import _workbook

    cases = [(_workbook._FORMULA, b'<c r="B2"><f>1+1</f>', 1), (_workbook._UNCALCULATED, b'<c r="B2"><f>1+1</f></c>', 1),
             (_workbook._HIDDEN_ROW, b'<row r="2" hidden="1">', 0), (_workbook._MERGED, b'<mergeCell ref="A2:A9"/>', 1)]
    for pattern, real, group in cases:
        for stray in (b'<c r="Z9" ', b'<row r="9" ', b'<mergeCell '):
            found = pattern.search(stray + real)
            assert found is not None and found.start() == len(stray), (pattern.pattern, stray)


def test_a_merged_range_declared_many_times_is_filled_in_once():
    # A helper's pass: the range A2:A10001 declared 4,000 times (a 89 KB file; Excel would refuse it)
    # was applied 4,000 times to each of its rows: 13 s to read. A cell shows one range's value, the
    # first declared; others over the same first column while it is open are left out.
    from consumer_nlp.io import MergedBelow

    below = MergedBelow()
    for value in ("甲", "甲", "乙"):
        below.add((1, 2, 1, 10_001), value)
    below.add((1, 3, 1, 5), "丙")  # overlaps the first: Excel holds no such pair either
    below.add((2, 2, 2, 4), "丁")  # another column
    assert below(3) == [((1, 2, 1, 10_001), "甲"), ((2, 2, 2, 4), "丁")]
    assert below(5_000) == [((1, 2, 1, 10_001), "甲")]
    assert below(10_002) == []  # asked for a row before the ranges starting on it are added, as the reader does
    below.add((1, 10_002, 1, 10_005), "戊")  # after the first has ended
    assert below(10_003) == [((1, 10_002, 1, 10_005), "戊")]


def test_a_hidden_column_whose_tag_holds_many_min_marks_is_read_in_time_linear_in_the_tag(tmp_path):
    # The hidden columns' scan read a <col>'s span with a pattern trying each min="…" against the rest of the tag: a
    # quoted value of 200 KB of min="2" in a <col> without max= (1 KB in the zip, well-formed, openpyxl reads it)
    # took about 48 s to open (20 KB: 0.5 s, 40 KB: 1.8 s, 80 KB: 7.7 s). Its span is read in one pass now.
    import re
    import time
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["编号", "身份证", "投诉内容"])
    workbook.active.append([1, "110101199003071234", "冰箱不制冷"])
    workbook.active.column_dimensions["B"].hidden = True
    workbook.save(tmp_path / "made.xlsx")
    with zipfile.ZipFile(tmp_path / "made.xlsx") as made, \
            zipfile.ZipFile(tmp_path / "cols.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for item in made.infolist():
            data = made.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                col, = re.findall(rb"<col\b[^>]*/>", data)
                data = data.replace(col, col.replace(b' max="2"', b"").replace(
                    b"<col ", b"<col customFormat='" + b'min="2" ' * 25_000 + b"' "))
            out.writestr(item, data)
    started = time.perf_counter()
    reader = open_archive(tmp_path / "cols.xlsx")
    assert sum(len(chunk.rows) for chunk in reader.chunks()) == 1
    assert reader.layout.hidden_columns == set()  # a <col> without max= spans nothing, as before
    assert time.perf_counter() - started < 5  # far over a linear reading's time, far under the quadratic one's


def test_links_over_several_rows_cost_the_rows_they_cover_not_every_row_read(tmp_path):
    # Links over several rows (a range of cells given one link) were each checked at every row read: 120,000
    # links of two rows in a 40,000-row sheet are 4.8 billion checks, minutes. They are opened at their first
    # row and closed after their last now; where two cover a cell, the one opened last gives its address.
    import re
    import zipfile

    from openpyxl import Workbook

    rows = 40_000
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["编号", "查看", "投诉内容"])
    for n in range(rows):
        sheet.append([n, "查看", "冰箱不制冷"])
    sheet["B2"].hyperlink = "https://cases.example.cn/all"
    sheet["B3"].hyperlink = "https://cases.example.cn/three"
    workbook.save(tmp_path / "made.xlsx")
    with zipfile.ZipFile(tmp_path / "made.xlsx") as made, zipfile.ZipFile(tmp_path / "links.xlsx", "w") as out:
        for item in made.infolist():
            data = made.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                first, third = re.findall(rb'<hyperlink\b[^>]*/>', data)
                spans = b"".join(first.replace(b'ref="B2"', b'ref="B%d:B%d"' % (n, n + 1))
                                 for n in range(2, rows + 2) for _ in range(3))  # 120,000 links
                data = data.replace(first, spans).replace(third, third.replace(b'ref="B3"', b'ref="C3:C5"'))
            out.writestr(item, data)
    reader = open_archive(tmp_path / "links.xlsx")
    assert sum(len(chunk.rows) for chunk in reader.chunks()) == rows
    links = reader.layout.links
    assert {links[(record, "查看")] for record in range(rows)} == {"https://cases.example.cn/all"}
    assert [record for record, column in links if column == "投诉内容"] == [1, 2, 3]
    assert links[(2, "投诉内容")] == "https://cases.example.cn/three"


def test_a_number_format_longer_than_excel_allows_is_refused_before_openpyxl_reads_it(tmp_path):
    # A helper's pass: openpyxl asks of every cell style whether its number format is a date's, with a
    # pattern quadratic in "[" (256,000 of them in a 5.6 KB .xlsx: 61 s to tag). Excel's own formats
    # hold at most 255 characters.
    import io
    import zipfile

    from openpyxl import Workbook

    from consumer_nlp.io import open_read_only

    book = Workbook()
    book.active.append(["投诉内容"])
    book.active.append(["电饭煲坏了"])
    book.active["A2"].number_format = "0.000"
    buffer = io.BytesIO()
    book.save(buffer)
    for code, refused in (("[" * 256, True), ("[红色]" + "0" * 200, False)):
        path = tmp_path / f"{len(code)}.xlsx"
        with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "xl/styles.xml":
                    data = data.replace(b'formatCode="0.000"', f'formatCode="{code}"'.encode())
                target.writestr(item, data)
        if refused:
            with pytest.raises(ValueError, match="number format of 256 characters"):
                open_read_only(path)
        else:
            open_read_only(path).close()


def test_the_utf8_row_check_reads_a_bounded_part_of_a_long_line(monkeypatch):
    # A helper's review: a line valid in both encodings (one word repeated) was judged by counting the
    # everyday characters of all of it, three times, in Python: 10 MB of 500 such lines took 12.8 s to
    # read, against 0.1 s. A few hundred characters tell as well.
    from consumer_nlp.io import _encoding

    seen = []
    share = _encoding.common_share
    monkeypatch.setattr(_encoding, "common_share", lambda text, encoding: seen.append(len(text)) or share(text, encoding))
    assert not _encoding.utf8_in_disguise("漏水" * 10_000 + "\n", "gb18030")
    assert _encoding.utf8_in_disguise(("秤不准，少了二两" * 2_000).encode("utf-8").decode("gb18030"), "gb18030")
    assert seen and max(seen) <= 1_000


def test_the_utf8_row_check_judges_the_characters_beyond_ascii_wherever_they_are():
    # A helper's review: with the judgement bounded to a line's first 600 characters, a UTF-8 row whose
    # first 600 were ASCII (a long link before the text) passed as GB18030 nonsense.
    from consumer_nlp.io._encoding import utf8_in_disguise

    line = ("1," + "h" * 640 + ",秤不准，少了二两\r\n").encode("utf-8").decode("gb18030")
    assert utf8_in_disguise(line, "gb18030")


@pytest.mark.parametrize("name", ["a.xlsx", "a.xls"])
def test_a_workbook_header_row_past_its_sheet_is_said_as_a_csvs_is(tmp_path, name, write_workbook, write_xls):
    # header_row=30 (3 mistyped) on a sheet of 4 rows gave a header of no columns: 找不到投诉文本所在的列（列名有：）,
    # naming nothing, where a CSV says 文件只有 4 行，没有第 30 行.
    rows = [["2025年投诉登记表"], [], ["id", "text"], ["1", "漏水"]]
    path = write_workbook(tmp_path / name, {"投诉": rows}) if name == "a.xlsx" else write_xls(tmp_path / name, rows)
    with pytest.raises(ArchiveError, match="header_row=30 is past the end of the sheet") as error:
        list(open_archive(path, header_row=30).chunks())
    assert error.value.problem == "empty" and error.value.details["header_row"] == 30
    assert error.value.details["rows"] == 4


@pytest.mark.parametrize("name", ["a.xlsx", "a.xls"])
def test_a_workbook_header_row_on_a_blank_row_names_the_sheet_the_row_and_the_rows_that_hold_something(
        tmp_path, name, write_workbook, write_xls):
    # header_row=2 on the blank row under a title read a header of no columns, told as 找不到投诉文本所在的列（列名有：）
    # naming none, as if the sheet had no column names at all.
    rows = [["2025年投诉登记表"], [], ["投诉内容", "类别"], ["漏水", "quality"]]
    path = write_workbook(tmp_path / name, {"投诉": rows}) if name == "a.xlsx" else write_xls(tmp_path / name, rows)
    with pytest.raises(ArchiveError, match="header_row=2 is a blank row") as error:
        list(open_archive(path, header_row=2).chunks())
    assert error.value.problem == "blank_header_row"
    assert error.value.details["sheet"] == "投诉" and error.value.details["header_row"] == 2
    assert error.value.details["filled"] == [1, 3, 4] and error.value.details["names_row"] == (3, "投诉内容")


@pytest.mark.parametrize("name", ["a.xlsx", "a.xls"])
def test_a_workbook_header_row_past_its_sheet_names_the_sheet(tmp_path, name, write_workbook, write_xls):
    # The sheet's rows were said as the file's (文件只有 2 行), where a desk thinks of the sheet.
    rows = [["投诉内容"], ["漏水"]]
    path = write_workbook(tmp_path / name, {"投诉": rows}) if name == "a.xlsx" else write_xls(tmp_path / name, rows)
    with pytest.raises(ArchiveError, match="past the end of the sheet") as error:
        list(open_archive(path, header_row=9).chunks())
    assert error.value.details["sheet"] == "投诉" and error.value.details["rows"] == 2


@pytest.mark.parametrize("header_row", [1, 3])
def test_an_empty_sheet_is_said_empty_naming_the_sheets_that_hold_data(tmp_path, write_workbook, header_row):
    # An empty sheet read with header_row=3 was told 文件只有 0 行，没有第 3 行, as if another header_row would do;
    # with header_row=1, as a header naming no column (找不到投诉文本所在的列（列名有：）).
    path = write_workbook(tmp_path / "a.xlsx", {"一月": [["投诉内容"], ["漏水"]], "空表": [], "二月": [["投诉内容"]]})
    with pytest.raises(ArchiveError, match="sheet '空表' is empty") as error:
        list(open_archive(path, sheet="空表", header_row=header_row).chunks())
    assert error.value.problem == "empty" and error.value.details["rows"] == 0
    assert error.value.details["sheet"] == "空表" and error.value.details["others"] == ["一月", "二月"]


def test_a_csv_header_row_on_a_blank_line_is_named_too(tmp_path):
    # A CSV's header_row on the blank line under its title is the same mistake as a sheet's.
    path = tmp_path / "a.csv"
    path.write_text("2025年投诉登记表\n\n投诉内容,类别\n漏水,quality\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="header_row=2 is a blank row") as error:
        list(open_archive(path, header_row=2).chunks())
    assert error.value.problem == "blank_header_row" and error.value.details["filled"] == [1, 3, 4]
    assert "sheet" not in error.value.details


@pytest.mark.parametrize("name", ["a.xlsx", "a.xls", "a.csv"])
def test_a_blank_first_row_above_the_names_is_said_blank_at_the_default_header_row(tmp_path, name,
                                                                                  write_sheet_or_csv):
    # A table starting at row 3 under blank rows, read from row 1, was told 找不到投诉文本所在的列（列名有：） and asked
    # for --text-col, which no name would satisfy.
    rows = [[], [], ["编号", "说明"], ["1", "漏水了"]]
    path = write_sheet_or_csv(tmp_path / name, rows)
    with pytest.raises(ArchiveError, match="header_row=1 is a blank row") as error:
        list(open_archive(path).chunks())
    assert error.value.problem == "blank_header_row" and error.value.details["filled"] == [3, 4]
    assert "names_row" not in error.value.details
