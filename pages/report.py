"""«Отчёт»: the analytic report (DOCX) for the region, the municipality or a school of the filters."""

import streamlit as st

from analytics.query import as_of_date
from analytics import access
from analytics import catalog
from presentation.report import make_report
from presentation.report.model import Figure, Heading
from ui.cache import compute, settings
from ui import url_state
from ui.filters import current_scope
from presentation.safe import md, plain
from ui.shell import page_header
from ui.text import language, num, t

LEVEL_KEY, LEVEL_URL = "report_level", "report_level"
SCHOOL_KEY, SCHOOL_URL = "report_school", "school"
BUILT_KEY = "report_built"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


scope = current_scope()
page_header(t("report.title"), scope, show_assessment=False)
st.caption(t("report.page_intro"))
lang = language()

levels = ["region", "municipality", "school"] if scope.municipality_id else ["region", "school"]
# A report is a document, not a table the data layer can filter row by row: offer only the
# levels that lie wholly inside the user's scope.
principal = access.current()
if principal.school_id:
    levels = ["school"]
elif principal.municipality_id:
    levels = [level for level in levels if level != "region"]
level = url_state.choice(st.radio, t("report.level"), key=LEVEL_KEY, url=LEVEL_URL, options=levels,
                         default="municipality" if scope.municipality_id and "municipality" in levels else levels[0],
                         horizontal=True, format_func=lambda v: t(f"report.level_name.{v}"), report=False)

school_id = None
if level == "school":
    schools = compute(catalog.schools, scope.region_id, scope.municipality_id)
    names = dict(zip(schools["school_id"], schools["short_name"] + " (" + schools["school_id"] + ")"))
    options = ["", *names]
    school_id = url_state.choice(st.selectbox, t("report.school"), key=SCHOOL_KEY, url=SCHOOL_URL, options=options,
                                 default="", format_func=lambda v: plain(names.get(v, t("report.school_placeholder"))),
                                 report=False) or None
else:
    url_state.write(SCHOOL_URL, None)

year = int(scope.year)
as_of = as_of_date(year, settings().today)
municipality_id = scope.municipality_id if level != "region" else None
request = (scope.region_id, year, municipality_id, school_id, as_of, lang)

ready = level != "school" or school_id is not None
if st.button(t("report.build"), type="primary", icon=":material/description:", disabled=not ready, key="report_build"):
    with st.spinner(t("report.building")):
        try:
            built = compute(make_report, scope.region_id, year, municipality_id, school_id, as_of, lang)
        except ValueError as error:
            st.error(t("report.error", message=md(error)))
        else:
            st.session_state[BUILT_KEY] = (request, built)

saved = st.session_state.get(BUILT_KEY)
if saved is not None:
    saved_request, built = saved
    if saved_request != request:
        st.info(t("report.stale"))
    else:
        size = f"{num(len(built.data) / 1024)} KB" if lang == "en" else f"{num(len(built.data) / 1024)} КБ"
        st.success(t("report.built", size=size, images=built.images, seconds=num(built.seconds, 1)))
        if built.images == 0 and built.report.of_type(Figure):
            st.warning(t("report.built_no_charts"))
        st.download_button(t("report.download"), built.data, file_name=built.file_name, mime=DOCX_MIME,
                           icon=":material/download:", key="report_download", type="primary")
        with st.expander(t("report.contents"), icon=":material/list:"):
            st.markdown("  \n".join(md(block.text) for block in built.report.of_type(Heading)))
st.caption(t("app.guardrail"))
