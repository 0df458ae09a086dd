"""Year-to-year movement of schools on a list: entered, stayed, left, and long stays."""
from __future__ import annotations

import pandas as pd

from analytics.identification import computed_lists, load_params, official_lists, schools_of_region
from analytics.store import Store
from analytics.reads import reads
from analytics.query import MunicipalityId, RegionId


@reads("municipalities", "school_lists", "schools")
def membership(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, category: str, source: str,
               years: tuple[int, ...], params: dict | None = None) -> pd.DataFrame:
    """year, school_id of the official or the computed list (scope-filtered, sorted)."""
    if source == "official":
        lists = official_lists(store, region_id, municipality_id)
    elif source == "computed":
        lists = computed_lists(store, region_id, tuple(years), params or load_params())
        if municipality_id is not None:
            schools = schools_of_region(store, region_id)
            lists = lists[lists["school_id"].isin(schools.loc[schools["municipality_id"] == municipality_id,
                                                              "school_id"])]
    else:
        raise ValueError(f"unknown source {source!r}")
    lists = lists[(lists["category"] == category) & lists["year"].isin(years)]
    return lists[["year", "school_id"]].sort_values(["year", "school_id"]).reset_index(drop=True)


def flow_years(members: pd.DataFrame, last_year: int) -> tuple[int, ...]:
    """Years from the first list present up to ``last_year``; empty when fewer than two
    lists exist (a flow needs a year before and a year after)."""
    present = sorted(int(y) for y in members["year"].unique())
    return tuple(range(present[0], last_year + 1)) if len(present) >= 2 else ()


def flow_table(members: pd.DataFrame, years: tuple[int, ...]) -> pd.DataFrame:
    """Per year: listed, entered (not listed the year before), stayed, left (listed the year
    before, not now), and schools listed two or more years in a row up to this year."""
    sets = {int(y): set(members.loc[members["year"] == y, "school_id"]) for y in years}
    rows = []
    for k, year in enumerate(sorted(sets)):
        now = sets[year]
        before = sets.get(year - 1)
        streak = {s for s in now if s in sets.get(year - 1, set())}
        rows.append(dict(year=year, listed=len(now),
                         entered=len(now - before) if before is not None else None,
                         stayed=len(now & before) if before is not None else None,
                         left=len(before - now) if before is not None else None,
                         two_plus_years=len(streak) if (year - 1) in sets else None))
    return pd.DataFrame(rows, columns=["year", "listed", "entered", "stayed", "left", "two_plus_years"])


def streaks(members: pd.DataFrame, year: int) -> pd.DataFrame:
    """school_id, years_in_a_row (ending at ``year``) for the schools listed in ``year``."""
    sets = members.groupby("year")["school_id"].apply(set).to_dict()
    rows = []
    for school in sorted(sets.get(year, set())):
        run, y = 0, year
        while school in sets.get(y, set()):
            run, y = run + 1, y - 1
        rows.append(dict(school_id=school, years_in_a_row=run))
    return pd.DataFrame(rows, columns=["school_id", "years_in_a_row"])


def sankey_links(members: pd.DataFrame, years: tuple[int, ...]) -> pd.DataFrame:
    """source_year, source_state (in | out), target_year, target_state, schools — the
    links of a Sankey diagram (out → out is left out: it is every other school)."""
    sets = {int(y): set(members.loc[members["year"] == y, "school_id"]) for y in years}
    ordered = sorted(sets)
    rows = []
    for a, b in zip(ordered, ordered[1:]):
        for source, target, value in (("in", "in", len(sets[a] & sets[b])), ("in", "out", len(sets[a] - sets[b])),
                                      ("out", "in", len(sets[b] - sets[a]))):
            if value:
                rows.append(dict(source_year=a, source_state=source, target_year=b, target_state=target,
                                 schools=value))
    return pd.DataFrame(rows, columns=["source_year", "source_state", "target_year", "target_state", "schools"])
