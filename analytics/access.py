"""Who may do what, and where: roles, principals, and the checks every read and write goes through.

A :class:`Principal` is a signed-in person (or the command line): a role plus its rights
(a region, a municipality or a school; ``None`` = no limit at that level). "Rights" is what a
user may see; the view filter a page applies is the "scope" (``analytics.scope.Scope``).

* Writes call :func:`require` in the analytics layer (roadmap statuses, roadmap saving,
  imports, KPI targets, mentor pairs), so no page can write outside its user's rights.
* Reads go through :func:`narrow_call`, applied centrally by ``ui.cache.compute``: every
  :class:`analytics.query.Territory` the call receives — bare or inside a
  :class:`analytics.query.Query`, whatever the parameter is called — is checked by its type:
  one beside the rights (another region, municipality or school) is refused, one wider than
  the rights is narrowed to them (down to the unit of the query's rows). This is the
  primary check; it does not depend on parameter or column names.
* Backstop for functions that still take ids as separate arguments: :func:`check_call`
  refuses a call naming a region, municipality, school, roadmap or unit outside the rights
  (by parameter name), and :func:`filter_result` drops the rows of schools, municipalities
  and regions outside them from every returned table (by column name).

The acting principal is kept in a context variable: the app sets it at the start of every
run (:func:`set_current`); code that sets nothing (command line, scripts, tests) acts as
:data:`SYSTEM`, the local operator, who may do everything.
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import inspect
from dataclasses import dataclass, replace
from enum import Enum
from typing import Iterator

import pandas as pd

from analytics.query import Query, Territory, depth
from analytics.store import Store
from analytics.reads import reads


class Role(str, Enum):
    ADMIN = "admin"                    # imports, settings, users; everything else too
    REGIONAL = "regional"              # read and edit everything of the region
    MUNICIPAL = "municipal"            # read and edit within the own municipality
    METHODOLOGIST = "methodologist"    # read within rights, report roadmap execution within them
    SCHOOL = "school"                  # read the own school, report its roadmap execution
    VIEWER = "viewer"                  # read only


ACTIONS = ("read", "edit_status", "edit_roadmap", "edit_mentors", "edit_targets", "import_data", "manage_users")

PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset(ACTIONS),
    Role.REGIONAL: frozenset({"read", "edit_status", "edit_roadmap", "edit_mentors", "edit_targets"}),
    Role.MUNICIPAL: frozenset({"read", "edit_status", "edit_roadmap", "edit_mentors"}),
    Role.METHODOLOGIST: frozenset({"read", "edit_status"}),
    Role.SCHOOL: frozenset({"read", "edit_status"}),
    Role.VIEWER: frozenset({"read"}),
}

# The rights each role must be given in the users file (the level named).
REQUIRED_SCOPE = {Role.MUNICIPAL: "municipality", Role.SCHOOL: "school"}


@dataclass(frozen=True)
class Principal:
    username: str
    role: Role
    name: str = ""
    region_id: str | None = None
    municipality_id: str | None = None
    school_id: str | None = None

    def can(self, action: str) -> bool:
        return action in PERMISSIONS[self.role]

    @property
    def unrestricted(self) -> bool:
        return self.region_id is None and self.municipality_id is None and self.school_id is None

    @property
    def rights(self) -> Territory:
        """Where this principal may read (``None`` = no limit at that level)."""
        return Territory(self.region_id, self.municipality_id, self.school_id)


SYSTEM = Principal("system", Role.ADMIN, "command line")
NOBODY = Principal("", Role.VIEWER, "")   # before sign-in: may read nothing (the app stops before any page)


class AccessDenied(PermissionError):
    """The principal may not do ``action`` there; nothing was read or written."""

    def __init__(self, principal: Principal, action: str, what: str = ""):
        super().__init__(f"{principal.username or 'anonymous'} ({principal.role.value}) may not {action}"
                         + (f": {what}" if what else ""))
        self.principal = principal
        self.action = action
        self.what = what


@dataclass(frozen=True)
class Place:
    """Where a thing is: its region, municipality and school (``None`` = above that level)."""
    region_id: str | None = None
    municipality_id: str | None = None
    school_id: str | None = None


# -- the acting principal ------------------------------------------------------------------
_current: contextvars.ContextVar[Principal] = contextvars.ContextVar("shnor_principal", default=SYSTEM)


def current() -> Principal:
    return _current.get()


def set_current(principal: Principal) -> None:
    _current.set(principal)


@contextlib.contextmanager
def acting_as(principal: Principal) -> Iterator[Principal]:
    token = _current.set(principal)
    try:
        yield principal
    finally:
        _current.reset(token)


# -- places --------------------------------------------------------------------------------
SCHOOL_PLACE = """
SELECT m.region_id, s.municipality_id, s.school_id
FROM schools s JOIN municipalities m USING (municipality_id) WHERE s.school_id = ?
"""
MUNICIPALITY_PLACE = "SELECT region_id, municipality_id, NULL FROM municipalities WHERE municipality_id = ?"
ROADMAP_PLACE = """
SELECT r.region_id, coalesce(s.municipality_id, r.municipality_id), r.school_id
FROM roadmaps r LEFT JOIN schools s USING (school_id) WHERE r.roadmap_id = ?
"""
# A unit belongs to its school, else to its roadmap (as in analytics.roadmaps).
UNIT_PLACE = """
SELECT r.region_id, coalesce(s.municipality_id, rs.municipality_id, r.municipality_id),
       coalesce(u.school_id, r.school_id)
