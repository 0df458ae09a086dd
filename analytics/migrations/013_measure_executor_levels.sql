-- The level each executor of a measure works at (region | municipality | school | NULL when
-- not known), parallel to measures.executors: roadmap import keeps level-split operator
-- columns («регион» / «район») apart instead of merging them.
ALTER TABLE measures ADD COLUMN IF NOT EXISTS executor_levels VARCHAR[];
