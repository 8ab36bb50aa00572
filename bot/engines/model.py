"""The configured chat model (OpenAI, Azure or any OpenAI-compatible server) as an Engine.

Long articles are fitted to the model's budget: map-reduce notes for a summary, the
passages that match the question for an answer. An answer's quotes are checked against the
article before they are shown."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from bot import progress
from bot.engines import wording
from bot.engines.base import Question, SummaryRequest, TextSink, combined
from bot.errors import LLMBadResponse, LLMError
from bot.ingest import Article
from bot.llm.usage import Usage
from bot.results import Result
from bot.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.llm.models import Completion
    from bot.llm.templates import TemplateRegistry


class ModelEngine:
    def __init__(
        self, settings: Settings, templates: TemplateRegistry, model: Callable[[], BaseChatModel]
    ) -> None:
        """`model` builds (or returns the already built) chat model, only when it is used."""
        self.settings = settings
        self.templates = templates
        self._model = model

    @property
    def name(self) -> str:
        from bot.llm.providers import online_provider

        return online_provider(self.settings) or "offline"

    @property
    def model_name(self) -> str:
        from bot.llm.providers import model_label

        return model_label(self.settings)

    @property
    def cache_id(self) -> str:
        return f"{self.name}:{self.model_name}"

    # --- summaries ------------------------------------------------------------------------

    def summarize(self, request: SummaryRequest, on_text: TextSink | None) -> Result:
        spent = _Spent()
        try:
            return self._summarize(request, on_text, spent)
        except LLMError as exc:  # the calls that did answer were paid for: they still count
            exc.charge(spent.usage)
            raise

    def _summarize(
        self, request: SummaryRequest, on_text: TextSink | None, spent: _Spent
    ) -> Result:
        article = request.article
        body = self._fit_article(article, spent)
        messages = request.template.format_messages(
            article=body, title=article.title, instructions=request.instructions
        )
        reply = self._stream(messages, on_text, spent)
        if not reply.text.strip():  # nothing to show: let the offline engine write it instead
            raise LLMBadResponse("The language model sent an empty reply.")
        return Result(
            kind="summary",
            text=reply.text,
            article=article,
            engine=self.name,
            model=self.model_name,
            notice=wording.CUT_NOTICE if reply.cut else None,  # it stops mid-sentence
            usage=spent.usage,
            articles=(article,),
        )

    def _fit_article(self, article: Article, spent: _Spent) -> str:
        """The article, or for a long one, notes from every part of it (map-reduce)."""
        from bot.llm.tokens import count_tokens

        budget = self.settings.llm_context_tokens
        if count_tokens(article.text, self.model_name) <= budget:
            return article.text
        from bot.text.chunking import chunk_article

        chunks = chunk_article(article, max_size=budget // 2, overlap=50, unit="tokens")
        mapper = self.templates.get("map")
        title = article.title

        def note(index_chunk: tuple[int, Any]) -> str:
            index, chunk = index_chunk
            messages = mapper.format_messages(
                article=chunk.text, title=title, part=index + 1, parts=len(chunks)
            )
            return self._stream(messages, None, spent).text

        with ThreadPoolExecutor(max_workers=self.settings.llm_map_concurrency) as pool:
            notes = list(pool.map(note, enumerate(chunks)))
        reducer = self.templates.get("reduce")
        # Merge notes in groups until they fit the budget (a very long article may need rounds).
        while len(notes) > 1 and count_tokens("\n\n".join(notes)) > budget:
            groups = [notes[i : i + 4] for i in range(0, len(notes), 4)]
            notes = [
                self._stream(
                    reducer.format_messages(notes="\n\n".join(g), title=title), None, spent
                ).text
                for g in groups
            ]
        return "\n\n".join(notes)

    # --- answers --------------------------------------------------------------------------

    def answer(self, question: Question, on_text: TextSink | None) -> Result:
        from bot.llm.models import grounded_answer
        from bot.llm.quotes import verify_quotes
        from bot.llm.support import note, unbacked

        articles, resolved, history = question.articles, question.resolved, question.history
        article = combined(articles)
        template = self.templates.get("followup" if history else "answer")
        messages = template.format_messages(
            article=self._excerpts(article, resolved.query),
            title=article.title,
            question=resolved.question,  # the model has the history to read it with
            instructions=question.instructions,
            history=_history_messages(history),
        )
        grounded, usage = grounded_answer(self._model(), messages, self.settings, on_text)
        progress.step("check")
        verified, dropped = verify_quotes(list(grounded.quotes), article.text)
        prose = grounded.answer.strip()
        if not prose and not grounded.found:
            prose = wording.NOT_SAID
        if not prose and not verified:  # nothing to show: the offline engine answers instead
            raise LLMBadResponse("The language model sent an empty reply.").charge(usage)
        missing = unbacked(prose, verified, resolved.query) if grounded.found and verified else []
        return Result(
            kind="answer",
            text=wording.grounded_answer(
                prose,
                grounded.found,
                [q.text for q in verified],
                len(dropped),
                note(missing) if missing else None,  # real quotes that don't back the answer
            ),
            prose=prose,
            quotes_dropped=len(dropped),
            article=articles[0],
            engine=self.name,
            model=self.model_name,
            quotes=tuple(q.text for q in verified),
            found=grounded.found,
            notice=wording.CUT_ANSWER_NOTICE if grounded.cut else None,  # mid-sentence
            usage=usage,
        )

    def _excerpts(self, article: Article, question: str) -> str:
        """The whole article if it fits, else the chunks that best match the question (the
        opening when none does), as much as the budget holds."""
        from bot.llm.tokens import count_tokens

        budget = self.settings.llm_context_tokens
        if count_tokens(article.text, self.model_name) <= budget:
            return article.text
        from bot.text.chunking import chunk_article
        from bot.text.retrieval import retrieve

        chunks = chunk_article(article)
        ranked = [scored.chunk for scored in retrieve(question, chunks, k=len(chunks))]
        # No chunk shares a word with the question: the opening still lets the model answer
        # from context or say the article doesn't cover it (an empty <article> can't).
        picked: list[Any] = []
        used = 0
        for chunk in ranked or chunks:
            cost = count_tokens(chunk.text, self.model_name)
            if used + cost > budget:
                break
            picked.append(chunk)
            used += cost
        return "\n[...]\n".join(_merged_spans(article.text, picked))

    # --- model calls ----------------------------------------------------------------------

    def _stream(self, messages: list[Any], on_text: TextSink | None, spent: _Spent) -> Completion:
        from bot.llm.models import complete, stream_complete

        if on_text is None:
            reply = complete(self._model(), messages, self.settings)
        else:
            reply = stream_complete(self._model(), messages, self.settings, on_text)
        spent.add(reply.usage)
        return reply


class _Spent:
    """What one request's model calls have cost so far (map calls add from several threads),
    kept apart from the result so that a failure later in the request still reports it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.usage = Usage()

    def add(self, usage: Usage) -> None:
        with self._lock:
            self.usage = self.usage + usage


def _history_messages(history: Sequence[Any]) -> list[tuple[str, str]]:
    """Stored turns as (role, text) pairs for the follow-up template's history placeholder."""
    from bot.llm.followups import turns

    roles = {"user": "human", "assistant": "ai"}
    return [(roles.get(role, role), text) for role, text in turns(history)]


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
