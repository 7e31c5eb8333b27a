"""The model file: plain JSON and arrays, loaded only after every part is checked."""
import copy
import hashlib
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import consumer_nlp as cn
from consumer_nlp.exceptions import IncompatibleModelError, UntrustedModelError
from consumer_nlp.models import convert_model, default_model_path, load_model

def test_save_and_load_predict_the_same(small_model, small_corpus, tmp_path):
    path = cn.save_model(small_model, tmp_path / "m.cnlp")
    loaded = cn.load(path)
    texts = small_corpus[0][:30] + ["", "一个没见过的词：蝾螈"]
    np.testing.assert_array_equal(loaded.predict_proba(texts), small_model.predict_proba(texts))
    assert loaded.tag(texts) == small_model.tag(texts)
    assert loaded.review_threshold_ == small_model.review_threshold_
    assert loaded.get_params() == small_model.get_params()
    assert loaded.tokenizer_.user_words == small_model.tokenizer_.user_words


@pytest.mark.parametrize("change", [{"char_ngram_range": None}, {"word_ngram_range": (1, 1)}], ids=str)
def test_a_model_whose_ngram_ranges_were_set_after_fitting_saves_as_fitted(small_model, small_corpus, tmp_path,
                                                                          change):
    # The file held the parameters as set since (get_params) beside the arrays of the fit: set_params(char_ngram_range=
    # None) on a fitted model, then save(), wrote a file every load refused as untrusted ("arrays must be exactly …"),
    # and Dask, which ships a model as its file, failed on every worker. set_params changes no fitted model.
    model = copy.deepcopy(small_model).set_params(**change)
    texts = small_corpus[0][:30]
    loaded = cn.load(cn.save(model, tmp_path / "m.cnlp"))
    np.testing.assert_array_equal(loaded.predict_proba(texts), small_model.predict_proba(texts))
    assert loaded.get_params() == small_model.get_params()  # the ranges the arrays were fitted with


def test_parameters_that_shaped_training_set_after_fitting_are_saved_as_fitted(small_model, tmp_path):
    # The file held C, cv, min_df, review_accuracy, random_state and tokenizer_backend as set after the fit
    # (get_params), so that it said its model was made otherwise than it was; clause_weight applies when texts are
    # scored, so as set. A loaded model keeps its file's parameters as fitted.
    shaped_training = {"C": 0.01, "cv": 7, "min_df": 5, "review_accuracy": 0.5, "random_state": 99,
                       "tokenizer_backend": "jieba"}
    model = copy.deepcopy(small_model).set_params(**shaped_training, clause_weight=0.0)
    loaded = cn.load(cn.save(model, tmp_path / "m.cnlp"))
    assert loaded.get_params() == {**small_model.get_params(), "clause_weight": 0.0}
    loaded.set_params(**shaped_training)
    again = cn.load(cn.save(loaded, tmp_path / "again.cnlp"))
    assert again.get_params() == {**small_model.get_params(), "clause_weight": 0.0}


def test_a_model_that_sends_everything_to_review_round_trips(small_corpus, tmp_path):
    # training sets the threshold above 1 when no share of texts is accurate enough (few, contradictory texts)
    texts, labels = small_corpus
    model = cn.ComplaintClassifier().fit(texts, labels)
    model.review_threshold_ = 1.01
    cn.save(model, tmp_path / "m.cnlp")
    loaded = cn.load(tmp_path / "m.cnlp")
    assert loaded.review_threshold_ == 1.01 and all(t["needs_review"] for t in loaded.tag(texts[:5]))


def test_a_two_label_model_round_trips(small_corpus, tmp_path):
    texts, labels = small_corpus
    pairs = [(t, y) for t, y in zip(texts, labels) if y in ("quality", "financial")]
    model = cn.ComplaintClassifier(cv=3, char_ngram_range=None).fit(*zip(*pairs))
    loaded = cn.load(cn.save_model(model, tmp_path / "two.cnlp"))
    np.testing.assert_allclose(loaded.predict_proba(texts[:20]), model.predict_proba(texts[:20]), atol=1e-12)
    assert list(loaded.classes_) == ["financial", "quality"]


