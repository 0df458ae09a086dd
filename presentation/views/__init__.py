"""What pages draw, built from analytics results: figures and formatted tables.

A page asks for them through ``ui.cache.view(builder, source(analytics_function, ...), ...)``,
so each is built once per data version, language and user scope instead of on every run.
Builders here are pure: DataFrames (the resolved sources) and labels in, figures and
frames out; no Streamlit, no data access of their own. Texts come in as arguments or from
the catalogue in the ``language`` argument.
"""
