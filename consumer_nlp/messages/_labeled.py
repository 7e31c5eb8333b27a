"""What is wrong with labeled data (a :class:`LabeledDataError`'s ``problem``, or each bad row's fault), said in
Chinese with how to go on, in the front end's ``names`` for the parameters."""
from .._categories import CATEGORIES, LABELS, doubtful_label, label_fault
from .._unicode import quoted
from ..exceptions import LabeledDataError
from ._rows import place_in_chinese, why_unparseable


def _did_you_mean(near) -> str:
    """（是不是「near」？） for a category's ``near`` spelling, or nothing where none is near."""
    return f"（是不是「{near}」？）" if near else ""


def nearest_category_in_chinese(value) -> str:
    """（是不是「价格/计量」？） for the category nearest a ``value`` that names none (「价格」), by its Chinese name, as a
    drop-down of the categories lists it; nothing where none is near."""
    near = label_fault(value)[1].get("near")
    return _did_you_mean(CATEGORIES.get(near, near))


# What is wrong with a row of labeled data, by its fault's kind (LabeledDataError's ``faults``), from its particulars.
_LABELED_FAULTS = {
    "text_missing": lambda d: "没有文本（这一格不是文字）",
    "text_empty": lambda d: "文本为空",
    "text_excel_error": lambda d: f"文本是 Excel 的错误值 {d['error']}（公式没有找到内容），不是一条投诉",
    "text_unreadable": lambda d: "文本只有空格、看不见的字符或网页的空格，没有可读的内容",
    "label_empty": lambda d: "类别为空",
    "unknown_label": lambda d: (f"类别「{d['label']}」不是六个类别之一" + _did_you_mean(d["near"])
                                + f"：应填 {'、'.join(LABELS)}，或中文名 {'、'.join(CATEGORIES.values())}"),
    "names_row": lambda d: (f"这一行又是列名（「{d['text']}」「{d['label']}」），是两份文件拼在一起时一并粘贴进来的，"
                            "不是一条投诉：请删去这一行"),
    "unparseable_row": lambda d: f"格式有误（{why_unparseable(d['fault'], d['details'], d['format'])}）",
}


def labeled_fault_in_chinese(where: str, fault: tuple | None) -> str | None:
    """A bad row of labeled data, its place and its ``fault`` (kind, particulars), in Chinese; None for a fault of no
    kind (its English is all there is)."""
    if fault is None or fault[0] not in _LABELED_FAULTS:
        return None
    return f"{place_in_chinese(where)}：{_LABELED_FAULTS[fault[0]](fault[1])}"


# What a labeled file's text column holds instead of complaints, by LabeledDataError's problem.
_NOT_TEXTS = {"categories_as_texts": "里是类别名称", "few_texts": "里只有几种不同的值（像渠道、地区或投诉类型）"}


def _too_few_examples(details: dict, names: dict) -> str:
    """Labeled data too small for its cross-validation's folds, in Chinese, and how to go on."""
    cv, some = details["cv"], "不同的" if details.get("copies") else ""  # copies of a text count once in the folds
    short = "、".join(f"{CATEGORIES.get(label, label)}（{label}）只有 {n} 条" for label, n in details["short"].items())
    short += "（重复的文本只算一条）" if some else ""

    def folds(n):
        return f"{names['cv']} {n}" if "cv" in names else f"cv={n}"

    if not cv:  # no cross-validation: the fit on all needs them
        return f"每个类别至少要 {details['needed']} 条例子才能训练：{short}，没有训练。请给这些类别补充例子后再运行"
    if details.get("every_label"):  # none short of each fold's three, but stratified folds need a label in each
        said = f"做 {cv} 折交叉验证，至少要有一个类别有 {cv} 条{some}例子，现在{short}，没有训练。请补充例子"
    elif details["short"]:  # fewer folds train each on fewer examples: only more folds, or none, would do
        said = (f"做 {cv} 折交叉验证，每个类别至少要 {details['needed']} 条{some}例子：{short}，没有训练。"
                f"请给这些类别补充例子")
        if details.get("folds"):
            said += f"，或用 {folds(details['folds'])}（{details['folds']} 折交叉验证：折数多，每折训练用的例子也多）"
        if details.get("fits"):
            said += f"，或用 {folds(0)}（不做交叉验证）"
        return said + "后再运行"
    else:
        said = (f"做 {cv} 折交叉验证至少要 {cv} 条{some}文本，只有 {details['texts']} 条"
                f"{'（重复的文本只算一条）' if some else ''}，没有训练。请补充例子")
    option = names.get("cv", "cv")
    return said + f"，或用 {option} 指定较少的折数（{folds(0)} 不做交叉验证）后再运行"


