"""Store a prepared file: exactly the changes of its units (revisions.apply) in one transaction; log every attempt."""
from __future__ import annotations

import datetime as dt
import os
import sys

from analytics import access
from analytics.importer.core import prepare_again
from analytics.importer.import_log import LOG_RETURNING, Outcome, log_rejected, write_log
from analytics.importer.revisions import apply
from analytics.store import Store


def commit(store: Store, prepared, user: str | None, principal: access.Principal | None = None,
           territory=None) -> Outcome:
    """All or nothing: the file's rows are stored unit by unit (revisions.apply: rows of units the file does
    not contain stay byte-identical; with ``territory`` the territory's rows of the file's scope that the
    file lacks are removed), the revision saved for undo, the data version bumped and the import logged,
    in one transaction. A file with problems is only logged as rejected.
    Only an administrator (or the command line) may import (AccessDenied otherwise)."""
    access.require(principal, "import_data", what=prepared.kind)

    started = dt.datetime.now()
    if store.data_version() != prepared.data_version:
        prepared = prepare_again(store, prepared)      # the data changed since the preview: check again
    if not prepared.ok:
        return log_rejected(store, prepared, user, started)
    try:
        with store.transaction() as cur:
            import_id = cur.execute(LOG_RETURNING, [started, None, user, prepared.file_name, prepared.kind,
                                                    prepared.source_rows, "success", ""]).fetchall()[0][0]
            counts = apply(cur, prepared, territory, import_id, user, started)
            stored = counts["new"] + counts["changed"] + counts["unchanged"]
            replaced = counts["changed"] + counts["unchanged"] + counts["removed"]
            message = (f"новых {counts['new']}, изменено {counts['changed']}, без изменений {counts['unchanged']}, "
                       f"удалено {counts['removed']}" + (f"; файл полный для {territory.text}" if territory else ""))
            cur.execute("UPDATE import_log SET finished_at = $at, message = $message WHERE import_id = $id",
                        {"at": dt.datetime.now(), "message": message, "id": import_id})
            store.bump_data_version(cur, tables=[prepared.spec.table, "import_log", "import_revisions",
                                                 "import_revision_rows"])
            _crash_test_hook()
    except Exception as error:  # a database failure: nothing was stored (rolled back); say so
        message = f"{type(error).__name__}: {error}"[:500]
        write_log(store, started, user, prepared, "failed", message)
        return Outcome("failed", prepared.source_rows, 0, 0, message)
    return Outcome("success", prepared.source_rows, stored, replaced, message, import_id, counts)


def _crash_test_hook() -> None:
    """With SHNOR_IMPORT_HOLD=1 (tests only): say so on stderr and block just before COMMIT, so a
    test can kill the process inside the transaction and check nothing was stored."""
    if os.environ.get("SHNOR_IMPORT_HOLD") == "1":
        print("SHNOR_IMPORT_INSIDE_TRANSACTION", file=sys.stderr, flush=True)
        sys.stdin.readline()       # the test never answers: it kills the process
