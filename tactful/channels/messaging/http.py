"""Calls to a provider's API with async HTTP and a timeout.

The stock connectors send with blocking clients (requests, twilio's Client)
inside ``async def``, which freezes every conversation on the worker while the
provider answers. Here every call is an aiohttp request with a total timeout.
A failed send is logged and swallowed: one lost reply must not abort the rest
of the turn (Rasa would stop running the remaining actions).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0


class ProviderHttp:
    def __init__(self, provider: str, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.provider = provider
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def post(
        self,
        url: str,
        *,
        what: str,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        basic_auth: tuple[str, str] | None = None,
    ) -> Any:
        """POST and return the decoded JSON answer, or None on any failure.

        ``what`` names the call in logs; the URL is never logged because some
        providers put the token in it (Telegram's ``/bot<token>/``).
        """
        auth = aiohttp.BasicAuth(*basic_auth) if basic_auth else None
        try:
            async with aiohttp.ClientSession(timeout=self._timeout) as session:
                async with session.post(
                    url, json=json_body, data=form, params=params, headers=headers, auth=auth
                ) as response:
                    text = await response.text()
                    if response.status >= 300:
                        logger.error(
                            "%s %s failed: HTTP %s %s", self.provider, what, response.status, text[:300]
                        )
                        return None
                    return _decode(text)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("%s %s failed: %s", self.provider, what, type(error).__name__)
            return None


def _decode(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except json.JSONDecodeError:
        return None
