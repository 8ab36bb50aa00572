"""HTML -> Article: trafilatura finds the main text, we fix its edges, then our cleaner runs."""

from __future__ import annotations

import logging

from bot.errors import NotAnArticle, TooComplex
from bot.ingest.article import Article
from bot.ingest.budget import Budget
from bot.ingest.clean import clean_paragraphs
from bot.ingest.html.body import NEVER_TEXT, main_lines, strip_non_text
from bot.ingest.html.breaks import mark_breaks
from bot.ingest.html.chunks import drop_trailing_link_list, restore_chunks
from bot.ingest.html.limit import cut_tree
from bot.ingest.html.meta import page_meta
from bot.ingest.html.parse import load_page
from bot.ingest.html.pick import second_opinion
from bot.ingest.html.trim import drop_edge_stamps, drop_end_matter, drop_headline
from bot.ingest.language import article_language


class _UnlessVerbose(logging.Filter):
    """Pass warnings only when logging is verbose (the root logger at INFO or lower).

    trafilatura warns "discarding data" for every page it finds too short, which is routine
    here (our own extraction carries on): on a terminal it reads like a failure.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or logging.getLogger().level <= logging.INFO


def _quiet_trafilatura() -> None:
    # A logger's filters don't apply to its children's records, so each module's logger
    # (trafilatura.core, trafilatura.utils, ...) gets the filter; all exist once imported,
    # as they are here (bot.ingest imports this module on the first page it reads).
    quiet = _UnlessVerbose()
    names = [n for n in logging.Logger.manager.loggerDict if n.split(".")[0] == "trafilatura"]
    for name in {"trafilatura", "trafilatura.core", *names}:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _UnlessVerbose) for f in logger.filters):
            logger.addFilter(quiet)


_quiet_trafilatura()

# Shorter than this, a lone block can't be a sentence (CJK sentences included).
_MIN_SENTENCE_CHARS = 25
# Counted toward the page's size: everything but what never holds text. <head> counts (a
# hostile page can fill it with <meta> tags, which the metadata search reads one by one).
_UNCOUNTED = frozenset(NEVER_TEXT) - {"head"}
CUT_NOTICE = "That page is very long, so I read only its first part."


def extract_html(html: str, url: str | None = None, budget: Budget | None = None) -> Article:
    budget = budget or Budget.from_settings()
    tree = load_page(html) if html.strip() else None
    if tree is None:
        raise NotAnArticle("I couldn't find any article text on that page.", url=url)
    cut = cut_tree(
        tree,
        max_elements=budget.max_html_elements,
        max_chars=budget.max_chars,
        skip=_UNCOUNTED,
    )
    meta = page_meta(tree, url)  # first: it reads <head> and JSON-LD scripts
    strip_non_text(tree)
    mark_breaks(tree)
    if budget.expired():
        raise TooComplex(
            f"That page took too long to read (over {budget.seconds:g} seconds), so I stopped. "
            "Paste the part you care about instead.",
            url=url,
        )
    # The fallbacks are a second opinion, not worth running past half the time budget.
    lines = main_lines(tree, url, may_retry=lambda: not budget.half_spent())
    lines = drop_trailing_link_list(tree, restore_chunks(tree, lines))
    lines = second_opinion(tree, lines, meta.title)
    lines = drop_edge_stamps(drop_headline(lines, meta.title))
    # After the cleaner: a sign-up prompt it drops may stand after the contact lines.
    paragraphs = drop_end_matter(clean_paragraphs(lines))
    # A few menu words ("Home") are what's left of pages with no article at all.
    if not any(len(p) >= _MIN_SENTENCE_CHARS for p in paragraphs):
        raise NotAnArticle("I couldn't find any article text on that page.", url=url)
    return Article.from_paragraphs(
        paragraphs,
        source_kind="html",
        url=meta.url,
        title=meta.title,
        author=meta.author,
        published=meta.published,
        site_name=meta.site_name,
        language=article_language(meta.language, "\n".join(paragraphs)),
        notice=CUT_NOTICE if cut else None,
    )
