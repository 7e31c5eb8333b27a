"""Encodings: which one an archive is in, and where it stops being that."""
import codecs
import re

from ..exceptions import ArchiveError


BOM = "\ufeff"  # a byte order mark, as a text reads it: opening a file, or a line of files joined end to end
SAMPLE_BYTES = 4 << 20


def _sample(path) -> tuple[bytes, bool]:
    """SAMPLE_BYTES of ``path`` to judge its encoding by, and whether they run to its end: its
    start or, when that is all ASCII (no evidence at all), from the first line that is not."""
    with open(path, "rb") as f:
        sample = f.read(SAMPLE_BYTES)
        offset = len(sample)
        while sample.isascii() and (block := f.read(1 << 20)):
            if not block.isascii():
                first = re.search(rb"[\x80-\xff]", block).start()
                f.seek(offset + block.rfind(b"\n", 0, first) + 1)  # ASCII bytes are whole characters in all
                sample = f.read(SAMPLE_BYTES)
                break
            offset += len(block)
        return sample, not f.read(1)


SCORED_BYTES = 64 << 10  # of the lines holding Chinese: plenty to tell GB18030 from Big5
# Big5 is tried with Hong Kong's extensions (a superset that also holds Taiwan's cp950 characters
# such as 裏) after plain Big5; GB18030 first, as mainland archives are the most common.
_DOUBLE_BYTE = ("gb18030", "big5", "big5hkscs")


def common_share(text: str, encoding: str) -> float:
    """The share of ``text``'s non-ASCII characters that are everyday characters of ``encoding``'s
    script: GB2312's symbols and first level of 3,755 common characters for GB18030, Big5's symbols
    and 5,401 frequent characters for Big5. Text read in the wrong one of the two turns into rare
    characters, kana, Greek or box drawing, even when it decodes."""
    chars = [ch for ch in text if not ch.isascii()]
    if not chars:
        return 0.0
    common = 0
    for ch in chars:
        try:
            code = int.from_bytes(ch.encode("gb2312" if encoding == "gb18030" else "big5"), "big")
        except UnicodeEncodeError:
            continue
        common += (0xA1A1 <= code <= 0xA3FE or 0xB0A1 <= code <= 0xD7FE if encoding == "gb18030"
                   else 0xA140 <= code <= 0xA3BF or 0xA440 <= code <= 0xC67E)
    return common / len(chars)


