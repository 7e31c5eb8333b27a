"""The library's warnings of the kinds a desk meets, and the progress of its long work (a log record's ``kind``),
said in Chinese."""
import logging
import math

from .._categories import CATEGORIES
from ._labeled import marks_counted
from ._rows import place_in_chinese, unsure_rows_note


# What texts repeated with one label mean, where labeled data is used (the library says it in English).
_DUPLICATES_MEAN = {"training": "标注数据里有 {n} 条文本与前面的一行重复，照原样保留",
                    "evaluation": "评估数据里有 {n} 条文本与前面的一行重复，每条都计入了指标，这些文本在指标里不止算一次"}
# What texts labeled two ways mean, where labeled data is used (the library says it in English).
_CONFLICTS_MEAN = {"training": "两种都会学习", "evaluation": "每处有一条计为判断错误"}
# What labels that are a model's own tags mean, where labeled data is used.
_OWN_TAGS_MEAN = {"training": "用它训练，新模型学的是那个模型的判断，连同它的错误；请用人工标注的列训练",
                  "evaluation": "这些指标只说明模型与它们有多一致（若正是这个模型标注的，就是与自己一致），不说明它分得对不对；"
                                "请用人工标注的列评估"}
# What rows without a label were left out of (the library's ``use``).
_LEFT_OUT_OF = {"training": "训练", "calibration": "置信度的校准", "evaluation": "评估"}


def _some_places(places: list, joined: str = "、") -> str:
    """The first five ``places`` (each said in Chinese by the caller) joined, with … for the rest."""
    return joined.join(places[:5]) + (f"{joined}…" if len(places) > 5 else "")


def note(record: logging.LogRecord) -> str | None:
    """A library warning of a kind a desk meets (its record's ``kind``), in Chinese; None for the others."""
    kind = getattr(record, "kind", None)
    if kind == "duplicates":
        alike = set(record.read_alike)
        repeats = [f"{place_in_chinese(where)}与{place_in_chinese(seen)}相同，只是数字、空格等不同" if where in alike
                   else f"{place_in_chinese(where)}重复{place_in_chinese(seen)}" for where, seen in record.places]
        said = _DUPLICATES_MEAN[record.use].format(n=len(repeats))
        return f"{said}（{_some_places(repeats, '；')}）"
    if kind == "conflicts":
        places = [place_in_chinese(where) for where in record.places]
        return (f"标注数据里有 {len(places)} 条文本的类别与前面同一文本的不同，{_CONFLICTS_MEAN[record.use]}"
                f"（{_some_places(places)}）")
    if kind == "unlabeled":
        places = [place_in_chinese(where) for where in record.places]
        doubtful = getattr(record, "marks", None)  # labels in doubt (质量问题？), {label as written: rows}
        said = (f"标注数据里有 {len(places)} 行没有填类别{'或类别存疑' if doubtful else ''}，没有计入"
                f"{_LEFT_OUT_OF[record.use]}（{_some_places(places)}）")
        return said + (f"；其中 {sum(doubtful.values())} 行的类别带问号：{marks_counted(doubtful)}，确定后删去问号即可计入"
                       if doubtful else "")
    if kind == "own_tags":
        return f"类别列「{record.column}」是标注结果列，即模型给出的类别（人工改过的行除外）：{_OWN_TAGS_MEAN[record.use]}"
    if kind == "absent_labels":
        absent = "、".join(f"「{CATEGORIES[label]}」" for label in record.labels)
        return f"训练数据里没有{absent}的例子：这个模型永远不会给出这些类别"
    if kind == "small_training_data":
        measured = "，".join(f"{n:,} 条 {f1:.3f}" for n, f1 in record.measured)
        return (f"训练数据只有 {record.texts:,} 条不同的文本：用这么少的文本训练的模型，测得比内置模型弱得多（项目留出集上的 "
                f"macro-F1：{measured}；内置模型 0.935）；请先用 models compare 在自己标注的文本上与内置模型比较，再决定用哪个")
    if kind == "unknown_to_model":
        unknown = "、".join(f"「{CATEGORIES[label]}」" for label in record.labels)
        return (f"评估数据里有 {record.rows} 行的类别是{unknown}，模型 {record.model} 不会给出这些类别（训练时没有它们的例子）："
                f"这些行都计为判断错误")
    if kind == "training_data":
        return f"评估数据是模型 {record.model} 的训练数据：在它上面的成绩不说明模型对新文本的表现；请用模型没有学过的文本评估"
    if kind == "calibration_data":
        return (f"评估数据是模型 {record.model} 的校准数据：模型没有学过这些文本，准确率和 F1 照常可信；但置信度是按它们校准的，"
                f"校准误差（ECE）会比在新文本上偏低")
    if kind == "trained_texts":
        return (f"评估数据里有 {record.trained} 行（占 {record.share:.0%}）的文本是模型 {record.model} 训练时学过的：指标因此偏高，"
                f"不说明模型对新文本的表现；请用模型没有学过的文本评估")
    if kind == "unsure_rows":
        return unsure_rows_note(record.unsure, record.count)
    if kind == "hidden_rows":
        return f"工作簿里有 {record.rows} 行在 Excel 中被隐藏（筛选或手动隐藏），也一并读入了"
    return None


def progress(record: logging.LogRecord) -> str | None:
    """A step of the library's long work (its INFO record's ``kind``) in Chinese, in the words of ``train``'s figures;
    None for the others."""
    kind = getattr(record, "kind", None)
    if kind == "fold":
        return f"{record.folds} 折交叉验证：第 {record.fold} 折"
    if kind == "fit_all":
        return f"在全部 {record.texts} 条文本上训练"
    return None


def tagging_progress(rows: int, share: float | None, all_tagged: bool = False, *, reading: bool = False,
                     seconds_left: float | None = None) -> str:
    """How far a tagging has got, for its page: the rows of its finished chunks and, where known, the share of the
    input read by their end (floored, so that 100% is said only of the whole) and ``seconds_left``, an estimate, said
    coarsely; or, ``all_tagged``, that what is left is writing the files. Before the first chunk, what is under way:
    ``reading`` (the model loaded), the input, else the start of the work and the loading of the model."""
    if all_tagged:
        return "已全部标注，正在写出结果文件和下载文件。"
    if not rows:
        if reading:
            return "模型已载入，正在读取文件、标注第一批行；这一批完成后，这里会显示已标注的行数和进度。"
        return "已收到上传的文件，正在启动标注、载入模型。"
    said = f"已标注 {rows:,} 行" + (f"（已完成约 {int(share * 100)}%）" if share is not None else "")
    return said + (f"，标注预计还需{_about(seconds_left)}" if seconds_left is not None else "") + "。"


def _about(seconds: float) -> str:
    """A time left said as coarsely as an estimate is worth: tens of seconds under a minute, whole minutes under ten,
    then fives of minutes, then tens; never less than 10 seconds."""
    if seconds <= 50:
        return f"约 {max(1, math.ceil(seconds / 10)) * 10} 秒"
    minutes = seconds / 60
    step = 1 if minutes < 10 else 5 if minutes < 60 else 10
    return f"约 {max(1, round(minutes / step)) * step} 分钟"
