"""One sheet of an .xlsx workbook, read as chunks of rows."""
import bisect
import itertools
from collections import defaultdict

import pandas as pd

from ..exceptions import ArchiveError
from ._archive import ArchiveReader, BadRow, Chunk, check_header
from ._columns import TEXT_COLUMN_NAMES, blank_header_row, find_column
from ._cells import cell_text, cell_value, shared_formats, values_noting_formats
from ._workbook import (LinksOver, MergedBelow, SheetScan, apart_from_named, choose_sheet, has_data, merged_from_above,
                        named_under, open_read_only, read_chinese_dates, recalculated_on_opening, scan_sheet,
                        sheet_rows)


def _titles(header: list, alone: list) -> bool:
    """Whether the ranges ``alone`` ((first, last) columns from 1, each merged across the header row alone) are all that
    row shows and none names a text column: a title over A1:F1, or a row of group names (基本信息 over A1:B1, 诉求信息
    over C1:D1), above the column names. Read as one column's name each, the rows below wider than them are told as
    under a title or groups, where naming each column they cover made the names a record. A lone 投诉内容 over A1:B1
    is the texts' heading, and names both columns."""
    covered = {at for first, last in alone for at in range(first - 1, last)}
    shown = [cell_text(header[first - 1]) if first <= len(header) else "" for first, _ in alone]
    return bool(alone) and not any(cell_text(name).strip() for at, name in enumerate(header) if at not in covered) \
        and find_column(shown, None, TEXT_COLUMN_NAMES) is None


