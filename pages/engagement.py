"""«Вовлеченность»: engagement monitoring of municipalities and listed schools per round —
criteria heatmap, ranking with zones, the criteria most often failed, units whose zone
fell, a unit's card with each criterion's evidence, and expert-review entry."""
import streamlit as st

from analytics import engagement
from ui import engagement_sections as sections, export, lazy, tables, url_state
from ui.cache import compute, settings, source, view
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import day, language, num, pct, t
from presentation.views import engagement as views

CHART_CONFIG = {"displayModeBar": False}


scope = current_scope()
page_header(t("engagement.title"), scope, show_assessment=False)
lang = language()
config = settings()
year = int(scope.year)
zones = engagement.load_config()["zones"]
zone_text = {"green": pct(zones["green"], 0), "yellow": pct(zones["yellow"], 0)}
st.caption(t("engagement.intro"))

schedule = compute(engagement.rounds, year, config.today)
schedule = schedule[schedule["started"]].reset_index(drop=True)
if schedule.empty:
    st.info(t("engagement.not_started"))
    st.stop()
held = schedule[~schedule["provisional"]]
default_round = int(held["round"].iloc[-1]) if not held.empty else int(schedule["round"].iloc[0])
round_options = [int(r) for r in schedule["round"]]
labels = {int(r["round"]): views.round_label(r, lang) for _, r in schedule.iterrows()}
controls = st.columns([2, 2, 3])
number = url_state.choice(controls[0].selectbox, t("engagement.round"), key="engagement_round", url="round",
                          options=round_options, default=default_round, format_func=labels.get,
                          help=t("engagement.round_help"))
levels = list(engagement.LEVELS)
level = url_state.choice(controls[1].selectbox, t("engagement.level"), key="engagement_level", url="level",
                         options=levels, default=levels[0], format_func=lambda v: t(f"engagement.levels.{v}"),
                         help=t("engagement.level_help"))

row = schedule.set_index("round").loc[number]
as_of = row["as_of"]
geo = (scope.region_id, scope.municipality_id)
summary_source = source(engagement.unit_summary, *geo, year, number, config.today)
scores_source = source(engagement.round_scores, *geo, year, number, as_of)
summary = compute(summary_source.function, *summary_source.args)
if summary.empty:
    st.info(t("engagement.no_units"))
    st.stop()
if row["provisional"]:
    st.warning(t("engagement.provisional_note", as_of=day(as_of)), icon=":material/schedule:")
level_rows = summary[summary["unit_level"] == level]
previous_label = t("engagement.previous_label", number=int(summary["previous_round"].iloc[0]),
                   year=int(summary["previous_year"].iloc[0]))

# -- headline --------------------------------------------------------------------------------
head = views.headline(summary, level)
cards = st.columns(5, border=True)
cards[0].metric(t("engagement.metric_units"), num(head["units"]), help=t("engagement.metric_units_help"))
cards[1].metric(t("engagement.metric_green"), num(head["green"]), help=t("engagement.metric_green_help", **zone_text))
cards[2].metric(t("engagement.metric_yellow"), num(head["yellow"]), help=t("engagement.metric_yellow_help", **zone_text))
cards[3].metric(t("engagement.metric_red"), num(head["red"]), help=t("engagement.metric_red_help", **zone_text))
cards[4].metric(t("engagement.metric_fell"), num(head["fell"]),
                help=t("engagement.metric_fell_help", previous=previous_label))

# -- heatmap -------------------------------------------------------------------------------------
st.subheader(t("engagement.heatmap_section"))
st.caption(t("engagement.heatmap_read", units=t(f"engagement.heatmap_units.{level}")))
criteria_source = source(engagement.criteria)
left, right = st.columns([3, 1])
heat_figure, heat_table = view(views.heatmap, scores_source, summary_source, criteria_source, level, zones,
                               t("engagement.heatmap_chart", round=labels[number]), lang)
left.plotly_chart(heat_figure, width="stretch", config=CHART_CONFIG)
right.markdown(f"**{t('engagement.criteria_legend')}**")
right.markdown(view(views.legend, criteria_source, level, lang))
with lazy.expander(t("engagement.heatmap_table"), key="engagement_points_open") as is_open:
    if is_open:
        tables.dataframe(heat_table)
        export.download_buttons(heat_table, f"engagement_points_{year}_{number}_{level}", key="engagement_points")

# -- ranking -------------------------------------------------------------------------------------
st.subheader(t("engagement.ranking_section"))
st.caption(t("engagement.ranking_read", **zone_text))
rank_figure, rank_table = view(views.ranking, summary_source, level, zones,
                               t("engagement.ranking_chart", round=labels[number]), previous_label, lang)
st.plotly_chart(rank_figure, width="stretch", config=CHART_CONFIG)
with lazy.expander(t("engagement.ranking_table"), key="engagement_ranking_open") as is_open:
    if is_open:
        tables.dataframe(rank_table)
        export.download_buttons(rank_table, f"engagement_ranking_{year}_{number}_{level}", key="engagement_ranking")

# -- most failed criteria and zones that fell ---------------------------------------------------------
st.subheader(t("engagement.failed_section"))
st.caption(t("engagement.failed_read", **zone_text))
failed_figure, failed_table = view(views.failed, scores_source, level, zones, t("engagement.failed_section"), lang)
if failed_figure is None:
    st.success(t("engagement.failed_none", **zone_text))
else:
    st.plotly_chart(failed_figure, width="stretch", config=CHART_CONFIG)
export.download_buttons(failed_table, f"engagement_criteria_{year}_{number}_{level}", key="engagement_failed")

st.subheader(t("engagement.fell_section"))
st.caption(t("engagement.fell_read", previous=previous_label))
fell_table = view(views.fell, summary_source, level, lang)
if fell_table.empty:
    st.success(t("engagement.fell_none"))
else:
    tables.dataframe(fell_table)

# -- one unit's card ----------------------------------------------------------------------------------
st.subheader(t("engagement.card_section"))
names = dict(zip(level_rows["unit_id"], level_rows["unit_name"] if level == "municipality"
                 else level_rows["unit_name"] + " · " + level_rows["municipality"]))
unit_options = ["", *sorted(names, key=names.get)]
unit_id = url_state.choice(st.selectbox, t("engagement.card_unit"), key="engagement_unit", url="unit",
                           options=unit_options, default="",
                           format_func=lambda u: t("engagement.card_choose") if u == "" else names[u],
                           help=t("engagement.card_help"))
sections.unit_card(unit_id, level, level_rows, scores_source, as_of, year, number, lang)

# -- expert-review entry ---------------------------------------------------------------------------------
sections.review_entry(level, unit_id, unit_options, names, year, number, lang)

with st.expander(t("engagement.methodology")):
    st.markdown(t("engagement.methodology_text", **zone_text))
st.caption(t("app.guardrail"))
