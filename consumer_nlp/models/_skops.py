"""Converting the skops model files of consumer_nlp 0.1 into the model file of this release, once.

Only here is skops used (an optional dependency: ``pip install skops``), with the checks those
files were always loaded with: a fixed list of trusted types, the saving scikit-learn's minor
version, and parameters that only ``fit`` sets.
"""
import contextlib
import importlib
import re
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np

from .._classifier import ComplaintClassifier, one_row_per_class
from .._values import MODEL_SUFFIX, PathLike
from ..exceptions import IncompatibleModelError, UntrustedModelError
from ._file import DOCUMENT, check_model_path, save_model

# 0.1 named its types by the modules of its day; where a module has moved since, the old name is
# made to lead to the new one while a file is read.
MOVED_MODULES = {"consumer_nlp._features": "consumer_nlp.features._vectorize",
                 "consumer_nlp._tokenize": "consumer_nlp.features._tokenize"}
TRUSTED_TYPES = [
    "consumer_nlp._classifier.ComplaintClassifier",
    "consumer_nlp._features.ComplaintVectorizer",
    "consumer_nlp._tokenize.Tokenizer",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._TemperatureScaling",
    "sklearn.model_selection._split.StratifiedKFold",
]


def _minor(version: str) -> tuple:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2])


def _structure_problems(model) -> list[str]:
    """How a loaded 0.1 model's parts differ from what its ``fit`` built (a text vectorizer with
    ``input="filename"`` would open every text as a file path)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from ..features import ComplaintVectorizer

    vectorizer = getattr(model, "vectorizer_", None)
    if type(vectorizer) is not ComplaintVectorizer:
        return [f"vectorizer_ is a {type(vectorizer).__name__}"]
    problems = []
    expected = {"word_vectorizer_": vectorizer.word_settings()}
    if vectorizer.char_ngram_range is not None:
        expected["char_vectorizer_"] = vectorizer.char_settings()
    for name, settings in expected.items():
        part = getattr(vectorizer, name, None)
        if type(part) is not TfidfVectorizer:
            problems.append(f"{name} is a {type(part).__name__}")
            continue
        wanted = vectorizer._new_vectorizer(**settings).get_params()
        changed = sorted(k for k, v in part.get_params().items() if wanted.get(k) != v)
        if changed:
            problems.append(f"{name} has parameters no fit sets: " + ", ".join(f"{k}={part.get_params()[k]!r}"
                                                                             for k in changed))
    return problems


def _saved_with(path: Path) -> set:
    """The scikit-learn versions the objects of a skops file were saved with, from its schema."""
    import json
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, EOFError, RecursionError) as error:
        said = "no schema.json in it" if isinstance(error, KeyError) else f"{type(error).__name__}: {error}"
        raise UntrustedModelError(f"{path}: not a skops model file of consumer_nlp 0.1 ({said}); it was not "
                                  f"converted") from None
    found, nodes = set(), [schema]
    while nodes:
        node = nodes.pop()
        if isinstance(node, dict):
            version = node.get("_sklearn_version")
            if isinstance(version, dict) and isinstance(version.get("content"), str):
                found.add(version["content"].strip("\""))
            nodes.extend(node.values())
        elif isinstance(node, list):
            nodes.extend(node)
    return found


@contextlib.contextmanager
def _old_module_names():
    """The 0.1 module names of :data:`MOVED_MODULES` importable, for the time a file is read."""
    added = [old for old in MOVED_MODULES if old not in sys.modules]
    for old in added:
        sys.modules[old] = importlib.import_module(MOVED_MODULES[old])
    try:
        yield
    finally:
        for old in added:
            del sys.modules[old]


def _read_skops(path: Path):
    try:
        import skops.io as sio
    except ImportError:
        raise ImportError("converting a .skops model needs skops: pip install skops") from None
    import sklearn

    for saved in _saved_with(path):
        if _minor(saved) != _minor(sklearn.__version__):
            raise IncompatibleModelError(
                f"{path} was saved with scikit-learn {saved}; this is scikit-learn {sklearn.__version__}. "
                f"Convert it where scikit-learn {'.'.join(map(str, _minor(saved)))}.x is installed")
    untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    if untrusted:
        raise UntrustedModelError(f"{path} holds types a consumer_nlp model never contains, so it was not "
                                  f"converted: {', '.join(sorted(untrusted))}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the version check above is the one that matters
        try:
            with _old_module_names():
                model = sio.load(path, trusted=TRUSTED_TYPES)
        except Exception as error:
            raise IncompatibleModelError(f"{path} could not be read with scikit-learn {sklearn.__version__} "
                                         f"({type(error).__name__}: {error})") from error
    if not isinstance(model, ComplaintClassifier) or not hasattr(model, "calibrated_svm_"):
        raise UntrustedModelError(f"{path} does not hold a fitted ComplaintClassifier")
    problems = _structure_problems(model)
    if problems:
        raise UntrustedModelError(f"{path} holds a model that fit() cannot have made, so it was not converted: "
                                  f"{'; '.join(problems)}")
    return model


def _is_current(path: Path) -> bool:
    """Whether ``path`` is a zip holding a model file's document, as this release writes it."""
    try:
        with zipfile.ZipFile(path) as archive:
            return DOCUMENT in archive.namelist()
    except (OSError, zipfile.BadZipFile):  # not there, a folder, not a zip: the reading below says which
        return False


def convert_model(source: PathLike, destination: PathLike | None = None) -> Path:
    """Write the 0.1 skops model file ``source`` as a model file (default: beside it, ending in
    ``.cnlp``); the source is left as it is, and an existing destination is never replaced."""
    source = Path(source)
    if _is_current(source):  # its default destination is itself, and skops cannot read it
        raise IncompatibleModelError(f"{source} is a model file of this release: it needs no conversion; load it as "
                                     f"it is", "current")
    destination = Path(destination) if destination is not None else source.with_suffix(MODEL_SUFFIX)
    if destination.exists():
        raise FileExistsError(f"{destination} exists already; it was not replaced (give another destination)")
    check_model_path(destination, force=True, inputs=[source])  # its name and folder, before the slow read
    model = _read_skops(source)
    calibrated = model.calibrated_svm_.calibrated_classifiers_[0]
    coef, intercept = one_row_per_class(calibrated.estimator.coef_, calibrated.estimator.intercept_)
    model.coef_, model.intercept_ = np.asarray(coef, dtype=np.float64), np.asarray(intercept, dtype=np.float64)
    model.temperature_ = float(1.0 / calibrated.calibrators[0].beta_)
    del model.calibrated_svm_
    model.clause_weight = 0.0  # 0.1 models decided on the whole text
    return save_model(model, destination, force=False)  # a file that appeared while the old one was read stays
