"""Streamlit helpers shared by the pages: catalogue, formats, filters, shell, figures."""
