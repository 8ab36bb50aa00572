"""Chat models from settings, and calling them with errors people can read.

OpenAI, any OpenAI-compatible server (`openai_base_url`: Ollama, vLLM, llama.cpp, LM Studio,
LiteLLM) or Azure OpenAI. Retries with backoff on 429/5xx/timeouts are the openai client's own
(it honours Retry-After); `llm_max_retries` and `llm_timeout` configure it. Keys stay SecretStr
until handed to the client and never appear in messages or logs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import httpx
import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ValidationError

from bot.errors import (
    ConfigError,
    LLMAuthError,
    LLMBadResponse,
    LLMError,
    LLMRateLimited,
    LLMTimeout,
)
from bot.llm.providers import online_provider
from bot.llm.quotes import (
    GroundedAnswer,
    ProseStream,
    looks_like_json,
    normalise_answer,
    parse_answer_text,
    whole_json_answer,
)
from bot.llm.usage import Usage, usage_of
from bot.settings import Settings

log = logging.getLogger(__name__)

StructuredMethod = Literal["json_schema", "function_calling"]
# Local OpenAI-compatible servers ignore the key, but the client insists on one.
_NO_KEY = "not-needed"


def structured_method(settings: Settings) -> StructuredMethod | None:
    """How to ask for a GroundedAnswer: json_schema where OpenAI/Azure serve it, tool calling
    on other servers (wider support), None for plain text."""
    choice = settings.llm_structured_output
    if choice == "off":
        return None
    if choice != "auto":
        return choice
    if online_provider(settings) == "openai" and settings.openai_base_url:
        return "function_calling"
    return "json_schema"


def build_chat_model(
    settings: Settings, *, streaming: bool = False, max_tokens: int | None = None
) -> BaseChatModel:
    """A LangChain chat model for the configured provider (ConfigError when offline).

    Every reply is capped at `max_tokens`, by default `llm_max_output_tokens`: a model that
    runs on (repeating itself, or told to by the article) can't hold a job for minutes.
    """
    provider = online_provider(settings)
    common: dict[str, Any] = {
        "temperature": settings.llm_temperature,
        "timeout": settings.llm_timeout,
        "max_retries": settings.llm_max_retries,
        "streaming": streaming,
        "stream_usage": True,  # ask for usage in the last streamed chunk
        "max_tokens": max_tokens if max_tokens is not None else settings.llm_max_output_tokens,
    }
    if provider == "azure":
        from langchain_openai import AzureChatOpenAI

        key = settings.azure_openai_api_key
        return AzureChatOpenAI(
            azure_endpoint=settings.azure_openai_endpoint,
            azure_deployment=settings.azure_openai_deployment,
            api_version=settings.openai_api_version,
            api_key=key.get_secret_value() if key else None,
            **common,
        )
    if provider == "openai":
        from langchain_openai import ChatOpenAI

        key = settings.openai_api_key
        return ChatOpenAI(
            model=settings.openai_model,
            api_key=key.get_secret_value() if key else _NO_KEY,
            base_url=settings.openai_base_url or None,
            **common,
        )
    raise ConfigError(
        "No language model is configured: set OPENAI_API_KEY (or OPENAI_BASE_URL, or the "
        "AZURE_OPENAI_* settings)."
    )


def _model_name(model: Any) -> str:
    return str(
        getattr(model, "model_name", None) or getattr(model, "deployment_name", None) or "unknown"
    )


def translate_error(err: Exception, model: Any = None) -> LLMError:
    """An LLMError (with a message fit for the user, never the key) for a client failure."""
    if isinstance(err, LLMError):
        return err
    # Older openai clients let a read timeout inside a stream through as httpx's own.
    if isinstance(err, openai.APITimeoutError | httpx.TimeoutException):
        timeout = getattr(model, "request_timeout", None)
        after = f" after {timeout:g} seconds" if isinstance(timeout, int | float) else ""
        return LLMTimeout(f"The language model did not answer in time{after}.")
    if isinstance(err, openai.APIConnectionError):
        return LLMError("Could not reach the language model service.")
    if isinstance(err, openai.AuthenticationError | openai.PermissionDeniedError):
        # The service's own text may echo part of the key, so it is not passed on.
        return LLMAuthError("The language model service rejected the API key.")
    if isinstance(err, openai.NotFoundError):
        return LLMAuthError(f"The language model service has no model '{_model_name(model)}'.")
    if isinstance(err, openai.RateLimitError):
        return LLMRateLimited("The language model service is rate limiting us; try again soon.")
    if isinstance(err, openai.APIStatusError):
        if err.status_code >= 500:
            return LLMError(
                f"The language model service failed (HTTP {err.status_code}), even after retries."
            )
        return LLMBadResponse(
            f"The language model service refused the request (HTTP {err.status_code})."
        )
    if isinstance(err, ValueError | TypeError | KeyError | openai.APIResponseValidationError):
        # Malformed JSON, missing `choices` and the like, from a misbehaving server.
        return LLMBadResponse("The language model service sent a reply that could not be read.")
    return LLMError(f"The language model request failed ({type(err).__name__}).")


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    usage: Usage
    model: str
    cut: bool = False  # stopped at the token limit (llm_max_output_tokens), not by the model


def _cut(message: BaseMessage | None) -> bool:
    metadata = getattr(message, "response_metadata", None) or {}
    return metadata.get("finish_reason") == "length"


def _text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(
        str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content
    )


def _usage(
    message: AIMessage | None, model: Any, prompt: Sequence[Any], text: str, settings: Settings
) -> Usage:
    """One request's usage, also logged (the Slack bot has no other place to show it)."""
    reported = getattr(message, "usage_metadata", None)
    metadata = getattr(message, "response_metadata", None) or {}
    name = str(metadata.get("model_name") or _model_name(model))
    if metadata.get("finish_reason") == "length":
        log.warning("model %s: reply cut at LLM_MAX_OUTPUT_TOKENS", name)
    usage = usage_of(
        reported, model=name, prompt=prompt, completion=text, overrides=settings.llm_prices
    )
    cost = f", ~${usage.cost_usd:.6f}" if usage.cost_usd is not None else ""
    log.info(
        "model %s: %d prompt + %d completion tokens (%s)%s",
        name,
        usage.prompt_tokens,
        usage.completion_tokens,
        "estimated" if usage.estimated else "reported",
        cost,
    )
    return usage


