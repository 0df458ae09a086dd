"""School names with markup show as text in charts (plotly renders a subset of HTML)."""
import pandas as pd
import plotly.graph_objects as go
import pytest

from presentation.figures.markup import neutralise
from presentation.figures.overview import listed_share_by_municipality
from presentation.figures.style import base_layout

HOSTILE = '<a href="https://evil.example">Школа</a><script>alert(1)</script>'


@pytest.mark.parametrize("text, expected", [
    ("Школа № 1", "Школа № 1"),
    ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
    ('<a href="u">a</a>', '&lt;a href="u"&gt;a&lt;/a&gt;'),
    ("строка<br>вторая", "строка<br>вторая"),
    ("%{y}<extra></extra>", "%{y}<extra></extra>"),
    ("<b>жирный</b> 1 < 2", "&lt;b&gt;жирный&lt;/b&gt; 1 &lt; 2"),     # emphasis only from templates
])
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_builder_output_has_no_live_markup_from_data():
    table = pd.DataFrame({"name": [HOSTILE, "Обычный район"], "listed": [1, 2], "schools": [10, 20],
                          "listed_share": [0.1, 0.1]})
    figure = listed_share_by_municipality(table, title=HOSTILE, x_label="%")
    payload = figure.to_json()
    assert "<a href" not in payload and "<script" not in payload
    assert "&lt;a href" in payload
    # The builders' own templates keep working.
    assert "<extra></extra>" in figure.data[0].hovertemplate


def test_heatmap_labels_and_customdata_are_escaped():
    figure = go.Figure(go.Heatmap(z=[[1, 2]], x=["a", "b"], y=[HOSTILE], customdata=[[HOSTILE, "x"]]))
    base_layout(figure)
    assert figure.data[0].y[0].startswith("&lt;a href")
    assert figure.data[0].customdata[0][0].startswith("&lt;a href")
