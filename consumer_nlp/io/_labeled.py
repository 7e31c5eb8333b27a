"""Where labeled data enters: files in any archive format, DataFrames or (text, label) pairs, checked row by row."""
import base64
import binascii
import hashlib
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._categories import (CATEGORIES, doubtful_label, label_fault, label_of, marked_or_doubtful, number_written,
                           unknown_label)
from .._unicode import name_key, quoted, shows_nothing, without_format_characters
from .._warned import log
from .._values import LabeledSource, is_blank, is_missing, row_names
from ..exceptions import ArchiveError, LabeledDataError
from ._archive import archive_format, check_header, place_number
from ._cells import ExcelError, cell_text
from ._columns import LABEL_COLUMN_NAMES, TAG_COLUMNS, TEXT_COLUMN_NAMES, find_column, names_row_below
from ._json_text import json_text, keys_in_order, shown_text
from ._readers import open_archive
from ._text_escapes import without_surrogates


def correction_key(text: str) -> str:
    """A complaint text as corrections know it: stripped, with a broken emoji's lone surrogate as
    U+FFFD, which the correction store (UTF-8) can hold; every lookup of a correction goes by it."""
    return without_surrogates(text.strip())



def _text_hashes(texts) -> np.ndarray:
    """Each text's 64-bit hash (blake2b) of its :func:`correction_key`, in order: 8 bytes a text."""
    digests = b"".join(hashlib.blake2b(correction_key(text).encode("utf-8"), digest_size=8).digest() for text in texts)
    return np.frombuffer(digests, dtype=">u8")


def trained_rows(text_hashes, texts) -> int | None:
    """How many of ``texts`` a fingerprint's ``text_hashes`` (see :meth:`LabeledData.fingerprint`) holds; None where
    there are none (a model trained before 2026-12-06) or they cannot be read (a file edited by hand)."""
    try:
        trained = np.frombuffer(base64.b64decode(text_hashes, validate=True), dtype=">u8")
    except (TypeError, ValueError, binascii.Error):
        return None
    return int(np.isin(_text_hashes(texts), trained).sum())


def without_text_hashes(fingerprint):
    """A fingerprint as records meant to be read keep it (a registry's metadata, which ``models show`` prints): its
    per-text hashes, and its calibration data's, left out."""
    if not isinstance(fingerprint, dict):
        return fingerprint
    return {key: without_text_hashes(value) for key, value in fingerprint.items() if key != "text_hashes"}


def _repeats(places: list, texts: list, read: list, labels: list) -> tuple[list, list, list]:
    """The rows whose text an earlier row holds as the model reads it (``read``), as :class:`LabeledData`
    keeps them: (duplicates, conflicts, read_alike), each row named by ``places``."""
    first_seen, duplicates, conflicts, read_alike = {}, [], [], []
    for where, text, reading, label in zip(places, texts, read, labels):
        if reading not in first_seen:
            first_seen[reading] = (where, label, text)
            continue
        seen_where, seen_label, seen_text = first_seen[reading]
        if seen_label == label:
            duplicates.append((where, seen_where))
            if seen_text != text:
                read_alike.append(where)
        else:
            alike = "" if seen_text == text else (
                " (the texts differ only in what the model reads alike: numbers, amounts, spaces, width, case, "
                "Traditional characters or invisible characters)")
            conflicts.append((where, f"labeled {label} here, {seen_label} at {seen_where}{alike}"))
    return duplicates, conflicts, read_alike


# What texts labeled two ways mean, where labeled data is used.
_CONFLICTS_MEAN = {"training": "both learned", "evaluation": "one of each counted wrong"}
# What texts repeated with one label mean, where labeled data is used.
_DUPLICATES_MEAN = {"training": "kept as they are",
                    "evaluation": "each counted in the figures, which weigh those texts more than once"}
# What labels that are a model's own tags mean, where labeled data is used.
_OWN_TAGS_MEAN = {"training": "a model trained on them learns that model's answers, its mistakes too",
                  "evaluation": "the figures say how well the model agrees with them (with itself, if it tagged the "
                                "file), not how right it is"}


def _counted(marks: dict) -> str:
    """Marks counted ({mark: rows}), the first five named with their rows: '待定' 2, '/' 1."""
    return ", ".join(f"{mark!r} {rows}" for mark, rows in list(marks.items())[:5]) + (", …" if len(marks) > 5 else "")


def _some(places: list) -> str:
    """The first five ``places`` joined, with … for the rest."""
    return ", ".join(places[:5]) + (", …" if len(places) > 5 else "")


