"""Loupe: product analytics in the terminal, on a local DuckDB file of events."""

__version__ = "0.1.0"
