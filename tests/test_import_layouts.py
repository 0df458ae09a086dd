"""Real XLSX layouts (issue #17): a title row above a merged two-row header, percentage groups under a
merged caption («Распределение групп баллов в %» over 2 / 3 / 4 / 5) read exactly like the CSV
equivalent; a file without a year / procedure column says how to give them."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.importer import prepare
from tests.fixtures import migrated_copy
from tests.import_files import csv_bytes, xlsx_bytes
from presentation.import_report import report_frame

TITLE = ["Результаты ВПР 2026. Математика, 5 класс. Сергиевский муниципальный район"] + [None] * 8
TOP = ["Код ОО", "Наименование ОО", "Предмет", "Класс", "Кол-во участников", "Распределение групп баллов в %",
       None, None, None]
SUB = [None, None, None, None, None, "2", "3", "4", "5"]
ROWS = [["0100101", "ЦО № 1 (Сергиево)", "Математика", 5, 41, 22.0, 43.9, 31.7, 2.4],
        ["0100102", "СОШ № 2 (Сергиево)", "Математика", 5, 61, 29.51, 37.7, 24.59, 8.2]]
TOTAL = ["Итого", None, None, None, 102, None, None, None, None]
# 41 × 22 % = 9.02 → 9; 41 × 43.9 % = 18.0 → 18; 41 × 31.7 % = 13.0 → 13; 41 × 2.4 % = 0.98 → 1 (sum 41)
EXPECTED = [["0100101", 41, 9, 18, 13, 1], ["0100102", 61, 18, 23, 15, 5]]
OPTIONS = {"year": 2026, "procedure": "VPR"}


@pytest.fixture(scope="module")
def store(demo_db_path, tmp_path_factory):
    yield from migrated_copy(demo_db_path, tmp_path_factory.mktemp("layouts") / "db.duckdb")


def _counts(prepared) -> list[list]:
    assert prepared.ok, prepared.issues.first().to_dict("records")
    frame = prepared.frame[["school_id", "participants", "n2", "n3", "n4", "n5"]]
    return [[v if isinstance(v, str) else int(v) for v in row] for row in frame.itertuples(index=False)]


MERGED = ["A1:I1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:I2"]
LAYOUTS = {
    "csv_two_row_header": lambda: csv_bytes([TITLE, TOP, SUB, *ROWS, TOTAL], encoding="cp1251"),
    "xlsx_every_header_cell_merged": lambda: xlsx_bytes([TITLE, TOP, SUB, *ROWS, TOTAL], merges=MERGED,
                                                        text_columns=(0,)),
    "xlsx_only_the_caption_merged": lambda: xlsx_bytes([TITLE, TOP, SUB, *ROWS, TOTAL], merges=["A1:I1", "F2:I2"],
                                                       text_columns=(0,)),
    "xlsx_percent_cells_as_fractions": lambda: xlsx_bytes(
        [TITLE, TOP, SUB, *[r[:5] + [v / 100 for v in r[5:]] for r in ROWS], TOTAL], merges=MERGED,
        text_columns=(0,)),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_percentage_groups_under_a_merged_caption_read_like_the_csv(store, layout):
    name = "mo.csv" if layout.startswith("csv") else "mo.xlsx"
    prepared = prepare(store, "results", name, LAYOUTS[layout](), OPTIONS)
    assert _counts(prepared) == EXPECTED
    assert prepared.header.rows == [2, 3] and prepared.skipped_totals == 1
    assert set(prepared.share_scales) == {"marks"}


def test_a_file_without_year_and_procedure_says_how_to_give_them(store):
    prepared = prepare(store, "results", "mo.xlsx", LAYOUTS["xlsx_every_header_cell_merged"]())
    assert not prepared.ok
    messages = " ".join(report_frame(prepared)["Ошибка"])
    assert "нет столбца «Год»" in messages and "--year" in messages and "«Год» над загрузкой файла" in messages
    assert "нет столбца «Процедура»" in messages and "--procedure" in messages
    assert pd.Series([c for c, _ in prepared.issues.file_level]).tolist() == ["missing_default"] * 2
