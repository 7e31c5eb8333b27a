"""Tallies: a tagged archive streamed chunk by chunk into running counts, so memory stays flat
however long the archive. Values that are not what tagging writes are refused, named by row.
"""
import datetime
import heapq
import re
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._categories import CATEGORIES, doubtful_label, label_of
from .._money import amounts_mentioned
from .._values import cell_texts, is_missing
from ..exceptions import ArchiveError
from ..io import (CHANNEL_NAMES, DATE_NAMES, EXCEL_EPOCHS, SERIAL_DAYS, correction_key, find_column,
                  find_text_column, GroupSpellings, open_archive, shown_text)
from ..tagging import (REASON_EMPTY, check_tagged, names_rows, read_top_terms, refuse_added_rows, refuse_rows,
                       review_flags, without_text)

PERIODS = {"month": "M", "quarter": "Q"}  # the time table's rows, as pandas names the periods
# Words a desk may give for a period where a column's name is asked for (a group column): what each means.
PERIOD_WORDS = {"month": "month", "月": "month", "月份": "month", "按月": "month", "quarter": "quarter",
                "季度": "quarter", "季": "quarter", "按季度": "quarter"}
EMPTY = "empty"  # rows whose text was empty: no category, counted apart


KINDS = {**CATEGORIES, EMPTY: REASON_EMPTY}
MISSING_DATE = "日期缺失或无法识别"  # the period of rows without a readable date
NO_YEAR = "日期无年份"  # the period of rows dated by month and day alone (3月5日): no year is invented for them
LATER_DATE = "日期晚于制表日"  # the period of rows dated after the day the report is made: a typo (2052 for 2025)
# the period of rows dated before the first day serials are read as (io.SERIAL_DAYS): a date a system writes for none
# (1900-01-01, 1970-01-01) or a year typed wrongly, which the trend would draw as the month before the first real one
EARLIER_DATE = f"日期早于{SERIAL_DAYS[0].year}年"
# time-table rows that are no period: last, and left out of the trend
UNDATED = (MISSING_DATE, NO_YEAR, LATER_DATE, EARLIER_DATE)


# An amount starts only where a run of digits starts, so a long run that is no amount is scanned
# once, not once per position (that was quadratic: 40,000 digits took 80 s).
# The one rule for dates written as text: the year first, in four digits (2025-03-05, 2025/3/5,
# 2025.3.5, 2025年3月5日 or 5号, 2025年3月, 20250305; or the Republic of China's, see ``_ROC_YEAR``), optionally the
# day of the week (星期三, 周3, Wed), optionally a time (10:30, 10时30分, or 下午3:20, 晚上8点 or 3:20 PM on a
# twelve-hour clock, see ``_DAY_PARTS``) and a time zone (+08:00, +0800, or +08 after a time), which is dropped (the
# date as written is the date counted). Two-digit years and day/month orders are ambiguous (25-03-05, 5/3/2025): they
# do not fit and are named, unless a date_format says how to read them. A month and a day alone (3月5日, 3-5, 03/05)
# are a date without a year.
_ZONE = r"Z|[+-]\d{2}:?\d{2}|UTC"  # a time zone after a date and time, which is dropped
_ZONE_HOURS = r"[+-]\d{2}"  # a zone of hours alone (PostgreSQL's +08), read only after a time
# the day of the week after a date (2026年3月5日 星期四, Chinese Excel's long date format; （周四）, 週四 or 禮拜四 in
# traditional characters; 周4, in a digit from 1 to 7; Thu, Thurs or Thursday in English, of any case; its day alone in
# brackets, (四), as Excel's aaa format shows it), which is not checked
_WEEKDAY = (r"(?:\s*[(（]?\s*(?:(?:星期|[周週]|[礼禮]拜)[一二三四五六日天1-7]"
            r"|(?i:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?"
            r"|sun(?:day)?)\.?)\s*[)）]?"
            r"|\s*[(（]\s*[一二三四五六日天]\s*[)）])")
