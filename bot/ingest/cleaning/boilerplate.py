"""Cues that a short line is page furniture rather than article text.

Keyword lists are kept small and multilingual, and they only ever judge *short* lines, so
an article that talks about subscriptions or cookies keeps its paragraphs.
"""

from __future__ import annotations

import re

# Non-word characters allowed between a sentence's start and its first word. Unbounded
# (`\W*`), every ". " of a line of ". . . ." rescans the rest of the line: quadratic time.
_GAP = 30


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(patterns), re.IGNORECASE)


class Cues:
    r"""A set of keyword cues, grouped so that one search of a line is cheap.

    sre rejects an alternative that starts with a literal character in one step, but tries
    `\b...` or `^...` alternatives in full at every position: so the cues sit behind one
    shared anchor per group and are matched against lower-cased text (about 5x faster than
    one case-insensitive alternation of 100 cues, which cost ~3 ms per page).

    start: at the line's start (after punctuation); sentence: at the start of the line or
    of a sentence in it; words: at a word's start; inside: anywhere, even inside words.
    Cues are lower case.
    """

    def __init__(
        self,
        *,
        start: tuple[str, ...] = (),
        sentence: tuple[str, ...] = (),
        words: tuple[str, ...] = (),
        inside: tuple[str, ...] = (),
    ) -> None:
        groups: list[str] = []
        if start:
            groups.append(r"^\W*(?:" + "|".join(start) + ")")
        if sentence:
            gap = rf"\W{{0,{_GAP}}}"
            groups.append(r"(?:^|[.!?…]\s)" + gap + "(?:" + "|".join(sentence) + ")")
        if words:
            groups.append(r"\b(?:" + "|".join(words) + ")")
        groups.extend(inside)
        self.pattern = re.compile("|".join(groups))

    def search(self, text: str) -> bool:
        return self.pattern.search(text.lower()) is not None


