"""Honest charts: percentage axes from 0, intervals as bands (no loose dots), no value below min_n."""
import pandas as pd
import pytest

from presentation.figures.results import trend_lines


def _series():
    return pd.DataFrame({"who": "school", "year": [2024, 2025, 2026], "n": [30, 4, 28],
                         "value": [0.62, 0.75, 0.66], "ci_low": [0.45, 0.3, 0.48], "ci_high": [0.77, 0.95, 0.80],
                         "enough": [True, False, True]})


def test_trend_of_a_share_starts_at_zero_with_a_band_and_hides_small_n():
    figure = trend_lines(_series(), {"school": "Школа"}, "t", "%", True)
    assert figure.layout.yaxis.rangemode == "tozero"
    band, line, small = figure.data
    assert band.fill == "toself" and band.mode == "lines"          # a band, not vertices drawn as dots
    assert list(small.x) == [2025] and list(small.y) == [0.0]       # N = 4: a marker on the axis, no value
    assert "мало данных" in small.hovertemplate


def test_trend_of_a_mean_is_not_forced_to_zero():
    figure = trend_lines(_series().assign(value=[3.6, 3.9, 3.7], ci_low=[3.4, 3.1, 3.5], ci_high=[3.8, 4.4, 3.9]),
                         {"school": "Школа"}, "t", "балл", False)
    assert figure.layout.yaxis.rangemode is None
    assert list(figure.data[2].y) == [3.4]


YEARS = list(range(2020, 2027))


def _mark_counts():
    from presentation.figures.results import mark_distribution
    counts = pd.DataFrame({"year": YEARS, "n2": 10, "n3": 30, "n4": 40, "n5": 20})
    return mark_distribution(counts, {"n2": "«2»", "n3": "«3»", "n4": "«4»", "n5": "«5»"},
                             {"n2": "#d55e00", "n3": "#e69f00", "n4": "#56b4e9", "n5": "#0072b2"}, "Отметки")


def _list_sizes():
    from presentation.figures.overview import list_size_bars
    return list_size_bars(pd.DataFrame({"year": YEARS, "schools": [20, 19, 18, 18, 17, 17, 16]}), "Перечень", "школ")


def _list_dynamics():
    from presentation.figures.effectiveness import list_chart
    dynamics = pd.DataFrame({"year": YEARS, "listed": [20, 19, 18, 18, 17, 17, 16],
                             "reduction": [None, .05, .05, 0, .06, 0, .06], "reduction_low": 0.0,
                             "reduction_high": 0.1, "reduction_target": 0.1})
    return list_chart(dynamics, {"title": "Перечень", "list_axis": "школ", "reduction_axis": "%",
                                 "reduction_name": "сокращение", "target_name": "цель", "target_high": 0.2})


@pytest.mark.parametrize("build", [_mark_counts, _list_sizes, _list_dynamics])
def test_every_year_keeps_its_label(build):
    axis = build().layout.xaxis
    # Categories with a step of one: Plotly labels each bar (slanting labels that do not fit)
    # instead of dropping every other year on a narrow chart.
    assert (axis.type, axis.tickmode, axis.dtick) == ("category", "linear", 1)
