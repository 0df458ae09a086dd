"""«Показ»: slides for a meeting — overview figures, list flows, map, risk heatmap, roadmap
completion with checkpoints, schools ranked by the attention rule (the list of «Обзор»). The slide number is in the URL
(``?slide=N``); each slide is laid out to fit a 1280×720 screen without scrolling (fixed
chart heights below) and is zoomed on a 1920×1080 screen (see ui/present.py)."""
import html
from urllib.parse import quote

import streamlit as st
from streamlit_folium import st_folium

from analytics.query import Query, as_of_date
from analytics import attention, effectiveness, engagement, flows, overview, risks, school_map
from analytics import roadmaps as rm
from presentation import figure_text
from ui import present
from ui import figure_cards as cards_ui
from ui.cache import compute, settings, source, view
from presentation.figures.overview import list_size_bars
from presentation.figures.school_map import build_map
from presentation.figures.style import CATEGORY_COLOURS
from ui.filters import current_scope
from presentation.safe import html_text
from ui.shell import page_header
from ui.text import day, language, pct, t
from presentation.views import effectiveness as effectiveness_views
from presentation.views import engagement as engagement_views
from presentation.views import attention as attention_views
from presentation.views import show as views
from presentation.views.charts import fitted

SLIDES = ("overview", "flows", "map", "risks", "roadmap", "attention", "engagement", "effectiveness")
URL_KEY, STATE_KEY = "slide", "show_slide"
ATTENTION_ROWS = 6
# Chart heights (px) per slide, chosen so that header + chart fit 720 px of screen height (the
# registry labels with their date and population take up to four lines on slide 1).
HEIGHTS = {"overview": 315, "flows": 480, "map": 470, "risks": 480, "roadmap": 440, "attention": 440,
           "engagement": 470, "effectiveness": 400}


def _slide_from_url() -> int:
    raw = st.query_params.get(URL_KEY)
    if raw is None:
        return 1
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if not 1 <= number <= len(SLIDES):
        st.session_state["show_bad_slide"] = raw
        return 1
    return number


if STATE_KEY not in st.session_state or str(st.session_state[STATE_KEY]) != st.query_params.get(URL_KEY, "1"):
    st.session_state[STATE_KEY] = _slide_from_url()


def _step(delta: int) -> None:
    st.session_state[STATE_KEY] = min(max(st.session_state[STATE_KEY] + delta, 1), len(SLIDES))
    st.query_params[URL_KEY] = str(st.session_state[STATE_KEY])


number = st.session_state[STATE_KEY]
st.query_params[URL_KEY] = str(number)
slide = SLIDES[number - 1]


def controls() -> None:
    # The leave button's column only in presentation mode: an empty one took the room «Назад» and
    # «Далее» need at 1280 px (they were cut to «Н…» and «Д…»).
    widths = [1, 0.6, 1, 1.5] if present.is_on() else [1, 0.6, 1]
    back, where, forward, *leave = st.columns(widths, vertical_alignment="center")
    back.button(t("show.previous"), key="show_previous", on_click=_step, args=(-1,), disabled=number == 1,
                icon=":material/arrow_back:", width="stretch")
    where.markdown(f'<div class="shnor-slide-number">{number} / {len(SLIDES)}</div>', unsafe_allow_html=True)
    forward.button(t("show.next"), key="show_next", on_click=_step, args=(1,), disabled=number == len(SLIDES),
                   icon=":material/arrow_forward:", width="stretch", type="primary")
    if leave:
        present.leave_button(leave[0])


scope = current_scope()
st.markdown("<style class='shnor-css'>.shnor-slide-number { font-size: 1.3rem; font-weight: 600; text-align: center; }"
            ".shnor-slide-table { width: 100%; font-size: 0.95rem; border-collapse: collapse; }"
            ".shnor-slide-table td, .shnor-slide-table th { padding: 0.15rem 0.5rem; border-bottom: 1px solid #ddd;"
            " white-space: nowrap; }"
            ".shnor-slide-table th { text-align: left; white-space: normal; }"
            ".shnor-slide-table td:nth-child(4) { white-space: normal; }"
            ".shnor-slide-table .shnor-muted { color: #555; font-size: 0.85em; }"
            ".shnor-slide-table tr.shnor-needs td:nth-child(3) { color: #b03a00; font-weight: 700; }</style>", unsafe_allow_html=True)
