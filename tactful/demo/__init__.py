"""The demo store: catalog, eleven customers with stories, and their loader.

Dates are relative to the moment of loading, so "Alice bought her camera six
days ago" stays true whenever ``python -m tactful demo load`` runs.
"""
