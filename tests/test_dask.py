import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")

from consumer_nlp.dask import tag_dataframe  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def _count_model_reads():
    """On a worker: count the model files it reads from now on (in ``consumer_nlp.dask._reads``)."""
    import consumer_nlp.dask as cn_dask

    if not hasattr(cn_dask, "_reads"):
        cn_dask._reads, read = [], cn_dask.load_model
        cn_dask.load_model = lambda file: cn_dask._reads.append(1) or read(file)


def _model_reads():
    import consumer_nlp.dask as cn_dask

    return len(cn_dask._reads)


@pytest.mark.slow  # starts a local cluster of two worker processes
def test_same_tags_as_local_prediction_on_a_process_cluster(client, default_model, small_corpus):
    texts = small_corpus[0] + ["", "信用卡被盗刷了两万", "   "]
    frame = pd.DataFrame({"id": range(len(texts)), "text": texts}, index=[i % 7 for i in range(len(texts))])
    client.run(_count_model_reads)
    tagged = tag_dataframe(dd.from_pandas(frame, npartitions=20, sort=False), text_col="text").compute()
    assert sum(client.run(_model_reads).values()) <= 2  # once per worker at most, not once per partition
    assert list(tagged.index) == list(frame.index)  # a non-unique index, kept as it was
    assert list(tagged["id"]) == list(frame["id"]) and list(tagged["text"]) == texts
    empty = [not t.strip() for t in texts]  # a file's row without text is in no category
    assert list(tagged["category"]) == ["" if e else c for e, c in zip(empty, default_model.predict(texts))]
    local = default_model.tag(texts)
    assert list(tagged["confidence"]) == pytest.approx([r["confidence"] for r in local], abs=1e-4)
    assert list(tagged["needs_review"]) == [r["needs_review"] for r in local]


def test_the_text_column_is_found_by_its_known_names_as_tag_file_finds_it(small_model):
    # Only text_col (default "text") was looked for: a frame read from an archive with 投诉内容 needed text_col=….
    from consumer_nlp.exceptions import ArchiveError

    frame = pd.DataFrame({"编号": [1, 2], "投訴內容": ["漏水", "信用卡被盗刷"]})
    tagged = tag_dataframe(dd.from_pandas(frame, npartitions=1), model=small_model).compute(scheduler="synchronous")
    assert list(tagged["category"]) == list(small_model.predict(["漏水", "信用卡被盗刷"]))
    assert list(tagged["投訴內容"]) == ["漏水", "信用卡被盗刷"]
    unknown = dd.from_pandas(pd.DataFrame({"编号": [1], "备注": ["漏水"]}), npartitions=1)
    with pytest.raises(ArchiveError, match="cannot tell which column holds the complaint text") as refused:
        tag_dataframe(unknown, model=small_model)
    assert refused.value.problem == "no_text_column" and refused.value.details["columns"] == ["编号", "备注"]
    with pytest.raises(ArchiveError, match="no column 'text'") as refused:
        tag_dataframe(unknown, text_col="text", model=small_model)
    assert refused.value.problem == "no_text_column"


def test_the_model_travels_as_its_model_file_not_as_a_pickle(default_model):
    import consumer_nlp as cn

    tagged = tag_dataframe(dd.from_pandas(pd.DataFrame({"text": ["漏水"] * 4}), npartitions=2), model=default_model)
    values = [getattr(v, "value", v) for v in dict(tagged.__dask_graph__()).values()]  # data nodes unwrapped
    shipped = [v for v in values if isinstance(v, bytes)]
    assert len(shipped) == 1 and shipped[0].startswith(b"PK")
    assert not any(isinstance(v, cn.ComplaintClassifier) for v in values)


def test_two_models_in_one_graph_are_each_read_once_per_worker(default_model, small_model, monkeypatch):
    # A worker kept one model: comparing two in one graph read a model file for every partition.
    import consumer_nlp.dask as cn_dask

    reads = []
    load_model = cn_dask.load_model
    monkeypatch.setattr(cn_dask, "load_model", lambda file: reads.append(1) or load_model(file))
    monkeypatch.setattr(cn_dask, "_loaded", {})
    frame = dd.from_pandas(pd.DataFrame({"text": ["漏水", "信用卡被盗刷", "秤不准", "外卖有头发"] * 5}), npartitions=10)
    both = (tag_dataframe(frame, model=default_model)["category"],
            tag_dataframe(frame, model=small_model)["category"])
    dd.compute(*both, scheduler="synchronous")
    assert len(reads) == 2


