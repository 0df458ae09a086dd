"""Identification rules, flows and targets on hand-made data where the answer is known."""
import datetime as dt

import pandas as pd
import pytest

from analytics import flows, identification, targets
from analytics.store import insert_df
from presentation.reasons import reason_text

SOCIAL = {"s01": 0.8, "s02": 0.5, "s03": 0.4, "s04": 0.4, "s05": 0.9, "s06": 0.3, "s07": 0.5, "s08": 0.2,
          "s09": 0.70, "s10": 0.69}


def _region(store, schools=SOCIAL):
    cur = store.cursor()
    cur.execute("INSERT INTO regions VALUES ('01', 'Р', TRUE, NULL)")
    insert_df(cur, "municipalities", pd.DataFrame({"municipality_id": ["A"], "region_id": "01", "name": ["Альфа"],
                                                   "kind": "district"}))
    insert_df(cur, "schools", pd.DataFrame({
        "school_id": list(schools), "municipality_id": "A", "name": "школа", "short_name": list(schools),
        "school_type": "sosh", "is_rural": True, "social_index": list(schools.values())}))


def _results(store, rows):
    """rows: (school, year, participants, n2[, n_higher]); every other mark is a «3»."""
    frame = pd.DataFrame([dict(school_id=r[0], year=r[1], procedure="VPR", subject_id="rus", grade=5,
                               participants=r[2], n2=r[3], n3=r[2] - r[3], n4=0, n5=0, n_lower=0,
                               n_higher=r[4] if len(r) > 4 else 1, n_confirmed=r[2] - (r[4] if len(r) > 4 else 1))
                          for r in rows])
    insert_df(store.cursor(), "results", frame)


# 2024: ranked 8 (s05 tiny, s06 absent), k = ceil(0.3 * 8) = 3 -> s01 (12), s03 and s04 (10, tied at the cut).
# 2025: ranked 9, k = 3 -> s06 (14), s01 (12), then s02/s03/s04 tied at 10 -> all five in the bottom.
N2 = {2024: {"s01": 12, "s02": 2, "s03": 10, "s04": 10, "s07": 1, "s08": 1, "s09": 0, "s10": 0},
      2025: {"s01": 12, "s02": 10, "s03": 10, "s04": 10, "s06": 14, "s07": 1, "s08": 1, "s09": 0, "s10": 0}}


@pytest.fixture
def region(empty_store):
    _region(empty_store)
    rows = [(s, y, 20, n2) for y, values in N2.items() for s, n2 in values.items()]
    rows += [("s05", 2024, 5, 5), ("s05", 2025, 5, 5)]  # tiny school, worst marks
    rows = [r if not (r[0] == "s08" and r[1] == 2025) else (*r, 8) for r in rows]  # «повысили» 8 of 20
    _results(empty_store, rows)
    return empty_store


def _params(**changes):
    # These cases test the rules' mechanics (ties, lag, tiny schools) on the raw index; the
    # shrunk index and its probability are tested in test_shrinkage.py.
    overrides = {"low_results": {"bottom_share": 0.3}, "composite": {"shrinkage": "none"}}
    for section, values in changes.items():
        overrides.setdefault(section, {}).update(values)
    return identification.load_params(overrides, override_file=None)


def _schools(flags, category):
    return sorted(flags.loc[flags["category"] == category, "school_id"].unique())


def test_low_results_two_years_ties_tiny_and_missing(region):
    flags = identification.identify(region, "01", 2026, _params())
    # s02: bottom in 2025 only; s06: no 2024 results; s05: too few participants.
    assert _schools(flags, "low_results") == ["s01", "s03", "s04"]
    s03 = flags[(flags["school_id"] == "s03") & (flags["category"] == "low_results")]
    assert [p["year"] for p in s03["reason_params"]] == [2024, 2025]
    assert s03["reason_params"].iloc[0]["ranked"] == 8  # the tiny school is not ranked
    text = reason_text(s03["reason_key"].iloc[0], s03["reason_params"].iloc[0], "ru")
    assert text.startswith("2024: индекс результатов") and "из 8" in text and "30\u00a0%" in text


def test_one_year_rule_and_lag(region):
    flags = identification.identify(region, "01", 2026, _params(low_results={"consecutive_years": 1}))
    assert _schools(flags, "low_results") == ["s01", "s02", "s03", "s04", "s06"]
    # The 2025 list looks at 2024 only (lag 1, one year).
    flags = identification.identify(region, "01", 2025, _params(low_results={"consecutive_years": 1}))
    assert _schools(flags, "low_results") == ["s01", "s03", "s04"]


