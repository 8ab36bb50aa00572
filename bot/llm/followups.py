"""A turn in a conversation about an article: small talk, "summarize it", or a question, and
for a question that leans on the turns before it ("Who usually does that work?", "and in
1350?"), what to search the article for.

Pure text in, decisions out: the CLI chat, Slack threads and the pipeline share it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from bot.ingest.links import TLDR, TLDR_WORD, is_question
from bot.llm.meta import meta_kind

if TYPE_CHECKING:  # the analyzer (numpy, stemmers) loads only when a follow-up needs it
    from bot.text.retrieval import Analyzer

TurnKind = Literal["small", "summarize", "question"]

# --- small talk ---------------------------------------------------------------------------


def _wordlist(text: str) -> frozenset[str]:
    """Word lists as plain text: per-language lines read better than hundreds of literals."""
    return frozenset(text.split())


SMALL_TALK_MAX_WORDS = 5
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\+1", re.UNICODE)
_THANKS = _wordlist(
    "thanks thank thx ty tysm tyvm cheers danke dankeschön merci gracias grazie obrigado "
    "obrigada bedankt dank"
)
# Words acknowledgements are made of ("thanks a lot!", "ok cool", "haha nice", "merci
# beaucoup", "vale, genial"), in the languages the offline engine knows best.
# Greetings get a hello back that says what to ask, not a search for "hello".
_GREETINGS = _wordlist(
    "hi hello hey hiya howdy yo morning hallo servus moin bonjour salut coucou hola buenas "
    "ciao olá oi hoi evening afternoon guten tag morgen buenos días bonsoir"
)
_SMALL_TALK = (
    _THANKS
    | _GREETINGS
    | _wordlist(
        """
    you u so much a lot very ok okay k kk okk cool nice great awesome perfect good excellent
    there all everyone
    neat sweet lol lmao lmfao rofl haha hahaha hah heh hehe ha yes yep yeah yup no nope nah
    sure np yw got it gotcha makes sense understood noted right wow oh ah +1 love this that
    that's it's thats
    super top prima toll klasse gut alles klar schön vielen sehr ja nein
    beaucoup parfait génial bien d'accord oui non très
    muchas vale perfecto genial bien sí muy
    mille perfetto ottimo bene sì
    muito perfeito ótimo sim
    heel goed mooi ja nee
    """
    )
)
_EMOJI_CODE = re.compile(r":[a-z0-9_+'-]+:")


def is_small_talk(text: str) -> bool:
    """Thanks, ok, cool, 👍: something that needs no search (and in a thread, no answer)."""
    text = _EMOJI_CODE.sub(" ", text).strip()
    if is_question(text):
        return False
    words = [word.lower() for word in _WORD.findall(text)]
    if not words:
        return not any(ch.isdigit() for ch in text)  # emoji or punctuation only
    return len(words) <= SMALL_TALK_MAX_WORDS and all(word in _SMALL_TALK for word in words)


def is_greeting(text: str) -> bool:
    """ "hi", "hello there", "good morning": small talk that still wants a reply (a greeting
    in a DM or a thread isn't an acknowledgement to leave unanswered)."""
    return is_small_talk(text) and bool(_GREETINGS & set(_lower_words(text)))


GREETING = (
    "Hi! Ask me anything about the article: what it's about, who wrote it, "
    'or a question about what it says. "Summarize it" gets you the summary.'
)


def small_reply(text: str) -> str:
    """A short answer to small talk; no model, no search."""
    words = {word.lower() for word in _WORD.findall(text)}
    if words & _THANKS:
        return "You're welcome! Ask me anything else about the article."
    if words & _GREETINGS:
        return GREETING
    return "Anything else you'd like to know about the article?"


# --- "summarize it" -----------------------------------------------------------------------

# The request, then what it is about (the whole article, never a part of it: "summarize the
# costs" is a question), then optional wishes ("in Spanish", "for a CFO").
_POLITE = r"(?:(?:please|pls|can you|could you|would you|now|just|ok|okay|and)[,\s]+)*"
_WHOLE = (
    r"(?:it|this|that|all|everything|all of it|the (?:whole )?(?:article|story|text|piece|"
    r"page|thing|post|report|paper|link))"
)
_SUMMARIZE = re.compile(
    rf"^\W*{_POLITE}(?:"
    rf"(?:summari[sz]e|sum up|recap)(?:\s+{_WHOLE})?(?:\s+up)?"
    r"|sum (?:it|this|that) up"
    rf"|{TLDR}"
    r"|(?:give me |write |make |i'd like |i want )?(?:a |the |an? short |a quick )?"
    rf"(?:summary|recap|{TLDR})(?: of (?:it|this|that|the article|the story))?"
    # German, French, Spanish, Italian, Portuguese, Dutch
    r"|(?:fass(?:e)?|fasst)\s+(?:es|das|den artikel)?\s*zusammen|zusammenfassung"
    r"|résume(?:-le|-moi ça| ça| l'article)?|un résumé|résumé"
    r"|resúme(?:lo|me)?|resume(?:lo)?|un resumen|resumen|resuma|um resumo|resumo"
    r"|riassumi(?:lo)?|un riassunto|riassunto"
    r"|vat (?:het |dit )?samen|samenvatting"
    r")(?P<rest>(?:\W.*)?)$",
    re.IGNORECASE | re.DOTALL,
)
_PLEASE = re.compile(
    r"^(?:please|pls|bitte|por favor|per favore|s'il (?:te|vous) plaît|alstublieft)\b\W*"
    r"|\W*\b(?:please|pls|bitte|por favor|per favore|s'il (?:te|vous) plaît|alstublieft)$",
    re.IGNORECASE,
)
# What may follow a summary request: wishes about the summary, not a topic.
_WISHES = re.compile(
    r"^(?:in|for|as|like|with|using|into|briefly|shortly|quickly|again|please|pls|bitte|"
    r"s'il te plaît|s'il vous plaît|por favor|per favore|alstublieft|en|auf|por|per)\b",
    re.IGNORECASE,
)


def summary_instructions(text: str) -> str | None:
    """For a request to summarize the whole article, its wishes ("" for none); else None."""
    if meta_kind(text) == "about":  # "What is this article about?": its gist, no wishes
        return ""
    match = _SUMMARIZE.match(text.strip())
    if not match:
        return None
    rest = match["rest"].strip(" \t\n,.:;!?-—–")
    if rest and not _WISHES.match(rest):
        return None
    return _PLEASE.sub("", rest).strip()


def summary_style(text: str) -> str | None:
    """The summary style a request to summarize names: "tl;dr" asks for the one-sentence
    TL;DR, not the usual bullets, and so does "what is it about?"; None leaves it to the
    settings."""
    if summary_instructions(text) is not None and (
        TLDR_WORD.search(text) or meta_kind(text) == "about"
    ):
        return "tldr"
    return None


def classify_turn(text: str) -> TurnKind:
    """What a message in a conversation about an article asks for."""
    if is_small_talk(text):
        return "small"
    if summary_instructions(text) is not None:
        return "summarize"
    return "question"


# --- questions that lean on the conversation -----------------------------------------------

# Pronouns and demonstratives that point back ("that work", "did they", "there"). Words that
# are also articles ("das", "die", "het", "ce") are left out: they would fire on every
# self-contained question in those languages.
_BACK_REFERENCES = _wordlist(
    """
    it its they them their theirs this that these those there he him his she her hers
    such same latter former then
    er ihn ihm sie ihr ihre ihren sein seine dies diese dieser dieses dort damals dafür dazu
    davon darüber
    il elle ils elles lui leur leurs ça cela ceci celui celle ceux celles là cet cette ces
    él ella ellos ellas eso esto ese esa esos esas allí ahí allá entonces
    lei loro esso essa questo questa quello quella ciò lì
    ele ela eles elas isso isto esse essa aquele aquela lá ali
    hij zij hem haar hun dit dat deze daar toen
    """
)
# "that" before a clause ("say that the trenches…") and "there" in "is there…" don't point back.
_CLAUSE_START = _wordlist("the a an he she it they we i you there this these those his her")
_EXISTENTIAL = _wordlist("is are was were be been isn aren wasn weren s")
# Where "that" + a word is a demonstrative ("does that work", "in that year"); after a noun
# it starts a relative clause ("a museum that holds").
_BEFORE_THAT = _wordlist(
    """
    do does did done doing is was are were be been isn wasn about of in on at for with by from
    to into after before during since until like than mean means meant cause caused causes
    why how when where who what which whom all
    """
)
# A question that goes on from the last one: "and in 1350?", "what about the wealthy?".
_CONTINUES = re.compile(
    r"^\W*(?:and|but|or|also|so|then|what about|how about|what of|und|aber|oder|was ist mit|"
    r"et|mais|ou|et pour|y|pero|o|e|ma|mas|en|maar|of)\b",
    re.IGNORECASE,
)
SHORT_QUESTION_WORDS = 3  # "why?", "how many?", "who paid?" need the question before them
_NAMES_FROM_ANSWER = 4  # the previous answer's names in the search (for "he", "they")
_HOPS = 3  # follow-ups of follow-ups: how far back to look for what they are about
_QUOTE_LINE = re.compile(r"^\s*>\s?(.*)$", re.MULTILINE)
_OPENERS = '.!?…\n"“‘«(:-•*'  # what comes before a word that opens a sentence or bullet


@dataclass(frozen=True, slots=True)
class Resolved:
    """A question with what to search the article for."""

    question: str  # as asked (the model reads it with the history)
    query: str  # for retrieval and the offline engine
    context: tuple[str, ...] = ()  # words borrowed from earlier turns; empty if self-contained


def leans_on_context(question: str) -> bool:
    """Whether `question` needs the turns before it: a pronoun or demonstrative pointing
    back, a continuation ("and in 1350?"), or too few words to stand alone ("why?")."""
    words = _lower_words(question)
    numbers = re.findall(r"\d+", question)
    if _CONTINUES.match(question) or len(words) + len(numbers) <= SHORT_QUESTION_WORDS:
        return True
    return bool(_pointers(words))


def _lower_words(text: str) -> list[str]:
    return [word.lower().replace("’", "'") for word in _WORD.findall(text)]


def _pointers(words: list[str]) -> set[str]:
    """The words that point back to an earlier turn ("that" in "does that work", not in "a
    museum that holds" or "said that the"; "there" in "live there", not in "is there")."""
    out = set()
    for i, word in enumerate(words):
        if word not in _BACK_REFERENCES:
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        before = words[i - 1] if i else ""
        if word == "that" and after and (after in _CLAUSE_START or before not in _BEFORE_THAT):
            continue
        if word == "there" and (before in _EXISTENTIAL or after in _EXISTENTIAL):
            continue
        out.add(word)
    return out


def turns(history: Sequence[Any]) -> list[tuple[str, str]]:
    """Stored turns (pairs, or objects with .role and .text) as ("user"|"assistant", text)."""
    roles = {"human": "user", "ai": "assistant"}
    out: list[tuple[str, str]] = []
    for turn in history:
        role = getattr(turn, "role", None) or turn[0]
        text = getattr(turn, "text", None) or turn[1]
        out.append((roles.get(role, role), text or ""))
    return out


def resolve(question: str, history: Sequence[Any], *, language: str | None = None) -> Resolved:
    """What to search the article for: the question itself, or for a follow-up that leans on
    the conversation, the question plus the content words of the question before it (and of
    the ones before that, when it leaned too) and, when that question named no one, the
    names in the last answer.

    The question's own words (less its "that" or "they") are written twice: BM25 counts a
    repeated query word twice, so what is asked now outweighs what was asked before, and
    history can't drag the answer back to the last one's sentence.
    """
    question = question.strip()
    past = turns(history)
    if not past or not leans_on_context(question):
        return Resolved(question, question)
    from bot.text.retrieval import analyzer_for_text

    analyzer = analyzer_for_text(" ".join([question, *(text for _, text in past[-4:])]), language)
    context: list[str] = []
    seen = set(analyzer.terms(question))  # words the question has already

    def add(words: Sequence[str]) -> None:
        for word in words:
            term = " ".join(analyzer.terms(word))
            if term and term not in seen:
                seen.add(term)
                context.append(word)

    asked = [i for i, (role, text) in enumerate(past) if role == "user" and _asks(text)]
    if not asked:  # the first question after a summary: "she" is someone it named
        summary = next((text for role, text in reversed(past) if role == "assistant"), "")
        add(_names(summary, analyzer)[:_NAMES_FROM_ANSWER])
    for hop, i in enumerate(reversed(asked[-_HOPS:])):
        earlier = past[i][1]
        add(_content_words(earlier, analyzer))
        if hop == 0 and not _names(earlier, analyzer):
            # "Who won?" → "Smith won." → "How old is he?": he is a name the answer gave.
            # When the question named its subject ("Who is Julian Assange?"), that is who
            # "he" is, and the answer's other names would pull back to the same sentence.
            answer = next((text for role, text in past[i + 1 :] if role == "assistant"), "")
            add(_names(answer, analyzer)[:_NAMES_FROM_ANSWER])
        if not leans_on_context(earlier):
            break
    if not context:
        return Resolved(question, question)
    # The pointing words themselves ("that", "they") are no part of what to look for.
    own = question
    for word in _pointers(_lower_words(question)):
        own = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " ", own, flags=re.IGNORECASE)
    own = " ".join(own.split())
    return Resolved(question, " ".join([own, own, *context]), tuple(context))


