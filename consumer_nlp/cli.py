"""The ``consumer-nlp`` command line: tag complaint files and train models.

Options shared by several commands are defined once below; each option's ``dest`` is the name of
the library parameter it becomes, so a library error that names a parameter (``force=True``,
``encoding=…``) is shown here with the flag instead (``--force``, ``--encoding …``).
"""
import argparse
import contextlib
import logging
import os
import re
import sys
from pathlib import Path

from ._review_sheet import CHOICE_HEADER
from ._signals import stops_as_interrupt
from ._unicode import display_width
from ._version import __version__


def _option(*flags, **settings):
    """An option to add to any command that takes it: ``ENCODING(parser)`` (keywords change its settings
    for one command: ``FORCE(parser, help=...)``)."""
    def add(parser: argparse.ArgumentParser, **changes):
        return parser.add_argument(*flags, **{**settings, **changes})

    return add


# The formats every command reading an archive or labeled file reads, in any encoding recognised (or --encoding).
READ_FORMATS = "CSV、TSV、Excel 工作簿（.xlsx、.xlsm、.xls）、JSONL 或 Parquet"
ENCODING = _option("--encoding", help="输入编码（默认：自动识别；UTF-8、GB18030、Big5 等）")
TEXT_COL = _option("--text-col", dest="text_col", help="投诉文本所在的列（默认：按列名查找，如 text、content、投诉内容、"
                                                       "内容等）")
LABEL_COL = _option("--label-col", dest="label_col", help="类别标注所在的列（默认：按列名查找，如 label、类别、分类、"
                                                          "标签等）")
REGISTRY = _option("--registry", help="模型注册表文件夹（默认：$CONSUMER_NLP_HOME，未设置时用当前用户的数据文件夹）")
QUIET = _option("-q", "--quiet", action="store_true", help="不显示进度条")
FORCE = _option("--force", action="store_true", help="覆盖已存在的输出文件（输入文件绝不会被覆盖）")
SHEET = _option("--sheet", metavar="NAME|N", help="要读取的工作簿（.xlsx、.xlsm、.xls）中的工作表，按名称或按它在可见工作表中的序号"
                                                 "（从 1 数起）指定（默认：唯一一个有数据的可见工作表）")
HEADER_ROW = _option("--header-row", type=int, default=1, metavar="N",
                     help="列名所在的行号，用于列名上方还有标题的情况（工作簿、CSV 和 TSV；默认：1）")
DATES_1904 = "--dates-1904"  # report's flag, which tag's summary names for a 1904 workbook tagged into a text file
BY_COLUMN = _option("--by", metavar="COLUMN", help="另按这一列（如来源、渠道）的每个值分别给出指标：行数最多的 20 个值"
                                                   "逐一列出，其余合为一行")
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
    for parameter, flag in parser.get_default("parameters") or ():  # library parameters a flag of other dest gives
        found.setdefault(parameter, flag)
    return found


def in_flags(message: str, parser: argparse.ArgumentParser, flags: dict | None = None) -> str:
    """A library message with its parameters (``force=True``, ``sheet=NAME``, ``encoding=…``) and
    functions (``tag_file('x.csv')``) said as this command line's flags (``flags``, by default all of them) and
    commands."""
    flags = _flags(parser) if flags is None else flags

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


class _Refused(ValueError):
    """A command line's own refusal of its flags: ``said`` in Chinese for a desk, the English for a program."""

    def __init__(self, said: str, english: str):
        super().__init__(english)
        self.said = said


def error_message(error: Exception, parser: argparse.ArgumentParser) -> str:
    """An error as the command line prints it: a Chinese headline (what is wrong and how to go on, where the error's
    kind is known), then the library's message with its parameters said as this command's flags."""
    from .messages import headline, names_for  # here: --help stays free of pandas

    message = in_flags(str(error), parser, names_for(error, _flags(parser)))  # no flag that would not reach the file
    said = error.said if isinstance(error, _Refused) else headline(error, _flags(parser))
    said = said or "没有完成（原因在下面，是英文的；看不懂时请把这几行发给技术支持）"
    return f"consumer-nlp: 错误：{said}。" + ("\n  " + message.replace("\n", "\n  ") if message else "")


