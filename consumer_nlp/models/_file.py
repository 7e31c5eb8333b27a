"""The model file: a zip of one JSON document and plain ``.npy`` arrays, nothing that can run code.

A fitted :class:`ComplaintClassifier` is a handful of settings and arrays; the file holds exactly
those, so it loads under any scikit-learn, numpy and scipy the package accepts::

    model.json        format, format_version and the release that wrote it, params, classes, temperature,
                      review_threshold, tokenizer (backend, user_words, stop_words), metadata, and for each array
                      its dtype, shape and sha256
    coef.npy          (n_classes, n_features) float64 weights    intercept.npy  (n_classes,)
    word_terms.npy    word n-grams, unicode  word_idf.npy  their idf weights (float)
    char_terms.npy    character n-grams      char_idf.npy  (only when char n-grams are on)

Arrays are read with ``allow_pickle=False`` after their headers are checked; a file with any other
member, another dtype or shape, or a document of the wrong types is refused before anything is built.
"""
import hashlib
import io
import json
import re
import os
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .._classifier import SCORING_PARAMS, ComplaintClassifier, check_model, named_twice
from .._params import PARAMETER_CHECKS, parameter_problems
from .._values import MODEL_SUFFIX, PathLike, is_int, is_number
from .._version import __version__
from .._metrics import REVIEW_EVERYTHING
from ..features import BACKENDS, ComplaintVectorizer, Tokenizer, terms_by_column
from ..exceptions import ArchiveError, IncompatibleModelError, UntrustedModelError
from ..io import check_new_file, new_file

FORMAT = "consumer_nlp model"
FORMAT_VERSION = 1  # raised by a release whose files an earlier one cannot read (a setting added, say)
_MEMBER_DATE = (1980, 1, 1, 0, 0, 0)  # every member's date: the earliest a zip can hold
DOCUMENT = "model.json"
# name -> the dtype kinds it may have ("f" float, "U" unicode)
ARRAYS = {"coef": "f", "intercept": "f", "word_terms": "U", "word_idf": "f", "char_terms": "U", "char_idf": "f"}
MAX_MEMBER_BYTES = 1 << 30  # no real model comes near; a zip bomb is refused before it is inflated
MAX_DOCUMENT_BYTES = 64 << 20
MAX_WORD_FREQUENCY = 10**9  # a user word's weight in the segmenter's dictionary (jieba's largest: 3,188,252)


