"""Excel cells as a person sees them: values as text, number formats kept or read, Excel's
_xHHHH_ escapes undone and written, what Excel makes of a text in a CSV file, and the limits of a sheet."""
import datetime
import decimal
import functools
import math
import re
from collections import Counter

import pandas as pd

from .._unicode import utf8_text
from ._text_escapes import FORBIDDEN, printable, without_surrogates

XLSX_MAX_ROWS, XLSX_MAX_COLUMNS, XLSX_MAX_CELL = 1_048_576, 16_384, 32_767  # an Excel sheet's limits
DOUBLE_EXACT = 2**53  # whole numbers up to this a double (Excel's numbers, Arrow's float64) holds exactly
EXCEL_LARGEST, EXCEL_SMALLEST = 9.99999999999999e307, 2.2251e-308  # Excel's range of numbers, by its specifications


class ExcelError(str):
    """A workbook's error cell (#N/A, #DIV/0!), told apart from a text that reads the same: its text in
    every text output, an error again in an .xlsx one."""


def sheet_title(name: str) -> str:
    """``name`` as Microsoft's rules let a sheet be named: at most 31 characters, none of []:*?/\\ (each made _), no
    ' at either end (dropped), and not History, which Excel keeps for itself (made History_); "" if nothing is left."""
    title = re.sub(r"[\[\]:*?/\\]", "_", name)[:31].strip("'")
    return title + "_" if title.lower() == "history" else title


def _duration_text(span: datetime.timedelta) -> str:
    """A time span as Excel's elapsed-time format shows it and reads it back (36:00:00, not Python's
    "1 day, 12:00:00" or pandas' "1 days 12:00:00"); fractions of a second to the nanosecond."""
    if span < datetime.timedelta(0):
        return "-" + _duration_text(-span)
    micro = span // datetime.timedelta(microseconds=1)
    fraction = (micro % 1_000_000) * 1000 + getattr(span, "nanoseconds", 0)  # pandas' Timedelta has them
    seconds = micro // 1_000_000
    text = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return text + f".{fraction:09d}".rstrip("0") if fraction else text


_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # controls no text holds (tabs and line breaks it may)


