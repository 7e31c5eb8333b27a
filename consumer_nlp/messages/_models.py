"""What is wrong with a model, a model file or a name the registry is given, said in Chinese with how to go on; and
what a registered version is, as a desk reads it."""
from types import MappingProxyType

from .._categories import CATEGORIES, in_guide_order
from .._moments import shown_time
from .._unicode import display_width, shown_escaped
from ..exceptions import (IncompatibleModelError, IntegrityError, InvalidNameError, ModelNotFoundError,
                          UntrustedModelError)

# A registered version's particulars as a desk reads them, wherever it does: `models list`, `models show` and the
# web's 模型 page (by the keys of the registry's list and of a version's metadata).
VERSION_WORDS = MappingProxyType({
    "name": "模型", "version": "版本", "latest": "最新版本", "versions": "版本数", "aliases": "别名",
    "created_at": "创建时间", "description": "说明", "tags": "标记", "training_data": "训练数据",
    "calibration_data": "校准数据", "macro_f1": "宏平均 F1", "accuracy": "准确率", "review_threshold": "复核阈值",
    "library_versions": "软件版本", "saved_as": "原登记为"})


# Why the registry refuses a name, by InvalidNameError's problem, from its particulars.
_NAME_REFUSED = {
    "characters": lambda d: "只能用小写字母 a-z、数字、汉字和 _ . -，以字母、数字或汉字开头，最多 64 个字符",
    "builtin": lambda d: "「default」是内置模型的名称",
    "model_file": lambda d: f"以 {d['suffix']} 结尾的名称会被当作模型文件",
    "windows": lambda d: "Windows 不能用它作文件夹的名称（设备名，或以 . 结尾），而注册表是可以共享的文件夹",
    "digits": lambda d: "全是数字的别名会被当作版本号",
}


def _name_refused(error, names: dict) -> str:
    """A model name or alias the registry refuses, in Chinese: why, and the flag that gives another; one looked up,
    as a name no model can have, and where the models are listed."""
    what = "别名" if error.details["parameter"] == "alias" else "模型名称"
    if error.details.get("lookup"):
        return (f"没有这样的{what}「{error.details['name']}」：{what}{_NAME_REFUSED[error.problem](error.details)}，不会"
                f"有模型用它。请用 consumer-nlp models list 查看已登记的模型、版本和别名（注册表不在默认位置时加 --registry）")
    flag = names.get(error.details["parameter"])
    return (f"{what}「{error.details['name']}」不能用：{_NAME_REFUSED[error.problem](error.details)}。请换一个{what}"
            + (f"（{flag}）" if flag else "") + "后再运行")


# Why the registry refuses a deletion, by InvalidNameError's problem, from its particulars.
_DELETION_REFUSED = {
    "no_version": lambda d: (f"没有写明要删除哪个版本（{d['name']}@{d['latest']} 是最新版本），删除无法撤销。请写成 "
                             f"{d['name']}@版本号（如 {d['name']}@{d['latest']}）后再运行"),
    "in_use": lambda d: (f"{d['name']}@{d['version']} 有别名 {'、'.join(d['aliases'])} 指向它，没有删除。请先用 "
                         f"consumer-nlp models alias 让别名指向别的版本，或用 consumer-nlp models unalias 删除别名，"
                         f"再删除这个版本"),
}


# Each other kind of a model's error, as a desk reads it.
_MODEL_KINDS = [
    (ModelNotFoundError, "找不到模型。请用 consumer-nlp models list 查看已登记的模型、版本和别名（注册表不在默认位置时"
                         "加 --registry），或给出 .cnlp 模型文件的路径"),
    (UntrustedModelError, "模型文件已损坏，或含有模型不该有的内容，没有加载。请改用由 consumer-nlp train 保存的模型文件"),
    (IncompatibleModelError, "模型文件的格式与这个版本的 consumer_nlp 不符。较新版本保存的，请升级 consumer_nlp（pip "
                             "install -U consumer_nlp）；0.1 版的 .skops 文件，请先用 consumer-nlp models convert 转换"),
    (IntegrityError, "保存的文件与保存时的记录不符（被改动、截断或缺失），没有使用。请从备份恢复它，或重新训练并登记这个模型"),
]


