"""The DuckDB path's view of a CSV file's physical layout: its encoding (and a UTF-8 copy for DuckDB
when it is in another), separator, width and header from its first part, the lines to skip, and the
spreadsheet row number of each record DuckDB reads (it skips empty lines; the pandas path counts them).
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analytics.importer.encodings import looks_koi8, utf16_without_bom
from analytics.importer.header import Header, find_header
from analytics.importer.issues import FileProblem
from analytics.importer.reading import HEADER_SCAN_ROWS, csv_layout, grid_from_text
from analytics.importer.spec import KindSpec

CHUNK_BYTES = 16 << 20                   # re-encoding to UTF-8 and line scanning, per read


class Fallback(Exception):
    """This file has a form the DuckDB path does not read the way the pandas path does."""


@dataclass
class Layout:
    encoding: str                # label shown to the user, as reading.decode names it
    codec: str                   # Python codec of the original bytes
    separator: str
    width: int
    header: Header
    skip: int                    # physical lines before the first data line (title, header)
    header_end: int              # spreadsheet row of the (last) header row


def _head_text(head: bytes, codec: str, whole: bool) -> str:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    return decoder.decode(head, final=whole)


def _encoding(head: bytes, whole: bool) -> tuple[str, str]:
    if head.startswith(b"\xef\xbb\xbf"):
        return "UTF-8 (BOM)", "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16", "utf-16"
    if utf16_without_bom(head):
        raise Fallback("UTF-16 without BOM: read and named by the pandas path")
    try:
        _head_text(head, "utf-8", whole)
        return "UTF-8", "utf-8"
    except UnicodeDecodeError:
        if looks_koi8(head.decode("cp1251", errors="replace")):
            raise Fallback("KOI8-R: read and named by the pandas path") from None
        return "Windows-1251", "cp1251"


def layout(head: bytes, whole: bool, spec: KindSpec, force_codec: str | None = None, prepared=None) -> Layout:
    """Encoding, separator, columns and header from the first part of the file (``prepared``, when
    given, gets them as soon as they are known, as the pandas path sets them before the header)."""
    encoding, codec = ("Windows-1251", "cp1251") if force_codec else _encoding(head, whole)
    try:
        text = _head_text(head, codec, whole)
    except UnicodeDecodeError:
        raise FileProblem("bad_encoding") from None
    if not text.strip():
        raise Fallback("no text in the first part")
    separator, width = csv_layout(text)
    if prepared is not None:
        prepared.file_format, prepared.encoding, prepared.separator = "csv", encoding, separator
    complete = text if whole else text[: text.rfind("\n") + 1]
    grid = grid_from_text(complete, encoding, separator, width, max_rows=HEADER_SCAN_ROWS + 1)
    header = find_header(grid, spec)
    header_end = max(header.rows)
    reader = csv.reader(io.StringIO(complete), delimiter=separator)
    skip = None
    for number, _ in enumerate(reader, 1):
        if number == header_end:
            skip = reader.line_num
            break
    if skip is None:
        raise Fallback("header not within the first part")
    return Layout(encoding, codec, separator, width, header, skip, header_end)


@contextmanager
def utf8_file(path: Path, codec: str):
    """The file as UTF-8 for DuckDB: itself, or a temporary copy re-encoded in chunks."""
    if codec in ("utf-8", "utf-8-sig"):
        yield path
        return
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="shnor_import_")
    try:
        decoder = codecs.getincrementaldecoder(codec)("strict")
        with open(path, "rb") as source, os.fdopen(handle, "wb") as target:
            while True:
                chunk = source.read(CHUNK_BYTES)
                text = decoder.decode(chunk, final=not chunk)
                target.write(text.encode("utf-8"))
                if not chunk:
                    break
        yield Path(name)
    except UnicodeDecodeError:
        raise FileProblem("bad_encoding") from None
    finally:
        Path(name).unlink(missing_ok=True)


# -- spreadsheet row numbers ------------------------------------------------------------------------
_BLANK_LINE = re.compile(rb"\n(?=\r?\n)")


def spreadsheet_rows(path: Path, found: Layout, records: int, ordinals: list[int]) -> list[int]:
    """Row numbers as Excel shows them, for DuckDB's record numbers after the header. DuckDB skips
    empty lines, the pandas path counts them: add the empty lines before each record."""
    if not ordinals:
        return []
    blank_lines, lines = _blank_lines(path)
    after = blank_lines[blank_lines > found.skip]
    if lines - found.skip - len(after) != records:
        raise Fallback("a line break inside a quoted cell: rows are numbered by the pandas path")
    # Data record i (1-based) is on line skip + i + (empty lines before it).
    shifted = after - found.skip - np.arange(1, len(after) + 1)      # data records before each empty line
    ordinals_arr = np.asarray(ordinals, dtype=np.int64)
    before = np.searchsorted(shifted, ordinals_arr, side="left")
    lines_of = found.skip + ordinals_arr + before
    return (found.header_end + lines_of - found.skip).tolist()


def _blank_lines(path: Path) -> tuple[np.ndarray, int]:
    """Line numbers (1-based) of the empty lines, and the number of lines."""
    found, newlines, last, tail = [], 0, b"", b""
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            data = tail + chunk
            limit = len(data) if not chunk else max(0, len(data) - 2)
            position = 0
            for match in _BLANK_LINE.finditer(data, 0, len(data)):
                start = match.start()
                if start >= limit:
                    break
                newlines_here = data.count(b"\n", position, start + 1)
                found.append(newlines + newlines_here + 1)
                newlines += newlines_here
                position = start + 1
            newlines += data.count(b"\n", position, limit)
            if not chunk:
                last = data[-1:] if data else last
                break
            tail = data[limit:]
    lines = newlines + (0 if last in (b"\n", b"") else 1)
    return np.asarray(found, dtype=np.int64), lines
