"""The library's own errors keep their message and their fields across processes (worker pools,
the web application's tagging process, Dask), where they travel pickled."""
import pickle

import pytest

from consumer_nlp.exceptions import (ArchiveError, CheckpointError, InvalidNameError, LabeledDataError,
                                     ModelNotFoundError, ReviewWorkbookError)


@pytest.mark.parametrize("error, fields", [
    (ArchiveError("a.csv: line 7 cannot be parsed", "unparseable_row", line=7),
     {"problem": "unparseable_row", "details": {"line": 7}}),
    (LabeledDataError("l.csv", [("row 3", "unknown label 'x'")],
                      faults=[("unknown_label", {"label": "x", "near": None})]),
     {"problems": [("row 3", "unknown label 'x'")], "faults": [("unknown_label", {"label": "x", "near": None})]}),
    (LabeledDataError("l.csv", [("column 'x'", "categories")], "categories_as_texts", column="x"),
     {"problems": [("column 'x'", "categories")], "problem": "categories_as_texts", "details": {"column": "x"}}),
    (ModelNotFoundError("no model named 'm'"), {}),
    (InvalidNameError("invalid alias '3': digits", "digits", name="3", parameter="alias"),
     {"problem": "digits", "details": {"name": "3", "parameter": "alias"}}),
    (CheckpointError("cannot resume: the checkpoint in .x.csv.parts is of a different run"),
     {"problem": "cannot_resume", "details": {}}),
    (CheckpointError(".x.csv.parts holds 2 finished chunk(s)", "unfinished", chunks=2),
     {"problem": "unfinished", "details": {"chunks": 2}}),
    (ReviewWorkbookError("q.xlsx: nothing was stored", [("not_a_category", {"rows": [(4, "投诉")]})]),
     {"problems": [("not_a_category", {"rows": [(4, "投诉")]})]}),
])
def test_an_error_survives_pickling_whole(error, fields):
    # An ArchiveError raised in the web application's tagging process could not be rebuilt in the
    # server (its __init__ takes more than the message): the page said only "服务器内部错误".
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and str(copy) == str(error)
    assert {name: getattr(copy, name) for name in fields} == fields


def test_every_error_of_the_exceptions_module_is_public():
    # ReviewWorkbookError was added to consumer_nlp.exceptions but not to the package's names.
    import inspect

    import consumer_nlp
    from consumer_nlp import exceptions

    errors = {name for name, value in vars(exceptions).items()
              if inspect.isclass(value) and issubclass(value, Exception) and value.__module__ == exceptions.__name__}
    assert errors and errors <= set(consumer_nlp.__all__), errors - set(consumer_nlp.__all__)


def test_every_problem_raised_is_one_of_its_errors_problems(repo_root):
    # A program (the command line, the web) tells each problem in its own words by its kind: a kind raised but not
    # listed in PROBLEMS could be added without its words, and be told only by the library's English.
    import ast

    position = {"ArchiveError": 1, "LabeledDataError": 2, "CheckpointError": 1, "InvalidNameError": 1}
    raised = {name: set() for name in position}
    for path in (repo_root / "consumer_nlp").rglob("*.py"):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(call, "func", None) and getattr(call.func, "id", None)
            if isinstance(call, ast.Call) and name in position and len(call.args) > position[name]:
                kind = call.args[position[name]]
                assert isinstance(kind, ast.Constant), f"{path}:{call.lineno}: a problem named by a literal"
                raised[name].add(kind.value)
    assert raised["ArchiveError"] and raised["ArchiveError"] <= set(ArchiveError.PROBLEMS), raised
    assert raised["LabeledDataError"] <= {None, *LabeledDataError.PROBLEMS}, raised
    assert raised["CheckpointError"] and raised["CheckpointError"] <= set(CheckpointError.PROBLEMS), raised
    assert raised["InvalidNameError"] and raised["InvalidNameError"] <= set(InvalidNameError.PROBLEMS), raised
