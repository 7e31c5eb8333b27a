"""One sheet of an old .xls workbook, read with xlrd."""
import datetime
import functools

from ..exceptions import ArchiveError
from ._archive import password_protected
from ._cells import ExcelError, as_formatted, excel_digits, format_kind, note_format
from ._workbook import SheetScan, choose_sheet, merged_from_above
from ._xlsx import ExcelReader


class XlsReader(ExcelReader):
    """An old Excel .xls workbook, read with xlrd (which, unlike python-calamine, gives each cell's
    number format); sheets and rows as for .xlsx, a formula as its last computed value."""

    def chunks(self):
        import xlrd

        try:
            workbook = xlrd.open_workbook(str(self.path), formatting_info=True)
        except Exception as error:  # xlrd's errors name the format problem
            if "encrypted" in str(error).lower():
                raise password_protected(self.path) from None
            raise ArchiveError(f"{self.path} is not an Excel .xls workbook ({error})", "not_a_workbook",
                               format="xls") from None
        try:
            names = workbook.sheet_names()
            visible = [sheet.name for sheet in map(workbook.sheet_by_name, names) if sheet.visibility == 0]
            name = choose_sheet(names, visible, lambda: [n for n in visible if _has_data(workbook.sheet_by_name(n))],
                                self.sheet, self.path)
            self.sheet_title = name
            self.other_sheets = [(n, n not in visible) for n in names if n != name
                                 and _has_data(workbook.sheet_by_name(n))]
            sheet = workbook.sheet_by_name(name)
            self.total = max(sheet.nrows - self.header_row, 0)
            formats = {}  # of the data rows only: a heading typed as a date is no format of its column
            rows = (_xls_row(workbook, sheet, r, formats if r >= self.header_row else {})
                    for r in range(self.header_row - 1, sheet.nrows))
            merged = [(first_column + 1, first_row + 1, end_column, end_row)  # xlrd counts from 0, ends exclusive
                      for first_row, end_row, first_column, end_column in sheet.merged_cells]
            hidden = {row + 1 for row, info in sheet.rowinfo_map.items() if info.hidden}  # numbered from 1 here
            hidden_columns = {column + 1 for column, info in sheet.colinfo_map.items() if info.hidden}
            scan = SheetScan(merged=merged, hidden=hidden, hidden_columns=hidden_columns,
                             dates_1904=workbook.datemode == 1, last_column=_last_column(sheet))
            above = {span[0]: (span[1], (_xls_row(workbook, sheet, span[1] - 1, {}) + [""] * span[0])[span[0] - 1])
                     for span in merged_from_above(merged, self.header_row) if span[1] <= sheet.nrows}
            yield from self._rows_to_chunks(rows, scan, formats=formats, above=above,
                                            rows_from_top=lambda: map(sheet.row_values, range(sheet.nrows)),
                                            sheets_with_data=[n for n, hidden in self.other_sheets if not hidden])
        finally:
            workbook.release_resources()


def _has_data(sheet) -> bool:
    """Whether an xlrd ``sheet`` holds any value."""
    return any(cell.value != "" for row in sheet.get_rows() for cell in row)


def _last_column(sheet) -> int:
    """The last column (from 1) any cell of an xlrd ``sheet`` holds a value in; 0 when none does. A cell of a format
    alone (under a merged heading, a bordered row) holds none."""
    import xlrd

    last = 0
    for row in range(sheet.nrows):
        types = sheet.row_types(row)
        for column in range(len(types) - 1, last - 1, -1):  # from the right, down to the last found so far
            if types[column] not in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                last = column + 1
                break
    return last


@functools.lru_cache(maxsize=1024)  # asked for every number and date cell, of few formats
def _builtin_format(key: int, shown: str | None) -> str | None:
    """An .xls number format as .xlsx names it: Excel's built-in formats (below 164) by openpyxl's
    name, which it writes as the built-in (14, the desktop's short date, is "m/d/yy" to xlrd); None
    for a Chinese built-in (27-36, 50-58) that the file does not spell out and openpyxl cannot name."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    return BUILTIN_FORMATS.get(key, shown) if key < 164 else shown


@functools.lru_cache(maxsize=1024)  # asked for every number and date cell, of few formats
def _is_span_format(shown: str) -> bool:
    """Whether an .xls number format shows elapsed time ([h]:mm, [m]"分钟", [ss])."""
    from openpyxl.styles.numbers import is_timedelta_format

    return bool(is_timedelta_format(shown))


# Beyond these an .xls number cannot be a date (Excel's last is 9999-12-31, and it shows ##### past it)
# or a span Python holds: it is kept as its number.
_DATE_DAYS, _SPAN_DAYS = 2_958_466, 999_999_999


def _xls_row(workbook, sheet, row: int, formats: dict) -> list:
    """The values of an .xls row with their types: text, whole numbers as int, dates (a whole day as
    a date, a time of day as a time), elapsed times as spans, booleans, errors as Excel shows them
    (#DIV/0!). Its number formats are noted in ``formats`` (see :func:`note_format`)."""
    import xlrd

    values = []
    for column, cell in enumerate(sheet.row(row)):
        kind, value = cell.ctype, cell.value
        if kind in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
            key = workbook.xf_list[sheet.cell_xf_index(row, column)].format_key
            shown = workbook.format_map[key].format_str
        if kind in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE) and _is_span_format(shown) and abs(value) < _SPAN_DAYS:
            # days elapsed ([h]:mm, [m]"分钟": xlrd takes some for numbers), in any date mode, to the
            # millisecond as Excel shows them and openpyxl reads them (B-A of two moments is a hair off)
            value = datetime.timedelta(milliseconds=round(value * 86_400_000))
            note_format(formats, column, "duration", _builtin_format(key, shown))
        elif kind == xlrd.XL_CELL_NUMBER or (kind == xlrd.XL_CELL_DATE and value >= _DATE_DAYS):
            value = excel_digits(value)
            value = int(value) if isinstance(value, float) and value.is_integer() else value
            note_format(formats, column, "number", _builtin_format(key, shown))
            value = as_formatted(value, shown)
        elif kind == xlrd.XL_CELL_DATE and value >= 0:  # a negative one is no date: kept as its number
            moment = xlrd.xldate_as_datetime(value, workbook.datemode)
            value = moment.time() if value < 1 else moment.date() if value.is_integer() else moment
            note_format(formats, column, format_kind(value), _builtin_format(key, shown))
        elif kind == xlrd.XL_CELL_BOOLEAN:
            value = bool(value)
        elif kind == xlrd.XL_CELL_ERROR:
            value = ExcelError(xlrd.error_text_from_code.get(value, "#N/A"))
        elif kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            value = ""
        values.append(value)
    return values
