"""Monitoring data of the demo: risk profiles, mentor pairs, roadmaps with statuses,
checkpoints, targets, surveys and teacher development."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.demo.results import LIST_YEARS, YEARS, SchoolModel
from analytics.geo import geodesic_km
from analytics.reference import DEFAULT_CATALOGUE, kpi_defaults, read_reference
from analytics.schedules import assessment_dates, expand_recurrence, month_end

TEMPLATES = Path(__file__).resolve().parent / "roadmap_templates.csv"
MONTHS_GENITIVE = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                   "сентября", "октября", "ноября", "декабря"]
MONTHS_NOMINATIVE = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                     "сентябрь", "октябрь", "ноябрь", "декабрь"]
MENTOR_TYPES = ("sosh", "gymnasium", "lyceum", "edu_center")
CHECKPOINTS = ((6, 30, 0.35, "Первый мониторинг (30 июня)"), (11, 30, 0.85, "Второй мониторинг (30 ноября)"))


def listed(model: SchoolModel, category: str = "low_results") -> pd.DataFrame:
    lists = model.lists
    return lists[lists["category"] == category][["year", "school_id"]]


# -- risk profiles ----------------------------------------------------------------------
def risk_profiles(schools: pd.DataFrame, model: SchoolModel, rng) -> pd.DataFrame:
    factors = read_reference("risk_factors_500plus")["factor_id"].to_numpy()
    targets = pd.concat([listed(model), listed(model, "risk_zone")]).drop_duplicates()
    index = pd.Series(np.arange(len(schools)), index=schools["school_id"].to_numpy())
    s = index[targets["school_id"]].to_numpy()
    t = targets["year"].to_numpy() - YEARS[0]
    social = schools["social_index"].to_numpy()[s]
    rural = schools["is_rural"].to_numpy()[s]
    quality = model.quality[s, t]
    # Each factor leans on context, results or rurality in its own way.
    weight_social = rng.uniform(0.3, 1.2, len(factors))
    weight_quality = rng.uniform(0.3, 1.0, len(factors))
    weight_rural = np.where(np.isin(factors, ["staff_shortage", "equipment", "language_barriers"]), 0.6, 0.1)
    school_noise = rng.normal(0, 0.35, (len(s), 1))
    score = (weight_social[None, :] * social[:, None] - weight_quality[None, :] * quality[:, None]
             + weight_rural[None, :] * rural[:, None] + school_noise + rng.normal(0, 0.45, (len(s), len(factors))))
    level = np.where(score > 1.45, "high", np.where(score > 0.45, "medium", "low"))
    return pd.DataFrame({
        "school_id": np.repeat(targets["school_id"].to_numpy(), len(factors)),
        "year": np.repeat(targets["year"].to_numpy(), len(factors)),
        "catalogue_id": DEFAULT_CATALOGUE,
        "factor_id": np.tile(factors, len(s)),
        "level": level.ravel(),
    })


# -- mentors ----------------------------------------------------------------------------
def mentor_pairs(schools: pd.DataFrame, model: SchoolModel, rng) -> pd.DataFrame:
    frames = []
    school_cols = schools[["school_id", "municipality_id", "lat", "lon", "school_type"]]
    for year in LIST_YEARS:
        t = YEARS.index(year)
        mentees = listed(model).query("year == @year").merge(school_cols, on="school_id")
        strong = model.quality[:, t] > np.quantile(model.quality[:, t], 0.65)
        eligible = school_cols[strong & school_cols["school_type"].isin(MENTOR_TYPES).to_numpy()
                               & ~school_cols["school_id"].isin(mentees["school_id"]).to_numpy()]
        pairs = mentees.merge(eligible, on="municipality_id", suffixes=("_mentee", "_mentor"))
        pairs["straight_km"] = geodesic_km(pairs["lat_mentee"], pairs["lon_mentee"],
                                           pairs["lat_mentor"], pairs["lon_mentor"])
        nearest = pairs.loc[pairs.groupby("school_id_mentee")["straight_km"].idxmin()]
        frames.append(pd.DataFrame({
            "year": year,
            "mentor_school_id": nearest["school_id_mentor"].to_numpy(),
            "mentee_school_id": nearest["school_id_mentee"].to_numpy(),
            "straight_km": nearest["straight_km"].round(1).to_numpy(),
        }))
    pairs = pd.concat(frames, ignore_index=True)
    # Not every listed school has found a partner yet.
    pairs = pairs[rng.uniform(size=len(pairs)) < 0.87].reset_index(drop=True)
    road_factor = rng.uniform(1.2, 1.4, len(pairs))
    known = rng.uniform(size=len(pairs)) < 0.7
    road = np.maximum(5, np.round(pairs["straight_km"].to_numpy() * road_factor / 5) * 5)
    pairs["road_km"] = np.where(known, road, np.nan)
    day = rng.integers(0, 60, len(pairs))
    pairs["agreement_date"] = pd.to_datetime(pairs["year"].astype(str) + "-09-01") - pd.to_timedelta(
        365 - day, unit="D")
    pairs["agreement_date"] = pairs["agreement_date"].dt.date
    pairs["source"] = "official"
    return pairs


# -- roadmaps ---------------------------------------------------------------------------
def _deadline_text(schedule: str) -> str:
    kind, _, arg = schedule.partition(":")
    if kind == "yearly":
        month, day = (int(x) for x in arg.split("-"))
        return f"ежегодно, до {day} {MONTHS_GENITIVE[month - 1]}"
    if kind == "months":
        months = [MONTHS_NOMINATIVE[int(m) - 1] for m in arg.split("|")]
        return f"{len(months)} раза в год ({', '.join(months)})" if len(months) < 5 else ", ".join(months)
    return {"monthly": "ежемесячно", "quarterly": "ежеквартально", "continuous": "в течение года",
            "unspecified": "по мере необходимости"}[kind]


def _schedule(schedule: str, start: dt.date, end: dt.date):
    """(schedule_kind, due_dates, recurrence) of a template over a roadmap period."""
    kind, _, arg = schedule.partition(":")
    years = range(start.year, end.year + 1)
    if kind == "yearly":
        month, day = (int(x) for x in arg.split("-"))
        return "dates", [dt.date(y, month, day) for y in years if start <= dt.date(y, month, day) <= end], None
    if kind == "months":
        dates = [month_end(y, int(m)) for y in years for m in arg.split("|")]
        return "dates", sorted(d for d in dates if start <= d <= end), None
    if kind in ("monthly", "quarterly"):
        return "recurring", expand_recurrence(kind, start, end), kind
    return kind, [], None


def _checkpoint_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    return [dt.date(y, m, d) for y in range(start.year, end.year + 1) for m, d, _, _ in CHECKPOINTS
            if start <= dt.date(y, m, d) <= end]


def roadmaps(schools: pd.DataFrame, municipalities: pd.DataFrame, region_id: str, model: SchoolModel,
             profiles: pd.DataFrame, today: dt.date, rng) -> dict[str, pd.DataFrame]:
    templates = pd.read_csv(TEMPLATES, keep_default_na=False)
    last_year = LIST_YEARS[-1]
    on_list = listed(model).query("year == @last_year")["school_id"]
    listed_schools = schools[schools["school_id"].isin(on_list)]
    roadmap_rows, measure_rows, coverage_rows = [], [], []

    def add_roadmap(level, title, start, end, municipality_id=None, school_id=None):
        roadmap_rows.append(dict(roadmap_id=len(roadmap_rows) + 1, level=level, region_id=region_id,
                                 municipality_id=municipality_id, school_id=school_id, title=title,
                                 period_start=start, period_end=end, source="demo"))
        return len(roadmap_rows)

    def add_measures(roadmap_id, chosen, start, end, covered):
        sections = {name: k for k, name in enumerate(dict.fromkeys(chosen["section"]), start=1)}
        counters: dict[str, int] = {}
        for row in chosen.itertuples(index=False):
            kind, due, recurrence = _schedule(row.schedule, start, end)
            section_no = sections[row.section]
            counters[row.section] = counters.get(row.section, 0) + 1
            measure_id = len(measure_rows) + 1
            measure_rows.append(dict(
                measure_id=measure_id, roadmap_id=roadmap_id, number=f"{section_no}.{counters[row.section]}",
                section=row.section, title=row.title, executors=row.executors.split("|"),
                deadline_text=_deadline_text(row.schedule), schedule_kind=kind,
                start_date=start, due_dates=due, recurrence=recurrence, indicator=row.indicator or None,
                risk_factors=[f for f in row.risk_factors.split("|") if f],
                subjects=[s for s in row.subjects.split("|") if s],
            ))
            if int(row.per_school):
                coverage_rows.extend((measure_id, sid) for sid in covered)

    start, end = dt.date(last_year - 1, 1, 1), dt.date(last_year, 12, 31)
    rid = add_roadmap("region", f"План-график («дорожная карта») адресной помощи школам с низкими "
                                f"образовательными результатами на {start.year}–{end.year} годы", start, end)
    add_measures(rid, templates[templates["level"] == "region"], start, end, [])

    start, end = dt.date(last_year, 1, 1), dt.date(last_year, 12, 31)
    for municipality in municipalities.itertuples(index=False):
        covered = listed_schools.loc[listed_schools["municipality_id"] == municipality.municipality_id, "school_id"]
        if covered.empty:
            continue
        rid = add_roadmap("municipality", f"Дорожная карта: {municipality.name}, {last_year} год", start, end,
                          municipality_id=municipality.municipality_id)
        add_measures(rid, templates[templates["level"] == "municipality"], start, end, list(covered))

    school_templates = templates[templates["level"] == "school"]
    latest = profiles[profiles["year"] == last_year]
    for school in listed_schools.itertuples(index=False):
        risks = latest[(latest["school_id"] == school.school_id) & (latest["level"] != "low")]["factor_id"]
        addresses = school_templates["risk_factors"].str.split("|").map(lambda fs: bool(set(fs) & set(risks)))
        # Schools plan against most of their risks, not all: the gaps are what methodologists look for.
        keep = (school_templates["risk_factors"] == "") | (addresses & (rng.uniform(size=len(addresses)) < 0.75))
        rid = add_roadmap("school", f"Дорожная карта школы: {school.short_name}, {last_year} год", start, end,
                          municipality_id=school.municipality_id, school_id=school.school_id)
        add_measures(rid, school_templates[keep.to_numpy()], start, end, [school.school_id])

    roadmaps_df = pd.DataFrame(roadmap_rows)
    measures_df = pd.DataFrame(measure_rows)
    coverage = pd.DataFrame(coverage_rows, columns=["measure_id", "school_id"]).drop_duplicates()
    statuses = _statuses(roadmaps_df, measures_df, coverage, schools, today, rng)
    return dict(roadmaps=roadmaps_df, measures=measures_df, measure_schools=coverage,
                measure_status=statuses, checkpoints=_checkpoints(roadmaps_df))


def _checkpoints(roadmaps_df: pd.DataFrame) -> pd.DataFrame:
    years = range(roadmaps_df["period_start"].min().year, roadmaps_df["period_end"].max().year + 1)
    return pd.DataFrame([dict(roadmap_id=None, checkpoint_date=dt.date(y, m, d), target_share=share, label=label)
                         for y in years for m, d, share, label in CHECKPOINTS])


def _statuses(roadmaps_df, measures_df, coverage, schools, today, rng) -> pd.DataFrame:
    periods = roadmaps_df.set_index("roadmap_id")[["period_start", "period_end", "municipality_id"]]
    units = []
    for m in measures_df.itertuples(index=False):
        start, end, _ = periods.loc[m.roadmap_id]
        dates = assessment_dates(m.schedule_kind, m.due_dates, m.start_date, m.recurrence, start, end,
                                 _checkpoint_dates(start, end))
        units.append(pd.DataFrame({"measure_id": m.measure_id, "due_date": dates}))
    units = pd.concat(units, ignore_index=True)
    per_school = units.merge(coverage, on="measure_id", how="inner")
    without_school = units[~units["measure_id"].isin(coverage["measure_id"])].assign(school_id=None)
    units = pd.concat([per_school, without_school], ignore_index=True).sort_values(
        ["measure_id", "school_id", "due_date"], na_position="first").reset_index(drop=True)

    # Diligence differs by municipality, so the completion charts have something to show.
    roadmap_of = measures_df.set_index("measure_id")["roadmap_id"]
    municipality = periods["municipality_id"].reindex(roadmap_of.loc[units["measure_id"]].to_numpy()).to_numpy()
    municipality = pd.Series(municipality).fillna("region")
    diligence_of = {m: rng.uniform(-0.12, 0.1) for m in sorted(municipality.unique())}
    diligence = municipality.map(diligence_of).to_numpy()

    n = len(units)
    due = pd.to_datetime(units["due_date"]).dt.date.to_numpy()
    days_to_due = np.array([(d - today).days for d in due])
    u = rng.uniform(size=n) - diligence
    past = days_to_due < 0
    late_days = rng.integers(1, 50, n)
    early_days = rng.integers(0, 25, n)
    status = np.full(n, "not_started", dtype=object)
    completed = np.full(n, None, dtype=object)

    on_time = past & (u < 0.70)
    late = past & (u >= 0.70) & (u < 0.84)
    in_progress_past = past & (u >= 0.84) & (u < 0.93)
    not_applicable = past & (u >= 0.97)
    soon = ~past & (days_to_due < 45)
    done_early = ~past & (u < np.where(soon, 0.3, 0.04))
    in_progress_future = ~past & ~done_early & (u < np.where(soon, 0.75, 0.2))

    status[on_time | late | done_early] = "done"
    status[in_progress_past | in_progress_future] = "in_progress"
    status[not_applicable] = "not_applicable"
    for mask, shift in ((on_time, -early_days), (done_early, -early_days), (late, late_days)):
        completed[mask] = [d + dt.timedelta(days=int(k)) for d, k in zip(due[mask], shift[mask])]
    # A unit done ahead of a deadline that is still to come was done some days before today, not
    # all of them today (which drew a jump at «сегодня» on the burn-up); no extra draw, so the
    # rest of the demo stays the same for a seed.
    completed[done_early] = [min(c, today - dt.timedelta(days=int(k) % 21))
                             for c, k in zip(completed[done_early], late_days[done_early])]
    # A "late" completion that would lie in the future has not happened yet.
    future_completion = np.array([c is not None and c > today for c in completed], dtype=bool)
    status[future_completion] = "in_progress"
    completed[future_completion] = None

    units["status"] = status
    units["completed_on"] = completed
    units["comment"] = None
    units["evidence_url"] = None
    units["version"] = 1
    units["updated_by"] = "демо"
    units["updated_at"] = [pd.Timestamp(c or min(d, today)) for c, d in zip(completed, due)]
    units.insert(0, "unit_id", np.arange(1, n + 1))
    return units


# -- targets, surveys, teachers ---------------------------------------------------------------
def kpi_targets(region_id: str, municipalities: pd.DataFrame) -> pd.DataFrame:
    defaults = kpi_defaults()
    region = pd.concat([defaults.assign(year=y) for y in LIST_YEARS[-3:]], ignore_index=True)
    region = region[region["target_id"] != "partnership_agreements"].assign(scope_level="region", scope_id=region_id)
    agreements = defaults[defaults["target_id"] == "partnership_agreements"]
    municipal = pd.concat([agreements.assign(year=y, scope_level="municipality", scope_id=m)
                           for y in LIST_YEARS[-3:] for m in municipalities["municipality_id"]], ignore_index=True)
    targets = pd.concat([region, municipal], ignore_index=True)
    return targets[["target_id", "scope_level", "scope_id", "year", "target_low", "target_high", "direction"]]


def kpi_reported(region_id: str) -> pd.DataFrame:
    return pd.DataFrame({"target_id": "curators_share", "scope_level": "region", "scope_id": region_id,
                         "year": list(LIST_YEARS[-3:]), "value": [0.333, 0.389, 0.444]})


def survey_participation(schools: pd.DataFrame, model: SchoolModel, rng) -> pd.DataFrame:
    frame = listed(model).query("year >= @LIST_YEARS[-3]").merge(schools[["school_id", "teachers", "students"]])
    invited = (frame["teachers"] + np.ceil(frame["students"] * 0.3)).astype(int).to_numpy()
    rate = np.clip(rng.normal(0.84, 0.1, len(frame)), 0.3, 1)
    return pd.DataFrame({"school_id": frame["school_id"], "year": frame["year"], "invited": invited,
                         "responded": rng.binomial(invited, rate)})


def teacher_development(schools: pd.DataFrame, model: SchoolModel, rng) -> dict[str, pd.DataFrame]:
    topics = read_reference("deficit_topics")
    subject_share = {"rus": 0.13, "math": 0.13, "phys": 0.05, "bio": 0.05, "hist": 0.05, "soc": 0.04}
    base = listed(model).query("year >= @LIST_YEARS[-3]").merge(schools[["school_id", "teachers"]])
    frame = pd.concat([base.assign(subject_id=s, round=r) for s in subject_share for r in (1, 2)],
                      ignore_index=True)
    n = len(frame)
    total = np.maximum(1, np.round(frame["teachers"].to_numpy() * frame["subject_id"].map(subject_share)
                                   .to_numpy() * rng.uniform(0.7, 1.3, n))).astype(int)
    diagnosed = rng.binomial(total, np.clip(rng.normal(0.9, 0.08, n), 0.4, 1))
    progress = (frame["year"].to_numpy() - LIST_YEARS[-3]) * 2 + frame["round"].to_numpy()
    school_effect = frame["school_id"].map(
        dict(zip(frame["school_id"].unique(), rng.normal(0, 6, frame["school_id"].nunique())))).to_numpy()
    mean = np.clip(48 + 2.2 * progress + school_effect + rng.normal(0, 4, n), 15, 95)
    rose = np.where(progress > 1, rng.binomial(diagnosed, np.clip(rng.normal(0.5, 0.15, n), 0, 1)), pd.NA)
    development = pd.DataFrame({
        "school_id": frame["school_id"], "year": frame["year"], "round": frame["round"],
        "subject_id": frame["subject_id"], "teachers_total": total, "teachers_diagnosed": diagnosed,
        "diagnostic_mean": np.round(mean, 1), "teachers_level_rose": pd.array(rose, dtype="Int32"),
        "teachers_with_route": rng.binomial(total, np.clip(rng.normal(0.82, 0.15, n), 0, 1)),
        "teachers_trained": rng.binomial(total, np.clip(rng.normal(0.5, 0.2, n), 0, 1)),
        "teachers_in_consultations": rng.binomial(total, np.clip(rng.normal(0.55, 0.2, n), 0, 1)),
        "teachers_in_mentoring": rng.binomial(total, np.clip(rng.normal(0.3, 0.15, n), 0, 1)),
    })
    deficits = development[["school_id", "year", "round", "subject_id", "teachers_diagnosed"]].merge(
        topics[["subject_id", "topic_id"]], on="subject_id")
    p_topic = np.clip(rng.beta(2, 3, len(deficits)) - 0.03 * deficits["round"].to_numpy(), 0, 1)
    deficits["teachers_with_deficit"] = rng.binomial(deficits["teachers_diagnosed"].to_numpy(), p_topic)
    deficits = deficits.drop(columns="teachers_diagnosed")
    return dict(teacher_development=development, teacher_deficits=deficits[deficits["teachers_with_deficit"] > 0])
