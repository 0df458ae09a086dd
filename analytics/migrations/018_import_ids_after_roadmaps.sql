-- Roadmap saves used to give their import-log line max(import_id) + 1 instead of the next value
-- of import_seq, so the sequence could hand out an id already taken. Move the sequence past every
-- id in the log (nextval once per existing id: the sequence can only grow; gaps are harmless).
SELECT max(nextval('import_seq')) FROM range((SELECT coalesce(max(import_id), 0) FROM import_log));
