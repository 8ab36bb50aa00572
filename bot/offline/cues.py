"""How a sentence reads out of context: dangling openers, bare quotes, captions, the future.

An extractive summary shows sentences away from their neighbours, so a sentence that leans
on the previous one ("But …", "This …"), a quote nobody is said to have said, or a photo
caption glued to the next sentence reads badly as a bullet. These are cheap surface cues,
per language where the words differ (English, German, French, Spanish, Italian, Portuguese,
Dutch, Swedish, Polish, Turkish, Russian, Ukrainian, Greek, Arabic, Korean); other languages
get the English ones, which then rarely match.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.text.sentences import Sentence, count_words


def _openers(words: str) -> re.Pattern[str]:
    """First word(s) of a sentence, optionally after an opening quote, then a word break."""
    return re.compile(rf"^[\"'‘“„«]?\s*(?:{words})(?![\w’'-])")


# Connectives and back-references that need the previous sentence to make sense. "This
# week" / "That day" are deictic, not anaphoric, so a time noun after them lets them pass.
_TIME_NOUN = (
    r"(?:week|month|year|morning|afternoon|evening|summer|winter|spring|autumn|season|time)"
)
_DANGLING: dict[str, re.Pattern[str]] = {
    "en": _openers(
        r"However|But|And|Also|Although|Though|Yet|Still|Nevertheless|Nonetheless|Instead|"
        r"Moreover|Furthermore|In addition|Besides|Likewise|Similarly|Otherwise|Therefore|"
        r"Thus|Hence|So|Even so|That said|As a result|Such|The latter|"
        # "The former" alone, not "the former captain"
        r"The former(?=,|\s+(?:is|was|has|had|will|would|said|says)\b)|"
        rf"(?:This|That|These|Those)(?!\s+{_TIME_NOUN})|It|They|He|She|His|Her|Their"
    ),
    "de": _openers(
        r"Aber|Doch|Jedoch|Allerdings|Außerdem|Zudem|Dennoch|Trotzdem|Deshalb|Daher|Dabei|"
        r"Damit|Dies|Er|Es"
    ),
    "fr": _openers(
        r"Mais|Cependant|Pourtant|Toutefois|Néanmoins|En outre|De plus|Par ailleurs|Ainsi|"
        r"Donc|Cela|Ceci|Il|Elle|Ils|Elles"
    ),
    "es": _openers(
        r"Pero|Sin embargo|Además|También|Aunque|No obstante|Por eso|Por lo tanto|Esto|Eso"
    ),
    "it": _openers(r"Ma|Però|Tuttavia|Inoltre|Anche|Quindi|Comunque|Questo|Ciò"),
    "pt": _openers(r"Mas|Porém|Contudo|No entanto|Além disso|Também|Assim|Isso|Isto"),
    "nl": _openers(r"Maar|Echter|Toch|Ook|Bovendien|Daarom|Dit|Dat|Hij|Zij"),
    "sv": _openers(r"Men|Dock|Också|Dessutom|Därför|Detta|Han|Hon|De"),
    "pl": _openers(r"Ale|Jednak|Jednakże|Również|Także|Ponadto|Dlatego|Oraz|On|Ona|Oni"),
    "tr": _openers(r"Ama|Ancak|Fakat|Ayrıca|Bu nedenle|Bununla birlikte|Bu|O"),
    "ru": _openers(
        r"Но|Однако|Также|Кроме того|Поэтому|Тем не менее|Впрочем|Зато|При этом|Это|Он|"
        r"Она|Они|А|И"
    ),
    "uk": _openers(r"Але|Однак|Проте|Також|Крім того|Тому|Це|Він|Вона|Вони|А|І"),
    "el": _openers(r"Όμως|Αλλά|Ωστόσο|Επίσης|Επομένως|Ακόμη|Αυτό|Αυτός|Αυτή|Αυτοί"),
    # Arabic writes "and" onto the next word: "وأضاف" ("and he added") goes on a quote.
    "ar": _openers(r"لكن|ولكن|غير أن|إلا أن|كما|وأضاف|وتابع|وأكد|وأشار|وقال|وذلك|هذا|هذه"),
    "ko": _openers(r"다만|하지만|그러나|그런데|또한|그래서|따라서|이는|이것은|그는|그녀는|이에"),
}

# Forward-looking wording: a scheduled or planned step is a strong cue, a bare future
# ("will", "wird", "va") a weak one, since quotes and opinions use it too.
_FORWARD_STRONG: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        # Not "was expected to" or "had planned": a plan in the past is not what comes next.
        r"\b(?:plans? to|planning to|(?:is|are|'s|'re|’s|’re) (?:expected|due|set|scheduled|"
        r"poised|slated|planning|going) to|(?<!was )(?<!were )(?<!been )scheduled (?:to|for)|"
        r"next (?:week|month|year|season|spring|summer|autumn|fall|"
        r"winter|step|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
        r"later (?:this|next) (?:week|month|year)|in the coming (?:days|weeks|months|years)|"
        r"upcoming|will (?:(?:now|then|also|soon) )?(?:begin|start|open|launch|take place|vote|"
        r"decide|resume|return|appear|face|meet|announce|publish|release|hold)|"
        # "will choose a company in June": a future with a date
        r"will\b[^.;]{0,60}?\b(?:in|on|by|from|until|before) (?:January|February|March|April|"
        r"May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|"
        r"Thursday|Friday|Saturday|Sunday|20\d\d))\b",
        re.IGNORECASE,
    ),
    "de": re.compile(
        r"\b(?:plant|planen|geplant|soll|sollen|voraussichtlich|nächste[nrs]? (?:Woche|Monat|"
        r"Jahr)|kommende[nrs]? (?:Woche|Monat|Jahr)|künftig|demnächst)\b",
        re.IGNORECASE,
    ),
    "fr": re.compile(
        r"\b(?:prévoit|prévu|prévue|doit|doivent|devrait|devraient|(?:la semaine|le mois|"
        r"l'année|l’année) prochaine?|prochainement|à venir)\b",
        re.IGNORECASE,
    ),
    "es": re.compile(
        r"\b(?:prevé|previsto|prevista|planea|planean|está previsto|(?:la|el) próxim[oa] "
        r"(?:semana|mes|año)|próximamente)\b",
        re.IGNORECASE,
    ),
    "it": re.compile(
        r"\b(?:prevede|previsto|prevista|dovrebbe|dovrebbero|(?:la|il) prossim[oa] "
        r"(?:settimana|mese|anno)|prossimamente)\b",
        re.IGNORECASE,
    ),
    "pt": re.compile(
        r"\b(?:prevê|previsto|prevista|planeja|planeia|deverá|deverão|(?:a|o) próxim[oa] "
        r"(?:semana|mês|ano)|em breve)\b",
        re.IGNORECASE,
    ),
    "nl": re.compile(
        r"\b(?:plant|gepland|verwacht|volgende (?:week|maand|jaar)|binnenkort)\b",
        re.IGNORECASE,
    ),
}
_FORWARD_WEAK: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"\b(?:will|won't|shall|soon|is to|are to|aims? to|intends? to)\b"),
    "de": re.compile(r"\b(?:wird|werden|bald)\b"),
    "fr": re.compile(r"\b(?:va|vont|sera|seront|bientôt)\b"),
    "es": re.compile(r"\b(?:va a|van a|será|serán|pronto)\b"),
    "it": re.compile(r"\b(?:sarà|saranno|presto)\b"),
    "pt": re.compile(r"\b(?:vai|vão|será|serão)\b"),
    "nl": re.compile(r"\b(?:zal|zullen|gaat|gaan)\b"),
}

_QUOTE_OPEN = re.compile(r"^[\"'‘“„«]")
# After the closing quote, someone is named as saying it: "…,' said Jane", "…," he added.
_SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|explained|wrote|writes|asked|asks|"
    r"replied|insisted|claimed|warned|stated|tweeted|posted|declared|admitted|noted|"
    r"continued|according to|quoted|sagte|sagt|erklärte|a déclaré|a dit|dijo|afirmó|"
    r"ha detto|disse|zei)\b",
    re.IGNORECASE,
)
_CLOSES_QUOTE = re.compile(r"[.!?,…]\s*[\"'’”»]$")
_OPENS_SINGLE = re.compile(r"(?:^|[\s(\[:])'(?=\w)")
_PRONOUN_SPEAKER = re.compile(
    r"[,.!?]?[\"'’”»]\s*,?\s*(?:he|she|they|it)\s+\w+\.?[\"'’”»]?$", re.IGNORECASE
)
_END_PUNCT = re.compile(r"[.!?…:;][\"'’”»)\]]*$|[\"'’”»]$")
# Captions: "… (pictured) …", "…, pictured left, …", "Pictured: …", "(background)", "An
# artist's illustration of …", "This photo shows …", and a news photo's caption, which dates
# itself in full after a comma ("… speaks at a rally, Sunday, Nov. 17, 2019, in Las Vegas.";
# prose says "on Sunday").
_CAPTION_CUE = re.compile(
    r"\((?:(?:not )?pictured|left|right|centre|center|above|below|inset|top|bottom|file|"
    r"background|foreground)\b[^)]{0,40}\)|,\s+pictured\b|\bpictured\s+(?:left|right|above|"
    r"below|centre|center|top|bottom)\b|^pictured\b"
    r"|^\W*(?:an?\s+|this\s+)?artist(?:'|’)?s?\s+(?:illustration|impression|concept|rendering)\b"
    r"|^\W*this\s+(?:\w+\s+){0,2}(?:photo|image|picture|illustration|rendering)\s+(?:of\b|shows\b)"
    r"|,\s+(?-i:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day),\s+(?-i:[A-Z])[a-z]{2,8}\.?\s+"
    r"\d{1,2},\s+\d{4}\b",
    re.IGNORECASE,
)
# A pointer to a photo inside a sentence of prose: "Mr Smith (pictured) said", "Ms Lee,
# pictured left, was". The sentence reads the same without it.
_PHOTO_REF = re.compile(
    r"\s*\((?:(?:not )?pictured|left|right|centre|center|above|below|inset|top|bottom|file)\b"
    r"[^)]{0,40}\)|,\s+(?:pictured|left|right|centre|center|above|below)"
    r"(?:\s+(?:left|right|above|below|centre|center|top|bottom|in \d{4}|with [^,]{1,40}))?"
    r"(?:,|(?=;))",
    re.IGNORECASE,
)
# A caption's label: "Accused: Dr Ram Manohar, 38, has denied …" (but not "He said: It …").
_LABEL = re.compile(r"^[A-Z][\w'’-]*(?: [\w'’-]+){0,2}:\s+(?=[A-Z0-9])")
# A caption with no full stop, glued to the sentence after it: "…13% higher than a colleague
# The cost of divorce …". A capitalised opener mid-sentence, right after a word with no
# punctuation and followed by a lower-case word, starts a new sentence. "The"/"An" may follow
# a capitalised word ("in Liverpool The amount"); the others only a lower-case word or a
# number, so "Nurse A with" or "by The Washington Post" stay whole.
# Both start only where their run starts (same matches; no quadratic rescans of long runs).
_GLUED = re.compile(
    r"(?<!\s)\s+(?=(?P<opener>The|An|A|He|She|They|It|We|In|His|Her|Their|This|These|There|"
    r"Although|However|But|After|When|While)"
    r"\s+[a-z0-9])"
)
_LAST_WORD = re.compile(r"(?<!\S)(\S+)$")
_ENDS_OPEN_QUOTE = re.compile(r"\w[’”\"']$")
_OPENS_ANY = re.compile(r"(?:^|[\s(\[:])[\"'‘“„«](?=\w)")
_MIN_PART_WORDS = 5  # both sides of a glued caption must read as sentences


def _language(language: str | None) -> str:
    code = (language or "en").lower()[:2]
    return code if code in _DANGLING else "en"


def is_dangling(sentence: str, language: str | None = None) -> bool:
    """Whether `sentence` opens by leaning on the one before ("But …", "This means …")."""
    if _DANGLING[_language(language)].match(sentence.lstrip()):
        return True
    # A quote whose only speaker is "he" or "she" is as lost without its neighbour.
    return bool(
        _QUOTE_OPEN.match(sentence.lstrip())
        and (_PRONOUN_SPEAKER.search(sentence) or pronoun_speaker(sentence))
    )


def _quote_tail(text: str) -> bool:
    """The end of a quote split over sentences: "We are ready to pay on April 9.'" closes a
    quote it never opened."""
    if not _CLOSES_QUOTE.search(text):
        return False
    if text.endswith('"'):
        return text.count('"') % 2 == 1
    if text.endswith("’"):
        return "‘" not in text
    if text.endswith("”"):
        return "“" not in text
    return not _OPENS_SINGLE.search(text)


def is_bare_quote(sentence: str) -> bool:
    """A sentence that opens a quote and never says who is speaking, or the tail end of a
    quote begun in an earlier sentence."""
    text = sentence.strip()
    if _quote_tail(text):
        return True
    if not _QUOTE_OPEN.match(text):
        return False
    closing = max(text.rfind(c, 1) for c in "\"'’”»")
    tail = text[closing + 1 :] if closing > 0 else ""
    return not _SPEECH.search(tail)


def is_caption(sentence: str) -> bool:
    """A photo caption by its wording: "(pictured)", "… (left) …", "Accused: Dr …"."""
    return bool(_CAPTION_CUE.search(sentence.strip()))


def strip_photo_refs(sentence: str) -> str:
    """The sentence without "(pictured)"-style pointers to a photo: in a full sentence they
    are an aside; what is left is prose (a caption proper has no full stop, or a credit)."""
    return _PHOTO_REF.sub("", sentence)


def strip_label(sentence: str) -> str:
    """The sentence without a caption label ("Haul: "); unchanged if none, if the label is
    someone speaking, or if too little would remain."""
    match = _LABEL.match(sentence)
    if not match or _SPEECH.search(match[0]):
        return sentence
    rest = sentence[match.end() :]
    return rest if count_words(rest) >= _MIN_PART_WORDS else sentence


def is_unfinished(sentence: str) -> bool:
    """No end punctuation: a caption or sub-heading cut off a glued sentence, a headline."""
    return not _END_PUNCT.search(sentence.strip())


def forward_strength(sentence: str, language: str | None = None) -> int:
    """2 for a planned or scheduled step ("is expected to", "next week"), 1 for a bare
    future ("will"), 0 for none."""
    code = _language(language)
    if _FORWARD_STRONG[code].search(sentence):
        return 2
    return 1 if _FORWARD_WEAK[code].search(sentence) else 0


def _glued_after(head: str, opener: str) -> bool:
    """Whether the word before `opener` can end a caption (see `_GLUED`)."""
    last = _LAST_WORD.search(head)
    if not last or not re.search(r"[\w%)$£€’'\"”]$", last[1]):
        return False
    return opener in ("The", "An") or bool(re.match(r"[a-z0-9$£€]", last[1]))


def split_glued(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences with glued captions cut off into units of their own (offsets kept, so
    every piece is still verbatim article text)."""
    out: list[Sentence] = []
    for sentence in sentences:
        cuts = [0]
        for match in _GLUED.finditer(sentence.text):
            head = sentence.text[cuts[-1] : match.start()]
            tail = sentence.text[match.end() :]
            if not _glued_after(head, match["opener"]):
                continue
            # The end of a quote with no full stop ("£64 a ticket' The cheapest …") is cut
            # off however short: it is never a sentence of its own.
            short_ok = _ENDS_OPEN_QUOTE.search(head) and not _OPENS_ANY.search(head)
            long_enough = count_words(head) >= _MIN_PART_WORDS or short_ok
            if long_enough and count_words(tail) >= _MIN_PART_WORDS:
                cuts.append(match.end())
        for a, b in zip(cuts, [*cuts[1:], len(sentence.text)], strict=True):
            text = sentence.text[a:b].rstrip()
            out.append(
                replace(
                    sentence,
                    text=text,
                    start=sentence.start + a,
                    end=sentence.start + a + len(text),
                    index=len(out),
                )
            )
    return out


