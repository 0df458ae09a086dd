"""Who may do what, and where: roles, principals, and the checks every read and write goes through.

A :class:`Principal` is a signed-in person (or the command line): a role plus its rights
(a region, a municipality or a school; ``None`` = no limit at that level). "Rights" is what a
user may see; the view filter a page applies is the "scope" (``analytics.scope.Scope``).

* Writes call :func:`require` in the analytics layer (roadmap statuses, roadmap saving,
  imports, KPI targets, mentor pairs), so no page can write outside its user's rights.
* Reads go through :func:`scope_call`, applied centrally by ``ui.cache.compute``; it finds the
  places a call names by their TYPE, never by a parameter's or a column's name:
  every :class:`analytics.query.Territory` — bare or inside a :class:`analytics.query.Query`,
  whatever the parameter is called — is narrowed (:func:`narrow_call`): one beside the rights
  (another region, municipality or school) is refused, one wider than the rights is narrowed to
  them (down to the unit of the query's rows); every parameter annotated with a typed id
  (``RegionId``, ``MunicipalityId``, ``SchoolId``, ``RoadmapId``, ``UnitId``, also as fields of a
  named tuple or dataclass argument) is refused outside the rights, and a municipality left open
  (``None``) becomes the user's own.
* Fail closed: a read whose parameter could carry a place without such a type (not annotated, a
  plain ``str``/``int``/``dict`` whose meaning is not declared in :data:`NON_TERRITORIAL_NAMES`,
  ``*args``, a table) is not run for anyone (:class:`UncheckedRead`, a developer error);
  tests/test_query_scoping.py scans every public read so CI finds one before a user does.
* Second line of defence: :func:`filter_result` drops, from returned tables, the rows whose id
  columns (``region_id``, ``municipality_id``, ``school_id``, ``mentee_school_id``) lie outside
  the rights. For a district head nothing depends on it (the page reads in
  tests/test_query_scoping.py stay scoped with it switched off); for a school's user it still
  takes the rows of reads typed down to the municipality only (catalog.schools,
  identification.identify ...) down to the own school.

The acting principal is kept in a context variable: the app sets it at the start of every
run (:func:`set_current`); code that sets nothing (command line, scripts, tests) acts as
:data:`SYSTEM`, the local operator, who may do everything.
"""
from __future__ import annotations

import collections.abc
import contextlib
import contextvars
import dataclasses
import datetime as dt
import functools
import inspect
import types
import typing
from dataclasses import dataclass, replace
from enum import Enum
from typing import Iterator

import pandas as pd

from analytics.query import (MunicipalityId, Pooling, Query, RegionId, RoadmapId, SchoolId, Territory,
                             UnitId, depth)
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


# -- reads: the check by type ------------------------------------------------------------------
# The typed ids of analytics.query and the place each names.
ID_KINDS = {RegionId: "region_id", MunicipalityId: "municipality_id", SchoolId: "school_id",
            RoadmapId: "roadmap_id", UnitId: "unit_id"}
# Types that cannot name a place (a Territory or Query is narrowed by value, see narrow_call).
NON_TERRITORIAL_TYPES = (bool, float, dt.date, type(None), Territory, Query, Pooling)
# A plain str or int (or a tuple, list or dict of them) can hold an id, so a read may take one
# only for a meaning declared here. A name here never grants access: it only lets a read that
# cannot name a place through that parameter run at all; anything else must be typed.
NON_TERRITORIAL_NAMES = frozenset({
    # time
    "year", "years", "year_from", "year_to", "list_year", "risk_year", "pool_years", "trend_years",
    "min_years", "horizon_days", "window",
    # the assessment slice and the registry
    "procedure", "subject_id", "subjects", "grade", "indicator", "indicators", "figure_id", "target_id",
    "criterion_id",
    # catalogues, categories and choices of a computation
    "catalogue_id", "category", "source", "basis", "method", "level", "levels", "dimension", "section",
    "executor", "language", "number", "browser",
    # thresholds and rule values
    "min_n", "min_participants", "min_group", "limit", "top", "capacity", "params", "overrides",
})


class UncheckedRead(TypeError):
    """A developer error: a read reached through the page cache has a parameter that could carry
    a place without a territorial type, so its access could not be checked; it was not run."""


def _refuse_untyped(where: str, name: str, annotation) -> UncheckedRead:
    return UncheckedRead(
        f"{where}: parameter {name!r} ({getattr(annotation, '__name__', annotation)!s}) could name a place "
        "but has no territorial type. Annotate it with analytics.query.RegionId / MunicipalityId / SchoolId / "
        "RoadmapId / UnitId, Territory or Query, or, if it can never name a place, declare its meaning in "
        "analytics.access.NON_TERRITORIAL_NAMES.")