# Words for the part of the day before a time on a twelve-hour clock (AM and PM after it read as 上午 and 下午), and
# the hours of the 24-hour clock each names: the hour read is the one of the two it may be (8 or 20) that falls
# there. One that falls in neither is no time, as 下午13:00 is none: 晚上12点 (the midnight after the day written,
# which would be the next day) and 晚上3点 (凌晨3点 of the next day) are named, not read as the day written.
_DAY_PARTS = {"凌晨": (0, 6), "早上": (4, 11), "早晨": (4, 11), "上午": (0, 11), "中午": (11, 14), "下午": (12, 23),
              "傍晚": (16, 20), "晚上": (17, 23)}
_DATE = re.compile(r"^\s*(?:(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*[日号]?|\s*月)?|(\d{2})(\d{2}))"
                   r"|(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*[日号]?)"
                   rf"{_WEEKDAY}?"
                   rf"(?:(?:\s*({'|'.join(_DAY_PARTS)})\s*|[ T]+|(?<=[日号)）]))"
                   r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*([AaPp])\.?[Mm]\.?)?"
                   # or a part of the day without a time (2026年3月5日上午, as a register writes when a call came): its day
                   rf"|\s*(?:{'|'.join(_DAY_PARTS)}))?"
                   rf"\s*(?:{_ZONE}|(?(9){_ZONE_HOURS}))?\s*$")  # group 9: the hour
# A time in Chinese hours, minutes and seconds (10时, 10时30分, 下午3点20分15秒), read as the clock time it says (10:30),
# at the end or before a time zone.
_CHINESE_TIME = re.compile(r"(\d{1,2})\s*[时点]\s*(?:(\d{1,2})\s*分\s*(?:(\d{1,2})\s*秒)?)?"
                           rf"(?=\s*(?:{_ZONE}|{_ZONE_HOURS})?\s*$)")


# The Republic of China's years, as desks in Taiwan write dates (民國115年3月5日, 115/03/05 for 2026-03-05), read as
# the year plus 1911 before the one rule reads the date. A year is read so after 民國 (民国, 中華民國), or without it
# only in three digits from 080 to 150 (1991 to 2061) before a month and a day parted by -, / or . (YYY/MM/DD, as
# Taiwan's systems write them): a plain three-digit number, or a year of two digits (99/03/05), is none.
_ROC_YEAR = re.compile(r"^(?:中[華华])?民[國国]\s*(\d{1,3})(?=\s*[-/.年])"
                       r"|^(0[89]\d|1[0-4]\d|150)(?=[-/.]\d{1,2}[-/.]\d{1,2}(?!\d))")


def _as_common_era(found: re.Match) -> str:
    """A year of the Republic of China (see ``_ROC_YEAR``) as the common era's: 115 is 2026."""
    return str(int(found[1] or found[2]) + 1911)


def _as_clock(found: re.Match) -> str:
    """A time in Chinese hours and minutes (see ``_CHINESE_TIME``) as a clock writes it, after a space: 10时5分 is
    10:05."""
    hour, minute, second = found.groups()
    return f" {hour}:{(minute or '0').zfill(2)}" + (f":{second.zfill(2)}" if second else "")


_YEAR_CODES = re.compile(r"%[YyGcx]")  # strftime codes that read a year
# Excel's serial days: see io.EXCEL_EPOCHS and io.SERIAL_DAYS.
# 45721, or 45721.0 as a program writes a number read as a float; 45721.41667 with a time of day (10:00), as a CSV of a
# date and time column formatted as General holds it (the fraction is read to the second)
_SERIAL = re.compile(r"\d{5}(?:\.\d*)?")
_FRACTION = re.compile(r"\.\d*[1-9]")  # a serial's fraction of a day that is not nought: a time
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")  # 3, 88.5, -1: what a column of amounts or codes holds


