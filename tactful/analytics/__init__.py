"""Offer analytics: measures, intervals, the report and its renderings (docs/analytics.md)."""
