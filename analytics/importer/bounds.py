"""Bounds checked before a file is parsed, so no file — however built — makes the importer use
unbounded memory or time (issue #17). Every limit is answered with a Russian message (FileProblem).

CSV: the longest line (bytes) and the number of columns and cells, counted on the raw bytes.
XLSX: every part of the zip is read as a stream and its real unpacked size counted (a zip may lie
about it); the shared strings and each sheet's XML are scanned as a stream (iterparse) for the
number of cells, the farthest cell, the longest text and the text the cells expand to, before
openpyxl builds anything. Which sheets are hidden comes from the workbook, as Excel shows it.

Together with the upload limit (settings ``import_max_mb``, 100 MB) these keep the importer's peak
memory under the cap documented in docs/ru/import.md (measured by ``python -m bench import-memory``).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import iterparse

import numpy as np

from analytics.importer.issues import FileProblem

MAX_COLUMNS = 1_000                  # real exports have tens of columns
MAX_LINE_BYTES = 131_072             # one CSV line (and so one field: the csv module's own limit)
MAX_CELLS = 8_000_000                # rows × columns of the grid the pandas path builds (≈ 190 bytes each)
MAX_CELL_CHARS = 32_767              # Excel's own limit for the text of one cell
MAX_XLSX_PART_BYTES = 400 * 1024 * 1024      # one unpacked part of an XLSX (a sheet, the shared strings)
MAX_XLSX_UNPACKED_BYTES = 800 * 1024 * 1024  # all parts together
MAX_XLSX_UNPACKED_RATIO = 40        # … and unpacked / packed size, as the zip declares it
MAX_XLSX_CELLS = 5_000_000           # cells present in all sheets together
MAX_XLSX_TEXT_CHARS = 200_000_000    # text the cells expand to (a shared string counted once per cell using it)
_CHUNK = 1 << 20
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (ord(letter) - 64)
    return number


# -- CSV ----------------------------------------------------------------------------------------------
def check_csv(data: bytes) -> None:
    """The longest line, the columns and the cells of a CSV file, from its bytes (no decoding)."""
    if not data:
        return
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(data)]))
    lengths = stops - starts
    longest = int(lengths.argmax())
    if lengths[longest] > MAX_LINE_BYTES:
        line = data[starts[longest]:stops[longest]]
        columns = max(line.count(sep) for sep in (b";", b",", b"\t")) + 1
        if columns > MAX_COLUMNS:
            raise FileProblem("too_many_columns", columns=columns, limit=MAX_COLUMNS)
        raise FileProblem("long_line", line=longest + 1, kb=round(int(lengths[longest]) / 1024),
                          limit_kb=MAX_LINE_BYTES // 1024)
    head = data[:200_000]
    columns = max(max((line.count(sep) for line in head.split(b"\n")[:200]), default=0)
                  for sep in (b";", b",", b"\t")) + 1
    if columns > MAX_COLUMNS:
        raise FileProblem("too_many_columns", columns=columns, limit=MAX_COLUMNS)
    if len(lengths) * columns > MAX_CELLS:
        raise FileProblem("too_many_cells", cells=len(lengths) * columns, limit=MAX_CELLS)


# -- XLSX ---------------------------------------------------------------------------------------------
@dataclass
class Sheet:
    name: str
    state: str                    # visible | hidden | veryHidden
    part: str                     # path of its XML inside the zip
    cells: int = 0                # cells with a value
    max_row: int = 0
    max_col: int = 0
    far_cell: str = ""
    merges: list = field(default_factory=list)     # (min_row, min_col, max_row, max_col) of merged ranges


@dataclass
class Survey:
    sheets: list[Sheet] = field(default_factory=list)


class _Counted(io.RawIOBase):
    """A zip part read as a stream, counting its real unpacked bytes against the limits."""

    def __init__(self, handle, budget: list[int]):
        self.handle, self.budget, self.size = handle, budget, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.handle.read(min(len(buffer), _CHUNK))
        self.size += len(chunk)
        self.budget[0] -= len(chunk)
        if self.size > MAX_XLSX_PART_BYTES or self.budget[0] < 0:
            raise FileProblem("xlsx_too_large_unpacked", mb=round(self.size / 1e6))
        buffer[:len(chunk)] = chunk
        return len(chunk)


def _open_bounded(archive: zipfile.ZipFile, name: str, budget: list[int]):
    return io.BufferedReader(_Counted(archive.open(name), budget), buffer_size=_CHUNK)


def _read_bounded(archive: zipfile.ZipFile, name: str, budget: list[int]) -> bytes:
    with _open_bounded(archive, name, budget) as handle:
        return handle.read()


def _drain(archive: zipfile.ZipFile, name: str, budget: list[int]) -> None:
    with _open_bounded(archive, name, budget) as handle:
        while handle.read(_CHUNK):
            pass


def _shared_string_lengths(stream) -> list[int]:
    lengths = []
    for _, element in iterparse(stream, events=("end",)):
        if element.tag == f"{_MAIN}si":
            size = sum(len(t.text or "") for t in element.iter(f"{_MAIN}t"))
            if size > MAX_CELL_CHARS:
                raise FileProblem("xlsx_long_cell", chars=size, limit=MAX_CELL_CHARS)
            lengths.append(size)
            element.clear()
    return lengths


def _sheets(archive: zipfile.ZipFile, budget: list[int]) -> list[Sheet]:
    workbook = _read_bounded(archive, "xl/workbook.xml", budget)
    try:
        rels = _read_bounded(archive, "xl/_rels/workbook.xml.rels", budget)
    except KeyError:
        rels = b""
    targets = {}
    if rels:
        for _, element in iterparse(io.BytesIO(rels), events=("end",)):
            if element.tag == f"{_PACKAGE_REL}Relationship":
                target = element.get("Target", "")
                targets[element.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    sheets = []
    for _, element in iterparse(io.BytesIO(workbook), events=("end",)):
        if element.tag == f"{_MAIN}sheet":
            part = targets.get(element.get(f"{_REL}id"), "")
            sheets.append(Sheet(element.get("name", ""), element.get("state", "visible"), part))
    return sheets


def survey_xlsx(data: bytes) -> Survey:
    """Real unpacked sizes, cells and text of every sheet — before openpyxl reads anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileProblem("not_a_table", detected="archive") from None
    budget = [MAX_XLSX_UNPACKED_BYTES]
    with archive:
        declared = sum(info.file_size for info in archive.infolist())
        if declared > min(MAX_XLSX_UNPACKED_BYTES, MAX_XLSX_UNPACKED_RATIO * max(len(data), 1_000_000)):
            raise FileProblem("xlsx_too_large_unpacked", mb=round(declared / 1e6))
        try:
            sheets = _sheets(archive, budget)
            names = set(archive.namelist())
            lengths = []
            if "xl/sharedStrings.xml" in names:
                with _open_bounded(archive, "xl/sharedStrings.xml", budget) as stream:
                    lengths = _shared_string_lengths(stream)
            total_cells, total_text = 0, 0
            for sheet in sheets:
                if sheet.part not in names:
                    continue
                with _open_bounded(archive, sheet.part, budget) as stream:
                    text = _scan_sheet(stream, sheet, lengths, MAX_XLSX_TEXT_CHARS - total_text)
                total_cells += sheet.cells
                total_text += text
                if total_cells > MAX_XLSX_CELLS:
                    raise FileProblem("too_many_cells", cells=total_cells, limit=MAX_XLSX_CELLS)
                if total_text > MAX_XLSX_TEXT_CHARS:
                    raise FileProblem("xlsx_text_too_large", limit_mb=MAX_XLSX_TEXT_CHARS // 1_000_000)
            for name in names - {s.part for s in sheets} - {"xl/sharedStrings.xml", "xl/workbook.xml"}:
                _drain(archive, name, budget)          # styles, drawings …: their real size counts too
        except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError, KeyError) as error:
            raise FileProblem("bad_xlsx", detail=type(error).__name__) from None
        except SyntaxError as error:              # xml.etree's ParseError
            raise FileProblem("bad_xlsx", detail=type(error).__name__) from None
    return Survey(sheets)


