"""The school map: boundaries, schools coloured by category, mentor lines with distances,
or municipalities coloured by an indicator. DataFrames in, a folium Map out; no
Streamlit, no data access. Every data text put into HTML is escaped here."""
from __future__ import annotations

import json
import math
import re

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium import plugins
from jinja2 import Template

from analytics import small_numbers
from presentation import fmt, map_assets
from presentation.figures.style import CATEGORY_COLOURS
from presentation.safe import html_text

map_assets.install()

CLUSTER_ABOVE = 1500          # more schools than this: one clustered layer, no per-school popups
# Sequential, colour-blind-safe (ColorBrewer Oranges, 5 classes) for the choropleth.
SEQUENTIAL = ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603")
NO_DATA_COLOUR = "#f2f2f2"
BOUNDARY_COLOUR = "#555555"
LINE_COLOUR = "#1a1a1a"
ROAD_STYLE = {"main": {"color": "#b07a3b", "weight": 3.0, "opacity": 0.75},
              "local": {"color": "#9a9a9a", "weight": 1.4, "opacity": 0.7}}
# A settlement's name appears from this zoom on (and only where it does not cover a school,
# a distance label or a more important name: see LABELS_SCRIPT).
PLACE_MIN_ZOOM = {"city": 0, "town": 6.5, "village": 10}
# Where along a mentor line its distance label may sit (share of the way from the mentor).
LABEL_POSITIONS = (0.5, 0.35, 0.65, 0.2, 0.8)
# Leaflet panes above the boundaries (overlayPane, z 400), bottom to top; distance labels use
# the marker pane (z 600). Each pane gets its own SVG, so the order holds whatever is added when.
PANES = {"places": ("shnorPlaces", 410), "lines": ("shnorLines", 420), "schools": ("shnorSchools", 430)}
# Labels are centred on their point and never take clicks (they must not hide a school);
# a click on a vector path draws no browser focus rectangle.
LABEL_CSS = (
    "<style>"
    ".shnor-label{pointer-events:none}"
    ".km-label,.place-label{position:absolute;white-space:nowrap;transform:translate(-50%,-50%);pointer-events:none}"
    ".km-label{font-size:12px;font-weight:600;padding:0 4px;background:rgba(255,255,255,.9);"
    "border:1px solid #1a1a1a;border-radius:3px;color:#1a1a1a}"
    ".place-label{color:#3d3d3d;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;font-style:italic}"
    ".place-city{font-size:15px;font-weight:700;font-style:normal}.place-town{font-size:13px;font-weight:600}"
    ".place-village{font-size:11px}"
    ".leaflet-container path.leaflet-interactive:focus,.leaflet-container .leaflet-interactive:focus{outline:none}"
    "</style>")

