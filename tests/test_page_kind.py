"""Pages that aren't articles (sign-in, cookie wall, 404, paywall, shop, link list, a few words)
are said to be so, on every surface and for both engines, and articles are never taken for them.

The classifier is pure (`bot.ingest.page_kind`); the fixture pages (tests/fixtures/not_articles) go
through the real ingest, the pipeline, the CLI and the Slack app.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.errors import NotArticlePage
from bot.ingest import Article, from_html, from_text
from bot.ingest.page_kind import Kind, PageText, code_or_data, page_kind, text_page
from bot.ingest.page_signals import html_page
from bot.pipeline import Pipeline
from bot.settings import Settings, get_settings
from tests.servers.articles import STORY_HTML, ArticleServer
from tests.servers.fake_openai import FakeOpenAI, fake_openai_server  # noqa: F401
from tests.servers.fake_slack import FakeSlack
from tests.servers.slack_app import model_harness

PAGES = Path(__file__).parent / "fixtures" / "not_articles"
SEED = (Path(__file__).parent / "fixtures" / "seed_paywall.txt").read_text(encoding="utf-8")

NOTE = (
    "The ferry to the island will run all winter for the first time, the operator said on "
    "Tuesday, after years of requests from the people who live there."
)
BRIEF = [  # a real news brief is this short: 60 words, and still an article
    "The son of a former president was stabbed to death during a talk at a Berlin clinic "
    "on Tuesday evening, police said.",
    "A man who tried to stop the attacker was badly hurt. The suspect, a 57-year-old, was "
    "arrested at the scene and is being questioned by detectives.",
]


def _kind(paragraphs: list[str] | tuple[str, ...], page: PageText | None = None) -> Kind:
    return page_kind(paragraphs, page).kind


# --- the classifier ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["hello", "asdf", "Hello world.", "summarize this please"])
def test_a_few_words_are_too_short(text: str) -> None:
    assert _kind([text], text_page(text)) is Kind.TOO_SHORT


def test_a_tweet_length_note_and_a_short_brief_are_articles() -> None:
    assert _kind([NOTE], text_page(NOTE)) is Kind.ARTICLE
    assert _kind(BRIEF) is Kind.ARTICLE


@pytest.mark.parametrize(
    ("title", "heading", "first"),
    [
        ("Page not found | The Courier", "Oops! That page can't be found.", "Try the search."),
        ("Seite nicht gefunden", "Fehler 404", "Die Seite existiert nicht mehr."),
        ("Page introuvable", "Erreur 404", "Cette page n'existe pas ou a été déplacée."),
        ("ページが見つかりません", "404", "お探しのページは見つかりませんでした。"),
        ("Diário", "Página não encontrada", "Volte para a página inicial."),
    ],
)
def test_not_found_pages_in_several_languages(title: str, heading: str, first: str) -> None:
    page = PageText(lines=(heading, first), title=title, headings=(heading,))
    assert _kind([first], page) is Kind.NOT_FOUND


def test_a_story_about_a_404_error_is_an_article() -> None:
    story = [
        "Visitors to the city's website saw a page not found error for three days last week, "
        "after a contractor deleted the server that held the council's records.",
        *BRIEF,
    ]
    page = PageText(title="Council website down: 404 for three days", headings=("404",))
    assert _kind(story, page) is Kind.ARTICLE


APOLOGY = [  # 59 words of prose: enough to pass for a news brief by its prose alone
    "The address you followed leads nowhere. The item may have been renamed, archived or "
    "taken down, or the link you clicked may contain a small typing mistake.",
    "Try the search field at the top of this site, or go back to the front page where the "
    "latest reports from the city and the region are waiting for you today.",
]


@pytest.mark.parametrize(
    "page",
    [
        PageText(title="Nothing to see here", titles=("Error 404 - The Courier",)),
        PageText(title="Hoppla!", titles=("Tagblatt", "Seite nicht gefunden - Tagblatt")),
        PageText(title="Página no encontrada | El Diario"),
    ],
)
def test_a_title_that_says_not_found_decides_a_short_text(page: PageText) -> None:
    # The text has prose enough for a brief; only the page's title says what it is.
    assert _kind(APOLOGY) is Kind.ARTICLE
    verdict = page_kind(APOLOGY, page)
    assert verdict.kind is Kind.NOT_FOUND
    assert any("title says" in reason for reason in verdict.reasons)


def test_a_pasted_text_s_first_line_is_its_title() -> None:
    paste = "Fehler 404\n\n" + "\n\n".join(APOLOGY)
    assert text_page(paste).title == "Fehler 404"
    assert _kind(APOLOGY, text_page(paste)) is Kind.NOT_FOUND
    # A first line too long for a title is none: this one is a sentence of a story.
    story = "The page not found error greeted " + " ".join(["visitors"] * 12) + ".\n" + NOTE
    assert text_page(story).title is None


def test_a_title_decides_only_a_short_text_and_only_when_it_says_not_found() -> None:
    # A story about a missing page, titled so, is long enough to be one.
    long_story = [*BRIEF, NOTE, *APOLOGY]  # 137 words
    assert _kind(long_story, PageText(title="Page not found: the web's missing links")) is (
        Kind.ARTICLE
    )
    # A short brief's title that merely mentions 404 says nothing.
    assert _kind(BRIEF, PageText(title="Council website down: 404 for three days")) is (
        Kind.ARTICLE
    )
    assert _kind(BRIEF, text_page("Council site down\n" + " ".join(BRIEF))) is Kind.ARTICLE


def test_the_page_s_title_and_og_title_are_both_read() -> None:
    html = (
        "<html><head><title>The Courier</title>"
        "<meta property='og:title' content='Error 404 | The Courier'></head>"
        "<body><h1>Lost?</h1></body></html>"
    )
    page = html_page(html, "Lost?")
    assert page.title == "Lost?"
    assert page.titles == ("The Courier", "Error 404 | The Courier")


def test_sign_in_pages_by_password_field_or_by_their_words() -> None:
    form = PageText(lines=("Anmelden", "E-Mail", "Passwort"), title="Anmelden", password_fields=1)
    assert _kind(["Willkommen zurück"], form) is Kind.LOGIN
    paste = "Iniciar sesión\nCorreo electrónico\nContraseña\n¿Olvidaste tu contraseña?"
    kept = ["Correo electrónico", "Contraseña", "¿Olvidaste tu contraseña?"]  # by the cleaner
    assert _kind(kept, text_page(paste)) is Kind.LOGIN
    # An article page with a sign-in box in its header is still the article.
    boxed = PageText(lines=("Sign in", "Password", *BRIEF), title="Stabbing", password_fields=1)
    assert _kind(BRIEF, boxed) is Kind.ARTICLE


def test_cookie_walls_but_not_stories_about_cookies() -> None:
    notice = [
        "Nous utilisons des cookies pour mesurer l'audience et personnaliser les publicités. "
        "Vous pouvez accepter ou refuser leur dépôt à tout moment.",
        "Certains partenaires invoquent un intérêt légitime pour traiter vos données.",
    ]
    assert _kind(notice) is Kind.COOKIE_WALL
    story = [
        "Regulators fined the retailer after its website placed advertising cookies before "
        "visitors could accept or reject them, a breach of the consent rules.",
        "The company said it would change its banner and that privacy mattered to it.",
        "Consumer groups said many sites still make refusing cookies harder than accepting "
        "them, and asked the regulator to check the largest ones this year.",
    ]
    assert _kind(story) is Kind.ARTICLE


def test_a_paywall_stub_but_not_an_article_beside_a_subscription_prompt() -> None:
    stub = text_page(
        "Harbor expansion approved\nThe council approved the plan on Tuesday.\n"
        "Subscribe to continue reading\nAlready a subscriber? Log in"
    )
    assert _kind(["The council approved the plan on Tuesday."], stub) is Kind.PAYWALL
    whole = text_page("\n".join([*BRIEF, "Already a subscriber? Log in"]))
    assert _kind(BRIEF, whole) is Kind.ARTICLE


def test_a_short_text_is_not_judged_by_the_site_around_it() -> None:
    """A box score keeps little prose; its site's sign-in box, subscription banner and
    shop sidebar are not what the page is."""
    scores = [
        "Palm Bay 70, Rockledge 44",
        "Palm Bay (1-0): Tolivert 25 points. Davis 17 points. Burgher 10 points.",
        "Rockledge (0-1): Blakely 15 points. Devoe 2 points. Baker 6 points.",
    ]
    footer = [f"Team scarf {n} $19.99" for n in range(6)]
    lines = (
        "Sign in",
        "Password",
        *scores,
        *[f"Other game {n}" for n in range(20)],
        "Subscribe now to get unlimited digital access",
        *footer,
    )
    page = PageText(lines=lines, title="Girls basketball: Palm Bay beats Rockledge")
    assert _kind(scores, page) is Kind.ARTICLE
    signed = PageText(lines=lines, title=page.title, password_fields=1)
    assert _kind(scores, signed) is Kind.ARTICLE


def test_shops_by_their_price_tags_but_not_stories_with_prices() -> None:
    grid = [f"Wireless mouse model {n} $19.99" for n in range(6)]
    assert _kind(["Mice", *grid, "Free shipping over $50."]) is Kind.PRODUCT_LIST
    story = [
        "Petrol rose to €1.89 a litre on Monday, the highest price since the spring.",
        "Diesel cost €1.79, up from €1.65 a month ago, the automobile club said.",
        *BRIEF,
    ]
    assert _kind(story) is Kind.ARTICLE


def test_lists_of_links_from_the_page_or_from_a_paste() -> None:
    headlines = [f"Council approves plan number {n} for the harbor" for n in range(8)]
    page = PageText(lines=tuple(headlines), link_texts=frozenset(h.lower() for h in headlines))
    assert _kind(headlines, page) is Kind.LINK_LIST
    paste = "\n".join(["Home", "News", "Sport", *headlines, "Contact"])
    assert _kind(headlines, text_page(paste)) is Kind.LINK_LIST


def test_the_page_is_read_only_when_the_text_leaves_the_question_open() -> None:
    def never() -> PageText:
        raise AssertionError("an article's page needn't be parsed")

    long_story = [" ".join(BRIEF)] * 3
    assert page_kind(long_story, never).kind is Kind.ARTICLE


def test_reasons_say_why() -> None:
    verdict = page_kind(["Welcome back"], PageText(title="Sign in", password_fields=1))
    assert verdict.kind is Kind.LOGIN and not verdict.is_article
    assert any("password field" in reason for reason in verdict.reasons)


def test_a_page_is_read_as_decoded_whatever_its_meta_charset_says() -> None:
    html = (
        "<html><head><meta charset='windows-1252'><title>Página no encontrada</title></head>"
        "<body><h1>Página no encontrada</h1><a href='/'>Volver a la portada</a>"
        "<input type='password'></body></html>"
    )
    page = html_page(html)
    assert page.title == "Página no encontrada" and page.headings == ("Página no encontrada",)
    assert page.link_texts == {"volver a la portada"} and page.password_fields == 1
    declared = '<?xml version="1.0" encoding="utf-8"?><html><body><p>Señal</p></body></html>'
    assert html_page(declared).lines == ("Señal",)


def test_the_walk_reads_lines_links_headings_and_fields_as_shown() -> None:
    # Pinned when the walk became one loop: blocks break lines, a heading holds its links'
    # text, skipped elements keep their tail, comments vanish.
    html = (
        "<html><head><title>T</title><script>var x = 1;</script></head><body>"
        "<div>Intro <b>bold</b><!-- a comment --> tail<script>skip()</script> after</div>"
        "<h1>Main <a href='/a'>linked <a href='/b'>inner</a> rest</a> end</h1>"
        "<p><a href='/c'>  Spaced   Link  </a> and text<br>next line</p>"
        "<h2>  </h2><form><label>Pass</label><input type='PASSWORD'><input type='text'></form>"
        "<ul><li>one</li><li><a href='/d'>two</a></li></ul>   \n </body></html>"
    )
    page = html_page(html)
    assert page.lines == (
        "Intro bold tail after",
        "Main linked inner rest end",
        "Spaced Link and text",
        "next line",
        "Pass",
        "one",
        "two",
    )
    assert page.headings == ("Main linked inner rest end",)
    # The parser closes a link where another opens: "inner" is a link of its own.
    assert page.link_texts == {"linked", "inner", "spaced link", "two"}
    assert page.password_fields == 1 and page.title == "T"


def test_a_hostile_page_is_read_in_bounded_time() -> None:
    html = "<html><body>" + "<div><a href='/x'>Sign in</a> 19,99 €</div>" * 100_000 + "</body>"
    started = time.monotonic()
    page = html_page(html)
    assert len(page.lines) <= 2_000
    page_kind(["Sign in"], page)
    assert time.monotonic() - started < 10


# --- the fixture pages, through the real ingest ----------------------------------------------

# A how-to article with its code: prose around a short listing is still an article.
TUTORIAL = """How we cut our build times in half

