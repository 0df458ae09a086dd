"""Files → a flat list of blocks (paragraphs and table rows) in document order.

DOCX: paragraphs and tables from the body in order; horizontally merged cells give one
cell with the text and continuation cells marked ``hmerged``; vertically merged cells
below the first are marked ``vmerged`` and left empty. XLSX: every sheet, merged ranges
the same way. Text: tab-separated lines are table rows, other lines are paragraphs.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from analytics.roadmap_import.model import Block, Cell, Paragraph, RoadmapImportError, Row

TEXT_ENCODINGS = ("utf-8-sig", "cp1251")


def read_blocks(data: bytes, file_name: str) -> list[Block]:
    suffix = Path(file_name).suffix.lower()
    try:
        if suffix == ".docx" or (suffix not in (".xlsx", ".xlsm") and _is_zip_with(data, "word/document.xml")):
            return read_docx(data)
        if suffix in (".xlsx", ".xlsm") or _is_zip_with(data, "xl/workbook.xml"):
            return read_xlsx(data)
        if suffix in (".doc", ".xls", ".pdf", ".rtf", ".odt", ".ods"):
            raise RoadmapImportError(f"Формат «{suffix}» не поддерживается: сохраните файл как DOCX, XLSX или текст.")
        return read_text(data)
    except RoadmapImportError:
        raise
    except Exception as error:  # a broken file of a known type
        raise RoadmapImportError(f"Не удалось прочитать файл «{Path(file_name).name}»: {error}") from error


def _is_zip_with(data: bytes, member: str) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return member in archive.namelist()
    except zipfile.BadZipFile:
        return False


# -- DOCX ------------------------------------------------------------------------------
def read_docx(data: bytes) -> list[Block]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    document = docx.Document(io.BytesIO(data))
    blocks: list[Block] = []
    table_index = 0
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            blocks.append(Paragraph(item.text))
        elif isinstance(item, Table):
            blocks.extend(_docx_rows(item, table_index))
            table_index += 1
    return blocks


def _cell_text(tc, parent) -> str:
    from docx.table import _Cell
    cell = _Cell(tc, parent)
    lines = [p.text.strip() for p in cell.paragraphs]
    for nested in cell.tables:   # rare: a table inside a cell; keep its text
        lines.extend(c.text for row in nested.rows for c in row.cells)
    return "\n".join(line for line in lines if line)


def _docx_rows(table, index: int) -> list[Row]:
    rows = []
    for row in table.rows:
        tr = row._tr
        cells = [Cell("") for _ in range(tr.grid_before)]
        for tc in tr.tc_lst:
            if tc.vMerge == "continue":
                cells.append(Cell("", vmerged=True))
            else:
                cells.append(Cell(_cell_text(tc, table)))
            cells.extend(Cell("", hmerged=True) for _ in range(tc.grid_span - 1))
        rows.append(Row(cells, index))
    return rows


# -- XLSX ------------------------------------------------------------------------------
def read_xlsx(data: bytes) -> list[Block]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    blocks: list[Block] = []
    for index, sheet in enumerate(workbook.worksheets):
        merged = {}
        for cell_range in sheet.merged_cells.ranges:
            for r in range(cell_range.min_row, cell_range.max_row + 1):
                for c in range(cell_range.min_col, cell_range.max_col + 1):
                    if (r, c) != (cell_range.min_row, cell_range.min_col):
                        merged[(r, c)] = "v" if r > cell_range.min_row else "h"
        for r, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            texts = [_xlsx_text(v) for v in values]
            if not any(texts):
                continue
            filled = [t for t in texts if t]
            if len(filled) == 1 and not _has_table_above(blocks, index):
                blocks.append(Paragraph(filled[0]))   # a title line above the table
                continue
            cells = [Cell(t, hmerged=merged.get((r, c)) == "h", vmerged=merged.get((r, c)) == "v")
                     for c, t in enumerate(texts, start=1)]
            blocks.append(Row(cells, index))
    return blocks


def _has_table_above(blocks: list[Block], index: int) -> bool:
    return any(isinstance(b, Row) and b.table == index and sum(bool(c.text) for c in b.cells) > 1 for b in blocks)


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y") if value.time() == dt.time() else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- text --------------------------------------------------------------------------------
def read_text(data: bytes) -> list[Block]:
    if b"\x00" in data[:4096]:
        raise RoadmapImportError("Файл не похож на текст, DOCX или XLSX.")
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RoadmapImportError("Не удалось определить кодировку текстового файла (ожидается UTF-8 или Windows-1251).")
    blocks: list[Block] = []
    for line in text.splitlines():
        if "\t" in line:
            blocks.append(Row([Cell(part.strip()) for part in line.split("\t")], 0))
        elif line.strip():
            blocks.append(Paragraph(line.strip()))
    return blocks
