"""Tag a Dask DataFrame partition by partition, on one machine or on a cluster.

    from dask.distributed import Client
    import dask.dataframe as dd
    from consumer_nlp.dask import tag_dataframe

    client = Client("tcp://scheduler:8786")          # or Client(LocalCluster()) on one machine
    complaints = dd.read_parquet("s3://bucket/complaints/")
    tag_dataframe(complaints, text_col="text").to_parquet("s3://bucket/tagged/")

Needs the optional extra: ``pip install "consumer_nlp[dask]"``.
"""
import hashlib
import io

import dask
import pandas as pd

from .tagging import TAG_COLUMNS, tag_frame
from ._classifier import ComplaintClassifier
from .models import load, load_model
from .models._file import write_model

__all__ = ["tag_dataframe"]


_loaded: dict = {}  # on each worker: the models read last, by the sha256 of their file, latest used last
KEPT_MODELS = 4  # enough for a graph that compares a few models, partition by partition


def _tag_partition(frame: pd.DataFrame, model_file: bytes, text_col: str) -> pd.DataFrame:
    digest = hashlib.sha256(model_file).hexdigest()
    model = _loaded.pop(digest, None) or load_model(io.BytesIO(model_file))
    _loaded[digest] = model
    while len(_loaded) > KEPT_MODELS:
        del _loaded[next(iter(_loaded))]
    return tag_frame(model, frame, text_col)


def tag_dataframe(ddf, text_col: str = "text", model=None):
    """``ddf`` with the tag columns added (category, category_zh, confidence, needs_review,
    review_reason, top_terms), computed partition by partition with the same tags as local
    tagging. ``model``: a ComplaintClassifier, a model file or registry reference, or None for
    the built-in model. The model travels to each worker once, as the bytes of its model file
    (one piece of the task graph), so workers need no pickle of it and may run other versions
    of scikit-learn, numpy or scipy than the client."""
    if text_col not in ddf.columns:
        raise ValueError(f"no column {text_col!r}; the columns are {list(ddf.columns)}")
    if not isinstance(model, ComplaintClassifier):
        model = load(model)
    meta = ddf._meta.assign(**{column: pd.Series(dtype=kind) for column, kind in TAG_COLUMNS.items()})
    model_file = io.BytesIO()
    write_model(model, model_file)
    shipped = dask.delayed(model_file.getvalue(), pure=True)
    return ddf.map_partitions(_tag_partition, shipped, text_col, meta=meta)
