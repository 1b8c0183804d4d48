"""The demo shop page's small backend.

It serves the page and the rasa-webchat widget from ``web/`` (no CDN), lets a
visitor pick a demo customer, signs that customer's short-lived token on the
server (the browser never sees the secret) and keeps the cart in the shop
database, where the offer engine reads it.
"""
