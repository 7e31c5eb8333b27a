"""The ``consumer-nlp`` command line: tag complaint files and train models.

Options shared by several commands are defined once below; each option's ``dest`` is the name of
the library parameter it becomes, so a library error that names a parameter (``force=True``,
``encoding=…``) is shown here with the flag instead (``--force``, ``--encoding …``).
"""
import argparse
import errno
import logging
import os
import re
import sys
from pathlib import Path

from ._signals import sigterm_as_interrupt


def _option(*flags, **settings):
    """An option to add to any command that takes it: ``ENCODING(parser)`` (keywords change its settings
    for one command: ``FORCE(parser, help=...)``)."""
    def add(parser: argparse.ArgumentParser, **changes):
        return parser.add_argument(*flags, **{**settings, **changes})

    return add


ENCODING = _option("--encoding", help="input encoding (default: detected; UTF-8, GB18030, Big5, …)")
TEXT_COL = _option("--text-col", dest="text_col", help="the column holding the complaint text (default: found by "
                                                       "name: text, content, 投诉内容, 内容, …)")
LABEL_COL = _option("--label-col", default="label", help="the column holding the labels (default: label)")
REGISTRY = _option("--registry", help="registry folder (default: $CONSUMER_NLP_HOME or a per-user folder)")
QUIET = _option("-q", "--quiet", action="store_true", help="no progress bar")
FORCE = _option("--force", action="store_true", help="replace an existing output file (never the input)")
SHEET = _option("--sheet", metavar="NAME|N", help="the sheet of an .xlsx workbook to read, by name or by number "
                                                 "among the visible tabs (default: the one visible sheet with data)")
HEADER_ROW = _option("--header-row", type=int, default=1, metavar="N",
                     help="the row holding the column names, when a title stands above it (workbooks, "
                          "CSV and TSV; default: 1)")
BY_COLUMN = _option("--by", metavar="COLUMN", help="also give the figures per value of this column (source, "
                                                   "channel, …): the 20 largest values, the rest in one row")
# How library functions are named to a command-line user.
_COMMANDS = {"tag_file": "consumer-nlp tag", "convert_model": "consumer-nlp models convert",
             "set_alias": "consumer-nlp models alias", "delete_alias": "consumer-nlp models unalias",
             "ModelRegistry.convert_legacy": "consumer-nlp models convert", "export_review": "consumer-nlp review export"}


def _flags(parser: argparse.ArgumentParser) -> dict:
    """Parameter name (an option's dest) -> its flag, over ``parser``'s options and its subcommands'."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                for dest, flag in _flags(command).items():
                    found.setdefault(dest, flag)
        elif action.option_strings:
            found.setdefault(action.dest, max(action.option_strings, key=len))
    return found


def in_flags(message: str, parser: argparse.ArgumentParser) -> str:
    """A library message with its parameters (``force=True``, ``sheet=NAME``, ``encoding=…``) and
    functions (``tag_file('x.csv')``) said as this command line's flags and commands."""
    flags = _flags(parser)

    def flag(match):
        name, value = match[1], match[2]
        if name not in flags:
            return match[0]
        return flags[name] if value == "True" else f"{flags[name]} {value}"

    message = re.sub(r"\b([a-z_]+)=(True|…|[A-Z]+|\d+)", flag, message)
    for function, command in _COMMANDS.items():
        message = re.sub(rf"\b{re.escape(function)}\((?:'([^']*)')?\)",
                         lambda m, command=command: f"`{command} {m[1]}`" if m[1] else f"`{command}`", message)
    return message


