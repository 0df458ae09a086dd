"""Parts of «Вовлеченность» (pages/engagement.py): one unit's card with each criterion's evidence,
and the expert-review entry. Tables come from ``presentation.views.engagement``."""
from __future__ import annotations

import streamlit as st

from analytics import access, engagement, engagement_reviews
from presentation.views import engagement as views
from ui import export, navigation, tables
from ui.cache import clear_caches, compute, store, view
from ui.text import num, pct, pp, t


def unit_card(unit_id: str, level: str, level_rows, scores_source, as_of, year: int, number: int, lang: str) -> None:
    """The chosen unit's points, zone, rank and change, and its criteria with their evidence."""
    if not unit_id:
        st.info(t("engagement.card_hint"))
    else:
        unit = level_rows.set_index("unit_id").loc[unit_id]
        if unit["zone"] is not None and unit["zone"] == unit["zone"]:
            st.markdown(t("engagement.card_total", points=num(unit["points"], 1), max=num(unit["max_points"]),
                          share=pct(unit["share"], 0), zone=t(f"engagement.zones.{unit['zone']}"),
                          rank=int(unit["rank"]), count=len(level_rows)))
        if unit["change"] == unit["change"]:
            st.caption(t("engagement.card_change", change=pp(unit["change"], 1)))
        missing = int(unit["criteria"] - unit["assessed"])
        if missing:
            st.caption(t("engagement.card_not_assessed", count=missing))
        card = view(views.card, scores_source, unit_id, as_of, lang)
        tables.dataframe(card)
        export.download_buttons(card, f"engagement_card_{unit_id}_{year}_{number}", key="engagement_card")
        if level == "school":
            navigation.link("passport", t("engagement.to_passport"), query_params={"school": unit_id})
        navigation.link("roadmaps", t("engagement.to_roadmaps"))


def review_entry(level: str, unit_id: str, unit_options: list, names: dict, year: int, number: int,
                 lang: str) -> None:
    """Points of the criteria an expert reviews, entered by a user who may edit targets."""
    principal = access.current()
    with st.expander(t("engagement.entry_section")):
        st.caption(t("engagement.entry_help"))
        if not principal.can("edit_targets"):
            st.info(t("engagement.entry_no_right"))
        else:
            criteria = compute(engagement.criteria)
            reviewed = criteria[(criteria["rule"] == "review") & (criteria["level"] == level)]
            name_column = "name_ru" if lang == "ru" else "name_en"
            criterion_names = dict(zip(reviewed["criterion_id"], reviewed["number"] + " " + reviewed[name_column]))
            with st.form("engagement_entry"):
                criterion_id = st.selectbox(t("engagement.entry_criterion"), list(criterion_names),
                                            format_func=criterion_names.get)
                entry_unit = st.selectbox(t("engagement.entry_unit"), unit_options[1:], format_func=names.get,
                                          index=unit_options[1:].index(unit_id) if unit_id else 0)
                maximum = float(reviewed.set_index("criterion_id")["max_points"].max()) if len(reviewed) else 0.0
                points = st.number_input(t("engagement.entry_points"), min_value=0.0, max_value=maximum, step=1.0)
                comment = st.text_input(t("engagement.entry_comment"), max_chars=500)
                if st.form_submit_button(t("engagement.entry_save")):
                    try:
                        engagement_reviews.save_review(store(), year, number, criterion_id, entry_unit, points, comment,
                                               principal.username or "local", principal)
                    except (ValueError, access.AccessDenied) as error:
                        st.error(str(error))
                    else:
                        clear_caches()
                        st.success(t("engagement.entry_saved"))
                        st.rerun()
