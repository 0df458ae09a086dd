"""Table downloads: formula injection neutralised in CSV and XLSX; numbers, also negative, stay numbers."""
import io

import openpyxl
import pandas as pd
import pytest

from ui.export import neutral_text, neutralise_formulas, to_csv_bytes, to_xlsx_bytes


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+7(999)123", "'+7(999)123"), ("1 234", "1 234"), ("-A1", "'-A1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=cmd", "'\t=cmd"), ("\r=cmd", "'\r=cmd"), ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("-5", "-5"), ("-3,2", "-3,2"), ("+12.5", "+12.5"), ("школа", "школа"), ("", ""), (None, None), (-7, -7),
])
def test_neutral_text(value, expected):
    assert neutral_text(value) == expected


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Школа": ["=cmd|' /C calc'!A0", "СОШ № 1"], "Изменение": [-5, 3], "Доля": [-0.25, 0.5],
        "Категория": pd.Categorical(["@x", "ok"]), "Текст": pd.array(["+1+1", "-"], dtype="string"),
        "=Заголовок": [1, 2],
    })


def test_csv_is_utf8_with_bom_semicolon_and_neutral():
    data = to_csv_bytes(_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Школа;Изменение;Доля;Категория;Текст;'=Заголовок"
    assert lines[1] == "'=cmd|' /C calc'!A0;-5;-0,25;'@x;'+1+1;1"
    assert lines[2] == "СОШ № 1;3;0,5;ok;-;2"


def test_xlsx_has_no_formulas_and_keeps_negative_numbers():
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(_frame()))).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0"
    assert (sheet["B2"].value, sheet["B2"].data_type) == (-5, "n")
    assert (sheet["C2"].value, sheet["C2"].data_type) == (-0.25, "n")
    assert sheet["F1"].value == "'=Заголовок"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


def test_the_original_frame_is_not_changed():
    frame = _frame()
    neutralise_formulas(frame)
    assert frame.iloc[0, 0].startswith("=")
