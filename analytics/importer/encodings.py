"""Which text encoding a CSV file's bytes are in: UTF-8 (BOM or not), UTF-16 (BOM or not),
Windows-1251, KOI8-R — shared by the pandas path (``reading``) and the DuckDB path (``stream_layout``)."""
from __future__ import annotations

import re

from analytics.importer.issues import FileProblem

_UTF8_CYRILLIC = re.compile(rb"[\xd0\xd1][\x80-\xbf]")


def has_utf8_cyrillic(data: bytes) -> bool:
    """Ten or more Cyrillic letters in UTF-8: the bytes were meant as UTF-8 (so later bytes that
    are not UTF-8 mean a file of mixed encodings, not a Windows-1251 file)."""
    return len(_UTF8_CYRILLIC.findall(data)) >= 10


def utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" / "utf-16-be" when text has a NUL byte beside nearly every ASCII character."""
    head = data[:4096]
    if len(head) < 16 or b"\x00" not in head:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    half = len(head) // 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def looks_koi8(text_cp1251: str) -> bool:
    """KOI8-R read as Windows-1251 swaps the case of Cyrillic letters: Russian text turns mostly CAPITAL."""
    upper = sum(1 for ch in text_cp1251 if "\u0410" <= ch <= "\u042f")
    lower = sum(1 for ch in text_cp1251 if "\u0430" <= ch <= "\u044f")
    return upper + lower >= 20 and upper > 2 * lower


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (BOM or not), UTF-16 (BOM or not), Windows-1251, KOI8-R.
    A file mixing UTF-8 and Windows-1251 lines is refused, naming its first line in the other encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    wide = utf16_without_bom(data)
    if wide:
        try:
            return data.decode(wide), "UTF-16 без BOM"
        except UnicodeDecodeError:
            raise FileProblem("bad_encoding_named", encoding="UTF-16 без BOM") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as error:
        if has_utf8_cyrillic(data[:1_000_000]):
            line = data.count(b"\n", 0, error.start) + 1
            raise FileProblem("mixed_encoding", line=line) from None
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise FileProblem("bad_encoding") from None
    if looks_koi8(text[:200_000]):
        return data.decode("koi8_r"), "KOI8-R"
    return text, "Windows-1251"
