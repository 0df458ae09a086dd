"""Results shared by several computations (analytics/shared_results.py): built once per data
version while the caller vouches for the versions, afresh otherwise."""
import pandas as pd

from analytics import identification, shared_results
from tests.apptest_helpers import assert_no_exception, new_app


def _builder(counter: list):
    def build():
        counter.append(1)
        return pd.DataFrame({"x": [len(counter)]})
    return build


def test_without_known_versions_every_call_builds(demo_store):
    built: list = []
    shared_results.forget()
    for _ in range(3):
        shared_results.shared(demo_store, ["results"], ("k",), _builder(built))
    assert len(built) == 3


def test_known_versions_build_once_and_a_write_to_what_it_reads_builds_again(demo_store):
    built: list = []
    shared_results.forget()
    versions = demo_store.data_versions()
    with shared_results.versions_known(versions):
        first = shared_results.shared(demo_store, ["results"], ("k",), _builder(built))
        first.loc[0, "x"] = 99                               # a caller changing its copy ...
        again = shared_results.shared(demo_store, ["results"], ("k",), _builder(built))
    assert len(built) == 1 and again.loc[0, "x"] == 1        # ... changes nothing shared
    other_group = {**versions, "roadmaps": "later", "*": "later"}
    with shared_results.versions_known(other_group):         # a write elsewhere: still shared
        shared_results.shared(demo_store, ["results"], ("k",), _builder(built))
    assert len(built) == 1
    results_written = {**versions, demo_store.groups_of(["results"]).__iter__().__next__(): "later"}
    with shared_results.versions_known(results_written):
        shared_results.shared(demo_store, ["results"], ("k",), _builder(built))
        shared_results.shared(demo_store, ["results"], ("other key",), _builder(built))
    assert len(built) == 3


def test_the_schools_page_computes_the_lists_once(app_env, monkeypatch):
    """The school table, the comparison with the official lists and the what-if all start
    from the lists of the same year; after a data change the page computed them four times."""
    calls: list = []
    real = identification._identify

    def counted(store, region_id, year, params):
        calls.append((region_id, year, shared_results.key_of(params)))
        return real(store, region_id, year, params)

    monkeypatch.setattr(identification, "_identify", counted)
    shared_results.forget()
    app = new_app(None, timeout=120)
    app.run()
    app.switch_page("pages/schools.py")
    app.run()
    assert_no_exception(app)
    assert calls and len(calls) == len(set(calls)), calls
