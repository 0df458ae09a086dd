"""Benchmark only: make a data change inside the app server (which holds the database).

``?what=status`` saves one roadmap status as a user would; anything else marks every group of
tables changed (as after an import of everything), so every cache is cold again."""
import datetime as dt

import streamlit as st

from ui.cache import settings, store

what = st.query_params.get("what", "all")
current = store()
if what == "status":
    from analytics.roadmap_status import Edit, save_status
    unit_id, version, status = current.query_rows(
        "SELECT unit_id, version, status FROM measure_status ORDER BY unit_id LIMIT 1")[0]
    save_status(current, unit_id, version, Edit("in_progress" if status != "in_progress" else "not_started"),
                "bench", settings().today or dt.date.today())
else:
    with current.transaction() as cur:
        current.bump_data_version(cur)
st.write(f"changed: {what}")
