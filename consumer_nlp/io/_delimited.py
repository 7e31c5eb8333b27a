"""CSV and TSV archives, read strictly and a line at a time, with each unparseable row reported
where it is instead of being merged into its neighbour or dropped."""
import csv
import dataclasses
import io
import itertools
import re
from collections.abc import Sequence

import pandas as pd

from ..exceptions import ArchiveError
from ._columns import TEXT_COLUMN_NAMES, blank_header_row, find_column, looks_like_names, names_row_in
from ._archive import ArchiveReader, BadRow, Chunk, check_header, text_place
from ._encoding import (BOM, detect_encoding, first_undecodable_line, in_disguise, text_encoding, undecodable,
                        utf8_in_disguise)


csv.field_size_limit(2**31 - 1)  # a complaint may be a very long text
OPEN_QUOTE_LINES = 10_000  # a record still open after this many lines is a stray quote, given up
AMOUNT = re.compile(r"\d{1,3},\d{3}(?![\d,])")  # a line of a comma CSV's text beginning with an amount (1,200元),
# not a row's id and 3-digit amount (2,350,冰箱坏了): a text's amount is not followed by a comma ending a field
INCH_CLOSE = re.compile(r'\d"$')  # a quoted value's last line closed right after a number: an inch mark (6.1") may
# have closed a stray quote (Excel doubles a text's own quote: 6.1""")


def _begins_with_amount(line: str | None) -> bool | None:
    """True if ``line`` begins with an amount (:data:`AMOUNT`), else None (nothing shared, for ``_shared``)."""
    return True if AMOUNT.match(line or "") else None


class _QuoteRunsOn(Exception):
    """A record has taken OPEN_QUOTE_LINES lines: its quote was left open."""


class _QuoteBreaks(csv.Error):
    """A record's quote, open at the end of its first line, is known to fail further on: ``left_open`` when the
    file ends inside it, else text follows its closing quote. Raised where the csv module would raise its own error."""

    def __init__(self, left_open: bool):
        super().__init__()
        self.left_open = left_open


class _RunsOverRows(Exception):
    """A record's quote closes, and the lines it takes are known to read as rows run over
    (:meth:`DelimitedReader._quote_over_rows`): raised before they are parsed for its fields."""


class _Taken(Sequence):
    """Some of the lines a :class:`_Lines` holds, as (number, line) pairs, read where they are held: a
    record given up after many lines is set aside, and its lines given again, without copying them."""

    def __init__(self, held: list, indices: range):
        self.held, self.indices = held, indices

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return _Taken(self.held, self.indices[index])
        return self.held[self.indices[index]]

    def __iter__(self):
        return map(self.held.__getitem__, self.indices)


