"""JSON Lines archives: one record a line, every value keeping its JSON type."""
import codecs
import decimal
import io
import json
import math
import re
from collections import Counter

import pandas as pd

from ..exceptions import ArchiveError
from ._archive import ArchiveReader, BadRow, Chunk
from ._cells import XLSX_MAX_COLUMNS
from ._encoding import BOM, detect_encoding, in_disguise, text_encoding, undecodable, utf8_in_disguise
from ._text_escapes import SURROGATE, escape_surrogates


class JsonLiteral(str):
    """A JSON number no float holds (1e400, or 99999999999999.99, whose nearest double is …98), kept as it
    was written instead of becoming inf or another number."""


class JsonNaN(float):
    """A NaN written in a JSON record, told apart from the NaN that marks a key the record lacks."""

    def __new__(cls, value="nan"):
        return super().__new__(cls, value)


class JsonEmptyText(str):
    """A "" written in a JSON record: a value of its own, told apart from the "" a blank workbook cell is read as
    (which beside numbers is no value)."""


EMPTY_TEXT = JsonEmptyText()


def _empty_texts_marked(record: dict) -> dict:
    """``record`` with each "" among its values as :data:`EMPTY_TEXT`."""
    if "" not in record.values():
        return record
    return {key: EMPTY_TEXT if type(value) is str and value == "" else value for key, value in record.items()}


def _json_float(text: str):
    value = float(text)
    if not math.isfinite(value):
        return JsonLiteral(text)
    shown = repr(value)  # as the outputs write it: the same number, or a rounded one
    return value if shown == text or decimal.Decimal(shown) == decimal.Decimal(text) else JsonLiteral(text)


def _json_constant(name: str) -> float:
    return JsonNaN() if name == "NaN" else float(name)


class RepeatedKeys(ValueError):
    """A JSON object giving a key more than once (``keys``, as written): a whole object, but one no row can hold;
    ``within``, the keys and list places (from 0) leading to it from the record, [] for the record itself;
    ``escaped``, those keys as the line writes them with escapes (\\u6295\\u8bc9 for 投诉), if it does."""

    def __init__(self, keys: list, within: list = (), escaped: list = ()):
        at = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in within).lstrip(".")
        super().__init__(f"key(s) {keys} given more than once" + (f" in the object at {at}" if within else "")
                         + (f" (written {', '.join(escaped)} too, as an escape)" if escaped else ""))
        self.keys, self.within, self.escaped = keys, list(within), list(escaped)


def _twice(pairs) -> list:
    """The keys given more than once among a JSON object's ``pairs``, as written."""
    return sorted(escape_surrogates(k) for k, n in Counter(k for k, _ in pairs).items() if n > 1)


def _object_without_repeated_keys(pairs) -> dict:
    """A JSON object as a dict; a key given twice would silently keep only its last value."""
    record = dict(pairs)
    if len(record) != len(pairs):
        raise RepeatedKeys(_twice(pairs))
    return record


# A JSON string of a line, as written, and the colon that makes it a key; strings met from the line's start, so
# that none starts inside another.
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?')


def _escaped(text: str, keys: list) -> list:
    """How the line ``text`` writes any of ``keys`` (as :func:`_twice` names them) with escapes, in order, each once:
    a desk searching the line for 投诉 does not find "\\u6295\\u8bc9". (Looked for anywhere in the line.)"""
    found = []
    for match in _STRING.finditer(text):
        written = match.group(1)
        if match.group(2) and "\\" in written and written not in found:
            key = escape_surrogates(json.loads(f'"{written}"'))
            if key in keys and key != written:
                found.append(written)
    return found


class _Pairs(list):
    """A JSON object's pairs as written, keys given twice or not."""


