"""What to do with a request: get the article (cached), check it is one, then have an engine
summarize it or answer about it.

A thin coordinator: the engines (bot.engines: the model, the offline engine, the fallback
from one to the other) do the writing; this module picks one, streams its text on, and
caches articles and summaries in the store so the same link twice costs nothing.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from bot.article_source import ArticleSource
from bot.engines import (
    Engine,
    FallbackEngine,
    ModelEngine,
    OfflineEngine,
    Question,
    SummaryRequest,
    TextSink,
)
from bot.errors import ArticlebotError, ConfigError, NotArticlePage
from bot.ingest import Article
from bot.results import Result
from bot.settings import Settings
from bot.store.scoped import ScopedCache
from bot.store.tenants import LOCAL_SCOPE

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.llm.templates import PromptTemplate, TemplateRegistry
    from bot.store import Store

log = logging.getLogger(__name__)

EngineChoice = Literal["auto", "openai", "offline"]

__all__ = ["EngineChoice", "Pipeline", "Result", "TextSink"]


class Pipeline:
    """Summaries and answers for articles, from the model or the offline engine.

    Thread-safe: the Slack app calls one instance from many worker threads. Articles and
    summaries are cached in `scope` (a workspace's, bot.store.tenants; the CLI's own by
    default): a job uses `for_scope` with its workspace's.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        store: Store | None = None,
        templates: TemplateRegistry | None = None,
        model: BaseChatModel | None = None,
        scope: str = LOCAL_SCOPE,
    ) -> None:
        from bot.llm.templates import load_templates

        self.settings = settings
        self.store = store
        self.scope = scope
        self.cache = None if store is None else ScopedCache(store, scope)
        self.templates = templates or load_templates(settings.prompts_dir)
        self._model = model
        # Every article goes through it.
        self.articles = ArticleSource(settings, store, scope=scope)
        self._offline = OfflineEngine()
        self._online = ModelEngine(settings, self.templates, lambda: self.model)
        self._siblings: dict[str, Pipeline] = {}  # by model name (with_model)
        self._siblings_lock = threading.Lock()

    def for_scope(self, scope: str) -> Pipeline:
        """This pipeline (its templates, model and engines shared) caching in `scope`."""
        if scope == self.scope:
            return self
        scoped = copy.copy(self)  # its engines still reach the model through `self`
        scoped.scope = scope
        scoped.cache = None if self.store is None else ScopedCache(self.store, scope)
        scoped.articles = ArticleSource(self.settings, self.store, scope=scope)
        return scoped

    # --- articles -------------------------------------------------------------------------

    def article_from_url(self, url: str) -> Article:
        """Fetch and clean a link, or take it from the cache (no second fetch)."""
        return self.articles.from_url(url)

    def article_from_text(self, text: str) -> Article:
        return self.articles.from_text(text)

    def article_by_hash(self, content_hash: str) -> Article | None:
        """An article seen before (a paste has no URL to look it up by)."""
        return self.articles.by_hash(content_hash)

    # --- engines --------------------------------------------------------------------------

    def engine_for(self, engine: EngineChoice | None = None) -> Literal["openai", "offline"]:
        from bot.llm.providers import is_online

        chosen = engine or self.settings.engine
        if chosen == "offline":
            return "offline"
        if is_online(self.settings):
            return "openai"
        if chosen == "openai":
            raise ConfigError(
                "No model is configured: set OPENAI_API_KEY, OPENAI_BASE_URL (a local "
                "OpenAI-compatible server) or the AZURE_OPENAI_* settings, or use the offline "
                "engine."
            )
        return "offline"

    def _engine(self, choice: EngineChoice | None, *, fallback: bool) -> Engine:
        """The engine to run: offline, the model, or (fallback) the model backed by offline."""
        if self.engine_for(choice) == "offline":
            return self._offline
        return FallbackEngine(self._online, self._offline) if fallback else self._online

    def with_model(self, name: str | None) -> Pipeline:
        """This pipeline answering with another model of the same provider (a channel's
        choice): the same store, templates and article source, that model's engine built
        on first use and kept. Itself when `name` is its own model, empty, or no model is
        configured (offline stays offline)."""
        from bot.llm.providers import model_label, online_provider

        if not name or self.engine_for() == "offline" or name == model_label(self.settings):
            return self
        with self._siblings_lock:
            sibling = self._siblings.get(name)
            if sibling is None:
                field = "azure_openai_deployment"
                if online_provider(self.settings) != "azure":
                    field = "openai_model"
                settings = self.settings.model_copy(update={field: name})
                sibling = Pipeline(settings, store=self.store, templates=self.templates)
                sibling.articles = self.articles
                sibling.scope, sibling.cache = self.scope, self.cache
                self._siblings[name] = sibling
        if sibling.articles is self.articles:
            return sibling
        # Siblings are shared by every workspace's copy of this pipeline (for_scope copies
        # the dict's reference), so the model is built once; the caches are this copy's.
        scoped = copy.copy(sibling)
        scoped.scope, scoped.cache, scoped.articles = self.scope, self.cache, self.articles
        return scoped

    @property
    def model(self) -> BaseChatModel:
        if self._model is None:
            from bot.llm.models import build_chat_model

            self._model = build_chat_model(self.settings, streaming=True)
        return self._model

    def warm_up(self) -> None:
        """Import and build what the first request would otherwise wait for: the offline
        engine, and the cleaner's language model and stop-word lists (seconds of CPU)."""
        from bot import offline  # noqa: F401
        from bot.ingest.cleaning.stopwords import best_stoplist
        from bot.ingest.language import detect_language

        detect_language("The council met on Tuesday and agreed the budget for the bridge.")
        best_stoplist("the council met on tuesday")

        if self.engine_for() != "offline":
            _ = self.model
            for template in self.templates:  # LangChain's prompts, built on first use
                _ = template.prompt

    # --- summaries and answers ------------------------------------------------------------

    def summarize(
        self,
        article: Article,
        *,
        style: str | None = None,
        instructions: str = "",
        engine: EngineChoice | None = None,
        on_text: TextSink | None = None,
        fallback: bool = True,
        force: bool = False,
    ) -> Result:
        """Summarize `article` in `style`, streaming text to `on_text` as it is written.

        fallback=False: a model that fails raises its LLMError instead of the offline engine
        answering (the CLI's explicit `--engine openai`). A page that isn't an article (a
        sign-in form, a cookie wall, a few words) is refused with NotArticlePage, before any
        engine runs, unless `force`."""
        if not force:
            refuse_non_article(article)
        style = style or self.settings.summary_style
        template = self.templates.summary(style)  # unknown style: a clear error, before work
        chosen = self._engine(engine, fallback=fallback)
        # Keyed by template, so "TLDR" and "tldr" are one summary.
        key = self._answer_key(article, template, instructions, chosen)
        if (cached := self._from_cache(key, article, on_text)) is not None:
            log.debug("summary of %s (%s): cache hit", article.content_hash[:12], style)
            return cached
        streamed: list[str] = []
        request = SummaryRequest(article, template, style, instructions)
        log.debug("summary of %s (%s) by %s", article.content_hash[:12], style, chosen.name)
        result = chosen.summarize(request, _recording(on_text, streamed))
        _send_rest(on_text, "".join(streamed), result.text)
        # A fallback's result is the offline engine's: not cached as the model's, which may
        # be back next time.
        if key is not None and self.cache is not None and result.engine == chosen.name:
            self.cache.put_answer(key, result.to_cache())
        return _noting_cuts(result, [article])

    def cached_summary(
        self,
        article: Article,
        *,
        style: str | None = None,
        instructions: str = "",
        on_text: TextSink | None = None,
    ) -> Result | None:
        """The model's summary of `article` when the cache holds it, else None; no engine
        runs. A channel over its token budget is still given what was paid for already."""
        if self.cache is None or self.engine_for() == "offline":
            return None
        template = self.templates.summary(style or self.settings.summary_style)
        key = self._answer_key(article, template, instructions, self._engine(None, fallback=True))
        return self._from_cache(key, article, on_text)

    def _from_cache(
        self, key: str | None, article: Article, on_text: TextSink | None
    ) -> Result | None:
        """The summary cached under `key` (shown to `on_text` whole), or None."""
        raw = self.cache.get_answer(key) if key is not None and self.cache is not None else None
        if not raw:
            return None
        cached = Result.from_cache(raw, article)
        if on_text is not None:
            on_text(cached.text)
        return _noting_cuts(cached, [article])

    def ask(
        self,
        articles: Sequence[Article],
        question: str,
        *,
        history: Sequence[Any] = (),
        instructions: str = "",
        engine: EngineChoice | None = None,
        on_text: TextSink | None = None,
        fallback: bool = True,
        force: bool = False,
    ) -> Result:
        """Answer `question` from `articles` only, with quotes checked against them
        (fallback and force as for `summarize`: pages that aren't articles are left out,
        and refused if that leaves none)."""
        if not articles:
            raise ArticlebotError("There's no article to answer from yet: send a link first.")
        if not force:
            readable = [a for a in articles if article_kind(a) == "article"]
            if not readable:
                refuse_non_article(articles[0])
            articles = readable
        question = question.strip()
        if not question:
            raise ArticlebotError("What would you like to know about the article?")
        primary = articles[0]
        from bot.llm.meta import meta_kind

        # Questions about the article itself, the same on every surface (bot.llm.meta): its
        # gist is the TL;DR, its byline and date come from its page.
        asked_about = meta_kind(question)
        if asked_about == "about":
            return self.summarize(
                primary, style="tldr", engine=engine, on_text=on_text, fallback=fallback, force=True
            )
        offline = self.engine_for(engine) == "offline"
        if asked_about is not None and (meta := _metadata_answer(asked_about, primary, offline)):
            if on_text is not None:
                on_text(meta.text)
            return replace(meta, articles=tuple(articles))
        chosen = self._engine(engine, fallback=fallback)
        from bot.llm.followups import resolve

        # "Who usually does that work?": searched with what "that work" was (bot.llm.followups).
        resolved = resolve(question, history, language=primary.language)
        streamed: list[str] = []
        asked = Question(tuple(articles), resolved, history, instructions)
        log.debug("answer from %d article(s) by %s", len(articles), chosen.name)
        result = chosen.answer(asked, _recording(on_text, streamed))
        # The prose streamed as the model wrote it; the checked quotes and notes follow.
        _send_rest(on_text, "".join(streamed), result.text)
        return _noting_cuts(replace(result, article=primary, articles=tuple(articles)), articles)

    def _answer_key(
        self, article: Article, template: PromptTemplate, instructions: str, engine: Engine
    ) -> str | None:
        if self.store is None:
            return None
        from bot.store import answer_key

        return answer_key(
            article.content_hash,
            style=template.name,
            instructions=instructions,
            engine=engine.cache_id,
            template_version=template.version,
        )


