"""Messaging-app channels: Slack, Facebook Messenger, Twilio SMS / WhatsApp, Telegram.

Thin subclasses of Rasa's input channels that share one base (``base.py``):

* every webhook must carry the provider's signature, else 403 and nothing
  reaches Rasa (``signatures.py``);
* a provider's retry of the same event is answered once (``dedupe.py``);
* replies go out through async HTTP to a configurable API base URL, never with a
  blocking call on the event loop (``http.py``, ``config.py``);
* nothing calls the provider when Rasa starts (Telegram's webhook is set with
  ``python -m tactful.channels.messaging.telegram_webhook``).

Enable them in ``credentials.yml``; docs/channels.md has the steps per provider.
"""