def jsonable(value):
    """numpy scalars and tuples inside metadata as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def model_arrays(model: ComplaintClassifier) -> dict:
    """The arrays of a fitted model, by member name."""
    vectorizer = model.vectorizer_
    arrays = {"coef": np.asarray(model.coef_, dtype=np.float64),
              "intercept": np.asarray(model.intercept_, dtype=np.float64),
              "word_terms": np.array(terms_by_column(vectorizer.word_vectorizer_.vocabulary_), dtype=str),
              "word_idf": np.asarray(vectorizer.word_vectorizer_.idf_)}
    if vectorizer.char_vectorizer_ is not None:
        arrays["char_terms"] = np.array(terms_by_column(vectorizer.char_vectorizer_.vocabulary_), dtype=str)
        arrays["char_idf"] = np.asarray(vectorizer.char_vectorizer_.idf_)
    return arrays


def saved_params(model: ComplaintClassifier) -> dict:
    """The parameters a file records of a fitted ``model``: those it was fitted with (``set_params`` after a fit
    changes the parameters, not the fitted model), but those that apply when texts are scored as set. A model fitted
    by an earlier release keeps none: its own, with the n-gram ranges its vectorizer was fitted with, by which the
    arrays are read."""
    params, vectorizer = model.get_params(), model.vectorizer_
    fitted = getattr(model, "fitted_params_", None) or {**params, "word_ngram_range": vectorizer.word_ngram_range,
                                                         "char_ngram_range": vectorizer.char_ngram_range}
    return jsonable({**fitted, **{name: params[name] for name in SCORING_PARAMS}})


def check_savable(model) -> None:
    """Refuse, before anything is written, what a model file cannot hold."""
    check_model(model).check_scoring_params()
    if not all(isinstance(label, str) for label in model.classes_):
        raise TypeError(f"labels must be text to be saved, got {list(model.classes_)}")


def write_model(model: ComplaintClassifier, file) -> None:
    """Write a fitted ``model`` to ``file``, a binary file object."""
    check_savable(model)
    arrays = model_arrays(model)
    members = {name: _npy(array) for name, array in arrays.items()}
    tokenizer = model.vectorizer_.tokenizer_
    document = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "release": __version__,
        "params": saved_params(model),
        "classes": [str(c) for c in model.classes_],
        "temperature": float(model.temperature_),
        "review_threshold": float(model.review_threshold_),
        "sublinear_tf": bool(model.vectorizer_.sublinear_tf),
        "tokenizer": {"backend": tokenizer.backend, "user_words": [list(w) for w in tokenizer.user_words],
                      "stop_words": list(tokenizer.stop_words)},
        "metadata": {"training_data": jsonable(getattr(model, "training_data_", None)),
                     "cv_metrics": jsonable(getattr(model, "cv_metrics_", None))},
        "arrays": {name: {"dtype": array.dtype.str, "shape": list(array.shape),
                          "sha256": hashlib.sha256(members[name]).hexdigest()} for name, array in arrays.items()},
    }
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        # Members dated alike, so that one model always makes the same bytes (Dask workers know a
        # model by its file's digest).
        for name, data in [(DOCUMENT, json.dumps(document, ensure_ascii=False, indent=1)),
                           *((f"{name}.npy", data) for name, data in members.items())]:
            archive.writestr(zipfile.ZipInfo(name, date_time=_MEMBER_DATE), data, compress_type=zipfile.ZIP_DEFLATED,
                             compresslevel=6)


def check_model_path(path: PathLike, *, force: bool, inputs=()) -> Path:
    """Check before any work that a model file may be written at ``path``: named ``*.cnlp`` (the
    ending by which :func:`load` tells a file from a registry name, and which no data file has),
    and as :func:`check_new_file` wants."""
    path = check_new_file(path, force=force, inputs=inputs, what="model file")
    if path.suffix != MODEL_SUFFIX:
        raise ArchiveError(f"a model file's name ends in {MODEL_SUFFIX}, not {path.name!r}: e.g. "
                           f"{path.with_suffix(MODEL_SUFFIX).name}", "output_name", endings=[MODEL_SUFFIX])
    return path


def save_model(model: ComplaintClassifier, path: PathLike, *, force: bool = False) -> Path:
    """Write a fitted ``model`` to ``path``, a name ending in ``.cnlp``. The file appears whole or
    not at all: it is written beside ``path`` and renamed into place; never over a file there
    unless ``force``. Returns the path written; :func:`load` reads it back.

        >>> import consumer_nlp as cn
        >>> cn.save(cn.load(), "mine.cnlp").name
        'mine.cnlp'
        >>> cn.load("mine.cnlp").predict(["秤不准，少了二两"])
        array(['price_measurement'], dtype=object)
    """
    check_savable(model)
    path = check_model_path(path, force=force)
    with new_file(path, force=force, what="model file") as temporary, open(temporary, "wb") as file:
        write_model(model, file)
    return path


# ---- reading: every part checked before anything is built ----

def _problem(path, what: str) -> UntrustedModelError:
    where = path if isinstance(path, (str, os.PathLike)) else "the model file given as a file object"
    return UntrustedModelError(f"{where}: {what}; it was not loaded")


def _document_problems(document) -> list[str]:
    """What in the JSON document is not what :func:`save_model` writes."""
    if not isinstance(document, dict):
        return ["model.json is not a JSON object"]
    problems = []
    params = document.get("params")
    if not isinstance(params, dict) or not set(params) <= set(PARAMETER_CHECKS):
        unknown = sorted(map(str, set(params) - set(PARAMETER_CHECKS))) if isinstance(params, dict) else []
        problems.append(f"params must be an object with keys among {sorted(PARAMETER_CHECKS)}"
                        + (f" (not {', '.join(unknown)})" if unknown else ""))
    else:
        problems += [f"params.{problem}" for problem in parameter_problems(params)]
    classes = document.get("classes")
    if not (isinstance(classes, list) and len(classes) >= 2 and all(isinstance(c, str) and c for c in classes)
            and len(set(classes)) == len(classes)):
        problems.append("classes must be a list of at least two different labels")
    elif named_twice(classes):
        problems.append(f"classes: {named_twice(classes)}")
    if not (is_number(document.get("temperature")) and document["temperature"] > 0):
        problems.append("temperature must be a positive number")
    if not (is_number(document.get("review_threshold")) and 0 <= document["review_threshold"] <= REVIEW_EVERYTHING):
        problems.append(f"review_threshold must be a number from 0 to 1 (or {REVIEW_EVERYTHING}: review everything)")
    if type(document.get("sublinear_tf")) is not bool:
        problems.append("sublinear_tf must be true or false")
    tokenizer = document.get("tokenizer")
    if not (isinstance(tokenizer, dict) and set(tokenizer) == {"backend", "user_words", "stop_words"}
            and tokenizer["backend"] in BACKENDS
            and isinstance(tokenizer["user_words"], list) and all(
                isinstance(w, list) and len(w) == 2 and isinstance(w[0], str)
                and (w[1] is None or (is_int(w[1]) and 0 <= w[1] <= MAX_WORD_FREQUENCY))
                for w in tokenizer["user_words"])
            and isinstance(tokenizer["stop_words"], list) and all(isinstance(w, str) for w in tokenizer["stop_words"])):
        problems.append(f"tokenizer must name a backend of {BACKENDS} with user_words [word, frequency (0 to "
                        f"{MAX_WORD_FREQUENCY:,}) or null] "
                        f"and stop_words")
    metadata = document.get("metadata")
    if not (isinstance(metadata, dict) and all(v is None or isinstance(v, dict) for v in metadata.values())):
        problems.append("metadata must be an object of objects")
    arrays = document.get("arrays")
    needed = {"coef", "intercept", "word_terms", "word_idf"}
    if isinstance(params, dict) and params.get("char_ngram_range") is not None:
        needed |= {"char_terms", "char_idf"}
    if not isinstance(arrays, dict) or set(arrays) != needed:
        problems.append(f"arrays must be exactly {sorted(needed)}")
    else:
        for name, spec in arrays.items():
            if not (isinstance(spec, dict) and set(spec) == {"dtype", "shape", "sha256"}
                    and isinstance(spec["dtype"], str) and isinstance(spec["sha256"], str)
                    and isinstance(spec["shape"], list) and all(is_int(n) and n >= 0 for n in spec["shape"])):
                problems.append(f"arrays.{name} must give dtype, shape and sha256")
    return problems


def _newer_release(release) -> bool:
    """Whether ``release`` (a file's "release", such as "0.3.1") is a later release than this one."""
    def numbers(text):
        found = re.match(r"(\d+)\.(\d+)\.(\d+)", text) if isinstance(text, str) else None
        return tuple(map(int, found.groups())) if found else None
    return numbers(release) is not None and numbers(release) > numbers(__version__)


def _read_document(archive: zipfile.ZipFile, path) -> dict:
    names = archive.namelist()
    if DOCUMENT not in names:
        if "schema.json" in names:  # the skops files of consumer_nlp 0.1
            raise IncompatibleModelError(
                f"{path} is a model file of an earlier release (skops); convert it once with "
                f"convert_model({str(path)!r})")
        raise _problem(path, f"no {DOCUMENT} in it, so it is not a consumer_nlp model file")
    if len(names) != len(set(names)):
        raise _problem(path, "a member name appears twice")
    if archive.getinfo(DOCUMENT).file_size > MAX_DOCUMENT_BYTES:
        raise _problem(path, f"{DOCUMENT} is larger than any model's")
    try:
        document = json.loads(archive.read(DOCUMENT).decode("utf-8"))
    except (zipfile.BadZipFile, zlib.error, UnicodeDecodeError, json.JSONDecodeError, EOFError,
            RecursionError) as error:  # (nested too deep: no model's document is)
        raise _problem(path, f"{DOCUMENT} is damaged ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _problem(path, f"{DOCUMENT} does not say it is a {FORMAT}")
    version = document.get("format_version")
    if not is_int(version) or version < 1:
        raise _problem(path, f"format_version {version!r} is not a release's")
    if version > FORMAT_VERSION:
        raise IncompatibleModelError(f"{path} was written by a newer consumer_nlp (model format {version}; this "
                                     f"release reads format {FORMAT_VERSION}): upgrade consumer_nlp to load it")
    problems = _document_problems(document)
    if not problems:  # the members the document lists, and no others
        extra = set(names) - {DOCUMENT} - {f"{name}.npy" for name in document["arrays"]}
        missing = {f"{name}.npy" for name in document["arrays"]} - set(names)
        if extra or missing:
            problems.append("members " + ", ".join([f"{n!r} (not part of a model)" for n in sorted(extra)]
                                                   + [f"{n} (missing)" for n in sorted(missing)]))
    if problems and _newer_release(document.get("release")):  # a later release that forgot to raise the format
        raise IncompatibleModelError(f"{path} was written by consumer_nlp {document['release']} and this release is "
                                     f"{__version__}: upgrade consumer_nlp to load it (what this release does not "
                                     f"know in it: {'; '.join(problems)})")
    if problems:
        raise _problem(path, "; ".join(problems))
    return document


def _read_array(archive: zipfile.ZipFile, name: str, spec: dict, path) -> np.ndarray:
    """One array, its checksum, header, dtype and shape checked before it is read; never unpickled."""
    member = f"{name}.npy"
    if archive.getinfo(member).file_size > MAX_MEMBER_BYTES:
        raise _problem(path, f"{member} is larger than any model's")
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise _problem(path, f"{member} is damaged ({error})") from None
    if hashlib.sha256(data).hexdigest() != spec["sha256"]:
        raise _problem(path, f"{member} does not match its checksum in {DOCUMENT} (changed or damaged)")
    buffer = io.BytesIO(data)
    try:
        major, _ = np.lib.format.read_magic(buffer)
        read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(buffer)
    except (ValueError, SyntaxError, EOFError) as error:
        raise _problem(path, f"{member} is not a .npy array ({error})") from None
    kind = ARRAYS[name]
    if dtype.hasobject or dtype.kind != kind or (kind == "f" and dtype.itemsize not in (4, 8)):
        raise _problem(path, f"{member} holds {dtype}, not {'floats' if kind == 'f' else 'text'}")
    if dtype.str != spec["dtype"] or list(shape) != spec["shape"]:
        raise _problem(path, f"{member} is {dtype.str} {list(shape)}, not {spec['dtype']} {spec['shape']} "
                             f"as {DOCUMENT} says")
    buffer.seek(0)
    try:
        array = np.load(buffer, allow_pickle=False)
    except (ValueError, EOFError, OSError) as error:
        raise _problem(path, f"{member} is damaged ({error})") from None
    if kind == "f" and not np.isfinite(array).all():
        raise _problem(path, f"{member} holds values that are not finite numbers")
    return array


def _terms_problems(name: str, terms: np.ndarray, idf: np.ndarray, ngram_range, separator: str,
                    stop_words=frozenset()) -> list[str]:
    if terms.ndim != 1 or idf.shape != terms.shape:
        return [f"{name}_terms and {name}_idf must be one value per term"]
    problems = []
    listed = terms.tolist()
    if len(set(listed)) != len(listed) or not all(listed):
        problems.append(f"{name}_terms are empty or repeat a term")
    if (idf <= 0).any():
        problems.append(f"{name}_idf has weights that are not positive")
    low, high = ngram_range
    if separator:
        if any("\n" in t or not low - 1 <= t.count(separator) <= high - 1 for t in listed):
            problems.append(f"{name}_terms hold terms that are not {low}-{high} words")
    elif any(not low <= len(t) <= high for t in listed):
        problems.append(f"{name}_terms hold terms that are not {low}-{high} characters")
    if stop_words and any(word in stop_words for t in listed for word in t.split(separator)):
        problems.append(f"{name}_terms hold stop words, which are never counted")
    return problems


def _tfidf(vectorizer: ComplaintVectorizer, terms: np.ndarray, idf: np.ndarray, **settings):
    """A fitted TfidfVectorizer from its vocabulary and idf weights (public attributes only)."""
    tfidf = vectorizer._new_vectorizer(**settings)
    tfidf.vocabulary_ = {term: column for column, term in enumerate(terms.tolist())}
    tfidf.idf_ = idf
    return tfidf


def load_model(path: PathLike | BinaryIO) -> ComplaintClassifier:
    """Read a model written by :func:`save_model` (``path``: a file path or a binary file object);
    anything else, or anything damaged, is refused with what is wrong
    (:class:`UntrustedModelError`, :class:`IncompatibleModelError`)."""
    if not zipfile.is_zipfile(path):
        if isinstance(path, (str, os.PathLike)) and Path(path).is_dir():
            raise IsADirectoryError(f"{path} is a folder, not a model file: give the {MODEL_SUFFIX} file itself")
        if isinstance(path, (str, os.PathLike)) and not Path(path).is_file():
            raise FileNotFoundError(f"no model file {path}")
        raise _problem(path, "not a consumer_nlp model file (one is written by save_model or by training "
                             "with an output file)")
    try:
        with zipfile.ZipFile(path) as archive:
            document = _read_document(archive, path)
            arrays = {name: _read_array(archive, name, spec, path) for name, spec in document["arrays"].items()}
    except (UntrustedModelError, IncompatibleModelError):
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError) as error:
        # what zipfile raises for a damaged directory: an unknown compression or version, an
        # "encrypted" flag, an offset past the end
        raise _problem(path, f"the zip is damaged ({type(error).__name__}: {error})") from None
    params = {key: tuple(value) if isinstance(value, list) else value for key, value in document["params"].items()}
    params.setdefault("clause_weight", 0.0)  # files written before the clause rule decide as they did
    model = ComplaintClassifier(**params)
    model.fitted_params_ = model.get_params()
    word_range, char_range = model.word_ngram_range, model.char_ngram_range
    n_features = len(arrays["word_terms"]) + (len(arrays["char_terms"]) if char_range else 0)
    n_classes = len(document["classes"])
    problems = _terms_problems("word", arrays["word_terms"], arrays["word_idf"], word_range, " ",
                               frozenset(document["tokenizer"]["stop_words"]))
    if char_range:
        problems += _terms_problems("char", arrays["char_terms"], arrays["char_idf"], char_range, "")
    if arrays["coef"].shape != (n_classes, n_features) or arrays["intercept"].shape != (n_classes,):
        problems.append(f"coef is {list(arrays['coef'].shape)} and intercept {list(arrays['intercept'].shape)}, "
                        f"but there are {n_classes} classes and {n_features} terms")
    if problems:
        raise _problem(path, "; ".join(problems))

    settings = document["tokenizer"]
    tokenizer = Tokenizer(settings["backend"], user_words=[tuple(w) for w in settings["user_words"]],
                          stop_words=settings["stop_words"])
    vectorizer = ComplaintVectorizer(tokenizer=tokenizer, word_ngram_range=word_range, char_ngram_range=char_range,
                                     min_df=model.min_df, sublinear_tf=document["sublinear_tf"])
    vectorizer.tokenizer_ = tokenizer
    vectorizer.word_vectorizer_ = _tfidf(vectorizer, arrays["word_terms"], arrays["word_idf"],
                                         **vectorizer.word_settings())
    vectorizer.char_vectorizer_ = None if char_range is None else _tfidf(
        vectorizer, arrays["char_terms"], arrays["char_idf"], **vectorizer.char_settings())
    model.vectorizer_, model.tokenizer_ = vectorizer, tokenizer
    # Files written before classes_ were sorted hold them in the guide's order: sorted here, rows with them.
    order = np.argsort(np.array(document["classes"], dtype=object), kind="stable")
    model.classes_ = np.array(document["classes"], dtype=object)[order]
    model.coef_, model.intercept_ = arrays["coef"][order], arrays["intercept"][order]
    model.temperature_, model.review_threshold_ = document["temperature"], document["review_threshold"]
    model.training_data_ = document["metadata"].get("training_data")
    model.cv_metrics_ = document["metadata"].get("cv_metrics")
    return model
