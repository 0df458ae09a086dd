"""«Рисковые профили»: one school's profile and its change, the schools × factors map, the most
frequent risks, high risks that no measure addresses, and factor–results association.
The URL keeps the catalogue (``?catalogue=``), category (``?category=``) and school (``?school=``).
The sections are drawn by ``ui.risks_sections`` from figures, tables and texts built in
``presentation.views.risks``."""
import streamlit as st

from ui import risks_sections as sections
from ui.cache import settings
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import language, pct, t

scope = current_scope()
page_header(t("risks.title"), scope, show_assessment=False)
min_n = settings().min_n

shown = sections.choose(scope, language())   # stops the page while nothing is profiled
sections.headline(shown)
sections.one_school(shown)
sections.heatmap(shown)
sections.distribution(shown)
sections.uncovered(shown)
sections.association(shown, min_n)

with st.expander(t("risks.methodology")):
    st.markdown(t("risks.methodology_text", min_n=min_n, share=pct(2 / 3, 0)))
st.caption(t("app.guardrail"))
