"""The ``consumer-nlp`` command line: tag complaint files and train models."""
import argparse
import logging
import sys
from pathlib import Path

from ._categories import CATEGORIES


def _tag(args) -> int:
    from ._batch import tag_file
    from ._persist import load

    summary = tag_file(load(args.model), args.input, args.output, text_col=args.text_col, id_col=args.id_col,
                       jobs=args.jobs,
                       chunk_size=args.chunk_size, resume=args.resume, encoding=args.encoding,
                       bad_rows_path=args.bad_rows, progress=False if args.quiet else None)
    print(summary, file=sys.stderr)
    return 0


def _train(args) -> int:
    from ._persist import save_model
    from ._train import train

    model = train(args.data, cv=args.cv, text_col=args.text_col, label_col=args.label_col,
                  encoding=args.encoding)
    metrics = model.cv_metrics_
    if metrics:
        print(f"{args.cv} 折交叉验证：macro-F1 {metrics['macro_f1']:.3f}，准确率 {metrics['accuracy']:.3f}，"
              f"校准误差 {metrics['calibration_error']:.3f}")
        for label, figures in metrics["per_class"].items():
            print(f"  {CATEGORIES.get(label, label)}（{label}）：P {figures['precision']:.3f}  "
                  f"R {figures['recall']:.3f}  F1 {figures['f1']:.3f}  n={figures['support']}")
        print(f"  需复核 {metrics['review_share']:.1%}，其余准确率 {metrics['accuracy_when_sure']:.3f}")
    save_model(model, args.output)
    print(f"模型已保存：{args.output}")
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
    tag.add_argument("-o", "--output", help="where to write (format from the extension; default: "
                                            "INPUT.tagged.EXT beside the input)")
    tag.add_argument("--text-col", help="column holding the complaint text (default: found by name: "
                                        "text, content, 投诉内容, 内容, …)")
    tag.add_argument("--id-col", help="column identifying each row, used to name rows with an empty text")
    tag.add_argument("--model", help="a .skops model file (default: the built-in model)")
    tag.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    tag.add_argument("--chunk-size", type=int, default=5000, help="rows per chunk (default: 5000)")
    tag.add_argument("--resume", action="store_true", help="go on from an interrupted run of the same command")
    tag.add_argument("--encoding", help="input encoding (default: detected; UTF-8, GB18030, …)")
    tag.add_argument("--bad-rows", metavar="FILE", help="write rows that cannot be parsed here and go on "
                                                        "(default: stop at the first, naming its line)")
    tag.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    tag.set_defaults(run=_tag)

    train = commands.add_parser("train", help="train a model from a labeled CSV or XLSX",
                                description="Train a model on a labeled file with text and label columns; "
                                            "bad rows are all listed before anything is trained.")
    train.add_argument("data", help="labeled CSV (UTF-8 or GB18030) or XLSX")
    train.add_argument("-o", "--output", required=True, help="where to write the model (.skops)")
    train.add_argument("--cv", type=int, default=5, help="cross-validation folds for the reported figures "
                                                         "(0 to skip; default 5)")
    train.add_argument("--text-col", default="text", help="text column (default: text)")
    train.add_argument("--label-col", default="label", help="label column (default: label)")
    train.add_argument("--encoding", help="input encoding (default: detected, UTF-8 or GB18030)")
    train.set_defaults(run=_train)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError) as error:
        print(f"consumer-nlp: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as stop:
        print(f"consumer-nlp: {stop or 'interrupted'}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
