"""CSV importers for the shop database: the shop's own format and UCI Online Retail.

Layout: ``reader`` turns a file into numbered rows, ``fields`` parses single
values, ``uci`` and ``shop`` apply each format's rules, ``bulk`` writes in
chunks with ON CONFLICT, and ``runner`` ties a command line run together.
"""