Our continuous integration builds had crept up to forty minutes, and developers had
started batching their changes to avoid waiting. That made every failure harder to trace.

The first fix was caching dependencies between runs. The configuration needed only a few
lines:

cache:
  key: deps-v1
  paths:
    - .venv/

The second was splitting the slowest test files across four machines, which the test
runner already supported with a single flag.

Together the two changes brought a typical build down to eighteen minutes. The team now
merges small changes again, and a failing build points at one change instead of ten.
"""

EXPECTED = {
    "cookie_wall_de.html": Kind.COOKIE_WALL,
    "cookie_wall_fr.txt": Kind.COOKIE_WALL,
    "not_found_es.html": Kind.NOT_FOUND,
    "not_found_en.html": Kind.NOT_FOUND,
    # Titled so, above prose enough for a brief: the title decides.
    "not_found_de.html": Kind.NOT_FOUND,
    "not_found_de.txt": Kind.NOT_FOUND,
    "not_found_en.txt": Kind.NOT_FOUND,
    "login_en.html": Kind.LOGIN,
    "login_es.txt": Kind.LOGIN,
    "product_list_it.html": Kind.PRODUCT_LIST,
    "link_list_pt.html": Kind.LINK_LIST,
    "link_list_en.html": Kind.LINK_LIST,
    "link_list_en.txt": Kind.LINK_LIST,
    "paywall_fr.html": Kind.PAYWALL,
    "too_short_en.txt": Kind.TOO_SHORT,
    "code_or_data_en.txt": Kind.CODE_OR_DATA,
    "code_or_data_de.txt": Kind.CODE_OR_DATA,
}


def ingested_kind(path: Path) -> str:
    """What ingest makes of a fixture: the judged kind, or the kind it refused the page as."""
    raw = path.read_text(encoding="utf-8")
    try:
        article = from_html(raw) if path.suffix == ".html" else from_text(raw)
    except NotArticlePage as exc:
        return exc.kind
    assert article.page_kind is not None
    return article.page_kind


def test_every_fixture_page_has_an_expected_kind() -> None:
    assert {p.name for p in PAGES.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_pages_are_what_they_are(name: str) -> None:
    assert ingested_kind(PAGES / name) == EXPECTED[name].value


def test_articles_stay_articles() -> None:
    assert from_html(STORY_HTML.decode("utf-8")).page_kind == "article"
    assert from_text(SEED).page_kind == "article"
    assert from_text(TUTORIAL).page_kind == "article"  # a few lines of code in a story
    for name in ("html_article_de.html", "html_article_en.html", "html_split_body.html"):
        html = (PAGES.parent / name).read_text(encoding="utf-8")
        assert from_html(html).page_kind == "article", name


# --- the pipeline: refused before any engine, for both ----------------------------------------


def _login_article() -> Article:
    article = from_html((PAGES / "login_en.html").read_text(encoding="utf-8"))
    assert article.page_kind == "login"
    return article


def test_the_pipeline_refuses_before_the_model_is_asked(fake_openai: FakeOpenAI) -> None:
    pipeline = Pipeline(fake_openai.settings())
    login = _login_article()
    with pytest.raises(NotArticlePage, match="sign-in page") as caught:
        pipeline.summarize(login)
    assert caught.value.kind == "login" and caught.value.code == "not_an_article"
    with pytest.raises(NotArticlePage, match="sign-in page"):
        pipeline.ask([login], "How do I sign in?")
    assert fake_openai.requests == []  # no tokens spent on a sign-in page
    offline = Pipeline(Settings(_env_file=None))
    with pytest.raises(NotArticlePage, match="sign-in page"):
        offline.summarize(login, engine="offline")


def test_forced_it_is_summarized_and_a_thread_answers_from_its_articles_only(
    fake_openai: FakeOpenAI,
) -> None:
    offline = Pipeline(Settings(_env_file=None))
    login = _login_article()
    assert offline.summarize(login, engine="offline", force=True).text
    story = offline.article_from_text(SEED)
    result = offline.ask([login, story], "Where did Kim hold talks?", engine="offline")
    assert result.article is story and result.articles == (story,)


def test_articles_judged_before_page_kind_existed_are_judged_from_their_text() -> None:
    offline = Pipeline(Settings(_env_file=None))
    old = Article(text="Hello world.", source_kind="text")  # page_kind None: from an old cache
    with pytest.raises(NotArticlePage, match="only a few words"):
        offline.summarize(old)
    assert offline.summarize(Article.from_dict(from_text(SEED).to_dict())).text


# --- the CLI and Slack --------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ENGINE", "AZURE_OPENAI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FETCH_ALLOWLIST", '["127.0.0.1"]')
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("cli_env")
def test_cli_says_what_the_page_is_and_how_to_overrule(article_server: ArticleServer) -> None:
    runner = CliRunner()
    link = article_server.url("/page?name=not_found_es.html")
    result = runner.invoke(cli, ["summarize", link], catch_exceptions=False)
    assert result.exit_code == 1 and not result.stdout
    assert "page not found" in result.stderr and "--force" in result.stderr
    result = runner.invoke(cli, ["ask", link, "What is this?"], catch_exceptions=False)
    assert result.exit_code == 1 and "page not found" in result.stderr
    forced = runner.invoke(cli, ["summarize", link, "--force"], catch_exceptions=False)
    assert forced.exit_code == 0 and "página que buscas" in forced.stdout
    # A page with no text at all is refused by ingest, which says what it is: no --force.
    cookie = article_server.url("/page?name=cookie_wall_de.html")
    result = runner.invoke(cli, ["summarize", cookie], catch_exceptions=False)
    assert result.exit_code == 1 and "cookie-consent notice" in result.stderr


def test_slack_says_what_the_page_is_without_asking_the_model(
    slack: FakeSlack, fake_openai: FakeOpenAI, articles: ArticleServer, tmp_path: Path
) -> None:
    with model_harness(slack, fake_openai, tmp_path) as bot:
        bot.command("/summarize", articles.url("/page?name=product_list_it.html"))
        (call,) = bot.slack.wait_for("response_url", timeout=20)
    text = call.params["text"]
    assert "shop page" in text and "Paste the article text itself" not in text
    assert "--force" not in text  # a CLI flag means nothing in Slack
    assert fake_openai.requests == []


@pytest.mark.usefixtures("cli_env")
def test_a_pasted_cookie_wall_is_told_what_it_is_not_to_paste_what_was_pasted() -> None:
    """Pasted text gets no "open it in your browser and paste its text": that is what the
    person just did. They hear what the text is, and what to paste or send instead."""
    wall = (PAGES / "cookie_wall_fr.txt").read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["summarize", "-"], input=wall, catch_exceptions=False)
    assert result.exit_code == 1 and not result.stdout
    assert "That text is a cookie-consent notice" in result.stderr
    assert "in your browser" not in result.stderr and "--force" in result.stderr


def test_slack_tells_a_pasted_cookie_wall_what_it_is(
    slack: FakeSlack, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    wall = (PAGES / "cookie_wall_fr.txt").read_text(encoding="utf-8")
    with model_harness(slack, fake_openai, tmp_path) as bot:
        bot.command("/summarize", wall)
        (call,) = bot.slack.wait_for("response_url", timeout=20)
    text = call.params["text"]
    assert "That text is a cookie-consent notice" in text and "in your browser" not in text
    assert fake_openai.requests == []


@pytest.mark.usefixtures("cli_env")
def test_code_is_refused_as_code_and_forced_read_as_it_is() -> None:
    """A source file isn't pared down to its comments and summarized as news: it is said to
    be code; forced, the engine gets the file as it is, not only its comments."""
    code = PAGES / "code_or_data_en.txt"
    refused = CliRunner().invoke(cli, ["summarize", str(code)], catch_exceptions=False)
    assert refused.exit_code == 1 and "code or data" in refused.stderr
    assert "--force" in refused.stderr
    forced = CliRunner().invoke(
        cli, ["ask", str(code), "What does a reading of -1 mean?", "--force", "--json"]
    )
    assert forced.exit_code == 0, forced.output
    assert "sensor was offline" in json.loads(forced.stdout)["answer"]


PYTHON = '''"""Read the article a person gave: a file, a link, or standard input."""

from pathlib import Path


def read_source(source: str) -> str:
    """A file's text; a link is fetched."""
    path = Path(source).expanduser()
    try:
        with path.open("rb") as handle:
            data = handle.read()
    except OSError as err:
        raise ValueError(f"Can't read {source}: {err}") from None
    return data.decode(
        "utf-8",
        errors="replace",
    )