@dataclass
class LabeledData:
    """Checked training texts and labels, with what a registry records about them."""

    texts: list[str]
    labels: list[str]
    source: str = "<memory>"
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (where, first seen at)
    conflicts: list[tuple[str, str]] = field(default_factory=list)   # (where, labels)
    groups: list[str] | None = None  # each row's value of the ``group_col`` asked for, as text
    places: list[str] | None = None  # where each row is, as its file shows it ("sheet row 7", "line 3 …")
    text_col: str | None = None  # the column the texts were read from (None for pairs)
    unlabeled: list[str] = field(default_factory=list)  # where the rows without a label are, left out of the rest
    label_col: str | None = None  # the column the labels were read from (None for pairs)
    labels_are_tags: bool = False  # the label column is a tag column of a tagged file: a model's answers
    # where the duplicates are whose text differs from the first's, in what the model reads alike (numbers, spaces …)
    read_alike: list[str] = field(default_factory=list)
    # of the rows without a label, those whose cell holds a desk's mark for "not labeled yet", or a label in doubt
    # (质量问题？): {mark: rows}
    marks: dict[str, int] = field(default_factory=dict)
    sheet: str | None = None  # the sheet of a workbook chosen (``sheet``), by its title; None where none was chosen

    def marks_said(self) -> str:
        """How many rows without a label are marked so, and with what (the first five marks), as the English of an
        error says it; "" where none is."""
        if not self.marks:
            return ""
        doubt = " or labeled in doubt" if any(map(doubtful_label, self.marks)) else ""
        return f"{sum(self.marks.values())} are marked as not labeled yet{doubt}: {_counted(self.marks)}"

    def doubtful(self) -> dict[str, int]:
        """Of the rows without a label, those labeled in doubt (质量问题？: :func:`doubtful_label`): {label as written:
        rows}."""
        return {mark: rows for mark, rows in self.marks.items() if doubtful_label(mark) is not None}

    def warn_of_unlabeled(self, use: str) -> None:
        """Warn of the rows left out for want of a label, counting them with five places, so that none is left out
        unsaid, and those of them labeled in doubt (:meth:`doubtful`), with their labels as written. The record
        carries ``kind`` "unlabeled", their ``places``, ``use`` ("training", "calibration", "evaluation") and the
        ``marks`` of those in doubt ({label as written: rows}, empty where none is)."""
        if self.unlabeled:
            doubtful = self.doubtful()
            doubt = f", or labeled in doubt ({_counted(doubtful)})," if doubtful else ""
            log.warning("%s: %d row(s) without a label%s were left out of the %s (%s)", self.source,
                        len(self.unlabeled), doubt, use, _some(self.unlabeled),
                        extra={"kind": "unlabeled", "places": self.unlabeled, "use": use, "marks": doubtful})

    def check_some_labeled(self, use: str, purpose: str) -> None:
        """Refuse data with no labeled row to ``use`` ("training", "evaluation"): ``purpose``, what the English says it
        is for ("learn from"). A LabeledDataError "no_labeled_rows", with the rows ``unlabeled``, the ``column`` and
        the ``marks`` ({mark: rows}) of those a desk marked as not labeled yet, where any is."""
        if not self.texts:
            none = f": none of its {len(self.unlabeled)} row(s) has a label" if self.unlabeled else ""
            none += f"; {self.marks_said()}" if self.marks else ""
            where = "the labels" if self.label_col is None else f"column {self.label_col!r}"
            raise LabeledDataError(self.source, [(where, f"no labeled rows to {purpose}{none}")], "no_labeled_rows",
                                   use=use, unlabeled=len(self.unlabeled), column=self.label_col,
                                   **({"marks": self.marks} if self.marks else {}))

    def warn_of_own_tags(self, use: str) -> None:
        """Warn when the labels are a tagged file's tag column, a model's answers (``labels_are_tags``), and what that
        means to their ``use`` ("training", "evaluation"). The record carries ``kind`` "own_tags", the label
        ``column`` and ``use``."""
        if self.labels_are_tags:
            log.warning("%s: the labels (column %r) are the tags a model wrote, except where a person corrected them: "
                        "%s", self.source, self.label_col, _OWN_TAGS_MEAN[use],
                        extra={"kind": "own_tags", "column": self.label_col, "use": use})

    def warn_of_duplicates(self, use: str) -> None:
        """Warn of the texts an earlier row holds with the same label, counting them with five places, and what that
        means to their ``use`` ("training", "evaluation"): none is dropped. A text that differs from its first in
        what the model reads alike (第0次 and 第1次) is said to. The record carries ``kind`` "duplicates", their
        ``places`` ((where, first seen at)), ``read_alike`` (the places of those that differ) and ``use``."""
        if self.duplicates:
            alike = set(self.read_alike)
            examples = "; ".join(f"{where} repeats {seen}" + (" apart from numbers, spaces or the like"
                                                               if where in alike else "")
                                 for where, seen in self.duplicates[:5])
            log.warning("%d duplicate text(s), %s (%s%s)", len(self.duplicates), _DUPLICATES_MEAN[use], examples,
                        "; …" if len(self.duplicates) > 5 else "",
                        extra={"kind": "duplicates", "places": self.duplicates, "read_alike": self.read_alike,
                               "use": use})

    def warn_of_conflicts(self, use: str) -> None:
        """Warn of the texts labeled two ways in one line, counting them with five examples (a wrong text
        column makes one of nearly every row), and what that means to their ``use`` ("training", "evaluation").
        The record carries ``kind`` "conflicts", their ``places`` and ``use``, for a front end's own words."""
        if self.conflicts:
            examples = "; ".join(f"at {where}: {what}" for where, what in self.conflicts[:5])
            log.warning("%d conflicting labels, %s (%s%s)", len(self.conflicts), _CONFLICTS_MEAN[use], examples,
                        "; …" if len(self.conflicts) > 5 else "",
                        extra={"kind": "conflicts", "places": [where for where, _ in self.conflicts], "use": use})

    def with_corrections(self, corrections: dict) -> "LabeledData":
        """These data with ``corrections`` ({text: label}, labels English or Chinese) applied: a
        text present that the model reads as a corrected one (the same but for spaces, width or line
        breaks) takes its corrected label, the rest are added at the end; duplicates and conflicts are
        found again, among them all."""
        from ..features import normalize_many  # here: reading archives stays free of scikit-learn

        unknown = [(f"correction of {text!r}", unknown_label(label), label_fault(label))
                   for text, label in corrections.items() if label_of(label) is None]
        if unknown:
            raise _refused("corrections", unknown)
        corrected = {correction_key(text): label_of(label) for text, label in corrections.items()}
        read_as = dict(zip(corrected, normalize_many(list(corrected))))
        by_reading = {read_as[text]: label for text, label in corrected.items()}
        present = normalize_many([correction_key(text) for text in self.texts])  # a broken emoji as corrections hold it
        seen = set(present)
        added = [text for text in corrected if read_as[text] not in seen]
        labels = [by_reading.get(read, label) for read, label in zip(present, self.labels)]
        labels += [corrected[text] for text in added]
        groups = None if self.groups is None else self.groups + ["corrections"] * len(added)
        places = None if self.places is None else self.places + ["corrections"] * len(added)
        where = (self.places or [f"row {i}" for i in range(1, len(self.texts) + 1)]) + [
            f"correction of {text[:20]!r}" for text in added]
        duplicates, conflicts, alike = _repeats(where, self.texts + added, present + [read_as[text] for text in added],
                                                labels)
        return LabeledData(self.texts + added, labels, f"{self.source} + corrections", duplicates, conflicts, groups,
                           places, self.text_col, self.unlabeled, self.label_col, self.labels_are_tags, alike,
                           self.marks)

    def fingerprint(self, per_text: bool = False) -> dict:
        """sha256 of the (text, label) rows, and ``texts_sha256`` of the different texts whatever their order, labels
        and repeats (the training file sorted in Excel, or a label corrected, is the same training data), row count
        and counts per label; with ``per_text``, ``text_hashes`` too: each different text's 64-bit hash, sorted, as
        base64 (8 bytes a text), by which a part of the data is told (see :func:`trained_rows`)."""
        digest = hashlib.sha256()
        for text, label in zip(self.texts, self.labels):
            digest.update(text.encode("utf-8") + b"\x1f" + label.encode("utf-8") + b"\x1e")
        texts = hashlib.sha256()
        for text in sorted({correction_key(text) for text in self.texts}):
            texts.update(text.encode("utf-8") + b"\x1e")
        found = {"sha256": digest.hexdigest(), "texts_sha256": texts.hexdigest(), "rows": len(self.texts),
                 "label_counts": dict(Counter(self.labels))}
        if per_text:
            hashes = np.unique(_text_hashes(self.texts)).astype(">u8")  # sorted, each text once
            found["text_hashes"] = base64.b64encode(hashes.tobytes()).decode("ascii")
        return found


