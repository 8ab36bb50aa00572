"""What an admin chose for one channel (and for the whole workspace): the typed values both
store backends keep.

Every field is optional: None means "as the bot is configured" (SUMMARY_STYLE, the
article's own language, SLACK_AUTO_CHANNELS, OPENAI_MODEL, no token budget). Validation
against the templates and the allowed models happens where the choice is made (the settings
modal, bot.slack.settings_view); the store keeps what it is given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    style: str | None = None  # a summary style (prompts/summary_<style>.yaml)
    language: str | None = None  # replies written in this language ("Spanish", "日本語")
    auto_offer: bool | None = None  # the "Summarize?" offer on shared links; None: the global list
    model: str | None = None  # one of ALLOWED_MODELS
    daily_tokens: int | None = None  # model tokens per UTC day; None: no limit
    updated_by: str | None = None  # who saved them last (a user id), for App Home
    updated_at: float | None = None  # when (seconds since the epoch)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChannelSettings:
        """Unknown keys (written by a newer version) are ignored, not an error."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})

    @property
    def is_default(self) -> bool:
        """Nothing chosen: the channel behaves as the bot is configured."""
        chosen = (self.style, self.language, self.auto_offer, self.model, self.daily_tokens)
        return all(value is None for value in chosen)


@dataclass(frozen=True, slots=True)
class WorkspaceSettings:
    """What a workspace admin chose for the whole workspace. None: as the deployment is
    configured (SETTINGS_ADMINS_ONLY): with OAuth, many workspaces share one deployment."""

    admins_only: bool | None = None  # only admins and owners may change channel settings
    updated_by: str | None = None  # the admin who set it (a user id), for App Home
    updated_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorkspaceSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})
