"""Custom actions: thin adapters between Rasa conversations and tactful services."""

# Registers the yes/no answers that a numbered reply ("1" / "2") stands for
# (actions/base.py), however the package is first imported.
from actions import yes_no as _yes_no  # noqa: F401