@pytest.mark.parametrize("path", [default_model_path()], ids=["default model"])
def test_every_member_is_json_or_an_array_read_without_pickle(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        document = json.loads(archive.read("model.json"))
        assert document["format_version"] == 1
        for name in names:
            if name == "model.json":
                continue
            assert name.endswith(".npy")
            array = np.load(io.BytesIO(archive.read(name)), allow_pickle=False)
            assert not array.dtype.hasobject
            assert list(array.shape) == document["arrays"][name[:-4]]["shape"]
    assert set(names) == {"model.json", *(f"{n}.npy" for n in document["arrays"])}


def _rewrite(source, target, *, document=None, members=None, extra=None):
    """Copy a model file, with the JSON document changed by ``document(doc)``, members replaced
    by ``members`` {name: bytes} (checksums kept true unless the document says otherwise), or
    ``extra`` members added."""
    with zipfile.ZipFile(source) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    doc = json.loads(contents["model.json"])
    for name, data in (members or {}).items():
        contents[name] = data
        doc["arrays"][name[:-4]]["sha256"] = hashlib.sha256(data).hexdigest()
    if document:
        document(doc)
    contents["model.json"] = json.dumps(doc).encode()
    contents.update(extra or {})
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return target


@pytest.fixture
def saved(small_model, tmp_path):
    return cn.save_model(small_model, tmp_path / "m.cnlp")


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def test_the_crafted_payload_does_run_code_when_unpickled(runs_code, tmp_path):
    # the control for the tests below: their "PWNED was not created" means the loader refused it
    pickle.loads(pickle.dumps(runs_code))
    assert (tmp_path / "PWNED").exists()


def test_an_object_array_is_refused_without_running_it(saved, tmp_path, runs_code):
    crafted = _rewrite(saved, tmp_path / "c.cnlp", members={"intercept.npy": _npy(np.array([runs_code] * 6))},
                       document=lambda d: d["arrays"]["intercept"].update(dtype="|O"))
    with pytest.raises(UntrustedModelError, match="intercept.npy holds object, not floats"):
        load_model(crafted)
    assert not (tmp_path / "PWNED").exists()


def test_a_pickle_posing_as_a_model_is_refused_without_running_it(tmp_path, runs_code):
    crafted = tmp_path / "model.cnlp"
    crafted.write_bytes(pickle.dumps(runs_code))
    with pytest.raises(UntrustedModelError, match="not a consumer_nlp model file"):
        load_model(crafted)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("extra, message", [
    ({"notes.txt": b"hello"}, r"'notes.txt' \(not part of a model\)"),
    ({"../../escape.npy": _npy(np.zeros(2))}, r"'../../escape.npy' \(not part of a model\)"),
    ({"/etc/cron.d/x": b"* * * * * root id"}, r"'/etc/cron.d/x' \(not part of a model\)"),
])
def test_a_member_that_is_not_part_of_a_model_is_refused(saved, tmp_path, extra, message):
    with pytest.raises(UntrustedModelError, match=message):
        load_model(_rewrite(saved, tmp_path / "c.cnlp", extra=extra))
    assert not (tmp_path.parent / "escape.npy").exists()


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(classes=d["classes"] + ["refund"]), r"7 classes"),
    (lambda d: d.update(temperature="1.0"), "temperature must be a positive number"),
    (lambda d: d.update(temperature=-1), "temperature must be a positive number"),
    (lambda d: d.update(review_threshold=[0.5]), "review_threshold must be a number"),
    (lambda d: d["params"].update(C=True), "params.C must be a positive number"),
    (lambda d: d["params"].update(word_ngram_range=[1, "2"]), "params.word_ngram_range"),
    (lambda d: d["params"].update(input="filename"), "params must be an object with keys among"),
    (lambda d: d["params"].update(clause_weight=-0.5), "params.clause_weight must be a number of at least 0"),
    (lambda d: d["tokenizer"].update(backend="os.system"), "tokenizer must name a backend"),
    (lambda d: d["tokenizer"]["user_words"].append(["词", "9"]), "tokenizer must name a backend"),
    (lambda d: d["tokenizer"]["user_words"].append(["词", 10**30]), "tokenizer must name a backend"),  # loaded,
    (lambda d: d.update(classes=["quality", "quality"] + d["classes"][2:]), "two different labels"),
    (lambda d: d["arrays"].pop("char_idf"), "arrays must be exactly"),
    (lambda d: d.update(format="something else"), "does not say it is a consumer_nlp model"),
    (lambda d: d.update(format_version="1"), "format_version '1' is not a release's"),
])
def test_a_document_of_the_wrong_types_is_refused(saved, tmp_path, change, message):
    with pytest.raises(UntrustedModelError, match=message):
        load_model(_rewrite(saved, tmp_path / "c.cnlp", document=change))


