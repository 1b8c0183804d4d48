"""Settings of the demo shop page's backend, checked (read by tactful.settings)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tactful.settings import Settings, SettingsError, load_settings

DEFAULT_TOKEN_TTL_SECONDS = 15 * 60
# The page-picked customer stays "signed in" this long; tokens are re-signed
# from it, so a short token TTL does not end the visit.
SESSION_COOKIE_SECONDS = 8 * 3600


@dataclass(frozen=True)
class WebConfig:
    rasa_url: str
    jwt_secret: str
    cookie_key: bytes
    shop_db_url: str
    db_timeout_seconds: float
    token_ttl_seconds: int
    web_root: Path
    secure_cookie: bool
    policy_file: Path

    @property
    def widget_file(self) -> Path:
        # rasa-webchat's self-contained UMD build (React included).
        return self.web_root / "node_modules" / "rasa-webchat" / "lib" / "index.js"


class ConfigError(ValueError):
    """A setting is missing or unusable; the message names it."""


def _cookie_key(jwt_secret: str) -> bytes:
    # A key derived for cookies only, so a session cookie can never pass as a
    # customer token (and vice versa) even though both come from one secret.
    return hmac.new(jwt_secret.encode(), b"tactful-web-session-cookie", hashlib.sha256).digest()


def web_config(settings: Settings) -> WebConfig:
    """The page's settings, checked; raises ConfigError naming the variable."""
    secret = settings.jwt_secret or ""
    if len(secret) < 16:
        raise ConfigError("TACTFUL_JWT_SECRET must be set to at least 16 characters")
    web = settings.web
    if not web.rasa_url.startswith(("http://", "https://")):
        raise ConfigError(f"TACTFUL_RASA_URL must start with http:// or https://, got {web.rasa_url!r}")
    if not 30 <= web.token_ttl_seconds <= 3600:
        raise ConfigError(
            f"TACTFUL_TOKEN_TTL must be between 30 and 3600 seconds, got {web.token_ttl_seconds}"
        )
    return WebConfig(
        rasa_url=web.rasa_url,
        jwt_secret=secret,
        cookie_key=_cookie_key(secret),
        shop_db_url=settings.shop_db_url,
        db_timeout_seconds=settings.db_timeout_seconds,
        token_ttl_seconds=web.token_ttl_seconds,
        web_root=web.web_root,
        secure_cookie=web.secure_cookie,
        policy_file=settings.policy_file,
    )


def load_web_config(environ: Mapping[str, str] | None = None) -> WebConfig:
    try:
        settings = load_settings(environ)
    except SettingsError as error:
        raise ConfigError(str(error)) from None
    return web_config(settings)
