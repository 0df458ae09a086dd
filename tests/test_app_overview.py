"""The shell and the overview page under AppTest."""
from tests.apptest_helpers import markdown_text, query_value, rerun, run_page, selectbox


def test_overview_renders_in_russian(app_env):
    app = run_page()
    assert app.title[0].value == "Обзор"
    labels = [m.label for m in app.metric]
    # Registry labels: each carries its year or date and, where two similar figures exist, its population.
    assert labels == ["Школы в перечне ШНОР 2026", "Исполнение дорожных карт на 22.11.2026 (по мероприятиям)",
                      "Школы перечня ШНОР 2026 с высоким риском", "Охват наставниками, перечень 2026"]
    assert "Демонстрационная область · Все муниципалитеты · 2026" in markdown_text(app)
    assert "синтетические данные" in markdown_text(app)
    assert query_value(app, "year") == "2026"


def test_municipality_filter_changes_content_and_url(app_env, demo_store):
    app = run_page()
    region_value = app.metric[0].value
    box = selectbox(app, "Муниципалитет")
    target = demo_store.scalar("SELECT name FROM municipalities WHERE municipality_id = '01-02'")
    assert target in box.options
    box.set_value("01-02")
    rerun(app)
    assert target in markdown_text(app)
    assert app.metric[0].value != region_value or len(app.dataframe[0].value) == 1
    assert query_value(app, "municipality") == "01-02"


def test_link_reproduces_the_view(app_env):
    app = run_page(query={"municipality": "01-03", "year": "2024"})
    box = selectbox(app, "Муниципалитет")
    assert box.value == "01-03"
    assert selectbox(app, "Год").value == 2024
    assert " · 2024" in markdown_text(app)


def test_unknown_url_values_fall_back_with_a_message(app_env):
    app = run_page(query={"municipality": "<script>alert(1)</script>", "year": "1999", "procedure": "XYZ"})
    warnings = " ".join(w.value for w in app.warning)
    assert "municipality" in warnings and "year" in warnings and "procedure" in warnings
    assert selectbox(app, "Муниципалитет").value == ""
    assert selectbox(app, "Год").value == 2026


def test_english_is_selectable(app_env):
    app = run_page(query={"lang": "en"})
    assert app.title[0].value == "Overview"
    assert app.metric[0].label == "Schools on the 2026 low-results list"


def test_sidebar_filters_survive_reruns(app_env):
    app = run_page()
    for _ in range(2):
        rerun(app)
        assert [s.label for s in app.sidebar.selectbox][:2] == ["Регион", "Муниципалитет"]



def test_attention_list_ranks_schools_with_reasons_and_passport_links(app_env, demo_store):
    from analytics import attention, risks
    from analytics.query import Query
    from tests.conftest import TODAY
    app = run_page()
    text = markdown_text(app)
    assert "Кто отстаёт от дорожной карты и почему" in [h.value for h in app.subheader]
    catalogue = risks.default_catalogue(demo_store)
    ranked = attention.rank_schools(demo_store, Query.of("01", year=2026), list_year=2026, as_of=TODAY,
                                    catalogue_id=catalogue, risk_year=2026)
    # The first five schools in rank order, each with its points and at least one reason in words.
    positions = [text.index(f"**{k}.** {name} ·") for k, name in enumerate(ranked["short_name"].head(5), start=1)]
    assert positions == sorted(positions)
    assert f"**6.** {ranked['short_name'].iloc[5]}" not in text
    assert "просрочено " in text and "по графику к 22.11.2026" in text and "без мероприяти" in text
    needing = int(ranked["needs_attention"].sum())
    assert f"«требует внимания» — {needing} из {len(ranked)}" in " ".join(c.value for c in app.caption)
    passports = [e.proto.query_string for e in app.get("page_link") if e.proto.page == "passport"]
    assert passports == [f"school={s}" for s in ranked["school_id"].head(5)]
    # Municipalities by the same rule, best ranked first.
    assert "Муниципалитеты по тому же правилу" in text
    # The full ranking is sent only when its expander is opened (ui.lazy), beside the municipality table.
    assert len(app.dataframe) == 1
    opened = run_page(session={"overview_all_open": True})
    assert len(opened.dataframe) == 2 and len(opened.dataframe[0].value) == len(ranked)
