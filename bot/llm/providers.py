"""Which model the settings configure, if any: plain settings logic, no model client.

Kept apart from `models.py` so that deciding "offline" (no key) never imports openai or
LangChain: the offline engine's commands start seconds sooner.
"""

from __future__ import annotations

from typing import Literal

from bot.errors import ConfigError
from bot.settings import Settings

Provider = Literal["openai", "azure"]
_AZURE_FIELDS = ("azure_openai_endpoint", "azure_openai_api_key", "azure_openai_deployment")


def online_provider(settings: Settings) -> Provider | None:
    """Which online engine the settings configure, or None (offline).

    Azure needs endpoint, key and deployment; some but not all of them is a ConfigError.
    OpenAI needs a key, or a base URL (local servers need no key).
    """
    azure = [name for name in _AZURE_FIELDS if getattr(settings, name)]
    if azure and len(azure) < len(_AZURE_FIELDS):
        missing = [n.upper() for n in _AZURE_FIELDS if n not in azure]
        raise ConfigError(f"Azure OpenAI is partly configured; also set {', '.join(missing)}.")
    if azure:
        return "azure"
    key = settings.openai_api_key
    # `OPENAI_API_KEY=` (left empty in .env) means no key, not an empty one to send.
    if (key is not None and key.get_secret_value().strip()) or settings.openai_base_url:
        return "openai"
    return None


def is_online(settings: Settings) -> bool:
    """True when a model is configured; False means the offline engine answers."""
    return online_provider(settings) is not None


def model_label(settings: Settings) -> str:
    """The model (or Azure deployment) name, for replies and usage."""
    if online_provider(settings) == "azure":
        return settings.azure_openai_deployment or ""
    return settings.openai_model