def _refused(source: str, found: list) -> LabeledDataError:
    """The error of ``found`` (where, what, fault) bad rows: its problems, and their faults beside them."""
    return LabeledDataError(source, [(where, what) for where, what, _ in found],
                            faults=[fault for _, _, fault in found])


def _no_label(value) -> bool:
    """Whether a label cell holds no label: blank, text of spaces and invisible format characters only (a zero-width
    space pasted from a web page), a desk's mark for a row not labeled yet (/, 待定, N/A: :func:`not_labeled_mark`),
    none of which a category is written as, or a label written with a question mark, in doubt (质量问题？:
    :func:`doubtful_label`), which no row learns or is scored by as a sure one."""
    return is_blank(value) or (isinstance(value, str) and (shows_nothing(value) or marked_or_doubtful(value)))


def _first_values(records, column, rows: int = 200) -> list:
    """The values of ``column`` in the first ``rows`` records, missing and blank ones left out."""
    return [value for _, row in records[:rows]
            if not _no_label(value := row.get(column))]


def _mostly_labels(values, share: float) -> bool:
    """Whether at least ``share`` of ``values`` (none: no) are category labels."""
    return bool(values) and sum(label_of(v) is not None for v in values) >= share * len(values)


def _not_labels(column, values) -> str:
    """What a column taken for the labels by its name holds instead (its first ``values``, not blank)."""
    if not values:
        return f"column {column!r}, taken for the labels by its name, is empty"
    others = ", ".join(repr(str(v)[:20]) for v in list(dict.fromkeys(v for v in values if label_of(v) is None))[:3])
    return (f"column {column!r}, taken for the labels by its name, holds other values: "
            f"{sum(label_of(v) is not None for v in values)} of its first {len(values)} are labels (such as {others})")


