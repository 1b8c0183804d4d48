"""Per-turn costs of Rasa 3.6.21, removed without changing what Rasa decides.

Profiling a turn (bench/profile_turn.py) put these near the top of the Rasa
process, on the event loop, on every message:

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``,
  which checks Rasa's constant response schema against the JSON Schema
  meta-schema before checking the response: about a quarter of the busy time.
  Here the schema is checked once, its validator kept, and each response is
  validated with it. An invalid response still goes through Rasa's own method,
  so it fails exactly as before, with Rasa's message.
* ``Event.resolve_by_type`` walks every subclass of ``Event`` (with an
  ``inspect.isabstract`` per class) for each event it deserialises, so loading
  a tracker costs that walk per stored event. Here the answer is kept per
  type name; names it has not seen, and unknown ones, still go to Rasa's walk.

It also hooks ``RemoteAction._action_call_format`` so an action call carries
only the events our actions read (``tactful.channels.action_call``), and
``DialogueStateTracker.past_states`` so a conversation's dialogue states are
extended per message instead of rebuilt (``tactful.channels.past_states``).

``install`` is idempotent; the channels call it in the Rasa process
(``tactful.channels.pipeline.pipeline_for``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from jsonschema import exceptions as schema_errors
from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from tactful.channels import action_call, past_states

_lock = threading.Lock()
_installed = False


def _response_check() -> Callable[[Any, dict[str, Any]], bool]:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    rasa_check = RemoteAction._validate_action_result

    def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        if schema_errors.best_match(validator.iter_errors(result)) is None:
            return True
        # Rasa's own check raises with its own explanation.
        return bool(rasa_check(self, result))

    return validate_action_result


def _cached_event_types() -> Callable[..., type[Event] | None]:
    rasa_resolve = Event.resolve_by_type
    known: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        cached = known.get(type_name)
        if cached is not None:
            return cached
        found: type[Event] | None = rasa_resolve(type_name, default)
        # Only a real match is kept: a default or a None answers this call only.
        if found is not None and getattr(found, "type_name", None) == type_name:
            known[type_name] = found
        return found

    return resolve_by_type


def _slim_action_calls() -> Callable[[Any, Any, Any], dict[str, Any]]:
    rasa_format = RemoteAction._action_call_format

    def action_call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
        call: dict[str, Any] = rasa_format(self, action_call.CallView(tracker), domain)
        return call

    return action_call_format


def install() -> None:
    global _installed
    with _lock:
        if _installed:
            return
        RemoteAction._validate_action_result = _response_check()
        Event.resolve_by_type = staticmethod(_cached_event_types())
        RemoteAction._action_call_format = _slim_action_calls()
        DialogueStateTracker.past_states = past_states.install_on(DialogueStateTracker)
        _installed = True
