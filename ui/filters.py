"""Global filters in the sidebar, kept in the URL so that a copied link reproduces a view.

Flow on every run: URL (first run of a session only) -> session state -> validated
against what the data offers -> widgets -> URL written back.
"""
from __future__ import annotations

import streamlit as st

from analytics import access, catalog
from analytics.scope import PROCEDURES, Scope
from ui.cache import compute
from ui.entry import ensure_entry_point
from presentation.i18n import DEFAULT_LANGUAGE, LANGUAGES
from presentation.safe import plain
from ui.text import language, t

# URL parameter -> session-state key of its widget
URL_KEYS = {
    "lang": "lang", "region": "filter_region", "municipality": "filter_municipality", "year": "filter_year",
    "procedure": "filter_procedure", "subject": "filter_subject", "grade": "filter_grade",
}
_BAD_VALUES = "_filters_bad_url_values"
ALL = ""  # the "all" choice; a None value would show as an empty selectbox


def _read_url_once() -> None:
    if st.session_state.get("_filters_from_url"):
        return
    st.session_state["_filters_from_url"] = True
    supplied = set()
    for name, key in URL_KEYS.items():
        if name in st.query_params:
            st.session_state[key] = st.query_params[name]
            supplied.add(name)
    # Remember which values came from the URL: a value that fails validation is reported.
    st.session_state["_filters_url_supplied"] = supplied
    st.session_state[_BAD_VALUES] = []


def _coerce(name: str, options: list, default):
    """Make the session value one of ``options`` (URL values arrive as text)."""
    key = URL_KEYS[name]
    value = st.session_state.get(key, default)
    if value not in options:
        matched = next((o for o in options if o is not None and str(o) == str(value)), _MISSING)
        if matched is _MISSING:
            if name in st.session_state.get("_filters_url_supplied", set()) and value is not None:
                st.session_state[_BAD_VALUES].append((name, str(value)))
            matched = default
        value = matched
    st.session_state[key] = value
    st.session_state.get("_filters_url_supplied", set()).discard(name)


_MISSING = object()


def _labeller(labels: dict):
    """A format_func over labels fixed at draw time (it may be called outside the run)."""
    return lambda value: plain(labels.get(value, str(value)))


def init_language() -> str:
    """Settle the language before anything is drawn (page titles in the navigation too)."""
    _read_url_once()
    _coerce("lang", list(LANGUAGES), DEFAULT_LANGUAGE)
    return st.session_state["lang"]


def _language_selector() -> str:
    st.sidebar.radio(t("app.language"), list(LANGUAGES), key="lang", horizontal=True,
                     format_func=lambda code: {"ru": "Русский", "en": "English"}[code])
    return st.session_state["lang"]


def sidebar_filters() -> Scope:
    init_language()
    _language_selector()
    lang = language()
    st.sidebar.header(t("filters.header"))

    regions = compute(catalog.regions)
    region_names = dict(zip(regions["region_id"], regions["name"]))
    region_options = list(region_names)
    _coerce("region", region_options, region_options[0] if region_options else None)
    st.sidebar.selectbox(t("filters.region"), region_options, key=URL_KEYS["region"],
                         format_func=lambda r: plain(region_names.get(r, r)))
    region_id = st.session_state[URL_KEYS["region"]]

    municipalities = compute(catalog.municipalities, region_id)
    municipality_names = dict(zip(municipalities["municipality_id"], municipalities["name"]))
    # A user limited to one municipality (or school) has no "all municipalities" choice.
    own = access.current().municipality_id
    municipality_options = [ALL, *municipality_names] if own is None else [m for m in municipality_names if m == own]
    _coerce("municipality", municipality_options, municipality_options[0] if own and municipality_options else ALL)
    st.sidebar.selectbox(t("filters.municipality"), municipality_options, key=URL_KEYS["municipality"],
                         format_func=_labeller({ALL: t("filters.all_municipalities"), **municipality_names}))

    years = compute(catalog.years)
    _coerce("year", years, years[-1] if years else None)
    st.sidebar.selectbox(t("filters.year"), years, key=URL_KEYS["year"])

    _coerce("procedure", list(PROCEDURES), PROCEDURES[0])
    st.sidebar.selectbox(t("filters.procedure"), list(PROCEDURES), key=URL_KEYS["procedure"],
                         format_func=_labeller({p: t(f"codes.procedure.{p}") for p in PROCEDURES}))
    procedure = st.session_state[URL_KEYS["procedure"]]

    subjects = compute(catalog.subjects, procedure)
    subject_names = dict(zip(subjects["subject_id"], subjects["name_ru" if lang == "ru" else "name_en"]))
    subject_options = [ALL, *subject_names]
    _coerce("subject", subject_options, ALL)
    st.sidebar.selectbox(t("filters.subject"), subject_options, key=URL_KEYS["subject"],
                         format_func=_labeller({ALL: t("filters.all_subjects"), **subject_names}))
    subject_id = st.session_state[URL_KEYS["subject"]] or None

    grades = compute(catalog.grades, procedure, subject_id)
    grade_options = [ALL, *grades]
    _coerce("grade", grade_options, ALL)
    st.sidebar.selectbox(t("filters.grade"), grade_options, key=URL_KEYS["grade"],
                         format_func=_labeller({ALL: t("filters.all_grades"),
                                                **{g: t("filters.grade_value", grade=g) for g in grades}}))
    st.sidebar.caption(t("filters.copy_link"))

    scope = Scope(
        region_id=region_id,
        municipality_id=st.session_state[URL_KEYS["municipality"]] or None,
        year=st.session_state[URL_KEYS["year"]],
        procedure=procedure,
        subject_id=subject_id,
        grade=st.session_state[URL_KEYS["grade"]] or None,
    )
    _write_url(scope)
    st.session_state["scope"] = scope
    st.session_state["scope_labels"] = {
        "region": region_names.get(scope.region_id, scope.region_id),
        "municipality": municipality_names.get(scope.municipality_id) if scope.municipality_id else None,
        "subject": subject_names.get(scope.subject_id) if scope.subject_id else None,
    }
    return scope


def _write_url(scope: Scope) -> None:
    wanted = {
        "lang": st.session_state.get("lang") if st.session_state.get("lang") != DEFAULT_LANGUAGE else None,
        "region": scope.region_id, "municipality": scope.municipality_id,
        "year": scope.year, "procedure": scope.procedure, "subject": scope.subject_id, "grade": scope.grade,
    }
    for name, value in wanted.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != str(value):
            st.query_params[name] = str(value)


def bad_url_values() -> list[tuple[str, str]]:
    """URL parameters that named something absent from the data (shown once as a warning)."""
    values = st.session_state.get(_BAD_VALUES, [])
    st.session_state[_BAD_VALUES] = []
    return values


def current_scope() -> Scope:
    """The filters of this run; also routes a stray page run through app.py first."""
    ensure_entry_point()
    return st.session_state["scope"]