def _text_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates of texts by the one rule (see ``_DATE``), NaT where none, and which of them name a month and day
    but no year (NaT among the dates)."""
    text = text.str.replace(_ROC_YEAR, _as_common_era, regex=True)
    parts = text.str.replace(_CHINESE_TIME, _as_clock, regex=True).str.extract(_DATE)
    marker, english = parts.pop(7), parts.pop(11).str.upper()  # 下午 or 晚上 before, AM or PM after: twelve hours
    part = marker.fillna(english.map({"A": "上午", "P": "下午"}))  # the part of the day (see _DAY_PARTS)
    twelve_hour = part.notna().to_numpy(dtype=bool)
    first = part.map({word: hours[0] for word, hours in _DAY_PARTS.items()}).to_numpy(dtype=float, na_value=np.nan)
    last = part.map({word: hours[1] for word, hours in _DAY_PARTS.items()}).to_numpy(dtype=float, na_value=np.nan)
    parts = parts.astype("Float64")
    hour, minute, second = (parts[i].fillna(0).to_numpy(dtype=float) for i in (8, 9, 10))
    # on a twelve-hour clock, 12 is the hour of midnight (上午) or noon (下午); of its hour and that plus 12, the one
    # the part of the day holds
    of_day = np.where((hour % 12 >= first) & (hour % 12 <= last), hour % 12, hour % 12 + 12)
    # pandas rolls 24:00 or 23:60 over into the next day (31 December into the next year): no time of day; nor
    # 下午13:00 on a twelve-hour clock, nor 晚上3点, an hour the part of the day does not hold
    outside = twelve_hour & ~((of_day >= first) & (of_day <= last))
    beyond = (hour > np.where(twelve_hour, 12, 23)) | outside | (minute > 59) | (second > 59)
    hour = np.where(twelve_hour, of_day, hour)
    clock = {"hour": hour, "minute": minute, "second": second}
    dated = pd.to_datetime(pd.DataFrame({"year": parts[0], "month": parts[1].fillna(parts[3]).fillna(1),
                                         "day": parts[2].fillna(parts[4]).fillna(1), **clock}), errors="coerce")
    # a month and a day of some year: any day of a leap year's
    month_day = pd.to_datetime(pd.DataFrame({"year": 2000, "month": parts[5], "day": parts[6], **clock}),
                               errors="coerce")
    # a year before the first pandas holds in nanoseconds (0024 for 2024) is no date on any pandas this package takes:
    # pandas 3 would read it, pandas 2 not, and the time table would differ between them
    ancient = parts[0].lt(pd.Timestamp.min.year + 1).fillna(False).to_numpy(dtype=bool)
    return dated.where(~beyond & ~ancient), month_day.notna() & ~beyond


def _formatted_dates(text: pd.Series, date_format: str) -> pd.Series:
    """Dates of texts by ``date_format``, NaT where none; a time zone it reads (%z) is dropped, the date as written
    counted, as by the one rule. Texts of different zones are read one by one (pandas reads them as one zone alone)."""
    try:
        with warnings.catch_warnings():  # pandas 2's of mixed time zones, which are read one by one below
            warnings.filterwarnings("ignore", "(?i).*mixed time ?zones", FutureWarning)
            parsed = pd.to_datetime(text, format=date_format, errors="coerce")
    except ValueError:  # pandas 3: mixed time zones
        parsed = None
    if parsed is None or parsed.dtype == object:  # (pandas 2: mixed time zones, as Timestamps)
        one = (pd.to_datetime(t, format=date_format, errors="coerce") for t in text.astype(object))
        parsed = pd.Series([t.replace(tzinfo=None) for t in one], index=text.index, dtype="datetime64[ns]")
    return parsed.dt.tz_localize(None) if parsed.dt.tz is not None else parsed


class DateCells(NamedTuple):
    """A date column's cells read each way (see :func:`read_dates`), a Series each."""

    dates: pd.Series  # as dates, NaT where they are none
    no_year: pd.Series  # whether they name a month and day but no year
    serials: pd.Series  # as Excel's serial days, NaT where they are no number of the days of 1990 to 2100
    timed: pd.Series  # of the serials, those with a fraction of a day (a time: 45721.41667)
    numbers: pd.Series  # whether they are other numbers (3, 88.5, 1899), none of the above


