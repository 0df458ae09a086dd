"""Roadmap completion on a hand-made roadmap where every number was computed by hand.

Units (measure × school × due date), year 2026:

 id measure         school due    reported          state on 22.11
  1 M1 dated        —      31.03  done 20.03        done (on time)
  2 M2 quarterly    —      31.03  done 10.04        done late
  3 M2              —      30.06  done 30.06        done (on the day)
  4 M2              —      30.09  in progress       overdue (53 days)
  5 M2              —      31.12  not started       not started
  6 M3 continuous   s1     30.06  done 15.06        done
  7 M3              s1     30.11  done 20.11        done (early)
  8 M3              s1     31.12  not started       not started
  9 M3              s2     30.06  not applicable    left out
 10 M3              s2     30.11  in progress       in progress
 11 M3              s2     31.12  in progress       in progress
 12 M4 dated        s3     31.05  done 15.07        done late
"""
import datetime as dt

import pandas as pd
import pytest

from analytics import completion
from analytics import roadmaps as rm
from analytics.schedules import assessment_dates
from analytics.store import insert_df
from tests.fixtures import add_region

D = dt.date
TODAY = D(2026, 11, 22)
YEAR_START, YEAR_END = D(2026, 1, 1), D(2026, 12, 31)
DEFAULT_POINTS = [D(2026, 6, 30), D(2026, 11, 30)]


@pytest.fixture
def plan(empty_store):
    cur = empty_store.cursor()
    add_region(cur, {"s1": "A", "s2": "A", "s3": "B"})
    insert_df(cur, "roadmaps", pd.DataFrame({
        "roadmap_id": [1, 2, 3], "level": ["region", "municipality", "school"], "region_id": "01",
        "municipality_id": [None, "A", "B"], "school_id": [None, None, "s3"], "title": ["РК", "МК А", "ШК 3"],
        "period_start": YEAR_START, "period_end": YEAR_END, "source": "test"}))
    measures = pd.DataFrame({
        "measure_id": [1, 2, 3, 4], "roadmap_id": [1, 1, 2, 3], "number": ["1.1", "1.2", "1", "1"],
        "section": ["Орг", "Метод", "Метод", "Кадры"], "title": ["M1", "M2", "M3", "M4"],
        "executors": [["Мин"], ["ИРО"], ["МОУО", "ИМЦ"], ["МОУО"]],
        "schedule_kind": ["dates", "recurring", "continuous", "dates"],
        "due_dates": [[D(2026, 3, 31)], [], [], [D(2026, 5, 31)]],
        "recurrence": [None, "quarterly", None, None],
        "risk_factors": [[], ["teacher_competence"], ["low_adaptivity"], []],
        "subjects": [[], ["math"], ["rus"], []],
    })
    insert_df(cur, "measures", measures)
    insert_df(cur, "measure_schools", pd.DataFrame({"measure_id": [3, 3, 4], "school_id": ["s1", "s2", "s3"]}))
    # Due dates come from the same schedule rules the importer uses.
    dates = {m.measure_id: assessment_dates(m.schedule_kind, m.due_dates, None, m.recurrence, YEAR_START, YEAR_END,
                                            DEFAULT_POINTS) for m in measures.itertuples()}
    assert dates[2] == [D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30), D(2026, 12, 31)]
    assert dates[3] == [D(2026, 6, 30), D(2026, 11, 30), D(2026, 12, 31)]
    rows = [(1, None, dates[1][0], "done", D(2026, 3, 20))]
    rows += [(2, None, d, s, c) for d, s, c in zip(dates[2], ["done", "done", "in_progress", "not_started"],
                                                      [D(2026, 4, 10), D(2026, 6, 30), None, None])]
    rows += [(3, "s1", d, s, c) for d, s, c in zip(dates[3], ["done", "done", "not_started"],
                                                      [D(2026, 6, 15), D(2026, 11, 20), None])]
    rows += [(3, "s2", d, s, None) for d, s in zip(dates[3], ["not_applicable", "in_progress", "in_progress"])]
    rows += [(4, "s3", dates[4][0], "done", D(2026, 7, 15))]
    units = pd.DataFrame(rows, columns=["measure_id", "school_id", "due_date", "status", "completed_on"])
    units.insert(0, "unit_id", range(1, len(units) + 1))
    insert_df(cur, "measure_status", units)
    return empty_store


def region(**changes):
    return rm.RoadmapFilter("01", year=2026)._replace(**changes)


def test_states_at_today(plan):
    states = rm.units(plan, region(), TODAY).set_index("unit_id")["state"]
    assert states.to_dict() == {1: "done", 2: "done_late", 3: "done", 4: "overdue", 5: "not_started",
                                6: "done", 7: "done", 8: "not_started", 9: "not_applicable",
                                10: "in_progress", 11: "in_progress", 12: "done_late"}