def _check_not_swapped(columns, records, text_col, label_col, source: str) -> None:
    """Refuse a text column whose first values are mostly labels beside a label column whose first values are
    hardly any (the two columns' names, or text_col=… and label_col=…, swapped): said once, not as every row's
    unknown label. A LabeledDataError "header" with ``swapped`` [text_col, label_col]."""
    texts, labels = _first_values(records, text_col), _first_values(records, label_col)
    if not _mostly_labels(texts, 0.8) or _mostly_labels(labels, 0.2) or not labels:
        return
    others = ", ".join(repr(str(v)[:20]) for v in list(dict.fromkeys(v for v in labels if label_of(v) is None))[:3])
    held = sum(label_of(v) is not None for v in labels)
    raise LabeledDataError(source, [("header", (
        f"column {text_col!r}, read as the texts, holds labels ({sum(label_of(v) is not None for v in texts)} of its "
        f"first {len(texts)}), and column {label_col!r}, read as the labels, holds other values ({held} of its first "
        f"{len(labels)} are labels, such as {others}): the two look swapped; name them with text_col={label_col!r} "
        f"and label_col={text_col!r}"))],
        "header", columns=list(columns), swapped=[text_col, label_col])


def _label_column(columns, records, text_col):
    """The column (not the text's) whose first 200 values are mostly category labels, or None."""
    return next((c for c in columns if c != text_col and _mostly_labels(_first_values(records, c), 0.8)), None)


# Labels read as numbers in this share of the labeled rows or more (and in two rows at least, unless they are all the
# labels) are a column coding the categories, said once: a column coded 1 to 6 with a fifth of its rows renamed by
# hand holds four in five; fewer are each a row's slip (one stray number among names), said with its place.
_NUMBERED = 0.2


def _check_not_numbers(columns, records, text_col, label_col, source: str) -> None:
    """Refuse a label column of numbers once, all or a real share of them (a column coded by number, part renamed):
    a number names no category, and no order of the six may be guessed (a desk's own code table says which is
    which). A LabeledDataError "numbered_labels" with the ``column`` (None for pairs), the ``rows`` holding a number
    of the ``labeled`` rows, the ``different`` numbers there are and the first ten ``numbers``, the ``first_rows``
    holding one where others hold names, and a column ``holding`` the labels, where one does."""
    labeled = [(where, value) for where, row in records if not _no_label(value := row.get(label_col))]
    numbered = [(where, number) for where, value in labeled if (number := number_written(value)) is not None]
    every = len(numbered) == len(labeled)
    if not numbered or not (every or (len(numbered) >= 2 and len(numbered) >= _NUMBERED * len(labeled))):
        return
    numbers = [f"{number:g}" for number in sorted({number for _, number in numbered})]
    first_rows = [] if every else [place_number(where) for where, _ in numbered[:5]]
    column = None if source == "pairs" else label_col
    names = ", ".join(f"{label} ({name})" for label, name in CATEGORIES.items())
    shown = f" (rows {', '.join(map(str, first_rows))}{', …' if len(numbered) > 5 else ''})" if first_rows else ""
    said = (f"holds numbers ({', '.join(numbers[:10])}{', …' if len(numbers) > 10 else ''}) in {len(numbered)} of "
            f"its {len(labeled)} labeled rows{shown}: a number names no category, and no order of the six can be "
            f"assumed; write each label as a category's name, {names}, as the desk's own code table says which number "
            f"is which")
    holding = _label_column(columns, records, text_col)
    if holding is not None:
        said += f"; {holding!r} holds labels: name it with label_col=…"
    details = {"column": column, "rows": len(numbered), "labeled": len(labeled), "different": len(numbers),
               "numbers": numbers[:10], **({"first_rows": first_rows} if first_rows else {})}
    where = "the labels" if column is None else f"column {column!r}"
    raise LabeledDataError(source, [(where, said)], "numbered_labels", **details,
                           **({"holding": holding} if holding is not None else {}))


