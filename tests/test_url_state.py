"""ui.url_state: a page's view choices live in the URL — seeded from it, written back, short
links for defaults, a bad value reported and replaced, a link opened later wins over the session."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page():
    import streamlit as st

    from ui import url_state

    mode = url_state.choice(st.selectbox, "Вид", key="demo_mode", url="mode",
                            options=("schools", "regions", "pairs"), default="schools")
    year = url_state.choice(st.radio, "Год", key="demo_year", url="year", options=(2025, 2026), default=2026)
    pooled = url_state.flag(st.toggle, "Два года", key="demo_pool", url="pool")
    st.write(f"{mode}|{year}|{pooled}")


def _run(params: dict | None = None) -> AppTest:
    app = AppTest.from_function(_page, default_timeout=30)
    for name, value in (params or {}).items():
        app.query_params[name] = value
    return app.run()


def _shown(app: AppTest) -> str:
    return app.markdown[-1].value


def _url(app: AppTest, name: str):
    value = app.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_defaults_leave_the_url_empty():
    app = _run()
    assert _shown(app) == "schools|2026|False"
    assert not app.warning
    assert all(_url(app, name) is None for name in ("mode", "year", "pool"))


def test_the_url_seeds_the_widgets_with_typed_options():
    app = _run({"mode": "pairs", "year": "2025", "pool": "1"})
    assert _shown(app) == "pairs|2025|True"
    assert app.selectbox(key="demo_mode").value == "pairs"
    assert app.radio(key="demo_year").value == 2025        # the option itself, not the text «2025»


def test_a_choice_goes_to_the_url_and_back_to_default_leaves_it():
    app = _run()
    app.selectbox(key="demo_mode").select("regions").run()
    assert _url(app, "mode") == "regions"
    app.toggle(key="demo_pool").set_value(True).run()
    assert _url(app, "pool") == "1"
    app.selectbox(key="demo_mode").select("schools").run()
    assert _url(app, "mode") is None and _shown(app) == "schools|2026|True"


def test_a_value_not_on_offer_is_reported_and_replaced():
    app = _run({"mode": "<b>planets</b>"})
    assert _shown(app) == "schools|2026|False"
    assert len(app.warning) == 1 and "planets" in app.warning[0].value and "mode" in app.warning[0].value
    assert _url(app, "mode") is None


def test_a_link_opened_later_wins_and_a_bare_url_keeps_the_session_choice():
    app = _run()
    app.selectbox(key="demo_mode").select("regions").run()
    app.query_params["mode"] = "pairs"                      # a link to this page with another view
    app.run()
    assert _shown(app).startswith("pairs|")
    del app.query_params["mode"]                            # the page reached through the menu
    app.run()
    assert _shown(app).startswith("pairs|") and _url(app, "mode") == "pairs"
