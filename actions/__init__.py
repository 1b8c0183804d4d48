"""Custom actions: thin adapters between Rasa conversations and tactful services."""

# However the package is first imported, these register (actions/base.py): the
# yes/no answers a numbered reply ("1" / "2") stands for, and the support actions
# that answer a support request made in a reply to an offer (actions/routing.py).
from actions import assistance as _assistance  # noqa: F401
from actions import checkout as _checkout  # noqa: F401
from actions import returns as _returns  # noqa: F401
from actions import yes_no as _yes_no  # noqa: F401
