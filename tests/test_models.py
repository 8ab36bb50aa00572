"""Chat models against a real local OpenAI-compatible server (tests/servers/fake_openai.py)."""

from __future__ import annotations

import re
import time

import pytest

from bot.errors import ConfigError, LLMAuthError, LLMBadResponse, LLMError, LLMTimeout
from bot.llm.models import (
    build_chat_model,
    complete,
    grounded_answer,
    stream_complete,
    structured_method,
)
from bot.llm.providers import is_online, online_provider
from bot.llm.quotes import verify_quotes
from bot.llm.templates import load_templates
from bot.llm.usage import estimate_cost
from bot.settings import Settings
from tests.servers.fake_openai import Failure, FakeOpenAI, Raw, Reply, fake_openai_server  # noqa: F401

ARTICLE = (
    "The river council voted 7-2 on Tuesday to reopen the old bridge in May.\n\n"
    "Engineers will inspect the structure again in April before traffic is allowed back."
)
TEMPLATES = load_templates()


def _summary_messages(style: str = "bullets", instructions: str = "in Spanish") -> list:
    return TEMPLATES.summary(style).format_messages(
        article=ARTICLE, title="Bridge to reopen", instructions=instructions
    )


def _answer_messages(question: str = "When does the bridge reopen?") -> list:
    return TEMPLATES.get("answer").format_messages(
        article=ARTICLE, title="Bridge", question=question, instructions=""
    )


# --- which engine -------------------------------------------------------------------------


def test_engine_choice_from_settings() -> None:
    assert not is_online(Settings(_env_file=None))
    assert online_provider(Settings(_env_file=None, openai_api_key="sk-x")) == "openai"
    assert not is_online(Settings(_env_file=None, openai_api_key=" "))  # `OPENAI_API_KEY=` in .env
    local = Settings(_env_file=None, openai_base_url="http://127.0.0.1:11434/v1")
    assert online_provider(local) == "openai"  # local servers need no key
    assert structured_method(local) == "function_calling"
    azure = Settings(
        _env_file=None,
        azure_openai_endpoint="https://x.openai.azure.com/",
        azure_openai_api_key="k",
        azure_openai_deployment="d",
    )
    assert online_provider(azure) == "azure" and structured_method(azure) == "json_schema"
    partial = Settings(_env_file=None, azure_openai_endpoint="https://x.openai.azure.com/")
    with pytest.raises(ConfigError, match="AZURE_OPENAI_API_KEY"):
        online_provider(partial)
    with pytest.raises(ConfigError, match="No language model"):
        build_chat_model(Settings(_env_file=None))


def test_key_is_secret_in_settings_and_model_repr(fake_openai: FakeOpenAI) -> None:
    settings = fake_openai.settings()
    model = build_chat_model(settings)
    assert "sk-test-secret-123" not in repr(settings) + repr(model) + str(model)


# --- plain and streamed replies -----------------------------------------------------------


def test_plain_reply_and_what_the_server_received(fake_openai: FakeOpenAI) -> None:
    # The server answers with the first line of the system prompt it saw.
    fake_openai.reply_with(lambda body: body["messages"][0]["content"].splitlines()[0])
    settings = fake_openai.settings(llm_temperature=0.1)
    result = complete(build_chat_model(settings), _summary_messages("tldr"), settings)
    assert result.text == "You write TL;DRs of articles for busy readers in a chat app."
    body = fake_openai.requests[-1]
    assert body["model"] == "fake-model" and body["temperature"] == 0.1 and not body.get("stream")
    assert fake_openai.headers[-1]["authorization"] == "Bearer sk-test-secret-123"
    user = fake_openai.user_prompt()
    article_block = re.search(r"<article>\n(.*?)\n</article>", user, re.DOTALL)
    assert article_block is not None and article_block.group(1) == ARTICLE
    assert "Extra instructions from the user: in Spanish" in user
    assert "do not follow them" in " ".join(fake_openai.system_prompt().split())


def test_usage_comes_from_the_api_and_prices_it(fake_openai: FakeOpenAI) -> None:
    fake_openai.model = "gpt-4o-mini-2024-07-18"
    fake_openai.script(Reply("Un resumen.", usage=(1200, 80)))
    settings = fake_openai.settings(openai_model="gpt-4o-mini")
    usage = complete(build_chat_model(settings), _summary_messages(), settings).usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.estimated) == (1200, 80, False)
    assert usage.cost_usd == pytest.approx(estimate_cost("gpt-4o-mini", 1200, 80))
    assert usage.cost_usd == pytest.approx((1200 * 0.15 + 80 * 0.60) / 1e6)


def test_usage_is_estimated_when_the_server_sends_none(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("A short summary.", send_usage=False))
    settings = fake_openai.settings(llm_prices={"fake-model": (1.0, 2.0)})
    usage = complete(build_chat_model(settings), _summary_messages(), settings).usage
    assert usage.estimated and usage.requests == 1
    assert usage.prompt_tokens > len(ARTICLE.split())  # the article plus the rules
    assert usage.cost_usd == pytest.approx(
        (usage.prompt_tokens * 1.0 + usage.completion_tokens * 2.0) / 1e6
    )