def test_a_stop_word_among_the_terms_or_a_document_nested_too_deep_is_refused(saved, tmp_path):
    # Both loaded (or ended in a bare RecursionError) and failed only at the first prediction.
    with zipfile.ZipFile(saved) as archive:
        term = next(t for t in np.load(io.BytesIO(archive.read("word_terms.npy"))).tolist() if " " not in t)
        members = {name: archive.read(name) for name in archive.namelist() if name != "model.json"}
    with pytest.raises(UntrustedModelError, match="word_terms hold stop words"):
        load_model(_rewrite(saved, tmp_path / "s.cnlp", document=lambda d: d["tokenizer"]["stop_words"].append(term)))
    with zipfile.ZipFile(tmp_path / "deep.cnlp", "w") as archive:
        archive.writestr("model.json", "[" * 100_000 + "]" * 100_000)
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(UntrustedModelError, match="model.json is damaged"):
        load_model(tmp_path / "deep.cnlp")


def test_a_file_written_before_the_clause_rule_decides_on_the_whole_text(saved, small_corpus, tmp_path):
    older = load_model(_rewrite(saved, tmp_path / "old.cnlp", document=lambda d: d["params"].pop("clause_weight")))
    whole = load_model(_rewrite(saved, tmp_path / "w.cnlp", document=lambda d: d["params"].update(clause_weight=0)))
    assert older.clause_weight == 0
    np.testing.assert_array_equal(older.predict_proba(small_corpus[0]), whole.predict_proba(small_corpus[0]))


def test_a_file_from_a_newer_release_says_to_upgrade(saved, tmp_path):
    newer = _rewrite(saved, tmp_path / "c.cnlp", document=lambda d: d.update(format_version=2))
    with pytest.raises(IncompatibleModelError, match="newer consumer_nlp .model format 2; this release reads format 1"):
        load_model(newer)


def test_a_file_from_a_newer_release_with_a_setting_of_its_own_says_to_upgrade(saved, tmp_path):
    # A later release that adds a setting (without a new format_version) wrote a file this one called damaged
    # (模型文件已损坏: "params must be an object with keys among …"): a desk keeping models for years was told to
    # throw away a good model instead of upgrading. Each file now names the release that wrote it.
    from consumer_nlp import __version__

    with zipfile.ZipFile(saved) as archive:
        assert json.loads(archive.read("model.json"))["release"] == __version__

    def later(release):
        return lambda d: (d["params"].update(new_setting=3), d.update(release=release))
    newer = _rewrite(saved, tmp_path / "n.cnlp", document=later("99.1.0"))
    with pytest.raises(IncompatibleModelError, match=rf"written by consumer_nlp 99.1.0.*this release is {__version__}.*"
                                                     r"upgrade consumer_nlp.*new_setting"):
        load_model(newer)
    for release in (__version__, "0.1.0", None, "最新"):  # as old as this one, or saying nothing: not a release's file
        with pytest.raises(UntrustedModelError, match="params must be an object with keys among"):
            load_model(_rewrite(saved, tmp_path / "o.cnlp", document=later(release)))


@pytest.mark.parametrize("name, array, message", [
    ("coef.npy", lambda a: a[:, :-1], r"coef is .* but there are 6 classes and \d+ terms"),
    ("coef.npy", lambda a: a.astype(np.complex128), "coef.npy holds complex128, not floats"),
    ("word_idf.npy", lambda a: a[:-1], "word_terms and word_idf must be one value per term"),
    ("word_idf.npy", lambda a: np.where(np.arange(len(a)) == 0, np.nan, a), "not finite"),
    ("word_terms.npy", lambda a: np.where(np.arange(len(a)) == 0, a[1], a), "repeat a term"),
    ("char_terms.npy", lambda a: np.where(np.arange(len(a)) == 0, "四个字符", a), "not 1-2 characters"),
])
def test_an_array_of_the_wrong_shape_dtype_or_content_is_refused(saved, tmp_path, name, array, message):
    with zipfile.ZipFile(saved) as archive:
        original = np.load(io.BytesIO(archive.read(name)), allow_pickle=False)
    changed = array(original)

    def document(d):
        d["arrays"][name[:-4]].update(dtype=changed.dtype.str, shape=list(changed.shape))

    with pytest.raises(UntrustedModelError, match=message):
        load_model(_rewrite(saved, tmp_path / "c.cnlp", members={name: _npy(changed)}, document=document))