class _Lines:
    """The lines of a text stream, numbered, with those of the record being parsed held so that a
    record that fails can be named and its later lines parsed again (``push_back``). A record is
    given up after OPEN_QUOTE_LINES lines, so that a stray quote never holds the file in memory.

    A quote open at the start of a line runs on the same way whichever record opened it: where it
    ends is found once (:meth:`_fate`), and a record parsed again from the lines it runs over is given
    up at once, as the csv module would give it up further on. Without this, each stray quote on many
    lines had its run of up to OPEN_QUOTE_LINES lines parsed again. A quote that closes is parsed for
    its fields unless ``over_rows(start, last)`` says the record, lines start to last, ran over rows."""

    def __init__(self, stream, delimiter: str):
        self.stream, self.delimiter = stream, delimiter
        self.over_rows = None  # set by the reader, whose rules tell rows run over
        self.held, self.first, self.number = [], 1, 0  # (number, line) from line first on; lines read
        self.start = self.next = 1  # the record being parsed starts at line start; line next is given next
        self.quote = (1, 0, "open")  # (first, last, end): open at the start of any line first..last, a quote
        # runs on to line last and ends there as end says (_follow); the lines followed so far
        self.counted = (0, 0, 0, [])  # (first, last, since, separators): of the quote run first..last (self.quote), the
        # field separators on each of its lines from line since on to its last, open at each line's start (width)

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.next > self.start:  # the record goes on: its quote is open at the start of line next
            self._known_end()
        line = self.line(self.next)
        if line is None:
            raise StopIteration
        self.next += 1
        return line

    @property
    def taken(self) -> _Taken:
        """The record's lines so far, as (number, line)."""
        return _Taken(self.held, range(self.start - self.first, self.next - self.first))

    def start_record(self) -> None:
        self.start = self.next
        if 2 * (self.start - self.first) > len(self.held):  # let go of the lines done with, now and then
            self.held, self.first = self.held[self.start - self.first:], self.start

    def push_back(self, lines) -> None:
        """Give ``lines``, the last ones taken, again."""
        if lines:
            self.next = lines[0][0]

    def line(self, number: int) -> str | None:
        """Line ``number``, read from the stream if it was not yet; None past the end."""
        while self.number < number:
            line = next(self.stream, None)
            if line is None:
                return None
            self.number += 1
            self.held.append((self.number, line))
        return self.held[number - self.first][1]

    def _known_end(self) -> None:
        """For a record whose quote is open at the start of line next: raise what the csv module will
        raise further on, with the lines it would have taken by then taken; nothing if the quote closes."""
        last, end = self._fate(self.next)
        if (last if end in ("closes", "breaks") else last + 1) - self.start >= OPEN_QUOTE_LINES:
            self.next = self.start + OPEN_QUOTE_LINES
            raise _QuoteRunsOn
        if end != "closes":
            self.next = last + 1
            raise _QuoteBreaks(end == "runs out")
        if self.next == self.start + 1 and self.over_rows and self.over_rows(self.start, last):
            self.next = last + 1
            raise _RunsOverRows

    def width(self) -> int:
        """How many fields the record being parsed has, whose quote is open at the start of its second line and closes
        (:meth:`_known_end` found where), counted without parsing it: each line of a quote's run is counted once, so
        that the records parsed again from a stray quote's lines do not count them again (that was quadratic)."""
        first, last, _ = self.quote
        since = self.start + 1  # (the run's lines before the record's may have been let go: start_record)
        if self.counted[:2] != (first, last) or since < self.counted[2]:  # a line's separators, its quote open at its
            # start (as a " opens it), from the record's second line: the records read again from them start later
            counts = [len(next(csv.reader(['"' + self.line(n)], delimiter=self.delimiter))) - 1
                      for n in range(last, since - 1, -1)]
            self.counted = (first, last, since, list(itertools.accumulate(counts))[::-1])
        own = len(next(csv.reader([self.line(self.start)], delimiter=self.delimiter)))  # its quote's field the last
        return own + self.counted[3][since - self.counted[2]]

    def _fate(self, number: int) -> tuple[int, str]:
        """Where a quote open at the start of line ``number`` ends (:meth:`_follow`), as far as the record
        may run. Only lines not followed before are parsed: from any of those it runs on the same way."""
        limit = self.start + OPEN_QUOTE_LINES - 1
        first, last, end = self.quote
        if not first <= number <= last:
            first, (last, end) = number, self._follow(number, limit)
        elif end == "open" and last < limit:
            last, end = self._follow(last + 1, limit)
        self.quote = first, last, end
        return last, end

    def _follow(self, number: int, limit: int) -> tuple[int, str]:
        """Parse a quote open at the start of line ``number`` on to line ``limit`` at most: (the line it
        ends on, how: "closes", "breaks" (text after a closing quote), "runs out" (the file ends after
        that line) or "open" (still open after line ``limit``))."""
        last, end = number - 1, "breaks"

        def lines():
            nonlocal last, end
            for n in range(number, limit + 1):
                line = self.line(n)
                if line is None:
                    end = "runs out"
                    return
                last = n
                yield '"' + line if n == number else line
            end = "open"
        try:
            next(csv.reader(lines(), delimiter=self.delimiter, strict=True))
            return last, "closes"
        except (csv.Error, StopIteration):
            return last, end


