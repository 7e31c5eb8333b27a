"""Training from labeled data, with cross-validated figures attached to the fitted model."""
import inspect
from collections import Counter

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from ._categories import CATEGORIES, in_guide_order, label_of
from ._classifier import (ComplaintClassifier, different_texts_per_label, group_folds, group_folds_problem,
                          text_folds)
from .features import normalize_many
from .exceptions import ArchiveError, LabeledDataError
from .io import LabeledData, read_labeled
from ._metrics import classification_metrics
from ._params import parameter_problems
from ._values import LabeledSource, check_count
from ._warned import log


def cross_validate(model: ComplaintClassifier, texts, labels, cv: int = 5, random_state: int = 0,
                   groups=None, calibration=None, fit_groups=None) -> dict:
    """Held-out figures for ``model`` on ``cv`` stratified folds (each fold's model and threshold).

    Texts the model reads alike (copies, a space or a width apart) are held out together, so that no
    fold tests a text it learned. With ``groups`` (a register or source per text), each group's texts
    are held out together, so the figures say how the model does on a kind of writing it has not seen. ``calibration``
    (texts, labels) goes to every fold's fit, and so do ``fit_groups`` (default: ``groups``), so
    that each fold's model is calibrated as the final one is (see :meth:`ComplaintClassifier.fit`).
    """
    texts = np.asarray(texts, dtype=object)
    labels = np.asarray(labels, dtype=object)
    predicted = np.empty(len(labels), dtype=object)
    confidence = np.zeros(len(labels))
    review = np.zeros(len(labels), dtype=bool)
    if groups is None:  # copies of a text tested by a fold that learned one: 1.000
        folds = text_folds(normalize_many(list(texts)), labels, cv, shuffle=True, random_state=random_state)
    else:
        folds = GroupKFold(n_splits=cv).split(texts, labels, groups)
    fit_groups = np.asarray(groups if fit_groups is None else fit_groups, dtype=object) \
        if (groups is not None or fit_groups is not None) else None
    for fold, (train, test) in enumerate(folds, start=1):
        log.info("cross-validation: fold %d of %d", fold, cv, extra={"kind": "fold", "fold": fold, "folds": cv})
        held_out_by = None if fit_groups is None or len(set(fit_groups[train])) < 2 or group_folds_problem(
            labels[train], fit_groups[train], model.cv) else fit_groups[train]  # a fold may hold too little of a group
        fold_model = clone(model).fit(list(texts[train]), labels[train], groups=held_out_by, calibration=calibration)
        for i, record in zip(test, fold_model.tag(list(texts[test]))):
            predicted[i], confidence[i], review[i] = record["category"], record["confidence"], record["needs_review"]
    metrics = classification_metrics(labels, predicted, confidence, review, in_guide_order(labels))
    metrics["folds"] = cv
    return metrics