LABELS_SCRIPT = """
{% macro script(this, kwargs) %}
(function (map) {
    // Metric only, with the units in the user's language.
    var units = {{ this.units_json }};
    var Scale = L.Control.Scale.extend({_updateMetric: function (maxMeters) {
        var meters = this._getRoundNum(maxMeters);
        var text = meters < 1000 ? meters + ' ' + units[0] : (meters / 1000) + ' ' + units[1];
        this._updateScale(this._mScale, text, meters / maxMeters);
    }});
    new Scale({metric: true, imperial: false}).addTo(map);
    var pairs = {{ this.pairs_json }}, places = {{ this.places_json }};
    // Settlement names lie in their pane under the lines and schools (like a printed basemap);
    // distance labels lie above everything and never take a click.
    var layer = L.layerGroup().addTo(map);
    function label(item, className, at, paneName) {
        var html = '<span class="' + className + '">' + item.html + '</span>';
        var options = {icon: L.divIcon({className: 'shnor-label', html: html, iconSize: null}),
                       interactive: false, keyboard: false};
        if (paneName) options.pane = paneName;
        var marker = L.marker(at, options);
        marker.addTo(layer);
        return {item: item, marker: marker};
    }
    var pairLabels = pairs.map(function (p) { return label(p, 'km-label', p.from); });
    var placeLabels = places.map(function (p) { return label(p, 'place-label place-' + p.kind, [p.lat, p.lon], '{{ this.places_pane }}'); });
    function hits(r, taken) {
        for (var i = 0; i < taken.length; i++) {
            var b = taken[i];
            if (r.left < b.right + 2 && r.right + 2 > b.left && r.top < b.bottom + 2 && r.bottom + 2 > b.top) return true;
        }
        return false;
    }
    // Candidate spots for a distance label: along its line ({{ this.positions }} of the way),
    // on the line or beside it, in that order.
    function spots(item) {
        var a = map.latLngToContainerPoint(item.from), b = map.latLngToContainerPoint(item.to);
        var dx = b.x - a.x, dy = b.y - a.y, length = Math.sqrt(dx * dx + dy * dy) || 1;
        var nx = -dy / length, ny = dx / length, result = [];
        [0, 14, -14, 26, -26].forEach(function (offset) {
            {{ this.positions }}.forEach(function (t) {
                result.push(map.containerPointToLatLng([a.x + t * dx + offset * nx, a.y + t * dy + offset * ny]));
            });
        });
        return result;
    }
    // Distance labels first (longest trips first), each at the first spot that covers no school
    // (the whole circle of a category school, the centre of any other) and no label placed before;
    // a label that fits nowhere is hidden (the line's tooltip still gives the distance). Then
    // settlement names from the zoom each kind is readable at.
    function declutter() {
        var size = map.getSize();
        if (!size.x || !size.y) { schedule(); return; }
        var taken = [];
        map.eachLayer(function (l) {
            if (!(l instanceof L.CircleMarker) || !l._path) return;
            var r = l._path.getBoundingClientRect();
            if (l.options.radius >= 8) { taken.push(r); return; }
            var x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
            taken.push({left: x - 3, right: x + 3, top: y - 3, bottom: y + 3});
        });
        var markers = taken.length;
        pairLabels.forEach(function (entry) {
            var element = entry.marker.getElement(), candidates = spots(entry.item);
            element.style.display = '';
            for (var i = 0; i < candidates.length; i++) {
                entry.marker.setLatLng(candidates[i]);
                var r = element.firstChild.getBoundingClientRect();
                if (!hits(r, taken)) { taken.push(r); element.dataset.placed = '1'; return; }
            }
            element.style.display = 'none';
            element.dataset.placed = '0';
        });
        // Names lie under the schools, so they only have to keep clear of other labels.
        var labels = taken.slice(markers), zoom = map.getZoom();
        placeLabels.forEach(function (entry) {
            var element = entry.marker.getElement();
            element.style.display = '';
            var r = element.firstChild.getBoundingClientRect();
            if (zoom >= entry.item.min_zoom && !hits(r, labels)) { labels.push(r); return; }
            element.style.display = 'none';
        });
    }
    // After the renderers have moved the schools for the new view (next frame), once per frame.
    // The container's data-labels says whether a placement is still due ("pending") or done ("placed").
    var pending = false;
    function schedule() {
        if (pending) return;
        pending = true;
        map.getContainer().dataset.labels = 'pending';
        window.requestAnimationFrame(function () {
            pending = false;
            declutter();
            if (!pending) map.getContainer().dataset.labels = 'placed';
        });
    }
    map.on('zoomend moveend resize', schedule);
    schedule();
})({{ this._parent.get_name() }});
{% endmacro %}
"""


