"""Saving an imported roadmap: all or nothing, execution units in the status-tracking model."""
import datetime as dt

import pandas as pd
import pytest

from analytics.roadmap_import import Period, parse_document
from analytics.roadmap_import import save as save_module
from analytics.roadmap_import.edit import measures_from_frame, preview_frame, with_period
from analytics.roadmap_import.save import SaveError, save_roadmap, unit_count
from tests.roadmap_fixtures import text_roadmap

TABLES = ("roadmaps", "measures", "measure_schools", "measure_status")


@pytest.fixture
def store(empty_store):
    cur = empty_store.cursor()
    cur.execute("INSERT INTO regions VALUES ('77', 'Тестовая область', FALSE, NULL)")
    cur.execute("INSERT INTO municipalities VALUES ('77-01', '77', 'Первый район', 'district', NULL, NULL, NULL)")
    cur.execute("INSERT INTO schools VALUES ('770001', '77-01', 'Школа № 1', 'Школа 1', 'sosh', TRUE, 100, 10, "
                "NULL, NULL, 0.5)")
    empty_store.bump_data_version()
    return empty_store


def counts(store):
    return {t: store.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}


def test_school_roadmap_is_saved_with_its_units(store):
    parsed = parse_document(text_roadmap(), "карта.txt")
    before = store.data_version()
    roadmap_id = save_roadmap(store, title=parsed.title, period=parsed.period, measures=parsed.measures,
                              level="school", school_id="770001", user="методист", file_name="карта.txt")
    row = store.query_rows("SELECT level, region_id, municipality_id, school_id, period_start, period_end, source "
                           "FROM roadmaps WHERE roadmap_id = ?", [roadmap_id])[0]
    assert row == ("school", "77", "77-01", "770001", dt.date(2023, 1, 1), dt.date(2023, 12, 31), "import")
    # Units by hand: 1.1 period → 1, 1.2 two dates → 2, 2.1 every Tuesday of 2023 → 52,
    # 2.2 period → 1, 2.3 unspecified → once at the end of the period → 1.
    assert counts(store) == {"roadmaps": 1, "measures": 5, "measure_schools": 5, "measure_status": 57}
    per_measure = dict(store.query_rows("SELECT me.number, count(*) FROM measure_status u JOIN measures me "
                                        "USING (measure_id) GROUP BY 1"))
    assert per_measure == {"1.1": 1, "1.2": 2, "2.1": 52, "2.2": 1, "2.3": 1}
    assert store.query_rows("SELECT DISTINCT status, school_id, version FROM measure_status") == [
        ("not_started", "770001", 1)]
    assert store.scalar("SELECT due_date FROM measure_status u JOIN measures me USING (measure_id) "
                        "WHERE me.number = '2.3'") == dt.date(2023, 12, 31)
    measure = store.query_rows("SELECT executors, deadline_text, schedule_kind, due_dates FROM measures "
                               "WHERE number = '1.2'")[0]
    assert measure == (["ЦОКО", "ИМЦ"], "30.06.2023, 30.11.2023", "dates", [dt.date(2023, 6, 30),
                                                                            dt.date(2023, 11, 30)])
    assert store.data_version() != before
    assert store.query_rows("SELECT outcome, rows, user_name FROM import_log") == [("success", 5, "методист")]
    assert unit_count(store, parsed.measures, parsed.period) == 57


def test_continuous_measures_are_checked_at_the_stored_checkpoints(store):
    store.cursor().execute("INSERT INTO checkpoints VALUES (NULL, DATE '2023-04-15', 0.3, 'апрель'), "
                           "(NULL, DATE '2024-04-15', 0.3, 'другой год')")
    text = "№\tМероприятие\tСрок\tОтветственные\n1\tКонсультации\tпостоянно\tИМЦ\n".encode("utf-8")
    parsed = parse_document(text, "к.txt", default_year=2023)
    save_roadmap(store, title="Карта", period=parsed.period, measures=parsed.measures, level="region", region_id="77")
    assert store.query_rows("SELECT school_id, due_date FROM measure_status ORDER BY due_date") == [
        (None, dt.date(2023, 4, 15)), (None, dt.date(2023, 12, 31))]
    assert store.scalar("SELECT count(*) FROM measure_schools") == 0


def test_ids_follow_rows_inserted_without_the_sequences(store):
    # The demo generator writes explicit ids, so the sequences cannot be trusted.
    store.cursor().execute("INSERT INTO roadmaps VALUES (7, 'region', '77', NULL, NULL, 'Старая', DATE '2022-01-01', "
                           "DATE '2022-12-31', 'demo')")
    store.cursor().execute("INSERT INTO measures (measure_id, roadmap_id, number, title, schedule_kind) "
                           "VALUES (40, 7, '1', 'Старое', 'dates')")
    store.cursor().execute("INSERT INTO measure_status (unit_id, measure_id, status) VALUES (90, 40, 'done')")
    parsed = parse_document(text_roadmap(), "карта.txt")
    roadmap_id = save_roadmap(store, title=parsed.title, period=parsed.period, measures=parsed.measures,
                              level="municipality", municipality_id="77-01")
    assert roadmap_id == 8
    assert store.scalar("SELECT min(measure_id) FROM measures WHERE roadmap_id = 8") == 41
    assert store.scalar("SELECT min(unit_id) FROM measure_status WHERE unit_id <> 90") == 91