def cell_text(value) -> str:
    """An Excel cell as the text a person sees in it (formulas as their text, never evaluated); bytes
    (a Parquet binary column, as Hive and Impala store strings) their UTF-8 text when they are text,
    else as Python shows them."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        text = utf8_text(value)
        return str(value) if text is None or _NOT_TEXT.search(text) else text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():  # beyond 2**53 the double's own digits are not the number's:
        return str(int(value)) if abs(value) <= DOUBLE_EXACT else format(decimal.Decimal(repr(value)), "f")  # 1e23
    if isinstance(value, datetime.timedelta):
        return _duration_text(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
        return text[:-9] if text.endswith(" 00:00:00") else text
    return str(value)


_SHOWN_AS_IS = set("-+()$:^&'~{}<>= ")  # characters a number format shows without quotes
_COLOURS = re.compile(r"(?i)(black|blue|cyan|green|magenta|red|white|yellow|color\d+)")


@functools.lru_cache(maxsize=1024)  # a sheet holds few formats in many cells
def code_format(number_format, zero: bool = False) -> tuple | None:
    """A number format made of zero placeholders (two or more) and literal text, the format of a code
    (000123, 0571-88886666, NO.000123), as its pieces: None for a placeholder, text for a literal.
    None for any other format (amounts, percentages, dates, conditions). The section read is the
    first, for numbers of zero or more; with ``zero``, the third when there is one, Excel's for 0
    (which may be a literal alone: "零")."""
    if not isinstance(number_format, str):
        return None
    sections = number_format.split(";")
    if zero and len(sections) >= 3 and code_format(sections[0]) is not None:
        pieces = _format_pieces(sections[2])
        return pieces if pieces is not None and pieces.count(None) != 1 else None
    pieces = _format_pieces(sections[0])
    return pieces if pieces is not None and pieces.count(None) >= 2 else None


def _format_pieces(text: str) -> tuple | None:
    """One section of a number format as placeholders (None) and literals, or None when it holds
    anything else."""
    pieces, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "0":
            pieces.append(None)
        elif char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                return None
            pieces.append(text[i + 1:end])
            i = end
        elif char in "\\!" and i + 1 < len(text):  # the next character as it is
            pieces.append(text[i + 1])
            i += 1
        elif char in "_*":  # padding the width of the next character, or filling with it
            i += 1
        elif char == "[":
            end = text.find("]", i)
            inside = text[i + 1:end] if end > 0 else ""
            if not (inside.startswith("$-") or _COLOURS.fullmatch(inside)):  # a locale or a colour only
                return None
            i = end
        elif char in _SHOWN_AS_IS:
            pieces.append(char)
        else:
            return None
        i += 1
    return tuple(pieces)


def excel_digits(value):
    """A workbook's number with the 15 significant digits Excel shows and saves as CSV (89.1 for the
    double 89.10000000000001; 440101199001011000 for an 18-digit ID typed into a number cell, a whole
    number beyond 2**53 coming back as an exact int). Any other value as it is."""
    if not isinstance(value, float) or not math.isfinite(value):
        return value
    shown = f"{value:.15g}"
    if abs(value) >= 2 ** 53:
        return int(decimal.Decimal(shown))
    return float(shown)


def as_formatted(value, number_format):
    """A whole number of a code format (see :func:`code_format`) as the text Excel shows (000123,
    0571-88886666), since such numbers are codes: postcodes, phone, staff and order numbers. Any
    other value as it is."""
    if not (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and value >= 0 and value == int(value)):
        return value
    pieces = code_format(number_format, zero=value == 0)
    if pieces is None:
        return value
    places = pieces.count(None)
    digits = str(int(value)).zfill(places) if places else ""
    extra = len(digits) - places  # digits beyond the placeholders go into the first one, as in Excel
    shown, at = [], 0
    for piece in pieces:
        if piece is None:
            take = 1 + (extra if at == 0 else 0)
            shown.append(digits[at:at + take])
            at += take
        else:
            shown.append(piece)
    return "".join(shown)


# Excel writes characters XML cannot hold as _xHHHH_ (a carriage return as _x000D_); openpyxl
# undoes only the escape of "_x" itself (_x005F_), so the others reach us as written.
EXCEL_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def excel_unescape(text: str) -> str:
    """``text`` as Excel shows a cell holding it: each _xHHHH_ the character it stands for."""
    return EXCEL_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text


# What an .xlsx cell cannot hold raw, written as _xHHHH_: those and carriage returns (XML readers
# take them for line feeds).
_UNWRITABLE = "\r" + FORBIDDEN
_UNWRITABLE_RE = re.compile(f"[{_UNWRITABLE}]")
# Each underscore that opens what would read as an escape once written: back-to-back ones too
# (_x0041_x0042_ shares one), and one closed by the underscore of a character escaped as _xHHHH_.
_STARTS_AN_ESCAPE = re.compile(f"_(?=x[0-9A-Fa-f]{{4}}[_{_UNWRITABLE}])")


def excel_text(text: str) -> str:
    """``text`` as an .xlsx cell holds it, with Excel's escapes: a carriage return as _x000D_ (written
    raw, XML readers take it for a line feed), a character XML cannot hold as _x000B_ and the like,
    and text that reads like such an escape (_x0041_) escaped itself (_x005F_x0041_), or it would come
    back as another character; lone surrogates as U+FFFD. Where the escapes would take the cell past
    32,767 characters, which openpyxl cuts it to, the text goes as :func:`printable` shows it: whole,
    its carriage returns read back as line feeds."""
    kept = without_surrogates(text)
    escaped = _UNWRITABLE_RE.sub(lambda match: f"_x{ord(match.group()):04X}_", _STARTS_AN_ESCAPE.sub("_x005F_", kept))
    return escaped if len(escaped) <= XLSX_MAX_CELL else printable(kept)


def format_kind(value) -> str | None:
    """What a number format shows ``value`` as: "date" (a day or a moment), "time" (of day),
    "duration" (elapsed time, [h]:mm) or "number"; None for a value no number format applies to
    (text, a boolean)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime.timedelta):
        return "duration"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, datetime.time):
        return "time"
    return "number" if isinstance(value, (int, float)) else None


_MIXED = object()  # a column whose values of one kind are shown in several formats


def note_format(formats: dict, column: int, kind: str, shown: str | None) -> None:
    """Note in ``formats`` that a value of ``kind`` (see :func:`format_kind`) in ``column`` is shown
    in number format ``shown`` (None: one the file does not spell out, which no output can name)."""
    if formats.setdefault((column, kind), shown) != shown or shown is None:
        formats[(column, kind)] = _MIXED


def shared_formats(formats: dict, columns: list, first: int = 0) -> dict:
    """``{column name: {kind: number format}}`` from noted ``formats`` (sheet columns from ``first``
    named by ``columns``): a kind's format where every value of that kind in the column shares it,
    and it is not General."""
    shared = {}
    for (at, kind), shown in formats.items():
        if shown is not _MIXED and shown != "General" and first <= at < first + len(columns):
            shared.setdefault(columns[at - first], {})[kind] = shown
    return shared


