"""«Результаты»: indicator dynamics for methodologists (filter by subject and grade).
The URL keeps the indicator (``?indicator=``), pooled years (``?pool=2``) and the selected school
(``?school=``). The tabs and the school panel are drawn by ``ui.results_sections`` from figures
and tables built in ``presentation.views.results``."""
import streamlit as st

from analytics import catalog, indicators
from ui import results_sections as sections
from ui.cache import compute, settings
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import language, t

scope = current_scope()
page_header(t("results.title"), scope)
min_n = settings().min_n

code, pool_years = sections.choose_indicator(scope)
st.caption(f"**{t(f'indicators.{code}')}** — {t(f'indicators.{code}_def')}")
with st.expander(t("results.methodology")):
    st.markdown(t("results.methodology_text", min_n=min_n))
    st.markdown(t("results.grid_text"))
    for other in indicators.for_procedure(scope.procedure):
        st.markdown(f"- **{t(f'indicators.{other.code}')}** — {t(f'indicators.{other.code}_def')}")
if scope.subject_id is None:
    st.info(t("results.pooled_note"))

shown = sections.Slice(scope, code, pool_years, min_n, language(), selected=None)
region_series = compute(indicators.aggregate, shown.years_query.at(municipality_id=None, level="region"),
                        **shown.series_options)
if region_series.empty:
    st.warning(t("results.no_results"))
    st.stop()

schools = compute(catalog.schools, scope.region_id, None)
shown.school_names = dict(zip(schools["school_id"], schools["short_name"]))
shown.selected = sections.selected_school(shown.school_names)

tab_names = [t("results.tab_trend"), t("results.tab_schools"), t("results.tab_subjects")]
if scope.procedure == "VPR":
    tab_names.append(t("results.tab_objectivity"))
tabs = st.tabs(tab_names)
with tabs[0]:
    sections.trend_tab(shown)
with tabs[1]:
    sections.schools_tab(shown)
with tabs[2]:
    sections.subjects_tab(shown)
if scope.procedure == "VPR":
    with tabs[3]:
        sections.objectivity_tab(shown)

st.divider()
sections.detail_panel(shown)
st.caption(t("app.guardrail"))
