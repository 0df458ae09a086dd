"""Presentation mode for meetings: no sidebar or Streamlit chrome, large text and charts,
the filter context as a large header. Switched on by the sidebar toggle or ``?present=1``
(kept in the URL so a copied link opens in the same mode); a button on the page leaves it.

Slides (pages/show.py) are laid out on a 1280×720 canvas with charts of fixed pixel width
and height (``slide_width``); a larger screen magnifies the whole canvas (CSS ``zoom`` in size
classes, see ZOOM_CLASSES), so one layout fits 1280×720 to 2560×1440.
"""
from __future__ import annotations

import streamlit as st

from presentation.figures import style
from ui.text import t

URL_KEY = "present"
STATE_KEY = "present_mode"
MARKER_CLASS = "shnor-present"

# Hides Streamlit's header, toolbar, decoration and the sidebar (with its open/close
# control); enlarges base text, metrics and the context line.
PRESENT_CSS_TEMPLATE = f"""
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
  /* A component's iframe (the map) is given its on-screen width as its CSS width, which a zoomed
     canvas magnifies once more (1,950 px in a 1,600 px window): keep it inside its column. */
  [data-testid="stMainBlockContainer"] iframe {{ max-width: 100% !important; }}
{{zoom_classes}}
</style>
"""


# How a slide laid out on the 1280×720 canvas fills a larger screen: the whole canvas is magnified
# by CSS ``zoom`` in size classes chosen by media queries — (min width, min height, zoom), the largest
# class the screen fits. Why this and not a viewport size sent to Python: Streamlit gives Python no
# viewport size; a component posting it back costs a rerun (or a reload) per page and per resize and
# draws the slide twice, while a media query applies before the first paint and follows a resize.
# Why ``zoom`` and not ``transform: scale`` (the first version): a transform leaves the layout at
# canvas size, so Streamlit and plotly measured a box of one size and showed another (charts had to
# be counter-zoomed and their text ended up at canvas size, ~60 % of the slide text at 1920×1080)
# and the page's scrollable width followed the untransformed layout. ``zoom`` magnifies layout,
# text and charts together: fonts, margins and label density chosen for the canvas (pages/show.py,
# presentation/figures/slide.py) hold at every class, and the canvas never exceeds the screen (no sideways
# scroll). A zoomed box keeps its width on screen and lays out its content in width / zoom CSS px:
# 1280 canvas px at every class.
#
# Plotly is the exception: it measures its own text with getBoundingClientRect, which a zoomed
# ancestor distorts, and Streamlit sizes a chart from its on-screen box. So a chart is
# counter-zoomed (net zoom 1: plotly draws in screen pixels) and drawn from Python at the class's
# size, fonts and margins (``fit`` → ``style.magnify``). Python learns the class from a tiny
# component (``_VIEWPORT_JS``, in the page, no iframe) that applies the same thresholds to the
# window size and reports the class only when it changes: one rerun when a presentation starts or
# the window crosses a class, none otherwise. Until it reports, charts are drawn at canvas size
# (still correctly placed, only smaller).
ZOOM_CLASSES = ((1600, 900, 1.25), (1920, 1080, 1.5), (2240, 1260, 1.75), (2560, 1440, 2.0))
ZOOM_STATE = "present_zoom"


def zoom_css(classes=ZOOM_CLASSES) -> str:
    rules = []
    for width, height, zoom in classes:
        rules.append(f"  @media (min-width: {width}px) and (min-height: {height}px) {{\n"
                     f"    [data-testid=\"stMainBlockContainer\"] {{ zoom: {zoom}; }}\n"
                     f"    [data-testid=\"stPlotlyChart\"] .js-plotly-plot {{ zoom: {1 / zoom:.6f}; }}\n  }}")
    return "\n".join(rules)


def zoom_for(width: int, height: int, classes=ZOOM_CLASSES) -> float:
    """The zoom of the largest class a ``width`` × ``height`` window reaches (what the CSS applies)."""
    return max([1.0] + [zoom for w, h, zoom in classes if width >= w and height >= h])


_VIEWPORT_JS = """
export default function(component) {
  const { data, setStateValue } = component;
  const pick = () => data.classes.reduce((z, [w, h, c]) => (innerWidth >= w && innerHeight >= h ? c : z), 1);
  const report = () => { const z = pick(); if (z !== data.known) setStateValue('zoom', z); };
  report();
  let timer = null;
  const onResize = () => { clearTimeout(timer); timer = setTimeout(report, 250); };
  window.addEventListener('resize', onResize);
  return () => { clearTimeout(timer); window.removeEventListener('resize', onResize); };
}
"""
_viewport = None


def _report_viewport() -> None:
    """Mount the viewport reporter (in the hidden sidebar) and keep its class in ZOOM_STATE."""
    global _viewport
    if _viewport is None:
        _viewport = st.components.v2.component("shnor_viewport", js=_VIEWPORT_JS, isolate_styles=False)
    known = float(st.session_state.get(ZOOM_STATE, 1.0))
    with st.sidebar:
        result = _viewport(key="shnor_viewport", data={"classes": [list(c) for c in ZOOM_CLASSES], "known": known},
                           on_zoom_change=lambda: None)
    reported = getattr(result, "zoom", None) if result is not None else None
    if reported:
        st.session_state[ZOOM_STATE] = float(reported)


def zoom() -> float:
    """The zoom class of the presenter's window (1 until the browser has reported it)."""
    return float(st.session_state.get(ZOOM_STATE, 1.0))


PRESENT_CSS = PRESENT_CSS_TEMPLATE.replace("{zoom_classes}", zoom_css())


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
        _report_viewport()
        # The zoom Python drew this run's charts for, named on the style block (browser tests wait for it).
        st.markdown(PRESENT_CSS.replace(MARKER_CLASS, f"{MARKER_CLASS} shnor-zoom-{round(zoom() * 100)}", 1),
                    unsafe_allow_html=True)
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


def scale() -> float:
    """What views get as ``on``: 0 outside presentation mode, else the window's zoom class."""
    return zoom() if is_on() else 0.0


def fit(figure, height: int | None = None, width: int | None = None, on: float | bool | None = None):
    """:func:`presentation.figures.style.fit` for this run's mode unless ``on`` is given."""
    return style.fit(figure, height, width, scale() if on is None else on)


def draw(figure, width: int | None = None, container=st, **kwargs) -> None:
    """``st.plotly_chart`` of a figure already :func:`fit` (a cached one from ``ui.cache.view``)."""
    mode = "content" if width is not None and is_on() else "stretch"
    container.plotly_chart(figure, width=mode, config={"displayModeBar": False}, **kwargs)


def chart(figure, height: int | None = None, container=st, width: int | None = None, **kwargs) -> None:
    """``st.plotly_chart`` that, in presentation mode, lifts all text to ≥ 18 px; ``height``
    fixes the height; ``width`` (slides in presentation mode) fixes the width."""
    draw(fit(figure, height, width), width, container, **kwargs)
