-- 001: the core schema. Codes (procedure, subject, category, status, level) are stable
-- identifiers; their Russian and English names live in the UI catalogue or in the
-- lookup tables below, never in the data rows.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- Geography: region -> municipality -> school ---------------------------------------
CREATE TABLE regions (
    region_id        VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    is_synthetic     BOOLEAN NOT NULL DEFAULT FALSE,
    boundary_geojson VARCHAR            -- GeoJSON geometry of the outline
);

CREATE TABLE municipalities (
    municipality_id  VARCHAR PRIMARY KEY,
    region_id        VARCHAR NOT NULL,
    name             VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,  -- district | city
    center_lat       DOUBLE,
    center_lon       DOUBLE,
    boundary_geojson VARCHAR
);

CREATE TABLE schools (
    school_id       VARCHAR PRIMARY KEY,   -- text: real codes keep leading zeros
    municipality_id VARCHAR NOT NULL,
    name            VARCHAR NOT NULL,
    short_name      VARCHAR NOT NULL,
    school_type     VARCHAR NOT NULL,      -- sosh | oosh | nosh | gymnasium | lyceum | edu_center
    is_rural        BOOLEAN NOT NULL,
    students        INTEGER,
    teachers        INTEGER,
    lat             DOUBLE,
    lon             DOUBLE,
    social_index    DOUBLE                 -- 0 (favourable) .. 1 (most difficult context)
);

-- Assessment results as school aggregates ---------------------------------------------
CREATE TABLE subjects (
    subject_id     VARCHAR PRIMARY KEY,
    name_ru        VARCHAR NOT NULL,
    name_en        VARCHAR NOT NULL,
    ege_min_score  SMALLINT,               -- minimum ЕГЭ score for the certificate
    position       SMALLINT NOT NULL
);

CREATE TABLE results (
    school_id      VARCHAR  NOT NULL,
    year           SMALLINT NOT NULL,
    procedure      VARCHAR  NOT NULL,      -- VPR | OGE | EGE
    subject_id     VARCHAR  NOT NULL,
    grade          SMALLINT NOT NULL,
    participants   INTEGER  NOT NULL,
    n2             INTEGER,                -- counts of marks (ВПР, ОГЭ); NULL for ЕГЭ
    n3             INTEGER,
    n4             INTEGER,
    n5             INTEGER,
    mean_score     DOUBLE,                 -- ЕГЭ test score (0-100)
    score_sd       DOUBLE,                 -- its standard deviation within the school
    n_below_min    INTEGER,                -- ЕГЭ: participants below the minimum score
    n_high         INTEGER,                -- ЕГЭ: participants with 81-100
    n_lower        INTEGER,                -- ВПР mark lower than the journal mark (понизили)
    n_confirmed    INTEGER,                -- equal (подтвердили)
    n_higher       INTEGER,                -- higher (повысили)
    PRIMARY KEY (school_id, year, procedure, subject_id, grade)
);

-- Official lists of schools per year and category ---------------------------------------
CREATE TABLE school_lists (
    year       SMALLINT NOT NULL,
    category   VARCHAR  NOT NULL,          -- low_results | social_risk | risk_zone | resilient | biased | mentor
    school_id  VARCHAR  NOT NULL,
    source     VARCHAR  NOT NULL DEFAULT 'official',
    PRIMARY KEY (year, category, school_id)
);