def unusable_model_note(name: str, problem: str) -> str:
    """A model of the registry that cannot be used (damaged, or not to be read: ``problem``, as the registry's list
    says it), in Chinese, for the line a front end lists it on."""
    return f"模型 {name} 无法使用（已损坏或没有权限读取）：{problem}"


def model_headline(error: Exception, names: dict) -> str | None:
    """A model's or the registry's error in Chinese, with how to go on; None for an error of no such kind."""
    if isinstance(error, InvalidNameError) and error.problem in _DELETION_REFUSED:
        return _DELETION_REFUSED[error.problem](error.details)
    if isinstance(error, InvalidNameError):
        return _name_refused(error, names)
    if isinstance(error, ModelNotFoundError) and error.details.get("data_file"):
        return (f"「{error.details['data_file']}」是数据文件，不是模型：模型写在前面，数据写在后面（模型是 default、注册表里的"
                f"名称或 .cnlp 文件）。请检查两者的顺序后再运行")
    if isinstance(error, IncompatibleModelError) and error.problem == "current":
        return "这已经是这个版本的模型文件（.cnlp），不用转换，可以直接使用；没有写出任何文件"
    return next((said for kind, said in _MODEL_KINDS if isinstance(error, kind)), None)


def _figure(value) -> str:
    """A figure of a version as the web's 模型 page shows it (0.912), anything else as it is."""
    return f"{value:.3f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _data_in_chinese(fingerprint) -> str | None:
    """Training or calibration data as a version's metadata records it: rows, and rows per category."""
    if not isinstance(fingerprint, dict) or "rows" not in fingerprint:
        return None
    counts = fingerprint.get("label_counts")
    per_label = ("：" + "、".join(f"{CATEGORIES.get(label, label)} {counts[label]}" for label in in_guide_order(counts))
                 if isinstance(counts, dict) and counts else "")
    return f"{fingerprint['rows']} 行{per_label}"


def _moment_in_chinese(recorded) -> str:
    """When a version was made as a desk's moments are shown (local time, its offset said); a date edited by hand
    into no moment, as it is."""
    try:
        return shown_time(recorded, seconds=False)
    except (ValueError, TypeError, OverflowError):
        return str(recorded)


def version_in_chinese(info: dict) -> list[str]:
    """A registered version (``ModelRegistry.info``) as lines a desk reads, each a particular and its value: what it
    is, when it was made, of which data, how well it did in cross-validation, by which software. Its hashes, its
    parameters and the per-category figures are left to the metadata itself (a field missing, or edited by hand
    into another type, is left out or shown as it is)."""
    figures = info.get("cv_metrics") if isinstance(info.get("cv_metrics"), dict) else {}
    unmeasured = "—（训练时没有做交叉验证）"
    training = info.get("training_data")
    software = info.get("library_versions") if isinstance(info.get("library_versions"), dict) else {}
    tags = info.get("tags") if isinstance(info.get("tags"), dict) else {}
    said = {
        "name": info.get("name"), "version": info.get("version"), "saved_as": info.get("saved_as"),
        "aliases": "、".join(map(str, info.get("aliases") or [])),
        "created_at": _moment_in_chinese(info["created_at"]) if info.get("created_at") else None,
        "description": info.get("description"), "tags": "、".join(f"{k}：{v}" for k, v in tags.items()),
        "training_data": _data_in_chinese(training),
        "calibration_data": _data_in_chinese(training.get("calibration_data")) if isinstance(training, dict) else None,
        "macro_f1": f"{_figure(figures['macro_f1'])}（交叉验证）" if figures.get("macro_f1") is not None else unmeasured,
        "accuracy": f"{_figure(figures['accuracy'])}（交叉验证）" if figures.get("accuracy") is not None else unmeasured,
        "review_threshold": _figure(info["review_threshold"]) if info.get("review_threshold") is not None else None,
        "library_versions": "、".join(f"{'分词' if k == 'tokenizer_backend' else k} {v}" for k, v in software.items()),
    }
    shown = [(VERSION_WORDS[key], shown_escaped(str(value))) for key, value in said.items() if value not in (None, "")]
    width = max(display_width(word) for word, _ in shown) + 2
    return [word + " " * (width - display_width(word)) + value for word, value in shown]
