"""A file changes only what it covers (issue #17): for every import kind, a file with a subset of units
leaves every other unit's rows byte-identical (checksum per unit), as CSV and as XLSX; the preview's
counts are what the commit does; undo restores every table exactly; «файл полный для» removes only
the territory's rows the file lacks, and lists them first."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.importer import commit, prepare
from analytics.importer.changes import Territory, plan, undo
from analytics.importer.spec import kind as kind_spec
from tests.fixtures import migrated_copy
from tests.import_files import csv_bytes, xlsx_bytes

DATA_TABLES = ("schools", "results", "school_lists", "risk_profiles", "mentor_pairs", "kpi_targets",
               "teacher_development")


@pytest.fixture
def fresh(demo_db_path, tmp_path):
    yield from migrated_copy(demo_db_path, tmp_path / "scope.duckdb")


def unit_checksums(store, kind: str) -> dict[tuple, int]:
    """sum(hash(row)) of every unit of the kind's table (unit columns from spec.toml)."""
    spec = kind_spec(kind)
    unit = ", ".join(f'"{c}"' for c in spec.unit)
    rows = store.query_rows(f"SELECT {unit}, sum(hash(t::VARCHAR)), count(*) FROM {spec.table} t GROUP BY ALL")
    return {tuple(str(v) for v in row[:-2]): (row[-2], row[-1]) for row in rows}


def table_checksums(store) -> dict[str, tuple]:
    return {t: store.query_rows(f"SELECT count(*), sum(hash(x::VARCHAR)) FROM {t} x")[0] for t in DATA_TABLES}


# -- one subset file per kind, built from the demo region's own rows -------------------------------
def results_file(store):
    frame = store.query_df(
        "SELECT r.school_id, r.participants, r.n2, r.n3, r.n4, r.n5 FROM results r JOIN schools s USING (school_id) "
        "WHERE r.year = 2026 AND r.procedure = 'VPR' AND r.subject_id = 'math' AND r.grade = 5 "
        "AND s.municipality_id = '01-03' ORDER BY 1")
    rows = [[r.school_id, 2026, "ВПР", "Математика", 5, int(r.participants), int(r.n2), int(r.n3), int(r.n4),
             int(r.n5)] for r in frame.itertuples()]
    first = next(i for i, r in enumerate(rows) if r[7] > 0)
    rows[first][6] += 1
    rows[first][7] -= 1                               # one changed row; the rest unchanged
    header = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "«2»", "«3»", "«4»", "«5»"]
    return header, rows, {r[0] for r in rows}


def student_file(store):
    header = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Отметка"]
    rows = [["0100101", 2026, "ВПР", "Математика", "5А", m] for m in (2, 3, 4, 5, 5)]
    rows += [["0100102", 2026, "ВПР", "Русский язык", "5", m] for m in (3, 4)]
    return header, rows, {"0100101", "0100102"}


def lists_file(store):
    listed = store.scalar("SELECT min(school_id) FROM school_lists WHERE year = 2026 AND category = 'low_results'")
    other = store.scalar("SELECT min(school_id) FROM schools WHERE school_id NOT IN "
                         "(SELECT school_id FROM school_lists WHERE year = 2026 AND category = 'low_results')")
    return ["Год", "Категория", "Код ОО"], [[2026, "ШНОР", listed], [2026, "ШНОР", other]], {listed, other}


def risks_file(store):
    school = store.scalar("SELECT min(school_id) FROM risk_profiles WHERE year = 2026")
    return (["Код ОО", "Год", "Фактор риска", "Уровень риска"],
            [[school, 2026, "equipment", "высокий"], [school, 2026, "staff_shortage", "низкий"]], {school})


def pairs_file(store):
    mentee, mentor = store.query_rows("SELECT mentee_school_id, mentor_school_id FROM mentor_pairs WHERE year = 2026 "
                                      "ORDER BY 1 LIMIT 1")[0]
    new_mentor = store.scalar("SELECT min(school_id) FROM schools WHERE school_id NOT IN ($1, $2)", [mentee, mentor])
    return (["Год", "Школа-наставник", "Подшефная школа", "Дата соглашения"],
            [[2026, new_mentor, mentee, "01.09.2025"]], {mentee})