def _spec(annotation, name: str, where: str):
    """What checking a value of ``annotation`` means: None (nothing to check), ("id", kind),
    ("each", spec) for a homogeneous container, ("items", specs) for a fixed tuple,
    ("fields", ((field, spec), ...)) for a named tuple or dataclass. Raises UncheckedRead."""
    if annotation in ID_KINDS:
        return ("id", ID_KINDS[annotation])
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        found = [s for s in (_spec(a, name, where) for a in arguments if a is not type(None)) if s is not None]
        if len(found) > 1:
            raise _refuse_untyped(where, name, annotation)
        return found[0] if found else None
    if origin is tuple and arguments and arguments[-1] is not Ellipsis:
        specs = tuple(_spec(a, name, where) for a in arguments)
        return ("items", specs) if any(specs) else None
    if origin in (tuple, list, set, frozenset, collections.abc.Sequence, collections.abc.Collection):
        if not arguments:
            raise _refuse_untyped(where, name, annotation)
        element = _spec(arguments[0], name, where)
        return None if element is None else ("each", element)
    if annotation in (str, int, dict) or origin is dict:
        if name in NON_TERRITORIAL_NAMES:
            return None
        raise _refuse_untyped(where, name, annotation)
    if isinstance(annotation, type) and issubclass(annotation, NON_TERRITORIAL_TYPES):
        return None
    if isinstance(annotation, type) and (dataclasses.is_dataclass(annotation) or hasattr(annotation, "_fields")):
        fields = _class_spec(annotation)
        return ("fields", fields) if fields else None
    raise _refuse_untyped(where, name, annotation)


@functools.lru_cache(maxsize=256)
def _class_spec(cls) -> tuple:
    """The fields of a named tuple or dataclass that name places, each with its spec."""
    where = f"{cls.__module__}.{cls.__qualname__}"
    try:
        hints = typing.get_type_hints(cls)
    except Exception as error:          # an annotation that does not resolve
        raise UncheckedRead(f"{where}: the field types cannot be read ({error})") from error
    names = cls._fields if hasattr(cls, "_fields") else [f.name for f in dataclasses.fields(cls) if f.init]
    specs = []
    for field in names:
        if field not in hints:
            raise _refuse_untyped(where, field, "no annotation")
        spec = _spec(hints[field], field, where)
        if spec is not None:
            specs.append((field, spec))
    return tuple(specs)


@dataclass(frozen=True)
class ReadParameters:
    """A read's parameters (after the store) that name places, each with its spec; ``extra``: the
    name of a ``**`` parameter, whose values are checked one by one by their own type."""
    signature: inspect.Signature
    specs: tuple
    extra: str | None


@functools.lru_cache(maxsize=1024)
def read_parameters(function) -> ReadParameters:
    """The typed places of ``function(store, ...)``; UncheckedRead when a parameter could carry a
    place without a territorial type (not annotated, a plain str or int of undeclared meaning,
    ``*args``, a table). Read from the annotations once per function."""
    where = f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', function)}"
    try:
        signature = inspect.signature(function)
        hints = typing.get_type_hints(function)
    except Exception as error:
        raise UncheckedRead(f"{where}: the parameter types cannot be read ({error})") from error
    specs, extra = [], None
    for parameter in list(signature.parameters.values())[1:]:        # the first is the store
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            raise _refuse_untyped(where, "*" + parameter.name, "positional rest")
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            extra = parameter.name
            continue
        if parameter.name not in hints:
            raise _refuse_untyped(where, parameter.name, "no annotation")
        spec = _spec(hints[parameter.name], parameter.name, where)
        if spec is not None:
            specs.append((parameter.name, spec))
    return ReadParameters(signature, tuple(specs), extra)


def _value_spec(name: str, value, where: str):
    """The spec of a ``**`` argument, from its value's type (a plain str or int only under a
    declared non-territorial name)."""
    if isinstance(value, (list, tuple, set, frozenset)) and not hasattr(value, "_fields"):
        specs = [_value_spec(name, v, where) for v in value]
        return ("items", tuple(specs)) if any(specs) and isinstance(value, tuple) else \
            (("each", next(s for s in specs if s)) if any(specs) else None)
    return _spec(type(value), name, where)


def typed_read(function, args: tuple, kwargs: dict) -> ReadParameters:
    """:func:`read_parameters` of ``function``, and the ``**`` arguments of this call checked to
    be typed too (for every user: a read whose places are untyped is not run for anyone)."""
    parameters = read_parameters(function)
    if parameters.extra is not None:
        extra = set(parameters.signature.parameters) - {parameters.extra}
        where = f"{function.__module__}.{function.__qualname__}"
        for name, value in kwargs.items():
            if name not in extra:
                _value_spec(name, value, where)
    return parameters


def _bound(function, parameters: ReadParameters, args: tuple, kwargs: dict) -> dict:
    bound = parameters.signature.bind(None, *args, **kwargs)      # a wrong call fails here, unread
    bound.apply_defaults()
    return bound.arguments


