"""Access by type: every Territory an analytics call receives (bare or in a Query) and every
typed id (RegionId, MunicipalityId, SchoolId, RoadmapId, UnitId) is narrowed to the acting
user's rights or refused, whatever the parameter or the result columns are called; a read whose
places are not typed is not run; and the "as of" date rule of analytics.query."""
import datetime as dt
import importlib
import inspect
import re
import typing
from typing import Any, NamedTuple

import pandas as pd
import pytest

from analytics import access, attention, indicators, risks
from analytics.access import AccessDenied, Principal, Role, UncheckedRead
from analytics.query import MunicipalityId, Query, RegionId, RoadmapId, SchoolId, Territory, as_of_date
from analytics.store import Store
from tests.access_helpers import MUNICIPALITY, OTHER_MUNICIPALITY, SCHOOL
from tests.conftest import PROJECT_ROOT, TODAY
from ui import cache

MUN = Principal("mun", Role.MUNICIPAL, region_id="01", municipality_id=MUNICIPALITY)
SCHOOL_USER = Principal("school", Role.SCHOOL, region_id="01", municipality_id=MUNICIPALITY, school_id=SCHOOL)

# Result columns no name-based filter knows: ``code`` and ``municipality`` (not *_id).
SCHOOLS = """
SELECT s.school_id AS code, s.municipality_id AS municipality
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE ($region_id IS NULL OR m.region_id = $region_id)
  AND ($municipality_id IS NULL OR s.municipality_id = $municipality_id)
  AND ($school_id IS NULL OR s.school_id = $school_id)
ORDER BY code
"""


def _schools(store: Store, where: Territory) -> pd.DataFrame:
    return store.query_df(SCHOOLS, {"region_id": where.region_id, "municipality_id": where.municipality_id,
                                    "school_id": where.school_id})


# New functions written without thought for access: parameters not called *_id, a result
# column called ``municipality``.
def schools_in(store: Store, q: Query) -> pd.DataFrame:
    return _schools(store, q.territory)


def schools_where(store: Store, where: Territory) -> pd.DataFrame:
    return _schools(store, where)


def per_municipality(store: Store, area: Query) -> pd.DataFrame:
    return _schools(store, area.territory).groupby("municipality", as_index=False).size()


class Pair(NamedTuple):
    first: Query
    second: Query


def both(store: Store, pair: Pair) -> tuple[pd.DataFrame, pd.DataFrame]:
    return schools_in(store, pair.first), schools_in(store, pair.second)


@pytest.fixture
def fresh(app_env):
    cache.forget_everything()
    yield
    cache.forget_everything()


def test_everyone_sees_every_municipality_unrestricted(fresh):
    assert cache.compute(schools_in, Query.of("01"))["municipality"].nunique() > 1
    assert cache.compute(per_municipality, Query.of("01"))["municipality"].nunique() > 1


def test_a_territory_is_narrowed_whatever_the_parameter_is_called(fresh):
    with access.acting_as(MUN):
        calls = [cache.compute(schools_in, Query.of("01")),
                 cache.compute(schools_in, q=Query.of("01")),
                 cache.compute(schools_in, Query()),                   # "every region" too
                 cache.compute(schools_where, Territory("01")),
                 cache.compute(schools_where, where=Territory("01")),
                 cache.compute(per_municipality, area=Query.of("01", level="municipality")),
                 *cache.compute(both, Pair(Query.of("01"), Query.of("01", MUNICIPALITY)))]
    for frame in calls:
        assert not frame.empty and set(frame["municipality"]) == {MUNICIPALITY}
    with access.acting_as(SCHOOL_USER):
        assert cache.compute(schools_where, Territory("01", MUNICIPALITY))["code"].tolist() == [SCHOOL]


def test_a_territory_outside_the_rights_is_refused(fresh, demo_store):
    other_school = demo_store.scalar("SELECT min(school_id) FROM schools WHERE municipality_id = ?",
                                     [OTHER_MUNICIPALITY])
    for function, argument in [(schools_in, Query.of("01", OTHER_MUNICIPALITY)),
                               (schools_in, Query.of("02")),
                               (schools_where, Territory("01", None, other_school)),
                               (both, Pair(Query.of("01"), Query.of("01", OTHER_MUNICIPALITY)))]:
        cache.compute(function, argument)        # the unrestricted user may
        with access.acting_as(MUN), pytest.raises(AccessDenied):
            cache.compute(function, argument)
    with access.acting_as(MUN), pytest.raises(AccessDenied):
        cache.view(_count, cache.source(schools_in, Query.of("01", OTHER_MUNICIPALITY)))


