"""trafilatura's fast pass, step by step as `bare_extraction` runs it, less two wasted steps.

`bare_extraction(tree, fast=True, include_comments=False)` (trafilatura 2.3.1) copies the
cleaned tree as a backup that only its slow mode reads, and on a short extraction renders
the whole page as text (`html2txt`: a copy, a cleaning pass, a text walk; ~5 ms, on 45% of
pages) only to compare its length with the extraction's: a recall retry runs when the
extraction is under a fifth of it. Here the backup is not made, and the page text is
rendered only when a bound on its length, read in C, leaves the comparison open (6 of the
181 benchmark pages instead of 81). Every other step is trafilatura's own function, called
in its order with its arguments, so the text is the same (`tests/test_html_fast_pass.py`
compares them). Another trafilatura version runs `bare_extraction` itself.
"""

from __future__ import annotations

import logging
from configparser import ConfigParser
from copy import copy

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.baseline import _BLOCK_ELEMS, baseline, html2txt
from trafilatura.core import (
    ESCALATION_ACCEPT_RATIO,
    ESCALATION_MAX_LENGTH,
    ESCALATION_PAGE_SHARE,
    _forum_thread_page,
    _recall_retry,
)
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

# Its messages go out as its own (its logger, its words): a verbose run reads the same.
log = logging.getLogger("trafilatura.core")

# The version whose `bare_extraction` and `trafilatura_sequence` this follows.
CHECKED_VERSION = "2.3.1"

_NORMALIZED_LENGTH = etree.XPath("string-length(normalize-space(.))")
_ELEMENTS = etree.XPath("count(descendant-or-self::*)")


def follows_installed() -> bool:
    """Whether the installed trafilatura is the one whose steps this package repeats (here
    and in `html/parse.py`); any other runs trafilatura's own functions."""
    return trafilatura.__version__ == CHECKED_VERSION


def fast_text(tree: HtmlElement, url: str | None, config: ConfigParser) -> str:
    """`bare_extraction(tree, url=url, fast=True, include_comments=False,
    with_metadata=False, config=config)`'s text, or "" where it returns None."""
    if not follows_installed():
        doc = trafilatura.bare_extraction(
            tree, url=url, fast=True, include_comments=False, with_metadata=False, config=config
        )
        return getattr(doc, "text", None) or ""
    options = options_for(config, url)
    try:
        return _extract(copy(tree), options, url)
    except (TypeError, ValueError):  # as bare_extraction: no text
        log.warning("discarding data: %s", options.source)
        return ""


# Options by config (a ConfigParser can't be hashed: kept by identity, with the config).
_OPTIONS: dict[int, tuple[ConfigParser, Extractor]] = {}


def _options(config: ConfigParser) -> Extractor:
    """bare_extraction's options for a fast pass without comments, but for the URL (which
    only names the page in its logs and the slow mode's jusText)."""
    held = _OPTIONS.get(id(config))
    if held is None or held[0] is not config:
        if len(_OPTIONS) > 4:
            _OPTIONS.clear()
        held = (config, Extractor(config=config, output_format="python", fast=True, comments=False))
        _OPTIONS[id(config)] = held
    return held[1]


def options_for(config: ConfigParser, url: str | None) -> Extractor:
    """The options bare_extraction builds for this call, in a fifteenth of the time."""
    options = copy(_options(config))
    options.url = url
    source = url or None  # as Extractor sets it: `url or source`, and no source is given
    options.source = source and source.encode("utf-8", "replace").decode("utf-8")
    return options


def page_text_bound(tree: HtmlElement, *, every_element: bool = False) -> int:
    """At least `len(html2txt(tree))`, without copying or rewriting the tree.

    html2txt deletes some elements, puts a space before each block element's text and
    tail (`_BLOCK_ELEMS`), and joins the words of the body's text with single spaces.
    Deleting never lengthens that, each space adds at most one, and XPath's
    normalize-space splits on fewer kinds of space than `str.split`, so its length is no
    less than the joined words'. `every_element` counts all elements, not only blocks:
    a looser bound, counted in C.
    """
    body = tree.find(".//body")
    if body is None:
        body = tree
    spaced = int(_ELEMENTS(body)) if every_element else sum(1 for _ in body.iter(*_BLOCK_ELEMS))
    return int(_NORMALIZED_LENGTH(body)) + 2 * spaced


def _extract(tree: HtmlElement, options: Extractor, url: str | None) -> str:
    # trafilatura_sequence, for comments off, balanced focus, fast mode.
    is_forum = _forum_thread_page(tree)
    tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
    if not is_forum:
        tree = prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
    # _prepare_tree without its backup copy (read only by the slow mode's comparison).
    cleaned = convert_tags(tree_cleaning(copy(tree), options), options, url)
    postbody, text = extract_content(cleaned, options)
    if len(text) < options.min_extracted_size:
        b_body, b_text, b_len = baseline(tree)
        if b_len > len(text):
            postbody, text = b_body, b_text
    if (
        0 < len(text) < ESCALATION_MAX_LENGTH
        and len(text) < ESCALATION_PAGE_SHARE * page_text_bound(tree, every_element=True)
        and len(text) < ESCALATION_PAGE_SHARE * page_text_bound(tree)
        and len(text) < ESCALATION_PAGE_SHARE * len(html2txt(tree))
    ):
        recall = copy(options)
        recall.focus = "recall"
        r_body, r_text = postbody, ""
        try:
            r_body, r_text = _recall_retry(tree, recall, url)
        except Exception as exc:  # as trafilatura: a failed retry is no retry
            log.warning("recall retry failed: %s %s", exc, url)
        if len(r_text) >= options.min_extracted_size and len(r_text) > (
            ESCALATION_ACCEPT_RATIO * len(text)
        ):
            postbody, text = r_body, r_text
    # bare_extraction's checks on the result (no comments: their length is 0).
    if options.max_tree_size:
        if len(postbody) > options.max_tree_size:
            etree.strip_tags(postbody, "hi")
        if len(postbody) > options.max_tree_size:
            raise ValueError
    if len(text) < options.min_output_size and options.min_output_comm_size > 0:
        raise ValueError
    return xmltotxt(postbody, options.formatting)
