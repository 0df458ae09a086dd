"""Schools: computed categories with reasons, the official lists beside them, list flows, what-if.
The URL keeps the selected school (``?school=``). The tabs are drawn by ``ui.schools_sections``
from tables and figures built in ``presentation.views.schools``."""
import streamlit as st

from analytics import identification
from presentation.views import schools as views
from ui import schools_sections as sections
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import language, t

scope = current_scope()
page_header(t("schools.title"), scope, show_assessment=False)
lang = language()
params = identification.load_params()
year = int(scope.year)
lists = sections.Lists(scope, year, params, lang)
st.caption(t("schools.basis", year=year, first=identification.results_years(params, year)[0], last=lists.last))
with st.expander(t("schools.method"), icon=":material/help:"):
    st.markdown(t("schools.method_text", **views.method_values(params, lang)))

tab_list, tab_compare, tab_flows, tab_whatif = st.tabs(
    [t("schools.tab_list"), t("schools.tab_compare"), t("schools.tab_flows"), t("schools.tab_whatif")])
with tab_list:
    sections.school_list(lists)
with tab_compare:
    sections.compare(lists)
with tab_flows:
    sections.list_flows(lists)
with tab_whatif:
    sections.what_if(lists)
st.caption(t("app.guardrail"))
