"""Presentation mode (URL parameter and sidebar toggle) and the «Показ» slides under AppTest
(charts and the map are opaque to AppTest: their builders are tested elsewhere)."""
from ui.present import MARKER_CLASS
from tests.apptest_helpers import query_value, rerun, run_page

SHOW = "pages/show.py"


def presentation_css_shown(app) -> bool:
    return any(MARKER_CLASS in str(m.value) for m in app.markdown)


def toggle(app):
    return next(w for w in app.sidebar.toggle if w.key == "present_mode")


def test_url_parameter_hides_the_chrome_and_the_button_leaves(app_env):
    app = run_page("pages/overview.py", query={"present": "1"})
    assert app.session_state["present_mode"] is True
    assert presentation_css_shown(app)
    assert toggle(app).value is True
    app.main.button(key="present_leave").click()
    rerun(app)
    assert app.session_state["present_mode"] is False
    assert not presentation_css_shown(app)
    assert query_value(app, "present") is None


def test_sidebar_toggle_switches_presentation_on(app_env):
    app = run_page("pages/overview.py")
    assert not presentation_css_shown(app)
    assert all(b.key != "present_leave" for b in app.main.button)
    toggle(app).set_value(True)
    rerun(app)
    assert presentation_css_shown(app)
    assert query_value(app, "present") == "1"
    assert any(b.key == "present_leave" for b in app.main.button)


def test_slides_next_previous_and_the_url(app_env):
    app = run_page(SHOW, query={"present": "1"})
    assert app.title[0].value == "Главное"
    assert query_value(app, "slide") == "1"
    assert app.main.button(key="show_previous").disabled
    app.main.button(key="show_next").click()
    rerun(app)
    assert app.title[0].value == "Перечень ШНОР: кто вошёл и вышел"
    assert query_value(app, "slide") == "2"
    assert any("2 / 8" in str(m.value) for m in app.markdown)
    app.main.button(key="show_next").click()
    rerun(app)
    assert query_value(app, "slide") == "3"
    app.main.button(key="show_previous").click()
    rerun(app)
    assert query_value(app, "slide") == "2"
    assert presentation_css_shown(app)  # presentation mode survives navigation


def test_slide_from_the_url_and_the_last_slide(app_env):
    app = run_page(SHOW, query={"slide": "4"})
    assert app.title[0].value == "Рисковые профили"
    app = run_page(SHOW, query={"slide": "6"})
    assert app.title[0].value == "Школы, требующие внимания"
    assert any("открыть паспорт" in str(m.value) and "passport?school=" in str(m.value) for m in app.markdown)
    for slide in ("1", "2", "3", "5"):
        run_page(SHOW, query={"slide": slide})  # every slide renders without an exception
    assert run_page(SHOW, query={"slide": "7"}).title[0].value == "Вовлеченность"
    last = run_page(SHOW, query={"slide": "8"}, timeout=180)
    assert last.title[0].value == "Помогла ли поддержка"
    assert last.main.button(key="show_next").disabled


def test_unknown_slide_falls_back_to_the_first(app_env):
    app = run_page(SHOW, query={"slide": "99"})
    assert app.title[0].value == "Главное"
    assert any("99" in w.value for w in app.main.warning)
    assert query_value(app, "slide") == "1"


def test_every_slide_in_presentation_mode_renders_without_an_incident(app_env):
    # Presentation mode draws every chart through ui.present.fit (larger text, legend clear of the
    # title, magnified for a larger window): no slide may end in the incident message.
    for slide in range(1, 9):
        app = run_page(SHOW, query={"present": "1", "slide": str(slide)}, timeout=180)
        assert not app.exception, slide
        assert not [e.value for e in app.main.error], (slide, [e.value for e in app.main.error])