def test_a_tagged_dask_frame_writes_to_parquet_as_the_docstring_shows(default_model, tmp_path):
    # The meta declared the text tag columns as object, which Dask fills with placeholder objects
    # that pyarrow cannot convert: to_parquet failed on every tagged frame.
    frame = pd.DataFrame({"id": range(6), "text": ["漏水", None, "信用卡被盗刷", "", "秤不准", "外卖有头发"]})
    tagged = tag_dataframe(dd.from_pandas(frame, npartitions=3), model=default_model)
    tagged.to_parquet(tmp_path / "out", compute_kwargs={"scheduler": "synchronous"})
    back = pd.read_parquet(tmp_path / "out").sort_values("id")
    texts = [t if isinstance(t, str) else "" for t in frame["text"]]  # a row without text is in no category
    assert list(back["category"]) == [r["category"] if t else "" for t, r in zip(texts, default_model.tag(texts))]
    assert list(back["id"]) == list(range(6))


def test_a_repeated_text_column_or_tag_columns_already_there_are_refused_at_once(default_model):
    # A repeated "text" column tagged the column names for every row; a frame already holding a
    # category column failed only at compute time, on the worker, in words about files.
    twice = pd.DataFrame([["漏水", "信用卡被盗刷"], ["秤不准", "外卖有头发"]], columns=["text", "text"])
    with pytest.raises(ValueError, match="2 columns named 'text'"):
        tag_dataframe(dd.from_pandas(twice, npartitions=1), model=default_model)
    tagged = pd.DataFrame({"text": ["漏水"], "category": ["quality"]})
    with pytest.raises(ValueError, match=r"already has column\(s\) \['category'\]") as refused:
        tag_dataframe(dd.from_pandas(tagged, npartitions=1), model=default_model)
    assert refused.value.problem == "already_tagged"  # the same error as tagging a file


def test_the_same_model_tagged_twice_is_read_once_per_worker(default_model, monkeypatch):
    # Each model file was stamped with the time it was written, so the same model sent again two
    # seconds later was another file to the workers: read again and kept beside the first.
    import time
    import zipfile

    import consumer_nlp.dask as cn_dask

    reads = []
    load_model = cn_dask.load_model
    monkeypatch.setattr(cn_dask, "load_model", lambda file: reads.append(1) or load_model(file))
    monkeypatch.setattr(cn_dask, "_loaded", {})
    frame = dd.from_pandas(pd.DataFrame({"text": ["漏水", "秤不准"] * 4}), npartitions=2)
    tag_dataframe(frame, model=default_model).compute(scheduler="synchronous")
    now = time.time()
    monkeypatch.setattr(zipfile.time, "time", lambda: now + 3600)
    tag_dataframe(frame, model=default_model).compute(scheduler="synchronous")
    assert len(reads) == 1 and len(cn_dask._loaded) == 1


def test_a_model_with_number_labels_is_refused_in_words_about_shipping_it(small_corpus):
    import consumer_nlp as cn

    texts, labels = small_corpus
    numbered = cn.ComplaintClassifier(cv=3).fit(texts, [sorted(set(labels)).index(label) for label in labels])
    with pytest.raises(TypeError, match="sent to the workers as a model file.*text labels"):
        tag_dataframe(dd.from_pandas(pd.DataFrame({"text": ["漏水"]}), npartitions=1), model=numbered)


def test_an_unfitted_model_is_told_as_unfitted_not_as_a_label_problem():
    # Every TypeError of writing the model file was said as "holds text labels only", an unfitted
    # model's too.
    import consumer_nlp as cn

    with pytest.raises(TypeError, match="^model must be a fitted ComplaintClassifier, not an unfitted"):
        tag_dataframe(dd.from_pandas(pd.DataFrame({"text": ["漏水"]}), npartitions=1), model=cn.ComplaintClassifier())


def test_what_is_not_a_dask_dataframe_is_refused_by_name(default_model):
    # A pandas DataFrame failed with "'DataFrame' object has no attribute '_meta'", a Dask Series
    # with "'Series' object has no attribute 'assign'".
    frame = pd.DataFrame({"text": ["漏水"]})
    with pytest.raises(TypeError, match=r"a Dask DataFrame.*dd\.from_pandas"):
        tag_dataframe(frame, model=default_model)
    with pytest.raises(TypeError, match=r"a Dask DataFrame.*got a Dask Series"):
        tag_dataframe(dd.from_pandas(frame, npartitions=1)["text"], model=default_model)


