import csv
import json
import multiprocessing
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import sklearn.base

import consumer_nlp as cn
from consumer_nlp import ModelRegistry
from consumer_nlp.exceptions import IncompatibleModelError, IntegrityError, UntrustedModelError

@pytest.fixture
def registry(tmp_path):
    return ModelRegistry(tmp_path / "registry")


def test_versions_aliases_and_loading_by_reference(registry, small_model, small_corpus):
    assert registry.save(small_model, "complaints", description="first", tags={"desk": "12315"}) == 1
    assert registry.save(small_model, "complaints") == 2
    registry.set_alias("complaints", 1, "production")
    texts = small_corpus[0][:25]
    loaded = registry.load("complaints@production")
    np.testing.assert_array_equal(loaded.predict_proba(texts), small_model.predict_proba(texts))
    assert registry.info("complaints@production")["version"] == 1
    assert registry.info("complaints")["version"] == 2 and registry.info("complaints@2")["aliases"] == []
    listing = registry.list()
    assert listing.to_dict("records") == [{"name": "complaints", "latest": 2, "versions": 2, "aliases": "production→1",
                                          "problem": ""}]


def test_metadata_records_what_a_desk_needs(registry, small_corpus):
    model = cn.train(list(zip(*small_corpus)), cv=3)
    registry.save(model, "desk-a", description="bank desk", tags={"owner": "li"})
    meta = registry.info("desk-a")
    assert set(meta["library_versions"]) == {"consumer_nlp", "scikit-learn", "numpy", "python", "tokenizer_backend"}
    assert meta["training_data"]["rows"] == len(small_corpus[0]) and len(meta["training_data"]["sha256"]) == 64
    assert set(meta["cv_metrics"]["per_class"]) == set(cn.CATEGORIES)
    assert meta["params"]["C"] == 1.0 and meta["review_threshold"] == model.review_threshold_
    assert meta["artifact"]["bytes"] == (registry.root / "desk-a" / "1" / "model.cnlp").stat().st_size
    assert json.loads((registry.root / "desk-a" / "1" / "metadata.json").read_text("utf-8"))["description"] == "bank desk"


@pytest.mark.parametrize("name", ["../evil", "a/b", "..", "", "Upper", "-x", "a" * 65, "名字/x", "名字 2", "\uf900"])
def test_unsafe_names_are_refused(registry, small_model, name):
    with pytest.raises(ValueError, match="invalid model name"):
        registry.save(small_model, name)
    assert not any(registry.root.parent.glob("evil*"))


@pytest.mark.parametrize("name", ["v1.cnlp", "old.skops"])
def test_a_name_that_load_would_read_as_a_file_is_refused(registry, small_model, name):
    # load("v1.cnlp") reads a model file: a registry model of that name could never be loaded by it.
    with pytest.raises(ValueError, match=f"invalid model name {name!r}.*file"):
        registry.save(small_model, name)
    with pytest.raises(ValueError, match="invalid model name"):
        cn.models.check_model_name(name)


def test_unsafe_aliases_are_refused(registry, small_model):
    registry.save(small_model, "m")
    for alias in ["../x", "a/b", "", "7"]:
        with pytest.raises(ValueError, match="invalid alias"):
            registry.set_alias("m", 1, alias)


