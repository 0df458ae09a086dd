"""Data text stays text: names, executors, comments, titles and reasons carrying Markdown, HTML
and bidirectional control characters are shown as the characters they are, on every page."""
import json
import re
import shutil

import pytest
from markdown_it import MarkdownIt

from analytics.store import open_store
from tests.apptest_helpers import assert_no_exception, new_app
from tests.conftest import TODAY
from tests.fixtures import LISTED_SCHOOL_OF_SERGIEVSKY
from presentation.figures.markup import escape_data_text
from presentation.safe import WORD_JOINER, html_text, md, plain

RLO = "\u202e"


def hostile(tag: str) -> str:
    """A name that would be bold, a link, an image, raw HTML, italic, red, maths, a bare link and
    reversed if it were taken as markup. ``tag`` tells which data field it came from."""
    return (f"**Ж{tag}** [вход](http://evil.example/in) ![t](http://evil.example/p.png) <b>Б</b> _Э_ "
            f":red[К] $x$ www.evil.example vhod@evil.example {RLO}РЛО")


# -- the helper -------------------------------------------------------------------------------------------
COMMONMARK = MarkdownIt("commonmark", {"html": False}).enable(["strikethrough", "table"])
WITH_HTML = MarkdownIt("commonmark", {"html": True}).enable(["strikethrough", "table"])
MARKUP_FROM_DATA = [re.compile(p) for p in (r"<(strong|em|del|s)>[^<]*[ЖЭ]", r"<img\b", r"href=\"[^\"]*evil",
                                            r"<b>Б")]


def markup_problems(source: str, allow_html: bool) -> list[str]:
    """What ``source`` (the Markdown an element was given) would draw from the data as markup."""
    rendered = (WITH_HTML if allow_html else COMMONMARK).render(source)
    problems = [p.pattern for p in MARKUP_FROM_DATA if p.search(rendered)]
    if RLO in source:
        problems.append("bidi control")
    # GFM links bare URLs and e-mail addresses in the text after escapes are resolved.
    problems += [p for p in (r"(?<![\"=])https?://evil", r"www\.evil", r"\w@\w") if re.search(p, rendered)]
    if not allow_html:
        # What Streamlit adds to CommonMark: colour directives, maths.
        problems += [p for p in (r"(?<!\\):red(?<!\\)\[", r"(?<!\\)\$x(?<!\\)\$") if re.search(p, source)]
    return problems


def test_md_shows_every_character_and_draws_nothing():
    name = hostile("T")
    assert markup_problems(md(name), False) == []
    assert markup_problems(name, False)              # the check itself sees the markup in the raw name
    text = COMMONMARK.render(md(name)).replace(WORD_JOINER, "")
    assert "**ЖT** [вход](http://evil.example/in) ![t](http://evil.example/p.png) &lt;b&gt;Б&lt;/b&gt; _Э_" in text
    for start in ("1. Школа", "- Школа", "+ Школа", "> Школа", "# Школа", "    код"):
        assert COMMONMARK.render(md(start)).startswith("<p>"), start
    assert md("МБОУ \"СОШ № 1\" г. Сергиевск") == "МБОУ \"СОШ № 1\" г. Сергиевск"   # plain names stay as they are
    assert md("a\nb") == "a b" and md(None) == "" and plain(f"x{RLO}y\u2066z") == "xyz"
    assert html_text(name).count("&lt;b&gt;") == 1 and RLO not in html_text(name)


def test_figures_and_map_popups_neutralise_bidi_and_html():
    import plotly.graph_objects as go
    figure = escape_data_text(go.Figure(go.Bar(x=[hostile("F")], y=[1]), layout={"title": {"text": hostile("F")}}))
    spec = figure.to_json()
    assert RLO not in json.loads(spec)["layout"]["title"]["text"] and "<b>Б" not in spec


# -- every page -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_db(demo_db_path, tmp_path_factory):
    """A copy of the demo region where a listed school of «Сергиевский», its municipality, the
    roadmaps there (titles, sections, measures, executors, comments), risk factors and a subject
    carry markup in their names."""
    path = tmp_path_factory.mktemp("markup") / "markup.duckdb"
    shutil.copy(demo_db_path, path)
    store = open_store(path)
    school = store.scalar(LISTED_SCHOOL_OF_SERGIEVSKY)
    in_district = ("SELECT roadmap_id FROM roadmaps WHERE municipality_id = '01-03' OR school_id IN "
                   "(SELECT school_id FROM schools WHERE municipality_id = '01-03')")
    with store.transaction() as cur:
        for sql, params in [
            ("UPDATE schools SET short_name = ?, name = ? WHERE school_id = ?", [hostile("Ш"), hostile("П"), school]),
            ("UPDATE municipalities SET name = ? WHERE municipality_id = '01-03'", [hostile("М")]),
            (f"UPDATE roadmaps SET title = ? WHERE roadmap_id IN ({in_district})", [hostile("Р")]),
            (f"UPDATE measures SET title = ?, section = ?, executors = [?] WHERE roadmap_id IN ({in_district})",
             [hostile("Д"), hostile("С"), hostile("И")]),
            ("UPDATE measure_status SET comment = ? WHERE school_id = ?", [hostile("К"), school]),
            ("UPDATE risk_factors SET name_ru = ? WHERE position <= 3", [hostile("Ф")]),
            ("UPDATE subjects SET name_ru = ? WHERE position = (SELECT min(position) FROM subjects)", [hostile("У")]),
        ]:
            cur.execute(sql, params)
        store.bump_data_version(cur)
    roadmap = store.scalar("SELECT min(roadmap_id) FROM roadmaps WHERE school_id = ?", [school])
    subject = store.scalar("SELECT subject_id FROM subjects ORDER BY position LIMIT 1")
    store.cursor().execute("CHECKPOINT")
    store.close()
    return path, school, roadmap, subject


