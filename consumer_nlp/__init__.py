"""consumer_nlp: tag Chinese consumer complaints with their category (质量问题, 价格/计量, …).

    >>> import consumer_nlp as cn
    >>> model = cn.load()
    >>> model.tag(["秤不准，少了二两"])[0]["category_zh"]
    '价格/计量'
"""
from ._categories import CATEGORIES
from ._classifier import ComplaintClassifier
from ._data import LabeledDataError, read_labeled
from ._persist import load, save_model
from ._registry import ModelRegistry
from ._report import report_archive
from ._train import train

__version__ = "0.1.0"
__all__ = ["CATEGORIES", "ComplaintClassifier", "LabeledDataError", "ModelRegistry", "load", "read_labeled",
           "report_archive", "save_model", "train", "__version__"]