class _Refused(Exception):
    """The server turned down a structured-output request (HTTP 400): ask in plain text."""


# A 400 about the request's size, not its format: asked again in plain text, it would fail
# the same way (and say "structured output refused" in the log).
_TOO_LONG = frozenset({"context_length_exceeded", "string_above_max_length"})


def _chunks(
    model: BaseChatModel, runnable: Any, messages: Sequence[BaseMessage], *, refusable: bool
) -> Iterator[AIMessageChunk]:
    """The reply's chunks, with client failures as LLMError. Only the model's own failures
    are translated: an error raised by whoever consumes the chunks (a Slack call writing the
    text) passes through as it is."""
    try:
        iterator = iter(runnable.stream(list(messages)))
    except Exception as err:
        raise translate_error(err, model) from err
    while True:
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        except openai.BadRequestError as err:
            if refusable and getattr(err, "code", None) not in _TOO_LONG:
                raise _Refused(str(err.status_code)) from err
            raise translate_error(err, model) from err
        except Exception as err:
            raise translate_error(err, model) from err
        if isinstance(chunk, AIMessageChunk):
            yield chunk
        elif isinstance(chunk, AIMessage):  # a model built without streaming: one whole reply
            yield _as_chunk(chunk)


def _as_chunk(message: AIMessage) -> AIMessageChunk:
    calls = [
        tool_call_chunk(
            name=call["name"], args=json.dumps(call["args"]), id=call.get("id"), index=i
        )
        for i, call in enumerate(message.tool_calls)
    ]
    return AIMessageChunk(
        content=message.content,
        additional_kwargs=message.additional_kwargs,
        response_metadata=message.response_metadata,
        usage_metadata=message.usage_metadata,
        id=message.id,
        tool_call_chunks=calls,
    )


def _merged(chunks: list[AIMessageChunk]) -> AIMessageChunk | None:
    """The reply's chunks as one message, merged at once: adding them one at a time
    re-parses the tool-call arguments so far at every chunk (9.6 s of CPU for a 20 KB
    answer in 4-character chunks)."""
    if len(chunks) < 2:
        return chunks[0] if chunks else None
    return cast(AIMessageChunk, chunks[0] + chunks[1:])


def complete(
    model: BaseChatModel, messages: Sequence[BaseMessage], settings: Settings
) -> Completion:
    """One reply, whole. LLMError (or a subclass) when the model can't answer."""
    try:
        reply = model.invoke(list(messages))
    except Exception as err:
        raise translate_error(err, model) from err
    text = _text(reply)
    message = reply if isinstance(reply, AIMessage) else None
    usage = _usage(message, model, messages, text, settings)
    return Completion(text, usage, _model_name(model), _cut(message))