def test_a_failure_mid_save_leaves_the_data_unchanged(store, monkeypatch):
    parsed = parse_document(text_roadmap(), "карта.txt")
    before, version = counts(store), store.data_version()

    def broken(cur, units):
        raise RuntimeError("диск переполнен")

    monkeypatch.setattr(save_module, "_insert_units", broken)
    with pytest.raises(RuntimeError, match="диск переполнен"):
        save_roadmap(store, title=parsed.title, period=parsed.period, measures=parsed.measures, level="school",
                     school_id="770001")
    assert counts(store) == before
    assert store.data_version() == version
    assert store.query_rows("SELECT outcome, message FROM import_log") == [("failed", "диск переполнен")]


@pytest.mark.parametrize("kwargs, message", [
    (dict(level="school", school_id="нет"), "школа не найдена"),
    (dict(level="municipality", municipality_id="99-99"), "муниципалитет не найден"),
    (dict(level="planet"), "неизвестный уровень"),
    (dict(level="region", region_id="77", title=" "), "название"),
    (dict(level="region", region_id="77", measures=[]), "нет ни одного"),
])
def test_invalid_saves_are_refused_before_writing(store, kwargs, message):
    parsed = parse_document(text_roadmap(), "карта.txt")
    arguments = dict(title=parsed.title, period=parsed.period, measures=parsed.measures) | kwargs
    with pytest.raises(SaveError, match=message):
        save_roadmap(store, **arguments)
    assert counts(store) == {t: 0 for t in TABLES}


def test_edits_in_the_preview_are_applied():
    parsed = parse_document(text_roadmap(), "карта.txt")
    original = preview_frame(parsed)
    edited = original.copy()
    edited.loc[0, "deadline_text"] = "ноябрь"                  # changed text: read again
    edited.loc[1, "due_dates"] = "01.07.2023, 01.12.2023"       # changed dates: taken as they are
    edited.loc[2, "title"] = "Методический десант (выезд)"
    edited.loc[3, "executors"] = "ИМЦ; РОО; ИРО"
    measures = measures_from_frame(edited, original, parsed.period)
    assert measures[0].schedule.due_dates == [dt.date(2023, 11, 30)]
    assert measures[1].schedule.due_dates == [dt.date(2023, 7, 1), dt.date(2023, 12, 1)]
    assert measures[2].title == "Методический десант (выезд)"
    assert measures[3].executors == ["ИМЦ", "РОО", "ИРО"]
    added = pd.concat([edited, pd.DataFrame([dict(number="3.1", title="Новое", deadline_text="декабрь")])],
                      ignore_index=True)
    assert measures_from_frame(added, original, parsed.period)[-1].schedule.due_dates == [dt.date(2023, 12, 31)]


@pytest.mark.parametrize("column, value, message", [
    ("due_dates", "30 июня", "ДД.ММ.ГГГГ"),
    ("number", "1.1", "номера повторяются"),
    ("title", "", "нет названия"),
    ("kind", "сразу", "не из списка"),
])
def test_bad_edits_are_reported(column, value, message):
    parsed = parse_document(text_roadmap(), "карта.txt")
    original = preview_frame(parsed)
    edited = original.copy()
    edited.loc[1, column] = value
    with pytest.raises(ValueError, match=message):
        measures_from_frame(edited, original, parsed.period)


def test_another_period_re_reads_month_deadlines():
    text = "№\tМероприятие\tСрок\tОтветственные\n1\tСовещание\tмарт\tРОО\n".encode("utf-8")
    parsed = parse_document(text, "к.txt", default_year=2023)
    moved = with_period(parsed, Period(dt.date(2024, 9, 1), dt.date(2025, 8, 31)))
    assert moved.measures[0].schedule.due_dates == [dt.date(2025, 3, 31)]


def test_a_file_import_after_a_roadmap_save_gets_a_new_journal_id(store):
    """The roadmap's journal line took max(import_id) + 1 while file imports take import_seq:
    the next file import then failed on a duplicate id."""
    from analytics.importer.import_log import LOG_RETURNING
    parsed = parse_document(text_roadmap(), "карта.txt")
    first = store.query_rows(LOG_RETURNING, [dt.datetime(2026, 1, 1), None, "админ", "a.csv", "results", 1,
                                             "success", ""])[0][0]
    save_roadmap(store, title=parsed.title, period=parsed.period, measures=parsed.measures,
                 level="school", school_id="770001", user="методист", file_name="карта.txt")
    after = store.query_rows(LOG_RETURNING, [dt.datetime(2026, 1, 2), None, "админ", "b.csv", "results", 1,
                                             "success", ""])[0][0]
    ids = [r[0] for r in store.query_rows("SELECT import_id FROM import_log ORDER BY import_id")]
    assert len(ids) == 3 == len(set(ids)) and after > first


def test_the_migration_moves_the_journal_sequence_past_taken_ids(store):
    """A database a roadmap save wrote before the fix: the sequence behind max(import_id)."""
    from analytics.store import MIGRATIONS_DIR
    store.cursor().execute("INSERT INTO import_log (import_id, started_at, kind, rows, outcome) "
                           "VALUES (40, TIMESTAMP '2026-01-01', 'roadmap', 1, 'success')")
    store.cursor().execute((MIGRATIONS_DIR / "018_import_ids_after_roadmaps.sql").read_text(encoding="utf-8"))
    assert store.scalar("SELECT nextval('import_seq')") > 40
