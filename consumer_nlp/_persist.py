"""Saving and loading fitted models with skops, which rebuilds only types it is told to trust."""
import warnings
from importlib import resources
from pathlib import Path

import skops.io as sio

from ._classifier import ComplaintClassifier

DEFAULT_MODEL = "default_model.skops"

# Every type a ComplaintClassifier is made of. A file holding anything else is refused unread.
TRUSTED_TYPES = [
    "consumer_nlp._classifier.ComplaintClassifier",
    "consumer_nlp._features.ComplaintVectorizer",
    "consumer_nlp._tokenize.Tokenizer",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.svm._classes.LinearSVC",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "builtins.slice",
]


class UntrustedModelError(ValueError):
    """The model file holds types that a ComplaintClassifier is not made of; it was not loaded."""


def save_model(model: ComplaintClassifier, path) -> Path:
    """Write ``model`` to ``path`` in skops format."""
    path = Path(path)
    sio.dump(model, path)
    return path


def load_model(path) -> ComplaintClassifier:
    """Read a model written by :func:`save_model`, refusing files that hold any other type."""
    untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    if untrusted:
        raise UntrustedModelError(f"{path} holds types a consumer_nlp model never contains, "
                                  f"so it was not loaded: {', '.join(sorted(untrusted))}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skops notes on its own format, not the user's concern
        model = sio.load(path, trusted=TRUSTED_TYPES)
    if not isinstance(model, ComplaintClassifier):
        raise UntrustedModelError(f"{path} does not hold a ComplaintClassifier")
    return model


def default_model_path() -> Path:
    """The built-in model shipped inside the package."""
    return Path(str(resources.files("consumer_nlp.resources").joinpath(DEFAULT_MODEL)))


def load(name=None) -> ComplaintClassifier:
    """Load a model: the built-in default with no argument, else a ``.skops`` file path."""
    return load_model(default_model_path() if name is None else name)
