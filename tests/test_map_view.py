"""The cached map path (ui.map_view): the same component arguments as st_folium, one build per
data version, user scope and view, and the map page building its map once across reruns."""
import json
import re

import pytest
import streamlit_folium

from analytics import access
from analytics.access import Principal, Role
from tests.apptest_helpers import assert_no_exception, new_app
from tests.test_map import TEXTS, _areas, _pairs, _schools
from ui import cache, map_view
from presentation.figures import school_map as figures
from presentation.figures.school_map import build_map

RETURNED = ["last_object_clicked", "last_object_clicked_tooltip"]
MUNICIPAL = Principal("mun", Role.MUNICIPAL, region_id="01", municipality_id="01-03")
OTHER_MUNICIPAL = Principal("mun2", Role.MUNICIPAL, region_id="01", municipality_id="01-05")


def _without_random_ids(args: dict) -> dict:
    """folium gives every popup's HTML element a random id (html_<32 hex>): two builds of one map differ only there."""
    return {k: re.sub(r"html_[0-9a-f]{32}", "html_X", v) if isinstance(v, str) else v for k, v in args.items()}


def _st_folium_args(folium_map, monkeypatch, **kwargs) -> dict:
    captured = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: captured.update(kw))
    streamlit_folium.st_folium(folium_map, **kwargs)
    captured.pop("on_change")
    return captured


class FakeStore:
    path = "/nowhere/shnor.duckdb"

    def __init__(self):
        self.version = "1"
        self.writes = 0

    def data_versions(self):
        return {"*": self.version}


@pytest.fixture
def fake_store(monkeypatch):
    fake = FakeStore()
    monkeypatch.setattr(cache, "store", lambda: fake)
    cache.forget_everything()
    return fake


@pytest.mark.parametrize("variant", ["markers", "selected", "clustered", "choropleth", "tiles"])
def test_component_args_are_what_st_folium_sends(variant, monkeypatch):
    options = {"markers": {}, "selected": {"selected": "1"}, "clustered": {"cluster_above": 1},
               "choropleth": {"mode": "choropleth"},
               "tiles": {"tiles_url": "http://127.0.0.1/{z}/{x}/{y}.png", "tiles_attribution": "local"}}[variant]
    build = lambda: build_map(_schools(), _areas(), _pairs(), TEXTS, **options)  # noqa: E731
    theirs = _st_folium_args(build(), monkeypatch, key="school_map", height=640, use_container_width=True,
                             returned_objects=RETURNED)
    ours = map_view.component_args(build(), "school_map")
    for name in ("script", "header", "html", "id", "key", "css_links", "js_links"):
        assert _without_random_ids(ours)[name] == _without_random_ids(theirs)[name], name
    assert theirs["default"] == {"last_object_clicked": None, "last_object_clicked_tooltip": None}
    assert theirs["zoom"] is None and ours["zoom"] == 8


def test_show_map_sends_st_folium_arguments_and_builds_once(fake_store, monkeypatch):
    builds = []

    def build():
        builds.append(1)
        return build_map(_schools(), _areas(), _pairs(), TEXTS, selected="1")

    theirs = _st_folium_args(build(), monkeypatch, key="school_map", height=640, use_container_width=True,
                             returned_objects=RETURNED)
    builds.clear()
    sent = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: sent.append(kw) or {"sent": True})
    for _ in range(3):
        returned = map_view.show_map(build, {"view": 1}, key="school_map", height=640, use_container_width=True,
                                     returned_objects=RETURNED)
    assert returned == {"sent": True}
    assert len(builds) == 1 and len(sent) == 3
    assert sent[0]["script"] == sent[2]["script"]          # the same strings every run, not a re-render
    for name in set(theirs) - {"on_change"}:
        assert _without_random_ids(sent[0])[name] == _without_random_ids(theirs)[name], name
    assert callable(sent[0]["on_change"])


def test_cache_is_keyed_on_view_user_scope_and_data_version(fake_store):
    calls = []

    def build():
        calls.append(access.current().username)
        return {"built_for": access.current().username, "n": len(calls)}

    first = map_view.cached("t", {"region": "01"}, build)
    assert map_view.cached("t", {"region": "01"}, build) == first and len(calls) == 1
    map_view.cached("t", {"region": "02"}, build)                       # another view
    assert len(calls) == 2
    with access.acting_as(MUNICIPAL):                                  # same view, a user with a narrower scope
        mine = map_view.cached("t", {"region": "01"}, build)
        assert mine["built_for"] == "mun" and len(calls) == 3
        assert map_view.cached("t", {"region": "01"}, build) == mine and len(calls) == 3
    with access.acting_as(OTHER_MUNICIPAL):                            # same role, another scope
        assert map_view.cached("t", {"region": "01"}, build)["built_for"] == "mun2"
    with access.acting_as(Principal("mun-b", Role.MUNICIPAL, region_id="01", municipality_id="01-03")):
        assert map_view.cached("t", {"region": "01"}, build) == mine  # same scope: shared
    assert map_view.cached("t", {"region": "01"}, build) == first      # the unrestricted entry is still there
    fake_store.version = "2"                                           # any write bumps the data version
    assert map_view.cached("t", {"region": "01"}, build)["n"] == 5


def _component_args(app) -> dict:
    (component,) = app.main.get("component_instance")
    return json.loads(component.proto.json_args)


def test_map_page_builds_its_map_once_across_reruns(app_env, monkeypatch):
    cache.forget_everything()
    builds = []
    original = figures.build_map
    monkeypatch.setattr(figures, "build_map", lambda *a, **k: builds.append(k.get("mode")) or original(*a, **k))
    app = new_app(timeout=120)
    app.run()
    app.switch_page("pages/map.py")
    app.run()
    assert_no_exception(app)
    first = _component_args(app)
    assert len(builds) == 1 and ".km-label" in first["header"] and "circleMarker" in first["script"]
    app.run()
    assert_no_exception(app)
    assert len(builds) == 1 and _component_args(app)["script"] == first["script"]
    app.selectbox(key="map_lines").set_value("none").run()            # a view choice the map depends on
    assert len(builds) == 2 and ".km-label" not in _component_args(app)["script"]
    app.selectbox(key="map_lines").set_value("current").run()         # back: from the cache
    assert_no_exception(app)
    assert len(builds) == 2 and _component_args(app)["script"] == first["script"]
