"""Entry point: page frame, global filters, navigation. Pages live in pages/."""
import streamlit as st

from ui import filters, pages, present, shell
from ui.text import t

filters.init_language()
shell.configure_page()
shell.ensure_data()
navigation = st.navigation(pages.navigation_pages(), expanded=True)  # all 13 pages, no "View more"
filters.sidebar_filters()
present.setup()
shell.sidebar_footer()
for name, value in filters.bad_url_values():
    st.warning(t("app.bad_url_value", name=name, value=value))
navigation.run()