def _count(frame: pd.DataFrame) -> tuple:
    return tuple(sorted(frame["municipality"].unique()))


def test_a_view_of_a_query_shows_only_the_rights(fresh):
    everyone = cache.view(_count, cache.source(schools_in, Query.of("01")))
    with access.acting_as(MUN):
        own = cache.view(_count, cache.source(schools_in, Query.of("01")))
    assert len(everyone) > 1 and own == (MUNICIPALITY,)


def test_rights_narrow_down_to_the_unit_of_the_rows(fresh):
    """A regional total stays the regional total for a municipal user (a read above the
    user's level, as before); a table per municipality or per school holds only the user's."""
    region = Query.of("01", year_from=2026, year_to=2026, procedure="VPR", level="region")
    everyone = cache.compute(indicators.aggregate, region, indicators=("quality",))
    with access.acting_as(MUN):
        pd.testing.assert_frame_equal(cache.compute(indicators.aggregate, region, indicators=("quality",)), everyone)
        per_municipality_rows = cache.compute(indicators.aggregate, region.at(level="municipality"),
                                              indicators=("quality",))
        per_school_rows = cache.compute(indicators.school_indicators, region, indicators=("quality",))
    assert set(per_municipality_rows["unit_id"]) == {MUNICIPALITY}
    schools = cache.compute(schools_in, Query.of("01", MUNICIPALITY))["code"]
    assert set(per_school_rows["school_id"]) <= set(schools) and not per_school_rows.empty


def test_narrow_by_level():
    allowed = access.Allowed(frozenset({"01"}), frozenset({MUNICIPALITY}), frozenset({SCHOOL}))
    wide = Territory("01")
    assert access.narrow(SCHOOL_USER, allowed, wide, 0) == Territory("01")
    assert access.narrow(SCHOOL_USER, allowed, wide, 1) == Territory("01", MUNICIPALITY)
    assert access.narrow(SCHOOL_USER, allowed, wide) == Territory("01", MUNICIPALITY, SCHOOL)
    assert access.narrow(access.SYSTEM, allowed, Territory()) == Territory()
    args, kwargs = access.narrow_call(MUN, allowed, (Query.of("01", level="region"),), {"x": [Territory()]})
    assert args == (Query.of("01", level="region"),) and kwargs == {"x": [Territory("01", MUNICIPALITY)]}
    with pytest.raises(AccessDenied):
        access.narrow(Principal("r2", Role.VIEWER, region_id="02"),
                      access.Allowed(frozenset({"02"}), frozenset(), frozenset()), Territory("01"))


# -- typed ids: places named one id at a time ------------------------------------------------------
# New functions written without thought for access: parameters not called *_id, result columns
# no name-based filter knows; only the annotations say what the arguments are.
def schools_of(store: Store, area: RegionId, mun_id: MunicipalityId | None = None,
               code: SchoolId | None = None) -> pd.DataFrame:
    return _schools(store, Territory(area, mun_id, code))


class Where(NamedTuple):
    area: RegionId
    district: MunicipalityId | None = None


def schools_at(store: Store, where: Where, year: int = 2026) -> pd.DataFrame:
    return _schools(store, Territory(where.area, where.district))


def schools_anywhere(store: Store, **places) -> pd.DataFrame:
    where = places["where"]
    return _schools(store, Territory(where.area, where.district))


def roadmap_title(store: Store, plan: RoadmapId) -> str:
    return store.scalar("SELECT title FROM roadmaps WHERE roadmap_id = ?", [plan])


def test_a_typed_id_is_scoped_whatever_the_parameter_is_called(fresh):
    everyone = cache.compute(schools_of, "01")
    assert everyone["municipality"].nunique() > 1
    with access.acting_as(MUN):
        calls = [cache.compute(schools_of, "01"),                     # a municipality left open: the own
                 cache.compute(schools_of, "01", MUNICIPALITY),
                 cache.compute(schools_of, area="01", mun_id=None),
                 cache.compute(schools_at, Where("01")),
                 cache.compute(schools_anywhere, where=Where("01")),
                 cache.view(_frame_of, cache.source(schools_of, "01"))]
    for frame in calls:
        assert not frame.empty and set(frame["municipality"]) == {MUNICIPALITY}
    with access.acting_as(SCHOOL_USER):
        assert cache.compute(schools_of, "01", code=SCHOOL)["code"].tolist() == [SCHOOL]