def interrupted_message(stop: KeyboardInterrupt, parser: argparse.ArgumentParser) -> str:
    """A stop as the command line prints it: 已中断, what a tagging run kept and how to go on in Chinese where it says,
    then the library's message with its parameters said as this command's flags."""
    from .messages import interrupted_in_chinese  # here: --help stays free of pandas

    message = in_flags(str(stop), parser)
    said = interrupted_in_chinese(stop, _flags(parser))
    if said is None:
        return f"consumer-nlp: 已中断{'：' + message if message else '。'}"
    return f"consumer-nlp: 已中断。{said}。" + ("\n  " + message.replace("\n", "\n  ") if message else "")


class _ChineseFirst(logging.Formatter):
    """The library's notes as the command line prints them: a Chinese line first where there is one, the
    library's English message under it, as errors are printed; its progress in Chinese alone."""

    def format(self, record: logging.LogRecord) -> str:
        from .messages import note, progress

        step = progress(record)
        if step is not None:  # a step of long work, between the command's Chinese lines
            return step
        message = super().format(record)
        said = note(record)
        return message if said is None else f"注意：{said}。\n  " + message.replace("\n", "\n  ")


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a message comes, also when main() runs more than once."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _tag(args) -> int:
    from .messages import summary_in_chinese
    from .models import load
    from .tagging import tag_file

    summary = tag_file(load(args.model, registry=args.registry), args.input, args.output_path, text_col=args.text_col,
                       id_col=args.id_col, jobs=args.jobs, chunk_size=args.chunk_size, resume=args.resume,
                       restart=args.restart, force=args.force, encoding=args.encoding, sheet=args.sheet,
                       header_row=args.header_row, bad_rows_path=args.bad_rows_path,
                       progress=False if args.quiet else None)
    # the output named by -o, the short flag the summary has always said; report's flag for a 1904 workbook's days
    names = {**_flags(args.command_parser), "output_path": "-o", "dates_1904": DATES_1904}
    print(summary_in_chinese(summary, names), file=sys.stderr)
    return 0


def _writing(path, parameter: str):
    """The output lock of ``path`` (:class:`io.OutputLock`), for a command to hold from its checks to its finished
    file: a second writer of it, a tagging run's included, is refused before any work (said as for a second tagging
    run, with the flag ``parameter`` names); nothing is held where no path was given."""
    from .io import OutputLock

    return OutputLock(Path(path), parameter) if path else contextlib.nullcontext()


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
    with _writing(output, "output"):
        result = report_archive(args.tagged, date_col=args.date_col, period=period, group_col=group_col,
                                previous=args.previous,
                                text_col=args.text_col, encoding=args.encoding, date_format=args.date_format,
                                corrections=_corrections(args.registry), progress=False if args.quiet else None,
                                dates_1904=args.dates_1904)
        result.write(output, force=args.force)
    print("\n".join([result.summary, *result.made_from().values()]))
    for note in result.notes:
        print(f"注意：{note}", file=sys.stderr)
    print(f"报告已写出：{output}", file=sys.stderr)
    return 0


def _train(args) -> int:
    from .models import ModelRegistry, check_alias, check_model_name, check_model_path, save_model
    from ._train import train

    if not args.name and not args.output:
        raise _Refused("没有说模型保存到哪里：请用 --name NAME 登记到注册表，或用 -o FILE.cnlp 写成文件（也可两者都用）",
                       "say where the model goes: --name NAME (the registry) and/or -o FILE.cnlp")
    if not args.name and (args.alias or args.description):
        raise _Refused("--alias 和 --description 属于注册表里的版本：请同时用 --name NAME 指定模型名称",
                       "--alias and --description belong to a version in the registry: give --name NAME too")
    if args.name:
        check_model_name(args.name)
        ModelRegistry(args.registry).check_folder(args.name)  # before training, not after it
    if args.alias:
        check_alias(args.alias)
    if args.output:
        check_model_path(args.output, force=args.force,
                         inputs=[args.data, *([args.calibration_data] if args.calibration_data else [])])
    with _writing(args.output, "output"):
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


def _model_named(ref: str, registry) -> tuple:
    """The model ``ref`` names, loaded, and its name for figures and reports: ``ref`` as given, with the version a
    registry reference resolved to (desk@production（即 desk@3）), so that reports months apart tell their models."""
    from .models import load_named

    model, exact = load_named(ref, registry=registry)
    return model, ref if exact == ref else f"{ref}（即 {exact}）"


