"""Tag a Dask DataFrame partition by partition, on one machine or on a cluster.

    from dask.distributed import Client
    import dask.dataframe as dd
    from consumer_nlp.dask import tag_dataframe

    client = Client("tcp://scheduler:8786")          # or Client(LocalCluster()) on one machine
    complaints = dd.read_parquet("s3://bucket/complaints/")
    tag_dataframe(complaints).to_parquet("s3://bucket/tagged/")   # text column by its name, or text_col="…"

Needs the optional extra: ``pip install ".[dask]"`` in the folder of this package's source, as the README says.
"""
import hashlib
import io
import threading

import dask
import dask.dataframe as dd
import pandas as pd

from .tagging import TAG_COLUMNS, check_text_bytes, check_untagged, tag_frame
from ._classifier import ComplaintClassifier, check_model
from .io import find_text_column
from .models import load, load_model
from .models._file import write_model

__all__ = ["tag_dataframe"]


_loaded: dict = {}  # on each worker: the models read last, by the sha256 of their file, latest used last
_loading = threading.Lock()  # one thread of a worker reads a model; the others wait and use it
KEPT_MODELS = 4  # enough for a graph that compares a few models, partition by partition
# Text tag columns as strings, not object: Dask fills an object column of its meta with placeholder
# objects, from which to_parquet cannot tell an Arrow type.
_DTYPES = {column: pd.StringDtype() if kind is object else kind for column, kind in TAG_COLUMNS.items()}


def _tag_partition(frame: pd.DataFrame, model_file: bytes, text_col: str) -> pd.DataFrame:
    if text_col not in frame.columns:  # a frame built with verify_meta=False holds what its parts hold
        raise ValueError(f"a partition has no column {text_col!r} (its columns: {list(frame.columns)}), though the "
                         f"Dask DataFrame's meta promises one: its partitions differ in columns")
    check_text_bytes(frame[text_col], frame.index.tolist(), text_col, by_index=True)  # as tag_file names rows
    digest = hashlib.sha256(model_file).hexdigest()
    with _loading:
        model = _loaded.pop(digest, None) or load_model(io.BytesIO(model_file))
        _loaded[digest] = model
        while len(_loaded) > KEPT_MODELS:
            del _loaded[next(iter(_loaded))]
    return tag_frame(model, frame, text_col).astype(_DTYPES)


def tag_dataframe(ddf, text_col: str | None = None, model=None):
    """``ddf`` with the tag columns added (category, category_zh, confidence, needs_review,
    review_reason, top_terms), computed partition by partition with the same tags as local
    tagging. ``text_col``: the column of texts; when not given, found as :func:`~consumer_nlp.tagging.tag_file`
    finds it (text, 投诉内容, content and the other known names). ``model``: a ComplaintClassifier, a model file or
    registry reference, or None for the built-in model. The model travels to each worker once, as the bytes of its
    model file (one piece of the task graph), so workers need no pickle of it and may run other versions of
    scikit-learn, numpy or scipy than the client. Bytes in the text column that are not UTF-8 are refused by their
    index labels; but ``dd.from_pandas`` with Dask's ``dataframe.convert-string`` on (its default) decodes a column
    of bytes itself, failing with a UnicodeDecodeError that names no row: build such a frame within
    ``dask.config.set({"dataframe.convert-string": False})``, or decode the texts first."""
    if not isinstance(ddf, dd.DataFrame):
        kind = "Dask Series" if isinstance(ddf, dd.Series) else f"{type(ddf).__module__.split('.')[0]}.{type(ddf).__name__}"
        raise TypeError(f"ddf must be a Dask DataFrame, got a {kind}; make one with dd.from_pandas(frame, npartitions=…)")
    columns = list(ddf.columns)
    # The column asked for by its own name (0 beside "0" is 0), else as find_text_column finds it among the names as
    # text; a column named by a number keeps its number.
    same = [c for c in columns if text_col is not None and c == text_col and str(c) == str(text_col)]
    if not same:
        found = find_text_column(columns, text_col)
        same = [c for c in columns if str(c) == found]
    if len(same) > 1:
        raise ValueError(f"{len(same)} columns named {same[0]!r}: rename all but one")
    text_col = same[0]
    check_untagged(columns)
    if ddf.index.name in TAG_COLUMNS:  # written beside the tag column of its name, it fails once all is tagged
        raise ValueError(f"the index is named {ddf.index.name!r}, like a tag column: rename it first "
                         f"(ddf.rename_axis(\"…\")) or drop it (ddf.reset_index(drop=True))")
    model = check_model(model if isinstance(model, ComplaintClassifier) else load(model))
    meta = ddf._meta.assign(**{column: pd.Series(dtype=kind) for column, kind in _DTYPES.items()})
    model_file = io.BytesIO()
    try:
        write_model(model, model_file)
    except TypeError as error:
        raise TypeError(f"the model is sent to the workers as a model file, which holds text labels only ({error})") \
            from None
    shipped = dask.delayed(model_file.getvalue(), pure=True)
    return ddf.map_partitions(_tag_partition, shipped, text_col, meta=meta)