@cache
def settings() -> dict:
    return {}
'''


@pytest.mark.parametrize(
    "text",
    [
        PYTHON,  # its try/with/raise/decorator lines weren't code: "summarized" as comments
        "\n".join(
            f"2026-12-08 00:{i:02d}:11 INFO worker-{i % 4} processed job {i} in {i * 3} ms"
            for i in range(20)
        ),
        "Name:\tpython3\nUmask:\t0022\nState:\tR (running)\nTgid:\t31\nPid:\t31\n"
        "PPid:\t1\nVmPeak:\t 1234 kB\nVmRSS:\t 999 kB\nThreads:\t1\n",  # /proc/self/status
        "port: 8080\nhost: 0.0.0.0\ndebug: true\nworkers: 4\nlog_level: info\n"
        "timeout: 30 s\nretries: 3\nqueue: jobs\n",  # a YAML config
    ],
    ids=["python", "log", "proc status", "yaml"],
)
def test_code_logs_and_settings_are_code_or_data(text: str) -> None:
    verdict = code_or_data(text)
    assert verdict is not None and verdict.kind is Kind.CODE_OR_DATA


CHAT_LOG = [
    "[2026-12-01 09:02] alice: the outage started when the deploy went out, the migration "
    "locked the orders table",
    "[2026-12-01 09:03] bob: agreed, rolling back now and paging the database team",
    "[2026-12-01 09:05] alice: customers in Europe see errors at checkout, twenty tickets so far",
    "[2026-12-01 09:07] carol: I posted a status page update saying we are investigating",
    "[2026-12-01 09:12] bob: rollback done, errors are falling but the queue is an hour behind",
    "[2026-12-01 09:20] alice: queue drained, checkout is healthy, postmortem tomorrow",
    "[2026-12-01 09:21] carol: status page says resolved, I will email customers this afternoon",
    "[2026-12-01 09:25] bob: no deploys on Fridays until the migration tool takes locks safely",
]
HANDLES = [
    f"@{name} {said}"
    for name, said in [
        ("jack", "said the company would open-source the ranking code by the end of the year"),
        ("nytimes", "reported that the board had not been told about the plan beforehand"),
        ("verge", "noted that similar promises had been made twice before without any code"),
        ("wsj", "added that advertisers were watching the change closely for their reach"),
        ("ap", "said a spokesperson declined to comment on the timing of the release"),
        ("reuters", "wrote that regulators in Europe had asked how the ranking system works"),
        ("bbc", "reported mixed reactions, some welcoming transparency and others doubtful"),
        ("ft", "said the code would be published on a public repository under a free licence"),
    ]
]
INTERVIEW = [  # a magazine's quick-fire round
    "Quick-fire round with the champion, after the final on Sunday.",
    *("Q: Coffee?", "A: Tea.", "Q: Mornings?", "A: Never.", "Q: Cats?", "A: Always."),
    *("Q: Regrets?", "A: None.", "Q: Next?", "A: Wimbledon."),
]


@pytest.mark.parametrize(
    "lines", [CHAT_LOG, HANDLES, INTERVIEW], ids=["chat log", "@handles", "interview"]
)
def test_prose_that_looks_like_a_log_decorators_or_settings_is_not_code(lines: list[str]) -> None:
    # 0a7e32a's cues took an ISO time to the minute for a log line, any "@name …" for a
    # decorator, and "A: No." for a setting: these were refused as code or data.
    assert code_or_data("\n".join(lines)) is None


def test_a_chat_transcript_is_not_settings() -> None:
    lines = ["Alice: sounds good to me", "Bob: see you there then", "Alice: great, thanks"]
    assert code_or_data("\n".join(lines * 4)) is None


def test_prose_in_a_script_without_spaces_is_not_data() -> None:
    """A Chinese news paragraph typed with half-width commas has 3+ "field separators" and
    no spaces: its length in words (two characters a word) says it is prose, not a row."""
    lines = [
        "北京时间3月5日上午,第十四届全国人民代表大会第二次会议在人民大会堂开幕,国务院总理作政府工作报告。",
        "报告指出,过去一年,我国经济总体回升向好,高质量发展扎实推进,国内生产总值增长5.2%。",
        "报告提出,今年发展主要预期目标是:国内生产总值增长5%左右,城镇新增就业1200万人以上。",
        "报告强调,要大力推进现代化产业体系建设,加快发展新质生产力,充分发挥创新主导作用。",
        "在扩大内需方面,报告表示,要促进消费稳定增长,积极扩大有效投资,激发民间投资活力。",
        "报告指出,要坚定不移深化改革,增强发展内生动力,着力稳定和扩大就业,持续改善民生。",
        "多位代表表示,政府工作报告实事求是,目标明确,措施有力,令人振奋,催人奋进。",
        "会议期间,代表们还将审议多部法律草案,并听取最高人民法院和最高人民检察院的工作报告。",
    ]
    assert code_or_data("\n\n".join(lines)) is None
    rows = ["日期,站点,降水,温度", *(f"3月{d}日,北港,{d * 1.5:.1f},{d + 3}" for d in range(1, 10))]
    verdict = code_or_data("\n".join(rows))
    assert verdict is not None and verdict.kind is Kind.CODE_OR_DATA


@pytest.mark.usefixtures("cli_env")
def test_a_text_link_is_told_as_a_link_not_as_a_paste(article_server: ArticleServer) -> None:
    """A text/plain link is a page like any: "That text is… paste its text" is for pastes."""
    link = article_server.url("/page?name=cookie_wall_fr.txt")
    result = CliRunner().invoke(cli, ["summarize", link], catch_exceptions=False)
    assert result.exit_code == 1 and "cookie-consent notice" in result.stderr
    assert "That text is" not in result.stderr