def read_dates(values: pd.Series, date_format: str | None = None, dates_1904: bool = False) -> DateCells:
    """A date column's cells read each way (see :class:`DateCells`): whether serials are dates, the column's other
    values decide. Dates are read by one explicit rule (see ``_DATE``), or by ``date_format`` (strftime codes, such
    as "%d/%m/%Y") when given; workbook dates stay as they are. Serials count by Excel's 1900 date system, or its
    1904 one (``dates_1904``, a workbook's)."""
    typed = values.map(lambda v: isinstance(v, (datetime.date, pd.Timestamp)))
    # No date is longer than 64 characters; a longer cell is named as no date without the pattern,
    # which would try every way of splitting a long run of spaces among its optional parts.
    text = values.astype("string").str.strip()
    text = text.where(text.str.len() <= 64).str.normalize("NFKC")  # full-width ２０２５－０３－０５ as typed in Chinese
    if date_format is None:
        parsed, no_year = _text_dates(text)
    else:
        parsed = _formatted_dates(text, date_format)
        no_year = parsed.notna() & (_YEAR_CODES.search(date_format) is None)  # strptime would say 1900
        parsed = parsed.where(~no_year)
    if typed.any():  # with a time zone, the date as written there (its local wall-clock time)
        written = values.where(typed).map(lambda v: v.replace(tzinfo=None) if isinstance(v, datetime.datetime) else v)
        parsed = parsed.where(~typed.to_numpy(), pd.to_datetime(written, errors="coerce"))
    day_like = text.str.fullmatch(_SERIAL).fillna(False).to_numpy(dtype=bool) & parsed.isna().to_numpy() & ~no_year
    days = pd.to_numeric(text.where(day_like), errors="coerce")
    serials = EXCEL_EPOCHS[dates_1904] + pd.to_timedelta(days, unit="D").dt.round("s")
    serials = serials.where(serials.dt.normalize().between(*SERIAL_DAYS))
    timed = serials.notna() & text.str.contains(_FRACTION).fillna(False).astype(bool)
    numbers = text.str.fullmatch(_NUMBER).fillna(False).astype(bool) & parsed.isna() & ~no_year & serials.isna()
    return DateCells(parsed, no_year.astype(bool), serials, timed, numbers)


def parse_dates(values: pd.Series, date_format: str | None = None) -> pd.Series:
    """Dates of a column by one explicit rule (see ``_DATE``), or by ``date_format`` (strftime
    codes, such as "%d/%m/%Y") when given; what does not fit, or names no year, is NaT. Workbook dates stay as
    they are."""
    return read_dates(values, date_format).dates


def _sure_label(value) -> str | None:
    """The category a tag cell says (:func:`label_of`), None for one a desk wrote with a question mark, its doubt
    (质量问题？: :func:`doubtful_label`), which is refused as ？ alone is, never counted as a sure category."""
    return None if doubtful_label(value) else label_of(value)


