"""What to do with a request: get the article (cached), then summarize it or answer about it.

The Slack app and the CLI both call only this module. It picks the engine (the configured
model, or the offline extractive engine when there is no key or the model keeps failing),
keeps long articles within the model's budget (map-reduce for summaries, retrieval for
answers), verifies quotes, and caches what it can so the same link twice costs nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from bot.errors import (
    ArticlebotError,
    ConfigError,
    LLMBadResponse,
    LLMError,
    NotAnArticle,
    NotArticlePage,
)
from bot.ingest import Article, from_text, from_url
from bot.llm.usage import Usage
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.llm.followups import Resolved

log = logging.getLogger(__name__)

TextSink = Callable[[str], None]
Engine = Literal["auto", "openai", "offline"]


@dataclass(frozen=True, slots=True)
class Result:
    """A summary or an answer, with everything a surface needs to show it."""

    kind: Literal["summary", "answer"]
    text: str  # markdown
    article: Article
    engine: str  # "openai" / "azure" / "offline"
    model: str | None = None
    label: str | None = None  # shown with the reply, e.g. the offline engine's label
    quotes: tuple[str, ...] = ()
    found: bool = True  # False: the article doesn't answer the question
    notice: str | None = None  # e.g. why the offline engine answered instead of the model
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    articles: tuple[Article, ...] = ()
    prose: str | None = None  # an answer without its quotes and notes (for --json)
    quotes_dropped: int = 0  # quotes the model gave that the article doesn't contain

    def to_dict(self) -> dict[str, object]:
        return {
            self.kind: self.text if self.prose is None else self.prose,
            "quotes": list(self.quotes),
            "quotes_dropped": self.quotes_dropped,
            "found": self.found,
            "engine": self.engine,
            "model": self.model,
            "label": self.label,
            "notice": self.notice,
            "cached": self.cached,
            "article": self.article.to_dict(),
            "usage": self.usage.to_dict(),
        }


class Pipeline:
    """Summaries and answers for articles, from the model or the offline engine.

    Thread-safe: the Slack app calls one instance from many worker threads.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        store: Any | None = None,
        templates: Any | None = None,
        model: Any | None = None,
    ) -> None:
        from bot.llm.templates import load_templates

        self.settings = settings
        self.store = store
        self.templates = templates or load_templates(settings.prompts_dir)
        self._model = model

    # --- articles -------------------------------------------------------------------------

    def article_from_url(self, url: str) -> Article:
        """Fetch and clean a link, or take it from the cache (no second fetch)."""
        if self.store is not None:
            cached = self.store.get_article(url)
            if cached is not None:
                return Article.from_dict(cached)
        article = from_url(url, self.settings)
        self._cache_article(article, url)
        return article

    def article_from_text(self, text: str) -> Article:
        article = from_text(text, settings=self.settings)
        self._cache_article(article, None)
        return article

    def _cache_article(self, article: Article, url: str | None) -> None:
        if self.store is None:
            return
        data = article.to_dict()
        self.store.put_article(url, data)
        if article.url and article.url != url:  # after redirects: the final URL too
            self.store.put_article(article.url, data)

    def article_by_hash(self, content_hash: str) -> Article | None:
        """An article seen before (a paste has no URL to look it up by)."""
        if self.store is None:
            return None
        cached = self.store.get_article_by_hash(content_hash)
        return Article.from_dict(cached) if cached else None

    # --- engines --------------------------------------------------------------------------

    def engine_for(self, engine: Engine | None = None) -> Literal["openai", "offline"]:
        from bot.llm.models import is_online

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

    @property
    def model(self) -> Any:
        if self._model is None:
            from bot.llm.models import build_chat_model

            self._model = build_chat_model(self.settings, streaming=True)
        return self._model

    def warm_up(self) -> None:
        """Import and build what the first request would otherwise wait for: the offline
        engine, and the cleaner's language model and stop-word lists (seconds of CPU)."""
        from bot.ingest.cleaning.stopwords import best_stoplist
        from bot.ingest.html_lang import detect_language
        from bot.llm import offline  # noqa: F401

        detect_language("The council met on Tuesday and agreed the budget for the bridge.")
        best_stoplist("the council met on tuesday")

        if self.engine_for() != "offline":
            _ = self.model

    # --- summaries ------------------------------------------------------------------------

    def summarize(
        self,
        article: Article,
        *,
        style: str | None = None,
        instructions: str = "",
        engine: Engine | None = None,
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
        chosen = self.engine_for(engine)
        # Keyed by template, so "TLDR" and "tldr" are one summary.
        key = self._answer_key(article.content_hash, template.name, instructions, chosen, template)
        cached = self._cached(key, article, on_text)
        if cached is not None:
            return _noting_cuts(cached, [article])
        streamed: list[str] = []
        if chosen == "offline":
            result = self._offline_summary(article, style, instructions, notice=None)
        else:
            try:
                result = self._llm_summary(
                    article, template, instructions, _recording(on_text, streamed)
                )
            except LLMError as exc:
                if not fallback:
                    raise
                log.warning("model failed (%s); answering with the offline engine", exc.code)
                result = self._offline_summary(
                    article, style, instructions, notice=_fallback_notice(exc)
                )
                key = None  # don't cache a fallback: the model may be back next time
        _send_rest(on_text, "".join(streamed), result.text)
        if key is not None:
            self._store_answer(key, result)
        return _noting_cuts(result, [article])

    def _offline_summary(
        self, article: Article, style: str, instructions: str, *, notice: str | None
    ) -> Result:
        from bot.llm import offline

        summary = offline.summarize(article, style=style, instructions=instructions or None)
        if not summary.text.strip():
            raise NotAnArticle(
                "There's nothing in that text to summarize: only page furniture "
                "(bylines, credits, prompts) is left."
            )
        notes = [notice] if notice else []
        if style.strip().lower() not in offline.STYLES:
            # A user's own template needs a model; say so instead of quietly ignoring it.
            notes.append(
                f"The offline engine can't write the '{style}' style, so this is its "
                f"{summary.style} summary."
            )
        reading = offline.read_instructions(article, instructions)
        if reading.ignored:
            notes.append(_instructions_notice(reading))
        notice = " ".join(notes) or None
        return Result(
            kind="summary",
            text=summary.text,
            article=article,
            engine="offline",
            label=summary.label,
            notice=notice,
            articles=(article,),
        )

    def _llm_summary(
        self, article: Article, template: Any, instructions: str, on_text: TextSink | None
    ) -> Result:
        body, usage = self._fit_article(article)
        messages = template.format_messages(
            article=body, title=article.title, instructions=instructions
        )
        text, call_usage = self._stream(messages, on_text)
        if not text.strip():  # nothing to show: let the offline engine write it instead
            raise LLMBadResponse("The language model sent an empty reply.")
        return Result(
            kind="summary",
            text=text,
            article=article,
            engine=self._engine_name(),
            model=self._model_name(),
            usage=usage + call_usage,
            articles=(article,),
        )

    def _fit_article(self, article: Article) -> tuple[str, Usage]:
        """The article, or for a long one, notes from every part of it (map-reduce)."""
        from bot.llm.tokens import count_tokens

        budget = self.settings.llm_context_tokens
        if count_tokens(article.text, self._model_name()) <= budget:
            return article.text, Usage()
        from bot.llm.chunking import chunk_article

        chunks = chunk_article(article, max_size=budget // 2, overlap=50, unit="tokens")
        mapper = self.templates.get("map")
        title = article.title

        def note(index_chunk: tuple[int, Any]) -> tuple[str, Usage]:
            index, chunk = index_chunk
            messages = mapper.format_messages(
                article=chunk.text, title=title, part=index + 1, parts=len(chunks)
            )
            return self._invoke(messages)

        with ThreadPoolExecutor(max_workers=self.settings.llm_map_concurrency) as pool:
            mapped = list(pool.map(note, enumerate(chunks)))
        usage = sum((u for _, u in mapped), Usage())
        notes = [n for n, _ in mapped]
        reducer = self.templates.get("reduce")
        # Merge notes in groups until they fit the budget (a very long article may need rounds).
        while len(notes) > 1 and count_tokens("\n\n".join(notes)) > budget:
            groups = [notes[i : i + 4] for i in range(0, len(notes), 4)]
            merged = [
                self._invoke(reducer.format_messages(notes="\n\n".join(g), title=title))
                for g in groups
            ]
            usage = sum((u for _, u in merged), usage)
            notes = [n for n, _ in merged]
        return "\n\n".join(notes), usage

    # --- answers --------------------------------------------------------------------------

    def ask(
        self,
        articles: Sequence[Article],
        question: str,
        *,
        history: Sequence[Any] = (),
        instructions: str = "",
        engine: Engine | None = None,
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
        chosen = self.engine_for(engine)
        primary = articles[0]
        from bot.llm.followups import resolve

        # "Who usually does that work?": searched with what "that work" was (bot.llm.followups).
        resolved = resolve(question, history, language=primary.language)
        streamed: list[str] = []
        if chosen == "offline":
            result = self._offline_answer(articles, resolved, history, notice=None)
        else:
            try:
                result = self._llm_answer(
                    articles, resolved, history, instructions, _recording(on_text, streamed)
                )
            except LLMError as exc:
                if not fallback:
                    raise
                log.warning("model failed (%s); answering with the offline engine", exc.code)
                result = self._offline_answer(
                    articles, resolved, history, notice=_fallback_notice(exc)
                )
        # The prose streamed as the model wrote it; the checked quotes and notes follow.
        _send_rest(on_text, "".join(streamed), result.text)
        return _noting_cuts(replace(result, article=primary, articles=tuple(articles)), articles)

    def _offline_answer(
        self,
        articles: Sequence[Article],
        resolved: Resolved,
        history: Sequence[Any],
        *,
        notice: str | None,
    ) -> Result:
        from bot.llm import offline
        from bot.llm.followups import last_quotes

        article = _combined(articles)
        # A follow-up wants what the last answer didn't already quote.
        shown = last_quotes(history) if resolved.context else set()
        found = offline.answer(article, resolved.query, asked=resolved.question, shown=shown)
        return Result(
            kind="answer",
            text=found.text,
            article=articles[0],
            engine="offline",
            label=found.label,
            quotes=tuple(found.quotes),
            found=found.found,
            notice=notice,
        )

    def _llm_answer(
        self,
        articles: Sequence[Article],
        resolved: Resolved,
        history: Sequence[Any],
        instructions: str,
        on_text: TextSink | None = None,
    ) -> Result:
        from bot.llm.quotes import verify_quotes
        from bot.llm.support import note as support_note
        from bot.llm.support import unbacked

        article = _combined(articles)
        body = self._excerpts(article, resolved.query)
        name = "followup" if history else "answer"
        template = self.templates.get(name)
        messages = template.format_messages(
            article=body,
            title=article.title,
            question=resolved.question,  # the model has the history to read it with
            instructions=instructions,
            history=_history_messages(history),
        )
        grounded, usage = self._grounded(messages, on_text)
        verified, dropped = verify_quotes(list(grounded.quotes), article.text)
        prose = grounded.answer.strip()
        if not prose and not grounded.found:
            prose = "The article doesn't say."
        if not prose and not verified:  # nothing to show: the offline engine answers instead
            raise LLMBadResponse("The language model sent an empty reply.")
        text = prose
        if grounded.found and verified:
            text += "\n\n" + "\n".join(f"> {q.text}" for q in verified)
        if dropped:
            text += (
                "\n\n_I couldn't verify "
                + ("a quote" if len(dropped) == 1 else f"{len(dropped)} quotes")
                + " against the article, so I left "
                + ("it" if len(dropped) == 1 else "them")
                + " out._"
            )
        elif grounded.found and not verified:
            text += "\n\n_No passage of the article came with this answer to back it up._"
        if grounded.found and verified and (missing := unbacked(prose, verified, resolved.query)):
            text += "\n\n" + support_note(missing)  # real quotes that don't back the answer
        return Result(
            kind="answer",
            text=text,
            prose=prose,
            quotes_dropped=len(dropped),
            article=articles[0],
            engine=self._engine_name(),
            model=self._model_name(),
            quotes=tuple(q.text for q in verified),
            found=grounded.found,
            usage=usage,
        )

    def _excerpts(self, article: Article, question: str) -> str:
        """The whole article if it fits, else the chunks that best match the question (the
        opening when none does), as much as the budget holds."""
        from bot.llm.tokens import count_tokens

        budget = self.settings.llm_context_tokens
        if count_tokens(article.text, self._model_name()) <= budget:
            return article.text
        from bot.llm.chunking import chunk_article
        from bot.llm.retrieval import retrieve

        chunks = chunk_article(article)
        ranked = [scored.chunk for scored in retrieve(question, chunks, k=len(chunks))]
        # No chunk shares a word with the question: the opening still lets the model answer
        # from context or say the article doesn't cover it (an empty <article> can't).
        picked: list[Any] = []
        used = 0
        for chunk in ranked or chunks:
            cost = count_tokens(chunk.text, self._model_name())
            if used + cost > budget:
                break
            picked.append(chunk)
            used += cost
        return "\n[...]\n".join(_merged_spans(article.text, picked))

    # --- model calls ----------------------------------------------------------------------

    def _engine_name(self) -> str:
        from bot.llm.models import online_provider

        return online_provider(self.settings) or "offline"

    def _model_name(self) -> str:
        from bot.llm.models import model_label

        return model_label(self.settings)

    def _stream(self, messages: list[Any], on_text: TextSink | None) -> tuple[str, Usage]:
        from bot.llm.models import complete, stream_complete

        if on_text is None:
            reply = complete(self.model, messages, self.settings)
        else:
            reply = stream_complete(self.model, messages, self.settings, on_text)
        return reply.text, reply.usage

    def _invoke(self, messages: list[Any]) -> tuple[str, Usage]:
        return self._stream(messages, None)

    def _grounded(self, messages: list[Any], on_text: TextSink | None) -> tuple[Any, Usage]:
        from bot.llm.models import grounded_answer

        return grounded_answer(self.model, messages, self.settings, on_text)

    # --- cache ----------------------------------------------------------------------------

    def _answer_key(
        self, content_hash: str, style: str, instructions: str, engine: str, template: Any
    ) -> str | None:
        if self.store is None:
            return None
        from bot.store import answer_key

        model = "offline" if engine == "offline" else f"{self._engine_name()}:{self._model_name()}"
        return answer_key(
            content_hash,
            style=style,
            instructions=instructions,
            engine=model,
            template_version=template.version,
        )

    def _cached(self, key: str | None, article: Article, on_text: TextSink | None) -> Result | None:
        if key is None or self.store is None:
            return None
        raw = self.store.get_answer(key)
        if raw is None:
            return None
        data = json.loads(raw)
        if on_text is not None:
            on_text(data["text"])
        return Result(
            kind=data["kind"],
            text=data["text"],
            article=article,
            engine=data["engine"],
            model=data.get("model"),
            label=data.get("label"),
            quotes=tuple(data.get("quotes", ())),
            cached=True,
            articles=(article,),
        )

    def _store_answer(self, key: str, result: Result) -> None:
        if self.store is None:
            return
        self.store.put_answer(
            key,
            json.dumps(
                {
                    "kind": result.kind,
                    "text": result.text,
                    "engine": result.engine,
                    "model": result.model,
                    "label": result.label,
                    "quotes": list(result.quotes),
                }
            ),
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
        raise NotArticlePage(kind, url=article.url)


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


def _instructions_notice(reading: Any) -> str:
    """Which of the user's wishes the offline engine followed and which it couldn't, each
    named as written ("6 bullets", "in Spanish")."""
    could_not = f"couldn't follow {_quoted(reading.ignored, 'or')}"
    if reading.followed:
        return (
            "The offline engine only picks sentences from the article: it followed "
            f"{_quoted(reading.followed, 'and')} but {could_not}."
        )
    return f"The offline engine only picks sentences from the article, so it {could_not}."


def _quoted(parts: Sequence[str], conjunction: str) -> str:
    quoted = [f"“{part}”" for part in parts]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {conjunction} {quoted[-1]}"


def _fallback_notice(exc: LLMError) -> str:
    # The error messages are whole sentences: quoted after, not squeezed into parentheses.
    return f"The AI model didn't answer, so this is the offline engine's version. {exc}"


def _combined(articles: Sequence[Article]) -> Article:
    """Several articles (a thread can hold more than one) as one text to search and quote."""
    if len(articles) == 1:
        return articles[0]
    paragraphs: list[str] = []
    for article in articles:
        if article.title:
            paragraphs.append(f"{article.title}")
        paragraphs.extend(article.paragraphs)
    first = articles[0]
    return Article.from_paragraphs(
        paragraphs, source_kind=first.source_kind, url=first.url, title=first.title
    )


def _merged_spans(text: str, chunks: Sequence[Any]) -> list[str]:
    """The chunks' text in article order, overlapping or touching chunks joined into one span
    (so shared words aren't sent twice and "[...]" only marks a real gap)."""
    spans: list[list[int]] = []
    for chunk in sorted(chunks, key=lambda c: c.start):
        if spans and chunk.start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], chunk.end)
        else:
            spans.append([chunk.start, chunk.end])
    return [text[start:end].strip() for start, end in spans]


def _history_messages(history: Sequence[Any]) -> list[tuple[str, str]]:
    """Stored turns as (role, text) pairs for the follow-up template's history placeholder."""
    roles = {"user": "human", "assistant": "ai"}
    out: list[tuple[str, str]] = []
    for turn in history:
        role = getattr(turn, "role", None) or turn[0]
        text = getattr(turn, "text", None) or turn[1]
        out.append((roles.get(role, role), text))
    return out
