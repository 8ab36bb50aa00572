"""Whether the words sent with a link ask a question about it, or say how to summarize it.

"<link> Who paid for it?" wants an answer from the article (as `/ask <link> …` gives);
"<link> tldr", "<link> in 3 bullets?", "can you summarize <link>?" want a summary. Pure text
in, a yes or no out: Slack's routing, `/summarize` and the CLI's notices share it.

A question ends with a question mark, or starts with a question word, in the languages the
follow-up rules know (English, German, French, Spanish, Italian, Portuguese, Dutch). A
request phrased as a question ("can you summarize it?", "kannst du ihn zusammenfassen?",
"what's it about?", "in Spanish?") stays a summary.
"""

from __future__ import annotations

import re

from bot.ingest.links import (
    QUESTION_START_WORDS,
    QUESTION_WORDS,
    TLDR,
    ends_with_question_mark,
    only_wishes,
)
from bot.llm.meta import meta_kind

_QUESTION_START = re.compile(rf"^[\W_]*(?:{QUESTION_START_WORDS})(?![\w'’-])", re.IGNORECASE)
_INVERTED_MARK = re.compile(r"^\W*¿")  # Spanish opens a question with one

# Asking for a summary, however it is phrased: the word for it in each language, a TL;DR,
# a translation, a summary in another language ("auf Deutsch"). Gaps
# are bounded ("fass … zusammen"): the words may be long, and this runs on Slack's ack path.
_SUMMARY_CUE = re.compile(
    r"\b(?:summar(?:y|ies|i[sz]e[sd]?|i[sz]ing)|sum\s+(?:it\s+|this\s+|that\s+)?up|"
    + TLDR
    + r"|recap\w*|gist|overview|key\s+(?:points|takeaways|facts)|main\s+points|takeaways|"
    r"translat\w*|eli5|"
    r"zusammenfass\w*|fass\w*(?:\s+\S+){0,6}?\s+zusammen\b|kurzfassung|überblick|übersetz\w*|auf\s+(?:deutsch|\w+isch)|"
    r"résum\w*|resúme\w*|resumen|resumir|resuma|resumo|riassun\w*|riassum\w*|"
    r"samenvat\w*|vat(?:\s+\S+){0,4}?\s+samen\b)",
    re.IGNORECASE,
)

# Politeness before the request itself ("hey, could you please …", "kannst du bitte …").
_POLITE = re.compile(
    r"^[\W_]*(?:(?:hey|hi|ok|okay|so|and|also|please|pls|plz|kindly|bitte|"
    r"(?:can|could|would|will)\s+(?:you|u)|"
    r"(?:kannst|könntest|würdest)\s+du|(?:können|könnten|würden)\s+sie|"
    r"peux-tu|pourrais-tu|pouvez-vous|pourriez-vous|puedes|podrías|puede|podría)\b[\s,]*)+",
    re.IGNORECASE,
)
# Requests that are a question in other words ("tell me who paid", "sag mir, wer …").
_TELLS = re.compile(
    r"^(?:tell\s+(?:me|us)|let\s+me\s+know|explain|find\s+out|check|look\s+up|verify|"
    r"confirm|clarify|figure\s+out|answer|"
    r"(?:mir\s+|uns\s+)?(?:sagen|erklären|verraten)|sag|erklär\w*|verrat\w*|"
    r"dis-moi|explique\w*|dime|explica\w*|dimmi|spiega\w*|diga|vertel|leg\s+uit)\b"
    r"(?:\s+(?:me|us|mir|uns|moi|nous))?\s*,?\s*"
    r"(?:about|if|whether|ob|si|of|se|" + QUESTION_WORDS + r")(?![\w'’-])",
    re.IGNORECASE,
)
# Requests about the summary's shape ("keep it short", "make it shorter?", "focus on the
# costs?", "kannst du es kürzer machen?"): instructions, even with a question mark.
_WISH = re.compile(
    r"^(?:keep|make|write|focus|include|mention|highlight|skip|ignore|avoid|use|add|rewrite|"
    r"shorten|condense|format|put|bullet\w*|emphasi[sz]e|don'?t|turn|limit|stick|stay|"
    r"leave\s+out|drop|shorter|longer|simpler|briefer|less\s+detail|more\s+detail\w*|"
    r"for\s+(?:a|an|my|our)\b|"
    r"halt\w*|mach\w*|schreib\w*|konzentrier\w*|fokussier\w*|kürz\w*|kürzer|länger|einfacher|"
    r"ausführlicher|für\s+(?:einen|eine|meinen|meine|unser\w*)\b)\b"
    r"|\b(?:machen|halten|schreiben|formulieren|konzentrieren|fokussieren|kürzen|auflisten)"
    r"\W*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w")
# Beside a link, "that" can only be the link (in a conversation it is what was just said,
# so meta_questions.yaml leaves it out).
_WHATS_THAT = re.compile(r"what(?:'s|’s|\s+is)\s+that\W*$", re.IGNORECASE)


def asks_about_link(words: str) -> bool:
    """Whether the words sent with a link (the link taken out) ask a question to answer from
    it, rather than saying how to summarize it."""
    text = " ".join(words.split())
    if not _WORD.search(text):
        return False
    if _SUMMARY_CUE.search(text) or only_wishes(text):
        return False
    polite = _POLITE.match(text)
    request = text[polite.end() :] if polite else text
    if meta_kind(request) == "about" or _WHATS_THAT.match(request):
        return False  # "what's it about?" asks for the summary (bot/llm/meta_questions.yaml)
    if _TELLS.match(request):
        return True  # "tell me who paid", "can you explain why it failed"
    if _WISH.search(request):
        return False  # "keep it short?", "could you make it simpler?"
    return (
        ends_with_question_mark(text)
        or bool(_INVERTED_MARK.match(text))
        or bool(_QUESTION_START.match(request))
    )