FROM measure_status u JOIN measures me USING (measure_id) JOIN roadmaps r USING (roadmap_id)
LEFT JOIN schools s ON s.school_id = u.school_id
LEFT JOIN schools rs ON rs.school_id = r.school_id
WHERE u.unit_id = ?
"""
ALLOWED_SCHOOLS = """
SELECT s.school_id, s.municipality_id, m.region_id
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE ($region_id IS NULL OR m.region_id = $region_id)
  AND ($municipality_id IS NULL OR s.municipality_id = $municipality_id)
  AND ($school_id IS NULL OR s.school_id = $school_id)
"""
ALLOWED_MUNICIPALITIES = """
SELECT municipality_id FROM municipalities
WHERE ($region_id IS NULL OR region_id = $region_id)
  AND ($municipality_id IS NULL OR municipality_id = $municipality_id)
"""


def _place(store: Store, sql: str, key) -> Place | None:
    rows = store.query_rows(sql, [key])
    return Place(*rows[0]) if rows else None


def locate(store: Store, *, region_id: str | None = None, municipality_id: str | None = None,
           school_id: str | None = None, roadmap_id: int | None = None, unit_id: int | None = None) -> Place | None:
    """The place of the most specific thing named; ``None`` if it does not exist."""
    if unit_id is not None:
        return _place(store, UNIT_PLACE, int(unit_id))
    if roadmap_id is not None:
        return _place(store, ROADMAP_PLACE, int(roadmap_id))
    if school_id is not None:
        return _place(store, SCHOOL_PLACE, str(school_id))
    if municipality_id is not None:
        return _place(store, MUNICIPALITY_PLACE, str(municipality_id))
    return Place(region_id=region_id)


def complete(store: Store, principal: Principal) -> Principal:
    """Fill the region (and municipality) a users file may leave out: a school's municipality
    and region, a municipality's region. Rights naming nothing that exists leaves the
    principal unable to see anything (an impossible region)."""
    place = None
    if principal.school_id:
        place = locate(store, school_id=principal.school_id)
    elif principal.municipality_id:
        place = locate(store, municipality_id=principal.municipality_id)
    if place is None:
        if principal.school_id or principal.municipality_id:
            return replace(principal, region_id="\x00none")
        return principal
    return replace(principal, region_id=place.region_id, municipality_id=place.municipality_id,
                   school_id=principal.school_id)


def within(principal: Principal, place: Place | None, *, strict: bool) -> bool:
    """Is ``place`` inside the principal's rights?

    ``strict`` (writes): the place must lie entirely inside, e.g. a regional-level unit is
    outside a municipal user's rights. Not strict (reads): a place above the principal's
    level (a regional roadmap for a municipal user) is readable; one beside it is not."""
    if place is None:
        return False
    for mine, theirs in ((principal.region_id, place.region_id),
                         (principal.municipality_id, place.municipality_id),
                         (principal.school_id, place.school_id)):
        if mine is None:
            continue
        if theirs is None:
            if strict:
                return False
            continue
        if str(theirs) != str(mine):
            return False
    return True


def require(principal: Principal | None, action: str, place: Place | None = None, *, what: str = "",
            strict: bool = True) -> Principal:
    """Raise :class:`AccessDenied` unless ``principal`` may do ``action`` at ``place``."""
    principal = principal or current()
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not principal.can(action):
        raise AccessDenied(principal, action, what)
    if place is not None and not principal.unrestricted and not within(principal, place, strict=strict):
        raise AccessDenied(principal, action, what or _describe(place))
    return principal


def require_at(store: Store, principal: Principal | None, action: str, **thing) -> Principal:
    """:func:`require` for a thing named by id (``school_id=``, ``unit_id=``, ``roadmap_id=``...)."""
    principal = principal or current()
    if principal.unrestricted:
        return require(principal, action)
    place = locate(store, **thing)
    what = ", ".join(f"{k}={v}" for k, v in thing.items() if v is not None)
    if place is None:
        raise AccessDenied(principal, action, what + " (unknown)")
    return require(principal, action, place, what=what)


def _describe(place: Place) -> str:
    return ", ".join(f"{k}={v}" for k, v in vars(place).items() if v is not None)


# -- reads: the central check on calls and their results ---------------------------------------
@dataclass(frozen=True)
class Allowed:
    """Ids inside a principal's rights (computed once per rights and data version)."""
    regions: frozenset
    municipalities: frozenset
    schools: frozenset


