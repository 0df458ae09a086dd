"""The school map: boundaries, schools coloured by category, mentor lines with distances,
or municipalities coloured by an indicator. DataFrames in, a folium Map out; no
Streamlit, no data access. Every data text put into HTML is escaped here."""
from __future__ import annotations

import html
import json
import math
import re

import folium
import numpy as np
import pandas as pd
from folium import plugins

from ui import fmt, map_assets
from ui.figures.style import CATEGORY_COLOURS

map_assets.install()

CLUSTER_ABOVE = 1500          # more schools than this: one clustered layer, no per-school popups
# Sequential, colour-blind-safe (ColorBrewer Oranges, 5 classes) for the choropleth.
SEQUENTIAL = ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603")
NO_DATA_COLOUR = "#f2f2f2"
BOUNDARY_COLOUR = "#555555"
LINE_COLOUR = "#1a1a1a"
LABEL_CSS = ("<style>.km-label{font-size:12px;font-weight:600;padding:0 4px;background:rgba(255,255,255,.85);"
             "border:1px solid #1a1a1a;box-shadow:none}.km-label:before{display:none}</style>")


def _round_coordinates(value, digits: int = 4):
    if isinstance(value, list):
        return [_round_coordinates(v, digits) for v in value]
    return round(value, digits) if isinstance(value, float) else value


def _geometry(text: str | None, digits: int = 4):
    if not text:
        return None
    geometry = json.loads(text)
    geometry["coordinates"] = _round_coordinates(geometry["coordinates"], digits)
    return geometry


def choropleth_bins(values: pd.Series, classes: int = len(SEQUENTIAL)) -> list[tuple[float, float, str]]:
    """Equal-width classes from the minimum to the maximum: (low, high, colour)."""
    finite = values.dropna().astype(float)
    if finite.empty:
        return []
    low, high = float(finite.min()), float(finite.max())
    if math.isclose(low, high):
        return [(low, high, SEQUENTIAL[-1])]
    edges = np.linspace(low, high, classes + 1)
    return [(float(edges[i]), float(edges[i + 1]), SEQUENTIAL[i]) for i in range(classes)]


def colour_for(value, bins: list[tuple[float, float, str]]) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or not bins:
        return NO_DATA_COLOUR
    for low, high, colour in bins:
        if value <= high:
            return colour
    return bins[-1][2]


def distance_label(km: float, kind: str, texts: dict, language: str = "ru") -> str:
    """«35 км» for a road distance, «≈ 23 км по прямой» for a straight line, «≈ 30 км (оценка)»."""
    value = fmt.number(km, language, 0)
    return texts[{"road": "km_road", "straight": "km_straight", "estimate": "km_estimate"}[kind]].format(km=value)


def _school_popup(row, texts: dict, language: str) -> str:
    e = lambda v: html.escape(str(v))  # noqa: E731
    share = fmt.percent(row.vpr_share2, language) if row.vpr_participants else "—"
    roadmap = (f"{fmt.percent(row.roadmap_share, language, 0)} ({row.units_done} / {row.units_planned})"
               if row.units_planned else "—")
    lines = [
        f"<b>{e(row.name)}</b>",
        f"{e(texts['category'])}: {e(texts['categories'][row.category])}",
        f"{e(texts['municipality'])}: {e(row.municipality)}",
        f"{e(texts['vpr_participants'])}: {e(fmt.number(row.vpr_participants, language))}",
        f"{e(texts['vpr_share2'])}: {e(share)}",
        f"{e(texts['roadmap'])}: {e(roadmap)}",
    ]
    return "<div style='font-size:14px;line-height:1.4'>" + "<br>".join(lines) + "</div>"


def _boundaries(areas: pd.DataFrame, fill: dict | None, tooltips: dict) -> folium.GeoJson | None:
    features = []
    for row in areas.itertuples():
        geometry = _geometry(row.boundary_geojson)
        if geometry is None:
            continue
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"label": tooltips.get(row.area_id, html.escape(str(row.name))),
                                        "fill": (fill or {}).get(row.area_id, "#ffffff")}})
    if not features:
        return None
    filled = fill is not None
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name="boundaries",
        style_function=lambda f: {"color": BOUNDARY_COLOUR, "weight": 1.2, "fillColor": f["properties"]["fill"],
                                  "fillOpacity": 0.85 if filled else 0.35},
        highlight_function=lambda f: {"weight": 3},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    )