# Calls to action: paywall and membership prompts, log-in and sign-up buttons, donation
# asks, cookie banners, ads. Phrase-level, so narrative text seldom says them: a short
# line that does is furniture even when it is a full sentence.
CTA = Cues(
    start=(
        # English
        r"(?:join|become) (?:a |an |our |us )?(?:free )?"
        r"(?:member|subscriber|supporter|patron|friend|insider)s?\b",
        r"support (?:us|our (?:work|journalism|reporting)|(?:independent|quality|local) "
        r"(?:journalism|reporting|news))\b",
        r"continue reading\b",
        # Membership perks: "Members get ad-free reading and exclusive stories."
        r"(?:members|subscribers) (?:get|enjoy|receive)\b.{0,60}"
        r"\b(?:ad-free|exclusive|unlimited|early access)",
        r"advert(?:isement|ising)?\W*$",
        r"(?:ad|sponsored)\W*$",
        r"disclaimer\b",
        r"(?:yes,? )?i (?:agree|accept|consent)\b",
        # German, Dutch
        r"(?:abonnieren|anmelden|einloggen|registrieren)\b",
        r"(?:werbung|anzeige)\W*$",
        r"(?:abonneer|log in om)\b",
        r"advertentie\W*$",
        # Spanish, Portuguese, Italian, French
        r"publicidad\W*$",
        r"assine\b",
        r"publicidade\W*$",
        r"abbonati (?:a|ora|subito)\b",
        r"accedi\b",
        r"pubblicit[aà]\W*$",
        r"s'(?:abonner|inscrire)\b",
        r"publicit[eé]\W*$",
        # Russian, Indonesian
        r"войти\b",
        r"реклама\W*$",
        r"iklan\W*$",
        # Japanese, Korean, Chinese
        r"(?:ログイン|会員登録)\W*$",
        r"広告\W*$",
        r"(?:로그인|구독)\W*$",
        r"광고\W*$",
        r"(?:登录|订阅)\W*$",
        r"广告\W*$",
    ),
    # Imperatives opening a line or a sentence ("... journalism. Donate today.").
    sentence=(
        r"(?:subscribe|sign ?up|sign ?in|log ?in|register|donate)\b(?!-)"
        r"(?! (?:is|was|are|were|has|had|will|would)\b)",
    ),
    words=(
        # English
        r"donate (?:now|today)\b",
        r"make a (?:donation|contribution)\b",
        r"(?:subscribe|register|sign up|join) (?:now|today|for free|free)\b",
        r"(?:sign up|subscribe|register) (?:for|to) (?:our|the daily|the weekly|the morning|"
        r"free)\b",
        r"(?:log|sign) ?in to (?:read|continue|comment|keep|access|view|save|unlock|get)\b",
        r"(?:to|and) (?:continue|keep|start) reading\b",
        r"read the (?:full|whole|rest of the) (?:story|article)\b",
        r"already (?:a |an )?(?:subscriber|member|subscribed|registered|have an account)",
        r"(?:start|begin|try) (?:your|a|our) (?:free )?(?:trial|subscription)\b",
        r"(?:\d+|no|one|two|three|four|five) (?:more )?(?:free )?(?:articles?|stories|reads) "
        r"(?:left|remaining)\b",
        r"(?:articles?|stories) (?:left|remaining) this (?:month|week)\b",
        r"reached (?:your|the) (?:\w+ )?(?:limit|maximum)\b",
        r"free (?:articles?|stories) (?:this|per|a|each) (?:month|week)\b",
        r"(?:subscribers?|members?)[- ]only\b",
        r"(?:exclusive|available|reserved) (?:to|for) (?:our )?(?:paying )?"
        r"(?:subscribers|members)\b",
        r"unlimited (?:digital )?access\b",
        r"cancel any ?time\b",
        r"(?:we|this (?:site|website)|our (?:site|website)) uses? cookies\b",
        r"cookie (?:policy|settings|preferences|consent|notice)\b",
        r"(?:accept|reject|allow|manage) (?:all|cookies|preferences|consent)\b",
        r"by (?:continuing|clicking|browsing|using (?:this|our) (?:site|website))\b",
        r"create (?:an |a free |your )?account\b",
        r"download our app\b",
        # The site asking about itself: "Tell us what you think about our new look by taking
        # this survey".
        r"tell us what you think\b",
        r"(?:take|taking|complete|fill out) (?:our|this|a|the) (?:short |quick |brief )?"
        r"(?:survey|questionnaire)\b",
        r"this (?:article|story|content) is (?:only )?(?:available|reserved|exclusive|free)\b",
        r"(?:requires|enable) javascript",
        r"skip to (?:main )?content",
        # German, Dutch
        r"jetzt (?:abonnieren|anmelden|registrieren|einloggen|testen|weiterlesen|gratis)",
        r"(?:newsletter|abo|abonnement) (?:abonnieren|bestellen|abschlie(?:ß|ss)en)\b",
        r"bereits (?:abonnent|abonniert|registriert|kunde)",
        r"(?:um|zum) weiter(?:zu)?lesen\b",
        r"weiterlesen mit\b",
        r"wir (?:verwenden|nutzen) cookies\b",
        r"(?:diese|unsere) (?:website|seite|webseite) (?:verwendet|nutzt) cookies\b",
        r"impressum\b",
        r"word (?:abonnee|lid)\b",
        # Spanish, Portuguese, Italian, French
        r"ya eres (?:suscriptor|socio|miembro|usuario)",
        r"inicia(?:r)? sesi[oó]n\b",
        r"(?:suscr[ií]bete|reg[ií]strate|hazte (?:socio|suscriptor|miembro))\b",
        r"te quedan? \d+ (?:art[ií]culos|noticias)",
        r"art[ií]culos gratis\b",
        r"(?:exclusivo|reservado|exclusiva) para (?:suscriptores|socios|abonados|assinantes)\b",
        r"para (?:seguir|continuar) (?:leyendo|lendo)\b",
        r"(?:usamos|utilizamos) cookies\b",
        r"j[aá] (?:é|sou) (?:assinante|cadastrado)",
        r"assine (?:j[aá]|agora)\b",
        r"(?:inscreva|cadastre)-se\b",
        r"fa[cç]a (?:o )?(?:login|seu cadastro)\b",
        r"sei gi[aà] (?:abbonato|registrato|iscritto)",
        r"iscriviti\b",
        r"per continuare a leggere\b",
        r"raggiunto il limite\b",
        r"articoli gratuiti\b",
        r"utilizziamo (?:i )?cookie",
        r"abonnez-vous\b",
        r"d[eé]j[aà] abonn[eé]",
        r"se connecter\b",
        r"inscrivez-vous\b",
        r"(?:r[eé]serv[eé]e?|exclusi(?:f|ve)) aux abonn[eé]s\b",
        r"il vous reste \d+",
        r"pour (?:lire|continuer) la suite\b",
        r"nous utilisons des cookies\b",
        # Russian, Polish, Indonesian, Turkish
        r"подпишитесь\b",
        r"зарегистрируйтесь\b",
        r"мы используем (?:файлы )?cookie",
        r"zaloguj\b",
        r"subskrybuj\b",
        r"berlangganan sekarang\b",
        r"abone ol",
        r"giriş yap",
    ),
    # Japanese, Korean, Chinese: no spaces, so no word boundaries.
    inside=("有料会員", "会員限定", "続きを読む", "구독하기", "立即订阅"),
)

