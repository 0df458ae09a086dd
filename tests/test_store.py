import pytest

from analytics.store import Store, migration_files


def test_migrations_apply_from_empty(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    applied = store.migrate()
    assert applied == [v for v, _, _ in migration_files()]
    assert store.schema_version() == applied[-1]
    tables = {r[0] for r in store.query_rows("SELECT table_name FROM information_schema.tables")}
    for table in ("schools", "results", "school_lists", "risk_profiles", "mentor_pairs", "roadmaps",
                  "measures", "measure_schools", "measure_status", "measure_status_history", "checkpoints",
                  "kpi_targets", "teacher_development", "import_log", "municipalities", "regions"):
        assert table in tables


def test_migrations_rerun_is_a_no_op(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    store.migrate()
    store.close()
    reopened = Store(tmp_path / "s.duckdb")
    assert reopened.migrate() == []
    assert reopened.scalar("SELECT count(*) FROM schema_version") == len(migration_files())


def test_transaction_rolls_back_everything(empty_store):
    with pytest.raises(RuntimeError):
        with empty_store.transaction() as cur:
            cur.execute("INSERT INTO regions VALUES ('77', 'Тест', FALSE, NULL)")
            raise RuntimeError("boom")
    assert empty_store.scalar("SELECT count(*) FROM regions") == 0


def test_school_codes_keep_leading_zeros(empty_store):
    empty_store.cursor().execute(
        "INSERT INTO schools (school_id, municipality_id, name, short_name, school_type, is_rural)"
        " VALUES ('000123', 'm', 'Школа', 'Ш', 'sosh', TRUE)")
    assert empty_store.scalar("SELECT school_id FROM schools") == "000123"


def test_data_version_changes_when_bumped(empty_store):
    before = empty_store.data_version()
    empty_store.bump_data_version()
    assert empty_store.data_version() != before


def test_duplicate_migration_numbers_are_refused(tmp_path):
    (tmp_path / "001_a.sql").write_text("SELECT 1")
    (tmp_path / "001_b.sql").write_text("SELECT 1")
    with pytest.raises(RuntimeError):
        migration_files(tmp_path)


def test_a_late_lower_numbered_migration_is_still_applied(tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_a.sql").write_text("CREATE TABLE a (x INTEGER);")
    (migrations / "003_c.sql").write_text("CREATE TABLE c (x INTEGER);")
    store = Store(tmp_path / "s.duckdb")
    assert store.migrate(migrations) == [1, 3]
    (migrations / "002_b.sql").write_text("CREATE TABLE b (x INTEGER);")
    assert store.migrate(migrations) == [2]
    assert store.migrate(migrations) == []