def test_min_participants_brings_the_tiny_school_in(region):
    flags = identification.identify(region, "01", 2026, _params(composite={"min_participants": 1}))
    assert "s05" in _schools(flags, "low_results")


def test_social_risk_threshold_is_inclusive(region):
    flags = identification.identify(region, "01", 2026, _params())
    assert _schools(flags, "social_risk") == ["s01", "s05", "s09"]


def test_resilient_top_quarter_needs_difficult_context(region):
    flags = identification.identify(region, "01", 2026, _params(resilient={"min_residual": 99}))
    # Top quarter of 9 ranked (k = 3): s09, s10 (no «2») and s07, s08 tied at the cut; only s09 and s10
    # have a context >= 0.6 ... s10 has 0.69 -> both are resilient.
    assert _schools(flags, "resilient") == ["s09", "s10"]
    assert set(flags.loc[flags["category"] == "resilient", "reason_key"]) == {"resilient_top"}


def test_biased_higher_share(region):
    flags = identification.identify(region, "01", 2026, _params())
    biased = flags[flags["category"] == "biased"]
    assert _schools(flags, "biased") == ["s08"]
    params = biased["reason_params"].iloc[0]
    assert (params["count"], params["n"], params["share"]) == (8, 20, 0.4)
    assert "40,0\u00a0%" in reason_text("biased_higher", params, "ru")


def test_identification_is_deterministic_whatever_the_insert_order(region, empty_store, tmp_path):
    first = identification.identify(region, "01", 2026, _params())
    shuffled = region.query_df("SELECT * FROM results ORDER BY random()")
    region.cursor().execute("DELETE FROM results")
    insert_df(region.cursor(), "results", shuffled)
    second = identification.identify(region, "01", 2026, _params())
    pd.testing.assert_frame_equal(first, second)


def test_risk_zone_declining_school(empty_store):
    _region(empty_store)
    steady = {"s01": 15, "s02": 4, "s03": 5, "s04": 3, "s05": 6, "s06": 2, "s08": 4, "s09": 3, "s10": 5}
    rows = [(s, y, 20, n2) for y in range(2021, 2026) for s, n2 in steady.items()]
    rows += [("s07", y, 20, 2 * (y - 2021)) for y in range(2021, 2026)]  # 0, 2, 4, 6, 8 «2»
    _results(empty_store, rows)
    params = _params(low_results={"bottom_share": 0.1}, risk_zone={"margin": 10.0})
    flags = identification.identify(empty_store, "01", 2026, params)
    assert _schools(flags, "low_results") == ["s01"]
    assert _schools(flags, "risk_zone") == ["s07"]
    trend = flags[(flags["category"] == "risk_zone")]["reason_params"].iloc[0]
    assert trend["slope"] < 0 and trend["high"] < 0 and (trend["first"], trend["last"]) == (2021, 2025)
    # A forecast far above the threshold is not "near" it.
    far = identification.identify(empty_store, "01", 2026, _params(low_results={"bottom_share": 0.1},
                                                                   risk_zone={"margin": -10.0}))
    assert _schools(far, "risk_zone") == []


def test_compare_and_what_if(region):
    insert_df(region.cursor(), "school_lists", pd.DataFrame({
        "year": 2026, "category": "low_results", "school_id": ["s01", "s02"]}))
    table = identification.compare_with_official(region, "01", None, 2026, "low_results", _params())
    assert dict(zip(table["school_id"], table["status"])) == {"s01": "both", "s02": "official_only",
                                                             "s03": "computed_only", "s04": "computed_only"}


def test_flows_on_a_three_year_toy_case():
    members = pd.DataFrame({"year": [2024] * 3 + [2025] * 3 + [2026] * 3,
                            "school_id": ["a", "b", "c", "b", "c", "d", "c", "d", "e"]})
    table = flows.flow_table(members, (2024, 2025, 2026)).set_index("year")
    assert table.loc[2025, ["listed", "entered", "stayed", "left", "two_plus_years"]].tolist() == [3, 1, 2, 1, 2]
    assert table.loc[2026, ["entered", "stayed", "left", "two_plus_years"]].tolist() == [1, 2, 1, 2]
    assert pd.isna(table.loc[2024, "entered"])
    runs = flows.streaks(members, 2026)
    assert dict(zip(runs["school_id"], runs["years_in_a_row"])) == {"c": 3, "d": 2, "e": 1}
    links = flows.sankey_links(members, (2024, 2025, 2026))
    assert links[links["source_year"] == 2024][["source_state", "target_state", "schools"]].values.tolist() == [
        ["in", "in", 2], ["in", "out", 1], ["out", "in", 1]]


