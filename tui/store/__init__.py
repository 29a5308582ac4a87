"""The project file: schema, settings, identity resolution and import. Imports nothing from Textual."""
