"""The page registry (data, not code): app.py builds the navigation from it, and links
between pages look pages up here so a link is shown only when its page exists."""
from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from ui.text import t


class PageSpec(NamedTuple):
    key: str          # also the URL path
    script: str       # path relative to the project root
    title_key: str
    icon: str


# Menu order: what a district head looks at first comes first.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "pages/overview.py", "overview.title", ":material/dashboard:"),
    PageSpec("schools", "pages/schools.py", "schools.title", ":material/school:"),
    PageSpec("results", "pages/results.py", "results.title", ":material/monitoring:"),
    PageSpec("map", "pages/map.py", "map.title", ":material/map:"),
    PageSpec("risks", "pages/risks.py", "risks.title", ":material/warning:"),
    PageSpec("roadmaps", "pages/roadmaps.py", "roadmaps.title", ":material/checklist:"),
    PageSpec("roadmap_import", "pages/roadmap_import.py", "roadmap_import.title", ":material/upload_file:"),
    PageSpec("teachers", "pages/teachers.py", "teachers.title", ":material/groups:"),
    PageSpec("passport", "pages/passport.py", "passport.title", ":material/badge:"),
    PageSpec("targets", "pages/targets.py", "targets.title", ":material/flag:"),
    PageSpec("engagement", "pages/engagement.py", "engagement.title", ":material/how_to_reg:"),
    PageSpec("effectiveness", "pages/effectiveness.py", "effectiveness.title", ":material/trending_down:"),
    PageSpec("show", "pages/show.py", "show.title", ":material/slideshow:"),
    PageSpec("report", "pages/report.py", "report.title", ":material/description:"),
    PageSpec("data", "pages/import_files.py", "data.title", ":material/database:"),
)


# Pages only for roles that may do their action (the analytics layer refuses the action anyway).
PAGE_ACTIONS = {"data": "import_data", "roadmap_import": "edit_roadmap"}


def allowed(page: PageSpec) -> bool:
    from analytics import access
    action = PAGE_ACTIONS.get(page.key)
    return action is None or access.current().can(action)


def find(key: str) -> PageSpec | None:
    return next((p for p in PAGES if p.key == key), None)


def navigation_pages() -> list:
    return [st.Page(p.script, title=t(p.title_key), icon=p.icon, url_path=p.key, default=(i == 0))
            for i, p in enumerate(PAGES) if allowed(p)]


def link(key: str, label: str, query_params: dict | None = None) -> None:
    """A link to another page (optionally with URL parameters such as ``school``), or
    nothing if that page is not part of this build."""
    page = find(key)
    if page is not None and allowed(page):
        st.page_link(page.script, label=label, icon=":material/arrow_forward:", query_params=query_params)
