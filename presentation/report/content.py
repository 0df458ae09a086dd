"""The analytic report («аналитическая справка») as a structured model, built from the store.

Every number comes from the analytics functions the pages use (overview, flows, dynamics,
risks, roadmaps, teachers, targets, comparison); this module only chooses, orders and
words them. Sentences are generated from the numbers with the catalogue texts
(``presentation/locales/<lang>/report.toml``) and the plural helper of :mod:`presentation.fmt`.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from analytics import catalog, comparison, completion, dynamics, flows, indicators, overview, risks, targets
from analytics import roadmaps as rm
from analytics import teachers as tch
from analytics.config import load_settings
from analytics.identification import load_params
from analytics.query import Pooling, Query, as_of_date
from presentation.report import effectiveness as effectiveness_section
from presentation.report import engagement as engagement_section
from presentation.report import queries
from presentation.report.model import Figure, Heading, Paragraph, Report, Table
from analytics.store import Store
from analytics import figures
from analytics.figures import FigureScope
from presentation import figure_text, fmt
from presentation.figures import identification as id_figures
from presentation.figures import overview as overview_figures
from presentation.figures import results as results_figures
from presentation.figures import risks as risk_figures
from presentation.figures import roadmaps as roadmap_figures
from presentation.figures import teachers as teacher_figures
from presentation.i18n import text

# Key indicators of the results section: procedure -> (subjects, indicators).
KEY_RESULTS = {
    "VPR": (("rus", "math"), ("share2", "quality")),
    "OGE": (("rus", "math"), ("share2", "quality")),
    "EGE": (("rus", "math_prof"), ("below_min", "ege_mean")),
}
LIST_YEARS = 5          # years of list history in the tables
TREND_YEARS = 6         # years on the results chart
TOP_ROWS = 15           # longest lists (overdue units, uncovered risks) are cut to this many rows


KEY_FIGURES = ("listed_schools", "roadmap_completion", "roadmap_checkpoint", "high_risk_listed", "mentor_coverage")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA \
        or (not isinstance(value, str) and pd.isna(value))


class Words:
    """Catalogue texts and number formats in one language."""

    def __init__(self, language: str):
        self.lang = language

    def __call__(self, key: str, **values) -> str:
        return text(self.lang, f"report.{key}", **values)

    def any(self, key: str, **values) -> str:
        return text(self.lang, key, **values)

    def num(self, value, decimals: int = 0) -> str:
        return fmt.number(value, self.lang, decimals)

    def pct(self, share, decimals: int = 1) -> str:
        return fmt.percent(share, self.lang, decimals)

    def pp(self, delta, decimals: int = 1) -> str:
        return fmt.points(delta, self.lang, decimals)

    def day(self, value) -> str:
        if isinstance(value, pd.Timestamp):
            value = value.date()
        return fmt.date(value, self.lang)

    def count(self, value, forms: str, decimals: int = 0) -> str:
        return fmt.count(value, self(f"forms.{forms}"), self.lang, decimals)

    def form(self, value, forms: str) -> str:
        return fmt.plural(value, self(f"forms.{forms}"), self.lang)


class Context:
    """What the report is about, resolved once."""

    def __init__(self, store: Store, region_id: str, year: int, municipality_id: str | None,
                 school_id: str | None, as_of: dt.date, language: str):
        self.store, self.region_id, self.year, self.as_of = store, region_id, int(year), as_of
        self.w = Words(language)
        self.school = None
        if school_id is not None:
            info = comparison.school_info(store, school_id)
            if info.empty or info.at[0, "region_id"] != region_id:
                raise ValueError(f"school {school_id!r} is not in region {region_id!r}")
            self.school = info.iloc[0]
            municipality_id = self.school["municipality_id"]
        self.municipality_id = municipality_id
        regions = catalog.regions(store).set_index("region_id")
        if region_id not in regions.index:
            raise ValueError(f"unknown region {region_id!r}")
        self.region_name = regions.at[region_id, "name"]
        self.municipality_name = None
        if municipality_id is not None:
            names = catalog.municipalities(store, region_id).set_index("municipality_id")["name"]
            if municipality_id not in names.index:
                raise ValueError(f"municipality {municipality_id!r} is not in region {region_id!r}")
            self.municipality_name = names[municipality_id]
        self.geo = (region_id, municipality_id)
        self.level = "school" if self.school is not None else ("municipality" if municipality_id else "region")
        self.list_year = overview.latest_list_year(store, self.year)
        self.min_n = load_settings().min_n
        self._targets: dict[int, pd.DataFrame] = {}

    def targets(self, year: int) -> pd.DataFrame:
        """targets.summary of a year (used by two sections; computed once)."""
        if year not in self._targets:
            self._targets[year] = targets.summary(self.store, *self.geo, year, self.as_of, load_params())
        return self._targets[year]

    @property
    def scope_name(self) -> str:
        if self.school is not None:
            return self.school["name"]
        return self.municipality_name or self.region_name


# -- small formatting helpers -------------------------------------------------------------------------
def _value(w: Words, value, kind: str) -> str:
    if _missing(value):
        return "—"
    return w.pct(value) if kind == "share" else w.num(value, 1)


def _delta(w: Words, value, kind: str) -> str:
    if _missing(value):
        return "—"
    return w.pp(value) if kind == "share" else fmt.signed(value, w.lang, 1)


def _target_text(w: Words, row) -> str:
    """«≥ 80 %», «25–30 %», «≤ 0», «≥ 2»."""
    low, high, kind = row["target_low"], row["target_high"], row["kind"]
    if _missing(low):
        return "—"
    share = kind in ("share", "reported", "municipalities")
    show = (lambda v: w.pct(v, 0)) if share else (lambda v: w.num(v))
    if not _missing(high):
        bare = w.num(low * 100) if share else w.num(low)
        return f"{bare}–{show(high)}"
    return f"{'≤' if row['direction'] == 'at_most' else '≥'} {show(low)}"


def _actual_text(w: Words, row) -> str:
    if _missing(row["actual"]):
        return "—"
    if row["kind"] == "municipalities" and row["denominator"]:
        return w("municipalities_met", met=int(row["numerator"]), total=int(row["denominator"]))
    return w.num(row["actual"]) if row["kind"] == "count" else w.pct(row["actual"])


def lower_first(value: str, language: str = "ru") -> str:
    """«Русский язык» → «русский язык» inside a Russian sentence; abbreviations («ИОМ», «ОБЖ») stay."""
    if language != "ru" or not value or (len(value) > 1 and value[1].isupper()):
        return value
    return value[0].lower() + value[1:]


def _subject_names(store: Store, language: str) -> dict[str, str]:
    frame = store.query_df("SELECT subject_id, name_ru, name_en FROM subjects")
    names = frame["name_ru" if language == "ru" else "name_en"].map(lambda n: lower_first(n, language))
    return dict(zip(frame["subject_id"], names))


def _factor_column(language: str) -> str:
    return "name_ru" if language == "ru" else "name_en"


# -- the report -------------------------------------------------------------------------------------
def build(store: Store, region_id: str, year: int, municipality_id: str | None = None,
          school_id: str | None = None, as_of: dt.date | None = None, language: str = "ru",
          created: dt.date | None = None) -> Report:
    """The report for a region, a municipality or a school and a year (charts not drawn yet:
    see :func:`presentation.report.charts.render_all`)."""
    settings = load_settings()
    today = created or settings.today
    as_of = as_of or as_of_date(year, today)
    ctx = Context(store, region_id, year, municipality_id, school_id, as_of, language)
    w = ctx.w
    _, synthetic = catalog.dataset_label(store)
    subtitle = [w(f"subtitle.{ctx.level}", name=ctx.scope_name, year=ctx.year)]
    if ctx.level != "region":
        subtitle.append(ctx.region_name if ctx.level == "municipality"
                        else f"{ctx.municipality_name}, {ctx.region_name}")
    subtitle.append(w("dates", created=w.day(today), as_of=w.day(as_of)))
    if synthetic:
        subtitle.append(w("synthetic"))
    report = Report(title=w(f"doc_title.{ctx.level}"), subtitle=subtitle, chart_note=w("no_charts"),
                    file_stem=f"spravka_{school_id or municipality_id or region_id}_{ctx.year}")
    conclusions: list[str] = []
    if ctx.level == "school":
        sections = (_school_general, _school_results, _school_risks, _school_roadmap, _school_mentor)
    else:
        sections = (_general, _list_dynamics, _results, _risks, _roadmaps, _mentoring, _teachers, _targets,
                    engagement_section.section, effectiveness_section.section)
    for number, section in enumerate(sections, start=1):
        section(ctx, report, number, conclusions)
    report.add(Heading(f"{len(sections) + 1}. {w('section.conclusions')}"))
    if conclusions:
        report.add(*(Paragraph(c, "bullet") for c in conclusions))
    else:
        report.add(Paragraph(w("conclusions_none")))
    report.add(Paragraph(w("guardrail"), "note"))
    return report


# -- region / municipality sections -------------------------------------------------------------------------
def _general(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w = ctx.w
    report.add(Heading(f"{number}. {w('section.general')}"))
    list_year = ctx.list_year or ctx.year
    table = overview.by_municipality(ctx.store, *ctx.geo, list_year)
    schools, rural = int(table["schools"].sum()), int(table["rural_schools"].sum())
    listed = int(table["listed"].sum())
    where = w(f"where.{ctx.level}")
    report.add(Paragraph(w("general_schools", where=where, schools=w.count(schools, "school"),
                           rural=w.num(rural), rural_share=w.pct(rural / schools if schools else math.nan, 0))))
    if ctx.level == "region":
        report.add(Paragraph(w("general_municipalities", count=w.count(len(table), "municipality_in"))))
    if ctx.list_year is None:
        report.add(Paragraph(w("no_list", year=ctx.year), "note"))
        return
    # The headline figures in the registry's words: the same label and value as on the pages.
    scope = FigureScope(ctx.region_id, ctx.municipality_id, ctx.year, ctx.as_of)
    for figure_id in KEY_FIGURES:
        value = figures.compute(ctx.store, figure_id, scope)
        if not value.empty:
            report.add(Paragraph(figure_text.line(value, w.lang) + ".", "bullet"))
    report.add(Paragraph(w("general_listed", year=list_year, listed=w.count(listed, "school"),
                           share=w.pct(listed / schools if schools else math.nan),
                           verb=w.form(listed, "is_listed"))))
    if ctx.list_year != ctx.year:
        report.add(Paragraph(w("list_year_note", year=list_year), "note"))
    if ctx.level == "region":
        rows = [[r.name, w.num(r.schools), w.num(r.rural_schools), w.num(r.listed_previous), w.num(r.listed),
                 w.pct(r.listed_share), w.pct(r.mentor_share, 0)]
                for r in table.sort_values(["listed", "name"], ascending=[False, True]).itertuples()]
        rows.append([w("total"), w.num(schools), w.num(rural), w.num(table["listed_previous"].sum()), w.num(listed),
                     w.pct(listed / schools if schools else math.nan),
                     w.pct(table["listed_with_mentor"].sum() / listed if listed else math.nan, 0)])
        report.add(Table([w("col.municipality"), w("col.schools"), w("col.rural"),
                          w("col.listed_year", year=list_year - 1), w("col.listed_year", year=list_year),
                          w("col.listed_share"), w("col.mentor_share")], rows,
                         caption=w("table.municipalities", year=list_year),
                         numeric=[False] + [True] * 6, widths=[3.2, 1, 1.2, 1.2, 1.2, 1.3, 1.4]))
        top = table[table["listed"] > 0].sort_values("listed_share", ascending=False).head(3)
        if len(top):
            names = ", ".join(f"{r.name} ({w.pct(r.listed_share)})" for r in top.itertuples())
            report.add(Paragraph(w("general_top_municipalities", names=names)))


def _list_dynamics(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w = ctx.w
    report.add(Heading(f"{number}. {w('section.list')}"))
    if ctx.list_year is None:
        report.add(Paragraph(w("no_list", year=ctx.year), "note"))
        return
    year = ctx.list_year
    change = overview.list_change(ctx.store, *ctx.geo, year).iloc[0]
    summary = ctx.targets(year).set_index("target_id")
    target = summary.loc["list_reduction"]
    now, before = int(change["schools"]), change["previous"]
    if before is None or _missing(before):
        report.add(Paragraph(w("list_first", year=year, count=w.count(now, "school"))))
    else:
        before = int(before)
        relative = (before - now) / before if before else math.nan
        status = w.any(f"identification.target_status.{target['status']}").lstrip("✔▲✖— ").strip()
        target_part = w("target_part", target=_target_text(w, target), status=status) \
            if not _missing(target["target_low"]) else ""
        if now < before:
            sentence = w("list_down", before=w.num(before), now=w.num(now), year=year, previous=year - 1,
                         relative=w.pct(relative), target=target_part)
        elif now > before:
            sentence = w("list_up", before=w.num(before), now=w.num(now), year=year, previous=year - 1,
                         relative=w.pct(-relative), target=target_part)
        else:
            sentence = w("list_same", now=w.count(now, "school"), year=year, previous=year - 1, target=target_part)
        report.add(Paragraph(sentence))
        conclusions.append(sentence)
    years = tuple(range(year - LIST_YEARS + 1, year + 1))
    members = flows.membership(ctx.store, *ctx.geo, "low_results", "official", tuple(range(year - LIST_YEARS, year + 1)))
    table = flows.flow_table(members, tuple(range(year - LIST_YEARS, year + 1)))
    table = table[table["year"].isin(years) & (table["listed"] > 0)]
    last = table[table["year"] == year]
    if len(last) and not _missing(last.iloc[0]["entered"]):
        row = last.iloc[0]
        entered, left, stayed = int(row["entered"]), int(row["left"]), int(row["two_plus_years"])
        report.add(Paragraph(w("list_flows", year=year,
                               entered=w.count(entered, "school"), entered_verb=w.form(entered, "entered"),
                               left=w.count(left, "school"), left_verb=w.form(left, "left"),
                               stayed=w.count(stayed, "school"), stayed_verb=w.form(stayed, "stays"))))
    if len(table):
        rows = [[str(r.year), w.num(r.listed), w.num(r.entered), w.num(r.left), w.num(r.two_plus_years)]
                for r in table.itertuples()]
        report.add(Table([w("col.year"), w("col.listed"), w("col.entered"), w("col.left"), w("col.two_plus")], rows,
                         caption=w("table.flows"), numeric=[False, True, True, True, True]))
    sizes = overview.list_size_by_year(ctx.store, *ctx.geo)
    if len(sizes):
        report.add(Figure(overview_figures.list_size_bars(sizes, w("chart.list_sizes"), w("chart.schools_axis"),
                                                          w.lang), w("chart.list_sizes"), width_px=900,
                          height_px=400))
    runs = flows.streaks(members, year)
    if len(runs):
        names = queries.school_names(ctx.store, ctx.region_id)
        runs = runs.merge(names, on="school_id", how="left").sort_values(["years_in_a_row", "short_name"],
                                                                          ascending=[False, True])
        rows = [[r.short_name, r.municipality, w.count(r.years_in_a_row, "year")] for r in runs.itertuples()]
        report.add(Table([w("col.school"), w("col.municipality"), w("col.years_in_list")], rows,
                         caption=w("table.listed_schools", year=year), widths=[3, 3, 1.4],
                         numeric=[False, False, True]))
        long = int((runs["years_in_a_row"] >= 3).sum())
        if long:
            conclusions.append(w("conclusion_long_stay", count=w.count(long, "school"),
                                 verb=w.form(long, "stays")))


def _change_rows(ctx: Context, frame: pd.DataFrame, subjects: dict, plan: dict | None = None
                 ) -> tuple[list, list[str], list[str]]:
    """Table rows of key indicators (``plan``: procedure -> (subjects, indicators), default
    KEY_RESULTS) and the sentences for significant changes."""
    w = ctx.w
    rows, better, worse = [], [], []
    for procedure, (subject_ids, codes) in (plan or KEY_RESULTS).items():
        for subject_id in subject_ids:
            for code in codes:
                part = frame[(frame["procedure"] == procedure) & (frame["subject_id"] == subject_id)
                             & (frame["indicator"] == code)]
                if part.empty:
                    continue
                r = part.iloc[0]
                kind = r["kind"]
                label = f"{w.any(f'codes.procedure.{procedure}')}, {subjects.get(subject_id, subject_id)}"
                name = w.any(f"indicators.{code}")
                value = _value(w, r["value"], kind) if bool(r["enough"]) else w("little_data")
                previous = _value(w, r["prev_value"], kind) if bool(r["prev_enough"]) else w("little_data")
                verdict = r["change_verdict"]
                rows.append([label, name, previous, value, _delta(w, r["delta"], kind) if verdict != "insufficient"
                             else "—", w(f"verdict.{verdict}"), w.num(r["n"])])
                if verdict in ("improved", "declined"):
                    phrase = w("change_phrase", indicator=lower_first(name, w.lang), what=label,
                               previous=previous, now=value, delta=_delta(w, r["delta"], kind))
                    (better if verdict == "improved" else worse).append(phrase)
    return rows, better, worse


def _results_table(ctx: Context, rows: list, previous_year: int) -> Table:
    w = ctx.w
    return Table([w("col.procedure_subject"), w("col.indicator"), str(previous_year), str(ctx.year), w("col.change"),
                  w("col.verdict"), w("col.participants")], rows, caption=w("table.results", year=ctx.year),
                 numeric=[False, False, True, True, True, False, True], widths=[2.2, 1.9, 1.0, 1.0, 1.45, 1.75, 1.5])


def _significance_paragraphs(ctx: Context, report: Report, better: list[str], worse: list[str],
                             conclusions: list[str]) -> None:
    w = ctx.w
    if better:
        report.add(Paragraph(w("results_better", list="; ".join(better))))
    if worse:
        report.add(Paragraph(w("results_worse", list="; ".join(worse))))
        conclusions.append(w("conclusion_results_worse", count=w.count(len(worse), "indicator")))
    if not better and not worse:
        report.add(Paragraph(w("results_no_change")))
    if better and not worse:
        conclusions.append(w("conclusion_results_better", count=w.count(len(better), "indicator")))


def _results(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w = ctx.w
    report.add(Heading(f"{number}. {w('section.results')}"))
    report.add(Paragraph(w("results_read"), "note"))
    subjects = _subject_names(ctx.store, w.lang)
    frames = [dynamics.changes(ctx.store, Query.of(*ctx.geo, year_to=ctx.year, procedure=procedure, level=ctx.level),
                               pooling=Pooling(grades=True), indicators=codes)
              for procedure, (_, codes) in KEY_RESULTS.items()]
    frame = pd.concat(frames, ignore_index=True)
    rows, better, worse = _change_rows(ctx, frame, subjects)
    if not rows:
        report.add(Paragraph(w("no_results", year=ctx.year), "note"))
        return
    _significance_paragraphs(ctx, report, better, worse, conclusions)
    report.add(_results_table(ctx, rows, ctx.year - 1))
    # Chart: ВПР share of «2», all subjects and grades, over the last years (region; municipality too).
    years = (ctx.year - TREND_YEARS + 1, ctx.year)
    series = []
    for who, level, municipality in (("region", "region", None), ("municipality", "municipality", ctx.municipality_id)):
        if level == "municipality" and municipality is None:
            continue
        q = Query.of(ctx.region_id, municipality, year_from=years[0], year_to=years[1], procedure="VPR", level=level)
        part = indicators.aggregate(ctx.store, q, pooling=Pooling(grades=True, subjects=True), indicators=("share2",))
        series.append(part.assign(who=who))
    data = pd.concat(series, ignore_index=True)
    names = {"region": ctx.region_name}
    if ctx.municipality_id:
        names = {"municipality": ctx.municipality_name, **names}
    title = w("chart.vpr_share2")
    report.add(Figure(results_figures.trend_lines(data, names, title, w("chart.percent_axis"), True, w.lang,
                                                  w("little_data")), title, width_px=1000, height_px=420))


def _risks(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w = ctx.w
    report.add(Heading(f"{number}. {w('section.risks')}"))
    catalogue = risks.default_catalogue(ctx.store)
    year = risks.profile_year(ctx.store, catalogue, ctx.year)
    if year is None:
        report.add(Paragraph(w("no_profiles"), "note"))
        return
    if year != ctx.year:
        report.add(Paragraph(w("profile_year_note", year=year), "note"))
    args = (ctx.store, *ctx.geo, year, catalogue, "low_results")
    profiles = risks.profiles(*args)
    if profiles.empty:
        report.add(Paragraph(w("no_profiles"), "note"))
        return
    per_school = profiles.groupby("school_id")["level"].apply(lambda s: (s == "high").any())
    with_profile, with_high = len(per_school), int(per_school.sum())
    report.add(Paragraph(w("risks_schools", with_high=w.num(with_high), with_profile=w.num(with_profile),
                           schools=w.form(with_profile, "school_genitive"), year=year)))
    name = _factor_column(w.lang)
    counts = risks.level_counts(*args)
    top = risks.top_high_risks(*args, limit=5)
    if len(top):
        first = top.iloc[0]
        report.add(Paragraph(w("risks_top", name=first[name], count=w.count(int(first["high"]), "school_genitive"))))
        rows = [[r[name], w.num(r["high"]), w.num(r["medium"]), w.num(r["low"]), w.pct(r["high_share"], 0)]
                for _, r in top.iterrows()]
        report.add(Table([w("col.factor"), w.any("codes.risk_level.high"), w.any("codes.risk_level.medium"),
                          w.any("codes.risk_level.low"), w("col.high_share")], rows,
                         caption=w("table.top_risks", year=year), numeric=[False, True, True, True, True],
                         widths=[4.5, 1, 1, 1, 1.3]))
    level_names = {lvl: w.any(f"codes.risk_level.{lvl}") for lvl in risks.LEVELS}
    title = w("chart.risk_levels", year=year)
    figure = risk_figures.level_distribution(counts, name, level_names, title, w("chart.schools_axis"), w.lang)
    report.add(Figure(figure, title, width_px=1100, height_px=max(420, 48 * len(counts) + 160)))
    gaps = risks.uncovered(*args, levels=("high",))
    if gaps.empty:
        report.add(Paragraph(w("risks_all_covered")))
        return
    factor_names = dict(zip(counts["factor_id"], counts[name]))
    schools = gaps["school_id"].nunique()
    sentence = w("risks_uncovered", risks=w.count(len(gaps), "high_risk"), schools=w.count(schools, "school_in"),
                 verb=w.form(len(gaps), "is_not_addressed"))
    report.add(Paragraph(sentence))
    conclusions.append(sentence)
    shown = gaps.head(TOP_ROWS)
    rows = [[r.short_name, r.municipality, factor_names.get(r.factor_id, r.factor_id),
             w("yes") if r.has_roadmap else w("no")] for r in shown.itertuples()]
    report.add(Table([w("col.school"), w("col.municipality"), w("col.factor"), w("col.has_roadmap")], rows,
                     caption=w("table.uncovered", shown=len(shown), total=len(gaps)), widths=[2.4, 2.4, 3.6, 1.2]))


def _roadmaps(ctx: Context, report: Report, number: int, conclusions: list[str],
              flt: rm.RoadmapFilter | None = None, by: str | None = None) -> None:
    w = ctx.w
    report.add(Heading(f"{number}. {w('section.roadmaps')}"))
    flt = flt or rm.RoadmapFilter(ctx.region_id, ctx.municipality_id, ctx.year)
    total = rm.completion(ctx.store, flt, ctx.as_of).iloc[0]   # counts of units: the sentence names units
    if int(total["planned"]) == 0:
        report.add(Paragraph(w("no_roadmap_units", year=ctx.year), "note"))
        return
    planned, done = int(total["planned"]), int(total["done"])
    report.add(Paragraph(w("roadmap_done", date=w.day(ctx.as_of), done=w.num(done), planned=w.num(planned),
                           measures=w.form(planned, "unit_genitive"), year=ctx.year,
                           share=w.pct(total["share_of_plan"]), late=w.count(int(total["done_late"]), "unit"))))
    overdue = int(total["overdue"])
    report.add(Paragraph(w("roadmap_overdue", overdue=w.count(overdue, "unit"), verb=w.form(overdue, "overdue_verb"),
                           share=w.pct(total["overdue_share_of_due"]), due=w.num(int(total["due"])),
                           measures=w.form(int(total["due"]), "unit_genitive"))
                         if overdue else w("roadmap_no_overdue")))
    progress = rm.checkpoint_progress(ctx.store, flt, ctx.as_of, figures.DEFAULT_BASIS)
    rows, statuses = [], []
    for p in progress.itertuples(index=False):
        state = "met" if p.met else ("ahead" if not p.passed else "missed")
        rows.append([w.day(p.checkpoint_date), w.pct(p.target_share, 0), w.pct(p.actual_share), w.pp(p.gap),
                     w(f"checkpoint.{state}")])
        statuses.append({"met": "achieved", "missed": "not_achieved", "ahead": "no_data"}[state])
    report.add(Table([w("col.checkpoint"), w("col.target"), w("col.actual"), w("col.gap"), w("col.status")], rows,
                     caption=w("table.checkpoints", year=ctx.year), numeric=[False, True, True, True, False],
                     statuses=statuses))
    passed = progress[progress["passed"]]
    if len(passed):
        last = passed.iloc[-1]
        key = "roadmap_checkpoint_met" if last["met"] else "roadmap_checkpoint_missed"
        sentence = w(key, date=w.day(last["checkpoint_date"]), actual=w.pct(last["actual_share"]),
                     target=w.pct(last["target_share"], 0), gap=w.pp(abs(last["gap"])).lstrip("+−±"))
        report.add(Paragraph(sentence))
        conclusions.append(sentence)
    ahead = progress[~progress["passed"]]
    if len(ahead):
        nxt = ahead.iloc[0]
        days = (nxt["checkpoint_date"] - ctx.as_of).days
        sentence = w("roadmap_checkpoint_ahead", date=w.day(nxt["checkpoint_date"]), target=w.pct(nxt["target_share"], 0),
                     days=w.count(days, "day"), remain=w.form(days, "remain"), actual=w.pct(nxt["actual_share"]),
                     gap=w.pp(max(nxt["target_share"] - nxt["actual_share"], 0)).lstrip("+−±"))
        report.add(Paragraph(sentence))
        conclusions.append(sentence)
    by = by or ("municipality" if ctx.level == "region" else "school")
    if ctx.level != "school":
        table = rm.completion_by(ctx.store, flt, ctx.as_of, by, w.lang)
        table = table[table["planned"] > 0].copy()
        table["name"] = table["name"].where(table["key"].astype(str) != "", w.any("roadmaps.regional_level"))
        if len(table):
            targets_lines = [(r.target_share, w("chart.target_line", date=w.day(r.checkpoint_date).rsplit(".", 1)[0],
                                                  target=w.pct(r.target_share, 0)))
                             for r in progress.itertuples() if r.passed][-1:]
            labels = {"on_time": w("chart.on_time"), "late": w("chart.late"), "x": w("chart.share_of_plan")}
            title = w(f"chart.completion_by_{by}")
            report.add(Figure(roadmap_figures.completion_bars(table, targets_lines, labels, title, w.lang), title,
                              width_px=1000))
            worst = table.sort_values("share_of_plan").head(3)
            names = ", ".join(f"{r.name} ({w.pct(r.share_of_plan, 0)})" for r in worst.itertuples())
            report.add(Paragraph(w(f"roadmap_lowest_{by}", names=names)))
    late = rm.overdue_units(ctx.store, flt, ctx.as_of)
    if len(late):
        shown = late.head(TOP_ROWS)
        rows = [[f"{r.number} {r.title}", r.school_name if isinstance(r.school_name, str) else "—", w.day(r.due_date),
                 w.num(r.days_overdue), r.executors_text] for r in shown.itertuples()]
        columns = [w("col.measure"), w("col.school"), w("col.due"), w("col.days_overdue"), w("col.executors")]
        numeric, widths = [False, False, True, True, False], [3.8, 2.2, 1.3, 1.4, 2.3]
        if ctx.level == "school":  # one school: its name in every row says nothing
            rows, columns, numeric, widths = ([x[:1] + x[2:] for x in rows], columns[:1] + columns[2:],
                                              numeric[:1] + numeric[2:], widths[:1] + widths[2:])
        report.add(Table(columns, rows, caption=w("table.overdue", shown=len(shown), total=len(late)),
                         numeric=numeric, widths=widths))


def _mentoring(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w = ctx.w
    report.add(Heading(f"{number}. {w('section.mentoring')}"))
    if ctx.list_year is None:
        report.add(Paragraph(w("no_list", year=ctx.year), "note"))
        return
    cover = overview.mentor_coverage(ctx.store, *ctx.geo, ctx.list_year).iloc[0]
    listed, paired = int(cover["listed"]), int(cover["with_mentor"])
    report.add(Paragraph(w("mentor_coverage", paired=w.num(paired), listed=w.num(listed),
                           schools=w.form(listed, "school_genitive"), share=w.pct(cover["share"], 0),
                           year=ctx.list_year)))
    if paired:
        report.add(Paragraph(w("mentor_distance", mean=w.num(cover["mean_km"]), max=w.num(cover["max_km"]))))
    if paired < listed:
        conclusions.append(w("conclusion_no_mentor", count=w.count(listed - paired, "school_of_list"),
                             verb=w.form(listed - paired, "stays")))
    pairs = queries.mentor_pairs(ctx.store, *ctx.geo, ctx.list_year)
    if len(pairs):
        rows = [[r.mentee, r.municipality, r.mentor if isinstance(r.mentor, str) else "—", _km(w, r)]
                for r in pairs.itertuples()]
        report.add(Table([w("col.school"), w("col.municipality"), w("col.mentor"), w("col.distance")], rows,
                         caption=w("table.pairs", year=ctx.list_year), numeric=[False, False, False, True],
                         widths=[2.6, 2.6, 2.6, 1.4]))


def _km(w: Words, row) -> str:
    if not _missing(row.road_km):
        return w("km_road", km=w.num(row.road_km))
    if not _missing(row.straight_km):
        return w("km_straight", km=w.num(row.straight_km))
    return "—"


def _teachers(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w = ctx.w
    report.add(Heading(f"{number}. {w('section.teachers')}"))
    year = tch.snapshot_year(ctx.store, *ctx.geo, ctx.year)
    if year is None:
        report.add(Paragraph(w("no_teachers"), "note"))
        return
    total = tch.coverage(ctx.store, *ctx.geo, year)
    if total.empty:
        report.add(Paragraph(w("no_teachers"), "note"))
        return
    summary = tch.against_targets(total, tch.targets(ctx.store, *ctx.geo, year))
    report.add(Paragraph(w("teachers_snapshot", year=year, teachers=w.count(int(total.at[0, "teachers_total"]),
                                                                            "teacher"),
                           schools=w.count(int(total.at[0, "schools"]), "school_in"))))
    rows, statuses, missed = [], [], []
    for r in summary.itertuples(index=False):
        label = w.any(f"teachers.indicator.{r.indicator}")
        met = None if r.met is pd.NA or _missing(r.met) else bool(r.met)
        rows.append([label, w.pct(r.share), f"{w.num(r.numerator)} / {w.num(r.denominator)}",
                     w.pct(r.target, 0) if not _missing(r.target) else "—",
                     "—" if met is None else (w("yes") if met else w("no"))])
        statuses.append(None if met is None else ("achieved" if met else "not_achieved"))
        if met is False:
            missed.append(f"{lower_first(label, w.lang)} ({w.pct(r.share, 0)} {w('against')} "
                          f"{w.pct(r.target, 0)})")
    report.add(Table([w("col.indicator"), w("col.share"), w("col.basis"), w("col.target"), w("col.met")], rows,
                     caption=w("table.teachers", year=year), numeric=[False, True, True, True, False],
                     statuses=statuses, widths=[4.4, 1.1, 1.4, 1.1, 1.2]))
    if missed:
        sentence = w("teachers_missed", list="; ".join(missed))
        report.add(Paragraph(sentence))
        conclusions.append(sentence)
    labels = {i: w.any(f"teachers.indicator.{i}") for i in tch.INDICATORS}
    title = w("chart.teachers", year=year)
    with_target = summary[summary["target"].notna()]
    report.add(Figure(teacher_figures.coverage_vs_targets(with_target, labels, title, w("chart.target"),
                                                          w("chart.count_template"), w.lang), title,
                      width_px=1000, height_px=380))
    deficits = tch.deficit_topics(ctx.store, *ctx.geo, year, top=1)
    if len(deficits):
        name = _factor_column(w.lang)
        subject = "subject_ru" if w.lang == "ru" else "subject_en"
        parts = [f"{lower_first(r[subject], w.lang)} — «{r[name]}» ({w.pct(r['share'], 0)})" for _, r in deficits.iterrows()
                 if subject in deficits.columns]
        if parts:
            report.add(Paragraph(w("teachers_deficits", list="; ".join(parts))))


def _targets(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w = ctx.w
    report.add(Heading(f"{number}. {w('section.targets')}"))
    summary = ctx.targets(ctx.year)
    counts = summary["status"].value_counts()
    achieved, at_risk, missed = (int(counts.get(s, 0)) for s in ("achieved", "at_risk", "not_achieved"))
    sentence = w("targets_summary", achieved=w.num(achieved), total=w.num(len(summary)),
                 targets=w.form(len(summary), "target_genitive"), at_risk=w.num(at_risk), missed=w.num(missed))
    report.add(Paragraph(sentence))
    conclusions.append(sentence)
    rows, statuses = [], []
    for _, r in summary.iterrows():
        basis = (f"{w.num(r['numerator'])} / {w.num(r['denominator'])}"
                 if r["kind"] in ("share", "municipalities") and r["denominator"] else "")
        rows.append([w.any(f"targets.name.{r['target_id']}"), _target_text(w, r), _actual_text(w, r), basis,
                     w.any(f"identification.target_status.{r['status']}")])
        statuses.append(r["status"])
    report.add(Table([w("col.indicator"), w("col.target"), w("col.actual"), w("col.basis"), w("col.status")], rows,
                     caption=w("table.targets", year=ctx.year, date=w.day(ctx.as_of)),
                     numeric=[False, True, True, True, False], statuses=statuses, widths=[3.8, 1.2, 2.1, 1.3, 1.9]))
    not_met = summary[summary["status"] == "not_achieved"]
    if len(not_met):
        names = ", ".join(lower_first(w.any(f"targets.name.{x}"), w.lang) for x in not_met["target_id"])
        conclusions.append(w("conclusion_targets_missed", names=names))
    names = {x: w.any(f"targets.name.{x}") for x in targets.TARGETS}
    status_labels = {s: w.any(f"identification.target_status.{s}") for s in targets.STATUSES} \
        | {"target": w("chart.target")}
    title = w("chart.targets", year=ctx.year)
    report.add(Figure(id_figures.targets_chart(summary, names, status_labels, title, w.lang), title, width_px=1100))


# -- school sections ------------------------------------------------------------------------------------
def _school_general(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w, s = ctx.w, ctx.school
    report.add(Heading(f"{number}. {w('section.general')}"))
    rows = [[w("field.name"), s["name"]], [w("field.code"), s["school_id"]], [w("field.municipality"), s["municipality"]],
            [w("field.type"), w.any(f"codes.school_type.{s['school_type']}")],
            [w("field.setting"), w.any("codes.setting." + ("rural" if s["is_rural"] else "urban"))],
            [w("field.students"), w.num(s["students"])],
            [w("field.social_index"), w.num(s["social_index"], 2) if not _missing(s["social_index"]) else "—"]]
    lists = queries.school_lists(ctx.store, s["school_id"])
    now = lists[lists["year"] == (ctx.list_year or ctx.year)]["category"].tolist()
    rows.append([w("field.categories", year=ctx.list_year or ctx.year),
                 ", ".join(w.any(f"codes.category.{c}") for c in now) or w("none")])
    listed_years = sorted(lists.loc[lists["category"] == "low_results", "year"].astype(int))
    rows.append([w("field.listed_years"), ", ".join(map(str, listed_years)) or w("none")])
    report.add(Table([w("col.field"), w("col.value")], rows, caption=w("table.school_card"), widths=[2, 5]))
    if "low_results" in now:
        run, y = 0, ctx.list_year
        while y in listed_years:
            run, y = run + 1, y - 1
        sentence = w("school_listed", count=w.count(run, "year"), year=ctx.list_year)
        report.add(Paragraph(sentence))
        conclusions.append(sentence)
    elif listed_years:
        report.add(Paragraph(w("school_left", year=listed_years[-1])))


def _school_results(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w, school_id = ctx.w, ctx.school["school_id"]
    report.add(Heading(f"{number}. {w('section.school_results')}"))
    report.add(Paragraph(w("results_read"), "note"))
    subjects = _subject_names(ctx.store, w.lang)
    frames = []
    for procedure, (_, codes) in KEY_RESULTS.items():
        q = Query.of(ctx.region_id, ctx.municipality_id, year_to=ctx.year, procedure=procedure)
        part = dynamics.changes(ctx.store, q, pooling=Pooling(grades=True), indicators=codes)
        frames.append(part[part["unit_id"] == school_id])
    frame = pd.concat(frames, ignore_index=True)
    # Every subject the school wrote, not only the key ones: the school's own picture.
    plan = {}
    for procedure, (key_subjects, codes) in KEY_RESULTS.items():
        present = frame.loc[frame["procedure"] == procedure, "subject_id"].dropna().unique().tolist()
        plan[procedure] = (tuple(sorted(present, key=lambda x: (x not in key_subjects, subjects.get(x, x)))), codes)
    rows, better, worse = _change_rows(ctx, frame, subjects, plan)
    if not rows:
        report.add(Paragraph(w("no_results", year=ctx.year), "note"))
    else:
        _significance_paragraphs(ctx, report, better, worse, conclusions)
        report.add(_results_table(ctx, rows, ctx.year - 1))
    compared = comparison.compare_school(ctx.store, Query.of(school_id=school_id, year=ctx.year, procedure="VPR"),
                                         "share2")
    if len(compared):
        rows = []
        for r in compared.itertuples(index=False):
            enough = bool(r.enough)
            rows.append([w(f"who.{r.who}"), w.num(r.n), w.pct(r.value) if enough else w("little_data"),
                         f"{w.pct(r.ci_low)} – {w.pct(r.ci_high)}" if enough else "—"])
        report.add(Table([w("col.group"), w("col.participants"), w("col.share2"), w("col.interval")], rows,
                         caption=w("table.school_compare", year=ctx.year), numeric=[False, True, True, True]))
    series = comparison.series(ctx.store, Query.of(school_id=school_id, procedure="VPR"), "share2")
    series = series[series["year"] >= ctx.year - TREND_YEARS + 1]
    if len(series):
        names = {who: w(f"who.{who}") for who in comparison.WHO}
        title = w("chart.school_share2")
        report.add(Figure(results_figures.trend_lines(series[series["year"] <= ctx.year], names, title,
                                                      w("chart.percent_axis"), True, w.lang, w("little_data")),
                          title, width_px=1000, height_px=420))


def _school_risks(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w, school_id = ctx.w, ctx.school["school_id"]
    report.add(Heading(f"{number}. {w('section.risks')}"))
    catalogue = risks.default_catalogue(ctx.store)
    year = risks.profile_year(ctx.store, catalogue, ctx.year)
    profile = risks.school_profile(ctx.store, school_id, year, catalogue) if year else pd.DataFrame()
    if profile.empty or profile["level"].isna().all():
        report.add(Paragraph(w("no_school_profile"), "note"))
        return
    name = _factor_column(w.lang)
    high = profile[profile["level"] == "high"]
    report.add(Paragraph(w("school_risks", year=year, high=w.count(len(high), "high_risk_factor"),
                           total=w.num(profile["level"].notna().sum()))))
    rows = [[r[name], w.any(f"codes.risk_level.{r['level']}") if isinstance(r["level"], str) else "—",
             w.any(f"codes.risk_level.{r['previous_level']}") if isinstance(r["previous_level"], str) else "—",
             w(f"risk_change.{r['change']}")] for _, r in profile.iterrows()]
    report.add(Table([w("col.factor"), str(year), str(year - 1), w("col.risk_change")], rows,
                     caption=w("table.school_profile", year=year), widths=[4.6, 1.2, 1.2, 1.6]))
    level_names = {lvl: w.any(f"codes.risk_level.{lvl}") for lvl in risks.LEVELS}
    title = w("chart.school_profile", year=year)
    report.add(Figure(risk_figures.profile_bars(profile, name, level_names, year, title, str(year - 1), w.lang), title,
                      width_px=1000, height_px=max(420, 50 * len(profile) + 120)))
    gaps = risks.uncovered(ctx.store, *ctx.geo, year, catalogue)
    gaps = gaps[gaps["school_id"] == school_id]
    if gaps.empty:
        report.add(Paragraph(w("school_risks_covered")))
    else:
        names = dict(zip(profile["factor_id"], profile[name]))
        listing = "; ".join(f"{lower_first(names.get(r.factor_id, r.factor_id), w.lang)} ({w.any(f'codes.risk_level.{r.level}')})"
                            for r in gaps.itertuples())
        sentence = w("school_risks_uncovered", list=listing)
        report.add(Paragraph(sentence))
        conclusions.append(sentence)


def _school_roadmap(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    flt = rm.RoadmapFilter(ctx.region_id, ctx.municipality_id, ctx.year, school_id=ctx.school["school_id"])
    _roadmaps(ctx, report, number, conclusions, flt=flt)


def _school_mentor(ctx: Context, report: Report, number: int, conclusions: list[str]) -> None:
    w = ctx.w
    report.add(Heading(f"{number}. {w('section.mentoring')}"))
    year = ctx.list_year or ctx.year
    pairs = queries.school_mentor_pairs(ctx.store, ctx.school["school_id"], year)
    if pairs.empty:
        report.add(Paragraph(w("school_no_mentor", year=year)))
        return
    for r in pairs.itertuples():
        date = w.day(r.agreement_date) if not _missing(r.agreement_date) else "—"
        report.add(Paragraph(w("school_mentor", year=year, mentor=r.mentor, distance=_km(w, r), date=date)))
