"""The map in a real browser with every outside request aborted: boundaries, coloured
schools and labelled mentor lines appear, and clicking a school opens its card."""
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser import offline_context
from tests.browser import browser, server  # noqa: F401 — pytest fixtures used by name


def test_offline_map_click_opens_school_card(server, browser, tmp_path):
    context = offline_context(browser, viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    outside, failed = [], []
    page.on("request", lambda r: r.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:"))
            or outside.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    page.goto(server + "/")
    page.get_by_role("link", name="Карта школ и наставники").click()
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    listed = frame.locator("path.leaflet-interactive[fill='#D55E00']")
    expect(listed.first).to_be_attached(timeout=60_000)
    expect(frame.locator(".km-label").first).to_contain_text("км")
    assert frame.locator("path.leaflet-interactive").count() > 400   # boundaries + every school
    page.screenshot(path=str(tmp_path / "map_region.png"))

    listed.first.dispatch_event("click")
    expect(page.get_by_text("Категория:")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Низкие результаты (ШНОР)", exact=False).last).to_be_visible()
    expect(page).to_have_url(re.compile(r"school=\d+"), timeout=30_000)
    page.screenshot(path=str(tmp_path / "map_card.png"))
    assert outside == [], outside
    assert not [u for u in failed if "/app/static/" in u], failed
    context.close()


MAP_LAYOUT = """() => {
    const visible = [...document.querySelectorAll('.km-label, .place-label')]
        .filter(e => e.parentElement.style.display !== 'none')
        .map(e => ({text: e.textContent, km: e.classList.contains('km-label'), r: e.getBoundingClientRect()}));
    const overlaps = [];
    for (let i = 0; i < visible.length; i++) for (let j = i + 1; j < visible.length; j++) {
        const a = visible[i].r, b = visible[j].r;
        if (a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top)
            overlaps.push([visible[i].text, visible[j].text]);
    }
    const hidden = [];
    map_div.eachLayer(l => {
        if (!(l instanceof L.CircleMarker) || l.options.radius < 8 || !l._path) return;
        const r = l._path.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
        if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return;
        const top = document.elementFromPoint(x, y);
        const label = visible.find(v => v.km && v.r.left <= x && x <= v.r.right && v.r.top <= y && y <= v.r.bottom);
        // Another school may overlap it (a dense town centre); a line or a label must not.
        const school = top && top.closest('.leaflet-shnorSchools-pane');
        if (!school || label) hidden.push((l.getTooltip() ? l.getTooltip().getContent().trim().slice(0, 40) : '?') + ' under ' + (label ? 'label ' + label.text : (top ? top.tagName + '.' + top.getAttribute('class') + ' in ' + (top.parentElement && top.parentElement.closest('.leaflet-pane') ? top.parentElement.closest('.leaflet-pane').className : '') : 'nothing')));
    });
    return {labels: visible.length, km: visible.filter(v => v.km).length, places: visible.filter(v => !v.km).length,
            overlaps: overlaps, hidden: hidden,
            scale: [...document.querySelectorAll('.leaflet-control-scale-line')].map(e => e.textContent)};
}"""


def test_labels_never_collide_or_hide_a_school_at_meeting_sizes(server, browser):
    """At 1280×720 and 1600×1000: no two labels overlap, at every category school's centre the
    topmost clickable thing is a school (not a mentor line, not a distance label), settlement names are
    shown, and the scale is metric in Russian."""
    for width, height in ((1280, 720), (1600, 1000)):
        context = offline_context(browser, viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(server + "/map")
        frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
        expect(frame.locator(".km-label").first).to_be_attached(timeout=60_000)
        expect(frame.locator(".place-city")).to_be_attached()
        map_frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        # Labels are placed after every zoom, move and resize (the frame is sized after the map is
        # drawn): wait until no placement is due and the layout is right, then read it once more.
        try:
            map_frame.wait_for_function(
                "(layout) => map_div.getContainer().dataset.labels === 'placed' && (r => r.overlaps.length === 0"
                " && r.hidden.length === 0)((new Function('return ' + layout))()())", arg=MAP_LAYOUT, timeout=30_000)
        except PlaywrightTimeout:
            pass   # the assertions below say what is wrong
        layout = map_frame.evaluate(MAP_LAYOUT)
        assert layout["overlaps"] == [], (width, layout["overlaps"])
        assert layout["hidden"] == [], (width, layout["hidden"])
        assert layout["km"] >= 4 and layout["places"] >= 5, (width, layout)
        assert layout["scale"] and all(re.fullmatch(r"\d+ (км|м)", s) for s in layout["scale"]), layout["scale"]
        context.close()
