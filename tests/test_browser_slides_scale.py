"""Every «Показ» slide at 1280×720, 1920×1080 and 2560×1440 in presentation mode (Debian chromium,
offline): no sideways scroll, no scrolling down, every municipality bar of slide 1 labelled, chart annotations,
legend items, value and tick labels neither on top of each other nor clipped by their chart,
a legend on the Sankey slide, and chart text not small next to the slide title. Screenshots
land in the test's tmp_path (SHNOR_SHOT_DIR overrides; keep them out of git)."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import offline_context
from ui.present import zoom_for
from tests.browser import browser, server  # noqa: F401 — pytest fixtures used by name

SIZES = [(1280, 720), (1920, 1080), (2560, 1440)]
# slide → (title, plotly charts drawn on the demo region)
SLIDES = {1: ("Главное", 2), 2: ("Перечень ШНОР: кто вошёл и вышел", 1), 3: ("Школы и наставники", 0),
          4: ("Рисковые профили", 1), 5: ("Исполнение дорожных карт", 2), 6: ("Школы, требующие внимания", 0),
          7: ("Вовлеченность", 1), 8: ("Помогла ли поддержка", 1)}
TEXT_TO_TITLE = 0.40   # the smallest chart text (glyph box) at least this share of the title's
OVERLAP_PX = 2         # boxes may touch, not overlap by more than this in both directions
LEADING = 0.12         # a glyph box may pass its chart's edge by its leading (~10 % of its height), not a letter

# Text sizes are compared as rendered glyph-box heights (what a viewer sees, whatever scaling
# the page uses): the title's text range and each SVG text's bounding box.
MEASURE = """() => {
  const box = r => ({x: r.left, y: r.top, w: r.width, h: r.height});
  const range = document.createRange(); const title = document.querySelector('h1');
  range.selectNodeContents(title);
  const main = document.querySelector('[data-testid=stMain]');
  const out = {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: innerWidth,
               mainHeight: main.scrollHeight, mainClient: main.clientHeight,
               titleHeight: range.getClientRects()[0].height, scrollers: [], charts: [],
               htmlLegend: !!document.querySelector('.shnor-legend')};
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 2 && el.clientWidth > 0)
      out.scrollers.push((el.dataset.testid || el.className || el.tagName).toString().slice(0, 60)
                         + ` ${el.scrollWidth}>${el.clientWidth}`);
  }
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
           && parseFloat(s.opacity || '1') > 0 && (el.textContent || '').trim() !== ''; };
  document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot').forEach((plot, index) => {
    const svg = plot.querySelector('.main-svg'); const frame = box(svg.getBoundingClientRect());
    const items = [];
    const add = (selector, kind) => plot.querySelectorAll(selector).forEach(el => {
      if (kind === 'legend' ? el.getBoundingClientRect().width > 0 : visible(el))
        items.push({kind, text: (el.textContent || '').trim().slice(0, 40), ...box(el.getBoundingClientRect())}); });
    add('g.annotation', 'annotation'); add('g.legend g.traces', 'legend'); add('text.bartext', 'value');
    add('g.textpoint text', 'value'); add('g.xtick text, g.ytick text', 'tick'); add('g.infolayer .gtitle', 'title');
    plot.querySelectorAll('.shapelayer path').forEach(el => { const r = el.getBoundingClientRect();
      if (r.width > 0 || r.height > 0) items.push({kind: 'line', text: 'shape', ...box(r)}); });
    const texts = [...plot.querySelectorAll('text')].filter(visible).map(el => el.getBoundingClientRect().height);
    out.charts.push({index, frame, items, smallestText: texts.length ? Math.min(...texts) : null,
                     bars: plot.querySelectorAll('g.trace.bars g.point').length,
                     yTicks: [...plot.querySelectorAll('g.ytick text')].filter(visible).length,
                     legendItems: plot.querySelectorAll('g.legend g.traces').length});
  });
  return out;
}"""


# Every chart on the page re-drawn for the window's zoom class (ui.present.fit puts it in layout.meta).
DRAWN_FOR = """zoom => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')].every(
  plot => plot._fullLayout && plot._fullLayout.meta && plot._fullLayout.meta.shnor_zoom === zoom)"""


def _overlap(a, b) -> bool:
    dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    if "line" in (a["kind"], b["kind"]):  # a line 1-3 px wide crossing a label
        return dx > 0 and dy > 0 and max(dx, dy) > OVERLAP_PX
    return dx > OVERLAP_PX and dy > OVERLAP_PX


def _outside(item, frame) -> bool:
    edge = max(1.0, LEADING * item["h"])
    return (item["x"] < frame["x"] - edge or item["y"] < frame["y"] - edge
            or item["x"] + item["w"] > frame["x"] + frame["w"] + edge
            or item["y"] + item["h"] > frame["y"] + frame["h"] + edge)


def problems_of(number: int, found: dict) -> list[str]:
    where = f"slide {number}"
    out = []
    if found["scrollWidth"] > found["innerWidth"]:
        out.append(f"{where}: page scrolls sideways ({found['scrollWidth']} > {found['innerWidth']})")
    out += [f"{where}: sideways scroll in {s}" for s in found["scrollers"]]
    if found["mainHeight"] > found["mainClient"] + 2:
        out.append(f"{where}: does not fit the screen's height ({found['mainHeight']} > {found['mainClient']})")
    for chart in found["charts"]:
        name = f"{where} chart {chart['index'] + 1}"
        if chart["smallestText"] is not None and chart["smallestText"] < TEXT_TO_TITLE * found["titleHeight"]:
            out.append(f"{name}: chart text {chart['smallestText']:.0f} px high next to a title "
                       f"{found['titleHeight']:.0f} px (< {TEXT_TO_TITLE:.0%})")
        items = chart["items"]
        for k, a in enumerate(items):
            if a["kind"] != "line" and _outside(a, chart["frame"]):
                out.append(f"{name}: {a['kind']} «{a['text']}» clipped by the chart")
            for b in items[k + 1:]:
                kinds = {a["kind"], b["kind"]}
                if kinds in ({"tick"}, {"legend"}, {"line"}) or ("line" in kinds and kinds & {"tick", "legend", "title"}):
                    continue
                if _overlap(a, b):
                    out.append(f"{name}: {a['kind']} «{a['text']}» overlaps {b['kind']} «{b['text']}»")
    if number == 1 and len(found["charts"]) > 1:
        chart = found["charts"][1]
        values = sum(1 for i in chart["items"] if i["kind"] == "value")
        if chart["yTicks"] < chart["bars"] or values < chart["bars"]:
            out.append(f"{where}: {chart['bars']} municipality bars, {chart['yTicks']} named, {values} with a value")
    if number == 2 and not found["htmlLegend"] and not any(c["legendItems"] for c in found["charts"]):
        out.append(f"{where}: the Sankey's colours have no legend")
    return out


@pytest.mark.parametrize("width, height", SIZES)
def test_slides_scale_to_the_screen(server, browser, tmp_path, width, height):
    shots = Path(os.environ.get("SHNOR_SHOT_DIR", tmp_path))
    context = offline_context(browser, viewport={"width": width, "height": height})
    page = context.new_page()
    problems = []
    # Charts are drawn for the window's zoom class once the page has reported it (one rerun).
    drawn_for = f"style.shnor-zoom-{round(zoom_for(width, height) * 100)}"
    for number, (title, charts) in SLIDES.items():
        page.goto(f"{server}/show?present=1&slide={number}")
        expect(page.locator("h1")).to_have_text(title, timeout=90_000)
        expect(page.locator(drawn_for)).to_be_attached(timeout=90_000)
        expect(page.locator("[data-testid=stSpinner]")).to_have_count(0, timeout=90_000)
        expect(page.locator("[data-testid=stPlotlyChart] .js-plotly-plot .main-svg >> nth=0")
               if charts else page.locator("h1")).to_be_attached(timeout=90_000)
        expect(page.locator("[data-testid=stPlotlyChart] .js-plotly-plot")).to_have_count(charts, timeout=90_000)
        page.wait_for_function(DRAWN_FOR, arg=zoom_for(width, height), timeout=90_000)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / f"slide{number}_{width}x{height}.png"))
        problems += problems_of(number, page.evaluate(MEASURE))
    context.close()
    assert not problems, "\n".join(problems)
