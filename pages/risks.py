"""Risk profiles: one school's profile and its change, the schools × factors map, the most
frequent risks, high risks that no measure addresses, and factor–results association."""
import html
import re

import streamlit as st

from analytics import risks
from ui import export, pages
from ui.data import compute, settings
from ui.figures.risks import association_chart, change_distribution, level_distribution, profile_bars, risk_heatmap
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import language, num, pct, t

CHART_CONFIG = {"displayModeBar": False}


def escape_markdown(text: str) -> str:
    """Data text shown as markdown: no HTML, no markdown syntax taken from the data."""
    return re.sub(r"([\\`*_{}\[\]()<>#+!|~-])", r"\\\1", html.escape(str(text), quote=False))


def url_choice(name: str, options: list, default=""):
    """A page-specific choice kept in the URL (``?name=value``); returns its widget key."""
    key = f"risks_{name}"
    if key not in st.session_state:
        value = st.query_params.get(name, default)
        if value not in options:
            if name in st.query_params:
                st.warning(t("app.bad_url_value", name=name, value=value))
            value = default
        st.session_state[key] = value
    elif st.session_state[key] not in options:
        st.session_state[key] = default
    return key


def write_url(name: str, value) -> None:
    if value in ("", None):
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != str(value):
        st.query_params[name] = str(value)


scope = current_scope()
page_header(t("risks.title"), scope, show_assessment=False)
lang = language()
name_column = "name_ru" if lang == "ru" else "name_en"
level_names = {level: t(f"codes.risk_level.{level}") for level in risks.LEVELS}

# -- catalogue, year, category -------------------------------------------------------------
catalogue_table = compute(risks.catalogues)
catalogue_names = dict(zip(catalogue_table["catalogue_id"], catalogue_table["name"]))
default_catalogue = compute(risks.default_catalogue)
with_profiles = catalogue_table[catalogue_table["schools"] > 0]["catalogue_id"].tolist()
catalogue_options = with_profiles or [default_catalogue]
catalogue_id = catalogue_options[0] if default_catalogue not in catalogue_options else default_catalogue
controls = st.columns([2, 2, 3])
if len(catalogue_options) > 1:
    key = url_choice("catalogue", catalogue_options, catalogue_id)
    catalogue_id = controls[1].selectbox(t("risks.catalogue"), catalogue_options, key=key,
                                         format_func=lambda c: catalogue_names.get(c, c))
    write_url("catalogue", catalogue_id if catalogue_id != default_catalogue else None)

year = compute(risks.profile_year, catalogue_id, scope.year)
if year is None:
    st.info(t("risks.no_profiles"))
    st.stop()
if year != scope.year:
    st.caption(t("risks.year_note", year=year))

categories = ["", "low_results", "risk_zone"]
key = url_choice("category", categories, "")
category = controls[0].selectbox(
    t("risks.category"), categories, key=key, help=t("risks.category_help"),
    format_func=lambda c: t("risks.all_profiled") if c == "" else t(f"codes.category.{c}")) or None
write_url("category", category)

args = (scope.region_id, scope.municipality_id, year, catalogue_id, category)
counts = compute(risks.level_counts, *args)
matrix = compute(risks.profile_matrix, *args)
gaps = compute(risks.coverage, *args)
if matrix.empty:
    st.info(t("risks.no_profiles_in_scope"))
    st.stop()

names_by_factor = dict(zip(counts["factor_id"], counts[name_column]))

# -- headline figures ------------------------------------------------------------------------
factor_ids = counts["factor_id"].tolist()
high_schools = int((matrix[factor_ids] == 3).any(axis=1).sum())
top = compute(risks.top_high_risks, *args)
uncovered_high = gaps[(gaps["level"] == "high") & ~gaps["covered"] & gaps["in_roadmap"]]
cards = st.columns(3, border=True)
cards[0].metric(t("risks.metric_schools"), num(len(matrix)), help=t("risks.metric_schools_help"))
cards[1].metric(t("risks.metric_high"), t("risks.of", count=high_schools, total=len(matrix)),
                help=t("risks.metric_high_help"))
if not top.empty:
    cards[1].caption(t("risks.top_risk", name=top.iloc[0][name_column], count=int(top.iloc[0]["high"])))
cards[2].metric(t("risks.metric_uncovered"), num(len(uncovered_high)), help=t("risks.metric_uncovered_help"))
cards[2].caption(t("risks.metric_uncovered_caption", schools=uncovered_high["school_id"].nunique()))