page_header(t(f"show.slide.{slide}"), scope, show_assessment=False, controls=controls)
bad = st.session_state.pop("show_bad_slide", None)
if bad is not None:
    st.warning(t("show.bad_slide", value=bad, count=len(SLIDES)))
if not present.is_on():
    st.caption(t("show.hint"))

lang = language()
config = settings()
year = int(scope.year)
as_of = as_of_date(year, config.today)
geo = (scope.region_id, scope.municipality_id)
list_year = compute(overview.latest_list_year, year)
height = HEIGHTS[slide]
on = present.scale()

if list_year is None and slide in ("overview", "flows", "map", "attention"):
    st.info(t("overview.no_list"))
    st.stop()

# -- 1. overview figures --------------------------------------------------------------------------
if slide == "overview":
    figure_scope = cards_ui.scope_of(scope, as_of, cards_ui.basis_choice())
    listed = cards_ui.value("listed_schools", figure_scope)
    cards = st.columns(4, border=True)
    delta = None
    if listed.extra.get("previous") is not None:
        delta = t("show.listed_delta", delta=f"{int(listed.value - listed.extra['previous']):+d}", year=list_year - 1)
    cards_ui.metric(listed, cards[0], delta=delta, delta_color="inverse")
    cards_ui.metric(cards_ui.value("roadmap_completion", figure_scope), cards[1])
    cards_ui.metric(cards_ui.value("high_risk_listed", figure_scope), cards[2])
    cards_ui.metric(cards_ui.value("mentor_coverage", figure_scope), cards[3])
    left, right = st.columns([2, 3])
    sizes = source(overview.list_size_by_year, *geo)
    with left:
        width = present.slide_width(2 / 5, 2)
        present.draw(view(fitted, list_size_bars, (sizes, t("overview.list_chart"), t("overview.list_chart_y"),
                                                         lang), height, width, on), width)
    if scope.municipality_id is None:
        municipalities = source(overview.by_municipality, *geo, list_year)
        with right:
            width = present.slide_width(3 / 5, 2)
            present.draw(view(views.municipality_share_slide, municipalities,
                              t("overview.municipality_chart", year=list_year), t("overview.municipality_chart_x"),
                              lang, height, width, on), width)

# -- 2. list flows ------------------------------------------------------------------------------------
elif slide == "flows":
    years = tuple(range(year - 4, year + 1))
    width = present.slide_width()
    flow_view = view(views.flows_slide, source(flows.membership, *geo, "low_results", "official", years, None), year,
                     {"in": t("schools.flows_in"), "out": t("schools.flows_out")}, lang, height, width, on)
    if flow_view is None:
        st.info(t("schools.flows_none"))
    else:
        figure, last = flow_view
        present.draw(figure, width)
        st.markdown(t("show.flows_line", **last))

# -- 3. map ---------------------------------------------------------------------------------------------
elif slide == "map":
    vpr = dict(subject_id=scope.subject_id, grade=scope.grade) if scope.procedure == "VPR" else {}
    schools = compute(school_map.schools_for_map, Query.of(*geo, year=year, **vpr), list_year=list_year, as_of=as_of)
    areas = compute(school_map.areas_for_map, scope.region_id, year, list_year, as_of, *vpr)
    pairs = compute(school_map.current_pairs, *geo, list_year)
    categories = {c: t(f"codes.category.{c}") for c in CATEGORY_COLOURS}
    counts = schools["category"].value_counts()
    swatch = ('<span style="display:inline-block;width:0.9em;height:0.9em;border-radius:50%;background:{};'
              'border:1px solid #333;margin:0 0.3em 0 0.9em;vertical-align:-0.1em"></span>{}')
    legend = "".join(swatch.format(CATEGORY_COLOURS[c], html_text(f"{name}: {int(counts.get(c, 0))}"))
                     for c, name in categories.items() if c != "biased" and counts.get(c, 0))
    st.markdown(f'<div style="font-size:1.0rem;line-height:1.6">{legend} · {html.escape(t("show.map_lines"))}</div>',
                unsafe_allow_html=True)
    texts = {"km_road": t("map.km_road"), "km_straight": t("map.km_straight"), "km_estimate": t("map.km_estimate"),
             "category": t("map.category"), "categories": categories, "municipality": t("map.municipality"),
             "vpr_participants": t("map.vpr_participants"), "vpr_share2": t("map.vpr_share2"),
             "min_n": settings().min_n, "little_data_n": t("figures.little_data_n", n="{n}"),
             "roadmap": t("map.roadmap"), "area_value": lambda row: ""}
    # A fixed width: the map is fitted to the region at the size it is first drawn.
    st_folium(build_map(schools, areas[areas["area_id"].isin(set(schools["municipality_id"]))], pairs, texts, lang),
              key="show_map", height=height, width=present.slide_width(), returned_objects=[])