@pytest.fixture
def programme(empty_store):
    _region(empty_store, {f"s{i}": 0.5 for i in range(1, 7)})
    cur = empty_store.cursor()
    insert_df(cur, "school_lists", pd.DataFrame({
        "year": [2025] * 4 + [2026] * 2 + [2026], "category": ["low_results"] * 6 + ["biased"],
        "school_id": ["s1", "s2", "s3", "s4", "s1", "s5", "s5"]}))
    insert_df(cur, "survey_participation", pd.DataFrame({
        "school_id": ["s1", "s5", "s2"], "year": 2026, "invited": [10, 10, 50], "responded": [9, 6, 50]}))
    insert_df(cur, "kpi_targets", pd.DataFrame({
        "target_id": ["list_reduction", "leave_list", "survey_participation", "no_biased", "partnership_agreements"],
        "scope_level": ["region"] * 4 + ["municipality"], "scope_id": ["01"] * 4 + ["A"], "year": 2026,
        "target_low": [0.25, 0.6, 0.8, 0, 1], "target_high": [0.3, None, None, None, None],
        "direction": ["at_least"] * 3 + ["at_most", "at_least"]}))
    insert_df(cur, "mentor_pairs", pd.DataFrame({
        "pair_id": [1, 2], "year": [2026, 2027], "mentor_school_id": "s6", "mentee_school_id": ["s1", "s5"],
        "straight_km": 10.0, "agreement_date": [dt.date(2025, 9, 15), dt.date(2026, 10, 1)]}))
    return empty_store


def test_target_computations(programme):
    summary = targets.summary(programme, "01", None, 2026, dt.date(2026, 11, 22)).set_index("target_id")
    assert summary.loc["list_reduction", "actual"] == pytest.approx(0.5)       # (4 - 2) / 4
    assert summary.loc["list_reduction", "status"] == "achieved"
    assert summary.loc["leave_list", "actual"] == pytest.approx(0.75)          # s2, s3, s4 left
    assert summary.loc["survey_participation", "actual"] == pytest.approx(15 / 20)  # s2 is not listed
    assert summary.loc["survey_participation", "status"] == "at_risk"          # 75 % of an 80 % target
    assert summary.loc["no_biased", "actual"] == 1 and summary.loc["no_biased", "status"] == "not_achieved"
    # One agreement dated in the 2025/26 school year; the municipality's target of 1 is met.
    assert summary.loc["partnership_agreements", "actual"] == pytest.approx(1.0)
    local = targets.summary(programme, "01", "A", 2026, dt.date(2026, 11, 22)).set_index("target_id")
    assert local.loc["partnership_agreements", "actual"] == 1
    rows = targets.details(programme, "leave_list", "01", None, 2026, dt.date(2026, 11, 22))
    assert rows["numerator"].sum() == 3 and rows["denominator"].sum() == 4


def test_status_rules():
    assert targets.status_of(0.8, 0.8, "at_least", 0.8) == "achieved"
    assert targets.status_of(0.64, 0.8, "at_least", 0.8) == "at_risk"
    assert targets.status_of(0.63, 0.8, "at_least", 0.8) == "not_achieved"
    assert targets.status_of(0, 0, "at_most", 0.8) == "achieved"
    assert targets.status_of(float("nan"), 0.8, "at_least", 0.8) == "no_data"


def test_saving_targets_is_all_or_nothing(programme):
    before = targets.region_targets(programme, "01")
    bad = before.copy()
    bad.loc[0, "target_low"] = 0.9
    bad.loc[1, "direction"] = "sideways"
    with pytest.raises(ValueError, match="direction"):
        targets.save_targets(programme, bad, replace_region="01")
    pd.testing.assert_frame_equal(targets.region_targets(programme, "01"), before)
    good = before.copy()
    good.loc[good["target_id"] == "leave_list", "target_low"] = 0.7
    targets.save_targets(programme, good, replace_region="01")
    after = targets.region_targets(programme, "01").set_index("target_id")
    assert after.loc["leave_list", "target_low"] == pytest.approx(0.7)


def test_flow_years_start_at_the_first_list_and_need_two():
    members = pd.DataFrame({"year": [2024, 2025, 2025], "school_id": ["a", "a", "b"]})
    assert flows.flow_years(members, 2026) == (2024, 2025, 2026)
    assert flows.flow_years(members[members["year"] == 2025], 2026) == ()
