"""One module per source format; each turns one file into rows of the ``raw_events`` staging table."""