# -- 4. risk heatmap ----------------------------------------------------------------------------------------
elif slide == "risks":
    catalogue_id = compute(risks.default_catalogue)
    risk_year = compute(risks.profile_year, catalogue_id, year)
    width = present.slide_width(5 / 8, 2)
    risk_view = None
    if risk_year:
        risk_view = view(views.risks_slide, source(risks.profile_matrix, *geo, risk_year, catalogue_id, "low_results"),
                         source(risks.level_counts, *geo, risk_year, catalogue_id, "low_results"), risk_year, lang,
                         height, width, on)
    if risk_view is None:
        st.info(t("risks.no_profiles_in_scope"))
    else:
        figure, factor_names = risk_view
        left, right = st.columns([5, 3])
        with left:
            present.draw(figure, width)
        items = "".join(f"<li>{html_text(n)}</li>" for n in factor_names)
        right.markdown(f'<ol class="shnor-factors" style="font-size:0.95rem;line-height:1.25;padding-left:1.3rem;'
                       f'margin-top:0.5rem">{items}</ol>', unsafe_allow_html=True)

# -- 5. roadmap completion with checkpoints -----------------------------------------------------------------
elif slide == "roadmap":
    flt = rm.RoadmapFilter(scope.region_id, scope.municipality_id, year)
    basis = cards_ui.basis_choice()
    progress_source = source(rm.checkpoint_progress, flt, as_of, basis)
    progress = compute(rm.checkpoint_progress, flt, as_of, basis)
    figure_scope = cards_ui.scope_of(scope, as_of, basis)
    plan = cards_ui.value("roadmap_completion", figure_scope)
    checkpoint = cards_ui.value("roadmap_checkpoint", figure_scope)
    if plan.empty:
        st.info(t("roadmaps.no_units"))
    else:
        labels = {"on_time": t("roadmaps.on_time_line"), "late": t("roadmaps.late"), "target": t("roadmaps.target"),
                  "target_short": t("roadmaps.target_short"), "so_far": t("roadmaps.so_far"),
                  "y": t("roadmaps.y_share"), "x": t("roadmaps.x_share"), "date_format": day}
        passed, ahead = progress[progress["passed"]], progress[~progress["passed"]]
        targets = [(float(p["target_share"]), t("roadmaps.target_line", target=pct(p["target_share"], 0),
                                                 date=day(p["checkpoint_date"])))
                   for p in ([passed.iloc[-1]] if not passed.empty else []) + ([ahead.iloc[0]] if not ahead.empty else [])]
        overdue = cards_ui.value("roadmap_overdue", figure_scope)
        st.markdown(f"**{figure_text.line(plan, lang)}** · {figure_text.checkpoint_sentence(checkpoint, lang)} · "
                    f"{figure_text.line(overdue, lang)}")
        below = dict(legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0), margin=dict(r=50, b=30))
        left, right = st.columns([2, 3])
        with left:
            width = present.slide_width(2 / 5, 2)
            present.draw(view(views.checkpoints_slide, progress_source, labels, t("show.checkpoints_chart"), below,
                              lang, height, width, on), width)
        dimension = "municipality" if scope.municipality_id is None else "school"
        with right:
            width = present.slide_width(3 / 5, 2)
            present.draw(view(views.completion_slide, source(rm.completion_by, flt, as_of, dimension, lang, basis), dimension,
                              targets, labels, below, lang, height, width, on), width)