# Words that ask for something besides what was shown ("what else", "tell me more"): such a
# follow-up never gets the last answer's sentences again. "Other" alone doesn't ("Who are
# the other candidates?" asks about ones the last answer named); "any other" does.
_MORE = _wordlist(
    """
    else more further additional besides continue
    sonst mehr weitere weiteren
    encore davantage
    más además
    ancora
    meer verder
    """
)
_ANY_OTHER = re.compile(
    r"\b(?:any|anything)\s+others?\b|\banother\s+(?:reason|example|one|thing|way)s?\b"
    r"|\b(?:algún|alguna|algunos|algunas)\s+otr[oa]s?\b|\bd'autres\b|\bqualche\s+altr[oa]\b",
    re.IGNORECASE,
)
# "more" in a comparison ("how many more", "more than") asks for a number, not more of it.
_COMPARATIVE = re.compile(r"\b(?:many|much)\s+more\b|\bmore\s+than\b", re.IGNORECASE)
_GO_ON = re.compile(r"\b(?:go on|keep going|and then)\b", re.IGNORECASE)


def asks_for_more(question: str) -> bool:
    """Whether a follow-up asks for what the last answer didn't say ("what else?", "tell me
    more", "any other reasons?"), rather than about what it was about."""
    words = set(_lower_words(_COMPARATIVE.sub(" ", question)))
    return bool(words & _MORE) or bool(_GO_ON.search(question) or _ANY_OTHER.search(question))


