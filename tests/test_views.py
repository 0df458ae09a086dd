"""ui.cache.view: figures and tables built once per data version, arguments, language and user
scope; a cached view never crosses scopes; shared figures write the same JSON; deferred downloads."""
import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io
import plotly.tools
import pytest

from analytics import access, catalog
from analytics.access import AccessDenied, Principal, Role
from tests.access_helpers import MUNICIPALITY, OTHER_MUNICIPALITY
from tests.apptest_helpers import rerun, run_page
from tests.conftest import TODAY
from ui import cache, export
from presentation.figures.shared import SharedFigure, share

CALLS: list[str] = []
MUN = Principal("mun", Role.MUNICIPAL, region_id="01", municipality_id=MUNICIPALITY)


def municipalities_seen(schools: pd.DataFrame, label) -> tuple:
    """A view builder that records its calls."""
    CALLS.append(label)
    return label, sorted(schools["municipality_id"].unique()), len(schools)


@pytest.fixture
def fresh(app_env):
    cache.forget_everything()
    CALLS.clear()
    yield
    cache.forget_everything()


def test_a_view_is_built_once_per_key(fresh):
    region = cache.source(catalog.schools, "01", None)
    first = cache.view(municipalities_seen, region, "a")
    assert cache.view(municipalities_seen, cache.source(catalog.schools, "01", None), "a") is first
    assert cache.view(municipalities_seen, region, "b")[0] == "b"
    one = cache.view(municipalities_seen, cache.source(catalog.schools, "01", MUNICIPALITY), "a")
    assert one[1] == [MUNICIPALITY] and first[2] > one[2]
    assert CALLS == ["a", "b", "a"]
    # NaN is not equal to itself, yet every NaN names the same view.
    cache.view(municipalities_seen, region, float("nan"))
    cache.view(municipalities_seen, region, np.float64("nan"))
    assert len(CALLS) == 4


def test_a_cached_view_never_crosses_scopes(fresh):
    everyone = cache.view(municipalities_seen, cache.source(catalog.schools, "01", None), "x")
    with access.acting_as(MUN):
        own = cache.view(municipalities_seen, cache.source(catalog.schools, "01", None), "x")
    assert len(everyone[1]) > 1 and own[1] == [MUNICIPALITY]       # built again, with the user's rows only
    assert CALLS == ["x", "x"]
    # A view of another municipality, already cached for the unrestricted user, is still refused.
    cache.view(municipalities_seen, cache.source(catalog.schools, "01", OTHER_MUNICIPALITY), "y")
    with access.acting_as(MUN), pytest.raises(AccessDenied):
        cache.view(municipalities_seen, cache.source(catalog.schools, "01", OTHER_MUNICIPALITY), "y")
    with access.acting_as(MUN), pytest.raises(AccessDenied):
        cache.view(municipalities_seen, {"nested": [cache.source(catalog.schools, "02", None)]}, "z")


def test_new_data_rebuilds_the_views(writable_db_path, monkeypatch):
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    cache.forget_everything()
    CALLS.clear()
    region = cache.source(catalog.schools, "01", None)
    cache.view(municipalities_seen, region, "v")
    cache.view(municipalities_seen, region, "v")
    store = cache.store()
    with store.transaction() as cur:
        store.bump_data_version(cur)
    cache.view(municipalities_seen, region, "v")
    assert CALLS == ["v", "v"]
    cache.forget_everything()


def test_keys_name_only_stable_things(fresh):
    region = cache.source(catalog.schools, "01", None)
    with pytest.raises(TypeError):
        cache.view(lambda schools: schools, region)
    with pytest.raises(TypeError):
        cache.view(municipalities_seen, region, lambda row: "")
    with pytest.raises(TypeError):
        cache.view(municipalities_seen, pd.DataFrame({"municipality_id": ["01-01"]}), "t")
    with pytest.raises(TypeError):
        cache.source(lambda store: None)


def _figure() -> go.Figure:
    dates = pd.to_datetime(["2026-01-15", "2026-03-01", "2026-11-22"])
    figure = go.Figure(go.Scatter(x=dates, y=np.array([0.5, np.nan, 1 / 3]), customdata=np.array(
        [["0100001", "СОШ <№ 1>", 12], ["0100002", "Лицей", 3], ["0100003", "x", 7]], dtype=object),
        mode="markers", name="шк"))
    figure.add_trace(go.Bar(x=["a", "b"], y=[1, 2], text=["1", "2"]))
    figure.add_shape(type="line", x0=dt.date(2026, 5, 1), x1=dt.date(2026, 5, 1), y0=0, y1=1, yref="paper")
    figure.update_layout(title="Заголовок", separators=", ", height=420)
    return figure


def test_a_shared_figure_writes_the_same_json_as_the_figure():
    def as_streamlit_sends(figure):
        return plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True),
                                 validate=False)

    expected = as_streamlit_sends(_figure())
    shared = share(_figure())
    assert isinstance(shared, SharedFigure)
    assert as_streamlit_sends(shared) == expected
    assert as_streamlit_sends(shared) == expected                  # and again, from the same dict
    assert type(go.Figure(shared)) is go.Figure                     # a copy is an ordinary figure
    assert go.Figure(shared).to_json() == go.Figure(_figure()).to_json()


def test_a_page_drawn_from_cached_views_is_the_page_drawn_fresh(app_env):
    cache.forget_everything()
    charts = frames = 0
    for tab in ("trend", "schools", "subjects"):          # only the open tab is drawn (ui.lazy)
        app = run_page("pages/results.py", {"results_tab": tab})
        fresh = ([e.proto.spec for e in app.main.get("plotly_chart")], [d.value for d in app.main.dataframe])
        rerun(app)
        cached = ([e.proto.spec for e in app.main.get("plotly_chart")], [d.value for d in app.main.dataframe])
        assert fresh[0] == cached[0] and len(fresh[1]) == len(cached[1])
        for before, after in zip(fresh[1], cached[1]):
            pd.testing.assert_frame_equal(before, after)
        charts, frames = charts + len(fresh[0]), frames + len(fresh[1])
    assert charts >= 4 and frames >= 1


def test_downloads_are_written_when_clicked(monkeypatch):
    handed = {}

    class Column:
        def download_button(self, label, data, file_name, **kwargs):
            handed[file_name] = data
            assert kwargs["on_click"] == "ignore"     # no rerun: the other button's file id stays valid

    class FakeStreamlit:
        @staticmethod
        def container(**kwargs):
            assert kwargs.get("horizontal")          # both buttons in one row under the table
            return Column()

    monkeypatch.setattr(export, "st", FakeStreamlit)
    frame = pd.DataFrame({"Школа": ["=cmd", "СОШ"], "n": [1, -2]})
    export.download_buttons(frame, "t", key="k")
    assert callable(handed["t.xlsx"]) and callable(handed["t.csv"])
    assert handed["t.csv"]() == export.to_csv_bytes(frame)
    assert handed["t.xlsx"]()[:2] == b"PK"
