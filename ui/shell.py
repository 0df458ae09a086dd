"""The frame around every page: page config, first-start data, context header."""
from __future__ import annotations

import html

import streamlit as st

from analytics import catalog
from analytics.demo import build_demo
from analytics.scope import Scope
from ui.cache import clear_caches, settings, store
from presentation.safe import html_text
from ui.text import day, t

READABLE_CSS = """
<style class="shnor-css">
  /* Style-only blocks take no room (their element container would add a gap). */
  [data-testid="stElementContainer"]:has(style.shnor-css) { display: none; }
  /* Screen-shared at meetings: larger base text and metric values. */
  [data-testid="stMetricValue"] { font-size: 2.4rem; font-weight: 600; }
  [data-testid="stMetricLabel"] p { font-size: 1.05rem; white-space: normal; }
  [data-testid="stMetricLabel"] div { white-space: normal; overflow: visible; }
  [data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * {
      white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
      height: auto !important; }
  /* Streamlit cuts metric values and checkbox/toggle labels with «…» in a narrow column
     («63 % /…»): wrap them instead, a cut number or condition misleads. */
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] *,
  [data-testid="stCheckbox"] [data-testid="stWidgetLabel"] .stMarkdownEllipsis {
      white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
  [data-testid="stMetricValue"] { line-height: 1.15; }
  .shnor-context { font-size: 1.15rem; color: #2b3a4a; margin: -0.6rem 0 0.8rem 0; }
  .shnor-badge { background: #fff3cd; color: #6b4e00; border-radius: 0.4rem; padding: 0.1rem 0.5rem;
                 font-size: 0.9rem; margin-left: 0.6rem; white-space: nowrap; }
  .block-container { padding-top: 2.2rem; }
</style>
"""


def configure_page() -> None:
    st.set_page_config(page_title=t("app.short_name"), page_icon="🏫", layout="wide",
                       initial_sidebar_state="expanded")
    st.markdown(READABLE_CSS, unsafe_allow_html=True)


def ensure_data() -> None:
    """On the very first start, build the demo database with a progress bar."""
    current = store()
    populated = current.is_populated()
    if getattr(current, "write_down", False):      # served mode, PostgreSQL not answering
        st.warning(t("storage.read_only_banner"), icon=":material/cloud_off:")
    if populated:
        return
    if getattr(current, "served", False):          # the importer publishes the data, not the app
        st.info(t("storage.nothing_published"))
        st.stop()
    bar = st.progress(0.0, text=t("app.building_demo"))
    build_demo(current, scale="region", seed=settings().demo_seed, today=settings().today,
               progress=lambda fraction, _stage: bar.progress(min(fraction, 1.0), text=t("app.building_demo")))
    bar.empty()
    clear_caches()
    st.toast(t("app.building_done"))


def context_line(scope: Scope) -> str:
    """'Демонстрационная область · все муниципалитеты · 2026 · ВПР · математика · 5 класс'."""
    labels = st.session_state.get("scope_labels", {})
    parts = [
        labels.get("region") or scope.region_id,
        labels.get("municipality") or t("filters.all_municipalities"),
        str(scope.year),
        t(f"codes.procedure.{scope.procedure}"),
        labels.get("subject") or t("filters.all_subjects"),
        t("filters.grade_value", grade=scope.grade) if scope.grade else t("filters.all_grades"),
    ]
    return " · ".join(parts)


def page_header(title: str, scope: Scope, show_assessment: bool = True, controls=None) -> None:
    """Title plus the one-line 'what am I looking at' context, on every page. In presentation
    mode the context line is a large header and a button leaves the mode. ``controls``: a
    function drawing extra buttons (e.g. slide navigation) at the right of the title."""
    from ui import present  # ui.present imports the text lookup only; no cycle at import time
    if present.is_on() or controls is not None:
        head, right = st.columns([1, 1] if controls is not None else [6, 1], vertical_alignment="center")
        head.title(title)
        with right:
            if controls is not None:
                controls()
            else:
                present.leave_button()
    else:
        st.title(title)
    line = context_line(scope)
    if not show_assessment:
        line = " · ".join(line.split(" · ")[:3])
    _, synthetic = catalog.dataset_label(store())
    badge = f'<span class="shnor-badge">{html.escape(t("app.synthetic_badge"))}</span>' if synthetic else ""
    st.markdown(f'<div class="shnor-context">{html_text(line)}{badge}</div>', unsafe_allow_html=True)


def sidebar_footer() -> None:
    st.sidebar.caption(t("app.today", date=day(settings().today)))
    _, synthetic = catalog.dataset_label(store())
    if synthetic:
        st.sidebar.caption(t("app.synthetic_note"))