def _evaluate(args) -> int:
    from ._evaluate import check_report_path, evaluate
    from .io import new_file

    if args.report:
        model_file = [args.model] if Path(args.model).is_file() else []
        check_report_path(args.report, force=args.force, inputs=[args.data, *model_file])
    with _writing(args.report, "report"):
        model, model_name = _model_named(args.model, args.registry)
        result = evaluate(model, args.data, model_name=model_name, by=args.by,
                          sheet=args.sheet, header_row=args.header_row,
                          text_col=args.text_col, label_col=args.label_col, encoding=args.encoding)
        print(result)
        if args.report:
            with new_file(args.report, force=args.force) as temporary:
                temporary.write_text(result.to_html(), encoding="utf-8")
            print(f"\n报告已写出：{args.report}")
    return 0


def _review(args) -> int:
    from .messages import (corrections_added_in_chinese, names_rows_note, nothing_corrected_in_chinese,
                           queue_counts_in_chinese)
    from .models import load
    from .review import CorrectionStore, check_workbook, export_review, read_review, review_queue

    if args.action == "export":
        output = args.output or str(Path(args.tagged).with_name(Path(args.tagged).stem + ".复核.xlsx"))
        check_workbook(output, force=args.force, source=args.tagged)  # before the queue is scored
        with _writing(output, "output"):
            queue = review_queue(load(args.model, registry=args.registry), args.tagged, text_col=args.text_col,
                                 limit=args.limit, encoding=args.encoding)
            export_review(queue, output, source=str(args.tagged), force=args.force)
        counts = queue_counts_in_chinese(queue.flagged, len(queue), queue.empty, "--limit" if args.limit else None)
        print(f"{counts}，按更正的价值排序，已写出：{output}")
        if queue.names_rows:
            print(names_rows_note(queue.names_rows[:10], len(queue.names_rows), "没有列入复核表"))
    else:
        corrections, source = read_review(args.workbook)
        if not corrections:
            print(nothing_corrected_in_chinese(args.workbook, corrections.not_reviewed))
            return 0
        store = CorrectionStore.of_registry(args.registry)
        added = store.add(corrections, reviewer=args.reviewer)
        print(corrections_added_in_chinese(added, source or args.workbook, store.path, corrections))
    return 0


def _serve(args) -> int:
    try:
        from .web import PortInUse, serve
        from .web._security import NeedsToken
    except ImportError as missing:  # installed by `pip install .`, as the README's set-up does: from the clone
        raise _Refused('网页界面需要的组件还没有安装：请在 consumer_nlp 的源码文件夹（README.md 所在的文件夹）里运行 '
                       'pip install ".[web]"，再运行 consumer-nlp serve',
                       f'the web application needs its extra: pip install ".[web]" in the folder of consumer_nlp\'s '
                       f'source ({missing})') from None
    try:
        serve(host=args.host, port=args.port, registry=args.registry, workspace=args.workspace, token=args.token,
              corpus=args.corpus, max_upload_mb=args.max_upload_mb)
    except NeedsToken as refused:
        raise _Refused(f"监听 {refused.host} 会让其他电脑也能打开这个网页，没有启动：请用 --token 设一个访问令牌"
                       f"（此后每个请求都要带上它），或去掉 --host，只在本机使用", str(refused)) from None
    except PortInUse as taken:
        raise _Refused(f"端口 {taken.port} 已被占用，网页没有启动：可能已有一个 consumer-nlp serve 在运行，直接在浏览器里打开 "
                       f"{taken.address} 即可；要另开一个，请用 --port 换一个端口（如 --port {taken.port + 1}）",
                       str(taken).replace("port=…", "--port …")) from None
    return 0