def _headline(error: Exception) -> str | None:
    """What went wrong, in Chinese, for the line above the library's own message (which keeps the
    particulars and how to go on, with flags); None where that message is all there is to say."""
    from .exceptions import (ArchiveError, IncompatibleModelError, IntegrityError, LabeledDataError,
                             ModelNotFoundError, UntrustedModelError)

    if isinstance(error, ArchiveError):
        from .io import problem_in_chinese

        return problem_in_chinese(error)
    if isinstance(error, LabeledDataError):
        return f"标注数据有 {len(error.problems)} 处问题，没有使用（逐处列在下面）"
    kinds = [(ModelNotFoundError, "找不到模型"), (UntrustedModelError, "模型文件已损坏，或含有模型不该有的内容，没有加载"),
             (IncompatibleModelError, "模型文件的格式与这个版本的 consumer_nlp 不符"),
             (IntegrityError, "保存的文件与保存时的记录不符（被改动、截断或缺失），没有使用"),
             (FileNotFoundError, "找不到文件"), (FileExistsError, "文件已经存在，没有覆盖"),
             (PermissionError, "没有权限读写这个文件或文件夹"), (UnicodeError, "文件的编码无法识别"),
             (ImportError, "缺少需要安装的组件")]
    return next((said for kind, said in kinds if isinstance(error, kind)), None)


def error_message(error: Exception, parser: argparse.ArgumentParser) -> str:
    """An error as the command line prints it: a Chinese headline where there is one, then the
    library's message with its parameters said as this command's flags."""
    message = in_flags(str(error), parser)
    headline = _headline(error)
    if headline is None:
        return f"consumer-nlp: 错误：{message}"
    return f"consumer-nlp: 错误：{headline}。\n  " + message.replace("\n", "\n  ")


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a message comes, also when main() runs more than once."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _tag(args) -> int:
    from .models import load
    from .tagging import tag_file

    summary = tag_file(load(args.model, registry=args.registry), args.input, args.output_path, text_col=args.text_col,
                       id_col=args.id_col, jobs=args.jobs, chunk_size=args.chunk_size, resume=args.resume,
                       restart=args.restart, force=args.force, encoding=args.encoding, sheet=args.sheet,
                       header_row=args.header_row, bad_rows_path=args.bad_rows_path,
                       progress=False if args.quiet else None)
    print(summary, file=sys.stderr)
    return 0


def _corrections(registry) -> dict:
    """The reviewers' corrections kept beside the registry ({text: label}; empty when none)."""
    from .review import CorrectionStore

    return CorrectionStore.of_registry(registry).labels()


def _report(args) -> int:
    from .io import check_new_file
    from .report import PERIODS, report_archive, report_format

    output = Path(args.output) if args.output else Path(args.tagged).with_name(Path(args.tagged).stem + ".report.html")
    check_new_file(output, force=args.force, inputs=[args.tagged, *([args.previous] if args.previous else [])])
    report_format(output)
    period = args.by if args.by in PERIODS else "month"
    group_col = None if args.by in (None, *PERIODS, "channel") else args.by
    result = report_archive(args.tagged, date_col=args.date_col, period=period, group_col=group_col,
                            previous=args.previous,
                            text_col=args.text_col, encoding=args.encoding, date_format=args.date_format,
                            corrections=_corrections(args.registry), progress=False if args.quiet else None)
    result.write(output, force=args.force)
    print(result.summary)
    for note in result.notes:
        print(f"注意：{note}", file=sys.stderr)
    print(f"报告已写出：{output}", file=sys.stderr)
    return 0


def _train(args) -> int:
    from .models import ModelRegistry, check_alias, check_model_name, check_model_path, save_model
    from ._train import train

    if not args.name and not args.output:
        raise ValueError("say where the model goes: --name NAME (the registry) and/or -o FILE.cnlp")
    if not args.name and (args.alias or args.description):
        raise ValueError("--alias and --description belong to a version in the registry: give --name NAME too")
    if args.name:
        check_model_name(args.name)
        ModelRegistry(args.registry).check_folder()  # before training, not after it
    if args.alias:
        check_alias(args.alias)
    if args.output:
        check_model_path(args.output, force=args.force,
                         inputs=[args.data, *([args.calibration_data] if args.calibration_data else [])])
    corrections = _corrections(args.registry) if args.with_corrections else None
    if args.with_corrections:
        print(f"加入人工更正 {len(corrections)} 条")
    model = train(args.data, cv=args.cv, text_col=args.text_col, label_col=args.label_col, encoding=args.encoding,
                  sheet=args.sheet, header_row=args.header_row,
                  group_col=args.group_col, corrections=corrections, calibration_data=args.calibration_data)
    if model.cv_metrics_:
        from ._evaluate import figure_lines

        print("\n".join([f"{args.cv} 折交叉验证：", *figure_lines(model.cv_metrics_)]))
    if args.output:
        save_model(model, args.output, force=args.force)
        print(f"模型已保存：{args.output}")
    if args.name:
        registry = ModelRegistry(args.registry)
        version = registry.save(model, args.name, description=args.description)
        if args.alias:
            registry.set_alias(args.name, version, args.alias)
        print(f"已登记：{args.name}@{version}" + (f"（别名 {args.alias}）" if args.alias else "") + f"，位于 {registry.root}")
    return 0