def test_an_index_named_like_a_tag_column_is_refused_before_any_tagging(small_model):
    # It was tagged in full and then failed when written ("category" both an index and a column).
    frame = pd.DataFrame({"text": ["漏水", "秤不准"]}, index=pd.Index([7, 8], name="category"))
    with pytest.raises(ValueError, match="index is named 'category'"):
        tag_dataframe(dd.from_pandas(frame, npartitions=1), model=small_model)


def test_a_partition_without_the_text_column_its_meta_promised_is_named(small_model):
    # Built with verify_meta=False, a partition lacking the text column failed with a bare KeyError.
    import dask

    parts = [dask.delayed(pd.DataFrame)({"text": ["漏水"]}), dask.delayed(pd.DataFrame)({"content": ["秤不准"]})]
    frame = dd.from_delayed(parts, meta=pd.DataFrame({"text": pd.Series(dtype=object)}), verify_meta=False)
    with pytest.raises(ValueError, match=r"a partition has no column 'text' \(its columns: \['content'\]\)"):
        tag_dataframe(frame, model=small_model).compute(scheduler="synchronous")


def test_bytes_that_are_not_utf8_in_a_text_column_name_their_index_label(small_model, tmp_path):
    # A partition was refused with "the text column holds bytes that are not UTF-8 text", naming no row.
    import dask

    from consumer_nlp.exceptions import ArchiveError
    from consumer_nlp.messages import problem_in_chinese
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = ["漏水".encode(), b"\xff\xfe bad", "秤不准".encode()]
    with dask.config.set({"dataframe.convert-string": False}):  # on, from_pandas decodes the bytes itself (README)
        frame = dd.from_pandas(pd.DataFrame({"text": texts}, index=[10, 11, 12]), npartitions=1)
    with pytest.raises(ArchiveError, match=r"column 'text' must hold UTF-8 text; these rows do not: index 11「") as no:
        tag_dataframe(frame, model=small_model).compute(scheduler="synchronous")
    assert no.value.problem == "text_bytes" and no.value.details["index"] and no.value.details["rows"][0][0] == 11
    assert problem_in_chinese(no.value).startswith("「text」列的索引为 11 的行「b")
    pq.write_table(pa.table({"text": pa.array(texts, pa.binary())}), tmp_path / "in.parquet")
    with pytest.raises(ValueError, match=r"these rows do not: index 1「"):  # a binary column, read as Dask reads it
        tag_dataframe(dd.read_parquet(tmp_path / "in.parquet"), model=small_model).compute(scheduler="synchronous")


def test_a_column_named_by_a_number_is_tagged_beside_one_named_by_its_digits(small_model):
    # Columns 0 and "0" (a frame joined from two sources): text_col=0 was refused as "no column 0; the columns are
    # ['0', '0']", naming a column the frame does not have twice and the one asked for not at all.
    frame = pd.DataFrame([["秤不准", "漏水"], ["信用卡被盗刷", "外卖有头发"]], columns=["0", 0])
    for text_col, texts in ((0, ["漏水", "外卖有头发"]), ("0", ["秤不准", "信用卡被盗刷"])):
        tagged = tag_dataframe(dd.from_pandas(frame, npartitions=1), text_col=text_col, model=small_model)
        result = tagged.compute(scheduler="synchronous")
        assert list(result["category"]) == list(small_model.predict(texts))
        assert list(result["0"]) == ["秤不准", "信用卡被盗刷"]  # both columns as they were
        assert list(result[0]) == ["漏水", "外卖有头发"]


def test_a_list_an_object_or_a_boolean_in_the_text_column_is_tagged_as_its_json_or_sheet_text(default_model):
    # ["秤不准", "退款"] was tagged as Python shows it, ['秤不准', '退款'], and True as True, not as the outputs show them.
    import dask

    values = [["秤不准", "退款"], {"问题": "秤不准"}, True, "电子秤少了二两"]
    shown = ['["秤不准", "退款"]', '{"问题": "秤不准"}', "TRUE", "电子秤少了二两"]
    with dask.config.set({"dataframe.convert-string": False}):
        frame = dd.from_pandas(pd.DataFrame({"text": pd.Series(values, dtype=object)}), npartitions=1)
        tagged = tag_dataframe(frame, model=default_model).compute(scheduler="synchronous")
    local = default_model.tag(shown)
    assert list(tagged["category"]) == [r["category"] for r in local]
    assert list(tagged["confidence"]) == pytest.approx([r["confidence"] for r in local], abs=1e-4)