def last_quotes(history: Sequence[Any]) -> set[str]:
    """The sentences the last answer quoted ("> …" lines), whitespace-normalized."""
    for role, text in reversed(turns(history)):
        if role == "assistant":
            return {" ".join(q.split()) for q in _QUOTE_LINE.findall(text) if q.strip()}
    return set()


def _asks(text: str) -> bool:
    return classify_turn(text) == "question"


def _content_words(text: str, analyzer: Analyzer) -> list[str]:
    """The words of `text` that say what it is about: not everyday words, not pronouns."""
    out = []
    for word in re.findall(r"\w+", text):
        terms = analyzer.terms(word)
        if word.lower() in _BACK_REFERENCES or not terms:
            continue
        if word.isdigit() or not all(analyzer.is_common(t) for t in terms):
            out.append(word)
    return out


def _names(answer: str, analyzer: Analyzer) -> list[str]:
    """Names and numbers in an answer (its quotes when it has some), which "he", "she" or
    "they" in the next question usually mean. A capitalized word opening a sentence counts
    only when it isn't an everyday word ("The", "Many")."""
    quoted = _QUOTE_LINE.findall(answer)
    text = "\n".join(quoted) if quoted else answer
    out = []
    for match in re.finditer(r"\w+", text):
        word = match.group()
        if word.isdigit():
            out.append(word)
        elif word[0].isupper() and word != "I" and word.lower() not in _BACK_REFERENCES:
            before = text[: match.start()].rstrip(" \t")
            opening = not before or before[-1] in _OPENERS
            if not opening or not all(analyzer.is_common(t) for t in analyzer.terms(word)):
                out.append(word)
    return out
