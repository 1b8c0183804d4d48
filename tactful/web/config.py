"""Settings of the demo shop page's backend, read from environment variables."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from tactful.settings import REPO_ROOT, load_settings

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


def load_web_config(environ: dict[str, str] | None = None) -> WebConfig:
    env = os.environ if environ is None else environ
    settings = load_settings()
    secret = env.get("TACTFUL_JWT_SECRET") or ""
    if len(secret) < 16:
        raise ConfigError("TACTFUL_JWT_SECRET must be set to at least 16 characters")
    rasa_url = env.get("TACTFUL_RASA_URL") or f"http://127.0.0.1:{env.get('TACTFUL_RASA_PORT') or '5005'}"
    if not rasa_url.startswith(("http://", "https://")):
        raise ConfigError(f"TACTFUL_RASA_URL must start with http:// or https://, got {rasa_url!r}")
    ttl_text = env.get("TACTFUL_TOKEN_TTL") or str(DEFAULT_TOKEN_TTL_SECONDS)
    try:
        ttl = int(ttl_text)
    except ValueError:
        raise ConfigError(f"TACTFUL_TOKEN_TTL must be a number of seconds, got {ttl_text!r}") from None
    if not 30 <= ttl <= 3600:
        raise ConfigError(f"TACTFUL_TOKEN_TTL must be between 30 and 3600 seconds, got {ttl}")
    return WebConfig(
        rasa_url=rasa_url.rstrip("/"),
        jwt_secret=secret,
        cookie_key=_cookie_key(secret),
        shop_db_url=env.get("TACTFUL_SHOP_DB_URL") or settings.shop_db_url,
        db_timeout_seconds=settings.db_timeout_seconds,
        token_ttl_seconds=ttl,
        web_root=Path(env.get("TACTFUL_WEB_ROOT") or REPO_ROOT / "web"),
        secure_cookie=(env.get("TACTFUL_WEB_SECURE_COOKIE") or "").lower() in ("1", "true", "yes"),
        policy_file=Path(env.get("TACTFUL_POLICY_FILE") or settings.policy_file),
    )
