"""Saving and loading fitted models with skops, which rebuilds only types it is told to trust."""
import os
import re
import warnings
import zipfile
from importlib import resources
from pathlib import Path

import sklearn
import skops.io as sio
from sklearn.exceptions import InconsistentVersionWarning

from ._classifier import ComplaintClassifier

DEFAULT_MODEL = "default_model.skops"

# The types of a ComplaintClassifier that skops does not trust by default (its public
# scikit-learn estimators and numpy types it trusts). A file holding anything else is refused.
TRUSTED_TYPES = [
    "consumer_nlp._classifier.ComplaintClassifier",
    "consumer_nlp._features.ComplaintVectorizer",
    "consumer_nlp._tokenize.Tokenizer",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._TemperatureScaling",
    "sklearn.model_selection._split.StratifiedKFold",
]


class UntrustedModelError(ValueError):
    """The model file holds types that a ComplaintClassifier is not made of; it was not loaded."""


def save_model(model: ComplaintClassifier, path) -> Path:
    """Write ``model`` to ``path`` in skops format."""
    path = Path(path)
    sio.dump(model, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    return path


class IncompatibleModelError(ValueError):
    """The model was saved by a scikit-learn version this one cannot safely load."""


def _minor(version: str) -> tuple:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2])


def load_model(path) -> ComplaintClassifier:
    """Read a model written by :func:`save_model`, refusing files that hold any other type, and
    models saved by another minor version of scikit-learn (a patch release is fine)."""
    if not zipfile.is_zipfile(path):
        raise UntrustedModelError(f"{path} is not a consumer_nlp model file (a model is a .skops file written by "
                                  f"`consumer-nlp train` or save_model)")
    untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    if untrusted:
        raise UntrustedModelError(f"{path} holds types a consumer_nlp model never contains, "
                                  f"so it was not loaded: {', '.join(sorted(untrusted))}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = sio.load(path, trusted=TRUSTED_TYPES)
        except Exception as error:
            raise IncompatibleModelError(f"{path} could not be loaded with scikit-learn {sklearn.__version__} "
                                         f"({type(error).__name__}: {error})") from error
    for warning in caught:
        if issubclass(warning.category, InconsistentVersionWarning):
            saved = warning.message.original_sklearn_version
            if _minor(saved) != _minor(sklearn.__version__):
                raise IncompatibleModelError(
                    f"{path} was saved with scikit-learn {saved}; this is scikit-learn {sklearn.__version__}. "
                    f"Install scikit-learn {'.'.join(map(str, _minor(saved)))}.x or retrain the model")
    if not isinstance(model, ComplaintClassifier):
        raise UntrustedModelError(f"{path} does not hold a ComplaintClassifier")
    problems = structure_problems(model)
    if problems:
        raise UntrustedModelError(f"{path} holds a model that fit() cannot have made, so it was not loaded: "
                                  f"{'; '.join(problems)}")
    return model


def _word(entry) -> bool:
    """A stop word is a word; a user word is (word, frequency or None)."""
    return isinstance(entry, str) or (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)
                                      and (entry[1] is None or isinstance(entry[1], int)))


def structure_problems(model: ComplaintClassifier) -> list[str]:
    """How a loaded model's parts differ from what ``fit`` builds. Trusted types alone are not
    enough: a text vectorizer with ``input="filename"`` would open every text as a file path."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from ._features import _TOKEN_PATTERN, ComplaintVectorizer
    from ._tokenize import BACKENDS, Tokenizer

    problems = []
    vectorizer = getattr(model, "vectorizer_", None)
    if type(vectorizer) is not ComplaintVectorizer:
        return [f"vectorizer_ is a {type(vectorizer).__name__}"]
    tokenizer = getattr(vectorizer, "tokenizer_", None)
    if type(tokenizer) is not Tokenizer or tokenizer.backend not in BACKENDS or not all(
            map(_word, (*tokenizer.user_words, *tokenizer.stop_words))):
        problems.append("its tokenizer is not a Tokenizer of a known backend with word lists")
    expected = {"word_vectorizer_": {"token_pattern": _TOKEN_PATTERN, "ngram_range": vectorizer.word_ngram_range}}
    if vectorizer.char_ngram_range is not None:
        expected["char_vectorizer_"] = {"analyzer": "char", "ngram_range": vectorizer.char_ngram_range}
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


def default_model_path() -> Path:
    """The built-in model shipped inside the package."""
    return Path(str(resources.files("consumer_nlp.resources").joinpath(DEFAULT_MODEL)))


def load(name=None, *, registry=None) -> ComplaintClassifier:
    """Load a model: the built-in default with no argument (or "default"); a ``.skops`` file; or a
    registry reference ``"name"``, ``"name@3"``, ``"name@production"`` in the registry at
    ``registry`` (default: ``$CONSUMER_NLP_HOME`` or a per-user folder; see :class:`ModelRegistry`)."""
    if name is None or name == "default":
        return load_model(default_model_path())
    text = str(name)
    if Path(text).suffix == ".skops" or "/" in text or os.sep in text:  # a path, never a registry name
        return load_model(name)
    from ._registry import ModelRegistry

    try:
        return ModelRegistry(registry).load(text)
    except KeyError as missing:
        if Path(text).is_file():  # a file here of that name does not silently stand in for a registry model
            raise KeyError(f"{missing.args[0]}; a file {text!r} is in this folder: give it as ./{text} to load "
                           f"it") from None
        raise
