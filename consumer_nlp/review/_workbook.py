"""The review loop without a browser: the queue as an Excel workbook with a drop-down of the six
categories in the cell the reviewer fills, and the filled workbook read back as corrections."""
import datetime
import json
import zipfile
from collections import defaultdict
from pathlib import Path

from .._categories import CATEGORIES, label_of, marked_or_doubtful
from .._moments import SHOWN_TIME, shown_time
from .._review_sheet import (CHOICE_HEADER, COLUMNS, CONFIDENCE_HEADER, EXACT, EXPORTED, GUESS_HEADER, HOW, NOTES,
                             ROW_EXPORTED, SHEET, SOURCE, TEXT_HEADER)
from .._unicode import cut
from ..exceptions import ArchiveError, ReviewWorkbookError
from ..io import (XLSX_MAX_CELL, MergedBelow, check_new_file, discard_unsaved, excel_text, new_file, open_read_only,
                  printable, scan_sheet, sheet_rows, text_cell)
from ._store import moment

WIDTHS = [6, 11, 70, 12, 12, 8, 14]
TEXT, CHOICE = 3, len(COLUMNS)  # the column of the text, and the one the reviewer fills (1-based)
# The hidden EXACT columns after CHOICE hold [row, text] exactly, as ASCII JSON over as many cells as it needs; EXPORTED
# tells which of two exports is the later, by the exact moment in its hidden third cell; each row carries that moment
# too, in the hidden ROW_EXPORTED column after them (since 2026-12-06), which goes with the row wherever it is pasted.

# Each kind of problem of a filled workbook (ReviewWorkbookError's ``problems``), as the library says it: messages
# says each to the desk that filled it.
_PROBLEMS_IN_ENGLISH = {
    "not_a_category": f"these rows of column {CHOICE_HEADER} hold no category (choose one of "
                      f"{'、'.join(CATEGORIES.values())})",
    "no_text": f"these rows have a correction but their {TEXT_HEADER} is empty (put the text back or clear "
               f"{CHOICE_HEADER})",
    "sorted_apart": f"these rows' cells were sorted apart from the hidden column {EXACT} (sort whole rows: select the "
                    f"whole sheet before sorting), so their text is not known",
    "guess_changed": f"these rows' {GUESS_HEADER} or {CONFIDENCE_HEADER} is not as exported: typed over (a correction "
                     f"goes in {CHOICE_HEADER}), or "
                     f"sorted apart from the hidden column {EXACT} (select the whole sheet before sorting)",
    "hidden_changed": f"these rows' hidden column {EXACT} was changed, so their text is not known (export them again)",
    "export_time_changed": f"the sheet {NOTES}'s {EXPORTED} (when the workbook was exported, which tells an older "
                           f"workbook imported again from a newer one) was changed: put it back as exported, or export "
                           f"again",
    "row_export_time_changed": f"these rows' hidden column {ROW_EXPORTED} is empty or was changed, so the export they "
                               f"came from is not known (put it back as exported, or export them again)",
}


class Corrections(list):
    """The corrections of a filled workbook (dicts, as :func:`read_review` gives them), and ``not_reviewed``: the
    rows whose 更正为 holds a mark for "not reviewed yet" (待定, /, ？, N/A: ``not_labeled_mark``) or a category in
    doubt (质量问题？: ``doubtful_label``) instead of a sure category, as (row number as Excel shows it, the mark as
    written), left out as a blank choice is."""

    def __init__(self, corrections=(), not_reviewed=()):
        super().__init__(corrections)
        self.not_reviewed = list(not_reviewed)


def _rows_in_english(rows: list) -> str:
    """A problem's rows as the library names them: row 4, or row 4 '投诉' where the row's value is beside it."""
    return ", ".join(f"row {row[0]} {row[1]!r}" if isinstance(row, tuple) else f"row {row}" for row in rows)


