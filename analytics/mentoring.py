"""Mentor assignment: eligible mentors, distances, nearest / optimal assignment with a
capacity per mentor, comparison with the current pairs, manual overrides, road distances.

Distances: geodesic on the WGS84 ellipsoid. A road distance imported for the pair (or
recorded on a current pair) is preferred; otherwise the estimate is straight line ×
road factor and is labelled ``estimate``.

Optimal assignment = a min-cost assignment on a matrix with one column per mentor
*slot* (capacity slots per mentor) plus one "unassigned" column per mentee with a
penalty larger than any sum of real distances, solved exactly by
``scipy.optimize.linear_sum_assignment``: first as many mentees as possible get a
mentor within the limit, then the total distance is minimal. The "longest trip" variant
finds the smallest threshold that still places as many mentees (binary search over the
distinct distances, feasibility by maximum bipartite matching on the slot graph), then
minimises the total among assignments under that threshold.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from analytics import access
from analytics.geo import geodesic_km, geodesic_matrix_km
from analytics.store import Store
from analytics.reads import reads
from analytics.query import MunicipalityId, RegionId

MENTEE_CATEGORY = "low_results"
# Schools on these lists of the year are not offered as mentors.
NOT_MENTOR_CATEGORIES = ("low_results", "social_risk", "risk_zone")
FULL_SCHOOLS = ("sosh", "gymnasium", "lyceum", "edu_center")
# Which school types may mentor a school of a given type: a full school (СОШ, гимназия,
# лицей, ЦО) for an ООШ / НОШ; anything but a НОШ for a full school.
CAN_MENTOR: dict[str, tuple[str, ...]] = {
    "nosh": FULL_SCHOOLS,
    "oosh": FULL_SCHOOLS,
    **{kind: (*FULL_SCHOOLS, "oosh") for kind in FULL_SCHOOLS},
}
METHODS = ("nearest", "total", "longest")


@dataclass(frozen=True)
class Rules:
    capacity: int = 4                 # mentees per mentor
    max_km: float | None = 60.0       # hard limit for the optimal plans; reported for the others
    same_municipality: bool = False   # mentor from the mentee's municipality only
    road_factor: float = 1.3          # estimate = straight line × factor when no road km is known
    mentor_quantile: float = 0.35     # eligible: pooled ВПР share of «2» within the region's best 35 %
    min_participants: int = 10        # ... from at least this many ВПР participants


def rules_from_settings(extra: dict) -> Rules:
    """``[mentoring]`` table of data/settings.toml, unknown keys ignored."""
    table = extra.get("mentoring", {}) if isinstance(extra, dict) else {}
    defaults = asdict(Rules())
    return Rules(**{k: type(defaults[k])(v) if defaults[k] is not None else float(v)
                    for k, v in table.items() if k in defaults})


# -- data ---------------------------------------------------------------------------
# Pooled ВПР of the year and the year before, from counts (all subjects and grades).
VPR_TWO_YEARS = """
SELECT r.school_id, sum(r.participants) AS participants, sum(r.n2) AS n2
FROM results r JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
WHERE r.procedure = 'VPR' AND r.year IN ($year, $year - 1) AND ($region_id IS NULL OR m.region_id = $region_id)
GROUP BY r.school_id
"""

_NOT_MENTOR_SQL = ", ".join(f"'{c}'" for c in NOT_MENTOR_CATEGORIES)
SCHOOL_COLUMNS = ("school_id", "short_name", "school_type", "lat", "lon", "municipality_id", "region_id")
STRENGTH_COLUMNS = ("participants", "n2", "share2", "threshold", "basis")

# Mentees and mentors of a scope in one pass, in the schools' storage order (the order in
# which they were always read; it orders the assignment's rows and columns, so its ties).
_MENTEES_AND_MENTORS = """
WITH scope AS (
    SELECT s.rowid AS position, s.school_id, s.short_name, s.school_type, s.lat, s.lon, s.municipality_id,
           m.region_id
    FROM schools s JOIN municipalities m USING (municipality_id)
    WHERE ($region_id IS NULL OR m.region_id = $region_id) AND s.lat IS NOT NULL AND s.lon IS NOT NULL
), listed AS (
    SELECT school_id, bool_or(category = '{mentee}') AS mentee,
           bool_or(category IN ({not_mentor})) AS excluded, bool_or(category = 'mentor') AS official
    FROM school_lists WHERE year = $list_year GROUP BY school_id
), vpr AS (
    SELECT school_id, sum(participants)::DOUBLE AS participants, sum(n2)::DOUBLE AS n2
    FROM results WHERE procedure = 'VPR' AND year IN ($year, $year - 1) {vpr_scope}
    GROUP BY school_id
), strength AS (
    SELECT sc.*, v.participants, v.n2, CASE WHEN v.participants > 0 THEN v.n2 / v.participants END AS share2,
           coalesce(v.participants, 0) >= $min_participants AS measured
    FROM scope sc LEFT JOIN vpr v USING (school_id)
), ranked AS (
    SELECT region_id, list_sort(list(share2)) AS v, $quantile::DOUBLE * (count(*) - 1) AS q_at
    FROM strength WHERE measured AND share2 IS NOT NULL GROUP BY region_id
), threshold AS (
    SELECT region_id,
           CASE WHEN q_at = floor(q_at) THEN v[floor(q_at)::BIGINT + 1]
                ELSE v[floor(q_at)::BIGINT + 1]
                     + (v[floor(q_at)::BIGINT + 2] - v[floor(q_at)::BIGINT + 1]) * (q_at - floor(q_at)) END AS threshold
    FROM ranked
), flagged AS (
    SELECT st.*, t.threshold, coalesce(l.mentee, false) AS mentee, coalesce(l.excluded, false) AS excluded,
           coalesce(l.official, false) AS official
    FROM strength st LEFT JOIN listed l USING (school_id) LEFT JOIN threshold t USING (region_id)
)
SELECT school_id, short_name, school_type, lat, lon, municipality_id, region_id, participants, n2, share2, threshold,
       CASE WHEN official THEN 'official' ELSE 'results' END AS basis,
       mentee AND ($municipality_id IS NULL OR municipality_id = $municipality_id) AS is_mentee,
       NOT excluded AND (official OR coalesce(measured AND share2 <= threshold, false)) AS is_mentor
