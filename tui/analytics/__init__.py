"""Chart and microscope queries that return DataFrames. Imports nothing from Textual."""
