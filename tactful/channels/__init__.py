"""Rasa input channels: thin, validating subclasses of the stock connectors."""
