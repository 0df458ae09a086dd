"""Store.query_frame (Arrow hand-over) gives exactly the frame of Store.query_df (DuckDB's .df())."""
import pandas as pd
import pytest

from analytics.store import Store

TYPED = """
SELECT * FROM (VALUES
    ('a', NULL::VARCHAR, 1::INTEGER, NULL::INTEGER, 7::SMALLINT, 2::BIGINT, 3::UINTEGER, 1.5::DOUBLE,
     2.5::FLOAT, TRUE, NULL::BOOLEAN, DATE '2026-11-22', TIMESTAMP '2026-11-22 10:30:01.5', 4::TINYINT),
    ('бв', NULL, NULL, NULL, 8, 9223372036854775807, NULL, NULL, NULL, FALSE, NULL, NULL, NULL, NULL),
    (NULL, NULL, 3, NULL, 9, -5, 4, -0.0, NULL, TRUE, TRUE, DATE '1999-01-01', NULL, -1)
) t(s, s_null, i, i_null, sm, big, u, d, f, b, b_null, dt, ts, ti)
"""


def assert_same(store: Store, sql: str, params=None) -> pd.DataFrame:
    old, new = store.query_df(sql, params), store.query_frame(sql, params)
    pd.testing.assert_frame_equal(new, old, check_dtype=True, check_exact=True)
    for column in old.columns:
        # None vs NaN vs pd.NA: the same missing marker as .df(), not just "equivalent"
        assert [type(v) for v in new[column]] == [type(v) for v in old[column]], column
    return new


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "q.duckdb")
    yield s
    s.close()


def test_every_supported_type_with_and_without_nulls(store):
    frame = assert_same(store, TYPED)
    assert str(frame["s"].dtype) == "str" and frame["s_null"].dtype == object
    assert str(frame["i"].dtype) == "Int32" and str(frame["sm"].dtype) == "int16"
    assert frame["big"].tolist()[1] == 9223372036854775807   # no round trip through float
    assert_same(store, TYPED + " WHERE s IS NOT NULL AND ti IS NOT NULL")   # no NULLs: numpy dtypes


def test_empty_and_parameterised(store):
    assert len(assert_same(store, TYPED + " WHERE i > $k", {"k": 100})) == 0
    assert len(assert_same(store, TYPED + " WHERE i >= ?", [1])) == 2


def test_many_rows_in_several_chunks(store):
    assert_same(store, "SELECT range AS k, 'x' || (range % 7) AS s, CASE WHEN range % 3 = 0 THEN NULL ELSE range END AS v,"
                       " range / 3 AS d FROM range(300000)")


@pytest.mark.parametrize("expr", ["1.25::DECIMAL(10, 2)", "sum(1)", "[1, 2]", "INTERVAL 1 DAY", "TIME '10:00'",
                                  "TIMESTAMPTZ '2026-01-01 10:00+03'", "{'a': 1}", "NULL", "'x'::BLOB"])
def test_other_types_fall_back_to_duckdb(store, expr):
    assert_same(store, f"SELECT {expr} AS v, 'a' AS s")


def test_duplicate_names_fall_back(store):
    assert list(assert_same(store, "SELECT 1 AS x, 2 AS x").columns) == ["x", "x_1"]
