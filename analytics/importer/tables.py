"""The stored tables an import writes, with their columns in order (what a prepared frame holds)."""
from __future__ import annotations

TABLE_COLUMNS = {
    "schools": ["school_id", "municipality_id", "name", "short_name", "school_type", "is_rural", "students",
                "teachers", "lat", "lon", "social_index"],
    "results": ["school_id", "year", "procedure", "subject_id", "grade", "participants", "n2", "n3", "n4", "n5",
                "mean_score", "score_sd", "n_below_min", "n_high", "n_lower", "n_confirmed", "n_higher"],
    "school_lists": ["year", "category", "school_id"],
    "risk_profiles": ["school_id", "year", "catalogue_id", "factor_id", "level"],
    "mentor_pairs": ["year", "mentor_school_id", "mentee_school_id", "straight_km", "road_km", "agreement_date"],
    "kpi_targets": ["target_id", "scope_level", "scope_id", "year", "target_low", "target_high", "direction"],
    "teacher_development": ["school_id", "year", "round", "subject_id", "teachers_total", "teachers_diagnosed",
                            "diagnostic_mean", "teachers_level_rose", "teachers_with_route", "teachers_trained",
                            "teachers_in_consultations", "teachers_in_mentoring"],
    "engagement_reviews": ["year", "round", "unit_level", "unit_id", "criterion_id", "points", "comment", "source",
                           "entered_at"],
}
# Columns holding a school code (checked against the registry, except in the registry itself).
SCHOOL_COLUMNS = ("school_id", "mentor_school_id", "mentee_school_id")
