"""Honest charts: percentage axes from 0, intervals as bands (no loose dots), no value below min_n."""
import pandas as pd

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
