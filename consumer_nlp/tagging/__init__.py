"""Tagging archives: the tag columns, the spool that checkpoints a run, and the run itself."""
from ._run import Summary, tag_file
from ._schema import (REASON_EMPTY, REASON_LOW_CONFIDENCE, TAG_COLUMNS, check_tagged, check_text_bytes,
                      check_untagged, excel_layout, names_rows, output_sheet, read_top_terms, refuse_added_rows,
                      refuse_rows, review_flags, review_reasons, tag_frame, without_text)
from ._spool import checkpoint_begun, default_output, finished_so_far

__all__ = ["REASON_EMPTY", "REASON_LOW_CONFIDENCE", "Summary", "TAG_COLUMNS", "check_tagged", "check_text_bytes",
           "check_untagged", "checkpoint_begun", "default_output", "excel_layout", "finished_so_far", "names_rows",
           "output_sheet", "read_top_terms", "refuse_added_rows", "refuse_rows", "review_flags", "review_reasons",
           "tag_file", "tag_frame", "without_text"]