def _one_group(details: dict, names: dict) -> str:
    """A group column of one value, in Chinese, and how to go on."""
    option = names.get("group_col", "group_col")
    return (f"「{details['column']}」列只有一个值（{'、'.join(map(str, details['values']))}），留不出一组文本来校准置信度，"
            f"没有训练。请用 {option} 指定标明文本出处、有几种不同取值的列，或不用 {option}")


def _groups_in_chinese(problem: str, details: dict, names: dict) -> str:
    """Groups that cannot be held out in turn to calibrate (LabeledDataError's ``few_to_calibrate`` or
    ``groups_split_labels``), in Chinese, and how to go on."""
    option = names.get("group_col", "group_col")
    if problem == "few_to_calibrate":
        held = details["held"]
        groups = "、".join(f"「{group}」" for group in held[:3]) + (f"等 {len(held)} 组" if len(held) > 3 else "一组")
        said = (f"按「{details['column']}」列留出{groups}，只剩 {details['left']} 条文本可学，每个类别都不到 2 条，"
                f"不够校准置信度")
    else:
        said = (f"「{details['column']}」列的各组把类别分开了（每个类别只在一组里出现：是不是类别列？），留出一组时模型没见过"
                f"它的类别，每条文本都会送去复核")
    return (f"{said}，没有训练。请用 {option} 指定标明文本出处、各组都有多个类别而大小相近的列，或不用 {option}")


def _labels_named(holding, not_labels, names: dict) -> str:
    """How to have the labels read from their column (``holding`` them, where one was seen), with the front end's
    name for ``label_col``; a front end without one (the web's corpus) is told to rename the column in the file, to
    label, the first name looked for (and the column ``not_labels`` that has a label column's name, to another)."""
    if "label_col" in names:
        return f"用 {names['label_col']}{'' if holding is None else f' {holding}'} 指定类别所在的列"
    column = "类别所在的列" if holding is None else f"「{holding}」列"
    other = "" if not_labels is None else f"把「{not_labels}」列改用别的列名，"
    return f"在文件里{other}把{column}的列名改为「label」"


def _header_row_named(names_row: list, names: dict) -> str:
    """How to have the column names read from the row ``names_row`` ([row, a name in it]) shows them in, with the
    front end's name for ``header_row``; a front end without one is told to delete the rows above it."""
    row, name = names_row
    seen = f"（第 {row} 行像是列名，含「{name}」）"
    if "header_row" in names:
        return f"用 {names['header_row']} {row} 指定列名所在的行{seen}"
    return f"在文件里删去第 {row} 行上面的 {row - 1} 行，让列名在第一行{seen}"


# A LabeledDataError's particulars naming the text or the label column for groups: the column's, and what that makes.
_GROUPS_ON = {"groups_are_texts": ("text", "投诉文本", "每条投诉会自成一组"),
              "groups_are_labels": ("label", "类别", "每组只有一个类别")}


def _header_in_chinese(details: dict, names: dict) -> str:
    """What is wrong with labeled data's columns (a LabeledDataError's ``header`` particulars), in Chinese, and how to
    go on with the front end's ``names`` for its parameters; where it has none, by the columns' names in the file."""
    def flag(parameter: str) -> str:
        return names.get(parameter, f"{parameter}=…")

    columns = "、".join(map(str, details["columns"]))
    if details.get("swapped") is not None:  # [text_col, label_col], each holding the other's values
        texts, labels = details["swapped"]
        go_on = (f"用 {names['text_col']} {labels} {names['label_col']} {texts} 指定"
                 if "text_col" in names and "label_col" in names else "在文件里把这两列的列名对调")
        return (f"标注数据的表头有问题，没有使用：当作投诉文本的「{texts}」列填的是类别，当作类别的「{labels}」列填的却不是"
                f"类别，两列像是对调了（列名有：{columns}）。请{go_on}后再运行")
    if details.get("same") is not None:
        return (f"标注数据的表头有问题，没有使用：文本和类别指的是同一列「{details['same']}」（列名有：{columns}）。请用 "
                f"{flag('text_col')} 和 {flag('label_col')} 分别指定投诉文本和类别所在的列后再运行")
    for said, (column, what, so) in _GROUPS_ON.items():  # the texts or the labels named as the groups
        if details.get(said) is not None:
            return (f"标注数据的表头有问题，没有使用：{flag(details[said])} 指的是{what}所在的「{details[column]}」列，按它分组，"
                    f"{so}（列名有：{columns}）。请用 {flag(details[said])} 指定来源、渠道或区县等所在的列后再运行")
    missing = details.get("missing", {})  # {parameter: the column it names, which the file lacks}
    wrong = [f"没有「{column}」列" for column in missing.values()]
    if details.get("no_label_column"):
        wrong.append("找不到类别所在的列：没有一列叫 label、类别、分类或标签")
    if details.get("not_labels") is not None:
        wrong.append(f"「{details['not_labels']}」列按列名当作类别列，但它" + ("一行也没有填" if details.get("empty")
                                                                       else "填的不是类别"))
    if details.get("holding") is not None:
        wrong.append(f"「{details['holding']}」列填的是类别")
    names_row = details.get("names_row")
    if names_row:
        go_on = [_header_row_named(names_row, names)]
    else:
        go_on = [f"用 {names[parameter]} 指定{what}所在的列" if parameter in names
                 else f"在文件里把{what}所在的列的列名改为「{missing[parameter]}」" for parameter, what in
                 (("text_col", "投诉文本"), ("label_col", "类别"), ("group_col", "文本出处"), ("by", "分组依据"))
                 if parameter in missing]
        if details.get("empty"):  # a desk's template not labeled yet, or the labels in another column
            go_on.append("给各行填上类别")
        if (details.get("no_label_column") or details.get("not_labels") is not None) and "label_col" not in missing:
            go_on.append(_labels_named(details.get("holding"), details.get("not_labels"), names))
    return f"标注数据的表头有问题，没有使用：{'；'.join(wrong)}（列名有：{columns}）。请{'，或'.join(go_on)}后再运行"


