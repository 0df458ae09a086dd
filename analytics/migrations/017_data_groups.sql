-- 017: data versions per group of tables, so a write invalidates only the caches that read
-- what it changed (a roadmap status saved leaves results, risks and maps cached).
-- The group of a table is data: a migration that adds a table adds its row here. A table
-- without a row belongs to the group 'other' (analytics.store.DEFAULT_GROUP).
CREATE TABLE table_groups (
    table_name VARCHAR PRIMARY KEY,
    data_group VARCHAR NOT NULL
);
INSERT INTO table_groups VALUES
    ('regions', 'registry'), ('municipalities', 'registry'), ('schools', 'registry'), ('subjects', 'registry'),
    ('results', 'results'),
    ('school_lists', 'lists'),
    ('risk_catalogues', 'risks'), ('risk_factors', 'risks'), ('risk_levels', 'risks'), ('risk_profiles', 'risks'),
    ('roadmaps', 'roadmaps'), ('measures', 'roadmaps'), ('measure_schools', 'roadmaps'), ('checkpoints', 'roadmaps'),
    -- statuses apart from the roadmaps they belong to: a status saved leaves the risk coverage
    -- by measures (which reads measures, not statuses) cached
    ('measure_status', 'statuses'), ('measure_status_history', 'statuses'),
    ('mentor_pairs', 'mentors'), ('mentor_pair_changes', 'mentors'), ('road_distances', 'mentors'),
    ('survey_participation', 'teachers'), ('teacher_development', 'teachers'),
    ('deficit_topics', 'teachers'), ('teacher_deficits', 'teachers'),
    ('kpi_targets', 'targets'), ('kpi_reported', 'targets'),
    ('basemap_features', 'basemap'),
    ('import_log', 'imports');

-- The current version of each group (absent = never written since this migration: '0').
CREATE TABLE data_versions (
    data_group VARCHAR PRIMARY KEY,
    version    VARCHAR NOT NULL
);