def _repeated_keys(text: str) -> RepeatedKeys:
    """Where in the record of ``text`` (which gives a key twice) the first object giving one is, and its keys:
    a record's objects may each give a key (名称) once, rightly, beside the one that gives it twice. A line that is
    no JSON object after all (cut short after it, or an array) raises ValueError as the parser does."""
    record = json.loads(text, object_pairs_hook=_Pairs)
    if not isinstance(record, _Pairs):
        raise ValueError(_json_kind(record))
    stack = [(record, [])]
    while stack:
        value, within = stack.pop()
        twice = _twice(value) if isinstance(value, _Pairs) else []
        if twice:
            return RepeatedKeys(twice, within, _escaped(text, twice))
        pairs = value if isinstance(value, _Pairs) else enumerate(value) if isinstance(value, list) else ()
        stack.extend((item, within + [escape_surrogates(key) if isinstance(key, str) else key])
                     for key, item in reversed(list(pairs)))
    raise AssertionError("no key given twice")  # (never: the hook found one)


def _parsed(text: str):
    """The JSON value of a line, numbers as written where no float holds them; a key given twice raises RepeatedKeys
    naming the object that gives it (see ``_repeated_keys``)."""
    try:
        return json.loads(text, object_pairs_hook=_object_without_repeated_keys, parse_float=_json_float,
                          parse_constant=_json_constant)
    except RepeatedKeys:  # raised where the parser met it, inside the record: found again from the record's top
        raise _repeated_keys(text) from None


