"""What a person reads, without Streamlit: figures (plotly/folium), views (tables and charts
built for one screen), formats (Russian numbers, dates, plurals), the text catalogue, the DOCX
report. Pages (through ``ui``), the report and the command-line tools all use it; it never
imports ``streamlit``, ``ui`` or ``pages``."""