FROM flagged
WHERE mentee OR (NOT excluded AND (official OR coalesce(measured AND share2 <= threshold, false)))
ORDER BY position
"""
# The whole country aggregates every school's ВПР; one region only its own schools'.
MENTEES_AND_MENTORS = _MENTEES_AND_MENTORS.format(mentee=MENTEE_CATEGORY, not_mentor=_NOT_MENTOR_SQL, vpr_scope="")
MENTEES_AND_MENTORS_OF_REGION = _MENTEES_AND_MENTORS.format(
    mentee=MENTEE_CATEGORY, not_mentor=_NOT_MENTOR_SQL, vpr_scope="AND school_id IN (SELECT school_id FROM scope)")

# Every known road km with its rank (1 first): imported distances before those recorded on a pair,
# then the newest (pair year, import or record time, pair number). One pair of schools may be
# recorded several times with different km (both directions, several years): the lowest rank
# wins, and among records of equal rank the one in the asked direction (see _both_directions).
KNOWN_ROAD_KM = """
SELECT mentor_school_id, mentee_school_id, road_km,
       dense_rank() OVER (ORDER BY source, year DESC NULLS LAST, recorded DESC NULLS LAST,
                                   pair_id DESC NULLS LAST) AS priority
FROM (SELECT mentor_school_id, mentee_school_id, road_km, 1 AS source, NULL::SMALLINT AS year,
             imported_at AS recorded, NULL::INTEGER AS pair_id
      FROM road_distances
      UNION ALL
      SELECT mentor_school_id, mentee_school_id, road_km, 2, year, created_at, pair_id
      FROM mentor_pairs WHERE road_km IS NOT NULL)
"""

PAIRS_OF_MENTEE = "SELECT mentor_school_id FROM mentor_pairs WHERE year = ? AND mentee_school_id = ?"
DELETE_PAIRS_OF_MENTEE = "DELETE FROM mentor_pairs WHERE year = ? AND mentee_school_id = ?"
INSERT_MANUAL_PAIR = """
INSERT INTO mentor_pairs (year, mentor_school_id, mentee_school_id, straight_km, road_km, source, created_by,
                          created_at)
VALUES (?, ?, ?, ?, ?, 'manual', ?, ?)
"""
SCHOOL_POINT = "SELECT lat, lon FROM schools WHERE school_id = ?"
EXISTING_SCHOOLS = "SELECT school_id FROM schools"
CHANGES = """
SELECT change_id, year, mentee_school_id, old_mentor_school_id, new_mentor_school_id, road_km, reason,
       changed_by, changed_at