def _shape(field: str) -> str:
    """The kinds of characters ``field`` is made of, each run as one: digits 9, Latin letters a, other
    characters beyond ASCII x, the rest as they are ("R-0012" is "a-9"; "已经投诉3次" is "x9x"). The
    ids of one archive share theirs."""
    kinds = ("9" if c.isdigit() else "a" if c.isascii() and c.isalpha() else "x" if not c.isascii() else c
             for c in field.strip())
    return "".join(kind for kind, _ in itertools.groupby(kinds))


def _fit(names: int, counts: list[int]) -> bool:
    """Whether records of ``counts`` fields fit a header of ``names`` as Excel saves a CSV: none wider, most as wide
    (a row saved without its empty last cells is shorter)."""
    return all(count <= names for count in counts) and (not counts or 2 * counts.count(names) > len(counts))


def _running_on(before: str, value: str, after: str) -> bool:
    """Whether ``before``, ``value`` and ``after`` are whole numbers running on by one, up or down (ids 1, 2, 3 or
    3, 2, 1): a number between two that skip some (a filtered sheet's, a quantity's) may be a text's 3,500元."""
    numbers = [field.strip() for field in (before, value, after)]
    if not all(number.isascii() and number.isdecimal() for number in numbers):
        return False
    low, middle, high = map(int, numbers)
    return middle - low == high - middle in (1, -1)


def _parsed(lines: list[str], delimiter: str):
    """The records of ``lines`` read strictly, None for one that cannot be parsed (a stray quote), whose lines after
    its first are read again, as the reading does: over them, it would count the records it runs over as one."""
    start = 0
    while start < len(lines):
        reader, done = csv.reader(itertools.islice(lines, start, None), delimiter=delimiter, strict=True), 0
        try:
            for record in reader:
                yield record
                done = reader.line_num
            return
        except csv.Error:
            yield None
            start += done + 1


