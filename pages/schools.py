"""Schools: computed categories with reasons, the official lists beside them, list flows, what-if.
The URL keeps the open tab (``?schools_tab=``) and the selected school (``?school=``). The tabs
are drawn by ``ui.schools_sections`` from tables and figures built in ``presentation.views.schools``."""
import streamlit as st

from analytics import identification
from presentation.views import schools as views
from ui import lazy, schools_sections as sections
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

# Only the open tab is computed and sent (ui.lazy); the URL keeps it (``?schools_tab=``).
tabs, open_tab = lazy.tabs({"list": t("schools.tab_list"), "compare": t("schools.tab_compare"),
                            "flows": t("schools.tab_flows"), "whatif": t("schools.tab_whatif")},
                           key="schools_tabs", url="schools_tab", keep_keys=sections.TAB_KEYS)
with tabs[open_tab]:
    {"list": sections.school_list, "compare": sections.compare, "flows": sections.list_flows,
     "whatif": sections.what_if}[open_tab](lists)
st.caption(t("app.guardrail"))
