"""consumer_nlp: tag Chinese consumer complaints with their category (质量问题, 价格/计量, …).

    >>> import consumer_nlp as cn
    >>> model = cn.load()
    >>> model.tag(["秤不准，少了二两"])[0]["category_zh"]
    '价格/计量'

Names are imported when first used, so ``import consumer_nlp`` costs only what a call needs.
"""
import importlib

from ._version import __version__

# public name -> the module that defines it
_HOMES = {
    "CATEGORIES": "._categories",
    "ComplaintClassifier": "._classifier",
    "LabeledDataError": ".exceptions",
    "read_labeled": ".io",
    "ModelRegistry": ".models",
    "load": ".models",
    "save_model": ".models",
    "report_archive": ".report",
    "train": "._train",
}
__all__ = [*sorted(_HOMES), "__version__"]


def __getattr__(name: str):
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
