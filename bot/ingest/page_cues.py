"""Phrases that say what a page is when it isn't an article, in several languages.

Pure data and one matcher. The cues only ever judge the short lines of a page (buttons,
headings, prompts) and its title: a story that talks about cookies or log-ins keeps its
paragraphs, and `bot.ingest.page_kind` looks at the cues only when there is little prose.
All cues are lower case and matched against lower-cased text.
"""

from __future__ import annotations

import re
from functools import cached_property


class Cue:
    """Phrases as one regex, behind a cheap test: a text holding none of `keys` (substrings
    every phrase contains) is never searched. Regexes of many alternatives cost a try at
    every position of a text; `in` costs almost nothing."""

    def __init__(self, *patterns: str, keys: tuple[str, ...] = ()) -> None:
        self.source = "|".join(f"(?:{p})" for p in patterns)
        self.keys = keys

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        # Compiled on first use (~20 ms for all): most articles never need the cues.
        return re.compile(self.source)

    def may_match(self, lowered: str) -> bool:
        return not self.keys or any(key in lowered for key in self.keys)

    def search(self, lowered: str) -> bool:
        return self.may_match(lowered) and self.pattern.search(lowered) is not None


def _cues(*patterns: str, keys: tuple[str, ...] = ()) -> Cue:
    return Cue(*patterns, keys=keys)


# "Page not found" pages: in the title, a heading or the first lines.
NOT_FOUND = _cues(
    r"^\W{0,5}(?:error\W{0,3})?404\b",
    r"\b404\W{0,3}(?:error|not found|page|fehler|seite|p[aá]gina|erreur|errore|erro|sayfa)",
    r"\b(?:error|fehler|erreur|errore|erro|b[łl][aą]d|ошибка|hata)\W{0,3}404\b",
    # English
    r"\bpage (?:was )?not found\b",
    r"\bpage (?:you (?:were |are )?(?:looking for|requested)|requested) "
    r"(?:could not|couldn['’]t|cannot|can['’]t|does ?n['’o]?t|no longer|was not|is not)",
    r"\b(?:this|that|the) page (?:does ?n['’o]?t|does not|no longer) exists?\b",
    r"\b(?:we|i) (?:can['’]t|cannot|could ?n['’o]?t|could not) find (?:that|the|this) page\b",
    r"\bpage (?:cannot|can['’]t|could not|couldn['’]t) be found\b",
    r"\boops!? (?:that|this) page\b",
    # German, Dutch
    r"\bseite (?:wurde )?nicht gefunden\b",
    r"\bseite (?:existiert nicht|konnte nicht gefunden werden|ist nicht (?:mehr )?verfügbar)",
    r"\bpagina (?:is )?niet gevonden\b",
    r"\bdeze pagina bestaat (?:niet|helaas niet)",
    # Spanish, Portuguese, Italian, French
    r"\bp[aá]gina no (?:encontrada|existe|disponible)\b",
    r"\bno (?:hemos podido|pudimos|podemos|se ha podido|se pudo) encontrar (?:la|esta) p[aá]gina",
    r"\bp[aá]gina n[aã]o (?:encontrada|existe)\b",
    r"\bpagina non (?:trovata|esiste|disponibile)\b",
    r"\bpage (?:introuvable|non trouv[ée]e)\b",
    r"\b(?:cette|la) page (?:n['’]existe (?:pas|plus)|est introuvable)",
    # Polish, Czech, Russian, Turkish, Scandinavian, Indonesian
    r"\bnie znaleziono strony\b",
    r"\bstrona nie (?:została znaleziona|istnieje)\b",
    r"\bstránka nebyla nalezena\b",
    r"страница не найдена",
    r"такой страницы (?:нет|не существует)",
    r"\bsayfa bulunamad[ıi]",
    r"\bsidan (?:kunde inte hittas|finns inte|blev ikke fundet|findes ikke|finnes ikke)\b",
    r"\bhalaman tidak ditemukan\b",
    # Japanese, Chinese, Korean
    r"ページが見つかりません",
    r"ページは見つかりませんでした",
    r"页面不存在|找不到(?:该|您要的)?页面|页面未找到|找不到該?頁面|頁面不存在",
    r"페이지를 찾을 수 없습니다",
)

