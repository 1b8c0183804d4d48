"""An output channel wrapper: counts what was sent and maps the recipient.

Rasa hands every output channel the conversation id as the recipient. For
messaging providers that id is ``<channel>:<provider id>`` (tactful.channels.ids),
so the wrapper gives the provider its own id back. The count lets the
message pipeline notice a turn that said nothing (a failed action) and
apologise instead of leaving the customer in silence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel


def _same(recipient_id: str) -> str:
    return recipient_id


class RoutedOutput(OutputChannel):  # type: ignore[misc]  # rasa ships no type information
    def __init__(self, inner: OutputChannel, to_recipient: Callable[[str], str] = _same) -> None:
        super().__init__()
        self.inner = inner
        self._to_recipient = to_recipient
        self.sent = 0

    # Rasa picks channel-specific responses by the output channel's name.
    def name(self) -> str:
        name: str = self.inner.name()
        return name

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(self._to_recipient(recipient_id), message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_text_message(self._to_recipient(recipient_id), text, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.sent += 1
        await self.inner.send_text_with_buttons(self._to_recipient(recipient_id), text, buttons, **kwargs)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_custom_json(self._to_recipient(recipient_id), json_message, **kwargs)