def _named(columns, wanted):
    """The column ``wanted`` names: itself, else the one column whose name it is but for spaces, case or
    width (a header "Label "), as a text column is found; ``wanted`` itself when there is none."""
    if wanted is None or wanted in columns:
        return wanted
    try:
        found = find_column(columns, str(wanted), ())
    except ValueError:
        return wanted
    return {str(c): c for c in columns}.get(found, wanted)


def _file_records(path: Path, encoding: str | None, sheet=None, header_row: int = 1):
    """The columns, (where, row dict) records, bad rows, first chunk (where a title may hide the column names) and the
    sheet read by its title (None for a text file) of a labeled file in any archive format, read by the archive
    readers; rows they cannot parse are bad rows of the labeled data."""
    reader = open_archive(path, encoding=encoding, chunk_size=20_000, sheet=sheet, header_row=header_row)
    records, bad, first, unsure = [], [], None, []
    for chunk in reader.chunks():
        first = first or chunk
        unsure += chunk.unsure
        # a line of a text file is not always a record (a quoted text may span lines): say both
        where = [f"{w} (data row {len(records) + n})" if w.startswith("line") else w
                 for n, w in enumerate(chunk.where, start=1)]
        records += zip(where, chunk.rows.to_dict("records"))
        bad += [(row.where, row.reason, ("unparseable_row", {"fault": row.kind, "details": row.details,
                                                             "format": archive_format(path)})) for row in chunk.bad]
    if getattr(reader, "hidden_rows", 0):  # read as tagging reads them; said, as tagging says it
        log.warning("%s: %d row(s) hidden in Excel (by a filter or by hand) were read too", path, reader.hidden_rows,
                    extra={"kind": "hidden_rows", "rows": reader.hidden_rows})
    if unsure:  # a guess, said as tagging's summary says it (messages.unsure_rows_note)
        rows = ", ".join(f"row {row}" for row, *_ in unsure[:5])
        log.warning("%s: %d quoted value(s) over lines that read as rows, kept whole (a stray quote's merge if one "
                    "was left open) or cut into rows (%s)", path, len(unsure), rows,
                    extra={"kind": "unsure_rows", "unsure": unsure[:5], "count": len(unsure)})
    return reader.columns, records, bad, first, getattr(reader, "sheet_title", None)


BLANK_GROUP = "（空）"  # the group of the cells that show nothing


def group_name(value) -> str:
    """A group column's cell as text, as a tagged file's CSV shows it (a span as 36:00:00, 2.0 as 2, a JSON object as
    its JSON); a cell that shows nothing (empty, missing, spaces or a zero-width space) is the group BLANK_GROUP, and
    a text that reads as that name (（空）, (空), or it in 「」) is quoted in 「」: a system's export writing an empty
    field as （空） is a group of its own, not counted with the blank cells."""
    text = "" if is_missing(value) else without_surrogates(shown_text(value).strip())
    if shows_nothing(text):
        return BLANK_GROUP
    key = name_key(text)
    while len(key) > 1 and key[0] == "「" and key[-1] == "」":
        key = key[1:-1]
    return f"「{text}」" if key == name_key(BLANK_GROUP) else text


