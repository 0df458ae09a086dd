"""Bytes of the school map the page builds (region view and whole country)."""
from __future__ import annotations

import datetime as dt

from analytics import overview, school_map
from analytics.query import Query
from presentation.figures.school_map import build_map


def map_bytes(store, region_id: str | None, year: int, as_of: dt.date) -> tuple[int, float]:
    """(bytes of the rendered map HTML, seconds to build and render it), as pages/map.py does it."""
    import time
    start = time.perf_counter()
    list_year = overview.latest_list_year(store, year)
    schools = school_map.schools_for_map(store, Query.of(region_id, year=year), list_year=list_year, as_of=as_of)
    areas = school_map.areas_for_map(store, region_id, year, list_year, as_of)
    pairs = school_map.current_pairs(store, region_id, None, list_year)
    texts = {"km_road": "{km} км", "km_straight": "≈ {km} км по прямой", "km_estimate": "≈ {km} км",
             "category": "Категория", "categories": {c: c for c in (*school_map.CATEGORIES, "biased")},
             "municipality": "Муниципалитет", "vpr_participants": "Участников ВПР", "vpr_share2": "Доля «2»",
             "roadmap": "Дорожная карта", "area_value": lambda row: f"{row.listed_share}"}
    html = build_map(schools, areas, pairs, texts, "ru").get_root().render()
    return len(html.encode("utf-8")), time.perf_counter() - start