def _scan_sheet(stream, sheet: Sheet, lengths: list[int], text_left: int) -> int:
    """Count the sheet's cells, find its farthest cell, add up the text its cells expand to."""
    text = 0
    for _, element in iterparse(stream, events=("end",)):
        if element.tag == f"{_MAIN}mergeCell":
            corners = [_CELL_REF.fullmatch(part) for part in element.get("ref", "").split(":")]
            if len(corners) == 2 and all(corners) and len(sheet.merges) < MAX_COLUMNS * 10:
                (c1, r1), (c2, r2) = [(_column_number(m.group(1)), int(m.group(2))) for m in corners]
                sheet.merges.append((r1, c1, r2, c2))
            continue
        if text > text_left:
            raise FileProblem("xlsx_text_too_large", limit_mb=MAX_XLSX_TEXT_CHARS // 1_000_000)
        if element.tag != f"{_MAIN}c":
            if element.tag == f"{_MAIN}row":
                element.clear()
            continue
        value = element.find(f"{_MAIN}v")
        inline = element.find(f"{_MAIN}is")
        if value is None and inline is None:
            element.clear()
            continue
        sheet.cells += 1
        match = _CELL_REF.fullmatch(element.get("r", ""))
        if match:
            column, row = _column_number(match.group(1)), int(match.group(2))
            if column > MAX_COLUMNS or row * max(column, sheet.max_col) > MAX_CELLS:
                raise FileProblem("xlsx_far_cell", cell=element.get("r"), sheet=sheet.name, limit=MAX_COLUMNS)
            if row >= sheet.max_row:
                sheet.max_row, sheet.far_cell = row, element.get("r")
            sheet.max_col = max(sheet.max_col, column)
        if element.get("t") == "s" and value is not None and value.text and value.text.strip().isdigit():
            index = int(value.text)
            text += lengths[index] if index < len(lengths) else 0
        elif inline is not None:
            size = sum(len(t.text or "") for t in inline.iter(f"{_MAIN}t"))
            if size > MAX_CELL_CHARS:
                raise FileProblem("xlsx_long_cell", chars=size, limit=MAX_CELL_CHARS)
            text += size
        elif value is not None and value.text:
            text += len(value.text)
        element.clear()
    if sheet.max_row * sheet.max_col > MAX_CELLS:
        raise FileProblem("xlsx_far_cell", cell=sheet.far_cell, sheet=sheet.name, limit=MAX_COLUMNS)
    return text