class JsonLinesReader(ArchiveReader):
    """One JSON object per line; a line that is not one is a bad row, named by its line number."""

    unit = "B"

    def __init__(self, path, encoding=None, chunk_size=5000):
        super().__init__(path, encoding, chunk_size)
        self.encoding = text_encoding(encoding) or detect_encoding(path)
        self.total = self.path.stat().st_size

    def _lines(self):
        """Each line's number, text and the bytes read by its end. A byte order mark opening a line (of a second export
        joined to the first, ``cat a.jsonl b.jsonl``) is none of its record, as it is none of the file's first."""
        with open(self.path, "rb") as raw:
            if codecs.lookup(self.encoding).name.startswith("utf-16"):  # no byte is a line end of its own
                lines = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
                number = 0
                try:
                    for number, text in enumerate(lines, start=1):
                        yield number, text.removeprefix(BOM), raw.tell()
                except UnicodeDecodeError as error:
                    raise undecodable(self.path, number + 1, self.encoding, error, self.given_encoding) from None
                return
            for number, line in enumerate(raw, start=1):
                try:
                    text = line.decode(self.encoding)
                except UnicodeDecodeError as error:
                    raise undecodable(self.path, number, self.encoding, error, self.given_encoding) from None
                if utf8_in_disguise(text, self.encoding):
                    raise in_disguise(self.path, number, self.encoding)
                yield number, text.removeprefix(BOM), raw.tell()

    def _scan_columns(self) -> list:
        """Every key of every record, in order of first appearance (records may differ in keys). More
        than an Excel sheet has columns are refused: each record is read and written with every key,
        so records bringing keys of their own cost rows times keys (10,000 records: 36 s)."""
        columns, first_bad, objects, lines = {}, None, 0, 0
        for number, text, _ in self._lines():
            lines = number
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except (ValueError, RecursionError) as error:
                first_bad = first_bad or BadRow(f"line {number}", f"not a JSON object ({error})", text.rstrip("\r\n"),
                                                kind="not_json_object")
                continue
            if not isinstance(record, dict):
                first_bad = first_bad or BadRow(f"line {number}", f"not a JSON object ({_json_kind(record)})",
                                                text.rstrip("\r\n"), kind="not_json_object")
            else:  # (a key no column can be named, see _broken_key, makes its record bad)
                objects += 1
                columns.update(dict.fromkeys(key for key in record if not SURROGATE.search(key)))
                if len(columns) > XLSX_MAX_COLUMNS:
                    key = list(columns)[XLSX_MAX_COLUMNS]  # the first key beyond the limit
                    raise ArchiveError(
                        f"{self.path}: its records bring more than {XLSX_MAX_COLUMNS:,} different keys: line {number} "
                        f"brings {key!r}. Every record is read with every key of the file, so this would be a table "
                        f"wider than an Excel sheet, mostly empty; keep in each record the text and the fields you "
                        f"need, under the same keys", "too_many_keys", line=number)
        if not columns and first_bad is not None:  # no line to read a key from: the first line's fault, not the keys'
            error = first_bad.stops(self.path, "no line of the file is a JSON object: fix them, one object a line")
            error.details["none_readable"] = True  # (so no front end offers to set the bad rows aside)
            raise error
        if not columns:  # blank lines or {} alone: nothing to read, as an empty CSV (no text column to name)
            said = f"its {objects} record(s) are all {{}}" if objects else "only blank lines" if lines else "empty"
            raise ArchiveError(f"{self.path} holds no record with a key ({said})", "empty", rows=0, header_row=1,
                               format="jsonl", records=objects, blank=lines)
        return list(columns)

    def chunks(self):
        self.columns = self._scan_columns()
        # Each chunk is a table of every key of the file: records with keys of their own make it wide.
        chunk_size = self.rows_per_chunk()
        records, where, bad, index, blank, chars = [], [], [], 0, 0, 0
        for number, text, position in self._lines():
            if not text.strip():
                blank += 1
                continue
            try:
                record = _parsed(text)
                if not isinstance(record, dict):
                    raise ValueError(_json_kind(record))
                if _nested_deeper(record, MAX_DEPTH):
                    raise RecursionError
                broken = _broken_key(record)
                if broken is not None:
                    bad.append(BadRow(f"line {number}", f"key {broken} holds a lone surrogate (half an emoji)",
                                      text.rstrip("\r\n"), kind="broken_key", details={"key": broken}))
                else:
                    records.append(_empty_texts_marked(record))
                    where.append(f"line {number}")
            except RepeatedKeys as error:  # a whole object: said apart, not as one cut short
                bad.append(BadRow(f"line {number}", str(error), text.rstrip("\r\n"), kind="repeated_key",
                                  details={"keys": error.keys, "within": error.within, "escaped": error.escaped}))
            except ValueError as error:
                bad.append(BadRow(f"line {number}", f"not a JSON object ({error})", text.rstrip("\r\n"),
                                  kind="not_json_object"))
            except RecursionError:  # from the parser too, where it runs out of stack
                bad.append(BadRow(f"line {number}", f"a value nested more than {MAX_DEPTH} levels deep",
                                  text.rstrip("\r\n"), kind="too_deep", details={"depth": MAX_DEPTH}))
            chars += len(text)
            if len(records) + len(bad) >= chunk_size or chars >= self.max_chunk_text:  # bad rows are held too: they count
                yield Chunk(index, pd.DataFrame(records, columns=self.columns, dtype=object), bad, position, blank,
                            where)
                records, where, bad, index, blank, chars = [], [], [], index + 1, 0, 0
        yield Chunk(index, pd.DataFrame(records, columns=self.columns, dtype=object), bad, self.total, blank, where)


def _json_kind(value) -> str:
    """What a JSON value that is no object is, in JSON's words: a JSON array, a JSON string, …"""
    kind = ("true or false" if isinstance(value, bool) else "null" if value is None else "array"
            if isinstance(value, list) else "string" if type(value) is str else "number")  # (JsonLiteral: a number)
    return f"a JSON {kind}"


def _broken_key(record: dict) -> str | None:
    """The first key of ``record`` holding a lone surrogate (an escape like "\\ud83d", half an emoji), as written;
    no column can be named so (pandas, Arrow and every output file hold UTF-8)."""
    return next((escape_surrogates(key) for key in record if SURROGATE.search(key)), None)


MAX_DEPTH = 100  # levels of JSON nesting in a record: deeper ones fail to pickle for a worker (at 500)


def _nested_deeper(value, limit: int) -> bool:
    """Whether JSON ``value`` nests lists and objects more than ``limit`` levels deep (walked with a
    stack of its own, so that no depth exhausts Python's)."""
    stack = [(value, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False
