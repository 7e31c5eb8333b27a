"""Values as JSON text, as the outputs write it: a JSON Lines record, or a list or object held in one cell."""
import json
import re
import secrets

from .._unicode import name_key
from ._cells import cell_text
from ._jsonl import MAX_DEPTH, JsonLiteral, _nested_deeper, _parsed
from ._text_escapes import escape_surrogates


def _as_json_value(value):
    """What JSON has no type for, inside a list or object (Parquet's decimals, bytes, dates and moments), as
    its text, as the sheet and the text outputs show it alone."""
    return cell_text(value)


# A number kept as written (JsonLiteral) goes into json.dumps as a stand-in string and is put back as the
# number: "\x00", this process's random key and its place; no text of the user's can be one by chance.
_LITERAL_KEY = secrets.token_hex(16)
_LITERAL_MARK = re.compile(r'"\\u0000' + _LITERAL_KEY + r'([0-9]+)"')


def json_text(value) -> str:
    """``value`` as JSON text: a record of JSON Lines output, or a list or object (or a boolean) as CSV,
    TSV and .xlsx outputs hold it in one cell; numbers kept as written are numbers, wherever they sit."""
    literals = []

    def marked(item):
        if isinstance(item, JsonLiteral):
            literals.append(item)
            return f"\x00{_LITERAL_KEY}{len(literals) - 1}"
        if isinstance(item, dict):  # keys JSON has no type for (a Parquet map's dates, bytes) as their text
            return {key if isinstance(key, (str, int, float, bool)) or key is None else _as_json_value(key): marked(v)
                    for key, v in item.items()}
        if isinstance(item, list):
            return [marked(v) for v in item]
        return item

    # a record of plain values under names, the common case, is not walked
    plain = isinstance(value, dict) and not any(type(v) in (JsonLiteral, dict, list) for v in value.values()) \
        and all(type(key) is str for key in value)
    text = json.dumps(value if plain else marked(value), ensure_ascii=False, default=_as_json_value)
    text = _LITERAL_MARK.sub(lambda match: literals[int(match.group(1))], text) if literals else text
    return escape_surrogates(text)  # a lone surrogate as the escape it was read from, in every output


def shown_text(value) -> str:
    """A value as an output's cell shows it as text: lists and objects as their JSON (see :func:`json_text`), the
    rest as the sheet shows them (a boolean TRUE); a column Parquet output holds as text, and the text tagging reads,
    are so."""
    return json_text(value) if isinstance(value, (dict, list)) else cell_text(value)


def keys_in_order(text: str) -> str:
    """``text``, if it is the JSON text of an object or a list (as an output's cell shows one, see
    :func:`shown_text`), with every object's keys in order as groups are told apart (see :func:`name_key`); else as
    it is: one object written in two orders, as a value or as the text of a cell, is then one group's text."""
    if not text.startswith(("{", "[")):
        return text
    try:
        value = _parsed(text)
    except (ValueError, RecursionError):  # no JSON (or nested past what the parser takes): a text as written
        return text
    if _nested_deeper(value, MAX_DEPTH):  # deeper than a JSON Lines record may be, and than Python walks
        return text

    def told_apart(key: str):  # as groups are (half an emoji as its escape, which name_key can hold)
        return name_key(escape_surrogates(key)), key

    def ordered(item):
        if isinstance(item, dict):
            return {key: ordered(item[key]) for key in sorted(item, key=told_apart)}
        return [ordered(v) for v in item] if isinstance(item, list) else item

    return json_text(ordered(value)) if isinstance(value, (dict, list)) else text
