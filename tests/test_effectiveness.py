"""Programme effectiveness: list dynamics by hand, and the estimators on simulated data with a
known effect (small samples: the whole file runs in seconds)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import effectiveness as ef
from analytics.demo.effects import region_model
from analytics.reference import load_reference
from presentation.views import effectiveness as views

EFFECT = -0.05      # five points fewer «2»


def rd_data(seed: int, n: int = 800, effect: float = EFFECT, compliance: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    below = x >= 0
    listed = below & (rng.uniform(size=n) < compliance) | (~below & (rng.uniform(size=n) < 1 - compliance))
    change = 0.04 * x + effect * listed + rng.normal(0, 0.03, n)
    return pd.DataFrame({"year": 2024, "school_id": [f"s{i}" for i in range(n)], "x": x, "listed": listed,
                         "change": change})


def did_data(seed: int, effect: float = EFFECT, pretrend: float = 0.0, treated_n: int = 40,
             control_n: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(treated_n + control_n):
        treated = k < treated_n
        level = rng.normal(0.2, 0.05)
        for year in range(2019, 2026):
            event = year - 2022
            y = level + 0.01 * (year - 2019) + rng.normal(0, 0.02)
            if treated and event >= 1:
                y += effect
            if treated and event < 0:
                y += pretrend * event            # a different trend before listing
            rows.append(dict(stack=2022, school_id=f"s{k}", year=year, event=event, treated=treated, share2=y))
    return pd.DataFrame(rows)


def test_rd_recovers_a_known_effect_sharp_and_fuzzy():
    sharp = ef.rd_estimate(rd_data(1))
    assert sharp["ok"] and sharp["ci_low"] <= EFFECT <= sharp["ci_high"]
    assert sharp["ci_high"] < 0                                  # an effect of this size is detected
    assert sharp["estimate"] == pytest.approx(EFFECT, abs=0.02)
    assert sharp["first_stage"] == pytest.approx(1.0)
    fuzzy = ef.rd_estimate(rd_data(2, n=1500, compliance=0.8))
    assert fuzzy["ci_low"] <= EFFECT <= fuzzy["ci_high"]
    assert 0.4 < fuzzy["first_stage"] < 0.8
    none = ef.rd_estimate(rd_data(3, effect=0.0))
    assert none["ci_low"] <= 0 <= none["ci_high"]


def test_rd_refuses_too_small_samples():
    assert not ef.rd_estimate(rd_data(4, n=30))["ok"]


def test_did_recovers_a_known_effect_and_flags_a_pretrend():
    fit = ef.did_estimate(did_data(5))
    assert fit["ok"] and fit["ci_low"] <= EFFECT <= fit["ci_high"] and fit["ci_high"] < 0
    assert fit["estimate"] == pytest.approx(EFFECT, abs=0.01)
    assert (fit["n_treated"], fit["n_control"]) == (40, 80)
    events = fit["events"].set_index("event")
    assert events.at[-1, "estimate"] == 0.0                      # the reference year
    assert events.at[2, "estimate"] == pytest.approx(EFFECT, abs=0.015)
    assert events.at[-3, "ci_low"] <= 0 <= events.at[-3, "ci_high"]
    assert fit["pretrend_p"] > 0.01
    bad = ef.did_estimate(did_data(6, pretrend=0.03))
    assert bad["pretrend_p"] < 0.01                              # the pre-listing check catches it


def test_plain_readings():
    better = views.reading(dict(estimate=-0.021, ci_low=-0.035, ci_high=-0.007), "ru")
    assert better == "По этой оценке поддержка снизила долю «2» на 2,1 п.п. (95 % интервал — от 0,7 до 3,5 п.п.)."
    none = views.reading(dict(estimate=-0.01, ci_low=-0.03, ci_high=0.01), "ru")
    assert none.startswith("Эффект не отличим от нуля: правдоподобны значения от −3,0 до 1,0 п.п.")
    assert views.too_wide(dict(ci_low=-0.3, ci_high=0.1), 0.2) and not views.too_wide(dict(ci_low=-0.1, ci_high=0.05), 0.2)


@pytest.fixture
def lists_store(empty_store):
    cur = empty_store.cursor()
    load_reference(cur)
    cur.execute("INSERT INTO regions VALUES ('01', 'Область', TRUE, NULL)")
    cur.execute("INSERT INTO municipalities VALUES ('M1', '01', 'Район', 'district', NULL, NULL, NULL)")
    for k in range(12):
        cur.execute("INSERT INTO schools (school_id, municipality_id, name, short_name, school_type, is_rural) "
                    "VALUES (?, 'M1', ?, ?, 'sosh', TRUE)", [f"S{k:02d}", f"Школа {k}", f"Ш{k}"])
    # 2025: S00–S09 (10 schools); 2026: S04–S09 stayed (6), S10 and S11 entered; S00–S03 left (4).
    for k in range(10):
        cur.execute("INSERT INTO school_lists VALUES (2025, 'low_results', ?, 'official')", [f"S{k:02d}"])
    for k in range(4, 12):
        cur.execute("INSERT INTO school_lists VALUES (2026, 'low_results', ?, 'official')", [f"S{k:02d}"])
    cur.execute("INSERT INTO kpi_targets VALUES ('leave_list', 'region', '01', 2026, 0.6, NULL, 'at_least')")
    return empty_store


def test_list_dynamics_by_hand(lists_store):
    row = ef.list_dynamics(lists_store, "01", None, 2026).set_index("year").loc[2026]
    assert (row["listed"], row["previous"], row["left"], row["stayed"], row["entered"]) == (8, 10, 4, 6, 2)
    assert row["reduction"] == pytest.approx(0.2)                # 1 − 8 / 10
    assert row["left_share"] == pytest.approx(0.4)               # 4 / 10
    # Wilson 95 % for 4 of 10: 0.168 … 0.687; the reduction's interval shifted by the 2 entrants (0.2).
    assert (row["left_low"], row["left_high"]) == (pytest.approx(0.1682, abs=1e-3), pytest.approx(0.6873, abs=1e-3))
    assert (row["reduction_low"], row["reduction_high"]) == (pytest.approx(-0.0318, abs=1e-3),
                                                             pytest.approx(0.4873, abs=1e-3))
    assert row["reduction_target"] == 0.25 and row["left_target"] == 0.6
    assert not row["reduction_met"] and not row["left_met"] and not row["small"]
    assert views.status(row["reduction_met"], row["reduction_low"], row["reduction_high"], 0.25, "ru") == \
        "не ясно (интервал накрывает цель)"


def test_the_generator_knows_the_support_and_it_follows_listing():
    model = region_model(20261122)
    lists = model.lists[model.lists["category"] == "low_results"]
    first = lists.groupby("school_id")["year"].min()
    position = pd.Series(range(len(model.school_ids)), index=model.school_ids)
    never = ~position.index.isin(first.index)
    assert (model.support[position[never].to_numpy()] == 0).all()
    school = first.index[0]
    year_index = first[school] - 2020
    row = model.support[position[school]]
    assert (row[: year_index + 1] == 0).all() and row[year_index + 1] >= 0    # acts from the year after listing
    assert model.support.max() <= 0.3


def test_report_section_matches_the_page_numbers(demo_store):
    from presentation.report import effectiveness as section
    from presentation.report.content import Context
    from presentation.report.model import Heading, Paragraph, Report, Table
    import datetime as dt
    ctx = Context(demo_store, "01", 2026, None, None, dt.date(2026, 11, 22), "ru")
    report = Report("t", [])
    section.section(ctx, report, 10, [])
    assert report.of_type(Heading)[0].text == "10. Помогла ли поддержка"
    texts = [p.text for p in report.of_type(Paragraph)]
    assert texts[0].startswith("2026: в перечне 17 (было 22) · вышли 10 · остались 12 · вошли 5.")
    assert len(report.of_type(Table)[0].rows) == 4           # 2023–2026
    # Each estimate is either given with what it compares, N and what it cannot prove, or says why not.
    for name in ("Разность разностей", "Разрывный дизайн"):
        paragraph = next(t for t in texts if name in t)
        assert ("Чего не доказывает" in paragraph and "Что сравнивается" in paragraph) or \
            "не показывается" in paragraph or "слишком мало" in paragraph or "недостаточно данных" in paragraph


def test_shown_estimators_follow_coverage_and_width():
    config = {"validation": {"min_coverage": 0.85, "max_width": 0.2, "coverage": {"rd": 1.0, "did": 0.8},
                             "median_width": {"rd": 2.0, "did": 0.05}}}
    assert ef.shown_estimators(config) == {"rd": False, "did": False}      # rd too wide, did covers too rarely
    config["validation"]["coverage"]["did"] = 0.9
    assert ef.shown_estimators(config) == {"rd": False, "did": True}
    assert ef.shown_estimators() == {"rd": False, "did": True}             # the shipped validation
