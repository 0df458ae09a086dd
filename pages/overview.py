"""Overview for a district or regional head: four headline figures, list trend, municipalities."""
import datetime as dt

import streamlit as st

from analytics import completion, overview
from ui import export, pages
from ui.data import compute, settings, source, view
from ui.figures.overview import list_size_bars, listed_share_by_municipality
from ui.filters import current_scope
from ui.safe import md
from ui.shell import page_header
from ui.text import day, language, metric_delta, num, pct, pp, t
from ui.views import overview as views

scope = current_scope()
page_header(t("overview.title"), scope, show_assessment=False)
today = settings().today
as_of = min(today, dt.date(scope.year, 12, 31))
list_year = compute(overview.latest_list_year, scope.year)
if list_year is None:
    st.info(t("overview.no_list"))
    st.stop()
if list_year != scope.year:
    st.caption(t("overview.list_year_note", year=list_year))

geo = (scope.region_id, scope.municipality_id)
change = compute(overview.list_change, *geo, list_year).iloc[0]
plan = compute(completion.year_completion, *geo, scope.year, as_of).iloc[0]
checkpoints = compute(completion.checkpoint_status, scope.year, as_of)
risks = compute(overview.high_risk_schools, *geo, list_year).iloc[0]
top_risks = compute(overview.top_high_risks, *geo, list_year)
mentors = compute(overview.mentor_coverage, *geo, list_year).iloc[0]

cards = st.columns(4, border=True)
with cards[0]:
    delta = None
    if change["previous"] is not None and change["previous"] == change["previous"]:
        # ASCII sign on purpose: st.metric reads the arrow direction from a leading "-".
        delta = t("overview.listed_delta", delta=f"{int(change['schools'] - change['previous']):+d}",
                  year=list_year - 1, relative=pp(change["relative_change"], 0).replace("п.п.", "%").replace("pp", "%"))
    st.metric(t("overview.listed"), num(change["schools"]), delta=delta, delta_color="inverse",
              help=t("overview.listed_help"))
    pages.link("schools", t("overview.details"))
with cards[1]:
    passed = checkpoints[checkpoints["passed"]]
    delta = t("overview.completion_no_checkpoint")
    if int(plan["planned"]) == 0:
        passed, delta = passed.iloc[0:0], t("overview.completion_no_plan")
    elif not passed.empty:
        last = passed.iloc[-1]
        delta = t("overview.completion_delta", delta=metric_delta(pp(plan["share_of_plan"] - last["target_share"], 0)),
                  target=pct(last["target_share"], 0), date=day(last["checkpoint_date"]))
    st.metric(t("overview.completion"), pct(plan["share_of_plan"], 0), delta=delta,
              delta_color="normal" if not passed.empty else "off", help=t("overview.completion_help"))
    upcoming = checkpoints[~checkpoints["passed"]]
    if int(plan["planned"]) and not upcoming.empty:
        nxt = upcoming.iloc[0]
        st.caption(t("overview.next_checkpoint", date=day(nxt["checkpoint_date"]), target=pct(nxt["target_share"], 0)))
    pages.link("roadmaps", t("overview.details"))
with cards[2]:
    st.metric(t("overview.high_risk"),
              t("overview.high_risk_value", count=int(risks["with_high_risk"]), total=int(risks["with_profile"])),
              help=t("overview.high_risk_help"))
    if not top_risks.empty:
        top = top_risks.iloc[0]
        st.caption(t("overview.top_risk", name=md(top["name_ru" if language() == "ru" else "name_en"]),
                     count=int(top["schools"])))
    pages.link("risks", t("overview.details"))
with cards[3]:
    st.metric(t("overview.mentors"), pct(mentors["share"], 0), help=t("overview.mentors_help"))
    if mentors["with_mentor"]:
        st.caption(t("overview.mentors_caption", mean=num(mentors["mean_km"]), max=num(mentors["max_km"])))
    pages.link("map", t("overview.details"))

left, right = st.columns([2, 3])
left.plotly_chart(view(list_size_bars, source(overview.list_size_by_year, *geo), t("overview.list_chart"),
                       t("overview.list_chart_y"), language()),
                  width="stretch", config={"displayModeBar": False})
municipalities = source(overview.by_municipality, *geo, list_year)
if scope.municipality_id is None:
    right.plotly_chart(
        view(listed_share_by_municipality, municipalities, t("overview.municipality_chart", year=list_year),
             t("overview.municipality_chart_x"), language()),
        width="stretch", config={"displayModeBar": False})

st.subheader(t("overview.municipality_table"))
shown, download = view(views.municipality_table, municipalities, language())
# Every municipality visible at once (a district head should not have to scroll a 12-row table).
st.dataframe(shown, hide_index=True, width="stretch", height=36 * (len(shown) + 1) + 4)
export.download_buttons(download, f"municipalities_{list_year}", key="overview_municipalities")
st.caption(t("app.guardrail"))