def _check_id(store: Store, principal: Principal, allowed: Allowed, kind: str, value) -> None:
    if kind == "region_id":
        # None means "every region": not for someone limited to one.
        if value is None or str(value) not in allowed.regions:
            raise AccessDenied(principal, "read", f"region_id={value}")
    elif kind in ("municipality_id", "school_id"):
        ids = allowed.municipalities if kind == "municipality_id" else allowed.schools
        if value is not None and str(value) not in ids:
            raise AccessDenied(principal, "read", f"{kind}={value}")
    elif value is not None:              # a roadmap or a unit: where it is
        try:
            place = locate(store, **{kind: int(value)})
        except (TypeError, ValueError):
            place = None
        if place is not None and not within(principal, place, strict=False):
            raise AccessDenied(principal, "read", f"{kind}={value}")


def _checked(store: Store, principal: Principal, allowed: Allowed, spec, value):
    """``value`` checked against ``spec`` (AccessDenied outside the rights) and narrowed: a
    municipality left open (None) becomes the principal's own."""
    if spec is None:
        return value
    tag, inner = spec
    if tag == "id":
        _check_id(store, principal, allowed, inner, value)
        if inner == "municipality_id" and value is None and principal.municipality_id is not None:
            return principal.municipality_id
        return value
    if value is None:
        return value
    if tag == "each":
        items = [_checked(store, principal, allowed, inner, v) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else type(value)(items)
    if tag == "items":
        items = [_checked(store, principal, allowed, s, v) for s, v in zip(inner, value)]
        items += list(value)[len(items):]
        return value if all(a is b for a, b in zip(items, value)) else tuple(items)
    changes = {}
    for field, field_spec in inner:                                   # "fields"
        item = getattr(value, field)
        new = _checked(store, principal, allowed, field_spec, item)
        if new is not item:
            changes[field] = new
    if not changes:
        return value
    return value._replace(**changes) if hasattr(value, "_replace") else replace(value, **changes)


def scope_call(store: Store, principal: Principal, allowed: Allowed, function, args: tuple,
               kwargs: dict) -> tuple[tuple, dict]:
    """The arguments of a read within the principal's rights, every place found by TYPE: each
    Territory (bare or in a Query, see :func:`narrow_call`) narrowed, each typed id
    (analytics.query.RegionId ...: the annotation, whatever the parameter is called) refused
    outside the rights, a municipality left open narrowed to the principal's own. Raises
    AccessDenied outside the rights, UncheckedRead for a read whose places are not typed."""
    parameters = typed_read(function, args, kwargs)
    if principal.unrestricted:
        return args, kwargs
    if not principal.can("read"):
        raise AccessDenied(principal, "read")
    args, kwargs = narrow_call(principal, allowed, args, kwargs)
    values = _bound(function, parameters, args, kwargs)
    where = f"{function.__module__}.{function.__qualname__}"
    changed = {}
    for name, spec in parameters.specs:
        new = _checked(store, principal, allowed, spec, values[name])
        if new is not values[name]:
            changed[name] = new
    for name, value in (values.get(parameters.extra) or {}).items() if parameters.extra else ():
        new = _checked(store, principal, allowed, _value_spec(name, value, where), value)
        if new is not value:
            changed[name] = new
    if not changed:
        return args, kwargs
    positional = [p.name for p in parameters.signature.parameters.values()
                  if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)][1:]
    args = tuple(changed.pop(name, value) for name, value in zip(positional, args))
    return args, {**kwargs, **changed}


def check_call(store: Store, principal: Principal, allowed: Allowed, function, args: tuple, kwargs: dict) -> None:
    """Refuse a read that names anything outside the principal's rights (raises AccessDenied);
    the places are found by type (:func:`scope_call`)."""
    scope_call(store, principal, allowed, function, args, kwargs)


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


# Defence in depth, not the check: every read is already narrowed by type (scope_call); this
# drops, from tables a read returns, the rows whose id columns (by these names) lie outside the
# rights — e.g. a region-wide ranking read by a district head keeps the district's rows.
RESULT_ID_COLUMNS = (("region_id", "regions"), ("municipality_id", "municipalities"), ("school_id", "schools"),
                     ("mentee_school_id", "schools"))


def filter_result(principal: Principal, allowed: Allowed, result):
    """Drop the rows of schools, municipalities and regions outside the rights from every table
    in ``result`` (a DataFrame, or dicts/lists/tuples of them), found by the column names of
    :data:`RESULT_ID_COLUMNS`. Rows with no school (an aggregate, a regional measure) are kept.
    A second line of defence after :func:`scope_call`, which does not depend on names."""
    if principal.unrestricted:
        return result
    if isinstance(result, pd.DataFrame):
        keep = pd.Series(True, index=result.index)
        for column, kind in RESULT_ID_COLUMNS:
            if column in result.columns:
                ids = getattr(allowed, kind)
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