def _shown(text: str) -> str:
    """The text as its cell holds it: what a cell cannot hold replaced, cut at Excel's limit (counted
    before Excel's escapes, as Excel counts), escaped as in the file."""
    return excel_text(cut(printable(text), XLSX_MAX_CELL))


def _exact_cells(row: int, text: str, guess: str | None, confidence) -> list[str]:
    """The row, its text exactly, the model's guess and confidence, as ASCII JSON in pieces a cell
    holds, its underscores written \\u005f: so no piece reads like an Excel escape (_x0041_ would come
    back from Excel as "A"), and workbooks of earlier releases, written without, read the same.
    Corrections belong to the text, whatever the shown cell becomes; the rest tells whether the shown
    cells were sorted apart, or 模型判断 typed over."""
    exact = json.dumps([row, text, guess, confidence]).replace("_", "\\u005f")  # JSON syntax has none: only the text's own
    return [exact[i:i + XLSX_MAX_CELL] for i in range(0, len(exact), XLSX_MAX_CELL)]


def _same_number(value, exported) -> bool:
    """Whether a cell holds the number ``exported`` (None: an empty cell), as a number or as text."""
    if exported is None or value is None:
        return exported is None and (value is None or str(value).strip() == "")
    try:
        return abs(float(str(value).strip()) - float(exported)) <= 1e-9
    except ValueError:
        return False


def check_workbook(path, *, force: bool, source: str = "") -> Path:
    """``path`` if a review workbook may be written there: an .xlsx name (Excel opens it, the drop-
    down works, import reads it), not the archive ``source``, not an existing file unless ``force``."""
    path = check_new_file(path, force=force, inputs=[source] if source else [], what="workbook")
    if path.suffix.lower() != ".xlsx":
        raise ArchiveError(f"the workbook {path} is written as an Excel workbook: give it an .xlsx name",
                           "output_name", endings=[".xlsx"])
    return path


def _exact_width(queue: list[dict]) -> int:
    """How many hidden cells the longest exact text of ``queue`` takes: headed before any row is written."""
    return max((len(_exact_cells(item["row"], item["text"], label_of(item["guess_zh"]), item["confidence"]))
                for item in queue), default=0)


def _cell(sheet, value, **style):
    """``value`` for a row of the write-only ``sheet``: a text as a text cell, never a formula (a source named
    "=1+1.csv"), styled as ``style`` says; anything else as it is."""
    return text_cell(sheet, value, **style) if isinstance(value, str) else value


