"""One exception hierarchy for the whole bot.

Every error carries a message written for the person who asked (a Slack user or a terminal
user): ``str(err)`` is safe to show them. Nothing secret (tokens, keys, internal addresses
beyond the one the user gave) may go into a message.
"""

from __future__ import annotations

from bot.logs import safe_url


class ArticlebotError(Exception):
    """Base of every error the bot raises on purpose."""

    #: A short machine-readable code, stable across releases (used in --json output and logs).
    code = "error"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # For logs: never the user name or password a URL may carry.
        self.url = safe_url(url) if url else url

    def __str__(self) -> str:
        return self.message


class ConfigError(ArticlebotError):
    """A setting is missing or invalid."""

    code = "config"


# --- ingest -------------------------------------------------------------------------------


class IngestError(ArticlebotError):
    """Turning a link, file or paste into an Article failed."""

    code = "ingest"


class InvalidURL(IngestError):
    """The text is not a usable http(s) URL."""

    code = "invalid_url"


class BlockedAddress(IngestError):
    """The URL leads to an address the bot may not reach (SSRF guard)."""

    code = "blocked_address"


class FetchError(IngestError):
    """Fetching the page failed."""

    code = "fetch_failed"


class NotFound(FetchError):
    code = "not_found"


class Forbidden(FetchError):
    """401/402/403/451: login, paywall or geo-block."""

    code = "forbidden"


class FetchTimeout(FetchError):
    code = "timeout"


class TooLarge(FetchError):
    code = "too_large"


class TooManyRedirects(FetchError):
    code = "too_many_redirects"


class UnsupportedType(FetchError):
    code = "unsupported_type"


class NotAnArticle(IngestError):
    """The input had no article text left after cleaning."""

    code = "not_an_article"


class TooComplex(IngestError):
    """Reading the input would take more time or memory than one job may use (a compression
    bomb in a PDF, a page still unread when the time budget ran out)."""

    code = "too_complex"


# --- prompts and models -------------------------------------------------------------------


class PromptError(ArticlebotError):
    """A prompt template file is invalid or missing."""

    code = "prompt"


class LLMError(ArticlebotError):
    """The language model could not answer (after retries)."""

    code = "llm"


class LLMTimeout(LLMError):
    """The model did not answer in time."""

    code = "llm_timeout"


class LLMRateLimited(LLMError):
    """The model service kept saying "too many requests" after retries."""

    code = "llm_rate_limited"


class LLMAuthError(LLMError):
    """The model service rejected the key or the deployment/model name."""

    code = "llm_auth"


class LLMBadResponse(LLMError):
    """The model service answered with something that is not a usable reply."""

    code = "llm_bad_response"