def _models(args) -> int:
    import json

    from ._evaluate import text_table
    from .messages import VERSION_WORDS, unusable_model_note, version_in_chinese
    from .models import ModelRegistry, split_ref

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
            print("\n".join(text_table(table.drop(columns="problem").rename(columns=VERSION_WORDS), indent="")))
            for name, problem in zip(table["name"], table["problem"]):
                if problem:
                    print(f"注意：{unusable_model_note(name, problem)}", file=sys.stderr)
    elif args.action == "show":  # the metadata as it is for scripts, else what a desk reads in it
        info = registry.info(args.ref)
        print(json.dumps(info, ensure_ascii=False, indent=1) if args.json else "\n".join(
            [*version_in_chinese(info), "", "（加 --json 显示全部元数据，供脚本读取）"]))
    elif args.action == "alias":
        name, which = split_ref(args.ref)
        if not which:  # never "the latest" unsaid
            raise _Refused("请写明别名指向哪个版本：NAME@VERSION（如 complaints@3）或 NAME@ALIAS（如 complaints@staging）",
                           "give the version to point at as NAME@VERSION (e.g. complaints@3) or NAME@ALIAS "
                           "(e.g. complaints@staging)")
        name, version = registry.resolve(f"{name}@{which}")
        registry.set_alias(name, version, args.alias)
        print(f"{name}@{args.alias} → 第 {version} 版")
    elif args.action == "delete":
        name, version = registry.delete(args.ref)
        print(f"已删除 {name}@{version}（第 {version} 版）")
    elif args.action == "unalias":
        name, alias = split_ref(args.ref)
        registry.delete_alias(name, alias)
        print(f"已删除别名 {name}@{alias}")
    else:
        from ._evaluate import compare, disagreements_in_chinese, figures_in_chinese
        from ._values import check_count

        check_count(args.show, "show", 0, "the most rows that differ to list")  # (head(-1) would list all but one)
        if args.ref == args.other:  # kept by name, the second would replace the first: one column
            raise _Refused(f"两个模型都是「{args.ref}」，是在和自己比较：请给出另一个模型（如 default 和 complaints@production）",
                           f"both models are {args.ref!r}: give another to compare it with")
        figures, disagreements = compare(dict(_model_named(ref, args.registry)[::-1] for ref in (args.ref, args.other)),
                                         args.data, text_col=args.text_col, label_col=args.label_col,
                                         encoding=args.encoding, sheet=args.sheet, header_row=args.header_row)
        print("\n".join(text_table(figures_in_chinese(figures).rename_axis("").reset_index(), indent="")))
        listed = args.show and len(disagreements)
        print(f"\n两个模型判断不同的 {len(disagreements)} 条{'：' if listed else '。'}")
        if listed:
            shown = disagreements_in_chinese(disagreements.head(args.show))
            print("\n".join(text_table(shown, indent="", max_chars=40)))
    return 0


class _ChineseHelp(argparse.HelpFormatter):
    """Help laid out for Chinese readers: "用法：" before the usage, and text wrapped at the terminal's width counted
    in columns, between Chinese characters or at spaces, never inside a flag, word or `code`, never before closing
    punctuation or after opening punctuation."""

    _UNIT = re.compile(r"( ?)([（「]*(?:`[^`]*`|[!-~]+|\S)[）」，。、；：！？…]*)")

    def add_usage(self, usage, actions, groups, prefix="用法："):
        super().add_usage(usage, actions, groups, prefix)

    def _format_usage(self, usage, actions, groups, prefix):
        stand_in = " " * display_width(prefix)  # argparse lays the usage out counting the prefix's characters, not columns
        return prefix + super()._format_usage(usage, actions, groups, stand_in)[len(stand_in):]

    def _split_lines(self, text, width):
        lines = []
        for space, unit in self._UNIT.findall(self._whitespace_matcher.sub(" ", text).strip()):
            if lines and display_width(lines[-1] + space + unit) <= width:
                lines[-1] += space + unit
            else:
                lines.append(unit)
        return lines

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))


def _action_named(parser: argparse.ArgumentParser, name: str) -> argparse.Action | None:
    """The argument argparse names ``name`` in its errors (``-o/--output``, ``input``, ``COMMAND``)."""
    return next((action for action in parser._actions
                 if name in ("/".join(action.option_strings), action.metavar, action.dest)), None)


def _nearest(word: str, choices) -> str:
    """（是不是 X？） for the choice nearest ``word``, or nothing where none is near."""
    import difflib

    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"是不是 {near[0]}？" if near else ""


def _missing(name: str, parser: argparse.ArgumentParser) -> str:
    """A missing argument ``name``, in Chinese: the commands it stands for, or the argument and its help."""
    action = _action_named(parser, name)
    if isinstance(action, argparse._SubParsersAction):
        return f"缺少要运行的命令（{'、'.join(action.choices)} 之一）"
    return f"缺少参数 {name}" + (f"（{action.help}）" if action is not None and action.help else "")


