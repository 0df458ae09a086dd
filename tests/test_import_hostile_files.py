"""Hostile files stay harmless (issue #17): reading is bounded before parsing — line length, columns,
cells, the real unpacked size and the expanded text of an XLSX — and each limit answers in Russian;
encodings are named (KOI8-R and UTF-16 without BOM are read, mixed UTF-8 / Windows-1251 is refused with
its line); data on hidden sheets is never imported silently. Import messages use Russian plurals."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from analytics.importer import bounds, commit, log_rejected, prepare
from tests.fixtures import migrated_copy
from tests.import_files import csv_bytes
from presentation.import_preview import count, errors_text
from presentation.import_report import more_text, report_frame

HEADER = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "2", "3", "4", "5"]
ROW = ["0100001", 2026, "ВПР", "Математика", 5, 10, 1, 2, 3, 4]
TEXT = "\r\n".join(";".join(map(str, r)) for r in (HEADER, ROW)) + "\r\n"


@pytest.fixture(scope="module")
def store(demo_db_path, tmp_path_factory):
    yield from migrated_copy(demo_db_path, tmp_path_factory.mktemp("hostile_files") / "db.duckdb")


def _messages(prepared) -> str:
    assert not prepared.ok
    return " ".join(report_frame(prepared)["Ошибка"])


def _book(*sheets: tuple[str, str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, state, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding, label", [("koi8_r", "KOI8-R"), ("utf-16-le", "UTF-16 без BOM"),
                                             ("utf-16-be", "UTF-16 без BOM")])
def test_other_encodings_are_read_and_named(store, encoding, label):
    prepared = prepare(store, "results", "f.csv", TEXT.encode(encoding))
    assert prepared.ok, prepared.issues.first().to_dict("records")
    assert prepared.encoding == label
    assert prepared.frame.loc[0, ["school_id", "subject_id", "n2"]].tolist() == ["0100001", "math", 1]


def test_mixed_utf8_and_cp1251_is_refused_naming_the_line(store):
    data = TEXT.encode("utf-8") + "0100002;2026;ВПР;Математика;5;10;1;2;3;4\r\n".encode("cp1251")
    assert "смешаны кодировки" in _messages(prepare(store, "results", "f.csv", data))
    assert "строка 3" in _messages(prepare(store, "results", "f.csv", data))


def test_a_line_longer_than_the_field_limit(store):
    data = (TEXT + "x" * 200_000 + "\r\n").encode()
    assert "Строка 3 занимает 195 КБ — больше допустимых 128 КБ" in _messages(prepare(store, "results", "f.csv", data))


def test_a_hundred_thousand_columns(store):
    data = (";".join(["a"] * 100_000) + "\n" + TEXT).encode()
    assert "В файле 100000 столбцов — больше допустимых 1000" in _messages(prepare(store, "results", "f.csv", data))


def test_too_many_cells(store, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_CELLS", 15)
    assert "ячеек — больше допустимых 15" in _messages(prepare(store, "results", "f.csv", TEXT.encode()))


def test_one_cell_far_away_in_a_tiny_xlsx(store):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(ROW)
    sheet["XFD1048576"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(buffer.getvalue()) < 10_000
    assert "ячейка XFD1048576 — далеко за пределами таблицы" in _messages(
        prepare(store, "results", "f.xlsx", buffer.getvalue()))


def _with_shared_strings(data: bytes, rows: int, text: str) -> bytes:
    """The book with its sheet replaced by ``rows`` × 10 cells all showing one shared string."""
    body = "".join(f'<row r="{i}">' + "".join(f'<c r="{c}{i}" t="s"><v>0</v></c>' for c in "ABCDEFGHIJ") + "</row>"
                   for i in range(1, rows + 1))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = f'<worksheet xmlns="{main}"><sheetData>{body}</sheetData></worksheet>'
    strings = f'<sst xmlns="{main}" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>'
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name.endswith("sheet1.xml"):
                content = sheet.encode()
            elif name == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                          b'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings'
                                          b'+xml"/></Types>')
            elif name == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/'
                                          b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"'
                                          b' Id="rId99"/></Relationships>')
            target.writestr(name, content)
        target.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def test_shared_strings_that_expand_without_bound(store):
    data = _with_shared_strings(_book(("Лист1", "visible", [HEADER, ROW])), 20_000, "Я" * 30_000)
    assert len(data) < 1_000_000            # 6 000 million characters once expanded
    assert "превышает 200 млн знаков" in _messages(prepare(store, "results", "f.xlsx", data))


def test_a_cell_longer_than_excel_allows(store):
    data = _with_shared_strings(_book(("Лист1", "visible", [HEADER, ROW])), 2, "Я" * 40_000)
    assert "ячейка с текстом из 40000 знаков" in _messages(prepare(store, "results", "f.xlsx", data))


def test_the_real_unpacked_size_is_counted(store, monkeypatch):
    data = _book(("Лист1", "visible", [HEADER, ROW] + [ROW] * 2000))
    monkeypatch.setattr(bounds, "MAX_XLSX_PART_BYTES", 50_000)
    assert "в распакованном виде" in _messages(prepare(store, "results", "f.xlsx", data))


def test_data_on_a_hidden_sheet_is_said_never_imported_silently(store):
    both = prepare(store, "results", "f.xlsx", _book(("Данные", "visible", [HEADER, ROW]),
                                                     ("Старое", "hidden", [HEADER, ROW, ROW])))
    assert both.ok and both.sheet == "Данные" and both.source_rows == 1
    assert both.notes == [("hidden_sheet", {"sheet": "Старое"})]
    only = prepare(store, "results", "f.xlsx", _book(("Пусто", "visible", []), ("Данные", "hidden", [HEADER, ROW])))
    assert "Данные есть только на скрытых листах («Данные»)" in _messages(only)


def test_russian_plural_forms_in_import_messages(store):
    assert [errors_text(n, "ru") for n in (1, 2, 5, 21, 111)] == [
        "1\u00a0ошибка", "2\u00a0ошибки", "5\u00a0ошибок", "21\u00a0ошибка", "111\u00a0ошибок"]
    assert count(3, "row", "ru") == "3\u00a0строки"
    rows = [["0100001", 2026, "ВПР", "Математика", 12, 10, 1, 2, 3, 4], ROW]
    prepared = prepare(store, "results", "f.csv", csv_bytes([HEADER, *rows]))
    assert prepared.issues.total == 1
    assert log_rejected(store, prepared, "тест").message.startswith("1 ошибка:")
    assert more_text(prepared, limit=0) == "…и ещё 1 ошибка (показаны первые 0)"
    two = prepare(store, "results", "f.csv", csv_bytes([HEADER, *(rows[:1] * 2)]))
    assert commit(store, two, "тест").message.startswith("3 ошибки:")      # two grades, one repeat
