"""One exception hierarchy for the whole bot.

Every error carries a message written for the person who asked (a Slack user or a terminal
user): ``str(err)`` is safe to show them. Nothing secret (tokens, keys, internal addresses
beyond the one the user gave) may go into a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.logs import safe_url

if TYPE_CHECKING:
    from bot.llm.usage import Usage


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
    #: A private network's address, where an intranet site may live: the operator can allow
    #: it (FETCH_ALLOWLIST). Loopback, link-local (cloud metadata) and the like: never meant.
    intranet = False


class FetchError(IngestError):
    """Fetching the page failed."""

    code = "fetch_failed"


class NotFound(FetchError):
    code = "not_found"


class UnknownHost(FetchError):
    """The link's site name doesn't resolve: most often a typo in the link."""


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


class SlackLink(NotAnArticle):
    """A link to Slack itself (a message's permalink, a channel): Slack shows a fetcher only
    its sign-in page. (Its code stays not_an_article, as every page that isn't one.)"""


SLACK_LINK = (
    "That's a link to Slack itself, and Slack shows me only its sign-in page. "
    "Paste the text you want summarized instead."
)


# What each kind of page that isn't an article is called, and what to do instead (the kinds
# of `bot.ingest.page_kind.Kind`). Whole sentences: a reply shows them as they are.
NOT_ARTICLE_MESSAGES: dict[str, str] = {
    "too_short": (
        "That's only a few words, not an article, so there's nothing to summarize or ask about. "
        "Paste the article's text, or send a link to it."
    ),
    "not_found": (
        "That page says it can't be found (a “page not found” page), so there's no article "
        "on it. Check the link, or paste the article's text instead."
    ),
    "login": (
        "That's a sign-in page, not an article. If the article is behind the sign-in, open "
        "it in your browser and paste its text instead."
    ),
    "cookie_wall": (
        "That page shows only a cookie-consent notice, not the article. Open it in your "
        "browser and paste the article's text instead."
    ),
    "paywall": (
        "That page shows only a subscription prompt (a paywall), not the article. If you "
        "can read it, paste the article's text instead."
    ),
    "product_list": (
        "That's a shop page (products and prices), not an article. Send a link to an "
        "article, or paste its text."
    ),
    "link_list": (
        "That page is a list of headlines or links (a home or section page), not one "
        "article. Send the link of the story you mean."
    ),
    "code_or_data": (
        "That's code or data (a program, a config, a table or a log), not an article, so "
        "there's nothing to summarize. Send a link to an article, or paste its text."
    ),
}


# The same, for text the person pasted: "paste the article's text instead" would be what
# they just did; they are told what the text is and what to paste or send.
PASTED_NOT_ARTICLE_MESSAGES: dict[str, str] = {
    "not_found": (
        "That text is a “page not found” message, so there's no article in it. Paste the "
        "article's own text, or send a link to it."
    ),
    "login": (
        "That text is a sign-in page, not an article. Paste the article's own text, or send "
        "a link to it."
    ),
    "cookie_wall": (
        "That text is a cookie-consent notice, not the article. Copy the article's own text "
        "(the story, not the notice) and paste that, or send a link to it."
    ),
    "paywall": (
        "That text is only a subscription prompt (a paywall), not the article. If you can "
        "read the article, paste its own text."
    ),
    "product_list": (
        "That text is a shop page (products and prices), not an article. Paste an article's "
        "text, or send a link to it."
    ),
    "link_list": (
        "That text is a list of headlines or links, not one article. Send the link of the "
        "story you mean, or paste its text."
    ),
    "code_or_data": (
        "That text is code or data (a program, a config, a table or a log), not an article, "
        "so there's nothing to summarize. Paste an article's text, or send a link to it."
    ),
}


class NotArticlePage(NotAnArticle):
    """The input is something else than an article: a sign-in page, a cookie wall, a
    shop, a list of links, a few words (`kind`, one of NOT_ARTICLE_MESSAGES). `pasted`:
    the person pasted it (PASTED_NOT_ARTICLE_MESSAGES)."""

    def __init__(
        self, kind: str, *, url: str | None = None, hint: str = "", pasted: bool = False
    ) -> None:
        found = PASTED_NOT_ARTICLE_MESSAGES.get(kind) if pasted else None
        message = found or NOT_ARTICLE_MESSAGES.get(kind, "That doesn't look like an article.")
        super().__init__(f"{message} {hint}".strip(), url=url)
        self.kind = kind
        self.pasted = pasted


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
    #: The model calls of this request that did answer before it failed: paid for all the
    #: same, so whoever steps in still counts them (audit log, stats, channel budget).
    spent: Usage | None = None

    def charge(self, usage: Usage) -> LLMError:
        """Add `usage` to what was spent before the failure; returns the error, to raise."""
        if usage.requests:
            self.spent = usage if self.spent is None else self.spent + usage
        return self


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