def test_an_array_that_disagrees_with_the_document_is_refused(saved, tmp_path):
    with zipfile.ZipFile(saved) as archive:
        coef = np.load(io.BytesIO(archive.read("coef.npy")))
    crafted = _rewrite(saved, tmp_path / "c.cnlp", members={"coef.npy": _npy(coef.astype(np.float32))})
    with pytest.raises(UntrustedModelError, match=r"coef.npy is <f4 .*, not <f8"):
        load_model(crafted)


def test_a_flipped_byte_anywhere_or_a_cut_is_refused_with_what_is_wrong(saved, tmp_path):
    data = saved.read_bytes()
    with zipfile.ZipFile(saved) as archive:
        infos = archive.infolist()
    for info in infos:  # five bytes spread over each member's compressed data (not the last few, which
        start = info.header_offset + 30 + len(info.filename)  # may hold only the end code and padding)
        for at in np.linspace(start, start + info.compress_size - 8, 5).astype(int):
            flipped = bytearray(data)
            flipped[at] ^= 0xFF
            (tmp_path / "flipped.cnlp").write_bytes(bytes(flipped))
            with pytest.raises(UntrustedModelError, match=rf"{info.filename} is damaged|{info.filename} does not "
                                                          rf"match|{info.filename} is not|the zip is damaged"):
                load_model(tmp_path / "flipped.cnlp")
    (tmp_path / "cut.cnlp").write_bytes(data[: len(data) // 2])
    with pytest.raises(UntrustedModelError, match="not a consumer_nlp model file"):
        load_model(tmp_path / "cut.cnlp")


def test_a_changed_array_with_its_old_checksum_is_refused(saved, tmp_path):
    with zipfile.ZipFile(saved) as archive:
        coef = np.load(io.BytesIO(archive.read("coef.npy")))
    tampered = _rewrite(saved, tmp_path / "c.cnlp", extra={"coef.npy": _npy(coef * 2)})
    with pytest.raises(UntrustedModelError, match="coef.npy does not match its checksum"):
        load_model(tampered)


def test_save_replaces_a_file_only_when_the_new_one_is_whole(small_model, tmp_path, monkeypatch):
    target = cn.save_model(small_model, tmp_path / "m.cnlp")
    before = target.read_bytes()

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("consumer_nlp.models._file._npy", broken)
    with pytest.raises(KeyboardInterrupt):
        cn.save_model(small_model, target, force=True)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.cnlp"]


def test_labels_that_are_not_text_are_refused_on_save(small_corpus, tmp_path):
    texts, labels = small_corpus
    numbered = {label: number for number, label in enumerate(sorted(set(labels)))}
    model = cn.ComplaintClassifier(cv=3).fit(texts, [numbered[label] for label in labels])
    with pytest.raises(TypeError, match="labels must be text"):
        cn.save_model(model, tmp_path / "m.cnlp")
    assert not (tmp_path / "m.cnlp").exists()


# ---- the skops files of 0.1 ----

def test_a_skops_file_says_how_to_convert_it(data_dir):
    with pytest.raises(IncompatibleModelError, match=r"convert it once with convert_model\(.*model_0.1.skops.\)"):
        cn.load(data_dir / "model_0.1.skops")


def test_a_skops_file_converts_to_the_same_model(tmp_path, data_dir, matches_0_1):
    pytest.importorskip("skops")
    import sklearn

    if not sklearn.__version__.startswith("1.9."):  # the fixture was saved with scikit-learn 1.9
        with pytest.raises(IncompatibleModelError, match="Convert it where scikit-learn 1.9.x is installed"):
            convert_model(data_dir / "model_0.1.skops", tmp_path / "m.cnlp")
        return
    converted = convert_model(data_dir / "model_0.1.skops", tmp_path / "m.cnlp")
    matches_0_1(cn.load(converted), atol=1e-12)
    with pytest.raises(FileExistsError, match="was not replaced"):
        convert_model(data_dir / "model_0.1.skops", converted)


# ---- the same file, another environment (.ci/run points this at the oldest declared versions) ----

_IN_OTHER = """
import json, sys
import numpy as np
import consumer_nlp as cn
model_in, texts_path, proba_out, labels_path, model_out = sys.argv[1:]
texts = json.load(open(texts_path, encoding="utf-8"))
np.save(proba_out, cn.load(model_in).predict_proba(texts))
labels = json.load(open(labels_path, encoding="utf-8"))
cn.save_model(cn.ComplaintClassifier(cv=3).fit(texts, labels), model_out)
"""


def test_a_model_predicts_the_same_in_another_environment(small_model, small_corpus, tmp_path):
    """Saved here and loaded there, saved there and loaded here: the same probabilities."""
    other = os.environ.get("CONSUMER_NLP_OTHER_PYTHON")
    if not other:
        pytest.skip("set CONSUMER_NLP_OTHER_PYTHON to a Python with consumer_nlp and other library versions")
    import subprocess

    texts, labels = small_corpus
    (tmp_path / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), "utf-8")
    (tmp_path / "labels.json").write_text(json.dumps(labels, ensure_ascii=False), "utf-8")
    cn.save_model(small_model, tmp_path / "here.cnlp")
    subprocess.run(
        [other, "-c", _IN_OTHER, str(tmp_path / "here.cnlp"), str(tmp_path / "texts.json"),
         str(tmp_path / "there.npy"), str(tmp_path / "labels.json"), str(tmp_path / "there.cnlp")],
        cwd=tmp_path, check=True, capture_output=True, text=True)
    np.testing.assert_allclose(np.load(tmp_path / "there.npy"), small_model.predict_proba(texts), atol=1e-6, rtol=0)
    made_there = cn.load(tmp_path / "there.cnlp")
    assert made_there.predict(texts).shape == (len(texts),)
    subprocess.run(
        [other, "-c", "import sys, numpy as np, consumer_nlp as cn, json; "
                      "np.save(sys.argv[3], cn.load(sys.argv[1]).predict_proba(json.load(open(sys.argv[2]))))",
         str(tmp_path / "there.cnlp"), str(tmp_path / "texts.json"), str(tmp_path / "there_own.npy")],
        cwd=tmp_path, check=True, capture_output=True, text=True)
    np.testing.assert_allclose(made_there.predict_proba(texts), np.load(tmp_path / "there_own.npy"), atol=1e-6, rtol=0)


def test_converting_never_replaces_a_destination_that_appeared_meanwhile(tmp_path, small_model, monkeypatch):
    # convert_model checked the destination before reading the old file, then saved with force: a
    # file written there while it read (another conversion, a colleague's copy) was replaced.
    import copy

    from consumer_nlp.models import _skops

    destination = tmp_path / "m.cnlp"

    def read_while_someone_writes(source):
        destination.write_text("theirs", "utf-8")
        model = copy.deepcopy(small_model)
        model.calibrated_svm_ = _Calibrated(model)
        return model

    monkeypatch.setattr(_skops, "_read_skops", read_while_someone_writes)
    with pytest.raises(FileExistsError):
        convert_model(tmp_path / "old.skops", destination)
    assert destination.read_text("utf-8") == "theirs"


class _Calibrated:
    """The part of a 0.1 model convert_model reads: one calibrated SVM and its temperature."""

    def __init__(self, model):
        svm = type("SVM", (), {"coef_": model.coef_, "intercept_": model.intercept_})()
        calibrator = type("Calibrator", (), {"beta_": 1.0 / model.temperature_})()
        self.calibrated_classifiers_ = [type("Pair", (), {"estimator": svm, "calibrators": [calibrator]})()]


def test_save_never_writes_over_a_file_unasked_or_onto_a_folder(small_model, tmp_path):
    # save() replaced any file by default, a labeled CSV too; a folder or a missing one gave raw
    # errors naming a hidden temporary file, after the whole model had been serialised.
    labeled = tmp_path / "labeled.csv"
    labeled.write_text("text,label\n漏水,quality\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labeled\.csv.*\.cnlp"):
        cn.save(small_model, labeled, force=True)
    (tmp_path / "m.cnlp").write_bytes(b"kept")
    with pytest.raises(FileExistsError, match="exists already.*force=True"):
        cn.save(small_model, tmp_path / "m.cnlp")
    (tmp_path / "folder.cnlp").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        cn.save(small_model, tmp_path / "folder.cnlp")
    with pytest.raises(ValueError, match="does not exist"):
        cn.save(small_model, tmp_path / "missing" / "m.cnlp")
    assert labeled.read_text(encoding="utf-8") == "text,label\n漏水,quality\n"
    assert (tmp_path / "m.cnlp").read_bytes() == b"kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.cnlp", "labeled.csv", "m.cnlp"]
    cn.save(small_model, tmp_path / "m.cnlp", force=True)
    assert cn.load(tmp_path / "m.cnlp").predict(["漏水"]) == small_model.predict(["漏水"])


