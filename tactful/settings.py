"""Configuration read from environment variables, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    shop_db_url: str
    jwt_secret: str | None
    policy_file: Path
    action_secret: str | None
    db_timeout_seconds: float


def load_settings() -> Settings:
    """Read settings now (not at import), so tests can set the environment."""
    default_db = f"sqlite:///{REPO_ROOT / 'var' / 'shop.db'}"
    return Settings(
        shop_db_url=_env("TACTFUL_SHOP_DB_URL", default_db) or default_db,
        jwt_secret=_env("TACTFUL_JWT_SECRET"),
        policy_file=Path(_env("TACTFUL_POLICY_FILE", str(REPO_ROOT / "policy.yml")) or ""),
        action_secret=_env("TACTFUL_ACTION_SECRET"),
        db_timeout_seconds=float(_env("TACTFUL_DB_TIMEOUT", "5") or 5),
    )