@dataclass
class _Tally:
    """Running counts over the chunks of one tagged archive."""

    rows: int = 0
    cleared_rows: int = 0  # rows of blank cells alone (cleared in Excel, saved in a CSV as ",,,,"): left out
    names_rows: "_Named" = field(default_factory=lambda: _Named())  # rows repeating the column names: left out
    hidden_rows: int = 0  # of them, rows hidden in Excel (a filter, or by hand): counted too, and said
    categories: Counter = field(default_factory=Counter)
    review: Counter = field(default_factory=Counter)
    money: Counter = field(default_factory=Counter)
    money_rows: Counter = field(default_factory=Counter)
    largest_amount: tuple = (0.0, 0, "")  # the complaint that mentions the most money: (yuan, row, text)
    periods: dict = field(default_factory=lambda: defaultdict(Counter))
    groups: dict = field(default_factory=lambda: defaultdict(Counter))  # by GroupSpellings key
    group_spellings: GroupSpellings = field(default_factory=GroupSpellings)
    terms: dict = field(default_factory=lambda: defaultdict(Counter))
    candidates: dict = field(default_factory=lambda: defaultdict(list))  # per category, a heap of (confidence, text)
    candidate_texts: dict = field(default_factory=lambda: defaultdict(set))  # the texts in each heap
    bad_dates: "_Named" = field(default_factory=lambda: _Named())  # dates that cannot be read
    later_dates: "_Named" = field(default_factory=lambda: _Named())  # dated after today
    earlier_dates: "_Named" = field(default_factory=lambda: _Named())  # dated before SERIAL_DAYS
    blank_dates: int = 0  # rows whose date cell is blank, counted with the unreadable ones
    no_year: "_Named" = field(default_factory=lambda: _Named())  # dated by month and day alone
    serials: "_HeldSerials" = field(default_factory=lambda: _HeldSerials())  # numbers that may be Excel's dates
    today: datetime.date = field(default_factory=datetime.date.today)
    date_format: str | None = None
    dates_1904: bool = False  # whether serials count by Excel's 1904 date system (a workbook's)
    corrections: dict = field(default_factory=dict)  # {text: label}: reviewers' corrections
    corrected: int = 0  # rows a reviewer's correction moved to another category
    unlike_zh: int = 0  # rows whose category_zh and category say different categories
    unlike_zh_rows: list = field(default_factory=list)  # the first ten of them, by row
    given_empty: "_Named" = field(default_factory=lambda: _Named())  # rows without text a desk gave a category
    filled_empty: "_Named" = field(default_factory=lambda: _Named())  # rows tagged without text that hold one now
    repeated: "_Repeated" = field(default_factory=lambda: _Repeated())  # rows repeating an earlier row cell for cell

    def _categories(self, frame: pd.DataFrame, rows, text_col) -> pd.Series:
        """Each row's category as a person last said it: a reviewer's correction of its text, else
        an edited category_zh, else category (English or Chinese); rows without text apart, unless a desk gave
        them a category."""
        empty = without_text(frame)
        labels = frame["category"].map(_sure_label)
        tagged_as = labels.copy()  # as the category column says, before category_zh
        refuse_added_rows(frame, rows)  # a 合计 row below the table, told apart from a category cleared
        blank = cell_texts(frame["category"]).eq("")
        edited = pd.Series(np.nan, index=frame.index, dtype=object)
        if "category_zh" in frame:
            edited = frame["category_zh"].map(_sure_label)
            written = cell_texts(frame["category_zh"]).ne("")
            refuse_rows(frame["category_zh"], written & edited.isna(), rows, "category_zh",
                    "one of the six categories, or empty")
            # a row without text has a blank category: a category_zh given it is no disagreement
            unlike = np.flatnonzero((edited.notna() & labels.notna() & edited.ne(labels)).to_numpy())
            self.unlike_zh += len(unlike)
            self.unlike_zh_rows += [int(rows[i]) for i in unlike[:10 - len(self.unlike_zh_rows)]]
            labels = labels.where(edited.isna(), edited)
        # a blank category is a row without text's, or one whose category_zh a desk gave (which wins over category)
        refuse_rows(frame["category"], tagged_as.isna() & ~(blank & (empty | edited.notna())), rows, "category",
                    "one of the six categories")
        # A row without text is in no category, unless a desk gave it one: tagging leaves its category blank (other
        # and 其他, or other alone, before 2026-12-05), so any other is a person's.
        as_tagged = tagged_as.eq("other") & (edited.isna() | edited.eq("other"))
        given = (empty & labels.notna() & ~as_tagged).to_numpy()
        self.given_empty.add(given, rows, labels.map(CATEGORIES))
        empty = empty & ~given
        if text_col and empty.any():  # a text typed in after tagging, its row left without a category
            filled = empty.copy()  # a letter, digit or Chinese character: marks alone (。。。) are tagged as no text
            filled[empty] = cell_texts(frame.loc[empty, text_col]).str.contains(r"[^\W_]", regex=True)
            self.filled_empty.add(filled.to_numpy(), rows, frame[text_col])
        if self.corrections and text_col:
            fixed = frame[text_col].map(lambda t: self.corrections.get(correction_key(t)) if isinstance(t, str)
                                        else None)
            self.corrected += int((fixed.notna() & fixed.ne(labels)).sum())
            labels = labels.where(fixed.isna(), fixed)
        return labels.where(~empty, EMPTY).astype(str)  # a row without text is counted apart, in no category

    def add(self, frame: pd.DataFrame, rows, text_col, date_col, group_col, period: str):
        categories = self._categories(frame, rows, text_col)
        review = review_flags(frame["needs_review"], rows)
        _check_confidence(frame["confidence"], rows)
        self.rows += len(frame)
        self.categories.update(categories)
        self.review.update(categories[review.to_numpy()])
        texts = frame[text_col] if text_col else pd.Series([""] * len(frame), index=frame.index)
        amounts = np.array(amounts_mentioned(texts), dtype=float)
        if len(amounts) and amounts.max() > self.largest_amount[0]:  # the first of the largest, in row order
            most = int(amounts.argmax())
            self.largest_amount = (float(amounts[most]), int(rows[most]), texts.iloc[most])
        for category, amount in zip(categories, amounts):
            if amount > 0:
                self.money[category] += amount
                self.money_rows[category] += 1
        if date_col:
            self._add_dates(frame[date_col], rows, categories, period)
        if group_col:
            for value, category in zip(frame[group_col], categories):
                self.groups[self.group_spellings.add(value)][category] += 1
        # Terms and examples show why the model placed a row: only rows still where it placed them.
        placed = (categories == frame["category"].map(label_of).astype(str)).to_numpy()
        if "top_terms" in frame:
            for category, terms in zip(categories[placed], frame["top_terms"].astype("string").fillna("")[placed]):
                for term, weight in read_top_terms(terms):
                    self.terms[category][term] += weight
        if text_col:
            confidence = _confidences(frame["confidence"]).fillna(0).to_numpy()
            for text, category, score in zip(texts[placed], categories[placed], confidence[placed]):
                if isinstance(text, str) and 12 <= len(text.strip()) <= 220:
                    heap, item = self.candidates[category], (float(score), text.strip())
                    if item[1] in self.candidate_texts[category]:  # copies would crowd the others out
                        continue
                    if len(heap) < 60:
                        heapq.heappush(heap, item)
                    elif item > heap[0]:
                        self.candidate_texts[category].discard(heapq.heapreplace(heap, item)[1])
                    else:
                        continue
                    self.candidate_texts[category].add(item[1])

    def _add_dates(self, values: pd.Series, rows, categories: pd.Series, period: str) -> None:
        """Count a chunk's rows by the period of their dates; numbers that may be Excel's serial days are held
        back (see :meth:`settle_serials`)."""
        read = read_dates(values, self.date_format, self.dates_1904)
        written = cell_texts(values).ne("").to_numpy()
        self.blank_dates += int((~written).sum())
        serial, no_year, dated = read.serials.notna().to_numpy(), read.no_year.to_numpy(), read.dates.notna().to_numpy()
        self.serials.note_others(written & ~serial, dated | no_year, read.numbers.to_numpy())
        self.bad_dates.add(~dated & written & ~no_year & ~serial, rows, values)
        early = (read.dates < SERIAL_DAYS[0]).to_numpy()
        self.earlier_dates.add(early, rows, values)
        labels = self._period_labels(read.dates, rows, values, period, self.later_dates).where(~no_year, NO_YEAR)
        labels = labels.where(~early, EARLIER_DATE)
        self.no_year.add(no_year, rows, values)
        self.serials.hold(self._period_labels(read.serials, rows, values, period, self.serials.later_dates),
                          categories, serial, rows, values)
        self.serials.timed += int(read.timed.sum())
        for label, category in zip(labels[~serial], categories[~serial]):
            self.periods[label][category] += 1

    def _period_labels(self, dates: pd.Series, rows, values: pd.Series, period: str, later_dates: "_Named"):
        """Each date's period (MISSING_DATE where none), or LATER_DATE for a date after today, named in
        ``later_dates``."""
        later = (dates >= pd.Timestamp(self.today) + pd.Timedelta(days=1)).to_numpy()
        later_dates.add(later, rows, values)
        return dates.dt.to_period(PERIODS[period]).astype("string").fillna(MISSING_DATE).where(~later, LATER_DATE)

    def settle_serials(self) -> None:
        """Count the numbers held back once the date column is all read: as Excel's serial days where
        :attr:`_HeldSerials.are_dates`, else as dates that cannot be read."""
        held = self.serials
        for (label, category), count in held.counts.items():
            self.periods[label if held.are_dates else MISSING_DATE][category] += count
        if held.are_dates:
            self.later_dates.join(held.later_dates)
        else:
            self.bad_dates.join(held.rows)

    def named_groups(self) -> dict:
        """The group counts, each group named by its most common spelling."""
        return {self.group_spellings.name(key): counts for key, counts in self.groups.items()}


