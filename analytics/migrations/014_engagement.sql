-- 014: expert-review points of the engagement monitoring (criteria scored by people, not by the
-- database); one row per year × round × assessed unit × criterion. The unit is a municipality or a
-- school, as the criterion's level says (analytics/reference/engagement_criteria.csv).
CREATE TABLE engagement_reviews (
    year          SMALLINT NOT NULL,
    round         SMALLINT NOT NULL,
    unit_level    VARCHAR  NOT NULL,       -- municipality | school
    unit_id       VARCHAR  NOT NULL,       -- municipality_id or school_id
    criterion_id  VARCHAR  NOT NULL,
    points        DOUBLE   NOT NULL,
    comment       VARCHAR,
    source        VARCHAR  NOT NULL DEFAULT 'import',   -- import | page | demo
    entered_by    VARCHAR,
    entered_at    TIMESTAMP,
    PRIMARY KEY (year, round, unit_level, unit_id, criterion_id)
);