@reads("municipalities", "schools")
def allowed_ids(store: Store, region_id: str | None, municipality_id: str | None,
                school_id: str | None) -> Allowed:
    params = {"region_id": region_id, "municipality_id": municipality_id, "school_id": school_id}
    schools = store.query_rows(ALLOWED_SCHOOLS, params)
    municipalities = store.query_rows(ALLOWED_MUNICIPALITIES, {k: params[k] for k in ("region_id", "municipality_id")})
    return Allowed(regions=frozenset({region_id} if region_id else {r for _, _, r in schools}),
                   municipalities=frozenset(m for (m,) in municipalities),
                   schools=frozenset(s for s, _, _ in schools))


SCHOOL_ARGUMENTS = ("school_id", "mentee_school_id")
SCHOOL_COLUMNS = ("school_id", "mentee_school_id")


@functools.lru_cache(maxsize=1024)
def _signature(function) -> inspect.Signature | None:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):
        return None


def _named_values(function, args: tuple, kwargs: dict) -> list[tuple[str, object]]:
    """(parameter name, value) pairs of a call ``function(store, *args, **kwargs)``, with the
    fields of named-tuple arguments (such as a roadmap filter) included."""
    signature = _signature(function)
    if signature is None:
        return list(kwargs.items())
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return list(kwargs.items())
    bound.apply_defaults()
    pairs = []
    for name, value in list(bound.arguments.items())[1:]:
        pairs.append((name, value))
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            pairs.extend((field, getattr(value, field)) for field in value._fields)
    return pairs


def check_call(store: Store, principal: Principal, allowed: Allowed, function, args: tuple, kwargs: dict) -> None:
    """Refuse a read that names anything outside the principal's rights, by parameter name (raises AccessDenied)."""
    if principal.unrestricted:
        return
    if not principal.can("read"):
        raise AccessDenied(principal, "read")
    for name, value in _named_values(function, args, kwargs):
        if name == "region_id":
            # None means "every region": not for someone limited to one.
            if value is None or str(value) not in allowed.regions:
                raise AccessDenied(principal, "read", f"region_id={value}")
        elif name == "municipality_id":
            if value is not None and str(value) not in allowed.municipalities:
                raise AccessDenied(principal, "read", f"municipality_id={value}")
        elif name in SCHOOL_ARGUMENTS:
            if value is not None and str(value) not in allowed.schools:
                raise AccessDenied(principal, "read", f"{name}={value}")
        elif name in ("roadmap_id", "unit_id") and value is not None:
            try:
                place = locate(store, **{name: int(value)})
            except (TypeError, ValueError):
                place = None
            if place is not None and not within(principal, place, strict=False):
                raise AccessDenied(principal, "read", f"{name}={value}")


