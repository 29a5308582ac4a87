"""The Textual app: screens and widgets over the analytics layer. Builds no SQL."""
