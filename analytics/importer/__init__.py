"""Importing real data files safely: read (CSV/XLSX, any usual encoding and layout), map
columns by synonyms (spec.toml), validate everything, then store all or nothing.

    prepared = prepare(store, "results", "vpr_2026.csv", data, {"year": 2026})
    if prepared.ok:
        commit(store, prepared, user="Иванова")
    else:
        log_rejected(store, prepared, user="Иванова")
"""
from analytics.importer.core import Prepared, aggregate_students, prepare, prepare_file
from analytics.importer.issues import REPORT_LIMIT, FileProblem, Issues
from analytics.importer.loading import Outcome, commit, log_rejected, recent_imports
from analytics.importer.spec import KINDS, kind

__all__ = ["KINDS", "REPORT_LIMIT", "FileProblem", "Issues", "Outcome", "Prepared", "aggregate_students",
           "commit", "kind", "log_rejected", "prepare", "prepare_file", "recent_imports"]
