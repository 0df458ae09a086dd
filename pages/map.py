"""«Карта школ и наставники»: school map with categories and mentor lines, the school card, and
mentor assignment. The URL keeps the view choices (``?map_mode=``, ``?map_indicator=``,
``?map_lines=``, ``?map_method=``, the assignment's open tab ``?map_tab=``) through ``ui.url_state``
and the selected school (``?school=``) by hand: a click on the map sets it in the session first.
The sections are drawn by ``ui.map_sections``, ``ui.map_card`` and ``ui.map_assignment`` from
legends, figures and tables built in ``presentation.views.map``."""
import streamlit as st

from analytics import overview
from analytics.query import as_of_date
from ui import map_assignment, map_card, map_sections as sections
from ui.cache import compute, settings
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import language, t

scope = current_scope()
page_header(t("map.title"), scope, show_assessment=False)
config = settings()
shown = sections.MapView(scope, language(), config, as_of_date(scope.year, config.today),
                         compute(overview.latest_list_year, scope.year))
sections.choose(shown)                    # stops the page when there are no schools
sections.assignment_parameters(shown)

# -- selection from the URL or the last click ---------------------------------------------------
if "map_school" not in st.session_state:
    st.session_state["map_school"] = st.query_params.get("school")
selected = st.session_state.get("map_school")
if selected and not (shown.schools["school_id"] == selected).any():
    st.caption(t("map.unknown_school"))
    selected = None
if selected:
    st.query_params["school"] = selected
else:
    st.query_params.pop("school", None)
shown.selected = selected

sections.draw_pairs(shown)
sections.legend(shown)
map_card.map_and_card(shown)

if shown.proposal is None:
    st.caption(t("app.guardrail"))
    st.stop()
map_assignment.assignment_figures(shown)
map_assignment.assignment_tabs(shown)
st.caption(t("app.guardrail"))
