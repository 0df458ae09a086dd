"""Plotly figures (from presentation/figures builders) to PNG with kaleido and a local chromium.

kaleido 1.x drives a headless chromium (Debian's package is found by itself; the
``BROWSER_PATH`` variable overrides) and loads plotly.js from the plotly package, so it
works offline. One browser is started per report (kaleido's persistent sync server, with
MathJax off so nothing is fetched from a CDN): ~2.5 s to start, then ~0.2–0.4 s a chart.
Without a browser the report is produced without images (``render_all`` returns False).
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path

from presentation.report.model import Figure, Report

CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser",
              "/usr/bin/google-chrome")
SCALE = 2           # pixels per layout pixel: crisp when printed at ~16 cm
_LOCK = threading.Lock()  # kaleido's sync server is one per process
log = logging.getLogger(__name__)


def browser_path() -> str | None:
    """The chromium kaleido will use, or None when there is none on this machine."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for candidate in CANDIDATES:
        if Path(candidate).exists():
            return candidate
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _prepare(item: Figure):
    """The caption under the picture names the chart: the chart's own title is dropped."""
    figure = item.figure
    top = 50 if figure.layout.showlegend is not False and len(figure.data) > 1 else 20
    figure.update_layout(title=None, width=item.width_px, height=item.height_px or figure.layout.height or 420,
                         margin=dict(t=max(top, 0)))
    return figure


def render_all(report: Report, browser: str | None = None) -> bool:
    """Fill ``png`` of every figure block. False (and no images) when no browser is available
    or it fails to start; a single failing chart is left without an image."""
    figures = report.of_type(Figure)
    if not figures:
        return True
    browser = browser or browser_path()
    if browser is None:
        return False
    import kaleido

    with _LOCK:
        try:
            kaleido.start_sync_server(path=browser, mathjax=False, silence_warnings=True)
        except Exception as error:  # no usable browser: the report goes without images
            log.warning("kaleido could not start %s: %s", browser, error)
            return False
        try:
            drawn = 0
            for item in figures:
                try:
                    item.png = kaleido.calc_fig_sync(_prepare(item), opts=dict(format="png", scale=SCALE))
                    drawn += 1
                except Exception as error:  # keep going: one bad chart must not sink the report
                    log.warning("chart %r not drawn: %s", item.caption, error)
            return drawn > 0
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