# Topics of page furniture that articles talk about too ("230 million subscribers", "she
# baked cookies"): a short line naming one is furniture only if it is not a sentence.
TOPIC = Cues(
    words=(
        r"sign ?(?:up|in)\b",
        r"log ?(?:in|out)\b",
        r"newsletters?\b",
        r"cookies?\b",
        r"membership\b",
        r"ad-free\b",
        r"anmelden\b",
        r"assin(?:e|ar|atura|ante)s?\b",
        r"войти\b",
    ),
    inside=(
        r"subscri(?:be|ption|ber)",
        r"privacy (?:policy|notice|settings)",
        r"terms (?:of|and) (?:use|service|conditions)",
        r"free (?:articles?|trial|stories)",
        r"donat(?:e|ion)",
        r"download (?:the|our) app",
        r"abonn",
        r"einloggen",
        r"registrieren",
        r"datenschutz",
        r"inloggen",
        r"suscr[ií]b",
        r"suscripci[oó]n",
        r"suscriptor",
        r"inscreva",
        r"abbonat",
        r"iscriviti",
        r"s'abonner",
        r"подпи(?:с|ш)",
        r"регистрац",
        r"subskryb",
        r"berlangganan",
        r"ログイン",
        r"会員登録",
        r"로그인",
        r"구독",
        r"登录",
        r"订阅",
    ),
)

# The reader addressed directly ("your subscription", "vous"): with a topic above, a call
# to action, not narrative. Lines with quotation marks are exempt (someone said it).
SECOND_PERSON = _any(
    r"\byou(?:rs?|['’](?:re|ve|ll|d))?\b",
    r"\b(?:vous|votre|vos)\b",
    r"\b(?:usted|ustedes|tus?)\b",
    r"\b(?:você|vocês)\b",
    r"\b(?:tuoi|tuo|tua|tue)\b",
    r"\b(?:вы|вас|вам|ваш\w*)\b",
)
# Quotation marks; a single quote only at a word's edge ("day’s" is an apostrophe).
QUOTED = re.compile(r"[\"“”„«»‚‹›「」『』]|(?:^|\s)['‘’]|['‘’](?:\s|$)")
# An imperative opening a line or a sentence: with a topic above, a call to action ("Get
# the day's headlines in our newsletter.", "Want more deals? Join our newsletter.").
IMPERATIVE = _any(
    r"(?:^|[.!?…]\s)\W{0,30}(?:join|get|click|tap|try|start|follow|download|enter|want|receive|"
    r"read|sign|subscribe|register|create|don['’]t miss|never miss)\b"
)

