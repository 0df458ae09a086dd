"""The figure registry: one definition and one computation per headline figure.

Definitions (label, population, numerator, denominator, as-of date, unit; Russian and
English) are data in ``analytics/reference/figures.toml``; :func:`compute` returns a
:class:`FigureValue` for a figure in a scope. Overview cards, roadmap headlines, slides,
the report, the passport, targets, «Кадры» and «Рисковые профили» all take their headline
figures from here, so one label means one number everywhere (tests/test_consistency.py).
"""
from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from analytics import overview, risks
from analytics import roadmaps as rm
from analytics.query import MunicipalityId, Query, RegionId, SchoolId
from analytics.reads import reads
from analytics.store import Store

REGISTRY_PATH = Path(__file__).parent / "reference" / "figures.toml"
DEFAULT_BASIS = "measures"
BASES = rm.BASES
FIELDS = ("label", "population", "numerator", "denominator", "as_of")
DEFAULT_CATEGORY = "low_results"     # the list whose uncovered high risks are counted unless asked otherwise
# Populations of the risk figures by the list category they look at (None: every profiled school).
# Figures of one school (they need ``school_id``).
SCHOOL_FIGURES = ("school_roadmap_completion",)
RISK_FIGURES = {"low_results": "high_risk_listed", "risk_zone": "high_risk_risk_zone", None: "high_risk_profiled"}


@dataclass(frozen=True)
class Figure:
    figure_id: str
    unit: str
    text: dict          # (field, language) -> template

    def get(self, name: str, language: str) -> str:
        return self.text[(name, language)]


@lru_cache(maxsize=1)
def registry() -> dict[str, Figure]:
    data = tomllib.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
    out = {}
    for figure_id, entry in data.items():
        text = {(name, lang): entry[f"{name}_{lang}"] for name in FIELDS for lang in ("ru", "en")}
        out[figure_id] = Figure(figure_id, entry["unit"], text)
    return out


class FigureScope(NamedTuple):
    """Where and when a figure is computed (the filter of the page that shows it)."""
    region_id: RegionId
    municipality_id: MunicipalityId | None
    year: int
    as_of: dt.date
    basis: str = DEFAULT_BASIS


@dataclass
class FigureValue:
    """A computed figure. ``value`` is a count or a share in 0..1 (None: no data);
    ``numerator``/``denominator`` are what it was computed from; ``period`` is the year
    the figure refers to (list or profile year); ``as_of`` the date it is at."""
    figure_id: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    as_of: dt.date | None = None
    period: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def unit(self) -> str:
        return registry()[self.figure_id].unit

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, float) and math.isnan(self.value))


def _share(numerator, denominator) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


def compute(store: Store, figure_id: str, scope: FigureScope, *, school_id: SchoolId | None = None,
            roadmap_filter: rm.RoadmapFilter | None = None, catalogue_id: str | None = None,
            category: str | None = DEFAULT_CATEGORY) -> FigureValue:
    """The value of ``figure_id`` in ``scope``. Options: ``school_id`` for a school's figure,
    ``roadmap_filter`` instead of the scope's units, ``catalogue_id`` and ``category`` (None:
    every profiled school) for risk figures. (Typed, not ``**options``: access checks the places
    a call names by type.)"""
    if figure_id not in registry():
        raise KeyError(f"unknown figure {figure_id!r}")
    options = {name: value for name, value in (("school_id", school_id), ("roadmap_filter", roadmap_filter),
                                                ("catalogue_id", catalogue_id)) if value is not None}
    return _COMPUTE[figure_id](store, figure_id, scope, category=category, **options)


def _listed_schools(store, figure_id, scope, **_):
    list_year = overview.latest_list_year(store, scope.year)
    if list_year is None:
        return FigureValue(figure_id, None)
    row = overview.list_change(store, scope.region_id, scope.municipality_id, list_year).iloc[0]
    previous = row["previous"]
    previous = None if previous is None or (isinstance(previous, float) and math.isnan(previous)) else int(previous)
    return FigureValue(figure_id, int(row["schools"]), period=list_year,
                       extra={"previous": previous, "relative_change": row["relative_change"]})