@dataclass
class _Named:
    """Rows of one kind, as the report's notes name them: how many, and the first ten (row, value)."""

    count: int = 0
    first: list = field(default_factory=list)

    def add(self, chosen: np.ndarray, rows, values: pd.Series) -> None:
        """Count the ``chosen`` rows of a chunk."""
        found = np.flatnonzero(chosen)
        self.count += len(found)
        self.first += [(int(rows[i]), shown_text(values.iloc[i])) for i in found[:10 - len(self.first)]]

    def join(self, other: "_Named") -> None:
        """Count ``other``'s rows among these, the first ten of both in row order."""
        self.count += other.count
        self.first = sorted(self.first + other.first)[:10]


@dataclass
class _Repeated:
    """Rows that repeat an earlier row cell for cell (a sheet pasted twice, or two calls in the same words): how many,
    and the first ten as (row, the row it repeats). Each row is known by a 64-bit hash of its cells as texts, so a
    chunk costs one pass and a look-up per row, never a comparison with every earlier row."""

    count: int = 0
    first: list = field(default_factory=list)
    seen: dict = field(default_factory=dict)  # each row's hash: the first row that has it

    def add(self, frame: pd.DataFrame, rows) -> None:
        """Count the rows of a chunk that repeat an earlier one, of this chunk or of those before."""
        # Python's hash of each row's cells as texts: a text with a lone surrogate (a broken emoji), which Arrow's
        # strings and pandas' hashing refuse, is a text like any other
        cells = [["" if is_missing(value) else str(value).strip() for value in frame[column].tolist()]
                 for column in frame.columns]
        for row, key in zip(rows, map(hash, zip(*cells))):
            earlier = self.seen.setdefault(key, row)
            if earlier != row:
                self.count += 1
                if len(self.first) < 10:
                    self.first.append((int(row), int(earlier)))