# Widgets: sharing rows, "read more" and "related" links, tags, captions and credits,
# menus. Only lines that are not sentences are judged by these.
WIDGET = _any(
    # English
    r"^\W*share\b",
    # Not `^\W*[\d.,]+`: both parts take "." and ",", which is quadratic on ",,,,...".
    r"^\W*(?:\d[\d.,]*|[.,])[km]?\s+(?:shares?|likes?|views?)\W*$",
    r"^\W*(?:tweet|pin|buffer|like|flip|save)\W*$",
    r"click to tweet",
    r"share (?:this|on|via)\b",
    r"follow us",
    r"\b(?:whatsapp|facebook|twitter|linkedin|pinterest|instagram|reddit|telegram|flipboard)\b",
    r"^\W*(?:e-?mail|print|reply|menu|search|home|watch|listen|video|photos?)\W*$",
    r"^\W*(?:related|trending|popular|tags?|topics?|categor(?:y|ies)|filed under)\b",
    r"\b(?:read|see|view|show|load) (?:more|next|also|all|full)\b",
    r"more (?:from|stories|news|on)\b",
    r"click here",
    r"^\W*(?:next|previous|prev) (?:article|post|story|page)",
    r"back to top",
    r"^\W*(?:image|photo|picture|foto|bild|credit)s?\s*:",
    r"(?:image|photo|picture) (?:credit|source|courtesy)",
    r"getty images",
    r"\b(?:contact|about) us\b",
    r"you (?:may|might) also like",
    r"per (?:month|year|week)",
    r"/ ?(?:month|year|mo|yr)\b",
    # Other languages
    r"\bteilen\b",
    r"lesen sie (?:auch|mehr)",
    r"mehr zum thema",
    r"compart(?:ir|ilhe|ilhar|e)\b",
    r"lea tambi[eé]n",
    r"leia (?:tamb[eé]m|mais)",
    r"relacionad[ao]s",
    r"condividi",
    r"leggi anche",
    r"partager",
    r"lire aussi",
    r"поделиться",
    r"читайте также",
    r"bagikan",
    r"baca juga",
    r"シェア",
    r"ツイート",
    r"関連記事",
    r"공유",
    r"관련\s*기사",
    r"分享",
    r"相关文章",
)

# Photo captions and credits: "Image caption ...", "... (AP Photo/Jane Doe)", "3 of 4 ...".
CAPTION = _any(
    r"^\W*(?:image|photo|picture|video) caption\b",
    r"\((?:[^()]*\b(?:photo|image|picture|foto)s?\b[^()]*)\)\W*$",
    r"\b(?:photo|image|picture|foto)s?\s*(?:credit|by|:)\s*[^.!?]{0,60}$",
    r"\b(?:credit|source|fonte|fuente|quelle|bild):\s*[^.!?]{0,60}$",
    r"getty images\W*$",
    r"^\d+ (?:of|/) \d+\s",
)

# Unrendered template fields: {{free_limit}}, ${count}, {% if %}, [[name]].
# Each stops at the next opening brace too: `\{\{.*?\}\}` rescans the rest of a line of
# "{{{{..." from every "{{" (quadratic).
PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}|\$\{[^{}]*\}|\{%[^%]*%\}|\[\[[^\[\]]*\]\]")
_FIELD_NAME = re.compile(r"\s*[A-Za-z_][\w.]*\s*")
# Next to a placeholder these mean code being shown ("${HOME}/backups", `{{ x }}`).
_CODE_NEIGHBOUR = re.compile(r"[\w\"'`“”‘’/\\=$<>|]")


# An unrendered CMS shortcode with its attributes or its closing tag: "[button link="…"]
# Send us your review[/button]", "[caption id="attachment_12" …]". Not "[1]", "[sic]",
# "[Engadget]" or a link in brackets: those have neither.
SHORTCODE = re.compile(
    r"\[([a-z][a-z_-]{1,30})\s+[a-z_-]+\s*=\s*[\"“”'][^\]]{0,300}\]|\[/[a-z][a-z_-]{1,30}\]"
)


def template_field(text: str) -> bool:
    """Does `text` hold an unrendered template field, rather than code quoted in prose?

    A field is a bare name in spaces ("You have {{free_limit}} free articles left"), or a
    CMS shortcode (`SHORTCODE`); code is quoted, glued to a path, or an expression
    ("{{ .Values.image.tag }}", "${HOME:-/}").
    """
    if "[" in text and SHORTCODE.search(text):
        return True
    for match in PLACEHOLDER.finditer(text):
        raw = match.group()
        inner = raw[2:-1] if raw.startswith("${") else raw[2:-2]
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        if _CODE_NEIGHBOUR.match(before) or _CODE_NEIGHBOUR.match(after):
            continue
        if raw.startswith("{%") or _FIELD_NAME.fullmatch(inner):
            return True
    return False


# A site's legal footer: the page is over ("© 2019 CBS Interactive Inc. All Rights Reserved.").
LEGAL_FOOTER = _any(
    r"(?:©|\(c\)|copyright)\s*(?:19|20)\d\d",
    r"(?:19|20)\d\d\s*(?:©|\(c\))",
)
RIGHTS_RESERVED = _any(
    r"all rights reserved",
    r"alle rechte vorbehalten",
    r"(?:todos los )?derechos reservados",
    r"(?:todos os )?direitos reservados",
    r"tutti i diritti riservati",
    r"tous droits r[eé]serv[eé]s",
    r"все права защищены",
    r"hak cipta",
    r"無断(?:転載|複製)",
    r"무단\s*전재",
    r"版权所有",
)

