import subprocess
import sys
import zipfile

import numpy as np
import pytest

import consumer_nlp as cn

PLAIN = {
    "quality": "新买的洗衣机用了两个星期就不脱水了，修了两次还是老样子",
    "price_measurement": "在菜市场买了三斤排骨，回家一称只有两斤半，摊主的秤有问题",
    "safety": "超市买的面包里吃出一根钢丝，孩子嘴被划破去了医院",
    "false_advertising": "保健品广告说能根治高血压，老人吃了半年一点用都没有",
    "financial": "信用卡从来没用过却被扣了年费，银行客服说不能退",
    "other": "快递显示已签收，可我根本没收到包裹，快递员电话也不接",
}


def test_right_on_six_plain_complaints(default_model):
    assert list(default_model.predict(list(PLAIN.values()))) == list(PLAIN)


def test_probabilities_have_six_columns_in_sorted_label_order(default_model):
    proba = default_model.predict_proba(list(PLAIN.values()))
    assert proba.shape == (6, 6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(default_model.classes_) == sorted(cn.CATEGORIES)  # a file saved in the guide's order too


def test_the_default_model_carries_its_figures(default_model):
    metrics = default_model.cv_metrics_
    assert metrics["macro_f1"] > 0.8
    assert 0 < default_model.review_threshold_ < 1
    assert default_model.training_data_["rows"] >= 1000


def test_evaluating_the_default_model_on_its_own_corpus_is_warned_of(default_model, repo_root, caplog):
    # The bundled model was trained before models kept per-text hashes, so a desk scoring it on a part of
    # data/complaints.csv got figures near 1.0 without a word.
    import pandas as pd

    corpus = pd.read_csv(repo_root / "data" / "complaints.csv", dtype=str, nrows=50)[["text", "label"]]
    with caplog.at_level("WARNING", logger="consumer_nlp"):
        cn.evaluate(default_model, corpus, model_name="default")
    said = [r for r in caplog.records if getattr(r, "kind", None) == "trained_texts"]
    assert len(said) == 1 and (said[0].rows, said[0].trained) == (50, 50)


@pytest.mark.slow  # a new Python process with warnings as errors
def test_loading_and_tagging_emit_no_warnings(tmp_path):
    code = "import consumer_nlp as cn; m = cn.load(); print(m.tag(['秤不准，少了二两'])[0]['category'])"
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=tmp_path,
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "price_measurement"
    assert result.stderr == ""


@pytest.mark.slow  # builds a wheel with pip
def test_the_default_model_loads_from_a_built_wheel(tmp_path, repo_root):
    pytest.importorskip("setuptools")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(repo_root)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("consumer_nlp-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert "consumer_nlp/resources/default_model.cnlp" in archive.namelist()
        archive.extractall(tmp_path / "site")
    code = "import consumer_nlp as cn; print(cn.__file__); print(cn.load().predict(['信用卡被盗刷了'])[0])"
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=tmp_path, check=True,
                            capture_output=True, text=True, env={"PYTHONPATH": str(tmp_path / "site")})
    where, label = result.stdout.split()
    assert where.startswith(str(tmp_path / "site")) and label == "financial"