# Who speaks a quote. "…," he said / "…," said he: a pronoun the reader can't resolve alone.
_SPEECH_VERB = (
    r"(?:said|says|told|tells|added|adds|explained|wrote|writes|asked|replied|insisted|"
    r"claimed|warned|stated|tweeted|declared|admitted|noted|continued|argued|recalled|"
    r"revealed|confirmed|joked|laughed|conceded|stressed)"
)
_PRONOUN_SAID = re.compile(
    rf"(?<=[,.!?…\-—–][\"'’”»])\s*,?\s*(?P<pronoun>\b(?:he|she|He|She)\b)\s+(?={_SPEECH_VERB}\b)"
    rf"|(?<=[,.!?…\-—–][\"'’”»])\s*,?\s*{_SPEECH_VERB}\s+(?P<after>\b(?:he|she)\b)"
)
_TITLE = (
    r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lady|Lord|Prof|Professor|President|Prime Minister|Mayor|"
    r"Chancellor|Senator|Sen|Rep|Gov|Governor|Judge|Captain|Coach|Manager|Chief|Minister|"
    r"Secretary|General|Inspector|Detective|Officer|Father|Rev|Reverend|Pope|King|Queen|Prince|"
    r"Princess)\.?"
)
_CAP = r"[A-Z][\w'’.-]*[\w]"
_NOT_NAME = frozenset(
    {"He", "She", "They", "It", "We", "I", "You", "The", "A", "An", "This", "That", "These",
    "Those", "But", "And", "His", "Her", "Their", "Its", "Police", "Officials", "Experts",
    "Sources", "Doctors", "Witnesses", "Authorities", "Researchers", "Scientists"}
)  # fmt: skip
_NAME = rf"(?P<name>(?:{_TITLE}\s+)?{_CAP}(?:\s+(?:{_CAP}|de|van|von|da|bin|al)){{0,3}})"
# "Mayor Ana Costa said", "Locke, 39, told", "said Ana Costa", "according to Dr Lee".
_NAMED_SPEAKER = (
    re.compile(rf"{_NAME}(?:,\s[^,]{{1,60}},)?,?\s+(?:has |had |also )?{_SPEECH_VERB}\b"),
    re.compile(rf"\b(?:said|says|added|explained|wrote|asked|according to)\s+{_NAME}"),
)


