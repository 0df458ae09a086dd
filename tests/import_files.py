"""Builders of test files for the importer: CSV in any encoding/separator, XLSX with merged headers."""
from __future__ import annotations

import io

from openpyxl import Workbook


def csv_bytes(rows: list[list], sep: str = ";", encoding: str = "utf-8", decimal: str = ",", bom: bool = False,
              quote_all: bool = False) -> bytes:
    lines = []
    for row in rows:
        cells = []
        for value in row:
            text = "" if value is None else (str(value).replace(".", decimal) if isinstance(value, float) else str(value))
            if quote_all or sep in text or '"' in text:
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(sep.join(cells))
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list], merges: list[str] = (), text_columns: tuple[int, ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Результаты"
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    for column in text_columns:
        for cell in list(sheet.columns)[column]:
            cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
