-- 010: every successful import is a revision that can be undone. A revision keeps, for each row
-- it added, changed or removed, the row's key, its full stored row before (NULL for a new row)
-- and the imported values after (NULL for a removed row), as JSON text in the table's own column
-- names (rows the import left unchanged: their key only). Undo restores the "before" rows; it is
-- refused when a later import covered the same keys or the rows no longer hold the imported values.
CREATE TABLE import_revisions (
    import_id       INTEGER PRIMARY KEY,    -- import_log.import_id of the import
    kind            VARCHAR NOT NULL,
    table_name      VARCHAR NOT NULL,
    complete_for    VARCHAR,                -- "region:01", "municipality:01-03,01-04" or NULL
    rows_new        INTEGER NOT NULL,
    rows_changed    INTEGER NOT NULL,
    rows_unchanged  INTEGER NOT NULL,
    rows_removed    INTEGER NOT NULL,
    undone_at       TIMESTAMP,
    undone_by       VARCHAR,
    undo_log_id     INTEGER                 -- import_log row of the undo
);

CREATE TABLE import_revision_rows (
    import_id    INTEGER NOT NULL,
    status       VARCHAR NOT NULL,          -- new | changed | unchanged | removed
    unit_school  VARCHAR,                   -- the school (or territory) the row belongs to
    key_json     VARCHAR NOT NULL,
    before_json  VARCHAR,
    after_json   VARCHAR
);