@dataclass
class _HeldSerials:
    """Numbers of a date column that Excel's serial days of 1990 to 2100 could be (45721 for 2025-03-05, 45721.41667
    with a time), held back until the whole column is read: whether they are dates depends on its other values (see
    :attr:`are_dates`)."""

    rows: _Named = field(default_factory=_Named)  # as the notes name them
    counts: Counter = field(default_factory=Counter)  # (period label, category): as counted if they are dates
    later_dates: _Named = field(default_factory=_Named)  # of them, those after today
    timed: int = 0  # of them, those with a time of day (a fraction)
    others: int = 0  # the column's other written values
    dates: int = 0  # of those, dates (with a year or without)
    numbers: int = 0  # of those, other numbers (3, 88.5, 1899)

    def hold(self, labels: pd.Series, categories: pd.Series, chosen: np.ndarray, rows, values: pd.Series) -> None:
        """Hold back the ``chosen`` rows of a chunk, by the period label they would have as dates."""
        self.rows.add(chosen, rows, values)
        self.counts.update(zip(labels[chosen], categories[chosen]))

    def note_others(self, others: np.ndarray, dates: np.ndarray, numbers: np.ndarray) -> None:
        """Count a chunk's ``others`` (the written values that are no serial), and among them its dates and
        numbers."""
        self.others += int(others.sum())
        self.dates += int((others & dates).sum())
        self.numbers += int((others & numbers).sum())

    @property
    def are_dates(self) -> bool:
        """Whether they are read as dates: every value written in the column is one, or the column is mostly dates
        (more than these) pasted with a few of them without their format and holds no other number (beside numbers
        they may be amounts or codes: not guessed at)."""
        return bool(self.rows.count) and (not self.others or (not self.numbers and self.dates > self.rows.count))


def _confidences(values: pd.Series) -> pd.Series:
    """A confidence column's numbers, NaN where none; 98.41% as 0.9841 (a column Excel shows as percentages keeps
    them so in a CSV it saves), full-width digits as the digits."""
    text = cell_texts(values).str.normalize("NFKC")  # full-width ９８.４１％, as typed in a Chinese input method
    percent = text.str.fullmatch(r"[-+]?[\d.]+\s*%")
    numbers = pd.to_numeric(values.where(~percent.to_numpy()), errors="coerce")
    numbers = numbers.fillna(pd.to_numeric(text.where(~percent.to_numpy()), errors="coerce").astype(float))
    if percent.any():
        numbers = numbers.where(~percent.to_numpy(),
                                pd.to_numeric(text.str.rstrip("%").str.strip(), errors="coerce").astype(float) / 100)
    return numbers