# Sign-in forms: the prompt, and the word "password" beside it.
LOGIN = _cues(
    r"^\W{0,5}(?:sign|log) ?(?:in|on)\b",
    r"\b(?:sign|log) ?in (?:to|with|using)\b",
    r"\bforgot (?:your )?password\b",
    r"\bremember me\b",
    r"\bkeep me (?:signed|logged) in\b",
    r"\b(?:don['’]t|do not) have an account\b",
    r"^\W{0,5}(?:anmelden|einloggen|login|log-in|inloggen|zaloguj się)\b",
    r"\bpasswort vergessen\b|\bangemeldet bleiben\b",
    r"\bwachtwoord vergeten\b",
    r"\binicia(?:r)? sesi[oó]n\b|\bolvidaste (?:tu|su) contraseña\b|\brecordarme\b",
    r"\biniciar sess[aã]o\b|\besqueceu (?:sua |a )?senha\b",
    r"^\W{0,5}(?:se connecter|connexion|identifiez-vous)\b|\bmot de passe oubli[ée]\b",
    r"^\W{0,5}accedi\b|\bpassword dimenticata\b|\bricordami\b",
    r"\bnie pamiętasz hasła\b",
    r"^\W{0,5}(?:войти|вход)\b|\bзабыли пароль\b",
    r"ログイン|パスワードをお忘れ",
    r"登录|登入|忘记密码",
    r"로그인",
)
PASSWORD = _cues(
    r"\bpass(?:word|wort)\b",
    r"\bcontraseña\b|\bsenha\b|\bmot de passe\b|\bwachtwoord\b|\bhasło\b|\bpasswort\b",
    r"\bheslo\b|\bşifre\b|\blösenord\b|\badgangskode\b|\bpassord\b|\bkata sandi\b",
    r"пароль|パスワード|密码|密碼|비밀번호",
)

# Cookie-consent walls: a cookie (or consent) notice and its buttons.
COOKIE = _cues(
    r"cookie",
    r"\bciasteczk",
    r"\bкуки\b",
    r"クッキー",
    r"쿠키",
)
CONSENT = _cues(
    # English
    r"\b(?:accept|agree|allow|reject|decline|manage|customi[sz]e)\b",
    r"\b(?:consent|preferences|privacy|legitimate interest|partners|vendors)\b",
    # German, Dutch
    r"\b(?:akzeptieren|zustimmen|einverstanden|ablehnen|einwilligung|einstellungen)\b",
    r"\b(?:datenschutz|privatsphäre|berechtigtes interesse|partner)",
    r"\b(?:accepteren|akkoord|weigeren|toestemming|instellingen)\b",
    # Spanish, Portuguese, Italian, French
    r"\b(?:aceptar|acepto|rechazar|consentimiento|configurar|privacidad|inter[eé]s leg[ií]timo)\b",
    r"\b(?:aceitar|aceito|recusar|consentimento|privacidade)\b",
    r"\b(?:accetta|accetto|rifiuta|consenso|impostazioni)\b",
    r"\b(?:accepter|j['’]accepte|refuser|consentement|param[eé]trer|confidentialit[eé])",
    r"\bint[eé]r[eê]t l[eé]gitime\b",
    # Polish, Russian, Japanese, Chinese, Korean
    r"\b(?:akceptuj|zgod[aęy]|odrzuć|prywatnoś)",
    r"принять|согласи|отклонить|конфиденциальн",
    r"同意|承諾|接受|拒绝|동의",
)
# A site speaking of its own cookies ("we use cookies"), and notice phrases that need no
# "cookie" beside them.
CONSENT_NOTICE = _cues(
    r"\b(?:we|this (?:web)?site|our (?:web)?site) (?:also )?uses? cookies\b",
    r"\b(?:wir|diese (?:web)?seite|diese website) (?:verwenden|nutzen|verwendet|nutzt) cookies\b",
    r"\b(?:utilizamos|usamos|este sitio(?: web)? utiliza) cookies\b",
    r"\beste site (?:utiliza|usa) cookies\b",
    r"\b(?:nous utilisons|ce site utilise) (?:des )?cookies\b",
    r"\b(?:utilizziamo|usiamo|questo sito (?:utilizza|usa)) (?:i )?cookie",
    r"\b(?:wij gebruiken|deze (?:web)?site gebruikt) cookies\b",
    r"\bużywamy (?:plików )?cookie",
    r"мы используем (?:файлы )?(?:cookie|куки)",
    r"(?:当サイト|本サイト)(?:では)?(?:クッキー|cookie)",
    r"\bwe value your privacy\b",
    r"\bwe and our (?:\d+ )?partners\b",
    r"\bwir und unsere (?:\d+ )?partner\b",
    r"\bihre privatsphäre ist uns wichtig\b",
    r"\bwir respektieren ihre privatsphäre\b",
    r"\bnosotros y nuestros (?:\d+ )?socios\b",
    r"\bnous et nos (?:\d+ )?partenaires\b",
    r"\bnoi e i nostri (?:\d+ )?(?:partner|fornitori)\b",
    r"\bn[oó]s e os nossos (?:\d+ )?parceiros\b",
    keys=(
        "cookie", "куки", "クッキー", "privacy", "privatsph", "partner", "socios",
        "partenaires", "fornitori", "parceiros",
    ),
)  # fmt: skip