# How many bad rows of labeled data are said in Chinese above the library's English (which lists more).
_BAD_ROWS_SHOWN = 20


def _bad_rows(error) -> str:
    """Labeled data's bad rows, in Chinese: how many, how to go on, then each row's place and fault (the first
    ``_BAD_ROWS_SHOWN`` of them), in lines below."""
    shown = min(_BAD_ROWS_SHOWN, len(error.problems))
    listed = "逐处列在下面" if shown == len(error.problems) else f"下面列出前 {shown} 处"
    said = [labeled_fault_in_chinese(where, fault) for (where, _), fault in zip(error.problems[:shown], error.faults)]
    return (f"标注数据有 {len(error.problems)} 处问题，没有使用（{listed}）。请在文件里改正这些行后再运行"
            + "".join(f"。\n  {line}" for line in said if line))


def _calibration_trained(details: dict, names: dict) -> str:
    """Calibration data holding texts of the training data, in Chinese, and how to go on."""
    option = names.get("calibration_data", "calibration_data=…")
    return (f"校准数据里有 {details['texts']} 条文本也在训练数据里（如「{quoted(details['example'])}」），没有训练：校准置信度"
            f"要用模型没有学过的文本。请从 {option} 的文件里删去这些文本，或换用别的文件后再运行")


def _calibration_labels(details: dict, names: dict) -> str:
    """Calibration data labeled with categories the training data has no example of, in Chinese, and how to go on."""
    option = names.get("calibration_data", "calibration_data=…")
    found = "、".join(f"{CATEGORIES.get(label, label)}（{label}）{n} 条" for label, n in details["labels"].items())
    return (f"校准数据里有训练数据没有的类别：{found}，没有训练：模型学不到这些类别，也就不能用它们校准置信度。请给训练"
            f"数据补充这些类别的例子，或从 {option} 的文件里删去这些行后再运行")


# What labeled data is used for, by its ``use``, as a desk says it.
_USES = {"training": "训练", "evaluation": "评估"}


def _if_labels_elsewhere(column, names: dict) -> str:
    """How to name the label column, should the labels not be in ``column`` (read as the label column), in the front
    end's ``names``; "" where it has no name for it, or the labels were given as pairs (no column)."""
    if column is None or "label_col" not in names:
        return ""
    return f"；类别不在「{column}」列时，请用 {names['label_col']} 指定类别所在的列"


def _marks_in_chinese(details: dict) -> str:
    """The rows without a label a desk marked as not labeled yet, or labeled in doubt (质量问题？), (``marks``, {mark:
    rows}), in Chinese, the first five marks named: "" where none is."""
    marks = details.get("marks") or {}
    if not marks:
        return ""
    marked = sum(marks.values())
    doubt = "或带问号的存疑类别" if any(map(doubtful_label, marks)) else ""
    return (f"{'' if marked == details['unlabeled'] else f'其中 {marked} 行'}填的是表示还没有标注的记号{doubt}："
            f"{marks_counted(marks)}")


def marks_counted(marks: dict) -> str:
    """Marks a desk wrote for "not labeled yet" or "not reviewed yet" (``marks``, {mark: rows}), the first five named
    with their rows: 「待定」2 行、「/」1 行."""
    return "、".join(f"「{mark}」{rows} 行" for mark, rows in list(marks.items())[:5]) + ("…" if len(marks) > 5 else "")