def _check_confidence(values: pd.Series, rows) -> None:
    """A confidence that is not a number from 0 to 1 is refused, named by row (not read as 0)."""
    numbers = _confidences(values)
    refuse_rows(values, numbers.isna() | (numbers < 0) | (numbers > 1), rows, "confidence",
                "numbers from 0 to 1")


def _cleared(frame: pd.DataFrame) -> np.ndarray:
    """Which rows hold blank cells alone: what Excel saves in a CSV for rows whose contents were cleared. Only rows
    without a category are looked at whole, so a chunk costs one column's check."""
    cleared = cell_texts(frame["category"]).eq("").to_numpy()
    if cleared.any():
        cleared[cleared] = frame[cleared].apply(cell_texts).eq("").all(axis=1).to_numpy()
    return cleared


def tally_archive(path, *, text_col=None, date_col=None, group_col=None, period="month", progress=None,
                  encoding=None, date_format=None, chunk_size: int = 20_000, corrections=None,
                  dates_1904=None, rows_named=None) -> tuple:
    """The tally of the tagged archive at ``path``, read ``chunk_size`` rows at a time, and the
    columns found for text, date and group (``group_col``, else a channel column). ``dates_1904``: whether day numbers
    count from 1904 (None: as the archive says, a workbook by its date system, any other file from 1900); rows are
    named by their places, or as ``rows_named`` gives each."""
    reader = open_archive(path, encoding=encoding, chunk_size=chunk_size)
    corrections = {correction_key(text): label for text, label in (corrections or {}).items()}
    tally, found = _Tally(date_format=date_format, corrections=corrections), {}
    with reader.progress_bar(progress, desc=Path(path).name) as bar:
        for chunk in reader.chunks():
            if chunk.bad:  # a report counts every row, or says which it cannot
                raise chunk.bad[0].stops(path, "fix it and make the report again")
            frame = chunk.rows
            if not found:
                own = check_tagged(frame.columns, path, needed=["category", "needs_review", "confidence"])
                try:
                    found["text"] = find_text_column(own, text_col)
                except ValueError:
                    if text_col is not None:  # a column the user named must be there
                        raise
                    found["text"] = None
                found["date"] = find_column(frame.columns, date_col, DATE_NAMES)
                # known once the sheet is opened
                tally.dates_1904 = reader.layout.dates_1904 if dates_1904 is None else dates_1904
                found["group"] = None if group_col is None else _group_column(frame.columns, group_col)
                if group_col is None:
                    found["group"] = find_column(frame.columns, None, CHANNEL_NAMES)
            cleared, names, places = _cleared(frame), names_rows(frame), chunk.places()
            places = places if rows_named is None else [rows_named(place) for place in places]
            kept = ~(cleared | names)
            tally.cleared_rows += int(cleared.sum())
            tally.names_rows.add(names, places, frame["category"])
            kept_places = [row for row, keep in zip(places, kept) if keep]
            tally.repeated.add(frame[kept], kept_places)
            tally.add(frame[kept], kept_places, found["text"], found["date"], found["group"], period)
            bar.update(chunk.position - bar.n)
    tally.settle_serials()
    tally.hidden_rows = reader.hidden_rows
    if tally.rows == 0:
        left_out = {"blank": tally.cleared_rows, "names": tally.names_rows.count}  # what rows the file has, if any
        raise ArchiveError(f"{path} has no rows to report on" + (
            f" ({left_out['blank']} blank, {left_out['names']} repeating the column names, left out)"
            if any(left_out.values()) else ""), "no_rows", **left_out)
    return tally, found


def _group_column(columns, group_col: str) -> str:
    """The group column named ``group_col``; where there is none and it is a period's word (季度, Quarter), the
    error says which period (``details["period"]``), which the time table takes, not a column."""
    try:
        return find_column(columns, group_col, ())
    except ArchiveError as error:
        period = PERIOD_WORDS.get(str(group_col).strip().casefold())
        if error.problem == "no_column" and period:
            error.details["period"] = period
            error.args = (f"{error}; for the time table by {period}, the period parameter takes {period!r}",)
        raise