-- Risk profiles -------------------------------------------------------------------------
CREATE TABLE risk_catalogues (
    catalogue_id VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    is_default   BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE risk_factors (
    catalogue_id VARCHAR  NOT NULL,
    factor_id    VARCHAR  NOT NULL,
    position     SMALLINT NOT NULL,
    group_name   VARCHAR,
    name_ru      VARCHAR NOT NULL,
    name_en      VARCHAR NOT NULL,
    PRIMARY KEY (catalogue_id, factor_id)
);

CREATE TABLE risk_levels (
    level  VARCHAR PRIMARY KEY,            -- high | medium | low
    score  SMALLINT NOT NULL
);

CREATE TABLE risk_profiles (
    school_id    VARCHAR  NOT NULL,
    year         SMALLINT NOT NULL,
    catalogue_id VARCHAR  NOT NULL,
    factor_id    VARCHAR  NOT NULL,
    level        VARCHAR  NOT NULL,
    PRIMARY KEY (school_id, year, catalogue_id, factor_id)
);

-- Mentor pairs --------------------------------------------------------------------------
CREATE SEQUENCE mentor_pair_seq START 1;
CREATE TABLE mentor_pairs (
    pair_id           INTEGER PRIMARY KEY DEFAULT nextval('mentor_pair_seq'),
    year              SMALLINT NOT NULL,
    mentor_school_id  VARCHAR  NOT NULL,
    mentee_school_id  VARCHAR  NOT NULL,
    straight_km       DOUBLE,
    road_km           DOUBLE,              -- NULL when no road distance is known
    agreement_date    DATE,
    source            VARCHAR NOT NULL DEFAULT 'official',
    created_by        VARCHAR,
    created_at        TIMESTAMP
);

-- Roadmaps and their execution -----------------------------------------------------------
CREATE SEQUENCE roadmap_seq START 1;
CREATE TABLE roadmaps (
    roadmap_id      INTEGER PRIMARY KEY DEFAULT nextval('roadmap_seq'),
    level           VARCHAR NOT NULL,      -- region | municipality | school
    region_id       VARCHAR NOT NULL,
    municipality_id VARCHAR,
    school_id       VARCHAR,
    title           VARCHAR NOT NULL,
    period_start    DATE NOT NULL,
    period_end      DATE NOT NULL,
    source          VARCHAR NOT NULL DEFAULT 'demo'
);

CREATE SEQUENCE measure_seq START 1;
CREATE TABLE measures (
    measure_id     INTEGER PRIMARY KEY DEFAULT nextval('measure_seq'),
    roadmap_id     INTEGER NOT NULL,
    number         VARCHAR NOT NULL,
    section        VARCHAR,
    title          VARCHAR NOT NULL,
    executors      VARCHAR[],
    deadline_text  VARCHAR,
    schedule_kind  VARCHAR NOT NULL,       -- dates | period | recurring | continuous | unspecified
    start_date     DATE,
    due_dates      DATE[],
    recurrence     VARCHAR,                -- weekly | biweekly | monthly | quarterly | yearly
    indicator      VARCHAR,
    risk_factors   VARCHAR[],              -- factor_id of the default catalogue
    subjects       VARCHAR[]
);

CREATE TABLE measure_schools (
    measure_id INTEGER NOT NULL,
    school_id  VARCHAR NOT NULL,
    PRIMARY KEY (measure_id, school_id)
);

-- One execution unit = measure x covered school (or none) x due date (or none).
-- Stored status is what people report; "late" and "overdue" are derived from dates.
CREATE SEQUENCE status_seq START 1;
CREATE TABLE measure_status (
    unit_id       INTEGER PRIMARY KEY DEFAULT nextval('status_seq'),
    measure_id    INTEGER NOT NULL,
    school_id     VARCHAR,
    due_date      DATE,
    status        VARCHAR NOT NULL,        -- not_started | in_progress | done | not_applicable
    completed_on  DATE,
    comment       VARCHAR,
    evidence_url  VARCHAR,
    version       INTEGER NOT NULL DEFAULT 1,
    updated_by    VARCHAR,
    updated_at    TIMESTAMP
);

CREATE TABLE measure_status_history (
    unit_id       INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    status        VARCHAR NOT NULL,
    completed_on  DATE,
    comment       VARCHAR,
    evidence_url  VARCHAR,
    changed_by    VARCHAR,
    changed_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (unit_id, version)
);

CREATE TABLE checkpoints (
    roadmap_id      INTEGER,               -- NULL: applies to every roadmap
    checkpoint_date DATE NOT NULL,
    target_share    DOUBLE NOT NULL,       -- 0..1 of the year's plan executed
    label           VARCHAR
);

-- Targets (KPI) -------------------------------------------------------------------------
CREATE TABLE kpi_targets (
    target_id    VARCHAR NOT NULL,         -- list_reduction, positive_changes, ...
    scope_level  VARCHAR NOT NULL,         -- region | municipality
    scope_id     VARCHAR NOT NULL,
    year         SMALLINT NOT NULL,
    target_low   DOUBLE NOT NULL,          -- shares as 0..1, counts as numbers
    target_high  DOUBLE,                   -- upper end when the target is a range (25-30 %)
    direction    VARCHAR NOT NULL DEFAULT 'at_least',   -- at_least | at_most
    PRIMARY KEY (target_id, scope_level, scope_id, year)
);

-- Actual values reported by hand for targets that no other table can compute
-- (e.g. the share of experienced principals acting as curators).
CREATE TABLE kpi_reported (
    target_id    VARCHAR NOT NULL,
    scope_level  VARCHAR NOT NULL,
    scope_id     VARCHAR NOT NULL,
    year         SMALLINT NOT NULL,
    value        DOUBLE NOT NULL,
    PRIMARY KEY (target_id, scope_level, scope_id, year)
);

CREATE TABLE survey_participation (
    school_id  VARCHAR  NOT NULL,
    year       SMALLINT NOT NULL,
    invited    INTEGER  NOT NULL,
    responded  INTEGER  NOT NULL,
    PRIMARY KEY (school_id, year)
);

-- Teachers: aggregated numbers only, nobody is named ------------------------------------------
CREATE TABLE teacher_development (
    school_id                  VARCHAR  NOT NULL,
    year                       SMALLINT NOT NULL,
    round                      SMALLINT NOT NULL,   -- diagnostic round within the year (1, 2)
    subject_id                 VARCHAR  NOT NULL,
    teachers_total             INTEGER  NOT NULL,
    teachers_diagnosed         INTEGER  NOT NULL,
    diagnostic_mean            DOUBLE,              -- mean diagnostic score, 0-100
    teachers_level_rose        INTEGER,             -- of the diagnosed, level higher than last round
    teachers_with_route        INTEGER  NOT NULL,   -- individual development route (ИОМ)
    teachers_trained           INTEGER  NOT NULL,   -- completed courses this year
    teachers_in_consultations  INTEGER  NOT NULL,
    teachers_in_mentoring      INTEGER  NOT NULL,
    PRIMARY KEY (school_id, year, round, subject_id)
);

CREATE TABLE deficit_topics (
    subject_id VARCHAR NOT NULL,
    topic_id   VARCHAR NOT NULL,
    name_ru    VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    PRIMARY KEY (subject_id, topic_id)
);

CREATE TABLE teacher_deficits (
    school_id              VARCHAR  NOT NULL,
    year                   SMALLINT NOT NULL,
    round                  SMALLINT NOT NULL,
    subject_id             VARCHAR  NOT NULL,
    topic_id               VARCHAR  NOT NULL,
    teachers_with_deficit  INTEGER  NOT NULL,
    PRIMARY KEY (school_id, year, round, subject_id, topic_id)
);

-- Import log ------------------------------------------------------------------------------
CREATE SEQUENCE import_seq START 1;
CREATE TABLE import_log (
    import_id    INTEGER PRIMARY KEY DEFAULT nextval('import_seq'),
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    user_name    VARCHAR,
    file_name    VARCHAR,
    kind         VARCHAR NOT NULL,
    rows         INTEGER,
    outcome      VARCHAR NOT NULL,          -- success | rejected | failed
    message      VARCHAR
);
