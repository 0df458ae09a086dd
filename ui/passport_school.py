"""The school a «Паспорт школы» (pages/passport.py) shows: the picker (the URL names the school,
``?school=<code>``) and :class:`School`, the view every passport section is drawn from."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics import catalog, passport, risks, school_map
from analytics import roadmaps as rm
from presentation.safe import plain
from presentation.views import passport as views
from ui import url_state
from ui.cache import compute
from ui.text import t

URL_KEY, PICKER_KEY = "school", "passport_school"


@dataclass
class School:
    """The school a passport shows and the view it is shown in."""
    scope: object            # the sidebar's view (ui.filters.current_scope)
    school_id: str
    info: dict               # analytics.passport.school
    year: int
    as_of: dt.date
    list_year: int | None
    params: dict             # identification parameters
    min_n: int
    lang: str

    @property
    def region_id(self) -> str:
        return self.info["region_id"]

    @property
    def geo(self) -> tuple:
        return self.info["region_id"], self.info["municipality_id"]

    @property
    def name_column(self) -> str:
        return "name_ru" if self.lang == "ru" else "name_en"

    def pairs(self):
        """Mentor pairs of the latest list (``None`` without a list) and this school's in them."""
        if not self.list_year:
            return None, None, None
        pairs = compute(school_map.current_pairs, self.region_id, None, self.list_year)
        return (pairs, *passport.related_pairs(pairs, self.school_id))

    def roadmap_filter(self) -> rm.RoadmapFilter:
        return rm.RoadmapFilter(self.region_id, None, self.year, school_id=self.school_id)

    def risk_profile(self):
        """(profile year, catalogue, profile rows; empty without a profile)."""
        catalogue_id = compute(risks.default_catalogue)
        risk_year = compute(risks.profile_year, catalogue_id, self.year)
        profile = compute(risks.school_profile, self.school_id, risk_year, catalogue_id) if risk_year \
            else pd.DataFrame()
        return risk_year, catalogue_id, profile if not profile.empty and profile["level"].notna().any() else None


def pick_school(scope) -> tuple[str, dict]:
    """The school named by the URL, else chosen in a picker (kept in the URL as ``?school=``);
    an unknown code is said in words. Stops the page while no school is chosen."""
    schools = compute(catalog.schools, scope.region_id, scope.municipality_id)
    labels = views.school_labels(schools, compute(catalog.municipalities, scope.region_id))
    wanted = url_state.read(URL_KEY) or ""
    unknown = None
    if PICKER_KEY not in st.session_state or (wanted and wanted != st.session_state[PICKER_KEY]):
        st.session_state[PICKER_KEY] = wanted
    school_id = st.session_state[PICKER_KEY]
    info = compute(passport.school, school_id) if school_id else None
    if school_id and info is None:
        unknown, school_id = school_id, ""
        st.session_state[PICKER_KEY] = ""
    if school_id and school_id not in labels:
        # A school outside the sidebar's municipality (e.g. opened from a link): still offered.
        labels[school_id] = f"{info['short_name']} · {info['municipality']}"
    options = ["", *sorted(labels, key=labels.get)]
    st.selectbox(t("passport.picker"), options, key=PICKER_KEY, help=t("passport.picker_help"),
                 format_func=lambda s: t("passport.choose") if s == "" else plain(labels.get(s, s)))
    school_id = st.session_state[PICKER_KEY]
    if school_id:
        url_state.write(URL_KEY, school_id)
        info = compute(passport.school, school_id)
    elif unknown is None:   # an unknown code stays in the URL beside the message naming it
        url_state.write(URL_KEY, None)
    if unknown is not None:
        st.error(t("passport.unknown", code=unknown))
    if not school_id:
        st.info(t("passport.no_school"))
        st.stop()
    return school_id, info
