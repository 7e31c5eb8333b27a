"""The public names of ``consumer_nlp``: each says what it is and shows how it is called, in an example that runs."""
import doctest

import pytest

import consumer_nlp as cn

# The names an analyst calls: each docstring holds an example, run here as written (in an empty folder).
CALLED = ["load", "save", "ModelRegistry", "ComplaintClassifier", "train", "read_labeled", "evaluate", "compare",
          "tag_file", "report_archive"]


@pytest.mark.parametrize("name", CALLED)
def test_each_public_function_has_an_example_that_runs(name, tmp_path, monkeypatch):
    # None of them had one (helper h9): an analyst reading help(cn.tag_file) saw the parameters, not a call.
    monkeypatch.chdir(tmp_path)
    tests = [test for test in doctest.DocTestFinder(recurse=False).find(getattr(cn, name), name) if test.examples]
    assert tests, f"{name}'s docstring holds no example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_the_packages_own_example_runs():
    assert doctest.testmod(cn, optionflags=doctest.ELLIPSIS).failed == 0
