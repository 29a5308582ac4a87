"""One module per source format; each turns one file into rows of the ``staged`` table (see ``staging``)."""
