"""Rasa's Redis lock store and RabbitMQ event broker, each configured by one URL.

Rasa 3.6.21 builds both from host, port, user and password keys in the
endpoints file. The production profile configures every service by one URL
in one environment variable (endpoints.prod.yml, deploy/README.md), so these
subclasses take ``url`` and split it themselves:

* ``RedisUrlLockStore``: ``url: redis://[user:pass@]host:6379/db`` (``rediss://`` for TLS);
* ``PikaUrlEventBroker``: ``url: amqp://user:pass@host:5672/vhost`` (``amqps://`` for TLS);
  the queue is ``queues`` from the endpoints file, else TACTFUL_EVENT_QUEUE.

Neither ever logs its URL: it carries the password.
"""

from __future__ import annotations

from asyncio import AbstractEventLoop
from typing import Any
from urllib.parse import unquote, urlsplit

import rasa.shared.core.events  # noqa: F401 - Rasa's pika broker uses it without importing it
import redis
from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.lock_store import DEFAULT_SOCKET_TIMEOUT_IN_SECONDS, RedisLockStore
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from tactful import bootstrap

REDIS_SCHEMES = ("redis", "rediss")
AMQP_SCHEMES = ("amqp", "amqps")
AMQP_DEFAULT_PORTS = {"amqp": 5672, "amqps": 5671}


class StoreConfigurationError(RasaException):  # type: ignore[misc]  # rasa ships no type information
    """A lock store or event broker URL that cannot be used; names the setting."""


def _scheme(url: str | None, allowed: tuple[str, ...], setting: str) -> str:
    scheme = urlsplit(url or "").scheme.lower()
    if scheme not in allowed:
        shown = ", ".join(f"{name}://" for name in allowed)
        raise StoreConfigurationError(f"{setting} must be a URL starting with {shown}")
    return scheme


class RedisUrlLockStore(RedisLockStore):  # type: ignore[misc]  # rasa ships no type information
    """Rasa's ``RedisLockStore`` from ``url`` (and optional ``key_prefix``, ``socket_timeout``)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        url = endpoint_config.url
        _scheme(url, REDIS_SCHEMES, "TACTFUL_REDIS_URL (lock_store url)")
        options = dict(endpoint_config.kwargs)
        timeout = float(options.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT_IN_SECONDS))
        super().__init__(key_prefix=options.get("key_prefix"), socket_timeout=timeout)
        # Replaces the client the parent built for localhost (it connects lazily,
        # so nothing was opened); from_url reads user, password, db and TLS.
        self.red = redis.StrictRedis.from_url(url, socket_timeout=timeout)


def amqp_parts(url: str) -> tuple[str, int, str, str]:
    """(host, port, user, password) of an AMQP URL; guest/guest when it names none."""
    scheme = _scheme(url, AMQP_SCHEMES, "TACTFUL_RABBITMQ_URL (event_broker url)")
    parts = urlsplit(url)
    if not parts.hostname:
        raise StoreConfigurationError("TACTFUL_RABBITMQ_URL names no host")
    try:
        port = parts.port or AMQP_DEFAULT_PORTS[scheme]
    except ValueError:
        raise StoreConfigurationError("TACTFUL_RABBITMQ_URL has an unusable port") from None
    user = unquote(parts.username) if parts.username else "guest"
    password = unquote(parts.password) if parts.password else "guest"
    return parts.hostname, port, user, password


class PikaUrlEventBroker(PikaEventBroker):  # type: ignore[misc]  # rasa ships no type information
    """Rasa's ``PikaEventBroker`` from one ``url``; publishes to TACTFUL_EVENT_QUEUE."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        host, port, user, password = amqp_parts(url)
        # The host alone, because the parent logs it; the URL goes to aio-pika.
        super().__init__(host, user, password, port=port, **kwargs)
        self._url = url

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig | None, event_loop: AbstractEventLoop | None = None
    ) -> PikaUrlEventBroker | None:
        if broker_config is None:
            return None
        options = dict(broker_config.kwargs)
        if not options.get("queues"):
            options["queues"] = [bootstrap.root().settings.backends.event_queue]
        broker = cls(broker_config.url or "", **options, event_loop=event_loop)
        await broker.connect()
        return broker

    def _configure_url(self) -> str:
        # The URL as given: aio-pika reads user, password, port, vhost and
        # TLS (amqps://) from it. The parent's rebuild of the URL from parts
        # mangles a password that contains the port number.
        return self._url