class _Labels(MacroElement):
    """Distance labels of mentor lines and settlement names, placed without overlaps in the browser
    (where the real pixel sizes are known), and a metric-only scale."""
    _template = Template(LABELS_SCRIPT)

    def __init__(self, pair_labels: list[dict], place_labels: list[dict], units: tuple[str, str] = ("m", "km")):
        super().__init__()
        self.units_json = json.dumps(list(units), ensure_ascii=False)
        self._name = "ShnorLabels"
        self.pairs_json = json.dumps(pair_labels, ensure_ascii=False)
        self.places_json = json.dumps(place_labels, ensure_ascii=False)
        self.positions = json.dumps(list(LABEL_POSITIONS))
        self.places_pane = PANES["places"][0]


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
    e = html_text
    share = fmt.percent(row.vpr_share2, language) if row.vpr_participants else "—"
    min_n = texts.get("min_n", small_numbers.DEFAULT_MIN_N)
    if row.vpr_participants and not small_numbers.enough(row.vpr_participants, min_n=min_n):
        # The shared small-numbers rule: no share below min_n, only «мало данных (N = k)».
        share = texts.get("little_data_n", "мало данных (N = {n})").format(n=int(row.vpr_participants))
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
                         "properties": {"label": tooltips.get(row.area_id, html_text(str(row.name))),
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
              cluster_above: int = CLUSTER_ABOVE, places: pd.DataFrame | None = None,
              roads: pd.DataFrame | None = None) -> folium.Map:
    """``schools``: school_id, name, short_name, lat, lon, category, municipality, vpr_participants,
    vpr_share2, units_done, units_planned, roadmap_share. ``areas``: area_id, name, boundary_geojson
    and the indicator column. ``pairs``: mentor/mentee lat, lon, names, km, km_kind.
    ``places`` (kind, name, lat, lon) and ``roads`` (kind, geometry_json): the offline basemap.
    ``texts``: labels in the user's language (see pages/map.py).

    Drawing order, bottom to top: boundaries, roads, mentor lines, schools, labels — so a line never
    covers a school and a label never takes a click meant for one."""
    # A school imported without coordinates (optional in the registry) has no place on a map.
    schools = schools.dropna(subset=["lat", "lon"])
    pairs = pairs.dropna(subset=["mentor_lat", "mentor_lon", "mentee_lat", "mentee_lon"])
    points = schools[["lat", "lon"]]
    centre = [float(points["lat"].mean()), float(points["lon"].mean())] if len(points) else [56.0, 42.0]
    # No attribution control: there are no tiles to credit (a tile layer adds its own), and
    # Leaflet 1.9's default prefix carries a flag that has no place on an official map.
    # Quarter zoom steps: with whole steps a region fitted into a 600 px frame drops to half the
    # size it could have (one step = ×2), and its schools crowd into the middle.
    folium_map = folium.Map(location=centre, zoom_start=8, tiles=None, maxZoom=18, control_scale=False,
                            zoomSnap=0.25, zoomDelta=0.5,
                            prefer_canvas=False, attribution_control=False)
    folium_map.get_root().header.add_child(folium.Element(LABEL_CSS))
    for name, z_index in PANES.values():
        folium.map.CustomPane(name, z_index=z_index, pointer_events=name != PANES["places"][0]).add_to(folium_map)
    if tiles_url:
        folium.TileLayer(tiles_url, attr=tiles_attribution or " ", max_zoom=18).add_to(folium_map)
        folium_map.options["attribution_control"] = True
    # Fit the view before any layer is added: a zoom change while the clustered layer is still
    # loading its points in chunks makes markercluster 1.1 throw ("reading 'lat'"), which stops
    # the script before streamlit-folium sizes its frame — the whole-country map stayed blank.
    if len(points):
        folium_map.fit_bounds([[float(points["lat"].min()), float(points["lon"].min())],
                               [float(points["lat"].max()), float(points["lon"].max())]])

    pair_labels: list[dict] = []
    if mode == "choropleth":
        bins = choropleth_bins(areas[indicator])
        fill = {row.area_id: colour_for(getattr(row, indicator), bins) for row in areas.itertuples()}
        tooltips = {row.area_id: "<b>{}</b><br>{}".format(html_text(str(row.name)),
                                                          html_text(texts["area_value"](row)))
                    for row in areas.itertuples()}
        layer = _boundaries(areas, fill, tooltips)
        if layer is not None:
            layer.add_to(folium_map)
        _add_roads(folium_map, roads)
    else:
        layer = _boundaries(areas, None, {})
        if layer is not None:
            layer.add_to(folium_map)
        _add_roads(folium_map, roads)
        labelled = len(pairs) <= 300
        _pair_lines(pairs, texts, language, labelled=labelled).add_to(folium_map)
        if labelled:
            pair_labels = pair_label_points(pairs, texts, language)
        if not draws_selection(schools, mode, cluster_above):
            _clustered_schools(schools, texts).add_to(folium_map)
        else:
            _school_markers(schools, texts, language, selected).add_to(folium_map)
    _Labels(pair_labels, place_labels(places), (texts.get("scale_m", "m"), texts.get("scale_km", "km"))).add_to(folium_map)
    return folium_map