def _fold_needs(cv: int) -> int:
    """The examples of each label ``cv`` folds need, each fold training on three or more of them (``cv`` 0: the
    one fit on all, three)."""
    return next(n for n in range(3, 3 * cv + 1) if n - -(-n // cv) >= 3) if cv else 3


def _check_folds(labeled: LabeledData, readings: list[str], cv: int) -> None:
    """Each fold of ``cv`` trains on what the others hold of a label; fitting needs 3 of each (``cv`` 0: the one
    fit on all). Copies of a text (its ``readings``, as the model reads it) are held out together, so folds count
    them once."""
    rows = len(labeled.labels)
    read = readings if cv else labeled.texts
    pairs = set(zip(read, labeled.labels)) if cv else list(zip(labeled.texts, labeled.labels))
    texts = len({reading for reading, _ in pairs}) if cv else rows
    needed = _fold_needs(cv)
    short = {label: n for label, n in Counter(label for _, label in pairs).items() if n < needed}
    copies = " different" if texts < rows else ""  # a text and its copies are one example of the folds
    every = {}  # every label short of the folds' number, where none is short of needed
    ways = {}  # what else would train, where some labels are short of needed
    if not cv and short:
        said = (f"fitting needs at least {needed} examples of each label; too few for: "
                f"{', '.join(f'{label} ({n})' for label, n in short.items())}. Add examples")
    elif cv > texts:
        said = (f"cv={cv} folds need at least {cv}{copies} texts; there are {texts}: pass fewer folds, or cv=0 to "
                f"train without the cross-validated figures")
    elif short:
        # More folds train each on more (4 of a label do from 4 folds on), fewer on less: never advised here.
        fewest = min(short.values())
        folds = next((k for k in range(cv + 1, min(fewest, texts) + 1) if _fold_needs(k) <= fewest), None)
        rows_of = Counter(labeled.labels)
        fits = all(rows_of[label] >= _fold_needs(0) for label in short)  # cv=0: the fit on all counts copies
        ways = {"folds": folds} if folds else {}
        ways |= {"fits": True} if fits else {}
        options = ["Add examples"] + ([f"pass cv={folds} (more folds train each on more)"] if folds else []) + (
            ["pass cv=0 to train without the cross-validated figures"] if fits else [])
        said = (f"cross-validation in {cv} folds needs at least {needed}{copies} examples of each label (each fold "
                f"trains on the rest{', a text and its copies held out together' if copies else ''}); too few for: "
                f"{', '.join(f'{label} ({n})' for label, n in short.items())}. "
                + ", ".join(options[:-1]) + (", or " if len(options) > 2 else " or " if options[:-1] else "")
                + options[-1])
    elif cv and max((per_label := different_texts_per_label(read, labeled.labels)).values()) < cv:
        # stratified folds: some label in each of them
        needed, short, every = cv, dict(per_label), {"every_label": True}
        said = (f"cv={cv} folds need at least {cv}{copies} texts of one label (the folds are drawn label by label); "
                f"there are {', '.join(f'{label} ({n})' for label, n in short.items())}: add examples, pass fewer "
                f"folds, or cv=0 to train without the cross-validated figures")
    else:
        return
    raise LabeledDataError(labeled.source, [(_labels_column(labeled), said)], "few_examples", cv=cv, needed=needed,
                           short=short if cv <= texts else {}, texts=texts, **({"copies": True} if copies else {}),
                           **every, **ways)


def _check_texts_vary(labeled: LabeledData) -> None:
    """Refuse texts that are a column of a few values (a channel or a type of complaint named as the text column
    by mistake): a model of them would tag by channel or by a word of the type, or send everything to review."""
    # Labeled complaints are each written once: some repeat (copies, a template), and a labeler's slip labels a
    # few of those two ways (none in the corpus's 11,775 texts nor in the 428 of the real development set). A
    # column of a few values holds few texts that every label falls on: 94,200 rows of eight channel names made
    # 69,658 conflicts, 8,700 for each text. So refused where the conflicts outnumber the different texts (each
    # text labeled otherwise more than once, on average): real labels come nowhere near it, and such a column
    # meets it once its rows outnumber its values a few times over (eight channels: from 24 to 60 rows, as spread
    # as the labels are).
    # A column of types spelt otherwise than the categories (质量, 安全, 服务态度), each kept to one label, conflicts
    # nowhere; it only repeats: so refused too where more than four rows in five repeat a text, which labeled
    # complaints, each written once, never do (ten values over 240 rows repeat in 96%).
    distinct = len(labeled.texts) - len(labeled.duplicates) - len(labeled.conflicts)  # each row is one of the three
    if len(labeled.conflicts) > distinct or len(labeled.duplicates) + len(labeled.conflicts) > 4 * distinct:
        common = ", ".join(f"{text[:20]!r} ({n})" for text, n in Counter(labeled.texts).most_common(3))
        raise LabeledDataError(labeled.source, [(_texts_column(labeled), (
            f"{len(labeled.texts)} rows hold {distinct} different texts (as the model reads them; most often "
            f"{common}), and {len(labeled.conflicts)} rows label their text otherwise than the row that first holds "
            f"it: these are not complaint texts (a channel, a region or a type of complaint?); name the column of the "
            f"complaints with text_col=…"))], "few_texts", column=labeled.text_col,
            rows=len(labeled.texts), different=distinct)


def _check_texts_are_not_categories(labeled: LabeledData) -> None:
    """Refuse texts that are mostly category names or labels (a column of complaint types, or the label column,
    named as the text column): they conflict nowhere, only repeat, and a model of them learns the names."""
    # A category's name is no complaint: none of the 14,473 texts of the corpus, the held-out set, the hard
    # mixtures and the real development set is one. A column of categories holds them in nearly every row, or,
    # where its list of types is longer than the guide's six (服务问题, 合同纠纷), in most. So refused where most
    # rows hold one, not only nine in ten: a real file keeps room for stray names (其他 typed as a text), short
    # of being mostly names, and a column of types half of which are ours is caught too.
    named = {text: n for text, n in Counter(labeled.texts).items() if label_of(text) is not None}
    held = sum(named.values())
    if held * 2 > len(labeled.texts):
        common = ", ".join(f"{text.strip()!r} ({n})" for text, n in Counter(named).most_common(3))
        raise LabeledDataError(labeled.source, [(_texts_column(labeled), (
            f"{held} of {len(labeled.texts)} rows hold a category's label or name as their text (most often "
            f"{common}): these are categories, not complaint texts (the label column, or a column of complaint "
            f"types?); name the column of the complaints with text_col=…"))],
            "categories_as_texts", column=labeled.text_col)


def _check_mostly_labeled(labeled: LabeledData) -> None:
    """Refuse data of which fewer than half the rows have a label. Evaluating on a labeled sample of an archive is
    what desks do; training data is labeled throughout, so a label column empty in most rows is more likely the wrong
    column (a 类型 of goods filled now and then), the wrong sheet or a labelling not finished, and its model would be
    one of a fraction of the file. Training on a sample is said by deleting the rows without a label."""
    if len(labeled.unlabeled) > len(labeled.texts):
        total = len(labeled.texts) + len(labeled.unlabeled)
        raise LabeledDataError(labeled.source, [(_labels_column(labeled), (
            f"only {len(labeled.texts)} of the {total} rows have a label"
            f"{f' ({labeled.marks_said()})' if labeled.marks else ''}, the first without one at "
            f"{labeled.unlabeled[0]}: if these are the labels, delete the rows without one (or fill them in) to train "
            f"on the rest; else name the label column with label_col=…"))], "mostly_unlabeled",
            labeled=len(labeled.texts), unlabeled=len(labeled.unlabeled), column=labeled.label_col,
            **({"marks": labeled.marks} if labeled.marks else {}))


def _check_labels_differ(labeled: LabeledData) -> None:
    """Refuse training data whose rows all have one label: a model learns to tell categories apart, and there is
    nothing to tell (a label column of one value, or a file of one category's examples)."""
    if len(set(labeled.labels)) == 1:
        label, rows = labeled.labels[0], len(labeled.labels)
        raise LabeledDataError(labeled.source, [(_labels_column(labeled), (
            f"all {rows} labeled rows are labeled {label}: a model learns to tell categories apart, so it needs "
            f"examples of at least two; add examples of the other categories, or name the label column with "
            f"label_col=…"))], "one_label", label=label, rows=rows, column=labeled.label_col)


def _texts_column(labeled: LabeledData) -> str:
    """Where the texts of ``labeled`` were read from, as its problems name it."""
    return "the texts" if labeled.text_col is None else f"column {labeled.text_col!r}"


def _labels_column(labeled: LabeledData) -> str:
    """Where the labels of ``labeled`` were read from, as its problems name it."""
    return "the labels" if labeled.label_col is None else f"column {labeled.label_col!r}"


def _labels_apart(labels, groups, cv: int) -> bool:
    """Whether holding ``groups`` out in turn (as the model's fit does) never tests a text whose label its
    fold trained on (a group column that is the labels): the model would then send every text to review."""
    labels = np.asarray(labels, dtype=object)
    return not any(np.isin(labels[test], labels[train]).any() for train, test in group_folds(labels, groups, cv))


def _check_groups(labeled: LabeledData, group_col: str, cv: int) -> None:
    """Refuse groups that cannot be held out in turn to calibrate, in ``cv`` folds: one that leaves a fold too
    little to learn from, or groups that split the labels between them."""
    if thin := group_folds_problem(labeled.labels, labeled.groups, cv):
        raise LabeledDataError(labeled.source, [(f"column {group_col!r}", f"group_col=… ({group_col!r}): {thin}")],
                               "few_to_calibrate", column=group_col, held=thin.held, left=thin.left)
    if _labels_apart(labeled.labels, labeled.groups, cv):
        raise LabeledDataError(labeled.source, [(f"column {group_col!r}", (
            f"group_col=… ({group_col!r}): the groups split the labels between them (is it the label column?), so no "
            f"held-out text would be calibrated by a model that saw its label, and every text would go to review; "
            f"name a column that says where texts come from, or none"))], "groups_split_labels", column=group_col)


# Fewer different texts than this, and train warns that the model will be much weaker than the default one. Measured
# on 2026-12-07: models fitted (cv=0, default settings) on stratified draws of the corpus, scored on the held-out split
# (texts, macro-F1, mean of two draws); the default model, of 11,775 texts, scores 0.935. On ../shared/dev/real_dev.csv
# the same models reached an accuracy of 0.382, 0.532, 0.653 and 0.695, against the default model's 0.755.
FEW_TEXTS = 1000
MEASURED_ON_FEW_TEXTS = ((60, 0.425), (300, 0.677), (1200, 0.825), (3000, 0.885))


def _warn_of_few_texts(readings: list[str]) -> None:
    """Warn when the model learns from fewer than ``FEW_TEXTS`` different texts, with what such models were measured
    to do (``MEASURED_ON_FEW_TEXTS``): with cv=0 no figure would say it. The record carries ``kind``
    "small_training_data", ``texts`` and ``measured``."""
    texts = len(set(readings))
    if texts >= FEW_TEXTS:
        return
    measured = "; ".join(f"{n:,} texts {f1:.3f}" for n, f1 in MEASURED_ON_FEW_TEXTS)
    log.warning("%d different texts to learn from: models trained on as few were measured far weaker than the "
                "default model (macro-F1 on the project's held-out split: %s; the default model 0.935); compare this "
                "one with the default on labeled texts of your own before using it", texts, measured,
                extra={"kind": "small_training_data", "texts": texts, "measured": MEASURED_ON_FEW_TEXTS})


def _check_params(params: dict) -> None:
    """Refuse, before the data is read, a keyword that is neither train's nor a model parameter (a misspelled
    ``text_column``), named as train's, and a model parameter out of its range."""
    own = [name for name in inspect.signature(train).parameters if name not in ("data", "params")]
    model = ComplaintClassifier().get_params()
    unknown = [name for name in params if name not in model]
    if unknown:  # cv is train's own (cross-validation's folds), so not said among the model's
        raise TypeError(f"train() got an unexpected keyword argument {unknown[0]!r}: it takes {', '.join(own)} and "
                        f"the model's parameters {', '.join(name for name in model if name not in own)}")
    problems = parameter_problems(params)
    if problems:
        raise ValueError("; ".join(problems))


def _read_calibration(calibration_data: LabeledSource, **read) -> LabeledData:
    """``calibration_data`` read and checked as :func:`train` reads it: with the training data's ``text_col`` and
    ``label_col`` (``read``), but in its own encoding, detected (a desk's sample, saved from another program, need not
    be in the training file's: a Big5 one read as GB18030 decodes, garbled), and from its workbook's one sheet with
    data and its first row, as ``encoding``, ``sheet`` and ``header_row`` choose the training data's. An error reading
    it is marked
    ``details["archive"] = "calibration_data"``, so that no front end tells a desk to go on with a flag of the
    training data (``--sheet``), and its message says how the file is read."""
    try:
        held = read_labeled(calibration_data, **read)
        _check_mostly_labeled(held)
    except (ArchiveError, LabeledDataError) as error:
        error.args = (f"{error} (calibration_data: read with the training data's text_col and label_col, in the "
                      f"encoding detected, from its one sheet with data and its first row; for another, pass "
                      f"read_labeled(path, encoding=…, sheet=…, header_row=…, label_col=…))",)
        error.details = {**error.details, "archive": "calibration_data"}
        raise
    return held


def train(data: LabeledSource, *, cv: int = 5, text_col: str | None = None, label_col: str | None = None,
          encoding: str | None = None, group_col: str | None = None, corrections: dict | None = None,
          calibration_data: LabeledSource | None = None, sheet: str | int | None = None, header_row: int = 1,
          **params) -> ComplaintClassifier:
    """Train a :class:`ComplaintClassifier` on labeled data and attach its cross-validated figures.

    ``data``: a CSV or XLSX path (UTF-8 or GB18030) with a text column (``text_col``) and a label
    column (``label_col``), each found by name when not given (see :func:`read_labeled`), a
    DataFrame, or (text, label) pairs. ``params`` go to :class:`ComplaintClassifier`. The result
    carries ``cv_metrics_`` (held-out figures) and ``training_data_`` (a fingerprint of the data).
    ``group_col`` names a column (source, register) whose groups calibration holds out whole
    (see :meth:`ComplaintClassifier.fit`). ``corrections`` ({text: label}, e.g. a
    ``CorrectionStore``'s ``labels()``) are learned too: a corrected text already in the data
    takes the corrected label, the others are added (in the group "corrections").
    ``calibration_data`` (a labeled file or table like ``data``, its encoding detected, or :func:`read_labeled`'s
    result for a chosen sheet or encoding; never trained on, written the way the texts to be tagged are) weighs half in
    fitting the confidence; its fingerprint is kept in
    ``training_data_``. ``sheet`` and ``header_row`` choose the sheet of a workbook and the row of
    its column names.

        >>> import consumer_nlp as cn
        >>> pairs = [("秤不准，少了二两", "price_measurement"), ("外卖里吃出头发", "safety"),
        ...          ("信用卡没开卡就扣年费", "financial"), ("手机用了三天就黑屏", "quality"),
        ...          ("广告说能根治高血压", "false_advertising"), ("快递三天了还没送到", "other")] * 3
        >>> mine = cn.train(pairs, cv=0)  # a file path or a DataFrame is read the same way; cv=0: no figures
        >>> sorted(mine.classes_)[:2]
        ['false_advertising', 'financial']
    """
    check_count(cv, "cv", 2, "folds of cross-validation; 0 trains without the cross-validated figures", also=(0,))
    _check_params(params)
    labeled = read_labeled(data, text_col=text_col, label_col=label_col, encoding=encoding, group_col=group_col,
                           sheet=sheet, header_row=header_row)
    _check_mostly_labeled(labeled)
    labeled.warn_of_unlabeled("training")
    labeled.warn_of_own_tags("training")
    if corrections is not None and not isinstance(corrections, dict):
        raise TypeError(f"corrections=… must be a dict {{text: label}}, not {type(corrections).__name__}")
    if corrections:
        labeled = labeled.with_corrections(corrections)
    _check_texts_are_not_categories(labeled)
    _check_texts_vary(labeled)
    labeled.warn_of_duplicates("training")
    labeled.warn_of_conflicts("training")
    labeled.check_some_labeled("training", "learn from")
    _check_labels_differ(labeled)
    absent = [label for label in CATEGORIES if label not in set(map(label_of, labeled.labels))]
    if absent:  # the model could never give them, and a desk would read "0 of them" as a fact
        log.warning("no example of %s in the training data: the model will never give them", ", ".join(absent),
                    extra={"kind": "absent_labels", "labels": absent})
    if group_col is not None and len(set(labeled.groups)) < 2:
        values = sorted(set(labeled.groups))
        raise LabeledDataError(labeled.source, [(f"column {group_col!r}", (
            f"group_col=… ({group_col!r}): the column holds fewer than two different values ({values}), so no group "
            f"can be held out; name another column"))], "one_group", column=group_col, values=values)
    readings = normalize_many(labeled.texts)  # as the model reads them: a space or a width is no difference
    _check_folds(labeled, readings, cv)
    _warn_of_few_texts(readings)
    model = ComplaintClassifier(**params)
    if group_col is not None:
        _check_groups(labeled, group_col, model.cv)
    calibration = None
    if calibration_data is not None:
        held = _read_calibration(calibration_data, text_col=text_col, label_col=label_col)
        held.warn_of_unlabeled("calibration")
        trained = set(readings)
        overlap = [text for text, read in zip(held.texts, normalize_many(held.texts)) if read in trained]
        if overlap:
            raise LabeledDataError(held.source, [("calibration data", (
                f"{len(overlap)} of its texts are in the training data (e.g. {overlap[0][:30]!r}); it must be writing "
                f"the model is not trained on"))], "calibration_trained", texts=len(overlap), example=overlap[0])
        learned = set(labeled.labels)
        lacking = Counter(label for label in held.labels if label not in learned)
        if lacking:  # fit would stop on them only after the folds' work, in English
            raise LabeledDataError(held.source, [("calibration data", (
                f"{sum(lacking.values())} of its rows are labeled "
                f"{', '.join(f'{label} ({n})' for label, n in lacking.items())}, of which the training data has no "
                f"example: confidence is calibrated on the categories the model learns; add examples of them to the "
                f"training data, or leave these rows out"))], "calibration_labels", labels=dict(lacking))
        calibration = (held.texts, held.labels)
    metrics = cross_validate(model, labeled.texts, labeled.labels, cv=cv, calibration=calibration,
                             fit_groups=labeled.groups) if cv else None
    log.info("fitting on all %d texts", len(labeled.texts), extra={"kind": "fit_all", "texts": len(labeled.texts)})
    model.fit(labeled.texts, labeled.labels, groups=labeled.groups, calibration=calibration)
    model.cv_metrics_ = metrics
    model.training_data_ = labeled.fingerprint(per_text=True)
    if calibration_data is not None:
        model.training_data_["calibration_data"] = held.fingerprint()
    return model