def build_map(schools: pd.DataFrame, areas: pd.DataFrame, pairs: pd.DataFrame, texts: dict,
              language: str = "ru", mode: str = "schools", indicator: str = "listed_share",
              selected: str | None = None, tiles_url: str | None = None, tiles_attribution: str = "",
              cluster_above: int = CLUSTER_ABOVE) -> folium.Map:
    """``schools``: school_id, name, short_name, lat, lon, category, municipality, vpr_participants,
    vpr_share2, units_done, units_planned, roadmap_share. ``areas``: area_id, name, boundary_geojson
    and the indicator column. ``pairs``: mentor/mentee lat, lon, names, km, km_kind.
    ``texts``: labels in the user's language (see pages/map.py)."""
    # A school imported without coordinates (optional in the registry) has no place on a map.
    schools = schools.dropna(subset=["lat", "lon"])
    pairs = pairs.dropna(subset=["mentor_lat", "mentor_lon", "mentee_lat", "mentee_lon"])
    points = schools[["lat", "lon"]]
    centre = [float(points["lat"].mean()), float(points["lon"].mean())] if len(points) else [56.0, 42.0]
    # No attribution control: there are no tiles to credit (a tile layer adds its own), and
    # Leaflet 1.9's default prefix carries a flag that has no place on an official map.
    folium_map = folium.Map(location=centre, zoom_start=8, tiles=None, maxZoom=18, control_scale=True,
                            prefer_canvas=False, attribution_control=False)
    folium_map.get_root().header.add_child(folium.Element(LABEL_CSS))
    if tiles_url:
        folium.TileLayer(tiles_url, attr=tiles_attribution or " ", max_zoom=18).add_to(folium_map)
        folium_map.options["attribution_control"] = True
    # Fit the view before any layer is added: a zoom change while the clustered layer is still
    # loading its points in chunks makes markercluster 1.1 throw ("reading 'lat'"), which stops
    # the script before streamlit-folium sizes its frame — the whole-country map stayed blank.
    if len(points):
        folium_map.fit_bounds([[float(points["lat"].min()), float(points["lon"].min())],
                               [float(points["lat"].max()), float(points["lon"].max())]])

    if mode == "choropleth":
        bins = choropleth_bins(areas[indicator])
        fill = {row.area_id: colour_for(getattr(row, indicator), bins) for row in areas.itertuples()}
        tooltips = {row.area_id: "<b>{}</b><br>{}".format(html.escape(str(row.name)),
                                                          html.escape(texts["area_value"](row)))
                    for row in areas.itertuples()}
        layer = _boundaries(areas, fill, tooltips)
        if layer is not None:
            layer.add_to(folium_map)
    else:
        layer = _boundaries(areas, None, {})
        if layer is not None:
            layer.add_to(folium_map)
        if not draws_selection(schools, mode, cluster_above):
            _clustered_schools(schools, texts).add_to(folium_map)
        else:
            _school_markers(schools, texts, language, selected).add_to(folium_map)
        _pair_lines(pairs, texts, language, labelled=len(pairs) <= 300).add_to(folium_map)
    return folium_map


def draws_selection(schools: pd.DataFrame, mode: str = "schools", cluster_above: int = CLUSTER_ABOVE) -> bool:
    """Does the map draw a marker per school (so the selected school is highlighted)? Not in
    choropleth mode, and not above ``cluster_above`` schools (one clustered layer instead)."""
    return mode != "choropleth" and len(schools) <= cluster_above