def values_noting_formats(rows, formats: dict):
    """The values of each row of read-only cells (see :func:`cell_value`), the first being the
    header; the data rows' number formats are noted in ``formats`` (see :func:`note_format`)."""
    header = True
    for row in rows:
        if not header:
            for at, cell in enumerate(row):
                kind = format_kind(cell.value)
                if kind is not None:
                    note_format(formats, at, kind, cell.number_format)
        header = False
        yield tuple(map(cell_value, row))


def cell_value(cell):
    """An .xlsx cell's value with its type: text with Excel's _xHHHH_ escapes undone, numbers of a
    code format as Excel shows them, errors as :class:`ExcelError`."""
    value = cell.value
    if cell.data_type == "e":
        return ExcelError(value)
    if isinstance(value, str):
        return excel_unescape(value)
    return as_formatted(excel_digits(value), cell.number_format)


CHINESE_DATE_FORMATS = frozenset(range(27, 32)) | {36, 50, 51, 52, 53, 54, 57, 58}
CHINESE_TIME_FORMATS = frozenset({32, 33, 34, 35, 55, 56})


# What Excel makes of a text in a CSV or TSV file it opens, where that is not the text, by kind: a formula (a text
# beginning with = or @, or with + or - before what is no number: -信用卡 shows #NAME?, =HYPERLINK(…) a link), a code
# of digits losing its leading zeros (000123 shows 123), a number of 12 digits or more shown as 4.40101E+17 (and
# kept to 15 digits: 440101199001011008 saved back as 440101199001011000), and a text it reads as a date without a
# year, as Excel reads a cell typed in a Chinese (zh-CN) locale: a month and a day (a room number 3-2, 1/2, 3月2日)
# become a date of the year the file is opened in. A date with its year (2024-3-2) stays the same date, only saved
# back as 2024/3/2, which the report reads alike: not counted, or an archive's date column would bury the changes that
# matter under a note of its own. What only some locales read as dates (3-50, Mar-2) is not counted either.
_MONTH, _DAY = r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12][0-9]|3[01])"
_EXCEL_CHANGES = re.compile(
    r"(?P<formula>[=@]|[+-](?![0-9]+(?:\.[0-9]*)?$))|(?P<leading_zero>0[0-9]+$)|(?P<long_number>[+-]?[0-9]{12,}$)"
    rf"|(?P<date_no_year>{_MONTH}(?:[-/]{_DAY}|月{_DAY}日)$)")


def excel_changes(frame: pd.DataFrame) -> dict:
    """The texts of ``frame`` that Excel changes as it opens a CSV or TSV file holding them, counted by column and
    kind ({column: {kind: count}}, kinds as above): the file holds them right, Excel shows them otherwise."""
    found, match = {}, _EXCEL_CHANGES.match
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            # the matches first, over a list: twice as fast as counting from a generator over the Series
            kinds = [hit.lastgroup for value in values.tolist() if isinstance(value, str) and (hit := match(value))]
            if kinds:
                found[str(column)] = dict(Counter(kinds))
    return found


# Excel's serial days count from 1899-12-30 in its 1900 date system (day 1 is 1900-01-01, and Excel counts a 29
# February 1900 that never was, so from day 61 on a serial is its days since 1899-12-30), from 1904-01-01 in its 1904
# system (old Mac Excel's), by a workbook's dates_1904. A date column formatted as a number holds for plausible
# complaint dates the whole numbers of the days of 1990 to 2100 (32874 to 73415 in the 1900 system); a date and time
# column formatted as a number or General, those days with a fraction, the time of day (45721.41667 is 10:00).
EXCEL_EPOCHS = {False: pd.Timestamp("1899-12-30"), True: pd.Timestamp("1904-01-01")}
SERIAL_DAYS = (pd.Timestamp("1990-01-01"), pd.Timestamp("2100-12-31"))


def day_numbers(frame: pd.DataFrame, dates_1904: bool) -> dict:
    """A workbook's number cells in ``frame`` (its cells shown as dates are dates, not numbers), counted by column as
    [days, others, first day]: numbers that are Excel's serial days of 1990 to 2100 in the workbook's date system
    (``dates_1904``), with a time of day (a fraction) or without, other numbers, and the first of the days (None
    without one)."""
    low, high = ((day - EXCEL_EPOCHS[dates_1904]).days for day in SERIAL_DAYS)
    found = {}
    for column in frame.columns:
        numbers = [v for v in frame[column].tolist()
                   if isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)]
        days = [int(v) if float(v).is_integer() else v for v in numbers if low <= v < high + 1]
        if numbers:
            found[str(column)] = [len(days), len(numbers) - len(days), days[0] if days else None]
    return found
