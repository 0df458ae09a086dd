"""A fresh clone has no database: the app must build the demo region on first start."""
from tests.apptest_helpers import all_text, run_page
from tests.conftest import TODAY


def test_app_builds_the_demo_database_when_missing(monkeypatch, tmp_path):
    target = tmp_path / "fresh" / "shnor.duckdb"
    monkeypatch.setenv("SHNOR_DB", str(target))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    assert not target.exists()
    app = run_page(timeout=120)
    assert target.exists()
    assert "Школы в перечне ШНОР" in all_text(app)
    assert "Демонстрационная область" in all_text(app)