class GroupSpellings:
    """The spellings seen of each group (one group whatever the width, script, spaces or case, see :func:`name_key`,
    and a JSON object, or a cell's text of one, whatever the order of its keys, see :func:`keys_in_order`), so that a
    group is named by its most common one (the first seen of equals) wherever groups are counted: training folds,
    per-group figures and the report."""

    def __init__(self):
        self.seen: dict = {}
        self._keys: dict = {}  # spelling -> key: a channel column holds few spellings in many rows
        self._names: dict = {}  # a text cell -> its spelling: likewise (each read again was half a report's time)

    def add(self, value) -> str:
        """Count one cell's spelling (its :func:`group_name`); returns its group's key."""
        name = self._names.get(value) if type(value) is str else None
        if name is None:
            name = group_name(value)
            if type(value) is str:
                self._names[value] = name
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = name_key(keys_in_order(name))  # from the spelling alone: the same for each
        self.seen.setdefault(key, Counter())[name] += 1
        return key

    def name(self, key: str) -> str:
        """The group's most common spelling (the first seen of equals), without invisible format characters: a
        direction mark in it (U+202E) showed the name reversed, wherever it was shown."""
        return without_format_characters(self.seen[key].most_common(1)[0][0]).strip()


def one_spelling_per_group(values: list) -> list:
    """The group names of a group column's cells ``values``, every spelling of a group as the group's most common
    one."""
    spellings = GroupSpellings()
    keys = [spellings.add(value) for value in values]
    return [spellings.name(key) for key in keys]


def _frame_records(frame: pd.DataFrame):
    """A DataFrame's columns and its rows as (where, record), named "row 1" onwards, and by their index label too
    where the index is not the default one ("row 6 (index 135)", as ``df.loc`` finds it); columns named twice are
    refused as a file's header is (a record would keep only the last of them)."""
    columns = check_header(list(frame.columns), "DataFrame")
    return columns, list(zip(row_names(frame), frame.to_dict("records")))


_GROUPED_SO = {"text": "each complaint would be a group of its own", "label": "each group would hold one category"}


def _columns_read(columns, records, first, text_col, label_col, group_col, source: str) -> tuple:
    """The text, label and group columns of labeled data: each one given as it is named (it must be a column);
    else the label column, then the text column, found by name, never the same. A :class:`LabeledDataError` says
    what is missing, and what a column taken for the labels by its name holds instead of them."""
    text_col, group_col = _named(columns, text_col), _named(columns, group_col)
    by_name = label_col is None
    if by_name:
        label_col = _named(columns, find_column([c for c in columns if c != text_col], None, LABEL_COLUMN_NAMES))
    else:
        label_col = _named(columns, label_col)
    if text_col is None:
        others = [c for c in columns if c != label_col]
        text_col = _named(columns, find_column(others, None, TEXT_COLUMN_NAMES)) or "text"
    if text_col == label_col:
        raise LabeledDataError(source, [("header", f"text_col=… and label_col=… name one column, {text_col!r}: name "
                                                   f"the column of the texts and that of the labels")],
                               "header", columns=list(columns), same=text_col)
    for column, which in ((text_col, "text"), (label_col, "label")):  # each complaint, or each category, a group
        if group_col is not None and group_col == column and column in columns:
            raise LabeledDataError(source, [("header", f"the column of groups, {group_col!r}, is the {which} column: "
                                                       f"{_GROUPED_SO[which]}; name a column of sources, channels or "
                                                       f"districts")],
                                   "header", columns=list(columns), **{f"groups_are_{which}s": "group_col"},
                                   **{which: column})
    named = {"text_col": text_col, "label_col": label_col, "group_col": group_col}
    missing = {parameter: c for parameter, c in named.items() if c is not None and c not in columns}
    said = [f"missing column(s) {list(missing.values())}"] if missing else []
    if label_col is None:
        said.append(f"no label column (none is named {', '.join(LABEL_COLUMN_NAMES)})")
    if said:
        said.append(f"the columns are {list(columns)}")
    elif label_col in columns:
        _check_not_swapped(columns, records, text_col, label_col, source)
        _check_not_numbers(columns, records, text_col, label_col, source)
    # A column named by a desk's word (类型 may be a kind of goods) must hold labels; one named `label` is the labels,
    # as it always was. Misspelt labels, even many, are each a row's problem, told with the label meant.
    checked = by_name and label_col in columns and records and name_key(str(label_col)) != name_key("label")
    values = _first_values(records, label_col) if checked else None
    # a column of a desk's marks alone (待定, /) is the labels of a file not labeled yet, said as such, not as empty
    not_labels = values is not None and not _mostly_labels(values, 0.2) and (
        bool(values) or not any(marked_or_doubtful(row.get(label_col)) for _, row in records[:200]))
    if not_labels:
        said.append(_not_labels(label_col, values))
    if not said:
        return text_col, label_col, group_col
    holding = _label_column(columns, records, text_col) if label_col is None or not_labels or "label_col" in missing \
        else None
    if holding is not None:
        said.append(f"{holding!r} holds labels: name it with label_col=…")
    below = names_row_below(first) if missing or label_col is None else None  # a title above the column names
    if below is not None:
        said.append(f"row {below[0]} looks like the column names (it holds {below[1]!r}): say header_row={below[0]}")
    found = {"missing": missing, "no_label_column": label_col is None, "not_labels": label_col if not_labels else None,
             "empty": not_labels and not values, "holding": holding, "names_row": below}
    raise LabeledDataError(source, [("header", "; ".join(said))], "header", columns=list(columns),
                           **{name: value for name, value in found.items() if value})