def detect_encoding(path) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with its BOM, else GB18030 or Big5: whichever decodes
    the file and reads as the more everyday characters (:func:`common_share`)."""
    sample, final = _sample(path)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode Text"
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=final)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Chinese archives that are not UTF-8 are GB18030 (which covers GBK and GB2312) or, from Taiwan
    # and Hong Kong, Big5. Judged on the lines that hold Chinese at all (thousands of ASCII lines
    # drown the evidence). A statistical detector (charset-normalizer) read one short GB18030 row
    # as Big5 every time, and a fifth of four-character ones: measured, this judges both right
    # from four characters on.
    evidence = b"\n".join(line for line in sample.splitlines() if not line.isascii())[:SCORED_BYTES]
    shares = {}
    for encoding in _DOUBLE_BYTE:
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=final)
        except UnicodeDecodeError:
            continue
        shares[encoding] = common_share(codecs.getincrementaldecoder(encoding)().decode(evidence), encoding)
    if shares:
        return max(shares, key=shares.get)  # the first of equals, in _DOUBLE_BYTE's order
    damaged = _damaged_in(sample, final)
    if damaged is not None:  # naming an encoding would not help: the line is to be mended
        line = first_undecodable_line(path, damaged)
        raise ArchiveError(f"{path}: line {line} is not valid {damaged}, in which the other lines read decode (a "
                           f"damaged character?); mend or delete what is garbled in it", "encoding", line=line,
                           encoding=damaged, damaged=True)
    raise ArchiveError(f"{path}: cannot tell its encoding (not UTF-8, GB18030 or Big5); name it with encoding=…",
                       "encoding")


DAMAGED_SHARE = 10  # at most one in this many lines holding Chinese not decoding: a damaged file, not another encoding


def _damaged_in(sample: bytes, final: bool) -> str | None:
    """The encoding, of UTF-8 and :data:`_DOUBLE_BYTE`, of a ``sample`` none decodes whole but one decodes but for a
    few lines (one in DAMAGED_SHARE of those beyond ASCII at most: a byte lost or changed, as a copy cut or a system
    writing half a character leaves them), the fewest of all; of equals, the one reading as the more everyday
    characters (:func:`common_share`). None where none reads so: bytes of no encoding, or too few lines to tell."""
    lines = [line for line in sample.split(b"\n")[:None if final else -1] if not line.isascii()]  # (the last may be
    # cut in a character; a newline byte is no part of another character in any of these encodings)
    judged = {}
    for encoding in ("utf-8", *_DOUBLE_BYTE):
        read = []
        for line in lines:
            try:
                read.append(line.decode(encoding))
            except UnicodeDecodeError:
                pass
        text = "".join(read)[:SCORED_BYTES]
        everyday = max(common_share(text, script) for script in (("gb18030", "big5") if encoding == "utf-8"
                                                                  else (encoding,)))
        judged[encoding] = (len(lines) - len(read), -everyday)
    best = min(judged, key=judged.get)  # the first of equals
    return best if lines and judged[best][0] * DAMAGED_SHARE <= len(lines) else None


# A line read as GB18030 or Big5 whose bytes are UTF-8 too, holding this many characters beyond ASCII, and
# reading as more everyday characters in UTF-8, is a UTF-8 row in the file (put together from two systems).
# Chinese text reads as UTF-8 by chance almost never (measured on the corpus's texts written in GB18030: 3%
# of two-character runs, 0.001% of six, none of 75,000 of eight; in Big5 none of three), but a word
# repeated can (漏水漏水… is ©ˮ©ˮ…), hence the everyday characters too. A UTF-8 row of eight Chinese
# characters reads as twelve.
_DISGUISE_MIN = 12
_JUDGED = 600  # characters beyond ASCII of such a line whose everyday characters are counted
_ASCII = re.compile("[\x00-\x7f]+")
_BIG5_NAMES = {"big5", "big5hkscs", "cp950"}
_DOUBLE_BYTE_NAMES = {"gb18030", "gbk", "gb2312"} | _BIG5_NAMES


def utf8_in_disguise(line: str, encoding: str) -> bool:
    """Whether ``line``, read as ``encoding`` (GB18030, Big5 and their kin), is really UTF-8: its bytes
    decode both ways, and read as UTF-8 they are everyday Chinese where read as GB18030 they are nonsense
    (秤不准 as 绉や笉鍑嗭). Always False for other encodings."""
    if line.isascii():
        return False
    name = codecs.lookup(encoding).name
    if name not in _DOUBLE_BYTE_NAMES:
        return False
    if len(line) - len(line.encode("ascii", "ignore")) < _DISGUISE_MIN:
        return False
    try:
        as_utf8 = line.encode(encoding).decode("utf-8")
    except UnicodeError:
        return False
    script = "big5" if name in _BIG5_NAMES else "gb18030"
    # counted in Python: the first _JUDGED characters beyond ASCII tell as well as the whole line
    as_utf8, line = _ASCII.sub("", as_utf8)[:_JUDGED], _ASCII.sub("", line)[:_JUDGED]
    return max(common_share(as_utf8, "gb18030"), common_share(as_utf8, "big5")) > common_share(line, script)


def undecodable(path, line: int, encoding: str, error: UnicodeDecodeError, given: str | None = None) -> ArchiveError:
    """The error refusing ``path`` at ``line``, which the codec ``encoding`` does not decode. Where the caller named
    the encoding (``given``, as written: utf-8, read as utf-8-sig), it is said so, and, where detection reads the
    file in another (:func:`detect_encoding`, of a sample), which one: naming none is then the way on."""
    if given is None:
        return ArchiveError(f"{path}: line {line} is not valid {encoding} ({error.reason}); name the encoding with "
                            f"encoding=…", "encoding", line=line, encoding=encoding)
    try:
        detected = detect_encoding(path)
    except ArchiveError:  # none is detected: another name is the way on
        detected = None
    if detected is not None and codecs.lookup(detected).name != codecs.lookup(encoding).name:
        return ArchiveError(f"{path}: line {line} is not valid {given} ({error.reason}), the encoding named; with "
                            f"encoding=… left out, the file is read as {detected}", "encoding", line=line,
                            encoding=encoding, given=given, detected=detected)
    return ArchiveError(f"{path}: line {line} is not valid {given} ({error.reason}), the encoding named; name the one "
                        f"it is in with encoding=…", "encoding", line=line, encoding=encoding, given=given)


def in_disguise(path, line: int, encoding: str) -> ArchiveError:
    return ArchiveError(f"{path}: line {line} is UTF-8 in a file read as {encoding} (a row from another system?); "
                        f"save the whole file in one encoding", "encoding", line=line, encoding=encoding)


def text_encoding(encoding: str | None) -> str | None:
    """The codec to read a file named as ``encoding``: UTF-8 is read as utf-8-sig, so a byte-order
    mark (Excel's "CSV UTF-8") never becomes part of the first column's name."""
    if encoding is None:
        return None
    try:
        name = codecs.lookup(encoding).name
    except LookupError:  # Notepad's ANSI, utf8-bom: a desk's name, said in Chinese as an archive's problem
        raise ArchiveError(f"unknown encoding {encoding!r}: name one such as utf-8, gb18030 or big5 (encoding=…), "
                           f"or leave it out to have it detected", "unknown_encoding", given=encoding) from None
    return "utf-8-sig" if name == "utf-8" else encoding


def first_undecodable_line(path, encoding: str) -> int:
    """The number of the first line of ``path`` that does not decode (decoding reads ahead in
    blocks, so the error itself does not say which line it was)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return number
    return number
