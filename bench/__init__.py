"""National-scale benchmark: ``python -m bench`` (see README «Performance»)."""