# -- one school ----------------------------------------------------------------------------------
st.subheader(t("risks.school_section"))
school_names = dict(zip(matrix.index, matrix["short_name"] + " · " + matrix["municipality"]))
school_options = ["", *sorted(school_names, key=lambda s: school_names[s])]
key = url_choice("school", school_options, "")
school_id = st.selectbox(t("risks.school"), school_options, key=key, help=t("risks.school_help"),
                         format_func=lambda s: t("risks.choose_school") if s == "" else school_names[s])
write_url("school", school_id)
if not school_id:
    st.info(t("risks.choose_school_hint"))
else:
    profile = compute(risks.school_profile, school_id, year, catalogue_id)
    school_gaps = gaps[gaps["school_id"] == school_id].set_index("factor_id")
    left, right = st.columns([3, 2])
    left.plotly_chart(profile_bars(profile, name_column, level_names, year,
                                   t("risks.profile_chart", school=matrix.at[school_id, "short_name"], year=year),
                                   t("risks.previous_year", year=year - 1), lang),
                      width="stretch", config=CHART_CONFIG)
    left.caption(t("risks.profile_read"))
    with right:
        if profile["previous_score"].isna().all():
            st.info(t("risks.no_previous", year=year - 1))
        for change in ("worsened", "improved"):
            named = profile.loc[profile["change"] == change, name_column].tolist()
            if named:
                st.markdown(f"**{t(f'risks.summary.{change}', previous=year - 1)}**")
                st.markdown("\n".join(f"- {escape_markdown(n)}" for n in named))
        school_uncovered = school_gaps[~school_gaps["covered"]]
        st.markdown(f"**{t('risks.summary.uncovered')}**")
        if school_gaps.empty or school_uncovered.empty:
            st.markdown(t("risks.summary.none"))
        elif not school_gaps["in_roadmap"].any():
            st.markdown(t("risks.summary.no_roadmap", year=year))
        else:
            st.markdown("\n".join(f"- {escape_markdown(names_by_factor[f])} ({level_names[lv]})"
                                  for f, lv in zip(school_uncovered.index, school_uncovered["level"])))
        pages.link("roadmaps", t("risks.to_roadmaps"))
        pages.link("passport", t("risks.passport"), query_params={"school": school_id})
    table = profile[["position", name_column, "level", "previous_level", "change"]].copy()
    table["level"] = table["level"].map(level_names)
    table["previous_level"] = table["previous_level"].map(level_names)
    table["change"] = table["change"].map(lambda c: t(f"risks.change.{c}"))
    table["measures"] = [int(school_gaps.at[f, "measures"]) if f in school_gaps.index else None
                         for f in profile["factor_id"]]
    table.columns = [t("risks.columns.position"), t("risks.columns.factor"), t("risks.columns.level", year=year),
                     t("risks.columns.level", year=year - 1), t("risks.columns.change"),
                     t("risks.columns.measures")]
    with st.expander(t("risks.profile_table")):
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(t("risks.measures_note"))
        export.download_buttons(table, f"risk_profile_{school_id}_{year}", key="risks_profile")

# -- heatmap ---------------------------------------------------------------------------------------
st.subheader(t("risks.heatmap_section"))
factor_names = dict(zip(counts["factor_id"], [f"{p}. {n}" for p, n in zip(counts["position"], counts[name_column])]))
st.caption(t("risks.heatmap_read"))
left, right = st.columns([3, 1])
left.plotly_chart(risk_heatmap(matrix, factor_names, level_names, t("risks.heatmap_chart", year=year), lang,
                               column_labels=[str(p) for p in counts["position"]]),
                  width="stretch", config=CHART_CONFIG)
right.markdown(f"**{t('risks.factors_legend')}**")
right.markdown("\n".join(f"{p}. {escape_markdown(n)}" for p, n in zip(counts["position"], counts[name_column])))
heat_table = matrix[["short_name", "municipality", *factor_ids]].copy()
for factor in factor_ids:
    heat_table[factor] = heat_table[factor].map({1: level_names["low"], 2: level_names["medium"],
                                                 3: level_names["high"]})
heat_table = heat_table.rename(columns={"short_name": t("risks.columns.school"),
                                        "municipality": t("risks.columns.municipality"), **factor_names})
with st.expander(t("risks.heatmap_table")):
    st.dataframe(heat_table, hide_index=True, width="stretch")
    export.download_buttons(heat_table, f"risk_profiles_{year}", key="risks_matrix")

