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
    "ComplaintClassifier": "._classifier",           # the estimator
    "load": ".models", "save": ".models",            # a model: the default, a file or a registry reference
    "ModelRegistry": ".models",                      # versions, aliases, metadata on disk
    "train": "._train", "read_labeled": ".io",       # learning from labeled files
    "evaluate": "._evaluate", "compare": "._evaluate",
    "tag_file": ".tagging",                          # tagging an archive, any format, any size
    "report_archive": ".report",                     # the work-summary report of a tagged archive
    "LabeledDataError": ".exceptions", "ModelNotFoundError": ".exceptions", "UntrustedModelError": ".exceptions",
    "IncompatibleModelError": ".exceptions", "IntegrityError": ".exceptions", "ArchiveError": ".exceptions",
    "ReviewWorkbookError": ".exceptions", "CheckpointError": ".exceptions", "InvalidNameError": ".exceptions",
    "save_model": ".models",                         # the 0.1 name of save
}
__all__ = [*_HOMES, "__version__"]


def __getattr__(name: str):
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
