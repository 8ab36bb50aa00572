"""`articlebot summarize / ask / chat / prompts`, offline and against the fake OpenAI server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.llm.templates import load_templates
from bot.settings import get_settings
from tests.cli_env import MODEL_ENV
from tests.servers.articles import ArticleServer
from tests.servers.fake_openai import (  # noqa: F401
    Failure,
    FakeOpenAI,
    Reply,
    fake_openai_server,
)

SEED = Path(__file__).parent / "fixtures" / "seed_paywall.txt"
QUESTION = "Where did Kim hold talks with Xi Jinping?"
ELI5 = """\
name: summary_eli5
description: Explain it to a five-year-old.
variables: [article, title, instructions]
messages:
  - role: system
    content: Explain this article as if to a five-year-old, in three short sentences.
  - role: human
    content: |
      Title: {title}
      <article>
      {article}
      </article>
      Extra instructions from the user: {instructions}
"""


pytestmark = pytest.mark.usefixtures("offline_cli")


def _point_at(server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-123")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_MODEL", server.model)
    monkeypatch.setenv("LLM_MAX_RETRIES", "0")
    get_settings.cache_clear()


def _run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


# --- offline (no key) -------------------------------------------------------------------------


def test_summarize_without_a_key_uses_the_offline_engine() -> None:
    result = _run("summarize", str(SEED))
    assert result.exit_code == 0, result.output
    assert "offline engine" in result.stderr
    bullets = [line[2:] for line in result.stdout.splitlines() if line.startswith("- ")]
    # An eleven-paragraph article gets a list that fills the bullets' budget (two long
    # points do), not a cut-off one.
    assert len(bullets) >= 2 and sum(len(b.split()) for b in bullets) >= 60
    assert all(line in SEED.read_text(encoding="utf-8") for line in bullets)
    assert "Disclaimer" not in result.stdout


def test_a_bad_setting_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_TIMEOUT", "soon")
    result = _run("summarize", str(SEED))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "LLM_TIMEOUT" in result.stderr and "'soon'" in result.stderr
    monkeypatch.delenv("LLM_TIMEOUT")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    monkeypatch.setenv("LLM_PRICES", "cheap")
    get_settings.cache_clear()
    result = _run("ask", str(SEED), QUESTION)
    assert result.exit_code == 1 and "LLM_PRICES" in result.stderr
    assert "sk-secret-value" not in result.output


def test_verbose_works_after_the_sub_command() -> None:
    result = _run("summarize", str(SEED), "--verbose")
    assert result.exit_code == 0, result.output
    assert "Engine: offline; no model requests" in result.stderr


def test_a_few_words_are_refused_unless_forced_and_a_short_note_is_summarized() -> None:
    for words in ("hello", "asdf", "Hello world."):
        result = _run("summarize", "-", stdin=words)
        assert result.exit_code == 1 and not result.stdout, words
        assert "only a few words" in result.stderr and "paste the article" in result.stderr.lower()
        assert "--force" in result.stderr
    result = _run("summarize", "-", "--force", stdin="Hello world.")
    assert result.exit_code == 0 and "Hello world." in result.stdout
    note = (
        "The ferry to the island will run all winter for the first time, the operator said "
        "on Tuesday, after years of requests from the people who live there."
    )
    result = _run("summarize", "-", stdin=note)
    assert result.exit_code == 0 and "ferry to the island" in result.stdout
    # Forced, furniture alone still has nothing to summarize.
    result = _run("summarize", "-", "--force", stdin="Scroll down for video")
    assert result.exit_code == 1 and "nothing in that text to summarize" in result.stderr


def test_summarize_json() -> None:
    result = _run("summarize", str(SEED), "--style", "tldr", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"summary", "quotes", "engine", "article", "usage"} <= set(data)
    assert data["engine"] == "offline" and data["label"].startswith("Offline summary")
    assert data["summary"] and "Moon" in data["summary"]
    assert data["article"]["source_kind"] == "text" and data["article"]["word_count"] > 300
    assert "Disclaimer" not in data["article"]["text"]
    assert data["usage"]["requests"] == 0


def test_ask_json_from_stdin() -> None:
    result = _run("ask", "-", QUESTION, "--json", stdin=SEED.read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["found"] is True and data["engine"] == "offline"
    assert data["answer"] and data["quotes"]
    assert any("Beijing" in quote for quote in data["quotes"])


def test_unknown_style_lists_the_styles() -> None:
    result = _run("summarize", str(SEED), "--style", "nosuch")
    assert result.exit_code == 1
    assert "Unknown summary style 'nosuch'" in result.stderr
    for style in ("bullets", "detailed", "tldr"):
        assert style in result.stderr
    assert "Traceback" not in result.output


def test_engine_openai_without_a_key_fails_clearly() -> None:
    result = _run("summarize", str(SEED), "--engine", "openai")
    assert result.exit_code == 1 and "No model is configured" in result.stderr


def test_chat_answers_then_exits() -> None:
    result = _run("chat", str(SEED), stdin=f"{QUESTION}\n\nexit\n")
    assert result.exit_code == 0, result.output
    assert "Beijing" in result.stdout
    assert "offline engine" in result.stderr


def test_offline_says_which_instructions_it_cannot_follow() -> None:
    result = _run("summarize", str(SEED), "-i", "in Spanish, for a CFO")
    assert result.exit_code == 0
    assert "couldn't follow “in Spanish” or “for a CFO”" in result.stderr
    result = _run("summarize", str(SEED), "-i", "in 3 bullets, focus on the sanctions")
    bullets = [line for line in result.stdout.splitlines() if line.startswith("- ")]
    assert len(bullets) == 3 and "couldn't follow" not in result.stderr
    result = _run("summarize", str(SEED), "-i", "6 bullets in Spanish")
    bullets = [line for line in result.stdout.splitlines() if line.startswith("- ")]
    assert len(bullets) == 6
    assert "followed “6 bullets” but couldn't follow “in Spanish”" in result.stderr


def test_offline_summary_told_a_question_points_to_ask() -> None:
    result = _run("summarize", str(SEED), "-i", "who hosted the talks?")
    assert result.exit_code == 0, result.output
    assert "couldn't follow “who hosted the talks”" in result.stderr
    assert f"articlebot ask {SEED} 'who hosted the talks?'" in result.stderr
    # A wish it couldn't follow is no question: no pointer to `ask`.
    assert "articlebot ask" not in _run("summarize", str(SEED), "-i", "in Spanish").stderr


def test_offline_caps_a_count_and_says_so() -> None:
    result = _run("summarize", str(SEED), "-i", "100 bullets")
    assert result.exit_code == 0, result.output
    bullets = [line for line in result.stdout.splitlines() if line.startswith("- ")]
    assert len(bullets) == 12
    assert "I can write at most 12 bullets offline; here are 12." in result.stderr
    data = json.loads(_run("summarize", str(SEED), "-i", "20 bullets", "--json").stdout)
    assert data["notice"] == "I can write at most 12 bullets offline; here are 12."


def test_offline_says_when_the_article_has_fewer_sentences_than_bullets_asked(
    tmp_path: Path,
) -> None:
    three = tmp_path / "three.txt"
    three.write_text(
        "The Riverside Library will close for renovations on March 3. The work, funded by a "
        "£2 million grant, will add a children's wing and a café. It is expected to reopen in "
        "the autumn.\n",
        encoding="utf-8",
    )
    result = _run("summarize", str(three), "-i", "6 bullets", "--force")
    assert result.exit_code == 0, result.output
    assert len([line for line in result.stdout.splitlines() if line.startswith("- ")]) == 3
    assert "the article only has 3 sentences worth listing" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "status"),
    [
        (["summarize", "no-such-file.txt", "--json"], "ingest", 1),
        (["ask", "--json", "-", QUESTION], "not_an_article", 1),  # stdin: "hello"
        (["summarize", str(SEED), "--style", "nosuch", "--json"], "prompt", 1),
        (["summarize", str(SEED), "--engine", "openai", "--json"], "config", 1),
        (["clean", "no-such-file.txt", "--json"], "ingest", 1),
        (["summarize", str(SEED), "--json", "--engine", "gpt"], "usage", 2),
        (["stats", "--days", "soon", "--json"], "usage", 2),  # before click has read --json
    ],
)
def test_json_errors_are_one_json_object_on_stdout(args: list[str], code: str, status: int) -> None:
    result = _run(*args, stdin="hello")
    assert result.exit_code == status, result.output
    error = json.loads(result.stdout)["error"]
    assert error["code"] == code and error["message"]
    assert not result.stderr  # nothing else, nothing twice


def test_json_error_codes_and_hints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_TIMEOUT", "soon")
    result = _run("summarize", str(SEED), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "config"
    assert "LLM_TIMEOUT" in json.loads(result.stdout)["error"]["message"]
    monkeypatch.delenv("LLM_TIMEOUT")
    get_settings.cache_clear()
    forced = json.loads(_run("summarize", "-", "--json", stdin="hello").stdout)["error"]
    assert "--force" in forced["message"]
    # Without --json (or with it only as the text of another option) errors stay a line.
    plain = _run("summarize", "no-such-file.txt", "-i", "no --json here")
    assert plain.exit_code == 1 and not plain.stdout
    assert plain.stderr.startswith("error: No such file or link")
    instruction = _run("summarize", "no-such-file.txt", "-i", "--json")
    assert instruction.exit_code == 1 and not instruction.stdout
    assert instruction.stderr.startswith("error: No such file or link")


@pytest.mark.parametrize("bug", [RuntimeError, PermissionError])
def test_a_bug_under_json_is_still_one_json_object(
    monkeypatch: pytest.MonkeyPatch, bug: type[Exception]
) -> None:
    from bot.pipeline import Pipeline

    def broken(*_args: object, **_kwargs: object) -> None:
        raise bug("a bug, not one of our errors")

    monkeypatch.setattr(Pipeline, "summarize", broken)
    result = CliRunner().invoke(cli, ["summarize", str(SEED), "--json"])  # catches the bug
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    name = bug.__name__
    assert error == {"code": "internal", "message": f"articlebot failed ({name}); see stderr."}
    assert isinstance(result.exception, bug)  # its traceback still goes to stderr
    plain = CliRunner().invoke(cli, ["summarize", str(SEED)])
    assert plain.exit_code == 1 and not plain.stdout
    helped = CliRunner().invoke(cli, ["summarize", "--json", "--help"])  # click's own exit
    assert helped.exit_code == 0 and helped.stdout.startswith("Usage: ")


# --- against the fake OpenAI server -----------------------------------------------------------


def test_engine_openai_fails_instead_of_falling_back(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    _point_at(fake_openai, monkeypatch)
    fake_openai.default = Failure(401, "Incorrect API key provided: sk-test-***123")
    forced = _run("summarize", str(SEED), "--engine", "openai")
    assert forced.exit_code == 1 and "rejected the API key" in forced.stderr
    assert "- " not in forced.stdout and "sk-test" not in forced.output
    forced = _run("ask", str(SEED), QUESTION, "--engine", "openai")
    assert forced.exit_code == 1 and "rejected the API key" in forced.stderr
    # Left to choose (auto), the offline engine still answers, and says why.
    auto = _run("summarize", str(SEED))
    assert auto.exit_code == 0 and "- " in auto.stdout and "rejected the API key" in auto.stderr
    scripted = json.loads(_run("summarize", str(SEED), "--json").stdout)
    assert scripted["engine"] == "offline" and "rejected the API key" in scripted["model_error"]
    assert "sk-test" not in json.dumps(scripted)


def test_summarize_streams_the_model_text(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    _point_at(fake_openai, monkeypatch)
    written = "**Moon wants a second summit**\n- Kim visited Beijing.\n- Sanctions remain."
    fake_openai.script(Reply(written, chunk_chars=5))
    result = _run("-v", "summarize", str(SEED), "-s", "tldr", "-i", "in Spanish")
    assert result.exit_code == 0, result.output
    assert result.stdout == written + "\n"
    assert "offline" not in result.stderr
    assert "Engine: openai (fake-model)" in result.stderr and "requests: 1" in result.stderr
    (body,) = fake_openai.requests
    assert body["stream"] is True
    assert fake_openai.system_prompt().startswith("You write TL;DRs")
    assert "in Spanish" in fake_openai.user_prompt()
    assert "Disclaimer" not in fake_openai.user_prompt()
    assert "sk-test-secret" not in result.output


def test_summarize_a_link_through_the_model(
    fake_openai: FakeOpenAI, article_server: ArticleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _point_at(fake_openai, monkeypatch)
    monkeypatch.setenv("FETCH_ALLOWLIST", "127.0.0.1")
    get_settings.cache_clear()
    fake_openai.default = Reply("The Millford bridge reopened.")
    result = _run("summarize", article_server.url("/story"), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["summary"], data["engine"], data["model"]) == (
        "The Millford bridge reopened.",
        "openai",
        "fake-model",
    )
    assert data["usage"]["requests"] == 1 and data["usage"]["prompt_tokens"] > 0
    assert data["article"]["url"] == article_server.url("/story")
    assert "Millford" in fake_openai.user_prompt()
    # In the terminal the source line says where it came from, as in Slack.
    shown = _run("summarize", article_server.url("/story"))
    (source,) = [line for line in shown.stderr.splitlines() if line.startswith("Source: ")]
    article = data["article"]
    for part in (article["title"], article["site_name"], article["url"]):
        assert part and part in source


def test_the_engine_setting_is_honoured(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    _point_at(fake_openai, monkeypatch)
    monkeypatch.setenv("ENGINE", "offline")
    get_settings.cache_clear()
    result = _run("summarize", str(SEED), "--json")
    assert json.loads(result.stdout)["engine"] == "offline"
    assert fake_openai.requests == []
    forced = _run("summarize", str(SEED), "--engine", "openai", "--json")  # the flag wins
    assert json.loads(forced.stdout)["engine"] == "openai"


def test_chat_keeps_the_history(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    _point_at(fake_openai, monkeypatch)
    fake_openai.script(
        Reply(structured={"answer": "Trump and Kim.", "quotes": [], "found": True}),
        Reply(structured={"answer": "In Singapore.", "quotes": [], "found": True}),
    )
    result = _run("chat", str(SEED), stdin="Who met in June?\nWhere did they meet?\nquit\n")
    assert result.exit_code == 0, result.output
    assert "Trump and Kim." in result.stdout and "In Singapore." in result.stdout
    first, second = fake_openai.requests
    assert [m["role"] for m in first["messages"]] == ["system", "user"]
    roles = [m["role"] for m in second["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert second["messages"][1]["content"] == "Who met in June?"
    assert second["messages"][2]["content"] == "Trump and Kim."


# --- prompts ----------------------------------------------------------------------------------


def test_prompts_lists_every_template() -> None:
    result = _run("prompts")
    assert result.exit_code == 0, result.output
    for template in load_templates():
        assert f"{template.name}  [built-in]" in result.stdout
        assert f"variables: {', '.join(template.variables)}" in result.stdout
    assert "summary styles: bullets, detailed, tldr" in result.stdout


def test_a_user_style_works_without_code_changes(
    tmp_path: Path, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "my_prompts"
    folder.mkdir()
    (folder / "summary_eli5.yaml").write_text(ELI5, encoding="utf-8")
    monkeypatch.setenv("PROMPTS_DIR", str(folder))
    get_settings.cache_clear()

    listed = _run("prompts")
    assert f"summary_eli5  [user: {folder / 'summary_eli5.yaml'}]" in listed.stdout
    assert "variables: article, title, instructions" in listed.stdout
    assert "eli5" in listed.stdout.split("summary styles:")[1]

    offline = _run("summarize", str(SEED), "--style", "eli5")
    assert offline.exit_code == 0 and "Moon" in offline.stdout
    assert "offline engine can't write the 'eli5' style" in offline.stderr

    _point_at(fake_openai, monkeypatch)
    fake_openai.default = Reply("Two leaders want to talk again.")
    online = _run("summarize", str(SEED), "--style", "eli5")
    assert online.exit_code == 0 and online.stdout == "Two leaders want to talk again.\n"
    assert fake_openai.system_prompt().startswith("Explain this article as if to a five-year")


def test_the_installed_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "articlebot"
    if not script.exists():
        pytest.skip("articlebot is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if k not in MODEL_ENV}
    done = subprocess.run(
        [str(script), "summarize", str(SEED), "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["engine"] == "offline"


def test_the_model_gets_a_count_past_the_offline_cap_as_written(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    _point_at(fake_openai, monkeypatch)
    fake_openai.default = Reply("\n".join(f"- Point {i}." for i in range(20)))
    result = _run("summarize", str(SEED), "-i", "20 bullets", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["engine"] == "openai" and data["notice"] is None
    assert data["summary"].count("- Point") == 20
    assert "20 bullets" in fake_openai.user_prompt()
