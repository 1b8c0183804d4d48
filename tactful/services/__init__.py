"""Application services: each call is one unit of work on the shop store."""
