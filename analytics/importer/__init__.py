"""Importing real data files safely: read (CSV/XLSX, any usual encoding and layout), map
columns by synonyms (spec.toml), validate everything, then store all or nothing.

    prepared = prepare(store, "results", "vpr_2026.csv", data, {"year": 2026})
    if prepared.ok:
        commit(store, prepared, user="Иванова")
    else:
        log_rejected(store, prepared, user="Иванова")

One module per concern (tests/test_importer_structure.py keeps them free of cycles and small):
  reading     bounds (limits checked first), encodings, reading — bytes → a grid of text cells
  mapping     spec (+ spec.toml), header — the file's columns by their synonyms
  values      lookups (codes in the database), parsing — texts → typed values
  rules       validation (rules every kind shares), kind_rules (each kind's own)
  grain       tables (stored columns), aggregation (student rows → results, shares → counts)
  preparing   core (the pandas path, ``prepare``), streaming + stream_* (large student CSV in DuckDB)
  storing     diff (the SQL of a file against the table), changes (the preview), revisions (store,
              undo), loading (``commit``), import_log
  issues (problems as codes; the UI catalogue words them), templates (blank XLSX forms), __main__ (CLI)
"""
from analytics.importer.aggregation import aggregate_students
from analytics.importer.core import Prepared, prepare, prepare_file
from analytics.importer.import_log import Outcome, log_rejected, recent_imports
from analytics.importer.issues import REPORT_LIMIT, FileProblem, Issues
from analytics.importer.loading import commit
from analytics.importer.spec import KINDS, kind

__all__ = ["KINDS", "REPORT_LIMIT", "FileProblem", "Issues", "Outcome", "Prepared", "aggregate_students",
           "commit", "kind", "log_rejected", "prepare", "prepare_file", "recent_imports"]