def _add_roads(folium_map: folium.Map, roads: pd.DataFrame | None) -> None:
    """Roads as one GeoJSON layer per kind, under everything that can be clicked."""
    if roads is None or roads.empty:
        return
    for kind in ("local", "main"):
        geometries = [_geometry(text) for text in roads.loc[roads["kind"] == kind, "geometry_json"]]
        features = [{"type": "Feature", "geometry": g, "properties": {}} for g in geometries if g]
        if not features:
            continue
        style = ROAD_STYLE[kind]
        folium.GeoJson({"type": "FeatureCollection", "features": features}, name=f"roads_{kind}",
                       style_function=lambda f, style=style: dict(style, interactive=False),
                       interactive=False, control=False).add_to(folium_map)


def place_labels(places: pd.DataFrame | None) -> list[dict]:
    """Settlement names in label priority (regional centre, towns, villages), each with the zoom
    from which it may appear."""
    if places is None or places.empty:
        return []
    order = {kind: i for i, kind in enumerate(PLACE_MIN_ZOOM)}
    ranked = places.assign(_o=places["kind"].map(order)).sort_values(["_o", "name"], kind="stable")
    return [{"html": html_text(row.name), "kind": row.kind, "min_zoom": PLACE_MIN_ZOOM.get(row.kind, 12),
             "lat": round(float(row.lat), 5), "lon": round(float(row.lon), 5)}
            for row in ranked.itertuples() if row.kind in order]


def pair_label_points(pairs: pd.DataFrame, texts: dict, language: str = "ru") -> list[dict]:
    """A distance label per mentor line with the line's ends (the browser tries spots along and
    beside it), longest pairs first: when two labels collide, the longer trip keeps its label."""
    return [{"html": html_text(distance_label(row.km, row.km_kind, texts, language)),
             "from": [round(float(row.mentor_lat), 5), round(float(row.mentor_lon), 5)],
             "to": [round(float(row.mentee_lat), 5), round(float(row.mentee_lon), 5)]}
            for row in pairs.sort_values("km", ascending=False, kind="stable").itertuples()]


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
        tooltip = "{} [{}] · {}".format(html_text(str(row.short_name)), html_text(str(row.school_id)),
                                        html_text(texts["categories"][row.category]))
        marker = folium.CircleMarker(
            location=[row.lat, row.lon], radius=11 if is_selected else (5 if row.category == "other" else 8),
            color="#000000" if is_selected else "#333333", weight=3 if is_selected else 1,
            fill=True, fill_color=colour, fill_opacity=0.95,
            tooltip=folium.Tooltip(tooltip), popup=folium.Popup(_school_popup(row, texts, language), max_width=360),
        )
        marker.options["pane"] = PANES["schools"][0]   # folium passes no pane option itself
        marker.add_to(group)
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
                                   json.dumps([html_text(texts["categories"].get(c, c)) for c in categories]))
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
    # The permanent distance labels are placed separately (pair_label_points); the line's own
    # tooltip repeats the distance with both names for a label that had to be hidden.
    group = folium.FeatureGroup(name="mentor_pairs")
    for row in pairs.itertuples():
        label = distance_label(row.km, row.km_kind, texts, language)
        line = folium.PolyLine([[row.mentor_lat, row.mentor_lon], [row.mentee_lat, row.mentee_lon]],
                               color=LINE_COLOUR, weight=3, opacity=0.85,
                               dash_array=None if row.km_kind == "road" else "6 6")
        line.options["pane"] = PANES["lines"][0]
        line.add_child(folium.Tooltip("{} — {}: {}".format(html_text(row.mentor_name), html_text(row.mentee_name),
                                                            html_text(label)),
                                      sticky=True))
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
