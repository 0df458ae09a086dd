"""Downloadable XLSX templates: the headers of a kind, one example row, a notes sheet."""
from __future__ import annotations

import io

from analytics.importer.spec import kind as kind_spec

DEFAULT_LABELS = {
    "data_sheet": "Данные", "notes_sheet": "Пояснения", "column": "Столбец", "required": "Обязательный",
    "what": "Что вписать", "synonyms": "Другие допустимые названия", "yes": "да", "no": "нет",
    "about": "О файле",
}


def template_columns(kind: str) -> list:
    """Columns shown in the template: everything stored or used, not the personal ones."""
    spec = kind_spec(kind)
    return [c for c in spec.columns if c.type not in ("ignore",) and not c.name.startswith("_")
            and (c.share_of is None)]


def template_xlsx(kind: str, labels: dict | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    labels = {**DEFAULT_LABELS, **(labels or {})}
    spec = kind_spec(kind)
    columns = template_columns(kind)
    book = Workbook()
    data = book.active
    data.title = labels["data_sheet"]
    data.append([c.title for c in columns])
    data.append([spec.example.get(c.name, "") for c in columns])
    for cell in data[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F5FA8")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in data[2]:
        cell.number_format = "@"     # text: codes keep their leading zeros
    for index, column in enumerate(columns, start=1):
        data.column_dimensions[data.cell(1, index).column_letter].width = max(14, min(40, len(column.title) + 4))
    data.freeze_panes = "A2"

    notes = book.create_sheet(labels["notes_sheet"])
    if spec.note:
        notes.append([labels["about"], spec.note])
        notes.append([])
    notes.append([labels["column"], labels["required"], labels["what"], labels["synonyms"]])
    header_row = notes.max_row
    for cell in notes[header_row]:
        cell.font = Font(bold=True)
    for column in columns:
        notes.append([column.title, labels["yes"] if column.required else labels["no"], column.note,
                      ", ".join(column.synonyms[1:])])
    for letter, width in zip("ABCD", (34, 14, 70, 70)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