def _frame_of(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


def test_a_typed_id_outside_the_rights_is_refused(fresh, demo_store):
    other_school = demo_store.scalar("SELECT min(school_id) FROM schools WHERE municipality_id = ?",
                                     [OTHER_MUNICIPALITY])
    other_roadmap = demo_store.scalar("SELECT min(roadmap_id) FROM roadmaps WHERE municipality_id = ?",
                                      [OTHER_MUNICIPALITY])
    calls = [(schools_of, ("01", OTHER_MUNICIPALITY), {}), (schools_of, ("01",), {"mun_id": OTHER_MUNICIPALITY}),
             (schools_of, ("02",), {}), (schools_of, ("01", None, other_school), {}),
             (schools_at, (Where("01", OTHER_MUNICIPALITY),), {}),
             (schools_anywhere, (), {"where": Where("01", OTHER_MUNICIPALITY)}),
             (roadmap_title, (other_roadmap,), {})]
    for function, args, kwargs in calls:
        cache.compute(function, *args, **kwargs)          # the unrestricted user may
        with access.acting_as(MUN), pytest.raises(AccessDenied):
            cache.compute(function, *args, **kwargs)
    with access.acting_as(MUN), pytest.raises(AccessDenied):
        cache.view(_frame_of, cache.source(schools_of, "01", OTHER_MUNICIPALITY))


# Reads whose places are not typed: refused for everyone, before anything is read.
def untyped_district(store: Store, region_id: RegionId, mun_id: str) -> pd.DataFrame:
    return _schools(store, Territory(region_id, mun_id))


def unannotated(store: Store, region_id: RegionId, mun_id=None) -> pd.DataFrame:
    return _schools(store, Territory(region_id, mun_id))


def anything(store: Store, where: Any) -> pd.DataFrame:
    return _schools(store, Territory(*where))


def rest(store: Store, *ids: str) -> pd.DataFrame:
    return _schools(store, Territory(*ids))


def loose_keywords(store: Store, **ids) -> pd.DataFrame:
    return _schools(store, Territory(**ids))


@pytest.mark.parametrize("function, args, kwargs", [
    (untyped_district, ("01", MUNICIPALITY), {}), (unannotated, ("01",), {}), (anything, (("01",),), {}),
    (rest, ("01",), {}), (loose_keywords, (), {"region_id": "01"})])
def test_a_read_with_untyped_places_is_not_run(fresh, function, args, kwargs):
    for principal in (access.SYSTEM, MUN):
        with access.acting_as(principal), pytest.raises(UncheckedRead, match="territorial type"):
            cache.compute(function, *args, **kwargs)
    with pytest.raises(UncheckedRead):
        cache.view(_frame_of, cache.source(function, *args, **kwargs))


# Every public read of the analytics modules the pages call, and the other reads pages call
# through the cache. Writes (they check access themselves) and helpers over tables the caller
# already holds are not reads a page can call through the cache (compute would refuse them).
READ_MODULES = ("attention", "basemap", "catalog", "comparison", "completion", "composite", "dynamics",
                "effectiveness", "engagement", "figures", "flows", "identification", "indicators", "mentoring",
                "overview", "passport", "performance_grid", "risks", "roadmaps", "roadmap_status", "school_map",
                "targets", "teachers")
OTHER_READS = ("presentation.report.make_report", "analytics.importer.lookups.subject_names")
NOT_READS = {"attention.rank_municipalities", "identification.rule_biased", "mentoring.current_plan"}
WRITE = re.compile(r"^(save_|load_|replace_|import_|set_)")


def _reads():
    for module_name in READ_MODULES:
        module = importlib.import_module(f"analytics.{module_name}")
        for name, function in vars(module).items():
            if (name.startswith("_") or not inspect.isfunction(function) or function.__module__ != module.__name__
                    or f"{module_name}.{name}" in NOT_READS or WRITE.match(name)):
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters and parameters[0] == "store" and "principal" not in parameters:
                yield f"{module_name}.{name}", function
    for path in OTHER_READS:
        module, _, name = path.rpartition(".")
        yield path, getattr(importlib.import_module(module), name)


def test_every_read_types_its_places():
    reads = dict(_reads())
    refused = {}
    for name, function in reads.items():
        try:
            access.read_parameters(function)
        except UncheckedRead as error:
            refused[name] = str(error)
    assert refused == {}
    assert len(reads) > 100
    typed = [name for name, function in reads.items() if access.read_parameters(function).specs
             or {Query, Territory} & set(typing.get_type_hints(function).values())]
    assert len(typed) > 95          # (the rest take no place: catalogues, years, registries)


def test_municipality_ranking_keeps_the_rank_in_the_region(fresh, demo_store):
    """A district head's call is narrowed to the own municipality's row, ranked among all."""
    catalogue = risks.default_catalogue(demo_store)
    call = ("01", 2026, 2026, TODAY, catalogue, 2026)
    everyone = cache.compute(attention.municipality_ranking, *call)
    with access.acting_as(MUN):
        own = cache.compute(attention.municipality_ranking, *call)
    assert len(everyone) > 1 and own["municipality_id"].tolist() == [MUNICIPALITY]
    expected = everyone[everyone["municipality_id"] == MUNICIPALITY]
    assert own["rank"].tolist() == expected["rank"].tolist() and own["score"].tolist() == expected["score"].tolist()
    # by type, not by the result filter: the call itself asks for the own municipality
    allowed = access.allowed_ids(demo_store, MUN.region_id, MUN.municipality_id, None)
    args, kwargs = access.scope_call(demo_store, MUN, allowed, attention.municipality_ranking, call, {})
    assert args == call and kwargs == {"municipality_id": MUNICIPALITY}


# -- the "as of" date of a year's figures -----------------------------------------------------------
@pytest.mark.parametrize("year, today, expected", [
    (2025, dt.date(2026, 3, 1), dt.date(2025, 12, 31)),     # a past year: its last day
    (2026, dt.date(2026, 3, 1), dt.date(2026, 3, 1)),       # the running year: today
    (2026, dt.date(2026, 12, 31), dt.date(2026, 12, 31)),
    (2027, dt.date(2026, 3, 1), dt.date(2026, 3, 1)),       # never a date in the future
    ("2025", dt.date(2026, 1, 1), dt.date(2025, 12, 31)),   # a year from the URL
])
def test_as_of_date(year, today, expected):
    assert as_of_date(year, today) == expected


def test_no_page_repeats_the_as_of_rule():
    offenders = [str(path.relative_to(PROJECT_ROOT)) for folder in ("pages", "ui", "presentation")
                 for path in (PROJECT_ROOT / folder).rglob("*.py")
                 if re.search(r"min\(.*\b12,\s*31\)", path.read_text(encoding="utf-8"))]
    assert offenders == []


def _ids_in(result) -> tuple[set, set]:
    """The school and municipality ids in every table of ``result``."""
    schools, municipalities = set(), set()
    frames = result.values() if isinstance(result, dict) else result if isinstance(result, (list, tuple)) else [result]
    for frame in frames:
        if isinstance(frame, pd.DataFrame):
            for column in ("school_id", "mentee_school_id"):
                if column in frame.columns:
                    schools |= set(frame[column].dropna().astype(str))
            if "municipality_id" in frame.columns:
                municipalities |= set(frame["municipality_id"].dropna().astype(str))
    return schools, municipalities


def test_page_reads_are_scoped_without_the_result_filter(fresh, demo_store, monkeypatch):
    """The row filter by column names is only a second line of defence: with it switched off, a
    district head's page reads still hold only the own municipality's schools (the calls were
    narrowed by type)."""
    from analytics import catalog, identification, overview, roadmaps, school_map, teachers
    catalogue = risks.default_catalogue(demo_store)
    own = set(demo_store.query_df("SELECT school_id FROM schools WHERE municipality_id = ?",
                                  [MUNICIPALITY])["school_id"])
    calls = [(catalog.schools, ("01", None)), (catalog.municipalities, ("01",)),
             (identification.identify, ("01", 2026)), (identification.school_table, ("01", None, 2026)),
             (attention.municipality_ranking, ("01", 2026, 2026, TODAY, catalogue, 2026)),
             (overview.by_municipality, ("01", None, 2026)), (risks.profiles, ("01", None, 2026, catalogue)),
             (roadmaps.units, (roadmaps.RoadmapFilter("01", year=2026), TODAY)),
             (school_map.current_pairs, ("01", None, 2026)), (teachers.coverage, ("01", None, 2026))]
    monkeypatch.setattr(access, "filter_result", lambda principal, allowed, result: result)
    for function, args in calls:
        everyone = _ids_in(cache.compute(function, *args))
        with access.acting_as(MUN):
            schools, municipalities = _ids_in(cache.compute(function, *args))
        assert schools <= own and municipalities <= {MUNICIPALITY}, function.__qualname__
        assert everyone[0] - own or everyone[1] - {MUNICIPALITY} or not everyone[0], function.__qualname__
