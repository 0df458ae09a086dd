"""What the visual check suite looks for on a rendered page (tests/test_browser_visual.py).

One script runs in the page and returns plain findings; the Python side turns them into
readable failure lines. Everything is measured on what a person sees: hidden elements, icon
ligatures (Material icons are drawn from words such as ``arrow_forward``) and code blocks are
left out."""
from __future__ import annotations

import re

# Latin words a Russian page may show: units, abbreviations and codes a reader knows.
LATIN_ALLOWED = {
    # file formats and the programs a reader opens them with
    "XLSX", "XLSM", "XLS", "CSV", "TSV", "TXT", "DOCX", "PDF", "ODS", "UTF", "GeoJSON", "JSON",
    "Word", "Excel", "Windows",
    "OSM", "OpenStreetMap", "Leaflet",   # the map's attribution
    "MB", "KB", "GB",              # file sizes shown by the uploader next to an uploaded file
    "km", "m",                     # the map's metric scale
    "n", "N", "p",                 # sample size and p-value in formulas and chart notes
    "MSE",                         # the bandwidth criterion named in the methodology

    "English", "Language",         # the language switch names the other language in its own words
}

# Streamlit shows these when a value was not prepared for a person.
RAW_VALUE = re.compile(r"(?<![\w])(None|nan|NaN|NaT|null|undefined|Upload|per file)(?![\w])")

CHECK_JS = r"""
() => {
  const found = {overflow: [], ellipsis: [], text: [], overlap: [], grids: []};
  const visible = (el) => {
    if (!el || !el.getClientRects().length) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none' && parseFloat(style.opacity || '1') > 0 && parseFloat(style.fontSize) > 0;
  };
  const describe = (el) => {
    const test = el.closest('[data-testid]');
    const text = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 80);
    return (test ? test.getAttribute('data-testid') + ': ' : '') + text;
  };

  // 1. The main area (and the page) must not scroll sideways; no block may stick out of it.
  const main = document.querySelector('[data-testid=stMain]');
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    found.overflow.push(`page ${doc.scrollWidth} px wide in a ${window.innerWidth} px window`);
  if (main && main.scrollWidth > main.clientWidth + 1)
    found.overflow.push(`main area ${main.scrollWidth} px of content in ${main.clientWidth} px`);
  if (main) {
    const right = main.getBoundingClientRect().right;
    for (const el of main.querySelectorAll('[data-testid=stElementContainer]')) {
      if (!visible(el)) continue;
      const box = el.getBoundingClientRect();
      if (box.width && box.right > right + 1) found.overflow.push(`${describe(el)} ends at ${Math.round(box.right)} px, main ends at ${Math.round(right)} px`);
    }
    // Tables (glide-data-grid): the scroller must not hide columns to the right.
    for (const grid of main.querySelectorAll('[data-testid=stDataFrame]')) {
      if (!visible(grid)) continue;
      const scroller = grid.querySelector('.dvn-scroller');
      const headers = [...grid.querySelectorAll('table thead th, [role=columnheader]')].map(h => h.textContent.trim());
      const cells = [...grid.querySelectorAll('table tbody td, [role=gridcell]')].map(c => c.textContent.trim());
      found.grids.push({headers: headers.slice(0, 40), cells: cells.slice(0, 400),
                        scroll: scroller ? scroller.scrollWidth : 0, client: scroller ? scroller.clientWidth : 0});
      if (scroller && scroller.scrollWidth > scroller.clientWidth + 2)
        found.overflow.push(`table [${headers.slice(0, 4).join(' | ')}…] ${scroller.scrollWidth} px of columns in ${scroller.clientWidth} px`);
    }
  }

  // 2. Text cut with an ellipsis: CSS text-overflow that actually cuts, and literal «…» endings
  //    in metrics and table headers.
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') || el.closest('[data-testid=stIconMaterial]')) continue;
    const style = getComputedStyle(el);
    if (style.textOverflow !== 'ellipsis') continue;
    if (!visible(el) || !(el.textContent || '').trim()) continue;
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 2 && style.webkitLineClamp !== 'none')
      found.ellipsis.push(`${describe(el)} (cut: ${el.scrollWidth} > ${el.clientWidth} px)`);
  }
  for (const el of document.querySelectorAll('[data-testid=stMetric] *, th, [role=columnheader], [data-testid=stTab] p')) {
    if (el.children.length || !visible(el)) continue;
    const text = (el.textContent || '').trim();
    if (text.endsWith('…') || text.endsWith('...')) found.ellipsis.push(`${describe(el)} (ends in an ellipsis)`);
  }

  // A metric value wider than its card (a value that cannot wrap runs over the border).
  for (const value of document.querySelectorAll('[data-testid=stMetricValue]')) {
    const card = value.closest('[data-testid=stMetric]');
    if (!card || !visible(value)) continue;
    const inner = value.querySelector('p') || value;
    if (inner.getBoundingClientRect().right > card.getBoundingClientRect().right + 1)
      found.overflow.push(`metric value «${value.textContent.trim()}» runs out of its card`);
  }

  // 3. Visible text, word by word (HTML and SVG text; icons and code excluded).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || el.closest('style, script, noscript, code, pre, [data-testid=stSkipToContent], [data-testid=stIconMaterial], .material-icons, canvas, [translate=no]')) continue;
    if (!visible(el)) continue;
    const key = text + '\u0000' + (el.closest('[data-testid]') || {}).tagName;
    if (seen.has(key)) continue;
    seen.add(key);
    found.text.push({text, where: describe(el).slice(0, 60)});
  }

  // 4. Chart texts that overlap: annotations, legend items and axis tick labels per plotly chart.
  document.querySelectorAll('.js-plotly-plot').forEach((plot, index) => {
    if (!visible(plot)) return;
    const items = [];
    const add = (kind, el) => {
      const box = el.getBoundingClientRect();
      const text = (el.textContent || '').trim();
      if (box.width > 0 && box.height > 0 && text) items.push({kind, text, box});
    };
    plot.querySelectorAll('g.annotation-text-g text, g.annotation text').forEach(el => add('annotation', el));
    plot.querySelectorAll('g.legend g.traces').forEach(el => add('legend', el));
    plot.querySelectorAll('g.xtick text, g.ytick text, g.x2tick text, g.y2tick text').forEach(el => add('tick', el));
    plot.querySelectorAll('g.g-gtitle text, g.g-xtitle text, g.g-ytitle text').forEach(el => add('title', el));
    const pad = 1;
    const hits = (a, b) => a.left + pad < b.right && b.left + pad < a.right && a.top + pad < b.bottom && b.top + pad < a.bottom;
    const seenPairs = new Set();
    for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
      const a = items[i], b = items[j];
      if (a.kind === 'tick' && b.kind === 'tick') continue;    // plotly thins ticks itself
      if (a.kind === 'legend' && b.kind === 'legend' && a.text === b.text) continue;
      if (a === b || !hits(a.box, b.box)) continue;
      const key = `${a.kind}:${a.text}|${b.kind}:${b.text}`;
      if (seenPairs.has(key)) continue;
      seenPairs.add(key);
      const title = (plot.querySelector('g.g-gtitle text') || {}).textContent || `chart ${index + 1}`;
      found.overlap.push(`«${title.slice(0, 50)}»: ${a.kind} «${a.text.slice(0, 40)}» overlaps ${b.kind} «${b.text.slice(0, 40)}»`);
    }
  });
  return found;
}
"""