COPYRIGHT = re.compile(r"©|\(c\)\s*(?:19|20)\d\d|copyright\s+(?:©\s*)?(?:19|20)\d\d", re.I)

# Prices and plan terms: "₹900", "$4.99/month", "3 Months".
PRICE = re.compile(
    r"^[^\w]*[$€£¥₹₽₩]\s?\d|^\d[\d.,]*\s?[$€£¥₹₽₩]|^\d+\s+(?:months?|years?|weeks?)$", re.I
)

# Where the article is certainly over: the comments begin. Nothing after is article text.
# "^\W*(?:\d+\s*)?" is "^\W*\d*\s*" without the overlap (\s is \W) that made a line of
# spaces and dots quadratic.
_COMMENTS = [
    r"^\W*\d+\s+(?:comments?|responses?|replies|reactions)\b",
    r"^\W*(?:\d+|one)\s+(?:thoughts?|responses?|replies|comments?)\s+(?:on|to)\b",
    # `\s*[(\[]?\d*[)\]]?\W*$` without the overlap of `\s*` and `\W*` (quadratic).
    r"^\W*(?:top |all |reader )?comments?(?:\s*[(\[]?\d+[)\]]?)?\W*$",
    r"leave a (?:reply|comment)",
    r"comments? (?:are|is) closed",
    r"(?:top|most) rated comments",
    r"(?:view|show|read|load) (?:all )?\d* ?comments",
    r"(?:post|add|write) a comment",
    r"join the (?:discussion|conversation)",
    r"^\W*(?:\d+\s*)?kommentare?\b",
    r"^\W*(?:\d+\s*)?coment[aá]rios?\b",
    r"^\W*(?:\d+\s*)?commenti\b",
    r"^\W*(?:\d+\s*)?commentaires?\b",
    r"^\W*(?:\d+\s*)?комментари",
    r"^\W*(?:\d+\s*)?komentar\b",
    r"^\W*(?:\d+\s*)?comentarios?\b",
    r"^\W*(?:\d+\s*)?reacties\b",
    r"^\W*(?:\d+\s*)?komentarze\b",
    r"^\W*(?:\d+\s*)?(?:件の)?コメント",
    r"^\W*(?:\d+\s*)?댓글",
    r"^\W*(?:\d+\s*)?评论",
]
COMMENTS = re.compile("|".join(_COMMENTS), re.IGNORECASE)

# Recommendations of other content: whatever follows is not this article.
MORE_ELSEWHERE = _any(
    r"more (?:from|stories|articles)\b",
    r"most (?:read|popular|viewed|shared)",
    r"^recommended",
    r"you (?:may|might) (?:also )?(?:like|enjoy)",
    r"voc[eê] (?:pode|tamb[eé]m vai|vai) gostar",
    r"te (?:puede|podr[ií]a) interesar",
    r"tambi[eé]n te (?:puede )?gust",
    r"potrebbe(?:ro)? interessarti",
    r"vous aimerez aussi",
    r"вам (?:может быть|будет) интересно",
    r"artikel lainnya",
    r"anda mungkin (?:juga )?suka",
    r"^(?:das|auch) k[öo]nnte sie",
)

# Lines that open a list of other stories or an author box: the article is probably over.
_END_MARKERS = [
    r"related (?:stories|articles|posts|news|content|coverage|reading)",
    r"^related\W*$",
    r"^about the author",
    r"^(?:more|further) reading",
    r"mehr zum thema",
    r"noticias relacionadas",
    r"not[ií]cias relacionadas",
    r"^(?:veja|leia) tamb[eé]m\W*$",
    r"articoli correlati",
    r"^[àa] lire aussi\W*$",
    r"^lire aussi\W*$",
    r"похожие (?:статьи|новости)",
    r"^читайте также\W*$",
    r"berita terkait",
    r"artikel terkait",
    r"関連記事",
    r"관련기사",
    r"相关文章",
]
END_MARKER = re.compile("|".join(_END_MARKERS), re.IGNORECASE)
