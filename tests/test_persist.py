import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import consumer_nlp as cn
from consumer_nlp._persist import UntrustedModelError, load_model


def test_save_and_load_predict_the_same(small_model, small_corpus, tmp_path):
    path = cn.save_model(small_model, tmp_path / "m.skops")
    loaded = cn.load(path)
    texts = small_corpus[0][:30]
    np.testing.assert_array_equal(loaded.predict_proba(texts), small_model.predict_proba(texts))
    assert loaded.tag(texts) == small_model.tag(texts)
    assert loaded.review_threshold_ == small_model.review_threshold_


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def _retarget(node, old_class, new_module, new_class):
    """Point every node of class ``old_class`` in a skops schema at another callable."""
    if isinstance(node, dict):
        if node.get("__class__") == old_class:
            node["__module__"], node["__class__"] = new_module, new_class
        for value in node.values():
            _retarget(value, old_class, new_module, new_class)
    elif isinstance(node, list):
        for value in node:
            _retarget(value, old_class, new_module, new_class)


def test_a_pickle_that_would_run_code_is_refused_without_running_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    crafted = tmp_path / "model.skops"
    crafted.write_bytes(pickle.dumps(_RunsCode()))
    with pytest.raises(Exception):
        load_model(crafted)
    assert not (tmp_path / "PWNED").exists()


def test_a_skops_file_naming_other_code_is_refused_unread(small_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = cn.save_model(small_model, tmp_path / "m.skops")
    crafted = tmp_path / "crafted.skops"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(crafted, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "schema.json":
                schema = json.loads(data)
                _retarget(schema, "Tokenizer", "os", "system")
                data = json.dumps(schema).encode()
            dst.writestr(item, data)
    with pytest.raises(UntrustedModelError, match="os.system"):
        load_model(crafted)
    assert not (tmp_path / "PWNED").exists()


def test_a_model_whose_parts_fit_cannot_make_is_refused(tmp_path, small_model):
    import copy

    crafted = copy.deepcopy(small_model)
    crafted.vectorizer_.word_vectorizer_.set_params(input="filename")  # would open each text as a path
    path = cn.save_model(crafted, tmp_path / "crafted.skops")
    with pytest.raises(UntrustedModelError, match="input='filename'"):
        cn.load(path)
    assert cn.load(cn.save_model(small_model, tmp_path / "fine.skops")).predict(["漏水"]).shape == (1,)
