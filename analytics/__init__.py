"""Analytics for the ШНОР dashboard: store, import, computations. No Streamlit here."""