def test_completion_at_today(plan):
    row = rm.completion(plan, region(), TODAY).iloc[0]
    assert (row["units"], row["planned"], row["due"], row["not_applicable"]) == (12, 11, 6, 1)
    assert (row["done"], row["done_on_time"], row["done_late"], row["done_due"]) == (6, 4, 2, 5)
    assert (row["overdue"], row["in_progress"], row["not_started"]) == (1, 2, 2)
    assert row["share_of_plan"] == pytest.approx(6 / 11)
    assert row["on_time_share_of_plan"] == pytest.approx(4 / 11)
    assert row["late_share_of_plan"] == pytest.approx(2 / 11)
    assert row["share_of_due"] == pytest.approx(5 / 6)


def test_completion_at_an_earlier_date_ignores_later_completions(plan):
    row = rm.completion(plan, region(), D(2026, 6, 30)).iloc[0]
    # Done by 30.06: units 1, 2 (late), 3, 6. Unit 12 (due 31.05, done 15.07) is overdue then;
    # unit 7 (done 20.11) is not done yet.
    assert (row["due"], row["done"], row["done_on_time"], row["done_late"], row["overdue"]) == (5, 4, 3, 1, 1)
    assert row["share_of_plan"] == pytest.approx(4 / 11)
    states = rm.units(plan, region(), D(2026, 6, 30)).set_index("unit_id")["state"]
    assert states[7] == "in_progress" and states[12] == "overdue"


def test_not_applicable_is_left_out_even_when_everything_else_is_missing(plan):
    row = rm.completion(plan, region(municipality_id="A"), TODAY).iloc[0]
    # Municipality A: the six units of M3; unit 9 is not applicable.
    assert (row["units"], row["planned"], row["due"], row["done"]) == (6, 5, 1, 2)
    assert row["share_of_plan"] == pytest.approx(2 / 5)
    assert row["share_of_due"] == pytest.approx(1.0)


def test_empty_plan_gives_no_share(plan):
    row = rm.completion(plan, region(year=2030), TODAY).iloc[0]
    assert row["planned"] == 0 and pd.isna(row["share_of_plan"]) and pd.isna(row["share_of_due"])


def test_default_checkpoints_target_vs_actual(plan):
    table = rm.checkpoint_progress(plan, region(), TODAY)
    assert table["checkpoint_date"].tolist() == DEFAULT_POINTS
    assert table["target_share"].tolist() == [0.35, 0.85]
    first, second = table.iloc[0], table.iloc[1]
    assert first["passed"] and first["met"]
    assert first["actual_share"] == pytest.approx(4 / 11)
    assert (first["done_on_time"], first["done_late"]) == (3, 1)
    # The second is still ahead: its "actual" is the share done so far.
    assert not second["passed"] and not second["met"]
    assert second["actual_share"] == pytest.approx(6 / 11)
    at_year_end = rm.checkpoint_progress(plan, region(), YEAR_END).iloc[1]
    assert at_year_end["passed"] and not at_year_end["met"]
    assert at_year_end["gap"] == pytest.approx(6 / 11 - 0.85)


def test_roadmap_checkpoints_override_common_ones(plan):
    cur = plan.cursor()
    cur.execute("INSERT INTO checkpoints VALUES (NULL, '2026-06-30', 0.4, 'общая'), (2, '2026-09-30', 0.5, 'своя')")
    assert rm.checkpoints_for(plan, 2026)["target_share"].tolist() == [0.4]
    assert rm.checkpoints_for(plan, 2026, roadmap_id=1)["target_share"].tolist() == [0.4]
    own = rm.checkpoint_progress(plan, region(roadmap_id=2), TODAY)
    assert own["checkpoint_date"].tolist() == [D(2026, 9, 30)]
    # Roadmap 2 by 30.09: only unit 6 done of 5 applicable units.
    assert own.iloc[0]["actual_share"] == pytest.approx(1 / 5) and not own.iloc[0]["met"]
    assert rm.checkpoints_for(plan, 2025)["target_share"].tolist() == [0.35, 0.85]  # defaults


def test_breakdowns(plan):
    by_municipality = rm.completion_by(plan, region(), TODAY, "municipality").set_index("key")
    assert by_municipality.loc["", "share_of_plan"] == pytest.approx(3 / 5)   # region-level units
    assert by_municipality.loc["A", ["name", "planned", "done"]].tolist() == ["Альфа", 5, 2]
    assert by_municipality.loc["B", "done_late"] == 1
    by_executor = rm.completion_by(plan, region(), TODAY, "executor").set_index("key")
    assert by_executor.loc["МОУО", ["planned", "done"]].tolist() == [6, 3]
    assert by_executor.loc["ИМЦ", ["planned", "done"]].tolist() == [5, 2]
    by_subject = rm.completion_by(plan, region(), TODAY, "subject").set_index("key")
    assert by_subject.loc["math", ["planned", "done", "overdue"]].tolist() == [4, 2, 1]
    assert by_subject.loc["", "planned"] == 2
    by_school = rm.completion_by(plan, region(), TODAY, "school").set_index("key")
    assert set(by_school.index) == {"s1", "s2", "s3"}
    assert by_school.loc["s2", ["planned", "done", "not_applicable"]].tolist() == [2, 0, 1]
    by_risk = rm.completion_by(plan, region(), TODAY, "risk_factor").set_index("key")
    assert by_risk.loc["teacher_competence", "planned"] == 4
    by_section = rm.completion_by(plan, region(), TODAY, "section").set_index("key")
    assert by_section["planned"].to_dict() == {"Кадры": 1, "Метод": 9, "Орг": 1}


