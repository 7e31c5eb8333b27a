"""The package's layout: every import points down the layers, none goes in a loop."""
import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "consumer_nlp"
# Lowest first. A module may import modules of lower layers and, inside a subpackage, its siblings.
LAYERS = [
    {"_version", "_values", "_unicode", "exceptions", "_locks", "_signals", "_html", "_moments", "resources",
     "_warned"},
    {"_categories", "_money", "_similarity", "_review_sheet"},
    {"features"}, {"_params"}, {"_explain", "_metrics"}, {"_classifier"},
    {"io", "_charts"}, {"messages"}, {"_evaluate", "_train"}, {"models"}, {"tagging"}, {"review"}, {"report"},
    {"web"}, {"dask", "cli"}, {"__main__", "__init__"},
]
LAYER = {name: level for level, names in enumerate(LAYERS) for name in names}


def _modules() -> dict:
    """'io._readers' -> its path, for every module of the package."""
    return {".".join(path.relative_to(PACKAGE).with_suffix("").parts): path for path in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, known: set) -> set:
    """The package's modules that ``name`` imports, at the top or inside a function."""
    package = name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - node.level + 1]
            stem = base + (node.module.split(".") if node.module else [])
            for alias in node.names:
                for candidate in (".".join(stem + [alias.name]), ".".join(stem), ".".join(stem + ["__init__"])):
                    if candidate in known:
                        found.add(candidate)
                        break
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for full in names:
                if full.startswith("consumer_nlp."):
                    inner = full.split(".", 1)[1]
                    found.add(inner if inner in known else inner + ".__init__")
    return found - {name}


def _graph() -> dict:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _top(name: str) -> str:
    return name.split(".")[0]


def test_every_module_has_a_layer():
    assert {_top(name) for name in _modules()} <= set(LAYER)


def test_imports_point_down():
    upward = [f"{a} -> {b}" for a, targets in _graph().items() for b in targets
              if _top(a) != _top(b) and LAYER[_top(b)] >= LAYER[_top(a)]]
    assert upward == []


def test_no_import_goes_in_a_loop():
    graph, loops, state = _graph(), [], {}

    def visit(node, trail):
        state[node] = "open"
        for target in graph.get(node, ()):
            if state.get(target) == "open":
                loops.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])
    assert loops == []


# A sentence in Chinese (Chinese characters with a Chinese sentence's marks), as a desk reads one, or a row named in
# Chinese (第{}行); a front end's flag.
CHINESE_SENTENCE = re.compile(r"[\u4e00-\u9fff].*[，。：；！？]|[，。：；！？].*[\u4e00-\u9fff]|第.{0,6}行", re.DOTALL)
FLAG = re.compile(r"(?<![\w-])--?[a-z][a-z-]*(?=[\s=）)]|$)")


def _strings(path: Path) -> list:
    """(line, text) of every string a module's code holds, the parts of its f-strings among them; docstrings left
    out (they speak to programmers)."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


@pytest.mark.parametrize("package", ["io", "tagging", "review/_workbook.py", "_train.py"])
def test_reading_tagging_review_and_training_say_no_sentence_in_chinese_and_name_no_flag(package):
    # The closing summary of a run was said in tagging, with the command line's flags (--bad-rows, -o) in its
    # advice: what a desk reads in Chinese has one home, messages, and a front end gives its names for parameters.
    # The review workbook's problems were worded in Chinese in review/_workbook.py (ReviewWorkbookError.problems),
    # and _train logged its progress in Chinese at INFO, read so by a script logging at INFO.
    paths = [PACKAGE / package] if package.endswith(".py") else sorted((PACKAGE / package).rglob("*.py"))
    said = [f"{path.relative_to(PACKAGE)}:{line} {text!r}" for path in paths for line, text in _strings(path)
            if CHINESE_SENTENCE.search(text) or FLAG.search(text)]
    assert said == []


def test_the_sentence_checker_sees_chinese_and_flags_but_not_names_or_docstrings(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""说明：这里。"""\nA = f"读入 {n} 行，写出"\nB = "请写成 .xlsx（-o 文件名.xlsx）"\n'
                      'C = "文本为空"\nD = "re-encode the file"\nE = "these rows do not: 第{}行"\n', "utf-8")
    found = [line for line, text in _strings(module) if CHINESE_SENTENCE.search(text) or FLAG.search(text)]
    assert sorted(found) == [2, 3, 6]


# Front ends speak to desks themselves (in Chinese, from messages); messages is where they find the words.
FRONT_ENDS = {"messages", "web", "cli"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _warnings_said(path: Path) -> list:
    """(line, text) of every string a module passes to a warning (``log.warning``, ``warnings.warn``) or any other log
    call (``log.info``: progress)."""
    calls = [node for node in ast.walk(ast.parse(path.read_text("utf-8"))) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute)
             and node.func.attr in ("warning", "warn", "error", "critical", "info", "debug")]
    return [(call.lineno, node.value) for call in calls for argument in call.args for node in ast.walk(argument)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_the_librarys_warnings_are_english_and_front_ends_say_them_in_chinese():
    # _train and _evaluate warned 训练数据里没有…的例子 and …是模型…的训练数据 beside their English, which the command
    # line printed as they were and another front end could not word: a warning names its kind (``extra``), and
    # messages.note says it in Chinese. _train logged its progress in Chinese at INFO (在全部 %d 条文本上训练):
    # messages.progress says it.
    said = [f"{name}:{line} {text!r}" for name, path in _modules().items() if _top(name) not in FRONT_ENDS
            for line, text in _warnings_said(path) if CHINESE.search(text)]
    assert said == []


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The graph is read from the source: a module importing from above is found."""
    fake = tmp_path / "consumer_nlp"
    (fake / "io").mkdir(parents=True)
    (fake / "_normalize.py").write_text("from .report import x\n", "utf-8")
    (fake / "report.py").write_text("from ._normalize import y\n", "utf-8")
    (fake / "io" / "__init__.py").write_text("", "utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    graph = _graph()
    assert graph["_normalize"] == {"report"} and graph["report"] == {"_normalize"}


def test_reading_and_writing_archives_does_not_import_the_model():
    # io imported features (for Traditional -> Simplified column names), and with it scikit-learn:
    # 1.2 s for every command that only reads or writes a file.
    import subprocess
    import sys

    code = "import sys, consumer_nlp.io; print(sorted({'sklearn', 'scipy'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
