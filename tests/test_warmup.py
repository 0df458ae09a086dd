"""Background warm-up: after a data change, and at a server's first use of a database, the
computations pages asked for recently are computed before a page asks again."""
import json

import pytest

from tests.apptest_helpers import rerun, run_page
from tests.conftest import PROJECT_ROOT, TODAY
from tests.test_data_groups import _tables_read_by_rerun
from ui import cache, warmup


@pytest.fixture
def warm_env(writable_db_path, monkeypatch):
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    monkeypatch.setenv("SHNOR_WARMUP", "1")
    monkeypatch.chdir(PROJECT_ROOT)
    cache.forget_everything()
    warmup.forget()
    yield writable_db_path
    warmup.wait(str(cache.store().path), 120)
    cache.forget_everything()
    warmup.forget()


def test_after_a_data_change_the_pages_computations_are_warm(warm_env):
    app = run_page("pages/results.py")
    store = cache.store()
    path = str(store.path)
    warmup.wait(path, 120)                                 # (the first run started one: nothing to do)
    with store.transaction() as cur:
        store.bump_data_version(cur, tables=["results"])   # an import of results
    warmup.versions_seen(path, store.data_versions())      # what the next page run does first
    warmup.wait(path, 120)
    assert "results" not in _tables_read_by_rerun(app, store)


def test_a_new_process_warms_from_the_calls_kept_beside_the_database(warm_env):
    app = rerun(run_page("pages/results.py"))             # the second run keeps the first one's calls
    store = cache.store()
    path = str(store.path)
    warmup.wait(path, 120)
    assert len(json.loads(warmup.calls_file(path).read_text(encoding="utf-8"))) > 5
    cache.forget_everything()                               # a new server process: nothing cached,
    warmup.forget()                                        # nothing noted
    warmup.versions_seen(path, store.data_versions())
    warmup.wait(path, 120)
    assert "results" not in _tables_read_by_rerun(app, store)


def test_off_means_off(warm_env, monkeypatch):
    monkeypatch.setenv("SHNOR_WARMUP", "0")
    warmup.versions_seen("/nowhere.duckdb", {"*": "1"})
    assert "/nowhere.duckdb" not in warmup._threads


def test_typed_queries_come_back_from_the_calls_file_as_they_went_in():
    import datetime as dt

    from analytics.query import Pooling, Query, Territory
    call = (Query.of("01", "01-02", year=2026, procedure="VPR", grade=5), dt.date(2026, 11, 22),
            (("pooling", Pooling(grades=True, years=2)), ("where", Territory("01"))))
    assert warmup._plain(call)
    assert warmup._decode(json.loads(json.dumps(warmup._encode(call)))) == call



def test_the_calls_file_is_replaced_whole(tmp_path, monkeypatch):
    """Served-mode processes share the file: it is written beside and renamed into place, so a
    write that breaks off (a full disk) leaves the old list, and no scratch file stays."""
    from pathlib import Path
    db = str(tmp_path / "x.duckdb")
    old = [("analytics.catalog.schools", ("01", None), ())]
    warmup._save(db, old)

    def breaks_off(path, text, encoding=None):
        with open(path, "w", encoding=encoding) as handle:
            handle.write(text[: len(text) // 2])
        raise OSError("No space left on device")

    monkeypatch.setattr(Path, "write_text", breaks_off)
    warmup._save(db, [("analytics.catalog.schools", ("02", None), ())])
    assert warmup._load(db) == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [warmup.calls_file(db).name]