def _evaluate(args) -> int:
    from ._evaluate import evaluate
    from .io import check_new_file, new_file
    from .models import load

    if args.report:
        model_file = [args.model] if Path(args.model).is_file() else []
        check_new_file(args.report, force=args.force, inputs=[args.data, *model_file])
    result = evaluate(load(args.model, registry=args.registry), args.data, model_name=args.model, by=args.by,
                      sheet=args.sheet, header_row=args.header_row,
                      text_col=args.text_col, label_col=args.label_col, encoding=args.encoding)
    print(result)
    if args.report:
        with new_file(args.report, force=args.force) as temporary:
            temporary.write_text(result.to_html(), encoding="utf-8")
        print(f"\n报告已写出：{args.report}")
    return 0


def _review(args) -> int:
    from ._categories import label_of
    from .io import correction_key
    from .models import load
    from .review import CorrectionStore, check_workbook, export_review, read_review, review_queue

    if args.action == "export":
        output = args.output or str(Path(args.tagged).with_name(Path(args.tagged).stem + ".复核.xlsx"))
        check_workbook(output, force=args.force, source=args.tagged)  # before the queue is scored
        queue = review_queue(load(args.model, registry=args.registry), args.tagged, text_col=args.text_col,
                             limit=args.limit, encoding=args.encoding)
        export_review(queue, output, source=str(args.tagged), force=args.force)
        left = queue.flagged - len(queue)
        why = f"与已列出的相近{'或超出 --limit' if args.limit else ''}，未列出" if left else ""
        print(f"需复核 {queue.flagged} 条，列出 {len(queue)} 条{f'（另 {left} 条{why}）' if left else ''}，"
              f"按更正的价值排序，已写出：{output}")
    else:
        corrections, source = read_review(args.workbook)
        if not corrections:
            print(f"复核表里没有填写「更正为」的行，没有保存任何更正：{args.workbook}")
            return 0
        store = CorrectionStore.of_registry(args.registry)
        before = store.labels()
        same = sum(before.get(correction_key(c["text"])) == label_of(c["label"]) for c in corrections)
        stored = store.add(corrections, reviewer=args.reviewer)
        again = f"，其中 {same} 条与已保存的更正相同" if same else ""
        print(f"已保存 {stored} 条人工更正{again}（来源：{source or args.workbook}），位于 {store.path}")
    return 0


def _serve(args) -> int:
    try:
        from .web import serve
    except ImportError as missing:
        raise ImportError(f"the web application needs its extra: pip install 'consumer_nlp[web]' ({missing})") \
            from None
    serve(host=args.host, port=args.port, registry=args.registry, workspace=args.workspace, token=args.token,
          corpus=args.corpus, max_upload_mb=args.max_upload_mb)
    return 0


