"""The staff dashboard: the offer report with plots, and a customer lookup.

``python -m tactful.dashboard`` serves it (``make run`` starts it); it has its
own staff token (``TACTFUL_DASHBOARD_TOKEN``) and never shares the demo page's
customer sessions. See docs/analytics.md, "Dashboard".
"""