def stream_complete(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    settings: Settings,
    on_text: Callable[[str], None],
) -> Completion:
    """A reply streamed piece by piece into `on_text`; returns the whole of it at the end."""
    chunks: list[AIMessageChunk] = []
    for chunk in _chunks(model, model, messages, refusable=False):
        chunks.append(chunk)
        piece = _text(chunk)
        if piece:
            on_text(piece)
    merged = _merged(chunks)
    text = _text(merged) if merged is not None else ""
    usage = _usage(merged, model, messages, text, settings)
    return Completion(text, usage, _model_name(model), _cut(merged))


def _answer_schema() -> dict[str, Any]:
    """GroundedAnswer as OpenAI's strict function schema (name, description, parameters)."""
    return dict(convert_to_openai_tool(GroundedAnswer, strict=True)["function"])


def _bind_structured(model: BaseChatModel, method: StructuredMethod) -> Any:
    schema = _answer_schema()
    if method == "json_schema":
        response_format = {
            "type": "json_schema",
            "json_schema": {
                "name": schema["name"],
                "description": schema["description"],
                "schema": schema["parameters"],
                "strict": True,
            },
        }
        return model.bind(response_format=response_format)
    return model.bind_tools([GroundedAnswer], tool_choice=schema["name"], parallel_tool_calls=False)


def _raw_piece(chunk: AIMessageChunk, method: StructuredMethod) -> str:
    """The JSON text a chunk adds: message content (json_schema) or tool-call arguments."""
    if method == "json_schema":
        return _text(chunk)
    return "".join(str(call.get("args") or "") for call in chunk.tool_call_chunks)


def _structured(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    settings: Settings,
    method: StructuredMethod,
    prose: ProseStream,
) -> tuple[GroundedAnswer | None, Usage]:
    """A GroundedAnswer by structured output, its `answer` streamed as the JSON arrives;
    (None, usage) when the server refuses the format or the reply isn't the JSON asked for."""
    chunks: list[AIMessageChunk] = []
    raw = ""
    prose.start(json_reply=True)
    try:
        for chunk in _chunks(model, _bind_structured(model, method), messages, refusable=True):
            chunks.append(chunk)
            piece = _raw_piece(chunk, method)
            if piece:
                raw += piece
                prose.feed(piece)
    except _Refused as refused:
        # The server doesn't do json_schema/tools: plain text it is.
        log.info("structured output refused (HTTP %s); using plain text", refused)
        return None, Usage()
    merged = _merged(chunks)
    usage = _usage(merged, model, messages, raw, settings)
    try:
        parsed = GroundedAnswer.model_validate_json(raw) if raw.strip() else None
    except ValidationError:
        parsed = None
    if parsed is not None:
        return normalise_answer(parsed), usage
    text = _text(merged) if merged is not None else ""
    if method == "function_calling" and text.strip():  # tools ignored: it wrote content
        if not looks_like_json(text):  # prose after all
            answer = parse_answer_text(text)
            return (answer.cut_short() if _cut(merged) else answer), usage
        whole = whole_json_answer(text)
        if whole is not None:  # the object, as content
            return whole, usage
    # The reply wasn't the JSON asked for; the request still cost its prompt.
    log.info("structured reply unreadable; asking again for plain text")
    return None, usage


def grounded_answer(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    settings: Settings,
    on_text: Callable[[str], None] | None = None,
) -> tuple[GroundedAnswer, Usage]:
    """Answer + quotes + found, by structured output where configured, else plain text
    ("> " quote lines) parsed; structured replies that can't be read fall back to plain text.

    The answer's prose streams into `on_text` as it is written (quotes and markers held
    back), so what was sent is always the start of `answer`. Quotes are NOT yet checked
    against the article: use quotes.verify_quotes.
    """
    prose = ProseStream(on_text)
    usage = Usage()
    method = structured_method(settings)
    if method is not None:
        answer, usage = _structured(model, messages, settings, method, prose)
        if answer is not None:
            return answer, usage
    prose.start(json_reply=False)
    try:
        reply = stream_complete(model, messages, settings, prose.feed)
    except LLMError as exc:  # the structured reply it replaces was paid for all the same
        exc.charge(usage)
        raise
    answer = parse_answer_text(reply.text)
    return (answer.cut_short() if reply.cut else answer), usage + reply.usage