class ExcelReader(ArchiveReader):
    """One sheet of an .xlsx workbook, streamed row by row; each cell keeps its type (text, number,
    date, boolean; a formula as the value Excel saved for it: a formula never calculated is refused,
    named by its cell).

    ``sheet`` picks it (see :func:`choose_sheet`); ``header_row`` is the sheet row holding the column
    names (a title may stand above it). Empty rows are no records: they are skipped and counted.
    """

    def __init__(self, path, encoding=None, chunk_size=5000, sheet=None, header_row: int = 1):
        super().__init__(path, encoding, chunk_size, header_row)
        self.sheet = sheet

    def chunks(self):
        import zipfile

        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        try:
            workbook = open_read_only(self.path)
            read_chinese_dates(workbook)
        except (zipfile.BadZipFile, KeyError, OSError) as error:
            raise ArchiveError(f"{self.path} is not an Excel .xlsx workbook ({error}); if it came from an old Excel "
                               f"as .xls, name it .xls", "not_a_workbook", format="xlsx") from None
        try:
            declared = {ws.title: ws.max_row for ws in workbook.worksheets}  # before sheet_rows forgets it
            # every sheet, charts too, in tab order (workbook[name] searches them all: quadratic over 1,000s)
            sheets = {ws.title: ws for ws in workbook.worksheets + workbook.chartsheets}
            tabs = [name for name in workbook.sheetnames if sheets[name].sheet_state == "visible"]
            visible = set(tabs)
            chosen = choose_sheet(workbook.sheetnames, tabs, lambda: [
                ws.title for ws in workbook.worksheets if ws.title in visible and has_data(ws)], self.sheet, self.path)
            if chosen not in declared:
                tables = [name for name in tabs if name in declared]
                raise ArchiveError(f"{self.path}: sheet {chosen!r} is a chart, not a table; its tables are {tables}",
                                   "chart_sheet", sheet=chosen, sheets=tables)
            sheet = sheets[chosen]
            self.sheet_title = sheet.title
            self.other_sheets = [(name, sheets[name].sheet_state != "visible") for name in workbook.sheetnames
                                 if name != chosen and (name not in declared or has_data(sheets[name]))]  # charts too
            scan = scan_sheet(workbook, sheet)
            scan.dates_1904 = workbook.epoch == CALENDAR_MAC_1904
            # A program that writes formulas may save a stand-in result (XlsxWriter saves 0) and ask Excel
            # to calculate them all when the file is opened: such results are not what Excel shows.
            recalculated = recalculated_on_opening(workbook)
            unsaved = scan.uncalculated or (scan.first_formula if recalculated else None)
            if unsaved is not None:
                what = "with no saved value" if scan.uncalculated else "whose saved value Excel is asked to recalculate"
                raise ArchiveError(
                    f"{self.path}: cell {unsaved[0]} holds a formula ({unsaved[1][:60]}) {what}: the file was written "
                    f"by a program and never saved by Excel or WPS, so what its formulas show is not in it. Open it "
                    f"in Excel or WPS and save it (or paste the formulas' values), then run again",
                    "uncalculated_formula", cell=unsaved[0])
            self.total = max((declared[sheet.title] or 1) - self.header_row, 0)  # as declared: for progress only
            above = _tops(sheet, merged_from_above(scan.merged, self.header_row))
            rows, formats = sheet_rows(sheet, min_row=self.header_row), {}
            yield from self._rows_to_chunks(values_noting_formats(rows, formats), scan, formats, above,
                                            rows_from_top=lambda: sheet_rows(sheet, values_only=True),
                                            sheets_with_data=[name for name, hidden in self.other_sheets
                                                              if not hidden and name in declared])
        finally:
            workbook.close()

    def _rows_to_chunks(self, rows_iter, scan: SheetScan, formats=None, above: dict | None = None, rows_from_top=None,
                        sheets_with_data=()):
        """Chunks from a sheet's rows, the first being the header (sheet row ``header_row``). Every
        data row under the top of a merged range (see :class:`SheetScan`) reads the range's value
        in its first column, as the merged cell shows it there; a row holding nothing else is blank.
        The records among the hidden rows are read too. The hidden rows and columns, links and comments
        of the table become ``layout`` (see :class:`SheetLayout`). ``formats`` (see :func:`note_format`,
        filled as the rows are read) becomes ``number_formats`` (see :func:`shared_formats`). ``above`` gives each
        header cell covered by a range merged down from a row above (see :func:`merged_from_above`) the value of the
        range's top-left cell, as {column: (row, value)}, and its note; a range over the header row (alone, or with rows
        above or below it) that covers more columns than one names the others after it (see :func:`named_under`; a
        name a column of the sheet has too steps aside, see :func:`apart_from_named`), up to the last column any cell
        of the sheet holds a value in where ``scan`` knows it. ``rows_from_top()`` gives the
        sheet's rows' values from row 1, counted where ``header_row`` is past them and searched where it is blank;
        ``sheets_with_data``, the workbook's other visible sheets holding data, named where this one is empty."""
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.cell import coordinate_to_tuple

        self.layout.clear()
        self.layout.dates_1904 = scan.dates_1904
        spans = [m for m in scan.merged if m[3] > m[1] > self.header_row]  # down over data rows, from a data row
        at_top, below, filled = defaultdict(list), MergedBelow(), set()
        for span in spans:
            at_top[span[1]].append(span)
        first = next(rows_iter, None)
        held = sum(1 for _ in rows_from_top()) if first is None else None
        if held == 0:  # an empty sheet (named by sheet=): no header_row would do, another sheet may
            raise ArchiveError(f"{self.path}: sheet {self.sheet_title!r} is empty; the sheets holding data are "
                               f"{list(sheets_with_data)} (choose one with sheet=NAME)", "empty", rows=0,
                               header_row=self.header_row, sheet=self.sheet_title, others=list(sheets_with_data))
        if first is None:  # no row of names: said as a text file's header_row past its end, of the sheet
            raise ArchiveError(f"{self.path}: header_row={self.header_row} is past the end of the sheet, which holds "
                               f"{held} row(s)", "empty", rows=held, header_row=self.header_row,
                               sheet=self.sheet_title)
        header = [cell_text(v) for v in first or ()]
        noted = {column: (text, author) for column, text, author in scan.comments.pop(self.header_row, ())}
        for column, (top, value) in (above or {}).items():
            if cell_text(value).strip():  # a range whose top shows nothing leaves the header cell as it is
                header += [""] * (column - len(header))
                header[column - 1] = cell_text(value)
                on_top = [(text, author) for at, text, author in scan.comments.get(top, ()) if at == column]
                if on_top:
                    if column in noted:  # hidden under the range in Excel, as the cell's own value is
                        self.layout.notes_left_out.append(f"{get_column_letter(column)}{self.header_row}")
                    noted[column] = on_top[0]
                    scan.comments[top] = [note for note in scan.comments[top] if note[0] != column]
        ranges, derived = list(dict.fromkeys(scan.merged)), set()  # each range once, in the sheet's order
        titles = _titles(header, [(first, last) for first, top, last, bottom in ranges  # in the header row alone
                                  if top == bottom == self.header_row and last > first])
        for first, top, last, bottom in ranges:  # over the header row, in it alone too (联系方式 over C1:D1)
            if top <= self.header_row <= bottom and last > first and not (titles and top == bottom):
                shown = cell_text((above or {}).get(first, (0, ""))[1] if top < self.header_row else
                                  header[first - 1] if first <= len(header) else "")
                if shown.strip():
                    if scan.last_column is not None:  # no column past every value (D1:XFD1 named 16,381 of nothing)
                        last = max(first, min(last, scan.last_column))
                    header += [""] * (last - len(header))
                    header[first:last] = [named_under(shown, column) for column in range(first + 1, last + 1)]
                    derived.update(range(first, last))
        header = apart_from_named(header, derived)
        while header and header[-1] == "":
            header.pop()
        if not any(name.strip() for name in header):
            raise blank_header_row(self.path, self.header_row, enumerate(rows_from_top(), start=1), self.sheet_title)
        # A table drawn from a column after A starts there: unnamed columns on its left that hold
        # nothing in the first rows are no columns (an unnamed index column that holds numbers stays).
        peeked = list(itertools.islice(rows_iter, 1000))
        rows_iter = itertools.chain(peeked, rows_iter)
        left = 0
        while left < len(header) and not header[left] and not any(
                len(row) > left and row[left] is not None and str(row[left]).strip() for row in peeked):
            left += 1
        left = left if left < len(header) else 0
        header = header[left:]
        self.columns = header = check_header(header, self.path, first_column=left + 1)
        right = left + len(header)
        self.layout.hidden_columns.update(header[c - left - 1] for c in scan.hidden_columns if left < c <= right)
        for column, note in noted.items():
            self._keep_note(None, self.header_row, column, note, left)
        links, scan.links = LinksOver(scan.links), []
        where_table = (f"beyond the {len(header)} header columns" if not left else
                       f"outside the header's columns {get_column_letter(left + 1)} to {get_column_letter(right)}")
        size, rows, where, bad, index, done, blank, below_last = self.rows_per_chunk(), [], [], [], 0, 0, 0, 0
        chars, records = 0, 0  # characters of text in the chunk's rows; records read
        # the ranges merged from the header row or above on into the data rows, each once; the records' rows under them
        into = [m for m in ranges if m[1] <= self.header_row < m[3] and left < m[2]
                and m[0] <= right]
        reach, runs = max((m[3] for m in into), default=0), []  # runs: [first, last] of consecutive records' rows
        for number, values in enumerate(rows_iter, start=self.header_row + 1):
            cells = ["" if v is None else v for v in values]  # dates, numbers and booleans keep their type
            done += 1
            linked = links(number)  # asked at every row: a link opens at its first row, blank or not
            given = below(number)  # the merged ranges above this row that show a value in it
            if below.hiding:  # under a range that shows nothing, a cell's own value is hidden
                for at, value in enumerate(cells):
                    if value != "" and at + 1 in below.hiding:
                        cells[at] = ""
            if all(c == "" for c in cells):
                below_last += 1  # counted once a row follows: empty rows under the table are formatting
                for span in at_top.pop(number, ()):  # a range whose top row is blank shows nothing
                    below.add(span, "")
                continue
            blank, below_last = blank + below_last, 0
            # each merged range's value, from its top row (taken before the rows below it are filled)
            starting = [(span, cells[span[0] - 1] if span[0] <= len(cells) else "") for span in at_top.pop(number, ())]
            for span, value in given:
                cells += [""] * (span[0] - len(cells))
                cells[span[0] - 1] = value
                filled.add(span)
            for span, value in starting:
                below.add(span, value)
            outside = [(at, c) for at, c in enumerate(cells, start=1) if not left < at <= right
                       and not (isinstance(c, str) and not c.strip())]  # spaces show as nothing in Excel
            if outside:
                at, value = outside[0]
                more = f" and {len(outside) - 1} more" if len(outside) > 1 else ""
                bad.append(BadRow(f"sheet row {number}", f"cells {where_table} "
                                  f"({get_column_letter(at)}{number} holds {cell_text(value)[:40]!r}{more})",
                                  "\t".join(cell_text(c) for c in cells), wider=True, kind="outside_table",
                                  details={"cell": f"{get_column_letter(at)}{number}", "cells": len(outside)}))
            else:
                self._note_layout(records, number, left, linked, scan)
                rows.append((cells[left:] + [""] * len(header))[:len(header)])
                where.append(f"sheet row {number}")
                records += 1
                if number <= reach:
                    if runs and runs[-1][1] == number - 1:
                        runs[-1][1] = number
                    else:
                        runs.append([number, number])
            chars += sum(len(c) for c in cells if isinstance(c, str))
            if len(rows) + len(bad) >= size or chars >= self.max_chunk_text:  # bad rows are held too: they count
                yield Chunk(index, pd.DataFrame(rows, columns=header, dtype=object), bad, done, blank, where)
                rows, where, bad, index, blank, chars = [], [], [], index + 1, 0, 0
        self.layout.notes_left_out.extend(  # on a title row, a blank row, a bad row: no row of the output has them
            f"{get_column_letter(column)}{number}" for number, notes in scan.comments.items() for column, _, _ in notes)
        self.layout.notes_left_out.sort(key=coordinate_to_tuple)
        self.merged = [f"{get_column_letter(c)}{t}:{get_column_letter(c2)}{b}" for c, t, c2, b in spans if
                       (c, t, c2, b) in filled]
        self.merged_into_rows, firsts = [], [run[0] for run in runs]
        for c, t, c2, b in into:
            under = bisect.bisect_right(firsts, b)  # the runs that begin under the range
            if under:
                self.merged_into_rows.append((f"{get_column_letter(c)}{t}:{get_column_letter(c2)}{b}",
                                              header[max(c, left + 1) - left - 1:min(c2, right) - left],
                                              [(first, min(last, b)) for first, last in runs[:min(under, 5)]], under))
        self.number_formats = shared_formats(formats or {}, header, left)
        yield Chunk(index, pd.DataFrame(rows, columns=header, dtype=object), bad, done, blank, where)

    def _note_layout(self, record: int, number: int, left: int, links: list, scan: SheetScan) -> None:
        """Note in ``layout`` what sheet row ``number``, read as ``record`` (see :class:`SheetLayout`), holds beside
        its values: whether it is hidden, and the ``links`` over it and its comments in the table's columns
        (which start after column ``left``)."""
        def name(column: int) -> str | None:
            return self.columns[column - left - 1] if left < column <= left + len(self.columns) else None

        if number in scan.hidden:
            self.layout.hidden_records.add(record)
        for first, _, last, _, address in links:
            for column in range(max(first, left + 1), min(last, left + len(self.columns)) + 1):
                self.layout.links[(record, name(column))] = address
        for column, text, author in scan.comments.pop(number, ()):
            self._keep_note(record, number, column, (text, author), left)

    def _keep_note(self, record: int | None, number: int, column: int, note: tuple, left: int) -> None:
        """Note in ``layout`` the ``note`` on column ``column`` of sheet row ``number``, read as ``record`` (None: the
        header row): by its column's name within the table (which starts after column ``left``), by how far right of
        its last column beside it, else as a cell whose note no output keeps."""
        from openpyxl.utils import get_column_letter

        right = left + len(self.columns)
        if left < column <= right:
            name = self.columns[column - left - 1]
            if record is None:
                self.layout.header_comments[name] = note
            else:
                self.layout.comments[(record, name)] = note
        elif column > right:
            self.layout.beside.setdefault(record, []).append((column - right, note))
        else:
            self.layout.notes_left_out.append(f"{get_column_letter(column)}{number}")


def _tops(sheet, spans: list) -> dict:
    """{first column: (top row, value)} of the merged ``spans`` of a read-only ``sheet``, read from their top rows as
    the header row is read (:func:`cell_value`: a code number as its format shows it, Excel's escapes undone)."""
    if not spans:
        return {}
    wanted = {(span[1], span[0]) for span in spans}
    first, last, found = min(row for row, _ in wanted), max(row for row, _ in wanted), {}
    for number, cells in enumerate(sheet_rows(sheet, min_row=first), start=first):
        for row, column in wanted:
            if row == number and column <= len(cells):
                found[column] = (row, cell_value(cells[column - 1]))
        if number >= last:
            break
    return found