def _invalid_choice(found: re.Match, parser: argparse.ArgumentParser) -> str:
    action, value = _action_named(parser, found["name"]), found["value"].strip("'")
    choices = list(action.choices) if action is not None and action.choices else []
    what = "命令" if isinstance(action, argparse._SubParsersAction) else f"{found['name']} 的值"
    return f"没有 {value} 这个{what}（{_nearest(value, choices)}可用的{what}：{'、'.join(map(str, choices))}）"


def _lacks_value(found: re.Match, parser: argparse.ArgumentParser) -> str:
    action = _action_named(parser, found["name"])
    return f"{found['name'].split('/')[-1]} 后面缺少它的值" + (f"（{action.help}）" if action and action.help else "")


# argparse's own errors (its English, from Python 3.11 on), each said in Chinese from what it names.
_TYPES_ZH = {"int": "整数", "float": "数字"}
_USAGE_ERRORS = [
    (r"the following arguments are required: (?P<names>.+)",
     lambda found, parser: "；".join(_missing(name, parser) for name in found["names"].split(", "))),
    (r"argument (?P<name>\S+): invalid choice: (?P<value>.+?) \(choose from .*\)", _invalid_choice),
    (r"argument (?P<name>\S+): invalid (?P<type>\w+) value: '?(?P<value>.*?)'?",
     lambda found, parser: f"{found['name'].split('/')[-1]} 的值应是{_TYPES_ZH.get(found['type'], found['type'])}，"
                           f"「{found['value']}」不是"),
    (r"argument (?P<name>\S+): expected (?:one|at least one) argument", _lacks_value),
    (r"ambiguous option: (?P<option>[^=\s]+)\S* could match (?P<matches>.+)",
     lambda found, parser: f"{found['option']} 可以是 {'、'.join(found['matches'].split(', '))} 中的任何一个，请写全"),
    (r"argument (?P<name>\S+): ignored explicit argument .*",
     lambda found, parser: f"{found['name'].split('/')[-1]} 不带值，只写 {found['name'].split('/')[-1]} 即可"),
    (r"argument (?P<name>\S+): not allowed with argument (?P<other>\S+)",
     lambda found, parser: f"{found['name']} 和 {found['other']} 不能一起用"),
]