def test_a_damaged_zip_directory_is_refused_as_damaged_never_with_zipfiles_own_error(saved, tmp_path, small_model):
    # One changed byte in the zip's directory gave NotImplementedError ("compression method"),
    # RuntimeError ("encrypted") or a bare OSError without the file's name.
    data = saved.read_bytes()
    directory, end = data.find(b"PK\x01\x02"), data.rfind(b"PK\x05\x06")
    changes = [(directory + 10, data[directory + 10] ^ 0x80), (directory + 8, data[directory + 8] ^ 1),
               (directory + 6, (data[directory + 6] + 128) % 256), (end + 16, (data[end + 16] + 1) % 256)]
    changes += [(at, data[at] ^ 0xFF) for at in np.linspace(directory, len(data) - 1, 40).astype(int)]
    for at, value in changes:
        changed = bytearray(data)
        changed[at] = value
        (tmp_path / "changed.cnlp").write_bytes(bytes(changed))
        try:
            loaded = load_model(tmp_path / "changed.cnlp")
        except UntrustedModelError as error:
            assert "changed.cnlp" in str(error), at
        else:  # a byte the reader does not use (a date, a comment length) leaves the model as it was
            np.testing.assert_array_equal(loaded.predict_proba(["漏水"]), small_model.predict_proba(["漏水"]))
    with pytest.raises(UntrustedModelError, match=r"^the model file given as a file object: not a consumer_nlp"):
        load_model(io.BytesIO(b"not a model"))