def _filter(scope: FigureScope) -> rm.RoadmapFilter:
    return rm.RoadmapFilter(scope.region_id, scope.municipality_id, scope.year)


def _roadmap_completion(store, figure_id, scope, roadmap_filter=None, **_):
    flt = roadmap_filter or _filter(scope)
    row = rm.completion(store, flt, scope.as_of, scope.basis).iloc[0]
    planned = int(row["planned"])
    return FigureValue(figure_id, float(row["share_of_plan"]) if planned else None, int(row["done"]), planned,
                       as_of=scope.as_of, extra={"basis": scope.basis, "measures": int(row["measures"]),
                                                 "overdue": int(row["overdue"]),
                                                 "on_time": float(row["on_time_share_of_plan"]) if planned else None,
                                                 "late": float(row["late_share_of_plan"]) if planned else None})


def _roadmap_checkpoint(store, figure_id, scope, roadmap_filter=None, **_):
    flt = roadmap_filter or _filter(scope)
    progress = rm.checkpoint_progress(store, flt, scope.as_of, scope.basis)
    passed = progress[progress["passed"]]
    ahead = progress[~progress["passed"]]
    nxt = None if ahead.empty else {"date": ahead.iloc[0]["checkpoint_date"],
                                    "target": float(ahead.iloc[0]["target_share"])}
    if passed.empty or int(passed.iloc[-1]["planned"]) == 0:
        return FigureValue(figure_id, None, extra={"basis": scope.basis, "next": nxt})
    last = passed.iloc[-1]
    return FigureValue(figure_id, float(last["actual_share"]), int(last["done"]), int(last["planned"]),
                       as_of=last["checkpoint_date"],
                       extra={"basis": scope.basis, "target": float(last["target_share"]),
                              "gap": float(last["gap"]), "met": bool(last["met"]), "next": nxt})


def _roadmap_overdue(store, figure_id, scope, roadmap_filter=None, **_):
    flt = roadmap_filter or _filter(scope)
    row = rm.completion(store, flt, scope.as_of, "units").iloc[0]
    return FigureValue(figure_id, int(row["overdue"]), as_of=scope.as_of)


def _risk_year(store, scope, catalogue_id):
    catalogue_id = catalogue_id or risks.default_catalogue(store)
    return catalogue_id, risks.profile_year(store, catalogue_id, scope.year)


def _category_of(figure_id: str) -> str | None:
    return next(c for c, f in RISK_FIGURES.items() if f == figure_id)


def _high_risk(store, figure_id, scope, catalogue_id=None, **_):
    catalogue_id, year = _risk_year(store, scope, catalogue_id)
    if year is None:
        return FigureValue(figure_id, None)
    frame = risks.profiles(store, scope.region_id, scope.municipality_id, year, catalogue_id, _category_of(figure_id))
    schools = frame["school_id"].nunique()
    high = frame.loc[frame["level"] == "high", "school_id"].nunique()
    return FigureValue(figure_id, _share(high, schools), high, schools, period=year)


def _uncovered_high_risks(store, figure_id, scope, catalogue_id=None, category=DEFAULT_CATEGORY, **_):
    catalogue_id, year = _risk_year(store, scope, catalogue_id)
    if year is None:
        return FigureValue(figure_id, None)
    gaps = risks.coverage(store, scope.region_id, scope.municipality_id, year, catalogue_id, category)
    high = gaps[gaps["level"] == "high"]
    open_ = high[~high["covered"]]
    no_roadmap = high[~high["in_roadmap"]]
    return FigureValue(figure_id, len(open_), period=year,
                       extra={"schools": int(open_["school_id"].nunique()), "category": category,
                              "high": len(high),
                              "schools_without_measures": int(no_roadmap["school_id"].nunique()),
                              "risks_without_measures": len(no_roadmap)})


def _mentor_coverage(store, figure_id, scope, **_):
    list_year = overview.latest_list_year(store, scope.year)
    if list_year is None:
        return FigureValue(figure_id, None)
    row = overview.mentor_coverage(store, scope.region_id, scope.municipality_id, list_year).iloc[0]
    listed = int(row["listed"])
    return FigureValue(figure_id, _share(row["with_mentor"], listed), int(row["with_mentor"]), listed,
                       period=list_year, extra={"mean_km": row["mean_km"], "max_km": row["max_km"]})


