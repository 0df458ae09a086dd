"""Figure builders: DataFrame in, plotly figure out. No Streamlit, no data access."""
