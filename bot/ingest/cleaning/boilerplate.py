"""Cues that a short line is page furniture rather than article text.

Keyword lists are kept small and multilingual, and they only ever judge *short* lines, so
an article that talks about subscriptions or cookies keeps its paragraphs.
"""

from __future__ import annotations

import re


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(patterns), re.IGNORECASE)


# Paywalls, log-in and sign-up calls, newsletters, cookie banners, ads, legal footers. A
# short line saying one of these is furniture even when it is a full sentence.
PAYWALL = _any(
    # English
    r"subscri(?:be|ption|ber)",
    r"\bsign ?(?:up|in)\b",
    r"\blog ?(?:in|out)\b",
    r"create (?:an |a free )?account",
    r"\bnewsletters?\b",
    r"\bcookies?\b",
    r"privacy (?:policy|notice|settings)",
    r"terms (?:of|and) (?:use|service|conditions)",
    r"all rights reserved",
    r"^\W*advert(?:isement|ising)?\W*$",
    r"(?:requires|enable) javascript",
    r"^\W*(?:ad|sponsored)\W*$",
    r"free (?:articles?|trial|stories)",
    r"unlimited (?:digital )?access",
    r"already (?:a )?(?:subscriber|member|subscribed|have an account)",
    r"cancel any ?time",
    r"continue reading",
    r"^\W*disclaimer\b",
    r"download (?:the|our) app",
    r"skip to (?:main )?content",
    # German, Dutch
    r"abonn",
    r"\banmelden\b",
    r"einloggen",
    r"registrieren",
    r"^\W*(?:werbung|anzeige)\W*$",
    r"alle rechte vorbehalten",
    r"datenschutz",
    r"\bimpressum\b",
    r"inloggen",
    r"\badvertentie\b",
    # Spanish, Portuguese, Italian, French
    r"suscr[ií]b",
    r"suscripci[oó]n",
    r"iniciar sesi[oó]n",
    r"reg[ií]strate",
    r"^\W*publicidad\W*$",
    r"derechos reservados",
    r"\bassin(?:e|ar|atura|ante)\b",
    r"inscreva",
    r"^\W*publicidade\W*$",
    r"direitos reservados",
    r"abbonat",
    r"^\W*accedi\b",
    r"iscriviti",
    r"^\W*pubblicit[aà]\W*$",
    r"diritti riservati",
    r"s'abonner",
    r"se connecter",
    r"^\W*publicit[eé]\W*$",
    r"droits r[eé]serv[eé]s",
    # Russian, Polish, Indonesian, Turkish
    r"подпи(?:с|ш)",
    r"\bвойти\b",
    r"регистрац",
    r"^\W*реклама\W*$",
    r"все права защищены",
    r"subskryb",
    r"zaloguj",
    r"berlangganan",
    r"^\W*iklan\W*$",
    r"abone ol",
    r"giriş yap",
    # Japanese, Korean, Chinese
    r"ログイン",
    r"会員登録",
    r"^\W*広告\W*$",
    r"無断(?:転載|複製)",
    r"로그인",
    r"구독",
    r"무단\s*전재",
    r"^\W*광고\W*$",
    r"登录",
    r"订阅",
    r"版权所有",
    r"^\W*广告\W*$",
)

# Widgets: sharing rows, "read more" and "related" links, tags, captions and credits,
# menus. Only lines that are not sentences are judged by these.
WIDGET = _any(
    # English
    r"^\W*share\b",
    r"^\W*[\d.,]+[km]?\s+(?:shares?|likes?|views?)\W*$",
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
PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\$\{[^}]*\}|\{%.*?%\}|\[\[[^\]]*\]\]")

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
_COMMENTS = [
    r"^\W*\d+\s+(?:comments?|responses?|replies|reactions)\b",
    r"^\W*(?:\d+|one)\s+(?:thoughts?|responses?|replies|comments?)\s+(?:on|to)\b",
    r"^\W*(?:top |all |reader )?comments?\s*[(\[]?\d*[)\]]?\W*$",
    r"leave a (?:reply|comment)",
    r"comments? (?:are|is) closed",
    r"(?:top|most) rated comments",
    r"(?:view|show|read|load) (?:all )?\d* ?comments",
    r"(?:post|add|write) a comment",
    r"join the (?:discussion|conversation)",
    r"^\W*\d*\s*kommentare?\b",
    r"^\W*\d*\s*coment[aá]rios?\b",
    r"^\W*\d*\s*commenti\b",
    r"^\W*\d*\s*commentaires?\b",
    r"^\W*\d*\s*комментари",
    r"^\W*\d*\s*komentar\b",
    r"^\W*\d*\s*comentarios?\b",
    r"^\W*\d*\s*reacties\b",
    r"^\W*\d*\s*komentarze\b",
    r"^\W*\d*\s*(?:件の)?コメント",
    r"^\W*\d*\s*댓글",
    r"^\W*\d*\s*评论",
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