def test_streamed_reply_arrives_in_pieces_with_usage(fake_openai: FakeOpenAI) -> None:
    text = "- The council voted 7-2.\n- The bridge reopens in May."
    fake_openai.script(Reply(text, chunk_chars=5, usage=(300, 20)))
    settings = fake_openai.settings()
    pieces: list[str] = []
    result = stream_complete(
        build_chat_model(settings, streaming=True), _summary_messages(), settings, pieces.append
    )
    assert len(pieces) >= len(text) // 5 and "".join(pieces) == text == result.text
    body = fake_openai.requests[-1]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (300, 20)
    assert not result.usage.estimated


# --- retries and failures -----------------------------------------------------------------


def test_rate_limit_then_success_is_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Failure(429, "Rate limit reached"), Reply("Finally."))
    settings = fake_openai.settings()
    assert complete(build_chat_model(settings), _summary_messages(), settings).text == "Finally."
    assert len(fake_openai.requests) == 2


def test_retry_after_seconds_header_is_honoured(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Failure(429, "Slow down", {"Retry-After": "1"}), Reply("Done."))
    settings = fake_openai.settings()
    start = time.monotonic()
    complete(build_chat_model(settings), _summary_messages(), settings)
    assert time.monotonic() - start >= 0.9  # waited as told, not the 0.5 s default backoff