def narrow(principal: Principal, allowed: Allowed, territory: Territory, levels: int = 2) -> Territory:
    """``territory`` within the principal's rights: refused (AccessDenied) when it names a
    region, municipality or school outside them; otherwise narrowed to the rights at the
    first ``levels`` + 1 levels (0: region, 1: + municipality, 2: + school), so that a
    regional total stays a regional total and a table of schools holds only the user's."""
    if principal.unrestricted:
        return territory
    if not principal.can("read"):
        raise AccessDenied(principal, "read")
    for value, ids, name in ((territory.region_id, allowed.regions, "region_id"),
                             (territory.municipality_id, allowed.municipalities, "municipality_id"),
                             (territory.school_id, allowed.schools, "school_id")):
        if value is not None and str(value) not in ids:
            raise AccessDenied(principal, "read", f"{name}={value}")
    region = principal.region_id
    if region is None and len(allowed.regions) == 1:
        region = next(iter(allowed.regions))
    mine = (region, principal.municipality_id, principal.school_id)
    narrowed = tuple(theirs if theirs is not None or level > levels else own
                     for level, (own, theirs) in enumerate(zip(mine, territory.ids())))
    if narrowed[0] is None:      # "every region": not for someone whose rights are narrower
        raise AccessDenied(principal, "read", "region_id=None")
    return territory if narrowed == territory.ids() else Territory(*narrowed)


def _narrowed(principal: Principal, allowed: Allowed, value):
    """``value`` with every Territory in it (bare, in a Query, in any dataclass, named tuple,
    tuple, list or dict) narrowed to the rights."""
    if isinstance(value, Territory):
        return narrow(principal, allowed, value)
    if isinstance(value, Query):
        territory = narrow(principal, allowed, value.territory, depth(value.level))
        return value if territory is value.territory else replace(value, territory=territory)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            item = getattr(value, f.name)
            new = _narrowed(principal, allowed, item)
            if new is not item:
                changes[f.name] = new
        return replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = [_narrowed(principal, allowed, v) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        items = [_narrowed(principal, allowed, v) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    if isinstance(value, dict):
        items = {k: _narrowed(principal, allowed, v) for k, v in value.items()}
        return value if all(items[k] is value[k] for k in value) else items
    return value


def narrow_call(principal: Principal, allowed: Allowed, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """The arguments of a read with every :class:`Territory` in them narrowed to the
    principal's rights (found by type, whatever the parameter is called); AccessDenied when
    one names a place outside them."""
    if principal.unrestricted:
        return args, kwargs
    return (tuple(_narrowed(principal, allowed, a) for a in args),
            {k: _narrowed(principal, allowed, v) for k, v in kwargs.items()})


def filter_result(principal: Principal, allowed: Allowed, result):
    """Drop the rows of schools, municipalities and regions outside the rights from every table (by column name)
    in ``result`` (a DataFrame, or dicts/lists/tuples of them). Rows with no school (an
    aggregate, a regional measure) are kept."""
    if principal.unrestricted:
        return result
    if isinstance(result, pd.DataFrame):
        keep = pd.Series(True, index=result.index)
        for column, ids in (("region_id", allowed.regions), ("municipality_id", allowed.municipalities),
                            *((c, allowed.schools) for c in SCHOOL_COLUMNS)):
            if column in result.columns:
                values = result[column]
                keep &= values.isna() | values.astype(str).isin(ids)
        return result if keep.all() else result[keep]
    if isinstance(result, dict):
        return {k: filter_result(principal, allowed, v) for k, v in result.items()}
    if isinstance(result, list):
        return [filter_result(principal, allowed, v) for v in result]
    if isinstance(result, tuple) and not hasattr(result, "_fields"):
        return tuple(filter_result(principal, allowed, v) for v in result)
    return result


def editable_units(principal: Principal, units: pd.DataFrame) -> pd.DataFrame:
    """The rows of a units table (``school_id``, ``municipality_id``) the principal may report on."""
    if not principal.can("edit_status"):
        return units.iloc[0:0]
    if principal.unrestricted:
        return units
    keep = pd.Series(True, index=units.index)
    if principal.school_id is not None:
        keep &= units["school_id"].astype(object).eq(principal.school_id)
    if principal.municipality_id is not None:
        keep &= units["municipality_id"].astype(object).eq(principal.municipality_id)
    return units[keep]
