"""Render a report model (presentation.report.model) as a DOCX document with python-docx.

Layout of an official note: A4, Times New Roman 12 pt, justified paragraphs with a first-line
indent, numbered headings (Word's «Heading 1» style, so the navigation pane works), tables
with a caption above and a repeated header row, figures with a caption below, page numbers.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from presentation.report.model import Figure, Heading, Paragraph, Report, Table
from presentation.i18n import text

FONT = "Times New Roman"
BODY_PT, TABLE_PT, NOTE_PT = 12, 10, 10
TEXT_WIDTH_CM = 17.0
FIGURE_WIDTH_CM = 16.5
HEADER_FILL = "D9E2F3"
STATUS_FILL = {"achieved": "D9F2EA", "at_risk": "FBECCC", "not_achieved": "F7DCCC", "no_data": "EEEEEE"}
GREY = RGBColor(0x55, 0x55, 0x55)


def _set_font(run, size: float | None = None, bold: bool | None = None, italic: bool | None = None,
              colour: RGBColor | None = None) -> None:
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic
    if colour is not None:
        run.font.color.rgb = colour


def _styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1
    for name, size in (("Heading 1", 14), ("Heading 2", 12)):
        style = document.styles[name]
        style.font.name, style.font.size, style.font.bold = FONT, Pt(size), True
        style.font.color.rgb = RGBColor(0, 0, 0)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
        fonts.set(qn("w:eastAsia"), FONT)
        style.paragraph_format.space_before = Pt(14)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True


def _page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run()
    for kind, value in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = value
        run._r.append(element)
    _set_font(run, NOTE_PT)


def _shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def _cant_split(row) -> None:
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _cell_text(cell, value: str, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    _set_font(paragraph.add_run(str(value)), TABLE_PT, bold=bold)


def _caption(document, label: str, align=WD_ALIGN_PARAGRAPH.LEFT, keep_with_next: bool = True) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.keep_with_next = keep_with_next
    paragraph.paragraph_format.space_before = Pt(6)
    _set_font(paragraph.add_run(label), BODY_PT - 1, italic=True)


def _table(document, block: Table, number: int, language: str) -> None:
    _caption(document, text(language, "report.table_caption", number=number, caption=block.caption))
    table = document.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    numeric = block.numeric or [False] * len(block.columns)
    widths = block.widths or [1.0] * len(block.columns)
    total = sum(widths)
    widths_cm = [Cm(TEXT_WIDTH_CM * x / total) for x in widths]
    header = table.rows[0]
    _repeat_header(header)
    for k, (cell, name) in enumerate(zip(header.cells, block.columns)):
        _cell_text(cell, name, bold=True)
        _shade(cell, HEADER_FILL)
    for r, values in enumerate(block.rows):
        row = table.add_row()
        _cant_split(row)
        for k, (cell, value) in enumerate(zip(row.cells, values)):
            _cell_text(cell, value, right=numeric[k])
        status = block.statuses[r] if block.statuses else None
        if status in STATUS_FILL:
            _shade(row.cells[-1], STATUS_FILL[status])
    table.autofit = False
    for column, width in zip(table.columns, widths_cm):
        column.width = width  # the grid LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = width  # the cell widths Word reads
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_after = Pt(2)


def _figure(document, block: Figure, number: int, language: str, note: str) -> None:
    if block.png is None:
        paragraph = document.add_paragraph()
        _set_font(paragraph.add_run(text(language, "report.figure_missing", caption=block.caption, note=note)),
                  NOTE_PT, italic=True, colour=GREY)
        return
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.add_run().add_picture(io.BytesIO(block.png), width=Cm(FIGURE_WIDTH_CM))
    _caption(document, text(language, "report.figure_caption", number=number, caption=block.caption),
             align=WD_ALIGN_PARAGRAPH.CENTER, keep_with_next=False)


def render(report: Report, language: str = "ru") -> bytes:
    """The DOCX file as bytes."""
    document = Document()
    _styles(document)
    _page_setup(document)
    document.core_properties.title = report.title
    document.core_properties.author = text(language, "app.short_name")
    document.core_properties.language = language

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(title.add_run(report.title), 16, bold=True)
    for line in report.subtitle:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(2)
        _set_font(paragraph.add_run(line), BODY_PT)
    figures = report.of_type(Figure)
    if figures and all(f.png is None for f in figures):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(paragraph.add_run(report.chart_note), NOTE_PT, italic=True, colour=GREY)

    tables = figures_seen = 0
    for block in report.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            if block.kind == "bullet":
                paragraph = document.add_paragraph(style="List Bullet")
                paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                _set_font(paragraph.add_run(block.text), BODY_PT)
            elif block.kind == "note":
                paragraph = document.add_paragraph()
                _set_font(paragraph.add_run(block.text), NOTE_PT, italic=True, colour=GREY)
            else:
                paragraph = document.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                paragraph.paragraph_format.first_line_indent = Cm(1.25)
                _set_font(paragraph.add_run(block.text), BODY_PT)
        elif isinstance(block, Table):
            tables += 1
            _table(document, block, tables, language)
        elif isinstance(block, Figure):
            figures_seen += 1
            _figure(document, block, figures_seen, language, report.chart_note)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = ["render"]
