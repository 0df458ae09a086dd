"""What an analytics call asks for, as typed values instead of long positional lists.

* :class:`Territory` — region, municipality, school (``None`` = not narrowed at that level).
  It is the one thing a user's rights narrow: access control finds every ``Territory`` an
  analytics call receives (bare, or inside a :class:`Query`) by its type, whatever the
  parameter is called (see :func:`analytics.access.narrow_call`).
* :class:`Query` — a territory plus the assessment slice (years, procedure, subject, grade)
  and the unit of the rows asked for (``level``), which tells access control how far down
  the rights narrow the territory: a regional total stays a regional total for a municipal
  user, a table of schools becomes the table of that user's schools.
* :class:`Pooling` — what is summed together before an indicator is computed.
* Typed ids — :data:`RegionId`, :data:`MunicipalityId`, :data:`SchoolId`, :data:`RoadmapId`,
  :data:`UnitId` — for functions that take a place one id at a time: the annotation, not the
  parameter's name, tells access control that the argument is a place to check (a plain ``str``
  at run time: call sites pass ordinary values).

Shared rules: :func:`as_of_date` (the "as of" date of a year's figures) and
:func:`default_min_n` (the small-numbers threshold of the settings).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import NewType

# Places named one id at a time. Access control reads these annotations (typing.get_type_hints)
# on every read the pages call: a parameter that could carry a place must have one of them (or be
# a Territory / Query), see analytics.access.read_parameters.
RegionId = NewType("RegionId", str)
MunicipalityId = NewType("MunicipalityId", str)
SchoolId = NewType("SchoolId", str)
RoadmapId = NewType("RoadmapId", int)
UnitId = NewType("UnitId", int)

# The unit of a query's rows, coarsest first; "similar" (groups of similar schools across
# the territory) are totals like a region's.
LEVELS = ("region", "similar", "municipality", "school")
_DEPTH = {"region": 0, "similar": 0, "municipality": 1, "school": 2}


@dataclass(frozen=True)
class Territory:
    """Where the data comes from: a region, a municipality, a school (``None`` = all of them
    at that level; ``region_id=None`` = every region)."""
    region_id: str | None = None
    municipality_id: str | None = None
    school_id: str | None = None

    def ids(self) -> tuple[str | None, str | None, str | None]:
        return (self.region_id, self.municipality_id, self.school_id)


@dataclass(frozen=True)
class Pooling:
    """Pool grades and/or subjects into one row; ``years`` > 1 sums a rolling window of years."""
    grades: bool = False
    subjects: bool = False
    years: int = 1


@dataclass(frozen=True)
class Query:
    """A territory, a span of years and an assessment slice (``None`` = all), and the unit of
    the rows asked for (``level``: school | municipality | region | similar)."""
    territory: Territory = field(default_factory=Territory)
    year_from: int | None = None
    year_to: int | None = None
    procedure: str | None = None
    subject_id: str | None = None
    grade: int | None = None
    level: str = "school"

    def __post_init__(self):
        if self.level not in _DEPTH:
            raise ValueError(f"unknown level {self.level!r}; one of {LEVELS}")
        if self.grade is not None and not isinstance(self.grade, int):
            object.__setattr__(self, "grade", int(self.grade))

    @classmethod
    def of(cls, region_id: str | None = None, municipality_id: str | None = None, school_id: str | None = None,
           *, year: int | None = None, **slice_) -> "Query":
        """``Query.of("R", "M1", year=2026, procedure="VPR")``: a query from ids (``year`` = a
        one-year span)."""
        if year is not None:
            slice_ = {"year_from": int(year), "year_to": int(year), **slice_}
        return cls(Territory(region_id, municipality_id, school_id), **slice_)

    @classmethod
    def from_view(cls, view, **changes) -> "Query":
        """A query from the page's view filter (:class:`analytics.scope.Scope`): its territory
        and slice, the year as a one-year span; ``changes`` override any field."""
        values = dict(territory=Territory(view.region_id, view.municipality_id), year_from=view.year,
                      year_to=view.year, procedure=view.procedure, subject_id=view.subject_id, grade=view.grade)
        if "territory" not in changes and ("municipality_id" in changes or "school_id" in changes):
            values["territory"] = replace(values["territory"], **{k: changes.pop(k) for k in
                                                                  ("municipality_id", "school_id") if k in changes})
        values.update(changes)
        return cls(**values)

    def at(self, **changes) -> "Query":
        """A copy with fields changed; ``region_id``/``municipality_id``/``school_id`` change the territory."""
        ids = {k: changes.pop(k) for k in ("region_id", "municipality_id", "school_id") if k in changes}
        if ids:
            changes["territory"] = replace(changes.get("territory", self.territory), **ids)
        return replace(self, **changes)

    @property
    def region_id(self) -> str | None:
        return self.territory.region_id

    @property
    def municipality_id(self) -> str | None:
        return self.territory.municipality_id

    @property
    def school_id(self) -> str | None:
        return self.territory.school_id

    @property
    def year(self) -> int:
        """The year of a one-year question (the end of the span)."""
        year = self.year_to if self.year_to is not None else self.year_from
        if year is None:
            raise ValueError("this question needs a year")
        return int(year)

    @property
    def single_year(self) -> bool:
        return self.year_from is not None and self.year_from == self.year_to


def depth(level: str) -> int:
    """How many territory levels (region, municipality, school) a row of ``level`` resolves."""
    return _DEPTH[level]


def as_of_date(year: int, today: dt.date) -> dt.date:
    """The date a year's figures are "as of": today for the running year, 31 December for a
    past one (and never a date in the future)."""
    return min(today, dt.date(int(year), 12, 31))


def default_min_n() -> int:
    """The small-numbers threshold of the settings (an indicator of fewer participants is
    shown as «мало данных»)."""
    from analytics.config import load_settings
    return load_settings().min_n
