-- 004: road distances imported per pair, and the log of manual changes to mentor pairs.

-- Road distance between two schools as reported (e.g. a district's list of pairs).
-- Symmetric in use: a lookup tries both orders.
CREATE TABLE road_distances (
    mentor_school_id VARCHAR NOT NULL,
    mentee_school_id VARCHAR NOT NULL,
    road_km          DOUBLE  NOT NULL,
    source           VARCHAR,
    imported_by      VARCHAR,
    imported_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (mentor_school_id, mentee_school_id)
);

-- Who changed which pair and when (a manual override replaces the mentee's pair of the year).
CREATE SEQUENCE mentor_change_seq START 1;
CREATE TABLE mentor_pair_changes (
    change_id            INTEGER PRIMARY KEY DEFAULT nextval('mentor_change_seq'),
    year                 SMALLINT NOT NULL,
    mentee_school_id     VARCHAR  NOT NULL,
    old_mentor_school_id VARCHAR,            -- NULL: the mentee had no pair
    new_mentor_school_id VARCHAR,            -- NULL: the pair was removed
    road_km              DOUBLE,
    reason               VARCHAR,
    changed_by           VARCHAR  NOT NULL,
    changed_at           TIMESTAMP NOT NULL
);
