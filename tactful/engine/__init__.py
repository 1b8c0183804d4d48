"""Tactful's offer engine: pure Python, no Rasa, no database.

Inputs are plain frozen dataclasses (``model``) and a validated ``Policy``;
the output is a ``Decision`` with reason codes and a trace. See docs/policy.md.
Mining (numpy/scipy) lives in ``tactful.engine.mining`` and is imported on demand.

Import from the modules themselves (``from tactful.engine.decide import decide``):
this package re-exports nothing, so no module of it imports the package back.
"""
