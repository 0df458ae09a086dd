"""Overview for a district or regional head: four headline figures, who is behind on the roadmap
and why (the attention ranking), list trend, municipalities."""

import streamlit as st

from analytics.query import as_of_date
from analytics import attention, overview, risks
from ui import export, lazy, navigation, tables
from ui import figure_cards as cards_ui
from ui.cache import compute, settings, source, view
from presentation.figures.overview import list_size_bars, listed_share_by_municipality
from ui.filters import current_scope
from presentation.safe import md
from ui.shell import page_header
from ui.text import language, num, pp, t
from presentation.views import attention as attention_views
from presentation.views import overview as views

scope = current_scope()
page_header(t("overview.title"), scope, show_assessment=False)
today = settings().today
as_of = as_of_date(scope.year, today)
list_year = compute(overview.latest_list_year, scope.year)
if list_year is None:
    st.info(t("overview.no_list"))
    st.stop()
if list_year != scope.year:
    st.caption(t("overview.list_year_note", year=list_year))

geo = (scope.region_id, scope.municipality_id)
figure_scope = cards_ui.scope_of(scope, as_of, cards_ui.basis_choice())
listed = cards_ui.value("listed_schools", figure_scope)
plan = cards_ui.value("roadmap_completion", figure_scope)
checkpoint = cards_ui.value("roadmap_checkpoint", figure_scope)
high_risk = cards_ui.value("high_risk_listed", figure_scope)
mentors = cards_ui.value("mentor_coverage", figure_scope)
top_risks = compute(overview.top_high_risks, *geo, list_year)
ATTENTION_TOP = 5

cards = st.columns(4, border=True)
with cards[0]:
    delta = None
    previous = listed.extra.get("previous")
    if previous is not None:
        # ASCII sign on purpose: st.metric reads the arrow direction from a leading "-".
        delta = t("overview.listed_delta", delta=f"{int(listed.value - previous):+d}", year=list_year - 1,
                  relative=pp(listed.extra["relative_change"], 0).replace("п.п.", "%").replace("pp", "%"))
    cards_ui.metric(listed, delta=delta, delta_color="inverse")
    navigation.link("schools", t("overview.details"))
with cards[1]:
    cards_ui.metric(plan)
    cards_ui.checkpoint_caption(checkpoint, plan)
    navigation.link("roadmaps", t("overview.details"))
with cards[2]:
    cards_ui.metric(high_risk)
    if not top_risks.empty:
        top = top_risks.iloc[0]
        st.caption(t("overview.top_risk", name=md(top["name_ru" if language() == "ru" else "name_en"]),
                     count=int(top["schools"])))
    navigation.link("risks", t("overview.details"))
with cards[3]:
    cards_ui.metric(mentors)
    if mentors.numerator:
        st.caption(t("overview.mentors_caption", mean=num(mentors.extra["mean_km"]), max=num(mentors.extra["max_km"])))
    navigation.link("map", t("overview.details"))

# -- who is behind on the roadmap, and why --------------------------------------------------------------
needing = cards_ui.value("attention_schools", figure_scope)
ranked = needing.extra["ranked"]
rule = attention.rule()
lang = language()
st.subheader(t("attention.header"))
if not ranked.empty:
    first = ranked.iloc[0]
    st.caption(attention_views.rule_sentence(rule, as_of, first["next_date"], first["next_target"], lang)
               + " " + t("attention.shown", shown=min(ATTENTION_TOP, len(ranked)), total=len(ranked),
                         needing=int(needing.value)))
catalogue_id = compute(risks.default_catalogue)
risk_year = compute(risks.profile_year, catalogue_id, scope.year) if catalogue_id else None
factors = compute(risks.factors, catalogue_id) if catalogue_id else None
factor_names = {} if factors is None else dict(zip(factors["factor_id"], factors[f"name_{lang}"]))
schools_column, municipalities_column = st.columns([3, 2]) if scope.municipality_id is None else (st.container(), None)
with schools_column:
    st.markdown(f"**{t('attention.schools')}**")
    for item in attention_views.school_items(ranked, rule, factor_names, scope.year, as_of, lang, ATTENTION_TOP):
        with st.container(border=True):
            # Data is never inside emphasis: a name's own «**» must read as characters (tests/test_data_text.py).
            flag = f" · **{t('attention.needs')}**" if item["needs"] else ""
            st.markdown(f"**{item['rank']}.** {md(item['name'])} · {md(item['municipality'])} · "
                        f"**{item['score']}**{flag}")
            st.markdown("\n".join(f"- {md(r)}" for r in item["reasons"]))
            navigation.link("passport", t("attention.passport"), {"school": item["school_id"]})
if municipalities_column is not None:
    with municipalities_column:
        st.markdown(f"**{t('attention.municipalities')}**")
        municipal = compute(attention.municipality_ranking, scope.region_id, scope.year, list_year, as_of,
                            catalogue_id, risk_year, basis=figure_scope.basis)
        lines = []
        for item in attention_views.municipality_items(municipal, rule, scope.year, as_of, lang):
            flag = f" · **{t('attention.needs')}**" if item["needs"] else ""
            lines.append(f"{item['rank']}. {md(item['name'])} · **{item['score']}**{flag}  \n"
                         f"{item['line']} · {md(' · '.join(item['reasons']))}")
        st.markdown("\n".join(lines))
with lazy.expander(t("attention.all_schools", count=len(ranked)), key="overview_all_open") as is_open:
    if is_open:     # every school of the view: formatted and sent only when asked for (ui.lazy)
        shown, download = attention_views.full_table(ranked, rule, factor_names, scope.year, as_of, lang)
        label = lambda key: t(f"attention.columns.{key}")  # noqa: E731
        tables.dataframe(shown, widths={label(c): w for c, w in attention_views.FULL_WIDTHS.items()},
                         wrap=[label(c) for c in attention_views.FULL_WRAP], row_height=attention_views.FULL_ROW_PX,
                         headers={label(c): t(f"attention.column_short.{c}") for c in attention_views.FULL_SHORT})
        export.download_buttons(download, f"attention_{scope.year}", key="overview_attention")
        st.markdown(t("attention.methodology_text", minimum=rule.min_due_units))

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
label = lambda key: t(f"overview.columns.{key}")  # noqa: E731
tables.dataframe(shown, row_height=36, height=36 * (len(shown) + 1) + 4, widths={label(c): w for c, w in views.WIDTHS.items()},
                 headers={label(c): t(f"overview.column_short.{c}") for c in views.SHORT_HEADERS})
export.download_buttons(download, f"municipalities_{list_year}", key="overview_municipalities")
st.caption(t("app.guardrail"))
