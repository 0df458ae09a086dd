"""A folium map shown through streamlit-folium, built and processed once per view.

``st_folium(map)`` turns the folium objects into the strings its component gets (the
Leaflet script, header, HTML and asset lists) on every script run, and renders the whole
map twice on the way: for a region's 400 schools with popups that is 1–3 s per run, for
any rerun (a widget, a click) of the page. Those strings are a pure function of the
map, and the map is a pure function of the data, the view choices and the user's scope,
so :func:`show_map` caches the strings (:func:`ui.cache.tracked`: kept while the data versions
of every computation the build used are current) under a key of:

* the acting user's scope (region, municipality, school): ``ui.cache.compute`` drops rows
  outside a user's scope *after* its cache, so a map built for one user must never be
  handed to a user with another scope,
* the view: every choice the caller's ``build`` depends on (filters, mode, indicator,
  lines, selected school, language ...), given by the caller as a dict.

On a hit neither folium nor streamlit-folium's processing runs; the cached strings go to
the very same component, with the same component key (a hash of the script, as
st_folium computes it), so the browser side — and clicks coming back — behave as before.
:func:`component_args` does what ``st_folium`` does for a ``folium.Map`` (streamlit-folium
0.27.4, pinned; a test compares the two).
"""
from __future__ import annotations

from typing import Callable, Iterable

import folium
import streamlit as st
import streamlit_folium

from analytics import access
from ui.cache import frozen, tracked

RETURNED_DEFAULTS = ("last_clicked", "last_object_clicked", "last_object_clicked_count", "last_object_clicked_tooltip",
                     "last_object_clicked_popup", "all_drawings", "last_active_drawing", "bounds", "zoom",
                     "last_circle_radius", "last_circle_polygon", "selected_layers", "selected_tags",
                     "last_geocoder_result")


def _walk(element):
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def component_args(folium_map: folium.Map, key: str | None, return_on_hover: bool = False) -> dict:
    """The arguments ``st_folium(folium_map, key=key)`` passes to its component that depend on
    the map: script, header, html, id, key (the script's hash), css_links, js_links, bounds and
    zoom. Consumes the map (streamlit-folium renames its elements on the way)."""
    folium_map.render()
    html = streamlit_folium._get_html(folium_map)
    header = streamlit_folium._get_header(folium_map)
    leaflet = streamlit_folium._get_map_string(folium_map)
    css_links, js_links = [], []
    for element in _walk(folium_map):
        css_links.extend(href for _, href in getattr(element, "default_css", []))
        js_links.extend(src for _, src in getattr(element, "default_js", []))
    try:
        (south, west), (north, east) = folium_map.get_bounds()
    except AttributeError:
        south = west = north = east = None
    return {"script": leaflet, "header": header, "html": html, "id": streamlit_folium.get_full_id(folium_map),
            "key": streamlit_folium.generate_js_hash(leaflet, key, return_on_hover),
            "css_links": list(dict.fromkeys(css_links)), "js_links": list(dict.fromkeys(js_links)),
            "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
            "zoom": folium_map.options.get("zoom")}


def _scope() -> tuple:
    """The acting user's scope: every cached map is keyed on it besides its view (the data
    versions are tracked by :func:`ui.cache.tracked`)."""
    principal = access.current()
    return (principal.region_id, principal.municipality_id, principal.school_id)


def cached(name: str, view: dict, build: Callable):
    """``build()`` once per user scope, ``name`` and ``view`` (keyed as :func:`show_map`) while
    the data it computed from is unchanged: for page-side work on computed results (formatted
    tables) that would otherwise run on every rerun."""
    return tracked(("map_value", name, _scope(), frozen(view)), build, uses_run=True)


def show_map(build: Callable[[], folium.Map], view: dict, *, key: str, height: int = 700, width: int | None = 500,
             use_container_width: bool = False, returned_objects: Iterable[str] | None = None) -> dict:
    """``st_folium(build(), key=key, ...)``, with ``build`` called only when no map is cached for
    this data version, user scope and ``view``. ``view`` must name everything ``build`` depends
    on besides the data and the scope."""
    args = tracked(("map", key, _scope(), frozen(view)), lambda: component_args(build(), key, False),
                   uses_run=True)
    hash_key = args["key"]
    returned_objects = list(returned_objects) if returned_objects is not None else None
    defaults = {name: None for name in RETURNED_DEFAULTS}
    defaults.update(bounds=args["bounds"], zoom=args["zoom"])
    defaults = {k: v for k, v in defaults.items() if returned_objects is None or k in returned_objects}

    def _on_change():
        st.session_state[key] = st.session_state.get(hash_key, {})

    return streamlit_folium._component_func(
        script=args["script"], header=args["header"], html=args["html"], id=args["id"], key=hash_key,
        height=height, width=None if use_container_width else width, returned_objects=returned_objects,
        default=defaults, zoom=None, center=None, feature_group=None, return_on_hover=False, layer_control=None,
        pixelated=False, css_links=args["css_links"], js_links=args["js_links"], on_change=_on_change,
        wrap_longitude=False)