def _models(args) -> int:
    import json

    from ._evaluate import text_table
    from .models import ModelRegistry

    registry = ModelRegistry(args.registry)
    if args.action == "convert":
        from .models import convert_model

        for source in args.files:
            print(f"已转换：{source} → {convert_model(source)}")
        if not args.files:
            converted = registry.convert_legacy()
            print(f"已转换 {len(converted)} 个版本：{', '.join(converted)}" if converted
                  else f"（{registry.root} 中没有需要转换的模型）")
    elif args.action == "list":
        table = registry.list()
        if not len(table):
            print(f"（{registry.root} 中还没有模型）")
        else:  # a damaged model is named on stderr, the others listed all the same
            print("\n".join(text_table(table.drop(columns="problem"), indent="")))
            for name, problem in zip(table["name"], table["problem"]):
                if problem:
                    print(f"注意：模型 {name} 已损坏：{problem}", file=sys.stderr)
    elif args.action == "show":
        print(json.dumps(registry.info(args.ref), ensure_ascii=False, indent=1))
    elif args.action == "alias":
        name, _, version = args.ref.partition("@")
        if not version.isdecimal():
            raise ValueError("give the version to point at as NAME@VERSION, e.g. complaints@3")
        registry.set_alias(name, int(version), args.alias)
        print(f"{name}@{args.alias} → 第 {version} 版")
    elif args.action == "delete":
        name, version = registry.delete(args.ref)
        print(f"已删除 {name}@{version}（第 {version} 版）")
    elif args.action == "unalias":
        name, _, alias = args.ref.partition("@")
        registry.delete_alias(name, alias)
        print(f"已删除别名 {name}@{alias}")
    else:
        from ._evaluate import compare, figures_in_chinese
        from .models import load

        figures, disagreements = compare({ref: load(ref, registry=args.registry) for ref in (args.ref, args.other)},
                                         args.data)
        print("\n".join(text_table(figures_in_chinese(figures).rename_axis("").reset_index(), indent="")))
        print(f"\n两个模型判断不同的 {len(disagreements)} 条{'：' if len(disagreements) else '。'}")
        if len(disagreements):
            print("\n".join(text_table(disagreements.head(args.show), indent="", max_chars=40)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consumer-nlp",
        description="Tag Chinese consumer complaints with their category "
                    "(质量问题, 价格/计量, 安全问题, 虚假宣传, 金融服务, 其他).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tag = commands.add_parser(
        "tag", help="tag every row of a complaint archive",
        description="Tag every row of an archive (CSV, TSV, XLSX, JSONL or Parquet; UTF-8 or GB18030) and "
                    "write it back with the columns category, category_zh, confidence, needs_review, "
                    "review_reason and top_terms added. Every row is kept, in order, with its values unchanged.")
    tag.add_argument("input", help="the archive to tag")
    tag.add_argument("-o", "--output", dest="output_path", help="where to write (format from the extension; "
                                                                 "default: INPUT.tagged.EXT beside the input)")
    TEXT_COL(tag)
    tag.add_argument("--id-col", help="column identifying each row, used to name rows with an empty text")
    tag.add_argument("--model", help="a registry reference (name, name@3, name@production) or a model file "
                                     "(.cnlp; default: the built-in model)")
    tag.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    tag.add_argument("--chunk-size", type=int, default=5000, help="rows per chunk (default: 5000)")
    tag.add_argument("--resume", action="store_true", help="go on from an interrupted run of the same command")
    tag.add_argument("--restart", action="store_true", help="throw away the finished chunks of an interrupted run "
                                                            "and start over")
    FORCE(tag, help="replace an existing output or bad-rows file (never the input)")
    ENCODING(tag)
    SHEET(tag)
    HEADER_ROW(tag)
    tag.add_argument("--bad-rows", dest="bad_rows_path", metavar="FILE", help="write rows that cannot be parsed here and go on "
                                                        "(default: stop at the first, naming its line)")
    QUIET(tag)
    tag.set_defaults(run=_tag)

    train = commands.add_parser("train", help="train a model from a labeled CSV or XLSX and register it",
                                description="Train a model on a labeled file with text and label columns (UTF-8 "
                                            "or GB18030 CSV, or XLSX). Every bad row (unknown label, empty text, "
                                            "missing column) is listed before anything is trained; duplicates and "
                                            "label conflicts are reported. Label by the project's guide, "
                                            "docs/labeling-guide.md (labels in English or Chinese).")
    train.add_argument("data", help="labeled CSV or XLSX")
    train.add_argument("--name", help="register the model under this name (a new version)")
    train.add_argument("--alias", help="point this alias (e.g. production) at the new version")
    train.add_argument("--description", help="a note stored with the version")
    train.add_argument("-o", "--output", help="also (or only) write the model to this file (.cnlp)")
    FORCE(train)
    train.add_argument("--cv", type=int, default=5, help="cross-validation folds for the reported figures "
                                                         "(0 to skip; default 5)")
    TEXT_COL(train)
    LABEL_COL(train)
    train.add_argument("--group-col", metavar="COLUMN", help="a column saying where each text comes from (source, "
                                                             "register): confidence is calibrated on folds that hold "
                                                             "each value out whole, to stay honest on new writing")
    train.add_argument("--calibration-data", metavar="FILE", help="labeled texts never trained on, written the way "
                                                                  "the texts to be tagged are: confidence is fitted "
                                                                  "half on them, half on the held-out folds")
    ENCODING(train)
    SHEET(train)
    HEADER_ROW(train)
    train.add_argument("--with-corrections", action="store_true", help="also learn from the reviewers' corrections "
                                                                       "kept beside the registry (review import)")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("evaluate", help="measure a model on labeled data",
                                   description="Per-class precision/recall/F1, macro-F1, confusion matrix, "
                                               "calibration and the needs-review trade-off of MODEL on DATA.")
    evaluate.add_argument("model", help="'default', a registry reference (name, name@3, name@production) "
                                        "or a model file (.cnlp)")
    evaluate.add_argument("data", help="labeled CSV or XLSX (text, label)")
    evaluate.add_argument("--report", help="also write an HTML report with the pictures (one file)")
    FORCE(evaluate)
    BY_COLUMN(evaluate)
    TEXT_COL(evaluate)
    LABEL_COL(evaluate)
    ENCODING(evaluate)
    SHEET(evaluate)
    HEADER_ROW(evaluate)
    evaluate.set_defaults(run=_evaluate)

    models = commands.add_parser("models", help="list, show, alias, delete and compare registered models")
    actions = models.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every model name with its latest version and aliases")
    show = actions.add_parser("show", help="the metadata of one version")
    show.add_argument("ref", help="name, name@3 or name@alias")
    alias = actions.add_parser("alias", help="point an alias at a version")
    alias.add_argument("ref", help="NAME@VERSION")
    alias.add_argument("alias", help="e.g. production")
    delete = actions.add_parser("delete", help="delete a version (refused while an alias points at it)")
    delete.add_argument("ref", help="NAME@VERSION (NAME alone: its latest version)")
    unalias = actions.add_parser("unalias", help="delete an alias (the version it points at is kept)")
    unalias.add_argument("ref", help="NAME@ALIAS")
    compare = actions.add_parser("compare", help="two models on the same labeled data, and where they disagree")
    compare.add_argument("ref", help="a model: default, a .cnlp file, or a registry reference (name, name@3, name@alias)")
    compare.add_argument("other", help="the other model, named the same ways")
    compare.add_argument("data", help="labeled CSV or XLSX")
    compare.add_argument("--show", type=int, default=20, help="how many disagreeing rows to print (default 20)")
    convert = actions.add_parser("convert", help="convert models saved by consumer_nlp 0.1 (.skops) to this "
                                                 "release's model file, once (needs: pip install skops)")
    convert.add_argument("files", nargs="*", metavar="FILE",
                         help="a .skops file, written as FILE.cnlp beside it (default: every .skops version in "
                              "the registry, converted in place; the old files are kept)")
    models.set_defaults(run=_models)

    review = commands.add_parser("review", help="the rows to review, in Excel, and the corrections back")
    steps = review.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = steps.add_parser("export", help="write the rows of a tagged archive that need review to a workbook, "
                                             "most instructive first, with a drop-down of the six categories")
    export.add_argument("tagged", help="a file written by `consumer-nlp tag`")
    export.add_argument("-o", "--output", help="the workbook to write (default: TAGGED.复核.xlsx)")
    FORCE(export)
    export.add_argument("--model", help="the model that tagged it (default: the built-in model)")
    export.add_argument("--limit", type=int, help="at most this many rows")
    TEXT_COL(export)
    ENCODING(export)
    take = steps.add_parser("import", help="store the corrections of a filled review workbook")
    take.add_argument("workbook", help="a workbook written by `review export`, with 更正为 filled in")
    take.add_argument("--reviewer", help="who reviewed (default: this computer's user name)")
    review.set_defaults(run=_review)

    report = commands.add_parser(
        "report", help="the statistics of a tagged archive, for work summaries",
        description="Counts and shares per category, by month or quarter and by channel, change against a "
                    "previous period, needs-review share, money mentioned, characteristic terms, representative "
                    "complaints and a summary paragraph, as HTML, Excel or Markdown.")
    report.add_argument("tagged", help="a file written by `consumer-nlp tag` (any format)")
    report.add_argument("-o", "--output", help="report.html, report.xlsx or report.md (default: TAGGED.report.html)")
    FORCE(report)
    report.add_argument("--date-col", help="date column (default: found by name: date, 日期, 投诉日期, …)")
    report.add_argument("--date-format", metavar="FORMAT",
                        help="how the dates are written, in strftime codes, e.g. %%d/%%m/%%Y (default: year first: "
                             "2025-03-05, 2025/3/5, 2025年3月5日, with or without a time)")
    report.add_argument("--by", help="month (default) or quarter for the time table; channel or a column "
                                     "name for the group table (default: a channel column if there is one)")
    report.add_argument("--previous", metavar="TAGGED_EARLIER", help="an earlier tagged archive to compare with")
    TEXT_COL(report)
    ENCODING(report)
    QUIET(report)
    report.set_defaults(run=_report)

    serve = commands.add_parser(
        "serve", help="the browser interface: classify, tag archives, review, retrain (needs the web extra)",
        description="A local web application for the complaint desk: 分类 (one complaint), 批量 (tag an archive, "
                    "download it, its report), 复核 (review with keys 1-6), 模型 (retrain on corrections, compare, "
                    "promote). It listens on 127.0.0.1 only; any other address needs --token.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this "
                                                           "computer only; another address needs --token)")
    serve.add_argument("--port", type=int, default=8315, help="port (default: 8315)")
    serve.add_argument("--workspace", metavar="DIR", help="folder for uploads and results (default: web/ in the "
                                                          "registry folder)")
    serve.add_argument("--token", help="a secret every request must carry (open the page once with ?token=…)")
    serve.add_argument("--corpus", metavar="FILE", help="labeled file that retraining starts from (default: "
                                                        "data/complaints.csv of the clone the package was installed "
                                                        "from in editable mode; needed after pip install .)")
    serve.add_argument("--max-upload-mb", dest="max_upload_mb", type=int, default=200,
                       help="largest upload accepted, in MB (default: 200)")
    serve.set_defaults(run=_serve)

    for command in (serve, tag, train, evaluate, listing, show, alias, delete, unalias, compare, convert, export, take,
                    report):
        REGISTRY(command)
    _each_command_knows_itself(parser)
    return parser


def _each_command_knows_itself(parser: argparse.ArgumentParser) -> None:
    """Every command's namespace holds its own parser (``command_parser``), so that an error is said
    with the flags of the command that ran, never another command's."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                command.set_defaults(command_parser=command)
                _each_command_knows_itself(command)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logger = logging.getLogger("consumer_nlp")  # this library's notes only, not other libraries'
    if not any(isinstance(h, _CurrentStderr) for h in logger.handlers):
        handler = _CurrentStderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with sigterm_as_interrupt():  # a command's cleanup (temporary files, a half-saved model) runs
            return args.run(args)
    except BrokenPipeError:  # the reader went away (`consumer-nlp … | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except MemoryError:
        print("consumer-nlp: 错误：内存不够。请减少 --jobs（tag 加 --resume 可保留已标注的部分）或减小 --chunk-size "
              "后再运行。", file=sys.stderr)
        return 2
    except (ValueError, TypeError, OSError, KeyError, RuntimeError, ImportError) as error:
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            where = f"（正在写 {error.filename}）" if error.filename else ""
            print(f"consumer-nlp: 错误：磁盘空间不足{where}。请腾出空间后再运行（tag 加 --resume 可保留已标注的部分）。",
                  file=sys.stderr)
        else:
            print(error_message(error, args.command_parser), file=sys.stderr)
        return 2
    except KeyboardInterrupt as stop:
        print(f"consumer-nlp: 已中断{'：' + in_flags(str(stop), args.command_parser) if str(stop) else '。'}",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
