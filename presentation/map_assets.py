"""Folium without the internet: its CDN script and style URLs replaced by the copies the
app serves itself from ``static/vendor`` (Streamlit static serving: ``/app/static/``).

:func:`install` runs once at start-up (idempotent, import of presentation.figures.school_map calls
it too) and fails loudly when folium asks for a URL this table does not know — a folium
upgrade must never silently bring a CDN back. :func:`external_urls` lists what a built
map would still fetch from outside (a test asserts it is empty).
"""
from __future__ import annotations

import re

import folium
from folium import plugins

VENDOR = "vendor"
# folium's URL -> file under static/ (None: dropped, nothing of ours uses it)
LOCAL: dict[str, str | None] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "vendor/leaflet-1.9.3/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "vendor/leaflet-1.9.3/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "vendor/jquery-3.7.1/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js":
        "vendor/bootstrap-5.2.2/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": "vendor/bootstrap-5.2.2/bootstrap.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        "vendor/leaflet.awesome-markers-2.0.5/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        "vendor/leaflet.awesome-markers-2.0.5/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css":
        "vendor/fontawesome-free-6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js":
        "vendor/leaflet.markercluster-1.1.0/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css":
        "vendor/leaflet.markercluster-1.1.0/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css":
        "vendor/leaflet.markercluster-1.1.0/MarkerCluster.Default.css",
    # Glyphicons (Bootstrap 3) and folium's rotate helper: not vendored, not used here.
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": None,
}
ICON_PATH_SCRIPT = ("leaflet_icon_path", "map/leaflet-icon-path.js")
# The classes whose asset lists we use (FastMarkerCluster inherits MarkerCluster's).
CLASSES = (folium.Map, plugins.MarkerCluster, plugins.FastMarkerCluster)

_originals: dict[type, tuple[list, list]] = {}
EXTERNAL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[/"'\s)]""", re.IGNORECASE)


def static_url(relative: str, base_url_path: str = "") -> str:
    prefix = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    return f"{prefix}/app/static/{relative}"


def _localise(assets: list, base_url_path: str) -> list:
    local = []
    for name, url in assets:
        if not url.startswith(("http://", "https://", "//")):
            local.append((name, url))
            continue
        if url not in LOCAL:
            raise RuntimeError(f"folium asset {url!r} has no local copy: add it to static/vendor and presentation.map_assets.LOCAL")
        if LOCAL[url] is not None:
            local.append((name, static_url(LOCAL[url], base_url_path)))
    return local


def install(base_url_path: str = "") -> None:
    """Point folium's asset lists at the local copies (safe to call again)."""
    for cls in CLASSES:
        if "default_js" not in cls.__dict__ and "default_css" not in cls.__dict__:
            continue
        if cls not in _originals:
            _originals[cls] = (list(cls.__dict__.get("default_js", [])), list(cls.__dict__.get("default_css", [])))
        js, css = _originals[cls]
        if "default_js" in cls.__dict__:
            cls.default_js = _localise(js, base_url_path)
            if cls is folium.Map:   # right after leaflet.js
                position = next(i for i, (name, _) in enumerate(cls.default_js) if name == "leaflet") + 1
                cls.default_js.insert(position, (ICON_PATH_SCRIPT[0], static_url(ICON_PATH_SCRIPT[1], base_url_path)))
        if "default_css" in cls.__dict__:
            cls.default_css = _localise(css, base_url_path)


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def external_urls(folium_map: folium.Map) -> list[str]:
    """Every outside URL a built map would load or link to: asset lists of its elements
    (what st_folium loads) and anything in its rendered HTML."""
    found = []
    for element in _walk(folium_map):
        for _, url in [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]:
            if not url.startswith("/"):
                found.append(url)
    found += [match.group(0) for match in EXTERNAL.finditer(folium_map.get_root().render())]
    return found
