"""Tag a Dask DataFrame partition by partition, on one machine or on a cluster.

    from dask.distributed import Client
    import dask.dataframe as dd
    from consumer_nlp.dask import tag_dataframe

    client = Client("tcp://scheduler:8786")          # or Client(LocalCluster()) on one machine
    complaints = dd.read_parquet("s3://bucket/complaints/")
    tag_dataframe(complaints, text_col="text").to_parquet("s3://bucket/tagged/")

Needs the optional extra: ``pip install "consumer_nlp[dask]"``.
"""
import dask
import numpy as np
import pandas as pd

from ._batch import tag_frame
from ._classifier import ComplaintClassifier
from ._persist import load

__all__ = ["tag_dataframe"]


def _tag_partition(frame: pd.DataFrame, model: ComplaintClassifier, text_col: str) -> pd.DataFrame:
    return tag_frame(model, frame, text_col)


def tag_dataframe(ddf, text_col: str = "text", model=None):
    """``ddf`` with the tag columns added (category, category_zh, confidence, needs_review,
    review_reason, top_terms), computed partition by partition with the same tags as local
    tagging. ``model``: a ComplaintClassifier, a model file, or None for the built-in model.
    The model travels to each worker once, as one piece of the task graph."""
    if text_col not in ddf.columns:
        raise ValueError(f"no column {text_col!r}; the columns are {list(ddf.columns)}")
    if not isinstance(model, ComplaintClassifier):
        model = load(model)
    meta = ddf._meta.assign(
        category=pd.Series(dtype=object), category_zh=pd.Series(dtype=object),
        confidence=pd.Series(dtype=np.float64), needs_review=pd.Series(dtype=bool),
        review_reason=pd.Series(dtype=object), top_terms=pd.Series(dtype=object))
    shipped = dask.delayed(model, pure=True)
    return ddf.map_partitions(_tag_partition, shipped, text_col, meta=meta)
