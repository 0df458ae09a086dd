"""Entry point: page frame, sign-in, global filters, navigation. Pages live in pages/."""
import streamlit as st

from analytics.access import AccessDenied
from ui import auth, errors, filters, navigation, present, shell
from presentation.safe import md
from ui.text import t


def run() -> None:
    filters.init_language()
    shell.configure_page()
    shell.ensure_data()
    who = auth.gate()
    current_page = st.navigation(navigation.navigation_pages(), expanded=True)  # every page, no "View more"
    filters.sidebar_filters()
    present.setup()
    auth.sidebar_user(who)
    shell.sidebar_footer()
    for name, value in filters.bad_url_values():
        st.warning(t("app.bad_url_value" if who.unrestricted else "access.url_outside_scope", name=md(name),
                     value=md(value)))
    try:
        current_page.run()
    except AccessDenied as denied:
        st.error(t("access.denied", what=md(denied.what or denied.action)))


try:
    run()
except Exception as error:      # st.stop and st.rerun are not Exceptions: they pass through
    errors.show(error)
