import datetime as dt

from analytics.config import PROJECT_ROOT, load_settings


def test_environment_overrides_file(tmp_path):
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('db_path = "data/x.duckdb"\ntoday = "2025-01-31"\nmin_n = 7\n', encoding="utf-8")
    from_file = load_settings(settings_file, environ={})
    assert from_file.db_path == PROJECT_ROOT / "data" / "x.duckdb"
    assert from_file.today == dt.date(2025, 1, 31)
    assert from_file.min_n == 7
    overridden = load_settings(settings_file, environ={"SHNOR_DB": str(tmp_path / "y.duckdb"),
                                                       "SHNOR_TODAY": "2026-11-22"})
    assert overridden.db_path == tmp_path / "y.duckdb"
    assert overridden.today == dt.date(2026, 11, 22)


def test_today_defaults_to_the_real_date(tmp_path):
    assert load_settings(tmp_path / "missing.toml", environ={}).today == dt.date.today()