_JOINED = re.compile(r"(?:\band|&|[A-Z][\w'’-]*,)\s+$")


def pronoun_speaker(sentence: str) -> re.Match[str] | None:
    """Where a quote's speaker is only "he"/"she" ("…," he said): the pronoun's match."""
    return _PRONOUN_SAID.search(sentence)


def named_speakers(sentence: str) -> set[str]:
    """People named as speaking in `sentence`: "Mayor Ana Costa said …" → {"Mayor Ana Costa"}.
    A lone plural opening the sentence ("Engineers said") is a group, not a person; "?"
    stands for a speaker named with another ("Costa and Lee said")."""
    names: set[str] = set()
    for pattern in _NAMED_SPEAKER:
        for match in pattern.finditer(sentence):
            name = match["name"]
            words = name.split()
            if _JOINED.search(sentence, 0, match.start("name")):
                names.add("?")  # "Ana Costa and Bob Lee said": not one person
                continue
            if words[0] in _NOT_NAME:
                continue
            if len(words) == 1 and match.start("name") == 0 and name.endswith("s"):
                continue  # "Engineers said": a group
            names.add(name)
    # "Ana Costa" and "Costa" are one person: keep the longest spelling of each.
    return {n for n in names if not any(o != n and o.endswith(" " + n) for o in names)}


def attribute(quote: str, previous: str) -> str | None:
    """`quote` with its pronoun speaker replaced by the person the previous sentence names
    ("…," [Ana Costa] said), or None when there is no pronoun or the name is not clear."""
    match = pronoun_speaker(quote)
    names = named_speakers(previous)
    if not match or len(names) != 1 or "?" in names:
        return None
    group = "pronoun" if match["pronoun"] else "after"
    start, end = match.span(group)
    return f"{quote[:start]}[{names.pop()}]{quote[end:]}"


_QUOTED = re.compile(r"[\"“„«][^\"”»]*[\"”»]|(?:^|(?<=\s))[‘'][^’']*[’'](?=[\s,.;:!?]|$)")


def looks_ahead(sentence: str, language: str | None = None) -> bool:
    """A planned or scheduled step, said in the writer's own words (not inside a quote):
    what "What happens next" may list."""
    text = sentence.strip()
    if is_bare_quote(text) or text.endswith("?"):
        return False
    return forward_strength(_QUOTED.sub(" ", text), language) == 2