def _school_markers(schools: pd.DataFrame, texts: dict, language: str, selected: str | None) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="schools")
    # Draw "other" first so that listed schools stay on top.
    order = schools.assign(_o=(schools["category"] != "other").astype(int)).sort_values("_o")
    for row in order.itertuples():
        colour = CATEGORY_COLOURS.get(row.category, CATEGORY_COLOURS["other"])
        is_selected = row.school_id == selected
        tooltip = "{} [{}] · {}".format(html.escape(str(row.short_name)), html.escape(str(row.school_id)),
                                        html.escape(texts["categories"][row.category]))
        folium.CircleMarker(
            location=[row.lat, row.lon], radius=11 if is_selected else (5 if row.category == "other" else 8),
            color="#000000" if is_selected else "#333333", weight=3 if is_selected else 1,
            fill=True, fill_color=colour, fill_opacity=0.95,
            tooltip=folium.Tooltip(tooltip), popup=folium.Popup(_school_popup(row, texts, language), max_width=360),
        ).add_to(group)
    return group


CLUSTER_CALLBACK = """
function (row) {
    var colours = %s, names = %s;
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {radius: 6, color: '#333333', weight: 1,
        fillColor: colours[row[2]], fillOpacity: 0.95});
    marker.bindTooltip(names[row[2]]);
    return marker;
}
"""


def _clustered_schools(schools: pd.DataFrame, texts: dict) -> plugins.FastMarkerCluster:
    """National scale: one clustered layer; each point is [lat, lon, category index] only,
    names and indicators appear in the card after a click."""
    categories = list(CATEGORY_COLOURS)
    index = {c: i for i, c in enumerate(categories)}
    data = [[round(float(r.lat), 4), round(float(r.lon), 4), index.get(r.category, index["other"])]
            for r in schools.itertuples()]
    callback = CLUSTER_CALLBACK % (json.dumps([CATEGORY_COLOURS[c] for c in categories]),
                                   json.dumps([html.escape(texts["categories"].get(c, c)) for c in categories]))
    return plugins.FastMarkerCluster(data, callback=callback, name="schools",
                                     options={"disableClusteringAtZoom": 11, "chunkedLoading": True})


def _pair_lines(pairs: pd.DataFrame, texts: dict, language: str, labelled: bool = True):
    """Region scale: one line per pair with its distance as a permanent label (dashed when
    not a road distance). National scale: all pairs as one GeoJSON layer, no labels."""
    if not labelled:
        lines = [[[round(float(r.mentor_lon), 4), round(float(r.mentor_lat), 4)],
                  [round(float(r.mentee_lon), 4), round(float(r.mentee_lat), 4)]] for r in pairs.itertuples()]
        geometry = {"type": "MultiLineString", "coordinates": lines}
        return folium.GeoJson({"type": "Feature", "geometry": geometry, "properties": {}}, name="mentor_pairs",
                              style_function=lambda f: {"color": LINE_COLOUR, "weight": 1.5, "opacity": 0.7})
    group = folium.FeatureGroup(name="mentor_pairs")
    for row in pairs.itertuples():
        label = distance_label(row.km, row.km_kind, texts, language)
        line = folium.PolyLine([[row.mentor_lat, row.mentor_lon], [row.mentee_lat, row.mentee_lon]],
                               color=LINE_COLOUR, weight=3, opacity=0.85,
                               dash_array=None if row.km_kind == "road" else "6 6")
        line.add_child(folium.Tooltip(html.escape(label), permanent=True, direction="center",
                                      class_name="km-label", sticky=False))
        line.add_to(group)
    return group


def school_map_click(returned: dict | None, schools: pd.DataFrame, cluster_tooltips: set[str],
                     tolerance_degrees: float = 0.05) -> str | None:
    """The school a click on the map selected, from what st_folium returned: the code in
    the marker's tooltip («name [code] · category»), or for a clustered marker (tooltip =
    category only) the school nearest to the click. Clicks on areas select nothing."""
    returned = returned or {}
    tooltip = returned.get("last_object_clicked_tooltip") or ""
    point = returned.get("last_object_clicked")
    candidates = re.findall(r"\[([^\[\]]+)\]", tooltip)
    if candidates:   # look up only the bracketed codes, not every school (40 000 at national scale)
        codes = set(schools.loc[schools["school_id"].isin(candidates), "school_id"])
        for candidate in candidates:
            if candidate in codes:
                return candidate
    if point and tooltip.strip() in cluster_tooltips and len(schools):
        distance = np.hypot(schools["lat"] - point["lat"], schools["lon"] - point["lng"])
        if distance.min() <= tolerance_degrees:
            return str(schools.loc[distance.idxmin(), "school_id"])
    return None
