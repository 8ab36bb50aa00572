"""Whether a summary line reads as written: one pure check for the engine and the benchmark.

A line shown away from its neighbours fails when it leans on a sentence the reader doesn't
see ("But …", "He …", "This …"), when it is a quote nobody is said to speak, when it is page
furniture rather than reporting (a caption, photo credit, byline or dateline), or when it
is not prose at all (code, navigation, a list of links, a fragment).
"""

from __future__ import annotations

import re
from typing import Literal

from bot.offline.cues import is_bare_quote, is_caption, is_dangling
from bot.offline.news import has_credit, has_dateline, is_byline, is_chrome
from bot.text.sentences import count_words

Defect = Literal["unresolved", "unattributed", "furniture", "non_prose"]
DEFECTS: tuple[Defect, ...] = ("unresolved", "unattributed", "furniture", "non_prose")

_MIN_WORDS = 4  # "Locke was sacked." reads as a point; "Six weeks later." does not
_HEADING_WORDS = 7  # no end punctuation and this short: a heading or a menu item
# Code: JavaScript, CSS, markup, template placeholders.
_CODE = re.compile(
    r"\bfunction\s*\w*\s*\(|=>|\b(?:var|let|const)\s+[\w$]+\s*=|\b(?:document|window|console)\."
    r"|\$\(|\bgoogletag\b|\bdataLayer\b|\breturn\s+[\w$!(]+\s*;|[;{}]\s*$|^\s*[{}]"
    r"|[\w-]+\s*:\s*[\w#.%-]+\s*;|@media\b|!important|</?[a-z][\w-]*(?:\s[^>]*)?>|\{\{[^}]*\}\}"
    r"|\w\(\)|==|&&|\|\|",
)
_SYMBOLS = re.compile(r"[{}()\[\];=<>$_\\/|]")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s[|•·»›]\s|\s/\s")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_CUT_SHORT = re.compile(r"[,;:]\s*(?:\.{2,}|…)\W*$")
_END = re.compile(r"[.!?…][\"'’”»)\]]*$|[\"'’”»]$")


def is_non_prose(line: str) -> bool:
    """Code, navigation, a list of links or a fragment, rather than a sentence."""
    text = line.strip()
    words = count_words(text)
    if words < _MIN_WORDS or is_chrome(text):
        return True
    # A link in a sentence is prose ("confirm at [the portal](https://…)"): judge its words.
    plain = _URL.sub("link", _MD_LINK.sub(r"\1", text))
    if _CODE.search(plain) or len(_SYMBOLS.findall(plain)) > max(3, len(plain) // 25):
        return True
    links = len(_MD_LINK.findall(text)) + len(_URL.findall(_MD_LINK.sub("", text)))
    if links >= 2 and words - 3 * links < _HEADING_WORDS:
        return True  # a list of links
    if len(_SEPARATORS.findall(text)) >= 2:
        return True  # a menu: "Home | News | Sport"
    if _CUT_SHORT.search(text):
        return True  # a teaser cut off mid-clause: "Two people have been diagnosed,..."
    if not _END.search(text):
        # A heading, a menu or a run of tags: short, or nearly every word capitalised.
        alpha = _WORD.findall(text)
        capitalised = sum(w[0].isupper() for w in alpha)
        return words < _HEADING_WORDS or (len(alpha) >= 3 and capitalised >= 0.7 * len(alpha))
    return False


def is_furniture_line(line: str) -> bool:
    """A caption, photo credit, byline or leftover dateline: page furniture, not reporting."""
    text = line.strip()
    return is_caption(text) or has_credit(text) or is_byline(text) or has_dateline(text)


def line_defect(line: str, follows: bool = False, language: str | None = None) -> Defect | None:
    """What is wrong with `line` as shown in a summary, or None if it reads as written.

    `follows`: the sentence before it in the article is the line shown right before it, or
    it is the article's first sentence (an opening "It was a night to remember" is the
    writer's own), so an opening "But" or "He" has its referent in view.
    """
    if is_furniture_line(line):
        return "furniture"
    if is_non_prose(line):
        return "non_prose"
    if follows:
        return None
    if is_dangling(line, language):
        return "unresolved"
    if is_bare_quote(line):
        return "unattributed"
    return None
