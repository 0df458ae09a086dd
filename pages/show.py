"""«Показ»: slides for a meeting — overview figures, list flows, map, risk heatmap, roadmap
completion with checkpoints, schools ranked by the attention rule (the list of «Обзор»),
engagement, effectiveness. The slide number is in the URL (``?slide=N``); each slide is laid out
to fit a 1280×720 screen without scrolling (fixed chart heights below) and is zoomed on a
1920×1080 screen (see ui/present.py). The slides are drawn by ``ui.show_sections``.

The slide number stays here, by hand: the buttons step it in a callback, and a number out of
range is reported on the slide it falls back to."""
import streamlit as st

from analytics import overview
from analytics.query import as_of_date
from presentation.views.show import SLIDE_CSS
from ui import present
from ui import show_sections as sections
from ui.cache import compute, settings
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import language, t

SLIDES = tuple(sections.SLIDES)
URL_KEY, STATE_KEY = "slide", "show_slide"
# Chart heights (px) per slide, chosen so that header + chart fit 720 px of screen height (the
# registry labels with their date and population take up to four lines on slide 1).
HEIGHTS = {"overview": 315, "flows": 480, "map": 470, "risks": 480, "roadmap": 440, "attention": 440,
           "engagement": 470, "effectiveness": 400}


def _slide_from_url() -> int:
    raw = st.query_params.get(URL_KEY)
    if raw is None:
        return 1
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if not 1 <= number <= len(SLIDES):
        st.session_state["show_bad_slide"] = raw
        return 1
    return number


if STATE_KEY not in st.session_state or str(st.session_state[STATE_KEY]) != st.query_params.get(URL_KEY, "1"):
    st.session_state[STATE_KEY] = _slide_from_url()


def _step(delta: int) -> None:
    st.session_state[STATE_KEY] = min(max(st.session_state[STATE_KEY] + delta, 1), len(SLIDES))
    st.query_params[URL_KEY] = str(st.session_state[STATE_KEY])


number = st.session_state[STATE_KEY]
st.query_params[URL_KEY] = str(number)
slide = SLIDES[number - 1]


def controls() -> None:
    # The leave button's column only in presentation mode: an empty one took the room «Назад» and
    # «Далее» need at 1280 px (they were cut to «Н…» and «Д…»).
    widths = [1, 0.6, 1, 1.5] if present.is_on() else [1, 0.6, 1]
    back, where, forward, *leave = st.columns(widths, vertical_alignment="center")
    back.button(t("show.previous"), key="show_previous", on_click=_step, args=(-1,), disabled=number == 1,
                icon=":material/arrow_back:", width="stretch")
    where.markdown(f'<div class="shnor-slide-number">{number} / {len(SLIDES)}</div>', unsafe_allow_html=True)
    forward.button(t("show.next"), key="show_next", on_click=_step, args=(1,), disabled=number == len(SLIDES),
                   icon=":material/arrow_forward:", width="stretch", type="primary")
    if leave:
        present.leave_button(leave[0])


scope = current_scope()
st.markdown(SLIDE_CSS, unsafe_allow_html=True)
page_header(t(f"show.slide.{slide}"), scope, show_assessment=False, controls=controls)
bad = st.session_state.pop("show_bad_slide", None)
if bad is not None:
    st.warning(t("show.bad_slide", value=bad, count=len(SLIDES)))
if not present.is_on():
    st.caption(t("show.hint"))

config = settings()
year = int(scope.year)
deck = sections.Deck(scope, language(), config, as_of_date(year, config.today),
                     compute(overview.latest_list_year, year), HEIGHTS[slide], present.scale())
if deck.list_year is None and slide in ("overview", "flows", "map", "attention"):
    st.info(t("overview.no_list"))
    st.stop()
sections.SLIDES[slide](deck)
