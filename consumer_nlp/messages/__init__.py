"""Every error and warning of the library a complaint desk meets, said in Chinese, in one home: what is wrong and how
to go on. A front end (the command line, the web) gives only ``names``, how it says each library parameter
(``{"text_col": "--text-col"}``); advice that needs a parameter it lacks is left out, or names the parameter."""
from ..exceptions import ArchiveError, LabeledDataError, ReviewWorkbookError
from ._archives import (blank_text_column_note, fix_in_chinese, held_elsewhere_in_chinese, how_to_go_on,
                        problem_in_chinese)
from ._columns import COLUMN_GLOSSES, COLUMN_NOTES, REASON_EMPTY, REASON_LOW_CONFIDENCE, REASON_NAMES, TERMS_NOTE
from ._labeled import labeled_fault_in_chinese, labeled_headline, nearest_category_in_chinese
from ._models import VERSION_WORDS, model_headline, unusable_model_note, version_in_chinese
from ._notes import note, progress, tagging_progress
from ._outputs import (added_columns_note, counts_in_chinese, days_1904_note, excel_changes_note, mixed_types_note,
                       row_notes, summary_in_chinese, tagged_by)
from ._review import (corrections_added_in_chinese, dispute_in_chinese, nothing_corrected_in_chinese,
                      queue_counts_in_chinese, review_workbook_headline, review_workbook_problem_in_chinese)
from ._rows import bad_row_in_chinese, names_rows_note, place_in_chinese
from ._runs import interrupted_in_chinese, run_headline

__all__ = ["COLUMN_GLOSSES", "COLUMN_NOTES", "REASON_EMPTY", "REASON_LOW_CONFIDENCE", "REASON_NAMES", "TERMS_NOTE",
           "VERSION_WORDS",
           "added_columns_note", "bad_row_in_chinese", "blank_text_column_note", "corrections_added_in_chinese",
           "counts_in_chinese",
           "days_1904_note", "dispute_in_chinese", "excel_changes_note", "fix_in_chinese", "headline",
           "held_elsewhere_in_chinese", "interrupted_in_chinese",
           "labeled_fault_in_chinese", "mixed_types_note", "names_for", "names_rows_note",
           "nearest_category_in_chinese",
           "note", "nothing_corrected_in_chinese",
           "place_in_chinese", "problem_in_chinese", "progress", "queue_counts_in_chinese",
           "review_workbook_problem_in_chinese", "row_notes", "summary_in_chinese", "tagged_by",
           "tagging_progress", "unusable_model_note", "version_in_chinese"]


# The parameters of the training data that calibration data is read with too (its columns) or not at all (its
# encoding, its sheet, its header row): a desk told to go on with one would change how the training data is read.
_TRAINING_DATA_ONLY = ("text_col", "label_col", "encoding", "sheet", "header_row")


def names_for(error: Exception, names: dict) -> dict:
    """The front end's ``names`` an ``error`` may tell a desk to go on with: for one met reading calibration data
    (``details["archive"]`` "calibration_data"), none of the training data's, so that the file is what is fixed."""
    if getattr(error, "details", {}).get("archive") != "calibration_data":
        return names
    return {parameter: name for parameter, name in names.items() if parameter not in _TRAINING_DATA_ONLY}


def headline(error: Exception, names: dict) -> str | None:
    """What went wrong and how to go on, in Chinese, for the line above the library's own message (which keeps the
    particulars); ``names`` maps a parameter to how the front end says it. None for an error of no kind known here."""
    archive = getattr(error, "details", {}).get("archive")
    which = {"previous": f"前一期档案（{names.get('previous', 'previous')}）：",
             "calibration_data": f"校准数据（{names.get('calibration_data', 'calibration_data=…')}）："}.get(archive, "")
    names = names_for(error, names)
    if isinstance(error, ArchiveError):
        return which + problem_in_chinese(error) + "。" + how_to_go_on(error, names)
    if isinstance(error, LabeledDataError):
        return which + labeled_headline(error, names)
    if isinstance(error, ReviewWorkbookError):
        return review_workbook_headline(error)
    return model_headline(error, names) or run_headline(error, names)