class DelimitedReader(ArchiveReader):
    """CSV (RFC 4180 quoting, read strictly) or TSV (fields between tabs, and Excel's quoted cells: see
    :meth:`_tsv_records`) through Python's csv module.

    Every record's field count is checked against the header. A record that cannot be parsed (a
    quote left open, text after a closing quote) is a bad row named by the line it starts on, set
    aside whole; but when a line after its first reads alone as a row of the header's width (two or
    more fields) or opens a quoted text of its own, a stray quote ran on over rows: only its first
    line is set aside and the rest are parsed again. A quoted value that parses but whose two or
    more later lines each read as such a row, beginning as the record does (a first field of its
    :func:`_shape`), is a stray quote too (a quote left open and closed by an inch mark lines later);
    a value over two lines is one only when its later line begins with the id running on from its row's to the next
    row's, by one (otherwise it cannot be told from a text with a comma, and is kept); lines that each begin with an
    amount (1,200元) are a text's. Either guess is said: a value kept whole over lines reading as rows that begin as
    its row does is given with its last line (:attr:`Chunk.unsure`, :meth:`_kept_over_rows`), and a stray quote's
    bad row names the lines read again as rows.
    """

    unit = "B"

    def __init__(self, path, encoding=None, chunk_size=5000, delimiter=",", header_row: int = 1):
        super().__init__(path, encoding, chunk_size, header_row)
        self.encoding = text_encoding(encoding) or detect_encoding(path)
        self.delimiter = ";" if delimiter == "," and self._semicolon_separated() else delimiter
        self.total = self.path.stat().st_size
        self.boms = 0  # byte order marks opening a line, dropped so far (:meth:`_in_one_encoding`)

    def _semicolon_separated(self, looked_at: int = 20) -> bool:
        """Whether a .csv is separated by semicolons, as an Excel whose list separator is ';' (a European one) saves
        one: its header read with ';' gives two names or more and no tab, and its next ``looked_at`` records read
        with ';' fit it (:func:`_fit`) where, read with commas, they do not fit theirs or into fewer columns. Excel
        writes every row as wide as the header, or a row shorter without its empty last cells, and quotes a value
        holding ';': a list of complaints whose texts hold semicolons here and there does not read so, and a comma
        CSV's texts holding them are never looked at, unless its header holds one (it then reads as wide with
        commas, or wider). A record that does not parse (a stray quote) counts as one not as wide, and is not read
        over (:func:`_parsed`)."""
        def widths(delimiter: str) -> tuple[int, list[int]]:
            records = itertools.islice(_parsed(lines, delimiter), self.header_row - 1, None)
            header = next(records, None) or []
            if any("\t" in name for name in header):
                return 0, []
            kept = (fields for fields in records if fields != [])  # a blank line is no record; one that does not
            # parse (None) is one as wide as none of the header's
            return len(header), [len(fields or ()) for fields in itertools.islice(kept, looked_at)]
        try:
            with open(self.path, encoding=self.encoding, errors="strict", newline="") as text:
                lines = list(itertools.islice(text, self.header_row + 50 * looked_at))  # a stray quote's run, cut
            names, counts = widths(";")
            if names < 2 or not _fit(names, counts):
                return False
            commas, counts = widths(",")
            return not (_fit(commas, counts) and commas >= names)
        except (csv.Error, UnicodeError):
            return False  # read as a comma CSV, which names what is wrong

    def _records(self, lines: _Lines):
        """(line number, fields, raw text, bad row, guess) for each record; fields None: it failed to parse, as the
        :class:`BadRow` says (None for a record that parsed); guess: (last line, "kept") for a quoted value kept whole
        over lines that may be rows it ran over (:meth:`_kept_over_rows`), where it closes (a stray quote it may be);
        (last line, "cut") for a TSV cell in quotes read as rows (:meth:`_tsv_records`); else None."""
        if self.delimiter == "\t":
            yield from self._tsv_records(lines)
            return
        options = {"strict": True}
        self._runs = {}  # by the name of what they share (see _shared): the last run of lines sharing it
        lines.over_rows = lambda start, last: self._quote_over_rows(lines, start, last)
        reader = csv.reader(lines, delimiter=self.delimiter, **options)
        row_line = 0  # the line last found to read as a row or open one: the records parsed again from
        # a stray quote's lines need not look for one again past each of theirs
        while True:
            lines.start_record()
            line = lines.line(lines.next)
            fields = self._whole_line(line)
            if fields is not None:
                lines.next += 1
                yield lines.start, fields, line.rstrip("\r\n"), None, None
                continue
            problem = run_on = fault = None  # fault: the problem's kind and its particulars
            left_open = False  # whether a quote that fails is left open (else text follows its closing quote)
            try:
                fields = next(reader)
            except StopIteration:
                if not lines.taken:
                    return
                fields, left_open = None, True  # a quoted field open at the end of the file
            except _QuoteBreaks as error:
                fields, left_open = None, error.left_open
            except csv.Error:  # the csv module's own, on a record's lines read so far: text after a closing quote
                fields = None
            except _QuoteRunsOn:
                fields, problem = None, f"a quote opened here is still open {OPEN_QUOTE_LINES} lines later"
                fault = ("quote_runs_on", {"lines": OPEN_QUOTE_LINES})
            except _RunsOverRows:
                fields, run_on = [], True
            taken = lines.taken
            later = taken[1:]
            if fields is None:  # a stray quote ran on over rows, or up to the next quoted one?
                if problem is None and later and not later[0][0] <= row_line <= later[-1][0]:
                    row_line = next((number for number, line in later
                                     if self._reads_as_row(line) or self._opens_row(line)), 0)
                run_on = problem is not None or bool(later) and later[0][0] <= row_line <= later[-1][0]
            elif run_on is None:  # rows run over begin as the row the quote opened in does (an id like its id)
                first = fields[0].split("\n")[0] if fields else ""
                run_on = self._runs_over_rows(lines, first, taken[0][0], taken[-1][0])
            if fields is None and problem is None:  # (a quote that ran on over rows was left open on its line)
                problem = "a quote is left open or text follows a closing quote"
                fault = ("quote_left_open" if left_open or run_on else "text_after_quote",
                         {"rows_from": later[0][0], "rows_to": later[-1][0]} if run_on else {})  # read again as rows
            elif fields is not None and run_on:
                problem = (f"a quote opened here closes only on line {taken[-1][0]}, and the lines between read "
                           "as rows of their own")
                fault = ("quote_over_rows", {"closes": taken[-1][0], "rows_from": taken[0][0] + 1})
            if problem and run_on:
                lines.push_back(later)
                taken = taken[:1]
            raw_text = "".join(t for _, t in taken).rstrip("\r\n")
            line = taken[0][0] if taken else lines.number
            bad = BadRow(f"line {line}", problem, raw_text, kind=fault[0], details=fault[1]) if problem else None
            unsure = not problem and self._kept_over_rows(taken, fields[0] if fields else "")  # kept whole: a guess
            yield line, None if problem else fields, raw_text, bad, (taken[-1][0], "kept") if unsure else None
            if problem:
                reader = csv.reader(lines, delimiter=self.delimiter, **options)

    def _whole_line(self, line: str | None) -> list | None:
        """The fields of a record that ``line`` holds whole, as the csv module reads them; None when the line is
        not such a record (a quote it leaves open, or a fault) and must go through :meth:`_records`' checks. Most
        records are: telling them first halves a CSV's reading time (6.7 -> 3.5 µs a row of the benchmark's
        archive)."""
        if line is None:
            return None
        quotes = line.count('"')
        if not quotes:
            text = line.rstrip("\r\n")
            return text.split(self.delimiter) if text else []
        if quotes % 2:  # a quote left open, as a rule: not parsed twice
            return None
        try:
            return next(csv.reader((line,), delimiter=self.delimiter, strict=True))
        except csv.Error:  # (strict: a quote left open at the line's end is an error, not a field cut short)
            return None

    def _tsv_records(self, lines: _Lines):
        """TSV records as :meth:`_records` gives them. A line is its fields between tabs, except where
        a field opens with a quote that escapes something, as Excel writes a cell holding a quote (its
        own quotes doubled), a tab or a line break: then the record reads as Excel reads it, over as
        many lines as it takes, unless a later line reads as a row of its own (a stray quote): one
        that its second line does is known without parsing the rest. Cut so, a cell Excel could have written (as wide
        as the header) is a guess, given with its last line to be named (:attr:`Chunk.unsure`), as is a cell of a file
        of one column kept whole and closed by an inch mark (:meth:`_kept_over_rows`)."""
        lines.over_rows = lambda start, last: bool(self.columns) and self._reads_as_row(lines.line(start + 1))
        while True:
            lines.start_record()
            guess = None  # (last line, "cut"): a cell in quotes over lines, one reading as a row, read as rows; "kept":
            # one kept whole in a file of one column, closed by an inch mark, as a CSV's is
            try:
                first = next(lines)
            except StopIteration:
                return
            taken = lines.taken
            line = first.rstrip("\r\n")
            fields = line.split("\t") if line else []
            if '"' in first:
                lines.push_back(taken)
                lines.start_record()
                width = None
                try:
                    quoted = next(csv.reader(lines, delimiter="\t", strict=True))
                except _RunsOverRows:  # it closes: how wide it is, to tell whether Excel could have written it
                    quoted, width = None, lines.width()
                except (csv.Error, StopIteration, _QuoteRunsOn):
                    quoted = None
                taken = lines.taken
                fits = (len(quoted or ()) if width is None else width) == len(self.columns)  # a cell Excel may
                # have quoted, over lines
                if len(taken) > 1 and not self.columns:  # the header: names over lines, as Excel quotes them
                    # (a stray quote that ran on over rows makes a header no row fits: a loud failure)
                    escapes = quoted is not None
                elif len(taken) > 1:
                    escapes = fits and not any(self._reads_as_row(later) for _, later in taken[1:])
                else:
                    escapes = quoted is not None and quoted != fields and (
                        '""' in first or len(fields) != len(self.columns) == len(quoted))
                if escapes:  # (in a file of one column, where every line reads as a row, an inch mark's guess)
                    fields = quoted
                    kept = len(taken) > 1 and self._kept_over_rows(taken, fields[0])
                    guess = (taken[-1][0], "kept") if kept else None
                else:
                    guess = (taken[-1][0], "cut") if len(taken) > 1 and fits else None  # Excel's cell, or rows?
                    lines.push_back(taken[1:])
                    taken = taken[:1]
            yield taken[0][0], fields, "".join(t for _, t in taken).rstrip("\r\n"), None, guess

    def _quote_over_rows(self, lines: _Lines, start: int, last: int) -> bool:
        """Whether the record on lines ``start`` to ``last``, whose quote opens on its first line and
        closes, ran over rows (:meth:`_runs_over_rows`), told without parsing it: its first field ends
        on line ``start`` (otherwise it is parsed for that field, and False)."""
        fields = next(csv.reader([lines.line(start)], delimiter=self.delimiter), [])
        return len(fields) > 1 and self._runs_over_rows(lines, fields[0], start, last)

    def _runs_over_rows(self, lines: _Lines, first: str, start: int, last: int) -> bool:
        """Whether the quoted record on lines ``start`` to ``last``, whose first field is ``first``, ran over rows: two
        or more later lines, each reading as a row whose first field has the :func:`_shape` of ``first``; or one,
        whose first field runs on by one from ``first`` to the next line's (:func:`_running_on`, ids 1, 2, 3: a text's
        line may begin with a number, 1,200元, but not with the id between its row's and the next row's). Two or more
        lines that each begin with an amount written with a thousands comma (1,200元, 3,500元) are a text's lines."""
        if last - start == 1:
            return self._alike(lines, last, last) == _shape(first) and _running_on(
                first, self._first_field(lines.line(last)), self._first_field(lines.line(last + 1)))
        return last - start >= 2 and self._alike(lines, start + 1, last) == _shape(first) and not (
            self.delimiter == "," and self._amounts(lines, start + 1, last))

    def _kept_over_rows(self, taken: _Taken, first: str) -> bool:
        """Whether a record kept whole over the lines ``taken``, whose first field is ``first``, may have run over rows:
        a later line reads as a row beginning as the record does (a first field of its :func:`_shape`), or any row
        when the record's first field goes on over lines (a text, whose shape tells nothing). A numbered list's
        1、屏幕坏了,… does not begin as its row's id does: no stray quote ran over it. In a file of one column, where
        every line reads as a row, only a value closed by what may be an inch mark (:data:`INCH_CLOSE`)."""
        if len(self.columns) == 1:
            return len(taken) > 1 and INCH_CLOSE.search(taken[-1][1].rstrip("\r\n")) is not None
        shapes = (self._row_shape(text) for _, text in taken[1:])
        if "\n" in first or "\r" in first:
            return any(shape is not None for shape in shapes)
        return _shape(first) in shapes

    def _amounts(self, lines: _Lines, first: int, last: int) -> bool:
        """Whether lines ``first`` to ``last`` each begin with an amount (:data:`AMOUNT`)."""
        return self._shared(lines, first, last, _begins_with_amount) is not None

    def _first_field(self, line: str | None) -> str:
        """The first field of ``line`` read alone; "" past the end or on a blank line (which reads as no fields)."""
        return (next(csv.reader([line], delimiter=self.delimiter), None) or [""])[0] if line else ""

    def _alike(self, lines: _Lines, first: int, last: int) -> str | None:
        """The :meth:`_row_shape` lines ``first`` to ``last`` all have, or None."""
        return self._shared(lines, first, last, self._row_shape)

    def _shared(self, lines: _Lines, first: int, last: int, key) -> object:
        """The ``key`` lines ``first`` to ``last`` all share, or None (``key`` gives None for a line sharing nothing).
        The run of lines sharing it is remembered, one for each ``key`` by its name, so that the records parsed again
        from a stray quote's lines do not look at each of them again (that was quadratic in the lines a quote ran
        over)."""
        start, end, shared = self._runs.get(key.__name__, (1, 0, None))
        if not start <= first <= end or shared is None:  # (None may be of lines read before the header)
            start, end, shared = first, first, key(lines.line(first))
        while shared is not None and end < last and key(lines.line(end + 1)) == shared:
            end += 1
        self._runs[key.__name__] = start, end, shared
        return shared if end >= last else None

    def _reads_as_row(self, line: str) -> bool:
        """Whether ``line``, read alone, reads as a row (:meth:`_row_shape`)."""
        return self._row_shape(line) is not None

    def _row_shape(self, line: str) -> str | None:
        """The :func:`_shape` of the first field of ``line`` if, read alone, it has the header's two or
        more fields, the first without a quote (the last line of a quoted text in the first column
        closes its quote in its first field); None if not."""
        fields = next(csv.reader([line], delimiter=self.delimiter), [])
        if len(self.columns) > 1 and len(fields) == len(self.columns) and '"' not in fields[0]:
            return _shape(fields[0])
        return None

    def _opens_row(self, line: str) -> bool:
        """Whether ``line`` begins a row whose quoted text goes on over the next lines: fields without
        quotes, then one that opens a quote and does not close it, within the header's width."""
        opening = line.find('"')
        return (len(self.columns) > 1 and opening > 0 and line[opening - 1] == self.delimiter
                and line.count('"') % 2 == 1 and line.count(self.delimiter, 0, opening) < len(self.columns))

    def _in_one_encoding(self, lines):
        """The file's lines, refusing a UTF-8 one in a GB18030 or Big5 file (:func:`utf8_in_disguise`). A byte order
        mark opening a line (of a second export joined to the first, ``copy /b a.csv+b.csv``) is none of its first
        cell, as it is none of the file's first: dropped, and counted in ``boms`` (said by the run's summary)."""
        for number, line in enumerate(lines, start=1):
            if utf8_in_disguise(line, self.encoding):
                raise in_disguise(self.path, number, self.encoding)
            if line.startswith(BOM):
                self.boms += 1
                line = line[1:]
            yield line

    def _unparseable(self, row: int, record: tuple, what: str) -> ArchiveError:
        """The error refusing the file at ``record`` (as :meth:`_records` gives it), row ``row``, ``what`` it is: no
        row can be read without the header, so setting bad rows aside does not help (``none_readable``)."""
        line, _, raw_text, bad, _ = record
        where = text_place(row, line)
        return ArchiveError(f"{self.path}: {where} ({what}) cannot be parsed: {raw_text[:80]!r}", "unparseable_row",
                            where=where, row=row, line=line, fault=bad.kind, none_readable=True, **bad.details)

    def chunks(self):
        with open(self.path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors="strict", newline="")
            try:
                records = self._records(_Lines(self._in_one_encoding(text), self.delimiter))
                above = list(itertools.islice(records, self.header_row - 1))  # title rows above the names
                header = next(records, None)
                broken = next((row for row, record in enumerate(above, start=1) if record[1] is None), None)
                if header is None and broken:  # a title's quote ran on to the end of the file
                    raise self._unparseable(broken, above[broken - 1], "above the header")
                if header is None and self.header_row > 1:
                    raise ArchiveError(f"{self.path}: header_row={self.header_row} is past the end of the file, which "
                                       f"holds {len(above)} row(s)", "empty", rows=len(above),
                                       header_row=self.header_row)
                if header is None:
                    raise ArchiveError(f"{self.path} is empty: not even a header line", "empty", rows=0, header_row=1)
                if header[1] is None:
                    raise self._unparseable(self.header_row, header, "the header")
                if not any(name.strip() for name in header[1]):  # a blank line: no column is named
                    rows = itertools.chain(above, [header], records)
                    raise blank_header_row(self.path, self.header_row, (
                        (number, record[1] if record[1] is not None else [record[2]])
                        for number, record in enumerate(rows, start=1)))
                if self.delimiter == "," and len(header[1]) == 1 and "\t" in header[1][0]:
                    raise ArchiveError(f"{self.path} is tab-separated (its header is {header[1][0][:60]!r}), not "
                                       f"comma-separated as its name says: rename it .tsv", "misnamed", rename=".tsv")
                names = header[1]
                if len(names) > 2 and names[0].strip() and not any(name.strip() for name in names[1:]) \
                        and find_column(names[:1], None, TEXT_COLUMN_NAMES) is None:
                    below = list(itertools.islice(records, 10))  # a title Excel padded with a comma a column stands
                    records = itertools.chain(below, records)  # above: the names next, or a row of them holding a
                    # text column's name under a blank or a second title line (its row is then named, as a sheet's)
                    following = below[0][1] if below else None
                    if following is not None and looks_like_names([c.strip() for c in following if c.strip()]) \
                            or names_row_in((number, record[1]) for number, record in
                                            enumerate(below, start=self.header_row + 1) if record[1] is not None):
                        names = names[:1]  # read as a sheet's title row is, pointing to the names below
                self.columns = check_header(names, self.path)
                size, rows, where, bad, index, blank, chars = self.rows_per_chunk(), [], [], [], 0, 0, 0
                boms = 0  # self.boms by the last chunk: each counts those read since (of lines read ahead too)
                unsure = []  # (row, first line, last line, how): each quoted value kept whole or cut, a guess
                cut = (0, 0)  # the first and last lines of the last TSV cell in quotes cut into rows
                for number, (line, record, raw_text, bad_row, guess) in enumerate(records, start=self.header_row + 1):
                    place = text_place(number, line)  # (a blank line is a row in Excel, a quoted value over lines one)
                    if not record and record is not None and len(self.columns) == 1:
                        record = [""]  # in a one-column file a blank line is an empty value
                    if guess is not None:  # (a cell cut so that its first line is too narrow is a bad row: named too)
                        unsure.append((number, line, *guess))
                        cut = (line, guess[0]) if guess[1] == "cut" else cut
                    if record is None:
                        bad.append(dataclasses.replace(bad_row, where=place))
                    elif len(record) == len(self.columns):
                        rows.append(record)
                        where.append(place)
                    elif not record:
                        blank += 1
                    else:  # a piece of a cell cut into rows says so, and which lines the cell ran over
                        piece = {"cell_from": cut[0], "cell_to": cut[1]} if cut[0] <= line <= cut[1] else {}
                        bad.append(BadRow(place, f"{len(record)} fields where the header has {len(self.columns)}"
                                          + (f", a piece of a cell in quotes on lines {cut[0]} to {cut[1]} read as "
                                             "rows" if piece else ""), raw_text,
                                          wider=len(record) > len(self.columns), kind="field_count",
                                          details={"fields": len(record), "header": len(self.columns), **piece}))
                    chars += len(raw_text)
                    if len(rows) + len(bad) >= size or chars >= self.max_chunk_text:  # bad rows are held too: they count
                        yield Chunk(index, pd.DataFrame(rows, columns=self.columns, dtype=object), bad, raw.tell(), blank,
                                    where, unsure, self.boms - boms)
                        boms = self.boms
                        rows, where, bad, index, blank, chars, unsure = [], [], [], index + 1, 0, 0, []
                yield Chunk(index, pd.DataFrame(rows, columns=self.columns, dtype=object), bad, self.total, blank,
                            where, unsure, self.boms - boms)
            except UnicodeDecodeError as error:
                raise undecodable(self.path, first_undecodable_line(self.path, self.encoding), self.encoding,
                                  error, self.given_encoding) from None
