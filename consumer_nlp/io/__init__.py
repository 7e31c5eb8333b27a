"""Where data enters and leaves: archives (readers, writers, encodings, column discovery) and
labeled files for training and evaluation."""
from ._columns import (CHANNEL_NAMES, DATE_NAMES, TAG_COLUMNS, bare_name, find_column, find_text_column,
                       names_row_below, record_in_header)
from ._labeled import (GroupSpellings, LabeledData, correction_key, group_name, read_labeled, trained_rows,
                       without_text_hashes)
from ._paths import (STALE_SECONDS, OutputLock, check_new_file, move_into_place, new_file, new_files, remove_aside,
                     same_file, sweep_removals, temporary_beside, working_name, write_json)
from ._archive import CHUNKING, ArchiveReader, BadRow, Chunk, archive_format, output_format
from ._cells import (EXCEL_EPOCHS, SERIAL_DAYS, XLSX_MAX_CELL, XLSX_MAX_ROWS, cell_text, day_numbers,
                     excel_changes, excel_text, excel_unescape, sheet_title, utf8_text)
from ._readers import open_archive
from ._workbook import MergedBelow, open_read_only, scan_sheet, shared_heading, sheet_rows
from ._text_escapes import printable, without_surrogates
from ._excel_out import check_fits_a_cell, check_fits_a_sheet, discard_unsaved, keep_text, text_cell, text_rows
from ._writers import PARTS, join_parts, write_archive, write_part
from ._json_text import shown_text

__all__ = ["archive_format", "ArchiveReader", "BadRow", "bare_name", "cell_text", "CHANNEL_NAMES", "check_fits_a_cell",
           "check_fits_a_sheet", "check_new_file", "Chunk", "CHUNKING", "correction_key", "DATE_NAMES", "day_numbers",
           "discard_unsaved", "EXCEL_EPOCHS", "excel_changes", "excel_text", "excel_unescape", "find_column",
           "find_text_column", "group_name", "GroupSpellings", "join_parts", "keep_text", "LabeledData", "MergedBelow",
           "move_into_place", "names_row_below", "new_file", "new_files", "open_archive", "open_read_only",
           "output_format", "OutputLock", "PARTS", "printable", "read_labeled", "record_in_header", "remove_aside",
           "same_file", "scan_sheet", "SERIAL_DAYS", "sheet_rows", "sheet_title", "shown_text", "STALE_SECONDS",
           "sweep_removals", "TAG_COLUMNS", "temporary_beside", "text_cell", "text_rows", "trained_rows", "utf8_text",
           "without_surrogates", "without_text_hashes", "working_name", "write_archive", "write_json", "write_part",
           "XLSX_MAX_CELL", "XLSX_MAX_ROWS", "shared_heading"]