def _teachers_positive_dynamics(store, figure_id, scope, **_):
    from analytics import targets  # targets imports identification; keep this module light to import
    frame = targets.details(store, "teachers_positive_dynamics", scope.region_id, scope.municipality_id,
                            scope.year, scope.as_of)
    numerator = float(frame["numerator"].sum()) if len(frame) else 0.0
    denominator = float(frame["denominator"].sum()) if len(frame) else 0.0
    return FigureValue(figure_id, _share(numerator, denominator), numerator, denominator, period=scope.year)


def _attention_schools(store, figure_id, scope, catalogue_id=None, **_):
    from analytics import attention
    list_year = overview.latest_list_year(store, scope.year)
    if list_year is None:
        return FigureValue(figure_id, None)
    catalogue_id, risk_year = _risk_year(store, scope, catalogue_id)
    frame = attention.rank_schools(store, Query.of(scope.region_id, scope.municipality_id, year=scope.year),
                                   list_year=list_year, as_of=scope.as_of, catalogue_id=catalogue_id,
                                   risk_year=risk_year, basis=scope.basis)
    flagged = frame[frame["needs_attention"].astype(bool)]
    return FigureValue(figure_id, int(flagged["school_id"].nunique()), int(flagged["school_id"].nunique()),
                       int(frame["school_id"].nunique()), as_of=scope.as_of, period=list_year,
                       extra={"table": flagged.reset_index(drop=True), "ranked": frame,
                              "threshold": attention.rule().threshold})


_COMPUTE = {
    "listed_schools": _listed_schools,
    "roadmap_completion": _roadmap_completion,
    "roadmap_checkpoint": _roadmap_checkpoint,
    "school_roadmap_completion": lambda store, figure_id, scope, school_id, **_: _roadmap_completion(
        store, figure_id, scope, rm.RoadmapFilter(scope.region_id, None, scope.year, school_id=school_id)),
    "roadmap_overdue": _roadmap_overdue,
    "high_risk_listed": _high_risk,
    "high_risk_risk_zone": _high_risk,
    "high_risk_profiled": _high_risk,
    "uncovered_high_risks": _uncovered_high_risks,
    "mentor_coverage": _mentor_coverage,
    "teachers_positive_dynamics": _teachers_positive_dynamics,
    "attention_schools": _attention_schools,
}


# The risk figures read no roadmap statuses: declared apart from :func:`compute` (which reads
# everything, so any write recomputes it), a status save leaves them cached.
RISK_FIGURE_IDS = frozenset(RISK_FIGURES.values()) | {"uncovered_high_risks"}


@reads("measure_schools", "measures", "municipalities", "risk_catalogues", "risk_factors", "risk_levels",
       "risk_profiles", "roadmaps", "school_lists", "schools")
def compute_risk_figure(store: Store, figure_id: str, scope: FigureScope, *, school_id: SchoolId | None = None,
                        roadmap_filter: rm.RoadmapFilter | None = None, catalogue_id: str | None = None,
                        category: str | None = DEFAULT_CATEGORY) -> FigureValue:
    """:func:`compute` for a figure of ``RISK_FIGURE_IDS``."""
    if figure_id not in RISK_FIGURE_IDS:
        raise ValueError(f"{figure_id!r} is not a risk figure")
    return compute(store, figure_id, scope, school_id=school_id, roadmap_filter=roadmap_filter,
                   catalogue_id=catalogue_id, category=category)


def compute_function(figure_id: str):
    """The declared computation of a figure (what the page cache keys it on)."""
    return compute_risk_figure if figure_id in RISK_FIGURE_IDS else compute


def definition(figure_id: str, language: str) -> dict[str, str]:
    """The definition's parts (population, numerator, denominator, as_of) in ``language``."""
    figure = registry()[figure_id]
    return {name: figure.get(name, language) for name in FIELDS if name != "label"}
