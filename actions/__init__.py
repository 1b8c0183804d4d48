"""Custom actions: thin adapters between Rasa conversations and tactful services."""
