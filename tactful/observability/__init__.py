"""Metrics, structured logs and health checks for every Tactful process (docs/observability.md).

The modules here import nothing of Tactful but the settings, so every layer
may record a metric or log with the conversation id; the health routes of
each process are wired by that process's entry point.
"""
