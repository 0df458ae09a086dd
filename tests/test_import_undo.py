"""Undo (issue #17): an import is a revision; undo restores exactly the rows it changed, and is refused —
changing nothing — when a later import changed the same rows or the rows were changed another way.
The command line previews (--dry-run), asks before storing (or --yes) and undoes by import number."""
from __future__ import annotations

import io

import pytest

from analytics.importer import commit, prepare
from analytics.importer.__main__ import main as cli_main
from analytics.importer.changes import UndoRefused, undo, undoable
from tests.fixtures import migrated_copy
from tests.import_files import csv_bytes
from tests.test_import_scope import results_file, table_checksums
from presentation.import_preview import refusal_text


@pytest.fixture
def fresh(demo_db_path, tmp_path):
    yield from migrated_copy(demo_db_path, tmp_path / "undo.duckdb")


def _import(store, rows, name="mo.csv"):
    header = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "«2»", "«3»", "«4»", "«5»"]
    outcome = commit(store, prepare(store, "results", name, csv_bytes([header, *rows])), "тест")
    assert outcome.outcome == "success", outcome.message
    return outcome


def test_undo_after_an_overlapping_later_import_is_refused_naming_it(fresh):
    _, rows, _ = results_file(fresh)
    original = table_checksums(fresh)
    first = _import(fresh, rows, "первый.csv")
    after_first = table_checksums(fresh)
    later_rows = [list(rows[0])]
    later_rows[0][5] += 1
    later_rows[0][9] += 1                            # one more «5»: the same key as the first file's row
    later = _import(fresh, later_rows, "второй.csv")
    after_later = table_checksums(fresh)
    with pytest.raises(UndoRefused) as refused:
        undo(fresh, first.import_id, "тест")
    assert refused.value.code == "later_import" and refused.value.params["other"] == later.import_id
    message = refusal_text(refused.value, "ru")
    assert f"№ {later.import_id}" in message and "второй.csv" in message
    assert table_checksums(fresh) == after_later                   # refused: nothing changed
    undo(fresh, later.import_id, "тест")
    assert table_checksums(fresh) == after_first
    undo(fresh, first.import_id, "тест")
    assert table_checksums(fresh) == original
    assert undoable(fresh).empty
    with pytest.raises(UndoRefused) as again:
        undo(fresh, first.import_id, "тест")
    assert again.value.code == "already"
    outcomes = fresh.query_rows("SELECT outcome FROM import_log ORDER BY import_id")
    assert outcomes == [("success",), ("success",), ("undone",), ("undone",)]


def test_a_later_import_of_other_rows_does_not_block_undo(fresh):
    _, rows, _ = results_file(fresh)
    original = table_checksums(fresh)
    first = _import(fresh, rows)
    other = fresh.query_rows("SELECT school_id, participants, n2, n3, n4, n5 FROM results WHERE year = 2026 "
                             "AND procedure = 'VPR' AND subject_id = 'rus' AND grade = 6 AND school_id = $1",
                             [rows[0][0]])[0]
    second = _import(fresh, [[other[0], 2026, "ВПР", "Русский язык", 6, other[1] + 1, other[2] + 1, *other[3:]]])
    undo(fresh, first.import_id, "тест")
    undo(fresh, second.import_id, "тест")
    assert table_checksums(fresh) == original


def test_undo_is_refused_when_the_rows_were_changed_since_by_other_means(fresh):
    _, rows, _ = results_file(fresh)
    first = _import(fresh, rows)
    changed = fresh.scalar("SELECT json_extract_string(key_json, '$.school_id') FROM import_revision_rows "
                           "WHERE import_id = $1 AND status = 'changed'", [first.import_id])
    with fresh.transaction() as cur:
        cur.execute("UPDATE results SET n2 = n2 - 1, n3 = n3 + 1 WHERE school_id = $1 AND year = 2026 "
                    "AND procedure = 'VPR' AND subject_id = 'math' AND grade = 5", [changed])
    before = table_checksums(fresh)
    with pytest.raises(UndoRefused) as refused:
        undo(fresh, first.import_id, "тест")
    assert refused.value.code == "changed_since"
    assert "на странице) — 1\u00a0строка." in refusal_text(refused.value, "ru")
    assert table_checksums(fresh) == before


def test_command_line_dry_run_confirmation_and_undo(fresh, tmp_path, capsys, monkeypatch):
    header, rows, _ = results_file(fresh)
    path = tmp_path / "mo.csv"
    path.write_bytes(csv_bytes([header, *rows], encoding="cp1251"))
    original = table_checksums(fresh)
    base = ["results", str(path), "--db", str(fresh.path), "--user", "cli"]
    assert cli_main(base + ["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Новых строк — 0, изменится — 1" in out and "--dry-run: ничего не записано." in out
    assert "доля «2»" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("нет\n"))
    assert cli_main(base) == 1
    assert "Ничего не записано." in capsys.readouterr().out
    assert table_checksums(fresh) == original
    monkeypatch.setattr("sys.stdin", io.StringIO("да\n"))
    assert cli_main(base) == 0
    out = capsys.readouterr().out
    assert "загружено (№ 1)" in out and "undo 1" in out
    assert table_checksums(fresh) != original
    assert cli_main(["undo", "1", "--db", str(fresh.path), "--yes"]) == 0
    assert "Загрузка № 1 отменена" in capsys.readouterr().out
    assert table_checksums(fresh) == original
    assert cli_main(["undo", "1", "--db", str(fresh.path), "--yes"]) == 1
    assert "уже отменена" in capsys.readouterr().err


def test_a_later_file_repeating_the_same_values_also_blocks_undo(fresh):
    """The later file covers the rows (unchanged): undoing the earlier import would contradict it."""
    _, rows, _ = results_file(fresh)
    first = _import(fresh, rows)
    repeat = _import(fresh, rows, "повтор.csv")
    assert repeat.counts["unchanged"] == len(rows) and repeat.counts["changed"] == 0
    with pytest.raises(UndoRefused) as refused:
        undo(fresh, first.import_id, "тест")
    assert refused.value.params["other"] == repeat.import_id
    undo(fresh, repeat.import_id, "тест")          # changes nothing, and unblocks the first
    undo(fresh, first.import_id, "тест")