def article_kind(article: Article) -> str:
    """What ingest judged `article` to be ("article", "login"...); judged here from the
    text alone when ingest didn't (a PDF, an article cached before it did)."""
    if article.page_kind:
        return article.page_kind
    from bot.ingest.page_kind import page_kind

    return page_kind(article.paragraphs).kind.value


def refuse_non_article(article: Article) -> None:
    """Raise NotArticlePage, saying what it is instead, unless `article` is one."""
    kind = article_kind(article)
    if kind != "article":
        # Text with no link: pasted, or a text file (a text/plain link is a page like any).
        pasted = article.source_kind == "text" and not article.url
        raise NotArticlePage(kind, url=article.url, pasted=pasted)


def _metadata_answer(kind: str, article: Article, offline: bool) -> Result | None:
    """ "Who wrote it?" / "When was it published?" from the page's metadata. Unknown: not
    found offline (no sentence of the text answers it better); the model may still find a
    byline or date in the text, so it is asked."""
    from bot.llm import meta

    value = article.author if kind == "author" else article.published
    if not value and not offline:
        return None
    text = meta.author_answer(value) if kind == "author" else meta.published_answer(value)
    return Result(
        kind="answer",
        text=text,
        article=article,
        engine="offline" if offline else "metadata",
        found=bool(value),
        prose=text,
    )


def _recording(on_text: TextSink | None, streamed: list[str]) -> TextSink | None:
    """`on_text`, also noting each piece in `streamed`."""
    if on_text is None:
        return None

    def write(piece: str) -> None:
        streamed.append(piece)
        on_text(piece)

    return write


def _send_rest(on_text: TextSink | None, sent: str, text: str) -> None:
    """After `sent` streamed, what the final `text` adds to it. A text that doesn't go on
    from what was shown (the model failed mid-reply and the offline engine wrote this) is
    sent whole, apart from the model's words."""
    if on_text is None:
        return
    rest = text[len(sent) :] if text.startswith(sent) else "\n\n" + text
    if rest:
        on_text(rest)


def _noting_cuts(result: Result, articles: Sequence[Article]) -> Result:
    """`result` with a notice that also says which articles were read only in part."""
    cuts = [a.notice for a in articles if a.notice and a.notice not in (result.notice or "")]
    if not cuts:
        return result
    return replace(result, notice=" ".join([*dict.fromkeys(cuts), *filter(None, [result.notice])]))
