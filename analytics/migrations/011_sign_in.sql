-- 011: sign-in throttling and its audit, kept in the database so that a reload, a new
-- browser session or a restarted server cannot start guessing afresh.

-- One row per account name tried and per client address: failures in a row and until
-- when further attempts are refused (back-off or lockout). A successful sign-in clears
-- its account's row.
CREATE TABLE sign_in_throttle (
    kind             VARCHAR   NOT NULL,   -- account | client
    key              VARCHAR   NOT NULL,   -- the account name tried (lower case) or the client address
    failures         INTEGER   NOT NULL,
    last_failure_at  TIMESTAMP NOT NULL,
    blocked_until    TIMESTAMP,            -- NULL: the next attempt may be checked at once
    PRIMARY KEY (kind, key)
);

-- Every sign-in attempt that failed or was refused, and every success.
CREATE SEQUENCE sign_in_audit_seq START 1;
CREATE TABLE sign_in_audit (
    audit_id     INTEGER PRIMARY KEY DEFAULT nextval('sign_in_audit_seq'),
    attempted_at TIMESTAMP NOT NULL,
    username   VARCHAR,                    -- as typed (cut to 80 characters)
    client     VARCHAR,
    outcome    VARCHAR   NOT NULL,         -- failed | throttled | signed_in
    detail     VARCHAR                     -- failed: wrong_password | unknown_user; throttled: until when
);