def test_subject_and_executor_filters(plan):
    row = rm.completion(plan, region(subject_id="math"), TODAY).iloc[0]
    assert (row["planned"], row["done"]) == (4, 2)
    assert rm.completion(plan, region(executor="МОУО"), TODAY).iloc[0]["units"] == 7
    assert rm.filter_choices(plan, region())["executor"] == ["ИМЦ", "ИРО", "МОУО", "Мин"]


def test_burnup(plan):
    curve = rm.burnup(plan, region(), TODAY).set_index("date")
    assert curve.loc[D(2026, 3, 31), "planned_share"] == pytest.approx(2 / 11)
    assert curve.loc[D(2026, 3, 31), "actual_share"] == pytest.approx(1 / 11)
    assert curve.loc[D(2026, 6, 30), "actual_share"] == pytest.approx(4 / 11)
    assert curve.loc[TODAY, "actual_share"] == pytest.approx(6 / 11)
    assert curve.loc[TODAY, "on_time_share"] == pytest.approx(4 / 11)
    assert curve.loc[YEAR_END, "planned_share"] == pytest.approx(1.0)
    assert pd.isna(curve.loc[D(2026, 11, 23), "actual_share"])


def test_timeline_overdue_and_workload(plan):
    timeline = rm.measures_timeline(plan, region(), TODAY).set_index("title")
    assert timeline["state"].to_dict() == {"M1": "done", "M2": "overdue", "M3": "in_progress", "M4": "done_late"}
    assert timeline.loc["M2", "finish"] == YEAR_END
    overdue = rm.overdue_units(plan, region(), TODAY)
    assert overdue[["unit_id", "days_overdue", "executors_text"]].values.tolist() == [[4, 53, "ИРО"]]
    workload = rm.executor_workload(plan, region(), TODAY).set_index("executor")
    assert workload.loc["ИРО", ["open", "overdue", "due_soon", "done"]].tolist() == [2, 1, 0, 2]
    assert workload.loc["МОУО", ["open", "overdue", "due_soon", "done"]].tolist() == [3, 0, 1, 3]


def test_overview_summary_uses_the_same_rules(plan):
    row = completion.year_completion(plan, "01", None, 2026, TODAY).iloc[0]
    assert (row["planned"], row["done"], row["overdue"]) == (11, 6, 1)
    assert completion.checkpoint_status(plan, 2026, TODAY)["passed"].tolist() == [True, False]


def test_demo_region_is_plausible(demo_store):
    row = rm.completion(demo_store, rm.RoadmapFilter("01", year=2026), TODAY).iloc[0]
    assert 0.5 < row["share_of_plan"] < 0.85
    assert 0 < row["done_late"] < row["done_on_time"]
    first = rm.checkpoint_progress(demo_store, rm.RoadmapFilter("01", year=2026), TODAY).iloc[0]
    assert first["passed"] and 0.2 < first["actual_share"] < 0.6


def test_figures(plan):
    from presentation.figures import roadmaps as figures
    from presentation.figures.style import STATUS_COLOURS
    labels = {"on_time": "в срок", "late": "поздно", "x": "%", "y": "%", "target": "цель", "target_short": "цель",
              "so_far": "пока", "date_format": str, "planned": "план", "actual": "факт", "today": "сегодня",
              "states": {s: s for s in rm.STATES}, "hover_units": ""}
    table = rm.completion_by(plan, region(), TODAY, "municipality")
    bars = figures.completion_bars(table, [(0.35, "I"), (0.85, "II")], labels, "T")
    assert [len(trace.y) for trace in bars.data] == [3, 3]
    assert [shape.x0 for shape in bars.layout.shapes] == [35, 85]
    assert list(bars.data[0].y)[-1] == "Бета"  # best share (B: 100 %) on top
    progress = rm.checkpoint_progress(plan, region(), TODAY)
    points = figures.checkpoint_bars(progress, labels, "T")
    assert list(points.data[2].y) == [35, 85]
    curve = figures.burnup(rm.burnup(plan, region(), TODAY), progress, TODAY, labels, "T")
    assert len(curve.data) == 4 and len(curve.layout.shapes) == 1  # today's line
    timeline = rm.measures_timeline(plan, region(), TODAY)
    gantt = figures.gantt(timeline, TODAY, labels, "T")
    assert {trace.marker.color for trace in gantt.data} == {STATUS_COLOURS[s] for s in ("done", "overdue",
                                                                                        "in_progress", "done_late")}
    workload = figures.workload_bars(rm.executor_workload(plan, region(), TODAY), {"overdue": "o", "due_soon": "s",
                                                                                   "other_open": "r", "x": "x"}, "T")
    assert sum(workload.data[0].x) == 1  # one overdue unit