def test_a_conversion_checks_where_it_writes_before_it_reads(tmp_path, data_dir, monkeypatch):
    # The destination's name was checked only by save_model, after the slow skops read: a name not
    # ending in .cnlp, or the source itself, failed at the end.
    from consumer_nlp.models import _skops

    monkeypatch.setattr(_skops, "_read_skops", lambda path: pytest.fail("read before the destination was checked"))
    with pytest.raises(ValueError, match=r"ends in \.cnlp"):
        convert_model(data_dir / "model_0.1.skops", tmp_path / "m.model")
    with pytest.raises(FileExistsError, match="was not replaced"):
        convert_model(data_dir / "model_0.1.skops", data_dir / "model_0.1.skops")


def test_a_model_file_save_sweeps_the_copies_that_killed_saves_left(tmp_path, small_model):
    # kill -9 during `train -o` or save_model left its hidden working copy beside the file for good.
    import time

    path = tmp_path / "m.cnlp"
    stale, fresh, other = tmp_path / ".m.cnlp.20171d74.cnlp", tmp_path / ".m.cnlp.5a5a5a5a.cnlp", tmp_path / ".m.cnlp.parts"
    for leftover in (stale, fresh, other):
        leftover.write_bytes(b"PK half a model")
    hours_ago, minute_on = time.time() - 2 * 3600, time.time() + 60
    for old in (stale, other):
        os.utime(old, (hours_ago, hours_ago))
    os.utime(fresh, (minute_on, minute_on))  # written to since the save took the file's lock: not a dead save's
    cn.save_model(small_model, path)
    assert not stale.exists() and fresh.exists() and other.exists()  # a copy written to since, and no copy, are kept
    assert cn.load(path).predict(["冰箱不制冷"]).shape == (1,)


