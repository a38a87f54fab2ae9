"""Settings from the environment (and `.env`), typed and read once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting Kompis reads. Names follow product.md; Slack's keep Bolt's own names."""

    model_config = SettingsConfigDict(
        env_prefix="KOMPIS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///kompis.db"
    content_dir: Path = ROOT / "content"
    schedules_dir: Path = ROOT / "schedules"
    locales_dir: Path = ROOT / "locales"

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_poll_seconds: float = Field(default=10.0, gt=0, le=50)
    invite_days: int = Field(default=30, ge=1, le=365)

    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "KOMPIS_SLACK_BOT_TOKEN")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "KOMPIS_SLACK_APP_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "KOMPIS_SLACK_SIGNING_SECRET"),
    )
    slack_client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_CLIENT_ID", "KOMPIS_SLACK_CLIENT_ID")
    )
    slack_client_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_CLIENT_SECRET", "KOMPIS_SLACK_CLIENT_SECRET"),
    )
    slack_api_url: str = "https://slack.com/api/"

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port

    # Send budgets (messages per second unless named otherwise). Defaults are the platforms'
    # published limits: Telegram ~30/s per bot, 1/s per chat, 20/min per group; Slack
    # chat.postMessage 1/s per channel plus an unpublished workspace-wide cap (a guess here).
    # On PostgreSQL all delivery processes together share the overall budget (send_budget).
    telegram_per_second: float = Field(default=30.0, gt=0)
    telegram_chat_per_second: float = Field(default=1.0, gt=0)
    telegram_group_per_minute: float = Field(default=20.0, gt=0)
    slack_workspace_per_second: float = Field(default=10.0, gt=0)
    slack_channel_per_second: float = Field(default=1.0, gt=0)

    tick_seconds: float = Field(default=30.0, gt=0, le=3600)
    late_grace_hours: float = Field(default=6.0, ge=0, le=24 * 14)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Delivery: how long a worker's claim on outbox rows holds unless renewed (a dead
    # worker's rows go back to the queue after this), and how long sent messages and seen
    # inbound event ids are kept.
    outbox_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Delivery lanes per process: drains side by side, each with one message in flight,
    # sharing the send budget (a crash can duplicate at most one message per lane). Unset:
    # 4 on PostgreSQL, 1 on SQLite (concurrent SQLite writers meet "database is locked").
    delivery_lanes: int | None = Field(default=None, ge=1, le=32)
    retention_days: int = Field(default=30, ge=1, le=3650)

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError(
                "KOMPIS_TELEGRAM_WEBHOOK_SECRET is required with KOMPIS_TELEGRAM_WEBHOOK_URL"
                " (1-256 characters of A-Z, a-z, 0-9, _ and -)"
            )
        secret = self.telegram_webhook_secret
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret.get_secret_value()):
            raise ValueError(
                "KOMPIS_TELEGRAM_WEBHOOK_SECRET may only have 1-256 of A-Z, a-z, 0-9, _ and -"
            )
        if (self.slack_bot_token or self.slack_client_id) and not self.slack_signing_secret:
            raise ValueError(
                "SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN or SLACK_CLIENT_ID (the"
                " app's Basic Information page, App Credentials)"
            )
        if self.slack_client_id and not self.slack_client_secret:
            raise ValueError("SLACK_CLIENT_SECRET is required with SLACK_CLIENT_ID")
        return self

    def transports_configured(self) -> list[str]:
        found = []
        if self.telegram_token:
            found.append("telegram")
        if self.slack_bot_token or self.slack_client_id:
            found.append("slack")
        return found


def load_settings(**overrides: object) -> Settings:
    """Build settings once; a missing or malformed one becomes a one-line ConfigError in plain
    words (never pydantic's), naming the setting; a secret's value is never shown."""
    from bot.curriculum.wording import plain

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        parts = []
        for error in exc.errors():
            if not error["loc"]:  # a rule across settings; its message names them
                parts.append(str(error["msg"]).removeprefix("Value error, "))
                continue
            name = "KOMPIS_" + "_".join(str(p) for p in error["loc"]).upper()
            if name.startswith("KOMPIS_SLACK_"):
                name = name.removeprefix("KOMPIS_")
            if "secret" in name.lower() or "token" in name.lower():
                parts.append(f"setting {name}: is not valid (check its value)")
                continue
            message, fix = plain(error)
            parts.append(f"setting {name}: {message}" + (f" ({fix})" if fix else ""))
        raise ConfigError("; ".join(parts)) from exc