# -- distribution and dynamics -------------------------------------------------------------------------
st.subheader(t("risks.distribution_section"))
left, right = st.columns(2)
left.plotly_chart(level_distribution(counts, name_column, level_names, t("risks.distribution_chart", year=year),
                                     t("risks.schools_axis"), lang), width="stretch", config=CHART_CONFIG)
left.caption(t("risks.distribution_read"))
change_counts = compute(risks.change_counts, *args)
compared = int((change_counts[["improved", "unchanged", "worsened"]].sum(axis=1)).max() or 0)
if compared:
    right.plotly_chart(change_distribution(
        change_counts, name_column, {c: t(f"risks.change.{c}") for c in ("improved", "unchanged", "worsened")},
        t("risks.change_chart", year=year, previous=year - 1), t("risks.schools_axis"), lang),
        width="stretch", config=CHART_CONFIG)
    right.caption(t("risks.change_read", compared=compared, previous=year - 1))
else:
    right.info(t("risks.no_change_data", previous=year - 1))
distribution_table = counts[["position", name_column, "high", "medium", "low", "schools"]].merge(
    change_counts[["position", "improved", "unchanged", "worsened", "no_data"]], on="position")
distribution_table.columns = [t("risks.columns.position"), t("risks.columns.factor"), level_names["high"],
                              level_names["medium"], level_names["low"], t("risks.columns.schools"),
                              t("risks.change.improved"), t("risks.change.unchanged"), t("risks.change.worsened"),
                              t("risks.change.no_data")]
with st.expander(t("risks.distribution_table")):
    st.dataframe(distribution_table, hide_index=True, width="stretch")
    export.download_buttons(distribution_table, f"risk_factors_{year}", key="risks_distribution")

# -- high risks without a measure ----------------------------------------------------------------------------
st.subheader(t("risks.uncovered_section"))
st.caption(t("risks.uncovered_read"))
if uncovered_high.empty:
    st.success(t("risks.uncovered_none"))
else:
    gap_table = uncovered_high[["short_name", "municipality", "factor_id", "has_roadmap"]].copy()
    gap_table["factor_id"] = gap_table["factor_id"].map(names_by_factor)
    gap_table["has_roadmap"] = gap_table["has_roadmap"].map({True: t("risks.yes"), False: t("risks.no")})
    gap_table.columns = [t("risks.columns.school"), t("risks.columns.municipality"), t("risks.columns.factor"),
                         t("risks.columns.has_roadmap")]
    st.dataframe(gap_table, hide_index=True, width="stretch")
    export.download_buttons(gap_table, f"risks_without_measures_{year}", key="risks_uncovered")
outside = gaps[~gaps["in_roadmap"]].drop_duplicates("school_id")
if not outside.empty:
    st.warning(t("risks.outside_roadmaps", count=len(outside), year=year,
                 names=", ".join(outside["short_name"].head(12)) + (" …" if len(outside) > 12 else "")))

# -- association ------------------------------------------------------------------------------------------
st.subheader(t("risks.association_section"))
association = compute(risks.factor_association, *args, min_participants=settings().min_n)
st.caption(t("risks.association_read"))
if association["enough"].any():
    st.plotly_chart(association_chart(association, name_column, t("risks.association_chart", year=year),
                                      t("risks.association_axis"), t("app.little_data"), lang),
                    width="stretch", config=CHART_CONFIG)
else:
    st.info(t("risks.association_too_few"))
st.warning(t("risks.association_guardrail"), icon=":material/info:")
assoc_table = association[["position", name_column, "n_high", "mean_high", "n_low", "mean_low",
                           "difference", "ci_low", "ci_high"]].copy()
for column in ("mean_high", "mean_low", "difference", "ci_low", "ci_high"):
    assoc_table[column] = (assoc_table[column] * 100).round(1)
assoc_table.columns = [t(f"risks.assoc_columns.{c}") for c in
                       ("position", "factor", "n_high", "mean_high", "n_low", "mean_low", "difference",
                        "ci_low", "ci_high")]
with st.expander(t("risks.association_table")):
    st.dataframe(assoc_table, hide_index=True, width="stretch")
    export.download_buttons(assoc_table, f"risk_association_{year}", key="risks_association")

with st.expander(t("risks.methodology")):
    st.markdown(t("risks.methodology_text", min_n=settings().min_n, share=pct(2 / 3, 0)))
st.caption(t("app.guardrail"))