def targets_file(store):
    return (["Показатель", "Уровень", "Код территории", "Год", "Целевое значение от", "До"],
            [["list_reduction", "регион", "01", 2026, "20", "35"]], {"01"})


def teachers_file(store):
    school = store.scalar("SELECT min(school_id) FROM teacher_development WHERE year = 2026 AND round = 1")
    return (["Код ОО", "Год", "Этап", "Предмет", "Всего учителей", "Прошли диагностику", "С ИОМ", "Прошли курсы",
             "Консультации", "Наставничество"],
            [[school, 2026, 1, "Математика", 7, 6, 3, 2, 1, 0]], {school})


def schools_file(store):
    school = store.query_rows("SELECT school_id, municipality_id, name FROM schools ORDER BY 1 LIMIT 1")[0]
    return (["Код школы", "Муниципалитет", "Наименование", "Тип", "Местность"],
            [[school[0], school[1], school[2] + " имени Пушкина", "СОШ", "город"]], {school[0]})


FILES = {"results": results_file, "student_results": student_file, "school_lists": lists_file,
         "risk_profiles": risks_file, "mentor_pairs": pairs_file, "kpi_targets": targets_file,
         "teacher_development": teachers_file, "schools": schools_file}


def file_bytes(header, rows, form: str) -> tuple[str, bytes]:
    if form == "csv":
        return "f.csv", csv_bytes([header, *rows], encoding="cp1251")
    return "f.xlsx", xlsx_bytes([header, *[[str(v) for v in r] for r in rows]], text_columns=tuple(range(len(header))))


def _school_of_unit(kind: str, unit: tuple) -> str:
    spec = kind_spec(kind)
    return unit[list(spec.unit).index(spec.school)]