def _no_labeled_rows(details: dict, names: dict) -> str:
    """Labeled data without a labeled row, in Chinese, and how to go on."""
    unlabeled, column = details["unlabeled"], details.get("column")
    marked = f"，{_marks_in_chinese(details)}" if details.get("marks") else ""
    said = (f"标注数据里没有一行填了类别的文本（{f'{unlabeled} 行都没有填类别{marked}' if unlabeled else '没有数据行'}），"
            f"没有{_USES.get(details['use'], '使用')}。" + ("请给这些行填上类别后再运行" if unlabeled else "请检查是否选错了文件"))
    return said + _if_labels_elsewhere(column, names)


def _one_label(details: dict, names: dict) -> str:
    """Training data of one label, in Chinese, and how to go on."""
    label, column = details["label"], details.get("column")
    said = (f"标注数据里填了类别的 {details['rows']} 行都是「{CATEGORIES.get(label, label)}」（{label}），只有一个类别，模型"
            f"学不到怎样区分类别，没有训练。请补充其他类别的例子后再运行")
    return said + _if_labels_elsewhere(column, names)


def _numbered_labels(details: dict, names: dict) -> str:
    """A label column of numbers, all or part (the first rows of them named), in Chinese, and how to go on: the names
    to write, by the desk's own code table."""
    column, numbers, first_rows = details.get("column"), details["numbers"], details.get("first_rows")
    shown = "、".join(numbers) + ("…" if details["different"] > len(numbers) else "")
    where = "类别" if column is None else f"「{column}」列"
    if first_rows:
        more = "等" if details["rows"] > len(first_rows) else ""
        what = f"{where}有 {details['rows']} 行填的是数字（{shown}；如第 {'、'.join(map(str, first_rows))} 行{more}）"
    else:
        what = f"{where}填的是数字（{shown}，共 {details['rows']} 行）"
    said = (f"{what}，数字不代表类别，"
            f"没有使用。六个类别没有公认的编号，不能按顺序猜；请按贵单位的编码表把每个数字换成类别名称后再运行："
            f"{'、'.join(f'{name}（{label}）' for label, name in CATEGORIES.items())}")
    holding = details.get("holding")
    if holding is not None:
        said += f"；「{holding}」列填的就是类别，请{_labels_named(holding, column, names)}"
    return said


def _few_texts(details: dict, names: dict) -> str:
    """A text column whose rows repeat a few texts, in Chinese, with its counts: a column of channels or types, or a
    sheet pasted several times under itself (150 complaints six times are no "few values" to a desk)."""
    rows, different = details["rows"], details["different"]
    said = (f"「{details['column']}」列的 {rows} 行里只有 {different} 种不同的文本（每种平均 {rows / different:.0f} 行），"
            f"像是渠道、地区或投诉类型，不是投诉内容，没有训练。")
    option = f"请用 {names['text_col']} 指定投诉内容所在的列；" if "text_col" in names else ""
    return said + f"{option}若是同一批行粘贴了几遍，请删去重复的行后再运行"


def labeled_headline(error: LabeledDataError, names: dict) -> str:
    """What is wrong with labeled data and how to go on, in Chinese: its ``problem``, else its bad rows."""
    if error.problem == "few_texts" and "different" in error.details and error.details.get("column") is not None:
        return _few_texts(error.details, names)
    if error.problem in _NOT_TEXTS and error.details.get("column") is not None:
        said = f"「{error.details['column']}」列{_NOT_TEXTS[error.problem]}，不是投诉内容，没有训练"
        return said + (f"。请用 {names['text_col']} 指定投诉内容所在的列后再运行" if "text_col" in names else "")
    if error.problem == "mostly_unlabeled":
        marked = f"（{_marks_in_chinese(error.details)}）" if error.details.get("marks") else ""
        said = (f"「{error.details['column']}」列只有 {error.details['labeled']} 行填了类别，{error.details['unlabeled']} "
                f"行没有填{marked}，没有训练。这一列若没有选错，请删去没有类别的行（或给它们填上类别）后再运行")
        return said + (f"；否则请用 {names['label_col']} 指定类别所在的列" if "label_col" in names else "")
    if error.problem == "few_examples":
        return _too_few_examples(error.details, names)
    if error.problem == "one_group":
        return _one_group(error.details, names)
    if error.problem in ("few_to_calibrate", "groups_split_labels"):
        return _groups_in_chinese(error.problem, error.details, names)
    if error.problem == "header":
        return _header_in_chinese(error.details, names)
    if error.problem == "calibration_trained":
        return _calibration_trained(error.details, names)
    if error.problem == "calibration_labels":
        return _calibration_labels(error.details, names)
    if error.problem == "no_labeled_rows":
        return _no_labeled_rows(error.details, names)
    if error.problem == "one_label":
        return _one_label(error.details, names)
    if error.problem == "numbered_labels":
        return _numbered_labels(error.details, names)
    return _bad_rows(error)
