"""Channel-aware replies: buttons on web and Slack, quick replies on
Messenger, one numbered message on SMS and WhatsApp (no payload ever shown)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

NUMBERED_CHANNELS = frozenset({"twilio", "twilio_sms", "twilio_whatsapp", "sms", "whatsapp"})
QUICK_REPLY_CHANNELS = frozenset({"facebook", "messenger"})


class Reply:
    def __init__(self, dispatcher: CollectingDispatcher, channel: str) -> None:
        self._dispatcher = dispatcher
        self.channel = channel

    def say(self, text: str) -> None:
        self._dispatcher.utter_message(text=text)

    def choices(self, text: str, options: list[tuple[str, str]]) -> None:
        """Ask with at most two options, each (title, payload)."""
        if self.channel in NUMBERED_CHANNELS:
            numbered = " or ".join(
                f"{index} for {title}" for index, (title, _payload) in enumerate(options, start=1)
            )
            self._dispatcher.utter_message(text=f"{text}\nReply {numbered}.")
        elif self.channel in QUICK_REPLY_CHANNELS:
            self._dispatcher.utter_message(
                json_message={
                    "text": text,
                    "quick_replies": [
                        {"content_type": "text", "title": title[:20], "payload": payload}
                        for title, payload in options
                    ],
                }
            )
        else:
            self._dispatcher.utter_message(
                text=text,
                buttons=[{"title": title, "payload": payload} for title, payload in options],
            )


def numbered_choice(text: str, channel: str) -> int | None:
    """The option a numbered-channel user picked by typing "1" or "2"."""
    stripped = text.strip().rstrip(".")
    if channel in NUMBERED_CHANNELS and stripped in ("1", "2"):
        return int(stripped)
    return None
