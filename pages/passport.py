"""«Паспорт школы»: one school on one page — identity and categories with reasons, results
per subject with intervals against the municipality and region, risk profile and its
change, mentor with distance and a small map, its roadmap, teacher development.
The URL names the school (``?school=<code>``, ``ui.passport_school``). The sections are drawn by
``ui.passport_sections`` and ``ui.passport_support`` from tables and texts built in
``presentation.views.passport``."""

import streamlit as st

from analytics import identification, overview
from analytics.query import as_of_date
from ui import passport_sections as sections, passport_support as support
from ui.cache import compute, settings
from ui.filters import current_scope
from ui.passport_school import School, pick_school
from ui.shell import page_header
from ui.text import language, t

scope = current_scope()
page_header(t("passport.title"), scope)
config = settings()
year = int(scope.year)

school_id, info = pick_school(scope)   # stops the page while no school is chosen
if info["region_id"] != scope.region_id:
    st.warning(t("passport.other_region"))
school = School(scope, school_id, info, year, as_of_date(year, config.today),
                compute(overview.latest_list_year, year), identification.load_params(), config.min_n, language())

sections.identity(school)
sections.results(school)
sections.risk_profile(school)
support.mentor(school)
support.roadmap(school)
support.teacher_development(school)
