"""«Результаты»: indicator dynamics for methodologists (filter by subject and grade).
The URL keeps the indicator (``?indicator=``), pooled years (``?pool=2``), the open tab
(``?results_tab=``) and the selected school (``?school=``). The tabs and the school panel are
drawn by ``ui.results_sections`` from figures and tables built in ``presentation.views.results``."""
import streamlit as st

from analytics import catalog, indicators
from ui import lazy, results_sections as sections
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

tab_names = {"trend": t("results.tab_trend"), "schools": t("results.tab_schools"),
             "subjects": t("results.tab_subjects")}
if scope.procedure == "VPR":
    tab_names["objectivity"] = t("results.tab_objectivity")
# Only the open tab is computed and sent (ui.lazy); the URL keeps it (``?results_tab=``).
tabs, open_tab = lazy.tabs(tab_names, key="results_tabs", url="results_tab")
with tabs[open_tab]:
    {"trend": sections.trend_tab, "schools": sections.schools_tab, "subjects": sections.subjects_tab,
     "objectivity": sections.objectivity_tab}[open_tab](shown)

st.divider()
sections.detail_panel(shown)
st.caption(t("app.guardrail"))
