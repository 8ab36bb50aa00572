"""Whether a message asks for a recap of the discussion itself ("recap", "recap this thread",
"sum up the discussion", "what did we decide?"), as opposed to a summary of the article
("summarize it", "recap the article": bot.llm.followups).

Pure text in, a decision out: Slack routing asks it before the follow-up rules, so a bare
"recap" inside a thread recaps the thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.ingest.links import TLDR

_POLITE = r"(?:(?:hey|hi|ok|okay|so|please|pls|plz|can you|could you|would you|quick)[,\s]+)*"
# What a recap is of: the talk, not the article ("recap the article" is a summary of it).
_TALK = (
    r"(?:(?:this|the|our|that|whole|entire|above)\s+)*"
    r"(?:thread|discussion|conversation|convo|chat|talk|debate|comments?|replies|messages)"
)
_RECAP = re.compile(
    rf"^\W*{_POLITE}(?:"
    # "recap", "recap please", "recap this thread", "give me a recap of the discussion"
    rf"(?:give (?:me|us) |write |make |post |a |quick |short )*recap(?:\s+of)?(?:\s+{_TALK})?"
    # "sum up the discussion", "summarize this thread", "tl;dr of the thread"
    rf"|(?:sum up|summari[sz]e|summary of|{TLDR}(?: of)?)\s+{_TALK}"
    rf"|(?:sum|wrap)\s+{_TALK}\s+up"
    # "catch me up", "what did we decide?", "what was decided", "where did we land"
    r"|catch (?:me|us) up(?: on (?:this|the) (?:thread|discussion))?"
    r"|what (?:did|have) (?:we|you all|y'all|everyone|people|you guys) "
    r"(?:decide|agree(?: on)?|say|discuss|conclude)"
    r"|what (?:was|has been|got) (?:decided|agreed|said|discussed)(?: here| so far)?"
    r"|where did we (?:land|end up)"
    # German, French, Spanish, Italian, Portuguese, Dutch
    r"|(?:fass(?:e)?|fasst)\s+(?:den thread|die diskussion)\s+zusammen"
    r"|zusammenfassung der diskussion"
    r"|résume(?:-moi)? (?:la discussion|le fil)|récap(?:itulatif)?"
    r"|resume (?:el hilo|la conversación|la discusión)|resumen del hilo"
    r"|riassumi (?:il thread|la discussione)"
    r"|resuma (?:a conversa|a discussão)"
    r"|vat (?:de discussie|de thread) samen"
    r")(?P<rest>(?:\W.*)?)$",
    re.IGNORECASE | re.DOTALL,
)
# What may follow a recap request: wishes about the recap ("in French", "for Dana"), "so far".
_WISHES = re.compile(
    r"^(?:in|for|as|with|briefly|quickly|again|please|pls|so far|here|until now|"
    r"for me|for us|en|auf|per|por)\b",
    re.IGNORECASE,
)
_TRAILING = " \t\n,.:;!?-—–"
_PLEASE = re.compile(r"^(?:please|pls)\b|\b(?:please|pls)$", re.IGNORECASE)
# Wishes that change nothing about the recap.
_FILLER = re.compile(r"^(?:so far|here|until now|for me|for us|again)?$", re.IGNORECASE)
_MENTION = re.compile(r"<@[UW][A-Z0-9]+>")


def recap_instructions(text: str) -> str | None:
    """For a request to recap the discussion, its wishes ("" for none); else None."""
    text = " ".join(_MENTION.sub(" ", text).split())
    match = _RECAP.match(text)
    if not match:
        return None
    rest = match["rest"].strip(_TRAILING)
    if rest and not _WISHES.match(rest):
        return None  # "recap the costs of the bridge" is about the article, not the talk
    wishes = _PLEASE.sub("", rest).strip(_TRAILING)
    return "" if _FILLER.match(wishes) else wishes


def is_recap_request(text: str) -> bool:
    """Whether `text` asks for a recap of the discussion it was posted in."""
    return recap_instructions(text) is not None


# --- the discussion, as the recap writers read it --------------------------------------------

_CITATION = re.compile(r"\[(m\d+(?:\s*,\s*m\d+)*)\]")
# Citations side by side ("[m2][m4]", "[m2] [m4]") are one group: "(link, link)", not links
# run together.
_CITATIONS = re.compile(r"\[m\d+(?:\s*,\s*m\d+)*\](?:[ \t]*\[m\d+(?:\s*,\s*m\d+)*\])*")
_REF = re.compile(r"m\d+")


@dataclass(frozen=True, slots=True)
class Said:
    """One message of a thread, as plain text: what a recap reads and cites.

    ref: how a recap cites it ("m3": the thread's third message), replaced by a link to the
        message when the recap is posted.
    """

    ref: str
    text: str
    author: str | None = None  # a display name when Slack gave one; never a user id
    from_bot: bool = False  # the bot's own summary or answer: summarized, not repeated
    pasted: bool = False  # an article pasted into the thread: the article's words, not theirs


def discussion_text(messages: Sequence[Said], *, bot_name: str = "articlebot") -> str:
    """The thread for a prompt: one `[m3] Name: text` block per message. The bot's own
    replies, and an article pasted into the thread, are one line each, not their text: the
    recap is of what people said."""
    lines = []
    for said in messages:
        if said.from_bot:
            lines.append(f"[{said.ref}] {bot_name}: (its summary or answer, not repeated here)")
        elif said.pasted:
            lines.append(f"[{said.ref}] {said.author or 'someone'}: (pasted the article)")
        else:
            lines.append(f"[{said.ref}] {said.author or 'someone'}: {said.text}")
    return "\n\n".join(lines)


def cited(text: str) -> list[str]:
    """The message refs a recap cites ("[m3]", "[m3, m5]"), in order, each once."""
    refs: list[str] = []
    for match in _CITATION.finditer(text):
        for ref in match.group(1).split(","):
            if (ref := ref.strip()) not in refs:
                refs.append(ref)
    return refs


def link_citations(text: str, links: Mapping[str, str]) -> str:
    """Citations replaced by `links[ref]` (markdown); refs without a link are dropped, so no
    "[m9]" the model made up reaches the reader."""

    def replace(match: re.Match[str]) -> str:
        refs = list(dict.fromkeys(_REF.findall(match.group(0))))
        shown = [links[ref] for ref in refs if ref in links]
        return f"({', '.join(shown)})" if shown else ""

    linked = _CITATIONS.sub(replace, text)
    return re.sub(r"[ \t]+(?=\n|$)", "", linked)


def fit_discussion(
    messages: Sequence[Said], budget: int, count: Callable[[str], int]
) -> tuple[list[Said], int]:
    """The messages that fit `budget` tokens (`count` counts them) as the prompt shows them:
    the first (what the thread is about) and then the latest ones, since a recap is most
    often asked for to catch up. Returns them and how many were left out in between."""
    if not messages or count(discussion_text(messages)) <= budget:
        return list(messages), 0
    first, rest = messages[0], list(messages[1:])
    used = count(discussion_text([first]))
    kept: list[Said] = []
    for said in reversed(rest):
        cost = count(discussion_text([said]))
        if used + cost > budget:
            break
        kept.append(said)
        used += cost
    kept.reverse()
    return [first, *kept], len(rest) - len(kept)
