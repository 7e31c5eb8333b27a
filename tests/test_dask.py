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


@pytest.mark.slow  # starts a local cluster of two worker processes
def test_same_tags_as_local_prediction_on_a_process_cluster(client, default_model, small_corpus):
    texts = small_corpus[0] + ["", "信用卡被盗刷了两万", "   "]
    frame = pd.DataFrame({"id": range(len(texts)), "text": texts})
    tagged = tag_dataframe(dd.from_pandas(frame, npartitions=5), text_col="text").compute()
    assert list(tagged["id"]) == list(frame["id"]) and list(tagged["text"]) == texts
    assert list(tagged["category"]) == list(default_model.predict(texts))
    local = default_model.tag(texts)
    assert list(tagged["confidence"]) == pytest.approx([r["confidence"] for r in local], abs=1e-4)
    assert list(tagged["needs_review"]) == [r["needs_review"] for r in local]


def test_a_missing_text_column_is_named(default_model):
    frame = dd.from_pandas(pd.DataFrame({"content": ["漏水"]}), npartitions=1)
    with pytest.raises(ValueError, match="no column 'text'"):
        tag_dataframe(frame, model=default_model)


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