# -- 6. schools that need attention --------------------------------------------------------------------------
elif slide == "attention":
    basis = cards_ui.basis_choice()
    needing = cards_ui.value("attention_schools", cards_ui.scope_of(scope, as_of, basis))
    ranked = needing.extra.get("ranked")
    st.markdown(f"**{figure_text.line(needing, lang)}**")
    if ranked is None or ranked.empty:
        st.success(t("attention.none"))
    else:
        rule = attention.rule()
        first = ranked.iloc[0]
        st.caption(t("attention.shown", shown=min(ATTENTION_ROWS, len(ranked)), total=len(ranked),
                     needing=int(needing.value)) + " "
                   + attention_views.rule_sentence(rule, as_of, first["next_date"], first["next_target"], lang,
                                                   short=True))
        # The same ranking as «Обзор»; an HTML table: its text scales with the page (a data grid keeps
        # small fixed text) and the reasons wrap.
        # The municipality under the school's name: the reasons get the width and stay on one or two lines.
        heads = ["rank", "school", "score", "reasons", "passport"]
        rows = "".join(
            "<tr" + (' class="shnor-needs"' if r["needs"] else "") + ">" + "".join(f"<td>{cell}</td>" for cell in (
                r["rank"], f'{html_text(r["name"])}<br><span class="shnor-muted">{html_text(r["municipality"])}</span>',
                r["score"],
                html_text(" · ".join(r["reasons"])),
                f'<a href="passport?school={html_text(quote(r["school_id"], safe=""))}" target="_self">'
                f'{html.escape(t("show.open_passport"))}</a>'))
            + "</tr>" for r in attention_views.slide_rows(ranked, rule, year, as_of, lang, ATTENTION_ROWS))
        st.markdown('<table class="shnor-slide-table"><thead><tr>'
                    + "".join(f"<th>{html.escape(t(f'attention.columns.{h}'))}</th>" for h in heads)
                    + f"</tr></thead><tbody>{rows}</tbody></table>", unsafe_allow_html=True)
        # No download here: the slide must fit the screen; «Обзор» offers the whole ranking.

# -- 7. engagement monitoring: municipalities' ranking and zones at the latest round -------------------------
elif slide == "engagement":
    schedule = compute(engagement.rounds, year, config.today)
    schedule = schedule[schedule["started"]]
    if schedule.empty:
        st.info(t("engagement.not_started"))
        st.stop()
    held = schedule[~schedule["provisional"]]
    latest = (held if not held.empty else schedule).iloc[-1]
    summary_source = source(engagement.unit_summary, *geo, year, int(latest["round"]), config.today)
    summary = compute(summary_source.function, *summary_source.args)
    level = "municipality" if scope.municipality_id is None else "school"
    label = engagement_views.round_label(latest, lang)
    previous = t("engagement.previous_label", number=int(summary["previous_round"].iloc[0]),
                 year=int(summary["previous_year"].iloc[0])) if not summary.empty else ""
    zones = engagement.load_config()["zones"]
    width = present.slide_width()
    drawn = view(engagement_views.slide, summary_source, level, zones, t("engagement.ranking_chart", round=label),
                 previous, lang, height, width, on)
    if drawn is None:
        st.info(t("engagement.no_units"))
    else:
        figure, counts = drawn
        st.markdown(t("show.engagement_line", green=counts["green"], yellow=counts["yellow"], red=counts["red"],
                      fell=counts["fell"], units=counts["units"]))
        present.draw(figure, width)

# -- 8. did the support work: list dynamics against the targets and the effect estimate ------------------------
elif slide == "effectiveness":
    width = present.slide_width()
    drawn = view(effectiveness_views.slide, source(effectiveness.list_dynamics, *geo, year), lang, height, width, on)
    if drawn is None:
        st.info(t("effectiveness.list_none"))
    else:
        figure, line = drawn
        st.markdown(line)
        present.draw(figure, width)
    result = compute(effectiveness.estimates, scope.region_id, config.min_n)
    did, validation = result["did"], result["validation"]
    if result["shown"]["did"] and did["ok"] and not effectiveness_views.too_wide(did, float(validation["max_width"])):
        st.markdown(f"**{t('effectiveness.did.name')}:** {effectiveness_views.reading(did, lang)} "
                    + t("effectiveness.did.sample", treated=did["n_treated"], controls=did["n_control"],
                        rows=did["rows"]))
