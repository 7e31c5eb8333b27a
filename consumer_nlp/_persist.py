"""Saving and loading fitted models with skops, which rebuilds only types it is told to trust."""
import warnings
import zipfile
from importlib import resources
from pathlib import Path

import skops.io as sio

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
