"""Colours stay distinguishable for colour-blind viewers and on a projector: every palette
used for categories, levels and statuses is checked under simulated protanopia and
deuteranopia (Machado et al. 2009) with a minimum CIE76 difference; and the chart-text
enlargement of presentation mode."""
import numpy as np
import plotly.graph_objects as go
import pytest

from presentation.figures import colour_vision as cv
from presentation.figures import identification, risks, roadmaps, school_map, style, teachers

MIN_DELTA_E = 15.0
PALETTES = {
    "category": style.CATEGORY_COLOURS, "status": style.STATUS_COLOURS, "level": style.LEVEL_COLOURS,
    "mark": style.MARK_COLOURS, "comparison": style.COMPARISON_COLOURS, "risk_level": risks.LEVEL_COLOURS,
    "risk_change": risks.CHANGE_COLOURS, "target_status": identification.TARGET_STATUS_COLOURS,
    "teacher_series": dict(enumerate(teachers.SERIES_COLOURS)),
}


def test_simulation_keeps_neutrals_and_merges_red_with_green():
    for deficiency in ("protanopia", "deuteranopia"):
        for grey in ("#000000", "#777777", "#FFFFFF"):
            assert np.allclose(cv.simulate(grey, deficiency), cv.hex_to_rgb(grey), atol=0.01)
    # The check can fail: a classic red/green pair is distinct normally, not for a deuteranope.
    pair = {"red": "#D62728", "green": "#2CA02C"}
    assert cv.pair_distances(pair, "normal")[0][2] > 60
    assert cv.pair_distances(pair, "deuteranopia")[0][2] < MIN_DELTA_E


def test_lab_of_known_colours():
    assert np.allclose(cv.lab(np.array([1.0, 1.0, 1.0])), [100, 0, 0], atol=0.05)
    assert np.allclose(cv.lab(cv.hex_to_rgb("#FF0000")), [53.24, 80.09, 67.20], atol=0.1)


@pytest.mark.parametrize("deficiency", ["normal", "protanopia", "deuteranopia"])
@pytest.mark.parametrize("name", list(PALETTES))
def test_palette_colours_are_distinct(name, deficiency):
    closest = cv.pair_distances(PALETTES[name], deficiency)[0]
    assert closest[2] >= MIN_DELTA_E, (name, deficiency, closest)


@pytest.mark.parametrize("name", list(PALETTES))
def test_never_red_against_green_by_hue_alone(name):
    """A reddish and a greenish colour in one palette must stay far apart (twice the minimum)
    for protanopes and deuteranopes, i.e. they also differ on the blue–yellow axis or in
    lightness, not only on the red–green axis these viewers lack."""
    colours = list(PALETTES[name].values())
    for red in filter(cv.is_reddish, colours):
        for green in filter(cv.is_greenish, colours):
            for deficiency in ("protanopia", "deuteranopia"):
                distance = cv.delta_e(cv.simulate(red, deficiency), cv.simulate(green, deficiency))
                assert distance >= 2 * MIN_DELTA_E, (name, red, green, deficiency, distance)


def test_red_and_green_are_recognised():
    assert cv.is_reddish(style.PALETTE["vermillion"]) and cv.is_greenish(style.PALETTE["green"])
    assert not cv.is_greenish(style.PALETTE["sky"]) and not cv.is_reddish(style.PALETTE["orange"])


@pytest.mark.parametrize("deficiency", ["normal", "protanopia", "deuteranopia"])
def test_choropleth_classes_get_darker_step_by_step(deficiency):
    """The ordered map classes are read by lightness: each class darker than the one before."""
    lightness = [cv.lab(cv.simulate(c, deficiency))[0] for c in school_map.SEQUENTIAL]
    assert all(b < a - 8 for a, b in zip(lightness, lightness[1:])), lightness


def test_levels_also_differ_by_symbol():
    assert len(set(style.LEVEL_SYMBOLS.values())) == len(style.LEVEL_COLOURS)


def test_presentation_fonts_reach_the_minimum():
    figure = go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h", text=["1", "2"], textfont=dict(size=11)))
    style.presenting(True)
    try:
        style.base_layout(figure, "title", height=300)
        assert figure.layout.font.size == style.PRESENT_FONT_SIZE
    finally:
        style.presenting(False)
    figure.update_yaxes(tickfont=dict(size=12))
    figure.add_annotation(x=1, y="a", text="note", font=dict(size=13))
    style.enlarge(figure, height=420)
    assert figure.layout.height == 420
    assert figure.layout.yaxis.tickfont.size >= 18 and figure.layout.xaxis.tickfont.size >= 18
    assert figure.layout.annotations[0].font.size >= 18
    assert figure.data[0].textfont.size >= 18
    assert figure.layout.legend.font.size >= 18
    assert figure.layout.title.font.size >= 18


def test_base_layout_is_normal_size_outside_presentations():
    figure = style.base_layout(go.Figure(), "t")
    assert figure.layout.font.size == style.FONT_SIZE
    roadmaps  # the roadmap builders share the palette checked above (STATUS_COLOURS)