def test_a_folder_named_like_a_model_file_is_said_to_be_a_folder(tmp_path, capsys, monkeypatch):
    # A folder named mine.cnlp (a model file unzipped by hand, say) was told as 找不到文件 / "no model file
    # mine.cnlp": the desk looking at it in the folder was told it was not there.
    from consumer_nlp.cli import main

    (tmp_path / "mine.cnlp").mkdir()
    (tmp_path / "in.csv").write_text("text\n漏水\n", encoding="utf-8")
    with pytest.raises(IsADirectoryError, match=r"mine\.cnlp is a folder, not a model file"):
        cn.load(tmp_path / "mine.cnlp")
    monkeypatch.chdir(tmp_path)
    assert main(["tag", "in.csv", "-o", "out.csv", "--model", "mine.cnlp"]) == 2
    said = capsys.readouterr().err
    assert "是一个文件夹，不是文件" in said and "找不到" not in said and "mine.cnlp is a folder" in said
    assert not (tmp_path / "out.csv").exists()


def test_a_file_from_a_newer_release_with_a_member_of_its_own_says_to_upgrade(saved, tmp_path):
    # A later release that adds a member of its own (a word list, a note) without a new format_version wrote a file
    # this one called damaged (模型文件已损坏: "'lexicon.txt' (not part of a model)"), as a setting of its own was.
    def later(release):
        return lambda d: d.update(release=release)
    newer = _rewrite(saved, tmp_path / "n.cnlp", document=later("99.1.0"), extra={"lexicon.txt": b"word"})
    with pytest.raises(IncompatibleModelError, match=r"written by consumer_nlp 99.1.0.*upgrade consumer_nlp.*"
                                                     r"'lexicon.txt' \(not part of a model\)"):
        load_model(newer)
    with pytest.raises(UntrustedModelError, match=r"'lexicon.txt' \(not part of a model\)"):  # of no later release
        load_model(_rewrite(saved, tmp_path / "o.cnlp", document=later("0.1.0"), extra={"lexicon.txt": b"word"}))


def test_a_file_whose_labels_name_one_category_twice_is_refused(saved, tmp_path):
    # Training refuses labels such as quality and 质量问题 together (one category spelled two ways); a model file edited
    # by hand so loaded, and tagged texts with either spelling, as two categories.
    def respelled(d):
        d["classes"][-1] = "质量问题" if "quality" in d["classes"][:-1] else "quality"
    with pytest.raises(UntrustedModelError, match=r"labels 'quality' and '质量问题' name one category"):
        load_model(_rewrite(saved, tmp_path / "c.cnlp", document=respelled))


@pytest.mark.parametrize("content", [b"", b"text,label\n", "zip without schema", "zip with a damaged schema"])
def test_a_file_to_convert_that_is_no_skops_model_is_refused_by_name(tmp_path, capsys, content):
    # `consumer-nlp models convert old.skops` of an empty or damaged file ended in zipfile's BadZipFile traceback (or a
    # KeyError, a JSONDecodeError), naming no file.
    from consumer_nlp.cli import main

    pytest.importorskip("skops")
    source = tmp_path / "old.skops"
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        with zipfile.ZipFile(source, "w") as archive:
            archive.writestr("schema.json" if "damaged" in content else "notes.txt", "{")
    with pytest.raises(UntrustedModelError, match=r"old\.skops.*not a skops model file"):
        convert_model(source)
    assert main(["models", "convert", str(source)]) == 2
    said = capsys.readouterr().err
    assert "模型文件已损坏" in said and "old.skops" in said and "Traceback" not in said
    assert not (tmp_path / "old.cnlp").exists()


def test_a_model_file_of_this_release_given_to_convert_is_said_to_need_no_conversion(tmp_path, small_model, capsys):
    # `consumer-nlp models convert mine.cnlp` said "mine.cnlp exists already; it was not replaced" (文件已经存在) of
    # the file itself, and given another destination called the file damaged: it needs no conversion.
    from consumer_nlp.cli import main

    mine = cn.save(small_model, tmp_path / "mine.cnlp")
    before = mine.read_bytes()
    for destination in (None, tmp_path / "other.cnlp"):
        with pytest.raises(IncompatibleModelError, match=r"mine\.cnlp.*needs no conversion") as raised:
            convert_model(mine, destination)
        assert pickle.loads(pickle.dumps(raised.value)).problem == "current"
    assert main(["models", "convert", str(mine)]) == 2
    said = capsys.readouterr().err
    assert "不用转换" in said and "文件已经存在" not in said and "Traceback" not in said
    assert mine.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["mine.cnlp"]
