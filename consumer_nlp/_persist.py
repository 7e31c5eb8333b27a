"""Saving and loading fitted models with skops, which rebuilds only types it is told to trust."""
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
    return model


def default_model_path() -> Path:
    """The built-in model shipped inside the package."""
    return Path(str(resources.files("consumer_nlp.resources").joinpath(DEFAULT_MODEL)))


def load(name=None, *, registry=None) -> ComplaintClassifier:
    """Load a model: the built-in default with no argument (or "default"); a ``.skops`` file; or a
    registry reference ``"name"``, ``"name@3"``, ``"name@production"`` in the registry at
    ``registry`` (default: ``$CONSUMER_NLP_HOME`` or a per-user folder; see :class:`ModelRegistry`)."""
    if name is None or name == "default":
        return load_model(default_model_path())
    if Path(name).suffix == ".skops" or Path(name).is_file():
        return load_model(name)
    from ._registry import ModelRegistry

    return ModelRegistry(registry).load(str(name))
