"""The Streamlit-free builders the thinned pages call (presentation/views/*): hand-computed cases."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from presentation.views import passport as passport_views, roadmaps as roadmap_views, schools as school_views
from presentation.views import teachers as teacher_views
from presentation.i18n import text
from presentation.views.layout import TableLayout


def test_table_layout_translates_keys_to_headers():
    layout = TableLayout("passport.columns", widths={"n": 95}, wrap=("subject",), hidden=("trend",),
                         short={"n": "passport.days_short"})
    options = layout.options("ru")
    assert options["widths"] == {"Участников": 95}
    assert options["wrap"] == ["Предмет"] and options["hidden"] == [text("ru", "passport.columns.trend")]
    assert list(options["headers"]) == ["Участников"]
    renamed = layout.rename(pd.DataFrame({"subject": ["Математика"]}), "ru")
    assert list(renamed.columns) == ["Предмет"]


def test_passport_results_table_says_little_data_instead_of_a_value():
    results = pd.DataFrame({
        "name_ru": ["Математика", "История"], "name_en": ["Maths", "History"], "n": [40, 4], "prev_n": [38, 5],
        "enough": [True, False], "value": [0.25, 0.5], "ci_low": [0.14, 0.1], "ci_high": [0.4, 0.9],
        "delta": [0.05, 0.1], "delta_low": [-0.1, -0.3], "delta_high": [0.2, 0.5],
        "change_verdict": ["no_change", "insufficient"], "trend_verdict": ["no_change", "insufficient"],
        "municipality_value": [0.3, 0.4], "region_value": [0.35, float("nan")]})
    table = passport_views.results_table(results, "quality", 10, "ru")
    values = table.iloc[:, 2].tolist()
    assert values[0] == "25,0\u00a0%" and values[1] == "мало данных"
    assert table.iloc[1, 3] == ""                        # no interval for a small group
    assert "4" in table.iloc[1, 4]                       # the change names the small N
    assert table.iloc[0, 4].startswith("+5,0")           # +5 п. п. [−10; +20]
    assert table.iloc[1, 8] == "—"                       # a missing regional value


def test_roadmap_bar_targets_are_the_last_passed_and_the_next_checkpoint():
    progress = pd.DataFrame({"checkpoint_date": [dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30),
                                                 dt.date(2026, 12, 31)],
                             "target_share": [0.2, 0.5, 0.75, 1.0], "passed": [True, True, False, False]})
    targets = roadmap_views.bar_targets(progress, "ru")
    assert [share for share, _ in targets] == [0.5, 0.75]
    assert "30.06.2026" in targets[0][1] and "50\u00a0%" in targets[0][1]


def test_roadmap_checkpoint_messages_by_state():
    progress = pd.DataFrame({"checkpoint_date": [dt.date(2026, 6, 30), dt.date(2026, 9, 30), dt.date(2026, 12, 31)],
                             "target_share": [0.5, 0.75, 1.0], "actual_share": [0.6, 0.7, 0.7],
                             "passed": [True, True, False], "met": [True, False, None], "gap": [0.1, -0.05, None]})
    kinds = [kind for kind, _ in roadmap_views.checkpoint_messages(progress, dt.date(2026, 10, 1), "ru")]
    assert kinds == ["success", "error", "info"]


def test_what_if_counts():
    changes = pd.DataFrame({"change": ["stayed", "stayed", "entered", "left", "left", "left"]})
    assert school_views.what_if_counts(changes) == {"before": 5, "after": 3, "entered": 1, "left": 3}


def test_teacher_card_delta_and_grouping():
    assert teacher_views.card_delta(0.6, float("nan"), "ru")[1] == "off"
    delta, colour = teacher_views.card_delta(0.6, 0.8, "ru")
    assert colour == "normal" and "-20" in delta and "\u2212" not in delta   # ASCII minus for the arrow
    assert teacher_views.grouping(None, None, "en")[:2] == ("subject", "subject_en")
    assert teacher_views.grouping("math", None, "ru")[0] == "municipality"
    assert teacher_views.grouping("math", "01-03", "ru")[0] == "school"
    assert "мало" in teacher_views.card_caption(3, 5, 10, "ru")


def test_risk_school_summary_names_changes_and_uncovered_high_risks():
    from presentation.views import risks as risk_views
    profile = pd.DataFrame({"name_ru": ["Кадры", "Мотивация", "Среда*"],
                            "change": ["worsened", "improved", "same"]})
    gaps = pd.DataFrame({"covered": [False, True], "in_roadmap": [True, True], "level": ["high", "high"]},
                        index=["f1", "f2"])
    blocks = risk_views.school_summary(profile, gaps, {"f1": "Кадры", "f2": "Мотивация"}, "name_ru",
                                       {"high": "высокий"}, 2025, "ru")
    assert blocks[1] == "- Кадры" and blocks[3] == "- Мотивация"
    assert blocks[-1] == "- Кадры (высокий)" and len(blocks) == 6
    no_roadmap = gaps.assign(in_roadmap=False)
    assert risk_views.school_summary(profile.iloc[2:], no_roadmap, {}, "name_ru", {}, 2025, "ru")[-1] == \
        text("ru", "risks.summary.no_roadmap", year=2025)
    assert risk_views.school_summary(profile.iloc[2:], gaps.iloc[1:], {}, "name_ru", {}, 2025, "ru") == \
        [f"**{text('ru', 'risks.summary.uncovered')}**", text("ru", "risks.summary.none")]
    assert risk_views.schools_label("", "ru") == text("ru", "risks.metric_schools_all")
    assert risk_views.outside_names(tuple("abc"), shown=2) == "a, b …"


def test_show_slide_html_escapes_data_and_targets_name_last_and_next_checkpoint():
    from presentation.views import show as show_views
    rows = [{"needs": True, "rank": 1, "name": "<b>СОШ</b>", "municipality": "Район", "score": 3,
             "reasons": ["a", "b"], "school_id": "01/2"}]
    table = show_views.attention_table_html(rows, ["№"], "Паспорт")
    assert "&lt;b&gt;СОШ" in table and 'class="shnor-needs"' in table and "passport?school=01%2F2" in table
    assert "a · b" in table
    legend = show_views.map_legend_html(pd.Series(["low_results", "low_results", "biased"]),
                                        {"low_results": "Перечень", "biased": "Необъективные"},
                                        {"low_results": "#f00", "biased": "#000"}, "линии")
    assert "Перечень: 2" in legend and "Необъективные" not in legend
    progress = pd.DataFrame({"passed": [True, True, False, False], "target_share": [0.1, 0.3, 0.6, 1.0],
                             "checkpoint_date": pd.to_datetime(["2026-03-01", "2026-06-01", "2026-09-01",
                                                                "2026-12-01"]).date})
    targets = show_views.checkpoint_targets(progress, "ru")
    assert [share for share, _ in targets] == [0.3, 0.6]


def test_map_assignment_figures_and_tables():
    from presentation.views import map as map_views
    summary = {"assigned": 16, "mentees": 17, "total_km": 391.0, "longest_km": 50.0, "beyond_limit": 0,
               "mentors_over_capacity": 0}
    now = {"assigned": 15, "mentees": 17, "total_km": 421.0, "longest_km": 55.0, "beyond_limit": 0,
           "mentors_over_capacity": 0}
    figures = map_views.assignment_figures(summary, now, "ru")
    assert figures[0]["value"] == "16 / 17" and "15 / 17" in figures[0]["change"]
    assert figures[0]["delta_color"] == "normal" and figures[1]["delta_color"] == "inverse"
    assert figures[1]["value"] == "391" and "421" in figures[1]["change"]
    assert figures[3]["delta_arrow"] == "off" and figures[2]["delta_arrow"] == "auto"
    frame = pd.DataFrame({"mentee_name": ["А"], "km": [12.345], "km_kind": ["road"], "reason": ["too_far"]})
    table = map_views.table(frame, ["mentee_name", "km", "km_kind"], "ru")
    assert table.iloc[0, 1] == 12.3 and list(table.columns)[0] == text("ru", "map.columns.mentee_name")
    legend = map_views.schools_legend(pd.Series(["<i>x</i>"] * 0 + ["low_results"]), {"low_results": "<Ш>"},
                                      {"low_results": "#f00"}, "ru")
    assert "&lt;Ш&gt;" in legend and "#f00" in legend
