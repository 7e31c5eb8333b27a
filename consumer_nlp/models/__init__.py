"""Fitted models at rest: the model file, the built-in default model and the registry."""
import os
from importlib import resources
from pathlib import Path

from .._classifier import ComplaintClassifier
from .._values import MODEL_SUFFIX, MODEL_SUFFIXES, PathLike
from ..exceptions import ModelNotFoundError
from ._file import check_model_path, load_model, save_model

save = save_model
from ._registry import ModelRegistry, check_alias, check_model_name, split_ref
from ._skops import convert_model

DEFAULT_MODEL = "default_model" + MODEL_SUFFIX

__all__ = ["ModelRegistry", "check_alias", "check_model_name", "check_model_path", "convert_model",
           "default_model_path", "load", "load_model", "load_named", "save", "save_model", "split_ref"]


def default_model_path() -> Path:
    """The built-in model shipped inside the package."""
    return Path(str(resources.files("consumer_nlp.resources").joinpath(DEFAULT_MODEL)))


def load(name: PathLike | None = None, *, registry: PathLike | None = None) -> ComplaintClassifier:
    """Load a model: the built-in default with no argument (or "default"); a model file
    (``*.cnlp``, any path with a folder in it, or a ``pathlib.Path``); or a registry reference ``"name"``,
    ``"name@3"``, ``"name@production"`` in the registry at ``registry`` (default:
    ``$CONSUMER_NLP_HOME`` or a per-user folder; see :class:`ModelRegistry`).

        >>> import consumer_nlp as cn
        >>> cn.load().predict(["信用卡没开卡就扣年费"])
        array(['financial'], dtype=object)
    """
    return load_named(name, registry=registry)[0]


def load_named(name: PathLike | None = None, *,
               registry: PathLike | None = None) -> tuple[ComplaintClassifier, str]:
    """:func:`load`, with a name of what was loaded that stays true: a registry reference as ``name@version`` (an
    alias, or a name alone, points at another version once moved or saved again), the built-in model as
    ``default``, a file as given; so that figures and reports can say which model they measured."""
    if name is None or name == "default":
        return load_model(default_model_path()), "default"
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"load() takes a model file path or a registry reference (name, name@3, name@alias), not "
                        f"{type(name).__name__} {name!r}")
    text = str(name)
    # a path, never a registry name: a Path object too, which drops the "./" that says so (Path("./m") is "m")
    if not isinstance(name, str) or Path(text).suffix.lower() in MODEL_SUFFIXES or "/" in text or os.sep in text:
        return load_model(name), text
    try:
        models = ModelRegistry(registry)
        exact = "{}@{}".format(*models.resolve(text))
        return models.load(exact), exact  # the version resolved, even if an alias moves meanwhile
    except ModelNotFoundError as missing:
        if Path(text).is_file():  # a file here of that name does not silently stand in for a registry model
            from ..io._archive import FORMATS

            if Path(text).suffix.lower() in FORMATS:  # the data, given where the model goes (arguments swapped)
                raise ModelNotFoundError(f"{missing}; a file {text!r} is in this folder, but it is data, not a model "
                                         f"file ({MODEL_SUFFIX}): is it given where the model goes?",
                                         data_file=text) from None
            raise ModelNotFoundError(f"{missing}; a file {text!r} is in this folder: give it as ./{text} to load "
                                     f"it") from None
        raise
