"""Registry figures on a page: st.metric with the registry's label, value and definition."""
from __future__ import annotations

import streamlit as st

from analytics import figures
from analytics.figures import FigureScope, FigureValue
from presentation import figure_text
from ui import url_state
from ui.cache import compute
from ui.text import language, num
from ui.text import t as text_of


def value(figure_id: str, scope: FigureScope, **options) -> FigureValue:
    """The figure's value through the page cache."""
    return compute(figures.compute_function(figure_id), figure_id, scope, **options)


def metric(figure: FigureValue, container=st, delta=None, delta_color: str = "normal") -> None:
    """The figure as a metric; its definition opens from the «?» next to the label."""
    lang = language()
    container.metric(figure_text.label(figure, lang), figure_text.value_text(figure, lang), delta=delta,
                     delta_color=delta_color, help=figure_text.definition_markdown(figure.figure_id, lang))


def scope_of(scope, as_of, basis: str = figures.DEFAULT_BASIS) -> FigureScope:
    """The registry scope of a page's filter (region, municipality, year) at ``as_of``."""
    return FigureScope(scope.region_id, scope.municipality_id, int(scope.year), as_of, basis)


BASIS_KEY = "basis"


def basis_choice(container=None) -> str:
    """The completion basis from the URL (``?basis=units``; by measures when absent). With a
    ``container``, also a control to change it, kept in the URL."""
    if container is None:
        chosen = url_state.read(BASIS_KEY)
        return chosen if chosen in figures.BASES else figures.DEFAULT_BASIS
    lang = language()
    return url_state.choice(container.radio, text_of("figures.basis_choice"), key="figures_basis", url=BASIS_KEY,
                            options=list(figures.BASES), default=figures.DEFAULT_BASIS, report=False,
                            horizontal=True, format_func=lambda b: figure_text.basis_name(b, lang),
                            help=text_of("figures.basis_help"))


def checkpoint_caption(checkpoint: FigureValue, completion: FigureValue, container=st) -> None:
    """Under a completion figure: the last checkpoint passed (its own date and actual) and the next one."""
    container.caption(figure_text.checkpoint_sentence(checkpoint, language()))
    if completion.numerator is not None:
        container.caption(text_of("figures.units_caption", done=num(completion.numerator),
                                  planned=num(completion.denominator), measures=num(completion.extra["measures"])))