def test_a_tampered_artifact_is_refused(registry, small_model):
    registry.save(small_model, "m")
    artifact = registry.root / "m" / "1" / "model.cnlp"
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artifact.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="checksum"):
        registry.load("m")
    artifact.write_bytes(bytes(data[: len(data) // 3]))
    with pytest.raises(IntegrityError, match="truncated"):
        registry.load("m@1")


def test_a_crafted_artifact_does_not_run(registry, small_model, tmp_path, runs_code):
    registry.save(small_model, "m")
    folder = registry.root / "m" / "1"
    (folder / "model.cnlp").write_bytes(pickle.dumps(runs_code))
    meta = json.loads((folder / "metadata.json").read_text("utf-8"))
    import hashlib
    meta["artifact"]["sha256"] = hashlib.sha256((folder / "model.cnlp").read_bytes()).hexdigest()
    (folder / "metadata.json").write_text(json.dumps(meta), "utf-8")  # the attacker fixed the checksum too
    with pytest.raises(UntrustedModelError, match="not a consumer_nlp model file"):
        registry.load("m")
    assert not (tmp_path / "PWNED").exists()


def _save_in_another_process(root, barrier):
    model = cn.load()
    barrier.wait()
    return ModelRegistry(root).save(model, "shared")


@pytest.mark.slow  # two spawned processes, each importing the package and loading the default model
def test_concurrent_saves_get_distinct_versions(registry):
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(2)
        with context.Pool(2) as pool:
            versions = pool.starmap(_save_in_another_process, [(str(registry.root), barrier)] * 2)
    assert sorted(versions) == [1, 2]
    texts = ["漏水", "信用卡被盗刷", "秤不准"]
    for version in versions:  # each version whole: the default model each process saved
        np.testing.assert_array_equal(registry.load(f"shared@{version}").predict_proba(texts),
                                      cn.load().predict_proba(texts))


def test_a_save_that_fails_halfway_leaves_no_version(registry, small_model, monkeypatch):
    registry.save(small_model, "m")

    def broken(model, path):
        path.write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr("consumer_nlp.models._registry.save_model", broken)
    with pytest.raises(KeyboardInterrupt):
        registry.save(small_model, "m")
    assert [meta["version"] for meta in registry.versions("m")] == [1]
    assert not [p for p in (registry.root / "m").iterdir() if p.name.startswith(".saving")]


@pytest.mark.parametrize("step", ["write_json", "move_into_place"])
def test_a_save_interrupted_after_its_claim_frees_the_number(registry, small_model, monkeypatch, step):
    # Ctrl-C while `train --name d` wrote its version left the claim .claims/1: the next save was d@2, no d@1 ever.
    from consumer_nlp.models import _registry

    real, calls = getattr(_registry, step), []

    def interrupted_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(_registry, step, interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        registry.save(small_model, "d")
    assert not (registry.root / "d" / "1").exists()
    assert registry.save(small_model, "d") == 1
    assert registry.save(small_model, "d") == 2 and [v["version"] for v in registry.versions("d")] == [1, 2]


def test_a_save_interrupted_once_its_version_is_in_place_keeps_the_number(registry, small_model, monkeypatch):
    # The version already moved into place when the interrupt came: it is stored, and its number stays taken, also
    # once it is deleted (a deleted version's number is never given to another model).
    from consumer_nlp.models import _registry

    real = _registry.move_into_place

    def moved_then_interrupted(moves, *, force):
        real(moves, force=force)
        raise KeyboardInterrupt

    monkeypatch.setattr(_registry, "move_into_place", moved_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        registry.save(small_model, "d")
    monkeypatch.undo()
    assert [v["version"] for v in registry.versions("d")] == [1]
    registry.delete("d@1")
    assert registry.save(small_model, "d") == 2


def test_delete_is_refused_while_an_alias_points_at_the_version(registry, small_model):
    registry.save(small_model, "m")
    registry.save(small_model, "m")
    registry.set_alias("m", 1, "production")
    with pytest.raises(ValueError, match="in use by alias"):
        registry.delete("m@1")
    registry.set_alias("m", 2, "production")
    registry.delete("m@1")
    assert [meta["version"] for meta in registry.versions("m")] == [2]
    registry.delete_alias("m", "production")
    assert registry.aliases("m") == {}


def test_an_alias_of_a_model_the_registry_lacks_is_told_as_no_such_model(registry):
    # A helper's pass: `models unalias desk@production` with no model desk took the aliases' lock in desk's folder
    # first, and failed as a missing lock file (FileNotFoundError), told as 找不到文件.
    with pytest.raises(cn.ModelNotFoundError, match="desk"):
        registry.delete_alias("desk", "production")
    assert not (registry.root / "desk").exists()


def test_references_reach_the_registry_through_load(registry, small_model, default_model, monkeypatch):
    registry.save(small_model, "m")
    registry.save(default_model, "m")
    registry.set_alias("m", 1, "production")
    monkeypatch.setenv("CONSUMER_NLP_HOME", str(registry.root))
    texts = ["漏水", "信用卡被盗刷", "秤不准"]
    np.testing.assert_array_equal(cn.load("m@production").predict_proba(texts), small_model.predict_proba(texts))
    np.testing.assert_array_equal(cn.load("m").predict_proba(texts), default_model.predict_proba(texts))  # latest
    with pytest.raises(KeyError, match="no alias 'staging'"):
        cn.load("m@staging")


@pytest.fixture(scope="module")
def unseen_pairs(repo_root, small_corpus):
    """Labeled texts of the corpus that small_model was not fitted on (the two models disagree on some)."""
    fitted = set(small_corpus[0])
    with open(repo_root / "data" / "complaints.csv", encoding="utf-8", newline="") as f:
        rows = [(row["text"], row["label"]) for row in csv.DictReader(f) if row["text"] not in fitted]
    return rows[::150][:60]


def test_compare_refuses_one_model_named_twice(registry, small_model, unseen_pairs):
    # registry.compare("m@1", "m@1", …) gave one column, the second model keyed by the same name replacing the
    # first, and no disagreements: a comparison that compared nothing (the command line refused it; the library not).
    registry.save(small_model, "m")
    with pytest.raises(ValueError, match="ref_a and ref_b are both 'm@1'"):
        registry.compare("m@1", "m@1", unseen_pairs)


def test_compare_keeps_the_data_labels_beside_models_named_label_or_text(registry, small_model, unseen_pairs):
    # Models registered as "label" and "text" were keyed by those names in the rows that differ: their answers
    # replaced the desk's label and the texts, and neither model kept a column of its own.
    registry.save(small_model, "label")
    registry.save(cn.load(), "text")
    figures, disagreements = registry.compare("label", "text", unseen_pairs)
    assert list(figures.columns) == ["label@1", "text@1"]
    assert list(disagreements.columns) == ["where", "text", "label", "label@1", "text@1"]
    texts, labels = [t for t, _ in unseen_pairs], [label for _, label in unseen_pairs]
    first, second = small_model.predict(texts), cn.load().predict(texts)
    differ = [i for i in range(len(texts)) if first[i] != second[i]]
    assert differ and list(disagreements["text"]) == [texts[i] for i in differ]
    assert list(disagreements["label"]) == [labels[i] for i in differ]
    assert list(disagreements["label@1"]) == [first[i] for i in differ]
    with pytest.raises(ValueError, match="ref_a and ref_b are both 'label@1'"):  # one model, named alike
        registry.compare("label", "label@1", unseen_pairs)


def test_compare_shows_figures_side_by_side_and_disagreements(registry, small_model, unseen_pairs):
    registry.save(small_model, "m")
    registry.save(cn.load(), "m")
    pairs = unseen_pairs
    figures, disagreements = registry.compare("m@1", "m@2", pairs)
    assert list(figures.columns) == ["m@1", "m@2"] and "macro-F1" in figures.index and "F1 质量问题" in figures.index
    assert set(disagreements.columns) == {"where", "text", "label", "m@1", "m@2"}
    texts, labels = [t for t, _ in pairs], [label for _, label in pairs]
    first, second = small_model.predict(texts), cn.load().predict(texts)
    differ = [i for i in range(len(texts)) if first[i] != second[i]]
    assert differ and list(disagreements["where"]) == [f"row {i + 1}" for i in differ]
    assert list(disagreements["m@1"]) == [first[i] for i in differ]
    assert list(disagreements["m@2"]) == [second[i] for i in differ]
    assert figures.loc["accuracy", "m@1"] == pytest.approx(sum(f == y for f, y in zip(first, labels)) / len(texts))
    assert figures.loc["accuracy", "m@2"] == pytest.approx(sum(s == y for s, y in zip(second, labels)) / len(texts))


def _set_aliases(root, worker, barrier):
    registry = ModelRegistry(root)
    barrier.wait()
    for i in range(20):
        registry.set_alias("shared", 1, f"w{worker}-{i}")


def test_concurrent_alias_updates_lose_nothing(registry, small_model):
    registry.save(small_model, "shared")
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(8)
    workers = [context.Process(target=_set_aliases, args=(str(registry.root), w, barrier)) for w in range(8)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert len(registry.aliases("shared")) == 160


def test_aliases_and_metadata_that_lead_elsewhere_are_refused(registry, small_model, tmp_path):
    registry.save(small_model, "m")
    registry.save(small_model, "m")
    registry.set_alias("m", 2, "production")
    registry.delete_alias("m", "production")
    aliases = registry.root / "m" / "aliases.json"
    aliases.write_text(json.dumps({"production": 7}), "utf-8")  # a version deleted by hand
    with pytest.raises(KeyError, match="points at version 7, which does not exist"):
        registry.load("m@production")
    aliases.write_text(json.dumps({"production": "../../x"}), "utf-8")
    with pytest.raises(IntegrityError, match="not a table of aliases"):
        registry.load("m@production")
    aliases.unlink()
    outside = cn.save_model(small_model, tmp_path / "outside.cnlp")
    meta_path = registry.root / "m" / "1" / "metadata.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    meta["artifact"]["file"] = str(outside)
    meta_path.write_text(json.dumps(meta), "utf-8")
    with pytest.raises(IntegrityError, match="names the artifact"):
        registry.load("m@1")


def test_a_file_in_the_working_folder_does_not_stand_in_for_a_registry_model(registry, small_model, tmp_path,
                                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    cn.save_model(small_model, tmp_path / "m.cnlp").rename(tmp_path / "complaints")  # named like a registry model
    with pytest.raises(KeyError, match=r"give it as \./complaints"):
        cn.load("complaints", registry=registry.root)
    np.testing.assert_array_equal(cn.load("./complaints").predict_proba(["漏水"]), small_model.predict_proba(["漏水"]))


def test_a_path_object_is_always_a_file_never_a_registry_name(registry, small_model, tmp_path, monkeypatch):
    # load(Path("./complaints")), the advice above followed with pathlib, went to the registry: a Path drops its "./"
    # (str(Path("./complaints")) == "complaints"), and was met with the same advice again.
    monkeypatch.chdir(tmp_path)
    cn.save_model(small_model, tmp_path / "m.cnlp").rename(tmp_path / "complaints")
    loaded = cn.load(Path("./complaints"), registry=registry.root)
    np.testing.assert_array_equal(loaded.predict_proba(["漏水"]), small_model.predict_proba(["漏水"]))
    with pytest.raises(FileNotFoundError, match="no model file"):
        cn.load(Path("missing"), registry=registry.root)


def _legacy_version(registry, data_dir, name="old"):
    """A registry version as consumer_nlp 0.1 stored it: model.skops and its checksum."""
    import hashlib
    import shutil

    folder = registry.root / name / "1"
    folder.mkdir(parents=True)
    shutil.copy(data_dir / "model_0.1.skops", folder / "model.skops")
    digest = hashlib.sha256((folder / "model.skops").read_bytes()).hexdigest()
    (folder / "metadata.json").write_text(json.dumps({"name": name, "version": 1, "artifact": {
        "file": "model.skops", "sha256": digest, "bytes": (folder / "model.skops").stat().st_size}}), "utf-8")
    return folder


def test_a_version_stored_by_0_1_says_how_to_convert_and_converts_in_place(registry, data_dir, matches_0_1):
    folder = _legacy_version(registry, data_dir)
    with pytest.raises(IncompatibleModelError, match=r"old@1 is stored in the format of an earlier release"):
        registry.load("old")
    pytest.importorskip("skops")
    if not sklearn.__version__.startswith("1.9."):
        pytest.skip("the 0.1 fixture converts only under the scikit-learn it was saved with (1.9)")
    assert registry.convert_legacy() == ["old@1"]
    matches_0_1(registry.load("old"), atol=1e-12)
    meta = registry.info("old")
    assert meta["artifact"]["file"] == "model.cnlp" and meta["converted_from"]["file"] == "model.skops"
    assert (folder / "model.skops").is_file()  # the old file is kept
    assert registry.convert_legacy() == []


def test_an_alias_never_lands_on_a_version_deleted_while_it_moves(registry, small_model, monkeypatch):
    # set_alias checked the version before taking the aliases' lock: a delete in between (which found no
    # alias on it) left the alias pointing at a version that no longer existed.
    import threading

    registry.save(small_model, "complaints")
    resolve, deleting, refused = registry.resolve, [], []

    def delete():
        try:
            registry.delete("complaints@1")
        except ValueError as error:
            refused.append(error)

    def resolve_then_race(ref):
        found = resolve(ref)
        if not deleting:  # another process deletes the version just after this check
            deleting.append(threading.Thread(target=delete))
            deleting[0].start()
            deleting[0].join(timeout=1.0)
        return found

    monkeypatch.setattr(registry, "resolve", resolve_then_race)
    try:
        registry.set_alias("complaints", 1, "production")
    except cn.ModelNotFoundError:
        pass  # the delete came first and the alias was refused: also consistent
    deleting[0].join()
    monkeypatch.undo()
    aliases = registry.aliases("complaints")
    if "production" in aliases:
        assert registry.load("complaints@production") is not None and refused


@pytest.mark.parametrize("damaged", ["aliases.json", "1/metadata.json"])
def test_a_damaged_registry_file_is_named_in_the_error(registry, small_model, damaged):
    # An empty or cut aliases.json or metadata.json gave "Expecting value: line 1 column 1 (char 0)".
    registry.save(small_model, "complaints")
    registry.set_alias("complaints", 1, "production")
    (registry.root / "complaints" / damaged).write_text("", encoding="utf-8")
    with pytest.raises(IntegrityError, match=r"complaints.*" + damaged.replace("1/", r"1.") + ".*damaged"):
        registry.load("complaints@production" if damaged == "aliases.json" else "complaints@1")


def test_a_version_written_with_other_digits_is_a_clear_error(tmp_path, small_model):
    # "m@²" passed str.isdigit and ended in a bare int() ValueError.
    registry = ModelRegistry(tmp_path / "r")
    registry.save(small_model, "m")
    with pytest.raises(ValueError, match="alias"):
        registry.resolve("m@²")


def test_default_is_not_a_registry_name(tmp_path, small_model):
    # It was accepted, then `evaluate default` read the built-in model and `models compare` the registry's.
    with pytest.raises(ValueError, match="default"):
        ModelRegistry(tmp_path / "r").save(small_model, "default")


def test_a_deletion_names_its_version_and_two_at_once_say_it_is_gone(registry, small_model, monkeypatch):
    # delete("m") deleted the latest version, and a second try the one before. And two deletions of one version
    # at once looked it up before the aliases' lock: the second ended in a bare FileNotFoundError.
    from consumer_nlp.exceptions import ModelNotFoundError

    registry.save(small_model, "m"), registry.save(small_model, "m")
    with pytest.raises(ValueError, match=r"m@2 is the latest"):
        registry.delete("m")
    assert [v["version"] for v in registry.versions("m")] == [1, 2]
    other, looked_up = cn.ModelRegistry(registry.root), registry.resolve

    def found_then_deleted_by_another(ref):  # the other deletion comes between this one's lookup and its lock
        found = looked_up(ref)
        if (registry.root / "m" / "1").is_dir():
            other.delete("m@1")
        return found
    monkeypatch.setattr(registry, "resolve", found_then_deleted_by_another)
    with pytest.raises(ModelNotFoundError, match="has no version 1"):
        registry.delete("m@1")
    assert [v["version"] for v in registry.versions("m")] == [2]


def test_a_version_folder_without_its_metadata_is_named_never_skipped(registry, small_model):
    # It was skipped without a word: "shop" meant version 1, and deleting "shop" (the latest) then
    # deleted the good version 1 while the damaged 2 stayed behind, out of sight.
    registry.save(small_model, "shop"), registry.save(small_model, "shop")
    (registry.root / "shop" / "2" / "metadata.json").unlink()
    for act in (lambda: registry.resolve("shop"), lambda: registry.delete("shop"), lambda: registry.load("shop@2")):
        with pytest.raises(IntegrityError, match=r"shop.2.*metadata\.json"):
            act()
    assert registry.resolve("shop@1") == ("shop", 1) and (registry.root / "shop" / "1").is_dir()


def test_one_damaged_model_does_not_hide_the_others_from_the_list(registry, small_model):
    registry.save(small_model, "bank"), registry.save(small_model, "shop")
    (registry.root / "bank" / "aliases.json").write_text('{"production": 1', "utf-8")
    listed = registry.list().set_index("name")
    assert listed.loc["shop", "latest"] == 1 and listed.loc["shop", "problem"] == ""
    assert "aliases.json" in listed.loc["bank", "problem"]


def test_a_version_its_aliases_and_a_model_file_reach_the_disk_before_their_names(registry, small_model, tmp_path,
                                                                                disk_order):
    # Nothing was flushed (fsync) before a rename: after a power cut soon after a save, the rename could have
    # reached the disk and the bytes not, leaving a version with an empty metadata.json or model.cnlp.
    registry.save(small_model, "m")
    registry.set_alias("m", 1, "production")
    cn.save_model(small_model, tmp_path / "m.cnlp")
    version = disk_order.renamed_at(registry.root / "m" / "1")
    staged = [e[2] for e in disk_order.events[:version] if e[0] == "rename"]
    assert sorted(os.path.basename(path) for path in staged) == ["metadata.json", "model.cnlp"]
    for path in staged:  # each file of the version on the disk, and its name in the staging folder, first
        assert disk_order.landed(path) < version
    disk_order.landed(registry.root / "m" / "1")
    disk_order.landed(registry.root / "m" / "aliases.json")
    disk_order.landed(tmp_path / "m.cnlp")


def test_a_save_killed_long_ago_leaves_nothing_for_ever(registry, small_model):
    # A save ended by kill -9 left its hidden staging folder (a whole model) behind, never removed.
    import os
    import time

    registry.save(small_model, "m")
    stale, fresh = registry.root / "m" / ".saving.0badc0de", registry.root / "m" / ".saving.0000beef"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "model.cnlp").write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    registry.save(small_model, "m")
    assert not stale.exists() and fresh.exists()  # a save going on now is another process's: left alone


def test_a_damaged_version_leaves_the_others_usable(registry, small_model):
    # Found in review: with one version folder stripped of its metadata, versions() (the web 模型
    # page) and convert_legacy() failed for everything, and list() turned counts into floats.
    registry.save(small_model, "complaints"), registry.save(small_model, "complaints")
    registry.save(small_model, "other")
    (registry.root / "complaints" / "1" / "metadata.json").unlink()
    assert [v["version"] for v in registry.versions("complaints")] == [2]
    assert registry.convert_legacy() == []
    listed = registry.list().set_index("name")
    assert listed.loc["other", "latest"] == 1 and str(listed["latest"].dtype) == "Int64"
    assert "metadata.json" in listed.loc["complaints", "problem"]


def test_a_deletion_is_not_disturbed_by_a_save_sweeping_leftovers(registry, small_model, monkeypatch):
    # delete() renamed the version to its trash, which kept the version's old time stamp: a save in
    # another process swept it as a leftover, and delete() then failed on the missing trash.
    import os
    import time

    from consumer_nlp.models import _registry

    registry.save(small_model, "m"), registry.save(small_model, "m")
    long_ago = time.time() - 7200
    os.utime(registry.root / "m" / "1", (long_ago, long_ago))
    remove, swept = _registry.shutil.rmtree, []

    def save_meanwhile(path, *args, **kwargs):
        if not swept:
            swept.append(path)
            _registry._sweep_leftovers(registry.root / "m")  # what another process's save does
        return remove(path, *args, **kwargs)

    monkeypatch.setattr(_registry.shutil, "rmtree", save_meanwhile)
    assert registry.delete("m@1") == ("m", 1)


def test_tags_and_description_are_checked_before_a_version_is_claimed(registry, small_model):
    # A numpy number in tags failed as JSON after version 1 was claimed, so the next save became 2.
    import numpy as np

    with pytest.raises(TypeError, match=r"tags=.*'when' is a date"):
        registry.save(small_model, "desk", tags={"when": __import__("datetime").date(2025, 1, 1)})
    with pytest.raises(TypeError, match=r"description=.*text"):
        registry.save(small_model, "desk", description=3)
    assert registry.save(small_model, "desk", tags={"n": np.int64(3), "score": np.float32(0.5)}) == 1
    assert registry.info("desk")["tags"] == {"n": 3, "score": 0.5}


@pytest.mark.parametrize("content", ["[]", "null", "5", '"s"'])
def test_a_metadata_file_that_is_json_but_no_object_is_named_as_damaged(registry, small_model, content):
    registry.save(small_model, "desk")
    (registry.root / "desk" / "1" / "metadata.json").write_text(content, encoding="utf-8")
    with pytest.raises(IntegrityError, match=r"metadata\.json is damaged"):
        registry.load("desk")


def test_versions_and_references_of_the_wrong_type_are_refused(registry, small_model, tmp_path):
    # set_alias("desk", 1.9, …) and set_alias("desk", True, …) pointed at version 1; load(3) said
    # "no model named '3'"; a registry root that is a file was a raw NotADirectoryError.
    registry.save(small_model, "desk")
    for wrong in (1.9, True, "1"):
        with pytest.raises(TypeError, match="version must be a whole number"):
            registry.set_alias("desk", wrong, "production")
    registry.set_alias("desk", __import__("numpy").int64(1), "production")
    with pytest.raises(TypeError, match=r"load\(\) takes a model file path or a registry reference"):
        cn.load(3)
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="registry folder .*afile is a file"):
        ModelRegistry(tmp_path / "afile").save(small_model, "desk")


def test_numpy_parameters_are_stored_as_numbers_without_losing_a_version(registry, small_model, small_corpus):
    # A model fitted with random_state=np.int64(0) (fit takes numpy whole numbers) saved to a file
    # but failed in the registry, after claiming version 1: the metadata was JSON-encoded by hand.

    model = cn.ComplaintClassifier(cv=3, random_state=np.int64(7), C=np.float64(0.5)).fit(*small_corpus)
    assert registry.save(model, "numpy") == 1
    assert registry.info("numpy")["params"]["random_state"] == 7 and registry.info("numpy")["params"]["C"] == 0.5
    assert registry.save(small_model, "numpy") == 2


def test_the_metadata_records_the_parameters_the_model_was_fitted_with(registry, small_model):
    # set_params(C=…) after the fit was recorded as if the model had been fitted so.
    import copy

    from consumer_nlp.models._file import jsonable

    model = copy.deepcopy(small_model).set_params(C=0.01, min_df=5, random_state=99, clause_weight=0.0)
    registry.save(model, "desk")
    assert registry.info("desk")["params"] == jsonable({**small_model.get_params(), "clause_weight": 0.0})


def test_a_registry_folder_that_is_a_file_is_named_before_training_and_where_it_came_from(tmp_path, monkeypatch,
                                                                                           capsys):
    # With CONSUMER_NLP_HOME set to a file, `train --name` trained and cross-validated for a minute, then
    # said "give a folder (--registry …)"; under a file it was a bare "[Errno 20] Not a directory";
    # `models list` said there were no models.
    from consumer_nlp import _train
    from consumer_nlp.cli import main

    home = tmp_path / "home.txt"
    home.write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(_train, "train", lambda *a, **k: pytest.fail("trained before the registry was checked"))
    (tmp_path / "l.csv").write_text("text,label\n漏水,quality\n", encoding="utf-8")
    for home_path in (home, home / "sub"):
        monkeypatch.setenv("CONSUMER_NLP_HOME", str(home_path))
        for argv in (["train", str(tmp_path / "l.csv"), "--name", "desk"], ["models", "list"]):
            assert main(argv) == 2, argv
            err = capsys.readouterr().err
            assert "is a file" in err and "CONSUMER_NLP_HOME" in err and "Errno" not in err, (argv, err)
    with pytest.raises(ValueError, match="is a file; give a folder \\(registry=…\\)"):
        ModelRegistry(home).list()


def test_a_file_where_a_models_folder_goes_is_named_before_training(tmp_path, monkeypatch, capsys, small_model):
    # A file named like the model in the registry folder: `train --name desk` trained, then said
    # "[Errno 20] Not a directory: '…/desk/.claims'".
    from consumer_nlp import _train
    from consumer_nlp.cli import main

    (tmp_path / "reg").mkdir()
    (tmp_path / "reg" / "desk").write_text("x", encoding="utf-8")
    monkeypatch.setattr(_train, "train", lambda *a, **k: pytest.fail("trained before the registry was checked"))
    (tmp_path / "l.csv").write_text("text,label\n漏水,quality\n", encoding="utf-8")
    assert main(["train", str(tmp_path / "l.csv"), "--name", "desk", "--registry", str(tmp_path / "reg")]) == 2
    err = capsys.readouterr().err
    assert "desk is a file" in err and "Errno" not in err
    with pytest.raises(ValueError, match="desk is a file"):
        ModelRegistry(tmp_path / "reg").save(small_model, "desk")


def test_a_registry_file_nested_too_deep_is_named_as_damaged(tmp_path, small_model):
    # json.loads of [[[[…]]]] raised a bare RecursionError, and one such aliases.json broke `models list`
    # for every model; versions() raised on a damaged version it says it leaves out.
    registry = ModelRegistry(tmp_path)
    registry.save(small_model, "desk")
    registry.save(small_model, "desk")
    registry.save(small_model, "other")
    (tmp_path / "desk" / "aliases.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    listed = registry.list().set_index("name")
    assert "is damaged" in listed.loc["desk", "problem"] and listed.loc["other", "latest"] == 1
    (tmp_path / "desk" / "aliases.json").unlink()
    (tmp_path / "desk" / "1" / "metadata.json").write_text("{" * 100_000, encoding="utf-8")
    assert [v["version"] for v in registry.versions("desk")] == [2]


@pytest.mark.parametrize("moment", ["version check", "_read_json", "_sha256", "load_model"])
def test_a_version_deleted_while_it_loads_is_told_as_deleted(registry, small_model, monkeypatch, moment):
    # It was a bare FileNotFoundError, "no model file", or a damaged-registry message advising a restore.
    from consumer_nlp.models import _registry

    registry.save(small_model, "complaints")
    registry.save(small_model, "complaints")
    metadata = registry.root / "complaints" / "2" / _registry.METADATA
    deleted = []

    def delete_once():
        if not deleted:
            deleted.append(True)  # first: deleting looks at the version too
            registry.delete("complaints@2")

    if moment == "version check":  # between the look at its folder and the look at its metadata
        is_file = _registry.Path.is_file
        monkeypatch.setattr(_registry.Path, "is_file",
                            lambda path: (path != metadata or delete_once() or True) and is_file(path))
    else:
        original = getattr(_registry, moment)
        monkeypatch.setattr(_registry, moment, lambda *args: delete_once() or original(*args))
    with pytest.raises(cn.ModelNotFoundError, match=r"complaints@2 was deleted while it was being loaded; its versions "
                                                    r"now are \[1\]|has no version 2; it has \[1\]"):
        registry.load("complaints@2")
    assert deleted


def test_a_chinese_model_name_and_alias_are_a_desks_first_choice(registry, small_model):
    # They were refused ("invalid model name '热线'"): a Chinese desk names its model in Chinese.
    version = registry.save(small_model, "热线投诉")
    registry.set_alias("热线投诉", version, "生产")
    assert registry.resolve("热线投诉@生产") == registry.resolve("热线投诉＠生产") == ("热线投诉", version)
    assert list(registry.load("热线投诉@生产").predict(["秤不准"])) == list(small_model.predict(["秤不准"]))


def test_a_model_fitted_again_carries_no_figures_of_its_earlier_training(registry, default_model, small_corpus,
                                                                          tmp_path):
    # The default model fitted again on 240 texts kept its cross-validated figures and its training data's
    # fingerprint (11,775 rows), and the registry's card and the model file gave them as the new model's.
    texts, labels = small_corpus
    cn.save(default_model, tmp_path / "default.cnlp")
    refitted = cn.load(tmp_path / "default.cnlp").fit(texts, labels)
    registry.save(refitted, "refitted")
    card = registry.info("refitted")
    assert card["cv_metrics"] is None and card["training_data"] is None
    cn.save(refitted, tmp_path / "refitted.cnlp")
    assert cn.load(tmp_path / "refitted.cnlp").cv_metrics_ is None
    assert cn.train(list(zip(texts, labels)), cv=3).training_data_["rows"] == len(texts)  # train() still vouches


def test_a_version_card_names_the_version_it_is_stored_as(registry, small_model):
    # A version folder copied into another registry, or under another name or number (a colleague's model, a
    # backup put back), kept the name and number of its first place on its card: `models show 热线@1` said
    # complaints@2, and the web's 模型 page, which promotes the version its card names, would promote another.
    registry.save(small_model, "complaints")
    registry.save(small_model, "complaints")
    shutil.copytree(registry.root / "complaints" / "2", registry.root / "complaints" / "7")
    shutil.copytree(registry.root / "complaints" / "2", registry.root / "热线" / "1")
    assert (registry.info("complaints@7")["name"], registry.info("complaints@7")["version"]) == ("complaints", 7)
    card = registry.info("热线@1")
    assert (card["name"], card["version"], card["saved_as"]) == ("热线", 1, "complaints@2")
    assert [meta["version"] for meta in registry.versions("complaints")] == [1, 2, 7]
    assert "saved_as" not in registry.info("complaints@2")


as_root = pytest.mark.skipif(getattr(os, "geteuid", lambda: 1)() == 0, reason="root may write and read any folder")


@as_root
@pytest.mark.parametrize("unwritable, name, free", [("reg", "new", "desk"), ("reg/desk", "desk", "new")])
def test_a_registry_folder_without_the_right_to_write_is_named_before_training(tmp_path, monkeypatch, capsys,
                                                                                small_model, unwritable, name, free):
    # A registry shared read-only (a colleague's, a network folder): `train --name desk` trained and
    # cross-validated, then failed on "[Errno 13] Permission denied: '…/desk/.claims'", the training lost.
    from consumer_nlp import _train
    from consumer_nlp.cli import main

    registry = ModelRegistry(tmp_path / "reg")
    registry.save(small_model, "desk")
    (tmp_path / unwritable).chmod(0o555)
    monkeypatch.setattr(_train, "train", lambda *a, **k: pytest.fail("trained before the registry was checked"))
    (tmp_path / "l.csv").write_text("text,label\n漏水,quality\n", encoding="utf-8")
    try:
        assert main(["train", str(tmp_path / "l.csv"), "--name", name, "--registry", str(tmp_path / "reg")]) == 2
        err = capsys.readouterr().err
        assert "没有权限" in err and f"no right to write in {tmp_path / unwritable}" in err and "--registry" in err, err
        with pytest.raises(PermissionError, match="no right to write"):
            registry.save(small_model, name)
        registry.check_folder(free)  # a folder this user may write in is still free to use
        assert list(registry.load("desk@1").predict(["秤不准"])) == list(small_model.predict(["秤不准"]))
    finally:
        (tmp_path / unwritable).chmod(0o755)


@as_root
def test_a_model_folder_the_user_cannot_read_does_not_hide_the_others(registry, small_model):
    # A colleague's model saved under umask 077 in a shared registry: `models list` (and the web's 模型
    # page) failed on "[Errno 13] Permission denied" and listed no model at all.
    registry.save(small_model, "mine")
    registry.save(small_model, "theirs")
    (registry.root / "theirs").chmod(0o000)
    try:
        listed = registry.list()
    finally:
        (registry.root / "theirs").chmod(0o755)
    assert list(listed["name"]) == ["mine", "theirs"] and listed["latest"][0] == 1 and listed["latest"].isna()[1]
    assert "no right to read" in listed["problem"][1] and str(registry.root / "theirs") in listed["problem"][1]


def test_a_model_file_named_in_capitals_is_loaded_as_a_file(tmp_path, small_model, monkeypatch):
    # MINE.CNLP (a name Windows tools and old systems write in capitals) was taken for a registry name and
    # refused as "invalid model name 'MINE.CNLP'": the error named a registry, not the file given.
    cn.save(small_model, tmp_path / "mine.cnlp")
    (tmp_path / "mine.cnlp").rename(tmp_path / "MINE.CNLP")
    monkeypatch.chdir(tmp_path)
    assert cn.models.load_named("MINE.CNLP")[1] == "MINE.CNLP"
    assert list(cn.load("MINE.CNLP").predict(["秤不准"])) == list(small_model.predict(["秤不准"]))
    with pytest.raises(FileNotFoundError, match="no model file OLD.Cnlp"):
        cn.load("OLD.Cnlp")


@pytest.mark.parametrize("name", ["con", "nul", "aux", "prn", "com1", "lpt9", "con.2025", "desk.", "热线."])
def test_a_name_windows_cannot_hold_as_a_folder_is_refused(registry, small_model, name):
    # A registry is a folder to share and copy: on Windows a folder named con, nul or com1 cannot be made (it
    # is a device), and a name ending in "." is stored without it, so desk. and desk were one model's folder.
    with pytest.raises(ValueError, match=f"invalid model name {name!r}.*Windows"):
        registry.save(small_model, name)
    assert not registry.root.exists() or not any(registry.root.iterdir())


def test_a_version_whose_metadata_was_damaged_by_hand_is_named_by_the_list(registry, small_model, capsys):
    # A metadata.json cut short or mis-edited by hand was listed as a sound latest version, without a word: the desk
    # learned of it only when tagging with it failed (and the web's 模型 page left it out silently).
    from consumer_nlp.cli import main

    registry.save(small_model, "shop"), registry.save(small_model, "shop"), registry.save(small_model, "bank")
    (registry.root / "shop" / "2" / "metadata.json").write_text('{"name": "shop", "vers', "utf-8")
    listed = registry.list().set_index("name")
    assert str(registry.root / "shop" / "2" / "metadata.json") in listed.loc["shop", "problem"]
    assert listed.loc["bank", "latest"] == 1 and listed.loc["bank", "problem"] == ""
    assert main(["models", "list", "--registry", str(registry.root)]) == 0
    assert "模型 shop 无法使用" in capsys.readouterr().err


@pytest.mark.parametrize("field, value", [("cv_metrics", ["high"]), ("cv_metrics", {"macro_f1": "0.9"}),
                                          ("description", 5), ("created_at", None), ("tags", "bank")])
def test_metadata_edited_by_hand_into_other_types_is_named_as_damaged(registry, small_model, field, value):
    # Valid JSON of other types (a list where the figures go, a figure written as text) was passed on as it was: the
    # web's 模型 page failed on it with AttributeError or TypeError, for every version of the model.
    registry.save(small_model, "complaints"), registry.save(small_model, "complaints")
    path = registry.root / "complaints" / "1" / "metadata.json"
    path.write_text(json.dumps({**json.loads(path.read_text("utf-8")), field: value}), "utf-8")
    with pytest.raises(IntegrityError, match=rf"metadata\.json is damaged .*{field}"):
        registry.info("complaints@1")
    assert [v["version"] for v in registry.versions("complaints")] == [2]
    assert "metadata.json" in registry.list().set_index("name").loc["complaints", "problem"]
    assert registry.info("complaints@2")["version"] == 2


def test_an_alias_left_on_a_version_deleted_by_hand_never_lands_on_a_new_save(registry, small_model):
    # With the version folder deleted by hand and the hidden .claims folder gone too (the registry copied with
    # `cp -r desk/*`, or tidied), the next save took the deleted version's number, and the alias left on it moved
    # silently onto the new model: tagging with desk@production used a model nobody had promoted.
    registry.save(small_model, "desk"), registry.save(small_model, "desk")
    registry.set_alias("desk", 2, "production")
    shutil.rmtree(registry.root / "desk" / "2"), shutil.rmtree(registry.root / "desk" / ".claims")
    assert registry.save(small_model, "desk", description="new") == 3
    with pytest.raises(cn.ModelNotFoundError, match="points at version 2, which does not exist"):
        registry.load("desk@production")