# Paywall prompts: the article is for subscribers.
PAYWALL = _cues(
    # English
    r"\bsubscribe (?:now )?to (?:continue|read|keep reading|unlock|get)",
    r"\b(?:to )?continue reading,? (?:please )?(?:subscribe|log in|sign in|become)",
    r"\balready (?:a )?(?:subscriber|member)\b",
    r"\b(?:this|the) (?:article|story|content|piece) is (?:only )?(?:available|reserved|exclusive)"
    r" (?:to|for) (?:our )?(?:paying )?(?:subscribers|members)",
    r"\b(?:subscribers|members)[- ]only\b",
    r"\byou['’]ve (?:reached|used) (?:your|all your) (?:free|monthly)",
    r"\bunlock (?:this|the full) (?:article|story)\b",
    r"\bget unlimited (?:digital )?access\b",
    # German, Dutch
    r"\b(?:bereits|schon) abonnent\b",
    r"\b(?:exklusiv|nur) für abonnenten\b",
    r"\b(?:jetzt )?weiterlesen mit\b",
    r"\bum (?:diesen artikel )?weiterzulesen\b",
    r"\b(?:al|reeds) abonnee\b|\balleen voor abonnees\b",
    # Spanish, Portuguese, Italian, French
    r"\bya eres suscriptor\b|\bexclusivo para suscriptores\b|\bpara seguir leyendo\b",
    r"\bj[aá] [eé] assinante\b|\bexclusivo para assinantes\b|\bpara continuar lendo\b",
    r"\bsei già abbonato\b|\briservato agli abbonati\b|\bper continuare a leggere\b",
    r"\bd[eé]j[aà] abonn[eé]\b|\br[eé]serv[eé] aux abonn[eé]s\b|\bpour lire la suite\b",
    # Polish, Russian, Japanese, Chinese, Korean
    r"\btylko dla (?:prenumeratorów|subskrybentów)\b",
    r"только для подписчиков|оформите подписку|чтобы (?:продолжить|дочитать)",
    r"有料会員|会員限定|続きを読むには",
    r"订阅后阅读|付费(?:内容|阅读)",
    r"구독자 전용",
)

# A price: "$19.99", "€ 29,95", "29,95 €", "1.299 kr", "US$ 5", "¥1,980".
PRICE = _cues(
    r"(?<![\w$])(?:us\$|r\$|a\$|c\$|[$€£¥₹₽₩]|chf|eur|usd|gbp)\s?\d[\d.,' ]{0,12}",
    r"\d[\d.,' ]{0,12}\s?(?:[$€£¥₹₽₩円元]|eur|usd|chf|gbp|kr|zł|руб|lei|kč)(?!\w)",
)
# Shop buttons, in a grid's every tile.
SHOP = _cues(
    r"\badd to (?:cart|basket|bag)\b|\bbuy now\b|\bfree shipping\b|\bsold out\b",
    r"\bin den warenkorb\b|\bwarenkorb\b|\bin winkelwagen\b",
    r"\bañadir al carrito\b|\bagregar al carrito\b|\badicionar ao carrinho\b",
    r"\bajouter au panier\b|\baggiungi al carrello\b",
    r"\bdo koszyka\b|в корзину|カートに入れる|加入购物车|장바구니",
)


def matches(cue: Cue, text: str) -> bool:
    """Whether `text` (any case) says `cue`."""
    return cue.search(text.lower())