FROM mentor_pair_changes WHERE year = $year ORDER BY changed_at DESC, change_id DESC
"""
INSERT_CHANGE = """
INSERT INTO mentor_pair_changes (year, mentee_school_id, old_mentor_school_id, new_mentor_school_id, road_km,
                                 reason, changed_by, changed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
UPSERT_ROAD = """
INSERT OR REPLACE INTO road_distances (mentor_school_id, mentee_school_id, road_km, source, imported_by, imported_at)
VALUES (?, ?, ?, ?, ?, ?)
"""
LOG_IMPORT = """
INSERT INTO import_log (started_at, finished_at, user_name, file_name, kind, rows, outcome, message)
VALUES (?, ?, ?, ?, 'road_distances', ?, ?, ?)
"""


def school_strength(store: Store, region_id: RegionId | None, year: int) -> pd.DataFrame:
    """Pooled ВПР share of «2» over the year and the year before, per school."""
    frame = store.query_df(VPR_TWO_YEARS, {"region_id": region_id, "year": year})
    frame["share2"] = (frame["n2"] / frame["participants"]).where(frame["participants"] > 0)
    return frame


def mentees_and_mentors(store: Store, region_id: RegionId | None, municipality_id: MunicipalityId | None, year: int,
                        list_year: int, rules: Rules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mentees: schools on the low-results list of ``list_year`` in scope. Mentors: schools
    of the same region(s) not on a low-results / social-risk / risk-zone list, either on
    the official mentor list or with a pooled ВПР share of «2» at or below the region's
    ``mentor_quantile`` (from at least ``min_participants`` participants).

    One query (:data:`MENTEES_AND_MENTORS`): the per-region quantile is pandas' linear
    interpolation (``v[i] + (v[i+1] - v[i]) * frac``, ``i + frac = q * (n - 1)``) done in
    DuckDB, so the thresholds are the same numbers as ``groupby(...).quantile(q)``."""
    params = {"region_id": region_id, "municipality_id": municipality_id, "year": year, "list_year": list_year,
              "quantile": float(rules.mentor_quantile), "min_participants": rules.min_participants}
    # Through Arrow: pandas' string columns are Arrow-backed, so this skips the Python
    # string objects that ``.df()`` makes on the way (same frame).
    sql = MENTEES_AND_MENTORS if region_id is None else MENTEES_AND_MENTORS_OF_REGION
    frame = store.cursor().sql(sql, params=params).to_arrow_table().to_pandas()
    mentees = frame.loc[frame["is_mentee"].to_numpy(dtype=bool), list(SCHOOL_COLUMNS)]
    mentors = frame.loc[frame["is_mentor"].to_numpy(dtype=bool), [*SCHOOL_COLUMNS, *STRENGTH_COLUMNS]]
    return mentees.reset_index(drop=True), mentors.reset_index(drop=True)


def _both_directions(priority: np.ndarray) -> np.ndarray:
    """The sort keys of the records (as given) followed by the same records read the other way
    round: rank first, then the record's own direction before the reversed one. Unique per
    (mentor, mentee) pair, so any sort keeps the same first row (see :data:`KNOWN_ROAD_KM`)."""
    priority = np.asarray(priority, dtype=np.int64) * 2
    return np.concatenate([priority, priority + 1])


def known_road_km(store: Store) -> pd.DataFrame:
    """Road km per (school a, school b), both orders, by the rule of :data:`KNOWN_ROAD_KM`."""
    frame = store.query_df(KNOWN_ROAD_KM)
    both = pd.concat([frame, frame.rename(columns={"mentor_school_id": "mentee_school_id",
                                                   "mentee_school_id": "mentor_school_id"})])
    both["priority"] = _both_directions(frame["priority"].to_numpy())
    return (both.sort_values("priority").drop_duplicates(["mentor_school_id", "mentee_school_id"])
            .drop(columns="priority").reset_index(drop=True))


# -- candidate pairs ------------------------------------------------------------------------
def candidate_pairs(mentees: pd.DataFrame, mentors: pd.DataFrame, road: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Every allowed mentee × mentor pair (type compatible, same region, optionally the same
    municipality) with straight km, road km if known and the km used (``km_kind``)."""
    columns = ["mentee_school_id", "mentor_school_id", "straight_km", "road_km", "km", "km_kind"]
    frames = []
    # School types as integer codes and a code x code table of who may mentor whom, so that
    # the allowed matrix of a region is one fancy-indexing step.
    types = sorted(set(mentees["school_type"]) | set(mentors["school_type"]) | set(FULL_SCHOOLS))
    code = {kind: i for i, kind in enumerate(types)}
    may = np.array([[m in CAN_MENTOR.get(t, FULL_SCHOOLS) for m in types] for t in types], dtype=bool)
    pools = dict(tuple(mentors.groupby("region_id", sort=False)))
    for region_id, group in mentees.groupby("region_id", sort=False):
        pool = pools.get(region_id)
        if pool is None or pool.empty:
            continue
        group_codes = np.array([code[t] for t in group["school_type"]], dtype=int)
        pool_codes = np.array([code[t] for t in pool["school_type"]], dtype=int)
        allowed = may[group_codes[:, None], pool_codes[None, :]].reshape(len(group), len(pool))
        group_ids, pool_ids = group["school_id"].to_numpy(), pool["school_id"].to_numpy()
        allowed &= group_ids[:, None] != pool_ids[None, :]
        if rules.same_municipality:
            allowed &= group["municipality_id"].to_numpy()[:, None] == pool["municipality_id"].to_numpy()[None, :]
        km = geodesic_matrix_km(group["lat"], group["lon"], pool["lat"], pool["lon"])
        rows, cols = np.nonzero(allowed)
        frames.append(pd.DataFrame({"mentee_school_id": group_ids[rows],
                                    "mentor_school_id": pool_ids[cols],
                                    "straight_km": km[rows, cols]}))
    if not frames:
        return pd.DataFrame(columns=columns)
    pairs = pd.concat(frames, ignore_index=True).merge(road, on=["mentor_school_id", "mentee_school_id"], how="left")
    pairs["km"] = pairs["road_km"].where(pairs["road_km"].notna(), pairs["straight_km"] * rules.road_factor)
    pairs["km_kind"] = np.where(pairs["road_km"].notna(), "road", "estimate")
    return pairs[columns]


# -- the same plan without the all-pairs distance matrix -----------------------------------------
_EARTH_KM = 6371.0
# On WGS84 the geodesic distance between two points lies within [0.99441, 1.00449] x the
# great-circle distance on a sphere of radius 6371 km through the same latitudes/longitudes
# (the ellipsoid's radii of curvature range from 6335.4 to 6399.6 km). The bounds below are
# looser on purpose; they only decide which pairs get the exact (pyproj) distance.
_SPHERE_LOW, _SPHERE_HIGH, _SPHERE_SLACK_KM = 0.99, 1.01, 1e-3


def _unit_vectors(frame: pd.DataFrame) -> np.ndarray:
    lat, lon = np.radians(frame["lat"].to_numpy(dtype=float)), np.radians(frame["lon"].to_numpy(dtype=float))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _arrow(values) -> pa.Array:
    """An Arrow array of (string) values: a Series, an Arrow-backed array or a list/ndarray."""
    array = pa.array(values)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _positions(values, within) -> np.ndarray:
    """Position of each value in ``within`` (distinct values), -1 where absent."""
    values, within = _arrow(values), _arrow(within)
    if not len(values) or not len(within):
        return np.full(len(values), -1, dtype=np.int64)
    found = pc.index_in(values, value_set=within)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _road_entries(mentor_key, mentee_key, road_km, mentee_ids, mentor_ids
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mentee position, mentor position, road km) of the first row of each (mentor, mentee)
    pair among the given rows whose mentee is in ``mentee_ids`` and mentor in ``mentor_ids``."""
    mentee = _positions(mentee_key, mentee_ids)
    inside = np.flatnonzero(mentee >= 0)
    mentor = _positions(_arrow(mentor_key).take(pa.array(inside)), mentor_ids)
    inside, mentee, mentor = inside[mentor >= 0], mentee[inside[mentor >= 0]], mentor[mentor >= 0]
    _, first = np.unique(mentee * max(len(mentor_ids), 1) + mentor, return_index=True)
    first = np.sort(first)
    km = np.asarray(road_km, dtype=float)[inside[first]]
    known = ~np.isnan(km)
    return mentee[first][known], mentor[first][known], km[known]


def _known_road_entries(store: Store, mentee_ids, mentor_ids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`known_road_km` restricted to (mentee, mentor) pairs, without building its frame:
    the same rows (both orders), the same order by priority (unique per pair), the first row of
    a pair kept — so a pair recorded with different km is resolved exactly as there."""
    table = store.cursor().sql(KNOWN_ROAD_KM).to_arrow_table()
    order = pa.array(_both_directions(table["priority"].to_numpy()).argsort(kind="stable"))
    mentor, mentee = _arrow(table["mentor_school_id"]), _arrow(table["mentee_school_id"])
    km = table["road_km"].to_numpy().astype(float)
    return _road_entries(pa.concat_arrays([mentor, mentee]).take(order), pa.concat_arrays([mentee, mentor]).take(order),
                         np.concatenate([km, km])[order.to_numpy()], mentee_ids, mentor_ids)


PAIR_COLUMNS = ["mentee_school_id", "mentor_school_id", "straight_km", "road_km", "km", "km_kind"]


def _codes(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer codes of two columns on one scale, and the values coded."""
    codes, values = pd.factorize(pd.concat([left, right], ignore_index=True))
    return codes[:len(left)], codes[len(left):], np.asarray(values, dtype=object)


def plan(mentees: pd.DataFrame, mentors: pd.DataFrame, road: pd.DataFrame, rules: Rules,
         method: str = "total") -> tuple[pd.DataFrame, pd.DataFrame]:
    """``assign(mentees, mentors, candidate_pairs(mentees, mentors, road, rules), rules, method)``
    without building every pair: the same (pairs, unassigned), tie for tie. ``road``: as
    :func:`known_road_km` (one row per ordered pair)."""
    entries = _road_entries(road["mentor_school_id"], road["mentee_school_id"], road["road_km"],
                            mentees["school_id"], mentors["school_id"])
    chosen, unassigned = _plan(mentees, mentors, entries, rules, method)
    return _pairs_frame(mentees, mentors, chosen, rules, places=False), unassigned


def _plan(mentees: pd.DataFrame, mentors: pd.DataFrame, road: tuple[np.ndarray, np.ndarray, np.ndarray],
          rules: Rules, method: str) -> tuple[tuple[np.ndarray, ...], pd.DataFrame]:
    """The plan on road km given as (mentee position, mentor position, km): ((mentee
    position, mentor position, straight km, road km) of the pairs + two flags for the column
    types of :func:`_pairs_frame`, unassigned).

    Per part (as :func:`assign`): the allowed matrix from type codes, its columns in the order
    in which :func:`assign` meets the mentors (by the first mentee allowed them, then pool
    order); a great-circle distance for every allowed pair from unit vectors; the exact
    geodesic only for the pairs that can matter — for ``nearest`` those whose lower bound does
    not exceed the row's best upper bound, for ``total``/``longest`` those whose lower bound is
    within ``max_km`` (all when there is no limit). Every other allowed pair is provably
    farther than the row's nearest / beyond the limit, where :func:`solve` sets it to ``inf``
    anyway, so the solver gets the same matrix."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    mentee_type, mentor_type, kinds = _codes(mentees["school_type"], mentors["school_type"])
    may = np.array([[m in CAN_MENTOR.get(t, FULL_SCHOOLS) for m in kinds] for t in kinds], dtype=bool).reshape(
        len(kinds), len(kinds))                                        # may[mentee type, mentor type]
    mentee_school, mentor_school, _ = _codes(mentees["school_id"], mentors["school_id"])
    mentee_region, mentor_region, _ = _codes(mentees["region_id"], mentors["region_id"])
    if rules.same_municipality:
        mentee_muni, mentor_muni, _ = _codes(mentees["municipality_id"], mentors["municipality_id"])
    mentee_xyz, mentor_xyz = _unit_vectors(mentees), _unit_vectors(mentors)
    mentee_lat, mentee_lon = mentees["lat"].to_numpy(dtype=float), mentees["lon"].to_numpy(dtype=float)
    mentor_lat, mentor_lon = mentors["lat"].to_numpy(dtype=float), mentors["lon"].to_numpy(dtype=float)
    limit = rules.max_km

    # Parts in the order of mentees.groupby(part_key, sort=False); mentor pools per region;
    # known road km per part.
    if rules.same_municipality:
        part, _ = pd.factorize(pd.Series(mentee_region) * (mentee_muni.max(initial=0) + 1) + mentee_muni)
    else:
        part = mentee_region
    parts = int(part.max(initial=-1)) + 1
    part_order = np.argsort(part, kind="stable")
    part_bounds = np.searchsorted(part[part_order], np.arange(parts + 1))
    pool_order = np.argsort(mentor_region, kind="stable")
    regions = max(mentee_region.max(initial=-1), mentor_region.max(initial=-1)) + 1
    pool_bounds = np.searchsorted(mentor_region[pool_order], np.arange(regions + 1))
    road_mentee, road_mentor, road_km = road
    road_order = np.argsort(part[road_mentee], kind="stable")
    road_bounds = np.searchsorted(part[road_mentee][road_order], np.arange(parts + 1))
    row_of, column_of = np.full(len(mentees), -1), np.full(len(mentors), -1)

    picked, unassigned = [], []
    region_pairs = np.zeros(regions, dtype=bool)                       # any allowed pair in the region
    for number in range(parts):
        rows = part_order[part_bounds[number]:part_bounds[number + 1]]
        region = mentee_region[rows[0]]
        pool = pool_order[pool_bounds[region]:pool_bounds[region + 1]]
        allowed = may[mentee_type[rows][:, None], mentor_type[pool][None, :]]
        allowed &= mentee_school[rows][:, None] != mentor_school[pool][None, :]
        if rules.same_municipality:
            allowed &= mentee_muni[rows][:, None] == mentor_muni[pool][None, :]
        used = allowed.any(axis=0)
        region_pairs[region] |= used.any()
        columns = np.flatnonzero(used)[np.argsort(allowed.argmax(axis=0)[used], kind="stable")]
        allowed, pool = allowed[:, columns], pool[columns]
        n, m = allowed.shape
        road_matrix = np.full((n, m), np.nan)
        row_of[rows], column_of[pool] = np.arange(n), np.arange(m)
        entries = road_order[road_bounds[number]:road_bounds[number + 1]]
        entries = entries[column_of[road_mentor[entries]] >= 0]
        road_matrix[row_of[road_mentee[entries]], column_of[road_mentor[entries]]] = road_km[entries]
        column_of[pool] = -1
        known = allowed & ~np.isnan(road_matrix)
        estimate = allowed & ~known
        # Great-circle km from the chord between unit vectors -> bounds of straight x factor.
        chord = np.sqrt(np.maximum(2.0 - 2.0 * (mentee_xyz[rows] @ mentor_xyz[pool].T), 0.0))
        sphere = 2 * _EARTH_KM * np.arcsin(np.minimum(chord / 2, 1.0))
        low = (sphere * _SPHERE_LOW - _SPHERE_SLACK_KM) * rules.road_factor
        if method == "nearest":
            high = (sphere * _SPHERE_HIGH + _SPHERE_SLACK_KM) * rules.road_factor
            best = np.minimum(np.where(estimate, high, np.inf).min(axis=1, initial=np.inf),
                              np.where(known, road_matrix, np.inf).min(axis=1, initial=np.inf))[:, None]
            exact = (estimate & (low <= best)) | (known & (road_matrix <= best))
        elif limit is None:
            exact = allowed
        else:
            exact = (estimate & (low <= limit)) | (known & (road_matrix <= limit))
        i, j = np.nonzero(exact)
        straight = np.full((n, m), np.nan)
        if len(i):
            straight[i, j] = geodesic_km(mentee_lat[rows[i]], mentee_lon[rows[i]],
                                         mentor_lat[pool[j]], mentor_lon[pool[j]])
        cost = np.where(known, road_matrix, straight * rules.road_factor)
        cost[~exact] = np.inf
        chosen = solve(cost, rules.capacity, method, limit) if m else np.full(n, -1)
        placed = np.flatnonzero(chosen >= 0)
        picked.append((rows[placed], pool[chosen[placed]], straight[placed, chosen[placed]],
                       road_matrix[placed, chosen[placed]]))
        for r in np.flatnonzero(chosen < 0):
            if not allowed[r].any():
                reason = "no_candidate"
            elif limit is not None and cost[r].min() > limit:
                reason = "beyond_limit"
            else:
                reason = "capacity"
            unassigned.append({"mentee_school_id": mentees["school_id"].iat[rows[r]], "reason": reason})
    chosen = tuple(np.concatenate(column) for column in zip(*picked)) if picked else ()
    if not chosen:
        chosen = (np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0), np.zeros(0))
    # How assign's frame types came out: typed candidate columns if some mentee's region had a
    # mentor pool; school codes as ``object`` (not ``str``) if such a region had no allowed pair
    # (its empty block made the concatenated candidates ``object``).
    pooled = np.unique(mentee_region[np.isin(mentee_region, mentor_region)])
    chosen += (bool(len(pooled)), bool((~region_pairs[pooled]).any()))
    return chosen, pd.DataFrame(unassigned, columns=["mentee_school_id", "reason"])


def _pairs_frame(mentees: pd.DataFrame, mentors: pd.DataFrame, chosen: tuple, rules: Rules,
                 places: bool) -> pd.DataFrame:
    """The pairs as :func:`assign` returns them (``PAIR_COLUMNS`` + ``beyond_limit``), with the
    names, municipalities and points of both schools when ``places`` (as :func:`propose`)."""
    mentee, mentor, straight, road, any_pool, object_codes = chosen
    limit = rules.max_km
    if not len(mentee):  # as assign: an empty pick list merged with the candidate columns (typed if a pool existed)
        if any_pool:
            empty = pd.DataFrame({column: np.zeros(0, dtype=object if column.endswith("_id") else float)
                                  for column in PAIR_COLUMNS[:-1]})
            empty["km_kind"] = np.where(np.zeros(0, dtype=bool), "road", "estimate")
        else:
            empty = pd.DataFrame(columns=PAIR_COLUMNS)
        pairs = pd.DataFrame(columns=PAIR_COLUMNS[:2]).merge(empty, on=PAIR_COLUMNS[:2], how="left")
        pairs["beyond_limit"] = (pairs["km"] > limit) if limit is not None else False
        if places:
            points = pd.concat([mentees, mentors]).drop_duplicates("school_id").set_index("school_id")
            for role in ("mentee", "mentor"):
                pairs[f"{role}_name"] = pairs[f"{role}_school_id"].map(points["short_name"])
            for role in ("mentee", "mentor"):
                for column in ("municipality_id", "lat", "lon"):
                    pairs[f"{role}_{column}"] = pairs[f"{role}_school_id"].map(points[column])
        return pairs
    known = ~np.isnan(road)
    km = np.where(known, road, straight * rules.road_factor)
    def take(frame: pd.DataFrame, column: str, rows: np.ndarray):
        values = frame[column]
        if isinstance(values.dtype, pd.StringDtype):
            return pd.Series(values.array.take(rows), copy=False)
        return values.to_numpy(dtype=object)[rows]

    def code(frame: pd.DataFrame, rows: np.ndarray):
        values = take(frame, "school_id", rows)
        return values.astype(object) if object_codes else values

    columns = {
        "mentee_school_id": code(mentees, mentee),
        "mentor_school_id": code(mentors, mentor),
        "straight_km": straight, "road_km": road, "km": km, "km_kind": np.where(known, "road", "estimate"),
        "beyond_limit": km > limit if limit is not None else False,
    }
    if places:
        columns["mentee_name"] = take(mentees, "short_name", mentee)
        columns["mentor_name"] = take(mentors, "short_name", mentor)
        for role, frame, rows in (("mentee", mentees, mentee), ("mentor", mentors, mentor)):
            columns[f"{role}_municipality_id"] = take(frame, "municipality_id", rows)
            columns[f"{role}_lat"] = frame["lat"].to_numpy(dtype=float)[rows]
            columns[f"{role}_lon"] = frame["lon"].to_numpy(dtype=float)[rows]
    return pd.DataFrame(columns)


# -- solvers (pure) ----------------------------------------------------------------------------
def _min_total(cost: np.ndarray, capacity: int) -> np.ndarray:
    """Mentor index per mentee (-1: none): most mentees placed, then least total cost."""
    n, m = cost.shape
    result = np.full(n, -1)
    finite = np.isfinite(cost)
    cols = np.flatnonzero(finite.any(axis=0))
    if n == 0 or cols.size == 0 or capacity < 1:
        return result
    slots = min(capacity, n)
    sub = cost[:, cols]
    real_columns = cols.size * slots
    # [slot columns | one "unassigned" column per mentee], filled in place: column j*slots+k
    # is mentor cols[j]; "unassigned" costs more than any real plan and only on the diagonal.
    matrix = np.full((n, real_columns + n), np.inf)
    slot_view = matrix[:, :real_columns]
    slot_view.shape = (n, cols.size, slots)            # a view (raises rather than copy)
    slot_view[...] = sub[:, :, None]
    penalty = (float(sub[np.isfinite(sub)].max()) + 1.0) * (n + 1)
    matrix[np.arange(n), real_columns + np.arange(n)] = penalty
    rows, chosen = linear_sum_assignment(matrix)
    real = chosen < real_columns
    result[rows[real]] = cols[chosen[real] // slots]
    return result


def _matched(allowed: np.ndarray, capacity: int) -> int:
    """Size of a maximum matching of mentees to mentor slots."""
    if not allowed.any():
        return 0
    slots = min(capacity, allowed.shape[0])
    graph = csr_matrix(np.repeat(allowed, slots, axis=1).astype(np.int8))
    return int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())


def _bottleneck(cost: np.ndarray, capacity: int) -> float | None:
    """Smallest threshold under which as many mentees can be placed as with no threshold."""
    finite = np.isfinite(cost)
    target = _matched(finite, capacity)
    if target == 0:
        return None
    values = np.unique(cost[finite])
    low, high = 0, len(values) - 1
    while low < high:
        middle = (low + high) // 2
        if _matched(cost <= values[middle], capacity) == target:
            high = middle
        else:
            low = middle + 1
    return float(values[low])


def solve(cost, capacity: int, objective: str = "total", limit: float | None = None) -> np.ndarray:
    """Assign mentees (rows) to mentors (columns) with at most ``capacity`` each.

    ``cost``: km, ``inf`` where the pair is not allowed. ``objective``: ``nearest`` (each
    mentee its nearest mentor, capacity ignored, limit ignored), ``total`` (least total
    km) or ``longest`` (least longest trip, then least total). Returns the mentor column
    per mentee, -1 for none."""
    cost = np.array(cost, dtype=float)
    if cost.ndim != 2:
        raise ValueError("cost must be a matrix")
    if objective == "nearest":
        result = np.full(cost.shape[0], -1)
        reachable = np.isfinite(cost).any(axis=1)
        if reachable.any():
            result[reachable] = np.argmin(cost[reachable], axis=1)
        return result
    if objective not in ("total", "longest"):
        raise ValueError(f"unknown objective {objective!r}")
    if limit is not None:
        cost[cost > limit] = np.inf
    if objective == "longest":
        threshold = _bottleneck(cost, capacity)
        if threshold is not None:
            cost[cost > threshold] = np.inf
    return _min_total(cost, capacity)


# -- the plan --------------------------------------------------------------------------------
def assign(mentees: pd.DataFrame, mentors: pd.DataFrame, candidates: pd.DataFrame, rules: Rules,
           method: str = "total") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pairs, unassigned). Solved per independent part (region, or municipality when
    mentors must come from the mentee's municipality)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    pair_frames, unassigned = [], []
    part_key = ["region_id", "municipality_id"] if rules.same_municipality else ["region_id"]
    by_mentee = candidates.groupby("mentee_school_id")
    # Each candidate pair belongs to its mentee's part: split the candidates once.
    groups = [group for _, group in mentees.groupby(part_key, sort=False)]
    part_of = {school: number for number, group in enumerate(groups) for school in group["school_id"]}
    parts = dict(tuple(candidates.groupby(candidates["mentee_school_id"].map(part_of).fillna(-1).astype(int),
                                          sort=False)))
    empty = candidates.iloc[0:0]
    for number, group in enumerate(groups):
        ids = group["school_id"].tolist()
        options = parts.get(number, empty)
        mentor_ids = options["mentor_school_id"].drop_duplicates().tolist()
        cost = np.full((len(ids), len(mentor_ids)), np.inf)
        if len(options):
            cost[pd.Index(ids).get_indexer(options["mentee_school_id"].to_numpy(dtype=object)),
                 pd.Index(mentor_ids).get_indexer(options["mentor_school_id"].to_numpy(dtype=object))] = \
                options["km"].to_numpy(dtype=float)
        chosen = solve(cost, rules.capacity, method, rules.max_km) if mentor_ids else np.full(len(ids), -1)
        picked = [(ids[i], mentor_ids[j]) for i, j in enumerate(chosen) if j >= 0]
        if picked:
            pair_frames.append(pd.DataFrame(picked, columns=["mentee_school_id", "mentor_school_id"]))
        for i in np.flatnonzero(chosen < 0):
            school = ids[i]
            if school not in by_mentee.groups:
                reason = "no_candidate"
            elif rules.max_km is not None and by_mentee.get_group(school)["km"].min() > rules.max_km:
                reason = "beyond_limit"
            else:
                reason = "capacity"
            unassigned.append({"mentee_school_id": school, "reason": reason})
    pairs = (pd.concat(pair_frames, ignore_index=True) if pair_frames
             else pd.DataFrame(columns=["mentee_school_id", "mentor_school_id"]))
    pairs = pairs.merge(candidates, on=["mentee_school_id", "mentor_school_id"], how="left")
    pairs["beyond_limit"] = (pairs["km"] > rules.max_km) if rules.max_km is not None else False
    return pairs, pd.DataFrame(unassigned, columns=["mentee_school_id", "reason"])


def summarise(pairs: pd.DataFrame, mentees: int, rules: Rules) -> dict:
    """Figures of a plan (current or proposed): pairs columns mentee/mentor/km."""
    km = pairs.drop_duplicates("mentee_school_id")["km"].astype(float) if len(pairs) else pd.Series(dtype=float)
    load = pairs.groupby("mentor_school_id").size() if len(pairs) else pd.Series(dtype=int)
    return {
        "mentees": int(mentees),
        "assigned": int(pairs["mentee_school_id"].nunique()) if len(pairs) else 0,
        "unassigned": int(mentees - (pairs["mentee_school_id"].nunique() if len(pairs) else 0)),
        "total_km": float(km.sum()) if len(km) else 0.0,
        "mean_km": float(km.mean()) if len(km) else float("nan"),
        "longest_km": float(km.max()) if len(km) else float("nan"),
        "beyond_limit": int((km > rules.max_km).sum()) if rules.max_km is not None else 0,
        "mentors_used": int(load.size),
        "mentors_over_capacity": int((load > rules.capacity).sum()),
    }


@reads("mentor_pairs", "municipalities", "results", "road_distances", "school_lists", "schools")
def propose(store: Store, region_id: RegionId | None, municipality_id: MunicipalityId | None, year: int, list_year: int,
            method: str = "total", **rule_values) -> dict:
    """The whole proposal for a scope: pairs, unassigned mentees, summary, comparison with
    the current pairs of ``list_year`` and the number of eligible mentors."""
    rules = Rules(**rule_values)
    mentees, mentors = mentees_and_mentors(store, region_id, municipality_id, year, list_year, rules)
    road = _known_road_entries(store, mentees["school_id"], mentors["school_id"])
    chosen, unassigned = _plan(mentees, mentors, road, rules, method)
    pairs = _pairs_frame(mentees, mentors, chosen, rules, places=True)
    # Mentees and mentors are disjoint (a listed school is never a mentor): the names a
    # comparison or an unplaced school needs are the mentees' (with no mentee, the empty
    # lookups keep the types they had when mentors' names were in it).
    name_of = (mentees if len(mentees) else pd.concat([mentees, mentors])).set_index("school_id")["short_name"]
    unassigned["mentee_name"] = unassigned["mentee_school_id"].map(name_of)
    current = current_plan(store, mentees, None, year=list_year, rules=rules)
    return {
        "pairs": pairs, "unassigned": unassigned,
        "summary": summarise(pairs, len(mentees), rules),
        "current_summary": summarise(current, len(mentees), rules),
        "comparison": compare(current, pairs, name_of),
        "eligible_mentors": len(mentors),
    }


CURRENT_OF_YEAR = """
SELECT p.mentee_school_id, p.mentor_school_id, p.straight_km, p.road_km, p.source
FROM mentor_pairs p WHERE p.year = $year
"""


def current_plan(store: Store, mentees: pd.DataFrame, candidates: pd.DataFrame | None, year: int,
                 rules: Rules) -> pd.DataFrame:
    """The current pairs of the mentees, with the km the same way as the proposal (road,
    else straight × factor) so that both plans are compared on one scale. (``candidates``
    is not used; kept for callers.)"""
    current = store.query_df(CURRENT_OF_YEAR, {"year": year})
    current = current[_positions(current["mentee_school_id"], mentees["school_id"]) >= 0].copy()
    current["km"] = current["road_km"].where(current["road_km"].notna(), current["straight_km"] * rules.road_factor)
    current["km_kind"] = np.where(current["road_km"].notna(), "road", "estimate")
    return current.reset_index(drop=True)


def compare(current: pd.DataFrame, proposed: pd.DataFrame, name_of: pd.Series) -> pd.DataFrame:
    """One row per mentee: current mentor and km, proposed mentor and km, whether it changes."""
    left = current.sort_values("km").drop_duplicates("mentee_school_id")[
        ["mentee_school_id", "mentor_school_id", "km", "km_kind"]]
    right = proposed[["mentee_school_id", "mentor_school_id", "km", "km_kind"]]
    frame = left.merge(right, on="mentee_school_id", how="outer", suffixes=("_current", "_proposed"))
    frame.insert(1, "mentee_name", frame["mentee_school_id"].map(name_of))
    frame["changed"] = frame["mentor_school_id_current"].fillna("") != frame["mentor_school_id_proposed"].fillna("")
    frame["km_saved"] = frame["km_current"] - frame["km_proposed"]
    return frame.sort_values(["changed", "km_saved"], ascending=[False, False]).reset_index(drop=True)


# -- changes by hand -----------------------------------------------------------------------------
def set_pair(store: Store, year: int, mentee_school_id: str, mentor_school_id: str | None, user: str,
             road_km: float | None = None, reason: str | None = None, now: dt.datetime | None = None,
             principal: access.Principal | None = None) -> None:
    """Replace the mentee's pairs of ``year`` by one manual pair (or none), logging who and when.
    The mentee must be within the acting user's scope (AccessDenied otherwise)."""
    access.require_at(store, principal, "edit_mentors", school_id=mentee_school_id)
    if not user or not user.strip():
        raise ValueError("the person making the change must be named")
    now = now or dt.datetime.now()
    straight = None
    if mentor_school_id is not None:     # the registry is read before the write (served mode: see save_targets)
        points = [store.query_rows(SCHOOL_POINT, [s]) for s in (mentee_school_id, mentor_school_id)]
        if not all(points):
            raise ValueError("unknown school code")
        (lat1, lon1), (lat2, lon2) = points[0][0], points[1][0]
        straight = round(float(geodesic_matrix_km([lat1], [lon1], [lat2], [lon2])[0, 0]), 1)
    with store.transaction() as cur:
        old = [m for (m,) in cur.execute(PAIRS_OF_MENTEE, [year, mentee_school_id]).fetchall()]
        cur.execute(DELETE_PAIRS_OF_MENTEE, [year, mentee_school_id])
        if mentor_school_id is not None:
            cur.execute(INSERT_MANUAL_PAIR, [year, mentor_school_id, mentee_school_id, straight, road_km,
                                             user.strip(), now])
        cur.execute(INSERT_CHANGE, [year, mentee_school_id, ", ".join(old) or None, mentor_school_id, road_km,
                                    reason, user.strip(), now])
        store.bump_data_version(cur, tables=["mentor_pairs", "mentor_pair_changes"])


@reads("mentor_pair_changes")
def changes(store: Store, year: int) -> pd.DataFrame:
    return store.query_df(CHANGES, {"year": year})


_HEADERS = {
    "mentor": ("mentor", "mentor_school_id", "mentor_code", "наставник", "код наставника", "школа-наставник",
               "код школы-наставника"),
    "mentee": ("mentee", "mentee_school_id", "mentee_code", "школа", "код школы", "подопечная", "код шнор",
               "код школы шнор"),
    "road_km": ("road_km", "km", "км", "расстояние", "расстояние, км", "расстояние по дороге, км"),
}


def parse_road_csv(content: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, rejected) from a CSV: mentor code, mentee code, road km (headers in Russian
    or English, or exactly three columns in that order; «;» or «,»; decimal comma allowed)."""
    text = content.decode("utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = next((d for d in (";", "\t") if d in first), ",")
    raw = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    lowered = {c.strip().lower(): c for c in raw.columns}
    mapping = {}
    for field, names in _HEADERS.items():
        mapping[field] = next((lowered[n] for n in names if n in lowered), None)
    if any(v is None for v in mapping.values()):
        if raw.shape[1] != 3:
            raise ValueError("expected columns: mentor code, mentee code, road km")
        mapping = dict(zip(_HEADERS, raw.columns))
    frame = pd.DataFrame({field: raw[column].str.strip() for field, column in mapping.items()})
    km = pd.to_numeric(frame["road_km"].str.replace(",", ".", regex=False).str.replace("\u00a0", "", regex=False),
                       errors="coerce")
    bad = km.isna() | (km <= 0) | (frame["mentor"] == "") | (frame["mentee"] == "")
    frame["road_km"] = km
    frame["line"] = np.arange(len(frame)) + 2
    return frame[~bad].reset_index(drop=True), frame[bad].assign(problem="bad_value").reset_index(drop=True)


def import_road_distances(store: Store, content: bytes, user: str, file_name: str = "",
                          now: dt.datetime | None = None, principal: access.Principal | None = None
                          ) -> tuple[int, pd.DataFrame]:
    """Store the road distances of a CSV (see :func:`parse_road_csv`); rows with unknown
    school codes or bad numbers are rejected and returned. Returns (stored, rejected).
    An import: administrators only (AccessDenied otherwise)."""
    access.require(principal, "import_data", what="road distances")
    now = now or dt.datetime.now()
    rows, rejected = parse_road_csv(content)
    known = {s for (s,) in store.query_rows(EXISTING_SCHOOLS)}
    unknown = ~(rows["mentor"].isin(known) & rows["mentee"].isin(known))
    rejected = pd.concat([rejected, rows[unknown].assign(problem="unknown_school")], ignore_index=True)
    rows = rows[~unknown]
    with store.transaction() as cur:
        for row in rows.itertuples():
            cur.execute(UPSERT_ROAD, [row.mentor, row.mentee, float(row.road_km), file_name or None, user, now])
        cur.execute(LOG_IMPORT, [now, dt.datetime.now(), user, file_name, len(rows),
                                 "success" if len(rows) else "rejected", f"{len(rejected)} rows rejected"])
        store.bump_data_version(cur, tables=["road_distances", "import_log"])
    return len(rows), rejected