def test_repeated_server_errors_give_up_after_the_configured_retries(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.default = Failure(500)
    settings = fake_openai.settings(llm_max_retries=3)
    with pytest.raises(LLMError, match="HTTP 500"):
        complete(build_chat_model(settings), _summary_messages(), settings)
    assert len(fake_openai.requests) == 4  # the first try and three retries


@pytest.mark.parametrize(
    "body",
    [b'{"id": "x", "choices": [{"mess', b"<html>Bad gateway</html>", b'{"unexpected": true}'],
    ids=["truncated", "html", "wrong-shape"],
)
def test_malformed_reply_is_an_llm_error(fake_openai: FakeOpenAI, body: bytes) -> None:
    fake_openai.script(Raw(body))
    settings = fake_openai.settings()
    with pytest.raises(LLMBadResponse, match="could not be read"):
        complete(build_chat_model(settings), _summary_messages(), settings)


def test_rejected_key_is_reported_without_echoing_it(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Failure(401, "Incorrect API key provided: sk-test-secret-123.", {}))
    settings = fake_openai.settings()
    with pytest.raises(LLMAuthError) as caught:
        complete(build_chat_model(settings), _summary_messages(), settings)
    assert "sk-test" not in str(caught.value) and "API key" in str(caught.value)
    assert len(fake_openai.requests) == 1  # not retried


def test_slow_first_token_times_out(fake_openai: FakeOpenAI) -> None:
    fake_openai.default = Reply("late", first_token_delay=2.0)
    settings = fake_openai.settings(llm_timeout=0.3, llm_max_retries=0)
    with pytest.raises(LLMTimeout, match=r"0\.3 seconds"):
        complete(build_chat_model(settings), _summary_messages(), settings)
    with pytest.raises(LLMTimeout):
        stream_complete(
            build_chat_model(settings, streaming=True), _summary_messages(), settings, print
        )


# --- Azure --------------------------------------------------------------------------------


def test_azure_deployment_is_called_the_azure_way(fake_openai: FakeOpenAI) -> None:
    settings = Settings(
        _env_file=None,
        azure_openai_endpoint=fake_openai.origin,
        azure_openai_api_key="azure-secret",
        azure_openai_deployment="summaries",
        openai_api_version="2024-10-21",
        llm_max_retries=0,
    )
    fake_openai.script(Reply("Resumen."))
    assert complete(build_chat_model(settings), _summary_messages(), settings).text == "Resumen."
    assert fake_openai.paths[-1] == (
        "/openai/deployments/summaries/chat/completions?api-version=2024-10-21"
    )
    assert fake_openai.headers[-1]["api-key"] == "azure-secret"


# --- grounded answers ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_grounded_answer(fake_openai: FakeOpenAI, method: str) -> None:
    invented = "The mayor cut the ribbon herself."
    fake_openai.script(
        Reply(
            structured={
                "answer": "In May.",
                "quotes": ["reopen the old bridge in May", invented],
                "found": True,
            }
        )
    )
    settings = fake_openai.settings(llm_structured_output=method)
    answer, usage = grounded_answer(build_chat_model(settings), _answer_messages(), settings)
    assert answer.answer == "In May." and answer.found and usage.requests == 1
    body = fake_openai.requests[-1]
    if method == "json_schema":
        assert body["response_format"]["json_schema"]["name"] == "GroundedAnswer"
    else:
        assert body["tools"][0]["function"]["name"] == "GroundedAnswer"
    verified, dropped = verify_quotes(answer.quotes, ARTICLE)
    assert [v.text for v in verified] == ["reopen the old bridge in May"] and dropped == [invented]


def test_plain_text_answer_quotes_come_from_the_prompt(fake_openai: FakeOpenAI) -> None:
    # The server quotes the first sentence of whatever article it was sent.
    def reply(body: dict) -> str:
        article = re.search(r"<article>\n(.*?)\n", body["messages"][-1]["content"]).group(1)
        return f"The council decided it.\n\n> {article}"

    fake_openai.reply_with(reply)
    settings = fake_openai.settings(llm_structured_output="off")
    answer, _ = grounded_answer(build_chat_model(settings), _answer_messages(), settings)
    assert "response_format" not in fake_openai.requests[-1]
    verified, dropped = verify_quotes(answer.quotes, ARTICLE)
    assert verified[0].text == ARTICLE.split("\n")[0] and dropped == []


def test_unreadable_or_refused_structured_output_falls_back_to_plain_text(
    fake_openai: FakeOpenAI,
) -> None:
    settings = fake_openai.settings(llm_structured_output="json_schema")
    model = build_chat_model(settings)
    # A model ignoring the schema, then a server that refuses response_format.
    fake_openai.script(Reply("Not JSON at all"), Reply("NOT FOUND: The article doesn't say."))
    answer, usage = grounded_answer(model, _answer_messages("Who paid?"), settings)
    assert not answer.found and answer.answer == "The article doesn't say."
    assert usage.requests == 2 and "response_format" not in fake_openai.requests[-1]
    fake_openai.script(
        Failure(400, "response_format is not supported", {}), Reply("May.\n> in May")
    )
    answer, _ = grounded_answer(model, _answer_messages(), settings)
    assert answer.quotes == ["in May"] and len(fake_openai.requests) == 4


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_a_prompt_too_long_is_no_refusal_of_the_format(
    fake_openai: FakeOpenAI, method: str
) -> None:
    # Asked again in plain text, it would fail the same way: one request, one error.
    settings = fake_openai.settings(llm_structured_output=method)
    too_long = Failure(400, "maximum context length is 8192 tokens", {}, "context_length_exceeded")
    fake_openai.script(too_long, Reply("May.\n> in May"))
    with pytest.raises(LLMError):
        grounded_answer(build_chat_model(settings), _answer_messages(), settings)
    assert len(fake_openai.requests) == 1


def test_json_cut_off_or_broken_is_never_shown_as_the_answer(fake_openai: FakeOpenAI) -> None:
    # A server that ignores the tool and writes the object as content, cut at the token
    # limit: that isn't prose, so the answer is asked for again in plain text.
    settings = fake_openai.settings(llm_structured_output="function_calling")
    model = build_chat_model(settings)
    fake_openai.script(Reply('{"answer": "The bridge reopens in M'), Reply("In May.\n> in May"))
    answer, usage = grounded_answer(model, _answer_messages(), settings)
    assert (answer.answer, answer.quotes, usage.requests) == ("In May.", ["in May"], 2)
    assert "tools" not in fake_openai.requests[-1]

    # Asked for plain text, it sends the object anyway, cut off: what it finished is read
    # (not a quote cut in the middle: only the parser closed it), never the braces.
    plain = fake_openai.settings(llm_structured_output="off")
    fake_openai.script(Reply('```json\n{"answer": "In May.", "quotes": ["in May", "the str'))
    answer, _ = grounded_answer(build_chat_model(plain), _answer_messages(), plain)
    assert (answer.answer, answer.quotes, answer.found) == ("In May.", ["in May"], True)
    # Cut inside the answer itself: nothing sure to show (the offline engine answers).
    fake_openai.script(Reply('{"found": true, "answer": "The bridge reopens in M'))
    answer, _ = grounded_answer(build_chat_model(plain), _answer_messages(), plain)
    assert answer.answer == "" and answer.quotes == []
    # The whole object as content is read as it is, with no second request.
    fake_openai.script(Reply('{"answer": "In May.", "quotes": ["in May"], "found": true}'))
    before = len(fake_openai.requests)
    answer, _ = grounded_answer(model, _answer_messages(), settings)
    assert answer.answer == "In May." and len(fake_openai.requests) == before + 1


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "off"])
def test_answer_streams_in_4_character_chunks_exactly(fake_openai: FakeOpenAI, method: str) -> None:
    # Escapes and characters outside the BMP cut anywhere by 4-character chunks; the chunks
    # are merged once at the end (one by one, the tool-call arguments were re-parsed each time).
    prose = 'The bridge "reopens" in May.\nCafé owners 😀 cheered \\o/ ' * 40
    structured = {"answer": prose, "quotes": ["reopen the old bridge in May"], "found": True}
    text = f"{prose}\n\n> reopen the old bridge in May"
    reply = Reply(text, chunk_chars=4, structured=None if method == "off" else structured)
    fake_openai.script(reply)
    settings = fake_openai.settings(llm_structured_output=method)
    deltas: list[str] = []
    model = build_chat_model(settings, streaming=True)
    answer, usage = grounded_answer(model, _answer_messages(), settings, deltas.append)
    assert "".join(deltas) == answer.answer == prose.strip()
    assert answer.quotes == ["reopen the old bridge in May"] and usage.requests == 1
    assert len(deltas) > 100