# Proper names quoted in the methodology, removed before the word check.
PHRASES_ALLOWED = ("California School Dashboard",)

WORD = re.compile(r"(?<![^\W\d_])[A-Za-z][A-Za-z]*(?![^\W\d_])")


def latin_words(text: str) -> list[str]:
    """Latin-only words (not glued to Cyrillic letters) that are not on the allow-list."""
    for phrase in PHRASES_ALLOWED:
        text = text.replace(phrase, "")
    return [word for word in WORD.findall(text) if word not in LATIN_ALLOWED]


def problems(found: dict) -> list[str]:
    """Readable failure lines from what CHECK_JS found."""
    lines = [f"horizontal overflow: {item}" for item in found["overflow"]]
    lines += [f"cut with an ellipsis: {item}" for item in found["ellipsis"]]
    lines += [f"overlapping chart text: {item}" for item in found["overlap"]]
    for item in found["text"]:
        raw = RAW_VALUE.findall(item["text"])
        if raw:
            lines.append(f"raw value {raw} in «{item['text'][:90]}» ({item['where']})")
        latin = latin_words(item["text"])
        if latin:
            lines.append(f"English {latin} in «{item['text'][:90]}» ({item['where']})")
    for grid in found["grids"]:
        for cell in grid["headers"] + grid["cells"]:
            if RAW_VALUE.fullmatch(cell.strip()) or RAW_VALUE.search(cell):
                lines.append(f"raw value «{cell[:60]}» in table [{' | '.join(grid['headers'][:4])}…]")
                break
    return lines
