"""Presentation mode for meetings: no sidebar or Streamlit chrome, large text and charts,
the filter context as a large header. Switched on by the sidebar toggle or ``?present=1``
(kept in the URL so a copied link opens in the same mode); a button on the page leaves it.

Slides (pages/show.py) are laid out on a 1280×720 canvas with charts of fixed pixel width
and height (``slide_width``); on a 1920×1080 screen the page is scaled by 1.5 (CSS
``transform: scale`` under a media query; the layout stays at 1280 px, only the drawing
grows), so one layout fits both. Streamlit sizes plotly charts from their on-screen box
(1.5 times the canvas box after the transform); a counter-zoom on the plot puts them back.
"""
from __future__ import annotations

import streamlit as st

from ui.figures import style
from ui.text import t

URL_KEY = "present"
STATE_KEY = "present_mode"
MARKER_CLASS = "shnor-present"

# Hides Streamlit's header, toolbar, decoration and the sidebar (with its open/close
# control); enlarges base text, metrics and the context line.
PRESENT_CSS = f"""
<style class="shnor-css {MARKER_CLASS}">
  header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
  [data-testid="stMainMenu"], [data-testid="stStatusWidget"], footer {{ display: none !important; }}
  html {{ font-size: 19px; }}
  .block-container, [data-testid="stMainBlockContainer"] {{
    padding: 0.6rem 1.4rem 0.4rem 1.4rem !important; max-width: 100% !important; }}
  h1 {{ font-size: 1.8rem !important; padding: 0.2rem 0 0.2rem 0 !important; }}
  h2, h3 {{ font-size: 1.5rem !important; }}
  .shnor-context {{ font-size: 1.45rem; font-weight: 600; color: #1f2d3d; margin: 0 0 0.4rem 0; }}
  [data-testid="stMetricValue"] {{ font-size: 2.8rem; }}
  [data-testid="stMetricLabel"] p {{ font-size: 1.2rem; }}
  [data-testid="stCaptionContainer"], .stCaption {{ font-size: 1rem; }}
  @media (min-width: 1800px) and (min-height: 1000px) {{
    [data-testid="stMainBlockContainer"] {{ width: 66.6667% !important; max-width: 66.6667% !important;
      margin: 0 !important; align-self: flex-start !important; transform: scale(1.5); transform-origin: 0 0; }}
    /* Streamlit sizes a plotly chart from its on-screen (scaled) box, i.e. 1.5 times too
       large: draw it at that size and zoom it back into its 1280-px-canvas box. */
    [data-testid="stPlotlyChart"] .js-plotly-plot {{ zoom: 0.6667; }}
  }}
</style>
"""


def _read_url_once() -> None:
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = st.query_params.get(URL_KEY) == "1"


def is_on() -> bool:
    _read_url_once()
    return bool(st.session_state.get(STATE_KEY))


def _write_url(on: bool) -> None:
    if on:
        if st.query_params.get(URL_KEY) != "1":
            st.query_params[URL_KEY] = "1"
    elif URL_KEY in st.query_params:
        del st.query_params[URL_KEY]


def _leave() -> None:
    st.session_state[STATE_KEY] = False


def setup() -> bool:
    """Once per run, from app.py after the filters: toggle, URL, CSS, chart font size."""
    _read_url_once()
    st.sidebar.toggle(t("present.toggle"), key=STATE_KEY, help=t("present.toggle_help"))
    on = bool(st.session_state[STATE_KEY])
    _write_url(on)
    style.presenting(on)
    if on:
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)
    return on


def leave_button(container=st) -> None:
    """The way out when the sidebar is hidden (shown only in presentation mode)."""
    if is_on():
        container.button(t("present.leave"), key="present_leave", on_click=_leave, icon=":material/close:",
                         help=t("present.leave_help"))


CANVAS_WIDTH = 1280          # slide canvas (CSS px) before scaling
CANVAS_PADDING = 2 * 1.4 * 19  # left + right padding of the block container (1.4 rem at 19 px)
COLUMN_GAP = 19


def slide_width(fraction: float = 1.0, columns: int = 1) -> int:
    """Width in px of a column taking ``fraction`` of a slide split into ``columns``."""
    inner = CANVAS_WIDTH - CANVAS_PADDING - COLUMN_GAP * (columns - 1)
    return int(inner * fraction) - 6


def fit(figure, height: int | None = None, width: int | None = None, on: bool | None = None):
    """The figure (changed in place) as :func:`chart` draws it: in presentation mode (``on``,
    default: this run's mode) every text ≥ 18 px and ``width`` fixed; ``height`` fixed."""
    on = is_on() if on is None else on
    if on:
        style.enlarge(figure, height)
    elif height is not None:
        figure.update_layout(height=height)
    if width is not None and on:
        figure.update_layout(width=width)
    return figure


def draw(figure, width: int | None = None, container=st, **kwargs) -> None:
    """``st.plotly_chart`` of a figure already :func:`fit` (a cached one from ``ui.data.view``)."""
    mode = "content" if width is not None and is_on() else "stretch"
    container.plotly_chart(figure, width=mode, config={"displayModeBar": False}, **kwargs)


def chart(figure, height: int | None = None, container=st, width: int | None = None, **kwargs) -> None:
    """``st.plotly_chart`` that, in presentation mode, lifts all text to ≥ 18 px; ``height``
    fixes the height; ``width`` (slides in presentation mode) fixes the width."""
    draw(fit(figure, height, width), width, container, **kwargs)