def _unrecognized(extras: list, parser: argparse.ArgumentParser) -> str:
    """Arguments ``parser`` does not take, in Chinese: an unknown option with its nearest flag, a word too many."""
    flags = [flag for action in parser._actions for flag in action.option_strings]
    said = []
    for extra in extras:
        flag = extra.split("=", 1)[0]
        if flag.startswith("-") and len(flag) > 1:
            near = _nearest(flag, flags)
            said.append(f"不认识的选项 {flag}" + (f"（{near}）" if near else ""))
        else:
            said.append(f"多余的参数「{extra}」（名字里有空格时，请给它加上引号）")
    return "；".join(said)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose help is in Chinese, its frame too (usage, section titles, -h), and its errors (a
    Chinese line first, then the usage, then argparse's English); the parsers of its commands are of this class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, formatter_class=_ChineseHelp, add_help=False, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示此帮助并退出")

    def parse_args(self, args=None, namespace=None):
        """As argparse's, with arguments no command takes told by the command given (its usage, its nearest flag)."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            parser = getattr(parsed, "command_parser", self)
            parser.fail(_unrecognized(extras, parser), f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def error(self, message: str):
        said = next((say(found, self) for pattern, say in _USAGE_ERRORS if (found := re.fullmatch(pattern, message))),
                    "命令行有误")
        self.fail(said, message)

    def fail(self, said: str, english: str):
        """Stop with exit code 2: what is wrong (``said``, Chinese), the usage, where help is, and ``english``."""
        usage = self.format_usage().strip().replace("\n", "\n  ")
        self.exit(2, f"{self.prog}: 错误：{said}。\n  {usage}\n  每个参数和选项的说明：{self.prog} --help\n"
                     f"  {english}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="consumer-nlp",
                     description="为中文消费投诉分类：质量问题、价格/计量、安全问题、虚假宣传、金融服务、其他。")
    parser.add_argument("--version", action="version", version=f"consumer-nlp {__version__}",
                        help="显示版本号并退出（向技术支持求助时请一并告知）")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tag = commands.add_parser(
        "tag", help="标注投诉档案的每一行",
        description=f"为档案（{READ_FORMATS}）的每一行标注类别，写出时加上 "
                    "category、category_zh、confidence、needs_review、review_reason 和 top_terms 这几列。"
                    "每一行都保留，顺序和原有的值都不变。")
    tag.add_argument("input", help="要标注的档案")
    tag.add_argument("-o", "--output", dest="output_path", help="输出文件（格式由扩展名决定；默认：写在输入文件旁，"
                                                                 "名为 INPUT.tagged.EXT）")
    TEXT_COL(tag)
    tag.add_argument("--id-col", help="标识各行的列（如编号），提示文本为空的行时用它的值指明这些行")
    tag.add_argument("--model", help="所用模型（默认：内置模型）：注册表中的模型（name、name@3、name@production）"
                                     "或模型文件（.cnlp）")
    tag.add_argument("--jobs", type=int, help="并行的工作进程数（默认：使用全部 CPU 核心）")
    tag.add_argument("--chunk-size", type=int, default=5000, help="分块处理时每块的行数（默认：5000）")
    tag.add_argument("--resume", action="store_true", help="接着上次中断的同一命令继续运行")
    tag.add_argument("--restart", action="store_true", help="丢弃上次中断时已完成的各块，从头开始")
    FORCE(tag, help="覆盖已存在的输出文件或 --bad-rows 文件（输入文件绝不会被覆盖）")
    ENCODING(tag)
    SHEET(tag)
    HEADER_ROW(tag)
    tag.add_argument("--bad-rows", dest="bad_rows_path", metavar="FILE", help="把无法解析的行写到这个文件（.csv，或 "
                                                                              ".xlsx：在 Excel 里每格都按文字显示），"
                                                                              "然后继续（默认：遇到第一个这样的行就停止，"
                                                                              "并指出它在第几行）")
    QUIET(tag)
    tag.set_defaults(run=_tag)

    train = commands.add_parser("train", help="用标注好的文件训练模型并登记",
                                description=f"用含文本列和标注列的标注文件（{READ_FORMATS}）"
                                            "训练模型。训练开始前先列出所有有问题的行（类别未知、文本为空、缺少列）；"
                                            "重复的行和相互矛盾的标注也会报告。请按本项目的标注指南 "
                                            "docs/labeling-guide.md 标注（类别用英文或中文均可）。")
    train.add_argument("data", help=f"标注好的文件（{READ_FORMATS}）")
    train.add_argument("--name", help="以这个名称把模型登记到注册表（作为一个新版本）")
    train.add_argument("--alias", help="让这个别名（例如 production）指向新版本")
    train.add_argument("--description", help="随该版本一起保存的说明")
    train.add_argument("-o", "--output", help="同时（或只）把模型写入这个文件（.cnlp）")
    FORCE(train)
    train.add_argument("--cv", type=int, default=5, help="报告指标所用的交叉验证折数（0 表示不做；默认：5）")
    TEXT_COL(train)
    LABEL_COL(train)
    train.add_argument("--group-col", metavar="COLUMN", help="标明每条文本出处的列（如来源、文体）：校准置信度所用的"
                                                             "各折把同一取值的文本整组留出，使置信度在没见过的写法上"
                                                             "依然可信")
    train.add_argument("--calibration-data", metavar="FILE", help="从未用于训练、写法与待标注文本一致的标注文本："
                                                                  "置信度一半依据它们、一半依据留出的各折来拟合")
    ENCODING(train)
    SHEET(train)
    HEADER_ROW(train)
    train.add_argument("--with-corrections", action="store_true", help="同时学习复核人员的人工更正（即 `review import` "
                                                                       "保存在注册表旁的更正）")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("evaluate", help="在标注数据上评估模型",
                                   description="给出模型 model 在标注数据 data 上的各类别精确率/召回率/F1、macro-F1、"
                                               "混淆矩阵、校准情况，以及复核阈值的取舍（送复核的比例与其余的准确率）。")
    evaluate.add_argument("model", help="default（内置模型）、注册表中的模型（name、name@3、name@production）"
                                        "或模型文件（.cnlp）")
    evaluate.add_argument("data", help=f"标注好的文件（{READ_FORMATS}），含文本列和类别标注列")
    evaluate.add_argument("--report", help="另写出一份带图表的 HTML 报告（单个文件）")
    FORCE(evaluate)
    BY_COLUMN(evaluate)
    TEXT_COL(evaluate)
    LABEL_COL(evaluate)
    ENCODING(evaluate)
    SHEET(evaluate)
    HEADER_ROW(evaluate)
    evaluate.set_defaults(run=_evaluate)

    models = commands.add_parser("models", help="列出、查看、删除和比较已登记的模型，设置别名")
    actions = models.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="列出每个模型名称及其最新版本和别名")
    show = actions.add_parser("show", help="显示一个版本的创建时间、训练数据、交叉验证指标等")
    show.add_argument("ref", help="要查看的版本：name、name@3 或 name@alias")
    show.add_argument("--json", action="store_true", help="照原样输出这个版本的全部元数据（JSON，供脚本读取）")
    alias = actions.add_parser("alias", help="让别名指向一个版本")
    alias.add_argument("ref", help="别名要指向的版本，写作 NAME@VERSION，或 NAME@ALIAS（另一个别名此刻指向的版本）")
    alias.add_argument("alias", help="别名，例如 production")
    delete = actions.add_parser("delete", help="删除一个版本（有别名指向它时不予删除）")
    delete.add_argument("ref", help="要删除的版本，写作 NAME@VERSION，须写明版本号（删除无法撤销）")
    unalias = actions.add_parser("unalias", help="删除一个别名（它指向的版本保留）")
    unalias.add_argument("ref", help="要删除的别名，写作 NAME@ALIAS")
    compare = actions.add_parser("compare", help="在同一份标注数据上比较两个模型，并列出两者判断不同的行")
    compare.add_argument("ref", help="一个模型：default（内置模型）、.cnlp 文件，或注册表中的模型（name、name@3、"
                                     "name@alias）")
    compare.add_argument("other", help="另一个模型，写法同上")
    compare.add_argument("data", help=f"标注好的文件（{READ_FORMATS}）")
    compare.add_argument("--show", type=int, default=20, help="最多显示多少条两者判断不同的行（默认：20）")
    TEXT_COL(compare)
    LABEL_COL(compare)
    ENCODING(compare)
    SHEET(compare)
    HEADER_ROW(compare)
    convert = actions.add_parser("convert", help="把 consumer_nlp 0.1 保存的模型（.skops）一次性转换为本版本的"
                                                 "模型文件（需要先 `pip install skops`）")
    convert.add_argument("files", nargs="*", metavar="FILE",
                         help="要转换的 .skops 文件，转换结果写在它旁边，扩展名换成 .cnlp（如 mine.skops 转换为 "
                              "mine.cnlp）；不给出文件时，转换注册表中所有 .skops 版本，就地转换。旧文件都保留")
    models.set_defaults(run=_models)

    review = commands.add_parser("review", help="把需要复核的行导出到 Excel，再把更正导回来")
    steps = review.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = steps.add_parser("export", help="把已标注档案中需要复核的行写入工作簿，更正价值最高的排在"
                                             "前面，附六个类别的下拉选项")
    export.add_argument("tagged", help="由 `consumer-nlp tag` 写出的文件")
    export.add_argument("-o", "--output", help="要写出的工作簿（默认：TAGGED.复核.xlsx）")
    FORCE(export)
    export.add_argument("--model", help="标注这个文件时用的模型（默认：内置模型）")
    export.add_argument("--limit", type=int, help="最多列出的行数")
    TEXT_COL(export)
    ENCODING(export)
    take = steps.add_parser("import", help="保存已填好的复核工作簿中的更正")
    take.add_argument("workbook", help=f"由 `review export` 写出、已填写「{CHOICE_HEADER}」列的工作簿")
    take.add_argument("--reviewer", help="复核人（默认：本机当前的用户名）")
    review.set_defaults(run=_review)

    report = commands.add_parser(
        "report", help="统计已标注的档案，用于工作总结",
        description="生成统计报告：各类别的件数和占比（按月或按季度、按渠道分列）、与前一期相比的变化、需复核的比例、涉及的金额、"
                    "特征词、代表性投诉和一段总结，输出为 HTML、Excel 或 Markdown。")
    report.add_argument("tagged", help="由 `consumer-nlp tag` 写出的文件（任何格式均可）")
    report.add_argument("-o", "--output", help="report.html、report.xlsx 或 report.md（默认：TAGGED.report.html）")
    FORCE(report)
    report.add_argument("--date-col", help="日期列（默认：按列名查找，如 date、日期、投诉日期等）")
    report.add_argument("--date-format", metavar="FORMAT",
                        help="日期的写法，用 strftime 代码表示，例如 %%d/%%m/%%Y（默认：年份在前，如 2025-03-05、"
                             "2025/3/5、2025年3月5日，带不带时间均可，如 10:30、下午3:20）。整列都是 Excel 日期序号"
                             "（如 45721）时按序号读取；没有年份的日期（3月5日）不补年份，单列为“日期无年份”")
    report.add_argument(DATES_1904, action="store_true", default=None,
                        help="日期列里以天数写的数字（Excel 日期序号）按 1904 日期系统（旧版 Mac Excel）读取：用于 1904 日期系统"
                             "的工作簿标注成的 CSV、TSV、JSONL 或 Parquet 文件（默认：工作簿按它自己的日期系统，其他文件按 1900 "
                             "日期系统）")
    report.add_argument("--by", help="时间表按 month（按月，默认）或 quarter（按季度）分列；分组表按 channel（渠道）"
                                     "或指定的列名分列（默认：有渠道列时按渠道列）")
    report.add_argument("--previous", metavar="TAGGED_EARLIER", help="与之对比的较早一期已标注档案")
    TEXT_COL(report)
    ENCODING(report)
    QUIET(report)
    report.set_defaults(run=_report, parameters=(("period", "--by"), ("group_col", "--by")))

    serve = commands.add_parser(
        "serve", help="浏览器界面：分类、批量标注档案、复核、重新训练（需要安装可选依赖 web）",
        description="供投诉受理窗口使用的本地网页应用：「分类」（为单条投诉分类）、「批量」（标注档案，下载标注结果及其报告）、"
                    "「复核」（用数字键 1-6 复核）、「模型」（用人工更正重新训练、比较、上线）。默认只在 127.0.0.1 上"
                    "监听；监听其他任何地址都需要 --token。")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认：127.0.0.1，仅本机可访问；其他地址需要 "
                                                           "--token）")
    serve.add_argument("--port", type=int, default=8315, help="端口（默认：8315）")
    serve.add_argument("--workspace", metavar="DIR", help="存放上传文件和结果的文件夹（默认：注册表文件夹下的 web/）")
    serve.add_argument("--token", help="每个请求都必须带上的访问令牌（用 ?token=… 打开页面一次即可）")
    serve.add_argument("--corpus", metavar="FILE", help="重新训练所依据的标注文件（默认：以可编辑模式安装本包时，"
                                                        "其源码仓库中的 data/complaints.csv；用 `pip install .` "
                                                        "安装后必须指定）")
    serve.add_argument("--max-upload-mb", dest="max_upload_mb", type=int, default=200,
                       help="上传文件大小的上限，单位 MB（默认：200）")
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
        handler.setFormatter(_ChineseFirst("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with stops_as_interrupt():  # a command's cleanup (temporary files, a half-saved model) runs
            return args.run(args)
    except BrokenPipeError:  # the reader went away (`consumer-nlp … | head`): stop quietly
        _write_nowhere(sys.stdout)
        return 141
    except (ValueError, TypeError, OSError, KeyError, RuntimeError, ImportError, MemoryError) as error:
        _last_line(error_message(error, args.command_parser))
        return 2
    except KeyboardInterrupt as stop:
        _last_line(interrupted_message(stop, args.command_parser))
        return 130


def _last_line(line: str) -> None:
    """Print a command's last line on standard error. A terminal gone (closed: writes fail with EIO) takes nothing
    more: the line is dropped, and so is what still waits for it, lest the flush at exit fail; the exit code stays."""
    try:
        print(line, file=sys.stderr, flush=True)
    except OSError:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            _write_nowhere(stream)


def _write_nowhere(stream) -> None:
    """Point ``stream``'s file descriptor at the null device: what is still buffered for a reader or a terminal that
    is gone is dropped at exit instead of failing there."""
    with contextlib.suppress(AttributeError, ValueError, OSError):  # a stream without a descriptor: nothing to do
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)


if __name__ == "__main__":
    sys.exit(main())