def _sources(app) -> list[tuple[str, str, bool]]:
    """(where, Markdown source, drawn with HTML allowed) of every element Streamlit renders as Markdown."""
    found = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                 "toast"):
        for element in getattr(app, kind):
            found.append((kind, str(element.value), bool(getattr(element.proto, "allow_html", False))))
    for kind in ("metric", "expander", "tabs", "button", "checkbox", "toggle", "selectbox", "multiselect",
                 "radio", "text_input", "number_input"):
        for element in getattr(app, kind):
            label = getattr(element, "label", None)
            if label:
                found.append((f"{kind} label", str(label), False))
    for radio in app.radio:
        found += [("radio option", str(o), False) for o in radio.options]      # already formatted
    return found


def _chart_texts(app) -> list[str]:
    texts = []

    def walk(value):
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for element in app.get("plotly_chart"):
        walk(json.loads(element.proto.spec))
    return texts


PAGES = [
    ("pages/overview.py", {}),
    ("pages/schools.py", {"school": "{school}"}),
    ("pages/results.py", {"school": "{school}"}),
    ("pages/results.py", {"school": "{school}", "results_tab": "schools"}),
    ("pages/map.py", {"school": "{school}"}),
    ("pages/risks.py", {"school": "{school}"}),
    ("pages/roadmaps.py", {"rm_roadmap": "{roadmap}", "subject": "{subject}"}),
    ("pages/roadmaps.py", {"rm_roadmap": "{roadmap}", "rm_by": "executor", "rm_tab": "breakdown"}),
    ("pages/roadmaps.py", {"rm_roadmap": "{roadmap}", "rm_tab": "overdue"}),
    ("pages/roadmaps.py", {"rm_roadmap": "{roadmap}", "rm_tab": "gantt"}),
    ("pages/roadmap_import.py", {}),
    ("pages/teachers.py", {}),
    ("pages/passport.py", {"school": "{school}"}),
    ("pages/targets.py", {}),
    *[("pages/show.py", {"slide": slide}) for slide in ("overview", "flows", "map", "risks", "roadmap", "attention")],
    ("pages/report.py", {"report_level": "school", "school": "{school}"}),
    ("pages/import_files.py", {}),
]
# Where the hostile text must be seen (as text), so the check cannot pass by showing nothing.
SHOWN = {"pages/schools.py": "П", "pages/results.py": "Ш", "pages/map.py": "Ш", "pages/passport.py": "П"}


@pytest.mark.parametrize("page, query", PAGES, ids=[f"{p[6:-3]}-{'-'.join(q.values()) or 'plain'}" for p, q in PAGES])
def test_markup_in_data_is_shown_as_text_on_every_page(hostile_db, monkeypatch, page, query):
    path, school, roadmap, subject = hostile_db
    monkeypatch.setenv("SHNOR_DB", str(path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    values = dict(school=school, roadmap=roadmap, subject=subject)
    app = new_app({"municipality": "01-03", **{k: v.format(**values) for k, v in query.items()}}, timeout=180)
    app.run()
    assert_no_exception(app)
    app.switch_page(page)
    app.run()
    assert_no_exception(app)
    sources = _sources(app)
    problems = [(where, source[:160], found) for where, source, html in sources
                for found in [markup_problems(source, html)] if found]
    assert not problems, problems
    options = [str(o) for kind in ("selectbox", "multiselect") for box in getattr(app, kind) for o in box.options]
    assert not [o for o in options if RLO in o]        # plain-text sinks: no reversed names either
    charts = _chart_texts(app)
    assert not [t for t in charts if RLO in t or "<b>Б" in t or "evil.example/in\">" in t]
    shown = "\n".join(COMMONMARK.render(s) for _, s, html in sources if not html)
    if page in SHOWN:
        assert f"**Ж{SHOWN[page]}**" in shown, page          # the name is there, as the characters it has
    assert any("evil.example" in s for _, s, _ in sources) or charts or page not in SHOWN