def _names_again(text, label, text_col, label_col) -> bool:
    """Whether a row's text and label are the names of their columns (a second file's header row pasted in under the
    first), not a category: said as such, not as an unknown label."""
    return (isinstance(text, str) and isinstance(label, str) and label_of(label) is None
            and text.strip() == str(text_col).strip() and label.strip() == str(label_col).strip())


def _not_a_pair(value, pair: tuple | None) -> str:
    """What is wrong with ``value``, given as a (text, label) pair: ``pair``, its values, or None if it has none."""
    if pair is not None:
        return f"expected a (text, label) pair, got {len(pair)} values"
    if isinstance(value, str):
        return (f"expected a (text, label) pair, got the text {quoted(repr(value))} alone; give each text with its "
                f"label: list(zip(texts, labels))")
    got = "None" if value is None else f"{type(value).__name__} {quoted(repr(value))}"
    return f"expected a (text, label) pair, got {got}"


def read_labeled(data: LabeledSource, *, text_col: str | None = None, label_col: str | None = None,
                 encoding: str | None = None, group_col: str | None = None, sheet: str | int | None = None,
                 header_row: int = 1) -> LabeledData:
    """Read and check labeled data: a file (CSV, TSV, XLSX, XLS, JSONL or Parquet, read as archives
    are), a DataFrame, or (text, label) pairs.

    Labels may be the English labels, the Chinese names or both (质量问题（quality）). Every bad row (unknown label, empty or
    non-string text) is collected and reported together in a :class:`LabeledDataError`. A row whose
    label is empty, or a desk's mark for "not labeled" (/, 待定, N/A: ``NOT_LABELED_MARKS``, counted in
    ``marks``), is not labeled yet (a desk labels a sample of its archive): it is left out, and its
    place kept in ``unlabeled`` (:meth:`LabeledData.warn_of_unlabeled` says them).
    ``text_col`` is found by name when not given (text, content, 投诉内容, …), as in archives, and so is
    ``label_col`` (label, 类别, 分类, 标签, …: ``LABEL_COLUMN_NAMES``), never as the same column;
    ``group_col`` also keeps each row's value of that column (source, channel…) in ``groups``;
    ``sheet`` and ``header_row`` choose the sheet of a workbook and the row of its column names.
    Data already read (a :class:`LabeledData`) is returned as it is.

        >>> import consumer_nlp as cn
        >>> data = cn.read_labeled([("秤不准，少了二两", "价格/计量"), ("外卖里吃出头发", "安全问题（safety）")])
        >>> data.labels, data.places
        (['price_measurement', 'safety'], ['row 1', 'row 2'])
    """
    if isinstance(data, LabeledData):
        if group_col is not None and data.groups is None:
            raise ValueError(f"group_col=… ({group_col!r}): {data.source} was already read without it; read it "
                             f"again with group_col")
        return data
    unparsed, first, written = [], None, str  # rows a file's reader could not parse; its first chunk; a label's text
    title = None  # the title of the sheet chosen
    errors_as_text = ()  # the error names a text file holds where Excel saved its sheet's error cells
    if isinstance(data, (pd.Series, dict, bytes, bytearray)) or not isinstance(data, (str, os.PathLike, Iterable)):
        got = ("None" if data is None else f"a {type(data).__name__}" if isinstance(data, Iterable)
               else f"{type(data).__name__} {quoted(repr(data))}")
        raise TypeError(f"got {got}: give labeled data as a file path, a DataFrame with a text and a label column, or "
                        f"(text, label) pairs")
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        source = str(path)
        if path.is_dir():
            raise ArchiveError(f"{path} is a folder; give the labeled file in it", "folder", parameter="data")
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        columns, records, unparsed, first, title = _file_records(path, encoding, sheet, header_row)
        written = json_text if archive_format(path) == "jsonl" else cell_text  # true in JSON, TRUE in a sheet
        if archive_format(path) in ("csv", "tsv"):  # a sheet saved as CSV: its #N/A cells are their names
            from openpyxl.cell.cell import ERROR_CODES as errors_as_text
    elif isinstance(data, pd.DataFrame):
        source = "DataFrame"
        columns, records = _frame_records(data)
    else:
        source = "pairs"
        text_col, label_col = text_col or "text", label_col or "label"
        given = list(data)
        # A text alone (texts given without their labels) would be read character by character: 漏水 as 漏 labeled 水.
        pairs = [tuple(pair) if isinstance(pair, Iterable) and not isinstance(pair, (str, bytes)) else None
                 for pair in given]
        columns, records = [text_col, label_col], [
            (f"row {i}", dict(zip((text_col, label_col), pair or ()))) for i, pair in enumerate(pairs, start=1)]
        bad = [(where, _not_a_pair(value, pair)) for (where, _), value, pair in zip(records, given, pairs)
               if pair is None or len(pair) != 2]
        if bad:
            raise LabeledDataError(source, bad)

    # A row with nothing in any cell is no example (Excel's CSV export ends with such ",," rows; the
    # workbook readers skip them too).
    records = [(where, row) for where, row in records
               if not all(map(is_blank, row.values()))]
    text_col, label_col, group_col = _columns_read(columns, records, first, text_col, label_col, group_col, source)
    kept, without = [], []  # each row's label cell read once (a mark, 待定, is read through NFKC)
    for where, row in records:
        (without if _no_label(row.get(label_col)) else kept).append((where, row))
    unlabeled = [where for where, _ in without]
    marks = Counter(str(value).strip() for _, row in without if marked_or_doubtful(value := row.get(label_col)))
    records = kept
    from ..features import normalize_many  # here, not above: reading archives stays free of scikit-learn

    texts, labels, problems = [], [], []
    distinct = list(dict.fromkeys(t for _, row in records if isinstance(t := row.get(text_col), str) and t.strip()))
    read_as = dict(zip(distinct, normalize_many(distinct)))  # each text as the model reads it
    for where, row in records:
        text, label = row.get(text_col), row.get(label_col)
        excel_error = isinstance(text, ExcelError) or (  # a formula's #N/A (a VLOOKUP that found nothing), no complaint
            isinstance(text, str) and text.strip() in errors_as_text)
        if isinstance(text, str):
            text = without_surrogates(text)  # a broken emoji (JSON "\ud83d") kept readable, as in corrections
        if _names_again(text, label, text_col, label_col):
            problems.append((where, f"the row repeats the column names ({text!r}, {label!r}), as a second file pasted "
                                    f"in under the first brings them: delete it",
                             ("names_row", {"text": text.strip(), "label": str(label).strip()})))
        elif not isinstance(text, str):
            problems.append((where, f"text is missing or not a string ({text!r})", ("text_missing", {})))
        elif excel_error:
            problems.append((where, f"the text cell is Excel's error {text.strip()} (its formula found nothing), not a "
                                    f"complaint", ("text_excel_error", {"error": text.strip()})))
        elif not text.strip():
            problems.append((where, "text is empty", ("text_empty", {})))
        elif not read_as[row.get(text_col)]:
            problems.append((where, f"the text {text[:20]!r} has nothing to read once normalised (only spaces, "
                                    f"invisible characters or HTML spaces)", ("text_unreadable", {})))
        if label_of(label) is None and not _names_again(text, label, text_col, label_col):
            said = written(label) if isinstance(label, (bool, np.bool_, list, dict)) else label  # as the file has it
            problems.append((where, unknown_label(said), label_fault(said)))
        texts.append(text)
        labels.append(label_of(label))
    problems = sorted(unparsed + problems, key=lambda problem: place_number(problem[0]))  # in file order
    if problems:
        raise _refused(source, problems)

    places = [where for where, _ in records]
    duplicates, conflicts, alike = _repeats(places, texts, [read_as[row.get(text_col)] for _, row in records], labels)
    groups = None
    if group_col is not None:
        groups = one_spelling_per_group([row.get(group_col) for _, row in records])
    tagged = source != "pairs" and label_col in TAG_COLUMNS and set(TAG_COLUMNS) <= {str(c) for c in columns}
    return LabeledData(texts, labels, source, duplicates, conflicts, groups, places,
                       None if source == "pairs" else text_col, unlabeled, None if source == "pairs" else label_col,
                       tagged, alike, dict(marks), title if sheet is not None else None)