@pytest.mark.parametrize("form", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", list(FILES))
def test_a_subset_file_leaves_every_other_unit_byte_identical(fresh, kind, form):
    header, rows, schools = FILES[kind](fresh)
    name, data = file_bytes(header, rows, form)
    before_units = unit_checksums(fresh, kind)
    before_tables = table_checksums(fresh)
    prepared = prepare(fresh, kind, name, data, {"year": 2026})
    assert prepared.ok, prepared.issues.first().to_dict("records")
    preview = plan(fresh, prepared)
    outcome = commit(fresh, prepared, "тест")
    assert outcome.outcome == "success", outcome.message
    assert outcome.counts == preview.counts                          # the preview said what the commit did
    assert outcome.counts["new"] + outcome.counts["changed"] + outcome.counts["removed"] > 0
    after_units = unit_checksums(fresh, kind)
    touched = {u for u in set(before_units) | set(after_units) if _school_of_unit(kind, u) in schools}
    assert touched, "the file's own units exist"
    others_before = {u: v for u, v in before_units.items() if u not in touched}
    others_after = {u: v for u, v in after_units.items() if u not in touched}
    assert others_after == others_before
    assert any(before_units.get(u) != after_units.get(u) for u in touched)     # the comparison can fail
    table = kind_spec(kind).table
    for other in DATA_TABLES:
        if other != table:
            assert table_checksums(fresh)[other] == before_tables[other], other
    # Undo restores the table exactly.
    undo(fresh, outcome.import_id, "тест")
    assert table_checksums(fresh) == before_tables


def test_the_issue_case_one_municipality_keeps_the_region(fresh):
    """A municipality's ВПР file: the region's other municipalities keep N and share of «2»."""
    header, rows, _ = results_file(fresh)
    figures = ("SELECT s.municipality_id, sum(r.participants), sum(r.n2) FROM results r JOIN schools s USING (school_id) "
               "WHERE r.year = 2026 AND r.procedure = 'VPR' AND r.subject_id = 'math' AND r.grade = 5 GROUP BY 1 "
               "ORDER BY 1")
    before = dict((m, (n, n2)) for m, n, n2 in fresh.query_rows(figures))
    outcome = commit(fresh, prepare(fresh, "results", "mo.csv", csv_bytes([header, *rows])), "тест")
    assert outcome.counts == {"new": 0, "changed": 1, "unchanged": len(rows) - 1, "removed": 0}
    after = dict((m, (n, n2)) for m, n, n2 in fresh.query_rows(figures))
    assert {m: v for m, v in after.items() if m != "01-03"} == {m: v for m, v in before.items() if m != "01-03"}
    assert after["01-03"] == (before["01-03"][0], before["01-03"][1] + 1)


def test_complete_for_a_municipality_removes_only_its_absent_schools(fresh):
    header, rows, _ = results_file(fresh)
    dropped = rows[-1][0]
    rows = rows[:-1]
    prepared = prepare(fresh, "results", "mo.csv", csv_bytes([header, *rows]))
    default = plan(fresh, prepared)
    assert default.counts["removed"] == 0 and default.untouched == 1          # said, not removed
    before = unit_checksums(fresh, "results")
    territory = Territory.parse(fresh, "01-03")
    complete = plan(fresh, prepared, territory)
    removed = complete.rows[complete.rows["_status"] == "removed"]
    assert removed["_school"].tolist() == [dropped]                          # listed by school before removing
    assert [w for w in complete.warnings if w["code"] == "loses_rows"] == [
        {"code": "loses_rows", "school": dropped, "count": 1}]
    outcome = commit(fresh, prepared, "тест", territory=territory)
    assert outcome.counts == complete.counts
    after = unit_checksums(fresh, "results")
    gone = set(before) - set(after)
    assert gone == {(dropped, "2026", "VPR", "math", "5")}
    assert {u: v for u, v in after.items() if u[0] != rows[0][0]} == {
        u: v for u, v in before.items() if u not in gone and u[0] != rows[0][0]}


def test_complete_for_a_region_removes_the_other_municipalities_absent_rows(fresh):
    header, rows, _ = results_file(fresh)
    prepared = prepare(fresh, "results", "mo.csv", csv_bytes([header, *rows]))
    whole = fresh.scalar("SELECT count(*) FROM results WHERE year = 2026 AND procedure = 'VPR' "
                         "AND subject_id = 'math' AND grade = 5")
    region = plan(fresh, prepared, Territory.parse(fresh, "region:01"))
    assert region.counts["removed"] == whole - len(rows)      # the old behaviour, now an explicit choice


def test_a_partial_registry_file_keeps_what_it_does_not_carry(fresh):
    school = fresh.query_rows("SELECT school_id, municipality_id, name, short_name, students, teachers, lat, lon, "
                              "social_index FROM schools ORDER BY 1 LIMIT 1")[0]
    data = csv_bytes([["Код школы", "Муниципалитет", "Наименование", "Тип", "Местность"],
                      [school[0], school[1], "Новое имя", "СОШ", "город"]])
    outcome = commit(fresh, prepare(fresh, "schools", "s.csv", data), "тест")
    assert outcome.counts["changed"] == 1
    stored = fresh.query_rows("SELECT school_id, municipality_id, name, short_name, students, teachers, lat, lon, "
                              "social_index FROM schools WHERE school_id = $1", [school[0]])[0]
    assert stored == (school[0], school[1], "Новое имя", *school[3:])


def test_pairs_replace_only_the_mentee_schools_pairs(fresh):
    header, rows, schools = pairs_file(fresh)
    mentee = next(iter(schools))
    others = ("SELECT * FROM mentor_pairs WHERE NOT (year = 2026 AND mentee_school_id = $1) ORDER BY pair_id")
    before, count = fresh.query_rows(others, [mentee]), fresh.scalar("SELECT count(*) FROM mentor_pairs")
    outcome = commit(fresh, prepare(fresh, "mentor_pairs", "p.csv", csv_bytes([header, *rows])), "тест")
    assert outcome.counts == {"new": 1, "changed": 0, "unchanged": 0, "removed": 1}
    assert fresh.query_rows(others, [mentee]) == before
    assert fresh.scalar("SELECT count(*) FROM mentor_pairs") == count
    assert fresh.query_rows("SELECT mentor_school_id, source, created_by FROM mentor_pairs WHERE year = 2026 "
                            "AND mentee_school_id = $1", [mentee]) == [(rows[0][1], "official", "тест")]
