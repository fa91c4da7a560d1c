"""Turn uploaded bytes into text: gzip, byte-order marks, UTF-8, East-Asian, Western fallbacks."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from synth_core.errors import InputError, LimitError

_GZIP_MAGIC = b"\x1f\x8b"

# Files people upload by mistake, recognised by their first bytes.
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive or an Excel .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls (or other Office) file"),
    (b"PAR1", "a Parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3", "an SQLite database"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)

# chardet is trusted only for multi-byte encodings, and only when the decoded text really is
# East-Asian: its single-byte guesses on short input were wrong in our measurements (cp932 for
# Latin-1, cp1250 for cp1252), and chardet 7 reports low confidences even when right (0.02 for
# a correct Shift-JIS guess), so the decoded text is checked instead of the confidence.
_MULTIBYTE_ENCODINGS = frozenset(
    {
        "shift_jis",
        "cp932",
        "euc-jp",
        "iso-2022-jp",
        "euc-kr",
        "cp949",
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "euc-tw",
        "hz-gb-2312",
    }
)
_CHARDET_SAMPLE_BYTES = 64 * 1024
_EAST_ASIAN_SHARE = 0.8
_EAST_ASIAN_MIN_CHARS = 4
# Kana, CJK ideographs and symbols, Hangul, full-width forms (not the half-width katakana that
# Latin-1 bytes turn into when misread as Shift-JIS).
_EAST_ASIAN = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff01-\uff60]")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Control characters that never appear in a text table (tab, LF, CR and form feed excluded).
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Decoded:
    """Text of an upload and how it was obtained."""

    text: str
    encoding: str
    compression: str | None


def decode_bytes(raw: bytes, max_bytes: int) -> Decoded:
    """Decompress and decode ``raw``; raise InputError for empty, binary or oversized input."""
    compression = None
    if raw.startswith(_GZIP_MAGIC):
        raw = _gunzip(raw, max_bytes)
        compression = "gzip"
    if not raw.strip(b" \t\r\n\x00"):
        raise InputError("The file is empty: it has no header and no rows. Upload a CSV file.")
    for signature, what in _BINARY_SIGNATURES:
        if raw.startswith(signature):
            raise InputError(
                f"This looks like {what}, not a CSV text file. "
                "Save or export it as CSV (for Excel: File > Save As > CSV UTF-8) and upload that."
            )
    text, encoding = _decode(raw)
    _check_text(text)
    return Decoded(text=text, encoding=encoding, compression=compression)


def line_number(text: str, position: int) -> int:
    """1-based physical line of ``position`` in ``text`` (LF, CRLF and CR all end a line)."""
    return len(_LINE_BREAK.findall(text, 0, position)) + 1


def _gunzip(raw: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    corrupt = (
        "The file starts like a gzip archive but cannot be decompressed ({}). "
        "Upload the uncompressed CSV instead."
    )
    try:
        # max_length guards against archives that expand far beyond the size limit.
        data = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(corrupt.format(exc)) from exc
    if len(data) > max_bytes:
        raise LimitError(
            f"The decompressed file is larger than the limit of {max_bytes / 2**20:,.0f} MB. "
            "Upload a smaller extract of the table."
        )
    if not inflater.eof:
        raise InputError(corrupt.format("it is truncated"))
    return data


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return _strict(raw, "utf-8-sig"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError("The file is encoded as UTF-32, which is not supported. Save it as UTF-8.")
    if raw.startswith(b"\xff\xfe"):
        return _strict(raw[2:], "utf-16-le"), "utf-16-le"
    if raw.startswith(b"\xfe\xff"):
        return _strict(raw[2:], "utf-16-be"), "utf-16-be"
    bom_less_utf16 = _guess_utf16_without_bom(raw)
    if bom_less_utf16 is not None:
        return _strict(raw, bom_less_utf16), bom_less_utf16
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    multibyte = _multibyte_guess(raw)
    if multibyte is not None:
        return multibyte
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte.
        return raw.decode("latin-1"), "latin-1"


def _strict(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"The file says it is {encoding.upper()} but byte {exc.start} is not valid in that "
            "encoding. Re-save the file as UTF-8 and upload it again."
        ) from exc


def _guess_utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text of a Latin-script table has a NUL in every other byte."""
    sample = raw[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nuls > 0.9 and even_nuls < 0.1:
        return "utf-16-le"
    if even_nuls > 0.9 and odd_nuls < 0.1:
        return "utf-16-be"
    return None


def _multibyte_guess(raw: bytes) -> tuple[str, str] | None:
    import chardet

    for guess in chardet.detect_all(raw[:_CHARDET_SAMPLE_BYTES])[:3]:
        encoding = (guess.get("encoding") or "").lower()
        if encoding not in _MULTIBYTE_ENCODINGS:
            continue
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _mostly_east_asian(text):
            return text, encoding
    return None


def _mostly_east_asian(text: str) -> bool:
    non_ascii = [c for c in text[:65536] if ord(c) > 127]
    east_asian = sum(1 for c in non_ascii if _EAST_ASIAN.match(c))
    return east_asian >= _EAST_ASIAN_MIN_CHARS and east_asian >= _EAST_ASIAN_SHARE * len(non_ascii)


def _check_text(text: str) -> None:
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(
            f"Line {line_number(text, nul)} contains a NUL byte (\\0), which a CSV file cannot "
            "hold: the file may be corrupt or not a text table. Remove the NUL bytes and retry."
        )
    sample = text[:65536]
    controls = _CONTROL.findall(sample)
    if len(controls) > max(8, len(sample) // 100):
        first = _CONTROL.search(text)
        where = f" (first on line {line_number(text, first.start())})" if first else ""
        raise InputError(
            "The file does not look like a text table: it contains many control characters"
            f"{where}. Upload a CSV file."
        )