def _write_queue(sheet, queue: list[dict], exported: str) -> None:
    """The sheet the reviewer fills: ``queue`` a row at a time under a frozen bold header, the texts
    wrapped, the exact texts and the export moment ``exported`` in hidden columns, the drop-down of the six
    categories in 更正为."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    exact_width = _exact_width(queue)
    for column, width in enumerate(WIDTHS, start=1):  # a write-only sheet takes its columns before its rows
        sheet.column_dimensions[get_column_letter(column)].width = width
    for column in range(CHOICE + 1, CHOICE + 2 + exact_width):  # the EXACT ones and ROW_EXPORTED
        sheet.column_dimensions[get_column_letter(column)].hidden = True
    sheet.freeze_panes = "A2"
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    sheet.append([_cell(sheet, name, font=bold) for name in COLUMNS + [EXACT] * exact_width + [ROW_EXPORTED]])
    for n, item in enumerate(queue, start=1):
        exact = _exact_cells(item["row"], item["text"], label_of(item["guess_zh"]), item["confidence"])
        values = [n, item["row"], _shown(item["text"]), item["guess_zh"], item["runner_up_zh"], item["confidence"],
                  None, *exact, *[None] * (exact_width - len(exact)), exported]
        sheet.append([_cell(sheet, value, alignment=wrapped) if column == TEXT else _cell(sheet, value)
                      for column, value in enumerate(values, start=1)])
    choices = DataValidation(type="list", formula1='"' + ",".join(CATEGORIES.values()) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="不是类别", error="请从下拉列表中选择六个类别之一")
    sheet.data_validations.append(choices)  # what add_data_validation does, which a write-only sheet lacks
    letter = get_column_letter(CHOICE)
    choices.add(f"{letter}2:{letter}{max(2, len(queue) + 1)}")


def _write_notes(notes, source: str, exported: str) -> None:
    """The NOTES sheet: where the queue came from, what to do, and when it was exported (EXPORTED): in the local time
    a desk reads, to the second (SHOWN_TIME), and in a hidden cell the exact moment ``exported`` that tells exports
    apart."""
    notes.column_dimensions["C"].hidden = True  # a write-only sheet takes its columns before its rows
    for values in [(SOURCE, source), ("做法", HOW), (EXPORTED, shown_time(exported), exported)]:
        notes.append([_cell(notes, value) for value in values])


def export_review(queue: list[dict], path, *, source: str = "", force: bool = False) -> Path:
    """Write ``queue`` (see :func:`review_queue`) to the workbook ``path``, in order; the last
    column offers the six Chinese category names as a drop-down. An existing file is replaced only
    with ``force``, and never the archive ``source``. Written a row at a time (a write-only workbook):
    memory does not grow with the queue."""
    from openpyxl import Workbook

    path = check_workbook(path, force=force, source=source)
    exported = moment(datetime.datetime.now().astimezone())
    workbook = Workbook(write_only=True)
    try:
        _write_queue(workbook.create_sheet(SHEET), queue, exported)
        _write_notes(workbook.create_sheet(NOTES), source, exported)
        with new_file(path, force=force, what="workbook") as temporary:
            workbook.save(temporary)
    except BaseException:  # refused, or Ctrl-C: the sheets' temporary files, which saving would have removed
        discard_unsaved(workbook)
        raise
    return path


def _notes(workbook) -> tuple[str, tuple | None]:
    """The NOTES sheet's source (its SOURCE row) and its EXPORTED row (number, shown value, hidden moment), None in a
    workbook exported before that row was written (or without the sheet). Each row is found by its name, wherever the
    desk sorted it or put a row above it."""
    if NOTES not in workbook.sheetnames:
        return "", None
    source, stamp = "", None
    for number, values in enumerate(sheet_rows(workbook[NOTES], values_only=True), start=1):
        values = list(values) + [None, None, None]
        if values[0] == SOURCE and values[1] is not None:
            source = str(values[1])
        if values[0] == EXPORTED and stamp is None:
            stamp = (number, "" if values[1] is None else values[1], values[2])
    return source, stamp


def _export_moment(stamp: tuple | None) -> str | None:
    """The moment of a workbook's EXPORTED row ``stamp`` (see :func:`_notes`), as the store keeps it: its hidden
    cell's, the shown local time agreeing with it; a workbook exported before 2026-12-06 shows the moment itself (and
    holds nothing beside it, or a remark). None where the workbook has no EXPORTED row; ValueError where it was
    changed."""
    if stamp is None:
        return None
    _, shown, exact = stamp
    try:
        exact = moment(exact)
    except ValueError:
        exact = None
    if exact is None:
        return moment(shown)
    said = datetime.datetime.strptime(str(shown).strip(), SHOWN_TIME)
    if said != datetime.datetime.fromisoformat(exact).replace(microsecond=0):
        raise ValueError(f"{EXPORTED} {shown!r} is not the moment {exact}")
    return exact


def read_review(path) -> tuple[Corrections, str]:
    """The corrections a reviewer made in a workbook of :func:`export_review`, and its source.
    Labels may be Chinese names or English labels; a mark for "not reviewed yet" (待定, /, ？, N/A), or a category
    written with a question mark, in doubt (质量问题？), is a row left blank, listed in the corrections'
    ``not_reviewed`` (see :class:`Corrections`); any other value is refused, all listed by row.
    Each belongs to the text exported (kept in hidden columns), not to what its 投诉内容 cell shows, and carries
    when its row was exported (exported_at: its own hidden moment, so that a row pasted from another export keeps
    that export's, also in a workbook without the column; the 说明 sheet's for a row without one, None where neither
    was written) and the 说明 sheet's
    (workbook_exported_at), which differ for rows from another export."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = open_read_only(path)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        head = b""
        if Path(path).is_file():
            with open(path, "rb") as f:  # its head only: a tagged file given by mistake may be large
                head = f.read(4096)
        saved_as_text = any(name.encode(encoding) in head for name in (COLUMNS[1], CHOICE_HEADER)  # 原文件行号, 更正为
                            for encoding in ("utf-8", "gb18030", "utf-16-le"))
        if Path(path).suffix.lower() in (".csv", ".tsv", ".txt", ".jsonl", ".parquet") and not saved_as_text:
            raise ArchiveError(f"{path} is not a review workbook: write one from the tagged file with export_review(), "
                               f"fill in its 更正为 column, then import that", "not_review_workbook") from None
        raise ArchiveError(f"{path} is not an .xlsx workbook that can be read ({type(error).__name__}); open it in "
                           f"Excel and save it as .xlsx (Excel 工作簿), then import it again", "not_review_workbook",
                           format=Path(path).suffix) from None
    try:
        if SHEET not in workbook.sheetnames:
            raise ArchiveError(f"{path} has no sheet {SHEET!r}: is it a review workbook written by export_review()?",
                               "not_review_workbook", sheets=list(workbook.sheetnames))
        rows = sheet_rows(workbook[SHEET], values_only=True)
        header = [str(v) if v is not None else "" for v in next(rows, ())]
        if header[:len(COLUMNS)] != COLUMNS:
            raise ArchiveError(f"{path}: the columns of sheet {SHEET!r} are {header}, not {COLUMNS}",
                               "not_review_workbook", columns=header)
        # The hidden cells are those headed 原文（勿改）: a column a reviewer added after them (备注) is no part of them.
        hidden = [i for i, name in enumerate(header) if i >= CHOICE and name == EXACT]
        stamped = header.index(ROW_EXPORTED) if ROW_EXPORTED in header[CHOICE:] else None  # each row's moment
        # Without that column (a workbook exported before it, or its name cleared), a row pasted from a newer export
        # still holds its moment in the unheaded cell after its hidden ones: taken where it is one, else the sheet's.
        loose = hidden[-1] + 1 if stamped is None and hidden else None
        loose = loose if loose is not None and (loose >= len(header) or header[loose] == "") else None
        source, stamp = _notes(workbook)
        try:  # typed over or cleared, it would tell no moment, or a wrong one
            exported_at, restamped = _export_moment(stamp), []
        except ValueError:
            exported_at, restamped = None, [(stamp[0], str(stamp[1]))]
        corrections, bad, textless, altered, moved, guessed, exported, unstamped = [], [], [], [], [], [], {}, []
        not_reviewed = []
        # A choice merged down over several rows (one for a block) holds for each of them.
        # A merge that starts left of 更正为 shows its left cell's value there: 更正为 holds no choice on
        # any of its rows (added as showing nothing from the row above its top).
        tops, hiding, below = defaultdict(list), defaultdict(list), MergedBelow()
        for first, top, end, last in scan_sheet(workbook, workbook[SHEET]).merged:
            if first < CHOICE <= end:
                hiding[top - 1].append((CHOICE, top - 1, CHOICE, last))
            elif first == CHOICE and last > top:
                tops[top].append((CHOICE, top, CHOICE, last))
        for merged in tops.pop(1, []) + hiding.pop(1, []) + hiding.pop(0, []):  # from the heading down
            below.add(merged, None)
        for number, values in enumerate(rows, start=2):
            values = list(values) + [None] * len(header)
            for _, value in below(number):
                values[CHOICE - 1] = value
            if CHOICE in below.hiding:
                values[CHOICE - 1] = None
            for merged in tops.pop(number, ()):
                below.add(merged, values[CHOICE - 1])
            for merged in hiding.pop(number, ()):
                below.add(merged, None)
            exact = "".join(str(values[i]) for i in hidden if values[i] is not None)
            try:
                exact = json.loads(exact) if exact else None  # workbooks exported before: none, or the text alone
            except ValueError:
                exact = False
            known = isinstance(exact, list) and len(exact) in (2, 4) and isinstance(exact[1], str)
            if known:
                exported[_shown(exact[1])] = number
            # 模型判断 or 置信度 typed over, or sorted apart from the hidden cells (told as moved when the row was)
            guess_off = known and len(exact) == 4 and (label_of(values[3]) != exact[2]
                                                       or not _same_number(values[5], exact[3]))
            choice = values[CHOICE - 1]
            # 待定, /, ？, or 质量问题？ (a doubt): a row not reviewed yet, left out as a blank choice is, never stored as sure
            mark = marked_or_doubtful(choice)
            if mark:
                not_reviewed.append((number, str(choice).strip()))
            if mark or choice is None or str(choice).strip() == "":
                if guess_off and str(exact[0]) == str(values[1]).strip():
                    guessed.append(number)
                continue
            label = label_of(str(choice))
            if label is None:
                bad.append((number, str(choice)))
                continue
            if exact is None:
                if values[2] is None or not str(values[2]).strip():  # the correction would belong to no text
                    textless.append(number)
                    continue
                row, text = values[1], str(values[2])
            elif isinstance(exact, str):
                row, text = values[1], exact
            elif known:
                row, text = exact[:2]
                if str(row) != str(values[1]).strip():  # 原文件行号 moved without the hidden cells
                    moved.append(number)
            else:
                altered.append(number)
                continue
            at = exported_at
            if exact is not None and stamped is not None:  # an exported row: its moment, not the sheet's, however
                try:  # cleared or typed over, the sheet's could be another export's: refused, never guessed
                    at = moment(values[stamped])
                except ValueError:
                    at = None
                if at is None:
                    unstamped.append(number)
                    continue
            elif exact is not None and loose is not None:
                try:
                    at = moment(values[loose]) or exported_at
                except ValueError:  # a desk's note, or nothing a moment: the sheet's, as before
                    pass
            corrections.append({"text": text, "label": label, "model_label": label_of(values[3]),
                                "source": source, "row": row, "exported_at": at, "workbook_exported_at": exported_at,
                                "number": number, "shown": values[2], "guess_off": guess_off})
        # A shown text that is another row's exported text moved there without its hidden cells.
        seen = set(moved)  # a set: a list searched for each row was quadratic in a sorted workbook
        moved += [c["number"] for c in corrections if c["number"] not in seen and c["shown"] != _shown(c["text"])
                  and exported.get(c["shown"], c["number"]) != c["number"]]
        seen = set(moved)
        guessed = sorted(guessed + [c["number"] for c in corrections if c["guess_off"] and c["number"] not in seen])
        for correction in corrections:
            del correction["number"], correction["shown"], correction["guess_off"]
    finally:
        workbook.close()
    problems = [(kind, {"rows": found}) for kind, found in [
        ("not_a_category", bad), ("no_text", textless), ("sorted_apart", sorted(moved)), ("guess_changed", guessed),
        ("hidden_changed", altered), ("export_time_changed", restamped), ("row_export_time_changed", unstamped)]
        if found]
    if problems:
        said = "; ".join(f"{_PROBLEMS_IN_ENGLISH[kind]}: {_rows_in_english(details['rows'])}"
                         for kind, details in problems)
        raise ReviewWorkbookError(f"{path}: nothing was stored; {said}", problems)
    return Corrections(corrections, not_reviewed), source
