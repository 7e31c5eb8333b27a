"""Tallies: a tagged archive streamed chunk by chunk into running counts, so memory stays flat
however long the archive. Values that are not what tagging writes are refused, named by row.
"""
import datetime
import heapq
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._categories import CATEGORIES, label_of
from .._money import money_mentioned
from ..io import (CHANNEL_NAMES, DATE_NAMES, correction_key, find_column, find_text_column, GroupSpellings, group_name,
                  open_archive)
from ..tagging import REASON_EMPTY, check_tagged, read_top_terms, refuse_rows, review_flags, without_text

PERIODS = {"month": "M", "quarter": "Q"}  # the time table's rows, as pandas names the periods
EMPTY = "empty"  # rows whose text was empty: no category, counted apart


KINDS = {**CATEGORIES, EMPTY: REASON_EMPTY}
MISSING_DATE = "日期缺失或无法识别"  # the period of rows without a readable date
LATER_DATE = "日期晚于制表日"  # the period of rows dated after the day the report is made: a typo (2052 for 2025)


# An amount starts only where a run of digits starts, so a long run that is no amount is scanned
# once, not once per position (that was quadratic: 40,000 digits took 80 s).
# The one rule for dates written as text: the year first, in four digits (2025-03-05, 2025/3/5,
# 2025.3.5, 2025年3月5日, 2025年3月, 20250305), optionally a time and a time zone, which is dropped
# (the date as written is the date counted). Two-digit years and day/month orders are ambiguous
# (25-03-05, 5/3/2025): they do not fit and are named, unless a date_format says how to read them.
_DATE = re.compile(r"^\s*(\d{4})(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?|\s*月)?|(\d{2})(\d{2}))"
                   r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?\s*$")




def parse_dates(values: pd.Series, date_format: str | None = None) -> pd.Series:
    """Dates of a column by one explicit rule (see ``_DATE``), or by ``date_format`` (strftime
    codes, such as "%d/%m/%Y") when given; what does not fit is NaT. Workbook dates stay as they are."""
    typed = values.map(lambda v: isinstance(v, (datetime.date, pd.Timestamp)))
    # No date is longer than 64 characters; a longer cell is named as no date without the pattern,
    # which would try every way of splitting a long run of spaces among its optional parts.
    text = values.astype("string").str.strip()
    text = text.where(text.str.len() <= 64).str.normalize("NFKC")  # full-width ２０２５－０３－０５ as typed in Chinese
    if date_format is not None:
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
    else:
        parts = text.str.extract(_DATE).astype("Float64")
        parsed = pd.to_datetime(pd.DataFrame({
            "year": parts[0], "month": parts[1].fillna(parts[3]).fillna(1), "day": parts[2].fillna(parts[4]).fillna(1),
            "hour": parts[5].fillna(0), "minute": parts[6].fillna(0), "second": parts[7].fillna(0)}), errors="coerce")
        # pandas rolls 24:00 or 23:60 over into the next day (31 December into the next year): no time of day
        beyond = (parts[5].fillna(0) > 23) | (parts[6].fillna(0) > 59) | (parts[7].fillna(0) > 59)
        parsed = parsed.where(~beyond.to_numpy(dtype=bool))
    if typed.any():  # with a time zone, the date as written there (its local wall-clock time)
        written = values.where(typed).map(lambda v: v.replace(tzinfo=None) if isinstance(v, datetime.datetime) else v)
        parsed = parsed.where(~typed.to_numpy(), pd.to_datetime(written, errors="coerce"))
    return parsed


@dataclass
class _Tally:
    """Running counts over the chunks of one tagged archive."""

    rows: int = 0
    hidden_rows: int = 0  # of them, rows hidden in Excel (a filter, or by hand): counted too, and said
    categories: Counter = field(default_factory=Counter)
    review: Counter = field(default_factory=Counter)
    money: Counter = field(default_factory=Counter)
    money_rows: Counter = field(default_factory=Counter)
    periods: dict = field(default_factory=lambda: defaultdict(Counter))
    groups: dict = field(default_factory=lambda: defaultdict(Counter))  # by GroupSpellings key
    group_spellings: GroupSpellings = field(default_factory=GroupSpellings)
    terms: dict = field(default_factory=lambda: defaultdict(Counter))
    candidates: dict = field(default_factory=lambda: defaultdict(list))  # per category, a heap of (confidence, text)
    candidate_texts: dict = field(default_factory=lambda: defaultdict(set))  # the texts in each heap
    bad_dates: list = field(default_factory=list)
    bad_date_count: int = 0
    later_dates: list = field(default_factory=list)  # the first ten dated after today, by row
    later_date_count: int = 0
    today: datetime.date = field(default_factory=datetime.date.today)
    date_format: str | None = None
    corrections: dict = field(default_factory=dict)  # {text: label}: reviewers' corrections
    corrected: int = 0  # rows a reviewer's correction moved to another category
    unlike_zh: int = 0  # rows whose category_zh and category say different categories
    unlike_zh_rows: list = field(default_factory=list)  # the first ten of them, by row

    def _categories(self, frame: pd.DataFrame, rows, text_col) -> pd.Series:
        """Each row's category as a person last said it: a reviewer's correction of its text, else
        an edited category_zh, else category (English or Chinese); rows without text apart."""
        empty = without_text(frame)
        labels = frame["category"].map(label_of)
        refuse_rows(frame["category"], labels.isna() & ~empty, rows, "category", "one of the six categories")
        if "category_zh" in frame:
            edited = frame["category_zh"].map(label_of)
            written = frame["category_zh"].astype("string").fillna("").str.strip().ne("")
            refuse_rows(frame["category_zh"], written & edited.isna(), rows, "category_zh",
                    "one of the six categories, or empty")
            unlike = np.flatnonzero((edited.notna() & edited.ne(labels)).to_numpy())
            self.unlike_zh += len(unlike)
            self.unlike_zh_rows += [int(rows[i]) for i in unlike[:10 - len(self.unlike_zh_rows)]]
            labels = labels.where(edited.isna(), edited)
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
        amounts = np.array([money_mentioned(t) for t in texts])
        for category, amount in zip(categories, amounts):
            if amount > 0:
                self.money[category] += amount
                self.money_rows[category] += 1
        if date_col:
            dates = parse_dates(frame[date_col], self.date_format)
            failed = np.flatnonzero(dates.isna().to_numpy() & frame[date_col].astype("string").fillna("").str.strip().ne("").to_numpy())
            self.bad_date_count += len(failed)
            self.bad_dates += [(int(rows[i]), str(frame[date_col].iloc[i])) for i in failed[:10 - len(self.bad_dates)]]
            later = (dates >= pd.Timestamp(self.today) + pd.Timedelta(days=1)).to_numpy()
            self.later_date_count += int(later.sum())
            self.later_dates += [(int(rows[i]), str(frame[date_col].iloc[i]))
                                 for i in np.flatnonzero(later)[:10 - len(self.later_dates)]]
            labels = dates.dt.to_period(PERIODS[period]).astype("string").fillna(MISSING_DATE).where(~later, LATER_DATE)
            for label, category in zip(labels, categories):
                self.periods[label][category] += 1
        if group_col:
            for name, category in zip(frame[group_col].map(group_name), categories):
                self.groups[self.group_spellings.add(name)][category] += 1
        # Terms and examples show why the model placed a row: only rows still where it placed them.
        placed = (categories == frame["category"].map(label_of).astype(str)).to_numpy()
        if "top_terms" in frame:
            for category, terms in zip(categories[placed], frame["top_terms"].astype("string").fillna("")[placed]):
                for term, weight in read_top_terms(terms):
                    self.terms[category][term] += weight
        if text_col:
            confidence = pd.to_numeric(frame["confidence"], errors="coerce").fillna(0).to_numpy()
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

    def named_groups(self) -> dict:
        """The group counts, each group named by its most common spelling."""
        return {self.group_spellings.name(key): counts for key, counts in self.groups.items()}


def _check_confidence(values: pd.Series, rows) -> None:
    """A confidence that is not a number from 0 to 1 is refused, named by row (not read as 0)."""
    numbers = pd.to_numeric(values, errors="coerce")
    refuse_rows(values, numbers.isna() | (numbers < 0) | (numbers > 1), rows, "confidence",
                "numbers from 0 to 1")


def tally_archive(path, *, text_col=None, date_col=None, group_col=None, period="month", progress=None,
                  encoding=None, date_format=None, chunk_size: int = 20_000, corrections=None) -> tuple:
    """The tally of the tagged archive at ``path``, read ``chunk_size`` rows at a time, and the
    columns found for text, date and group (``group_col``, else a channel column)."""
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
                found["group"] = None if group_col is None else find_column(frame.columns, group_col, ())
                if group_col is None:
                    found["group"] = find_column(frame.columns, None, CHANNEL_NAMES)
            tally.add(frame, chunk.row_numbers(tally.rows + 2), found["text"], found["date"], found["group"], period)
            bar.update(chunk.position - bar.n)
    tally.hidden_rows = reader.hidden_rows
    if tally.rows == 0:
        raise ValueError(f"{path} has no rows to report on")
    return tally, found
