"""`articlebot chat` as a conversation: follow-ups, small talk, "summarize it", one source line.

Offline, and against the fake OpenAI server (whose recorded requests prove what cost tokens).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.settings import get_settings
from tests.servers.fake_openai import FakeOpenAI, Reply, fake_openai_server  # noqa: F401

PLAGUE = Path(__file__).parent / "fixtures" / "plague_burials.txt"
GRAVEDIGGERS = "Gravediggers, poor labourers hired by each parish"
CONVERSATION = "How were the dead buried?\nWho usually does that work?\nthanks\nsummarize it\n"


pytestmark = pytest.mark.usefixtures("offline_cli")


def _chat(stdin: str, *args: str) -> Result:
    result = CliRunner().invoke(
        cli, ["chat", str(PLAGUE), *args], input=stdin, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result


def _answers(stdout: str) -> list[str]:
    """The offline engine's answers, one per "From the article:" block."""
    return stdout.split("From the article:")[1:]


def test_offline_follow_up_small_talk_and_summary() -> None:
    result = _chat(CONVERSATION + "quit\n", "--engine", "offline")
    answers, rest = result.stdout.split("You're welcome!", 1)
    first, second = _answers(answers)
    assert "The dead were buried in long trenches" in first
    # "that work" is the burying the first question asked about.
    assert GRAVEDIGGERS in second and "long trenches" not in second
    # "summarize it": the summary's bullets, not a search for the words "summarize it".
    bullets = [line for line in rest.splitlines() if line.startswith("- ")]
    assert len(bullets) >= 3 and "couldn't find" not in rest
    sources = [line for line in result.stderr.splitlines() if "Source: " in line]
    assert len(sources) == 1 and "Plague Burials in Medieval London" in sources[0]


HAWKS = Path(__file__).parent / "fixtures" / "harbor_hawks_defense.txt"


def test_offline_follow_ups_about_he_answer_about_the_person_just_asked_about() -> None:
    questions = (
        "Who is Marcus Delane?\nHow many fumbles did he force?\n"
        "Who is Felix Moreau?\nHow many interceptions did he have?\n"
    )
    result = CliRunner().invoke(
        cli, ["chat", str(HAWKS), "--engine", "offline"], input=questions, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    delane, fumbles, moreau, interceptions = _answers(result.stdout)
    assert "Marcus Delane" in delane
    # The sentence the first answer quoted is the one with his fumbles: quoted again, not
    # the teammates' ("Wren compiled … four forced fumbles").
    assert "forcing three fumbles" in fumbles and "Wren" not in fumbles
    assert "Felix Moreau, who became a shutdown corner" in moreau
    assert "had five interceptions" in interceptions and "led every team" not in interceptions


def _answer(text: str) -> Reply:
    return Reply(structured={"answer": text, "quotes": [], "found": True})


def test_small_talk_costs_no_model_request(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-123")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_MODEL", fake_openai.model)
    monkeypatch.setenv("LLM_MAX_RETRIES", "0")
    get_settings.cache_clear()
    fake_openai.script(
        _answer("In trenches outside the walls."),
        _answer("Gravediggers hired by the parish."),
        Reply("- Plague dead went into trenches.\n- Gravediggers buried them."),
    )
    result = _chat(CONVERSATION + "ok 👍\n")  # ends with Ctrl-D
    assert "Gravediggers hired by the parish." in result.stdout
    assert "You're welcome!" in result.stdout
    assert "- Gravediggers buried them." in result.stdout
    # Two answers and one summary: "thanks" and "ok 👍" cost nothing.
    assert len(fake_openai.requests) == 3
    assert not any("thanks" in fake_openai.user_prompt(i) for i in range(3))
    assert fake_openai.system_prompt(2) != fake_openai.system_prompt(1)  # the summary prompt
    # The model reads the follow-up with the conversation before it.
    roles = [m["role"] for m in fake_openai.messages(1)]
    assert roles == ["system", "user", "assistant", "user"]
    assert len([line for line in result.stderr.splitlines() if "Source: " in line]) == 1


def test_tldr_is_the_one_sentence_tldr_and_summarize_it_the_bullets() -> None:
    result = _chat("tl;dr\nsummarize it\n", "--engine", "offline")
    tldr = _run_summary("--style", "tldr")
    bullets = _run_summary()
    assert result.stdout.startswith(tldr.rstrip("\n")) and tldr.count("\n") == 1
    assert bullets.rstrip("\n") in result.stdout and len(bullets.splitlines()) >= 3


def _run_summary(*args: str) -> str:
    result = CliRunner().invoke(cli, ["summarize", str(PLAGUE), "--engine", "offline", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


COOKIE_WALL = Path(__file__).parent / "fixtures" / "not_articles" / "cookie_wall_fr.txt"


def test_a_non_article_is_refused_up_front_unless_forced(tmp_path: Path) -> None:
    hello = tmp_path / "hello.txt"
    hello.write_text("hello\n", encoding="utf-8")
    for page, what in ((COOKIE_WALL, "cookie-consent notice"), (hello, "only a few words")):
        result = CliRunner().invoke(cli, ["chat", str(page)], input="Who is it?\n")
        assert result.exit_code == 1 and not result.stdout, result.output
        assert what in result.stderr and "add --force" in result.stderr
        assert "Ask about:" not in result.stderr and "nothing to summarize." not in result.stderr
    forced = CliRunner().invoke(cli, ["chat", str(COOKIE_WALL), "--force"], input="cookies?\n")
    assert forced.exit_code == 0 and "Ask about:" in forced.stderr
    assert "From the article" in forced.stdout or "couldn't find" in forced.stdout


def test_hi_what_it_is_about_and_who_wrote_it() -> None:
    html = Path(__file__).parent / "fixtures" / "html_article_en.html"
    result = CliRunner().invoke(
        cli,
        ["chat", str(html), "--engine", "offline"],
        input="hi\nWhat is this article about?\nWho wrote it?\nwhen was it published?\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    tldr = CliRunner().invoke(cli, ["summarize", str(html), "--style", "tldr"]).stdout
    assert result.stdout.startswith("Hi! Ask me anything")
    assert tldr.split("\nSource:")[0].strip() in result.stdout
    assert "The article is by Maren Oakes." in result.stdout
    assert "published on 14 March 2021" in result.stdout
    assert "couldn't find" not in result.stdout


@pytest.mark.parametrize("stop", ["/quit", "/exit", "Quit.", "q"])
def test_the_ways_people_type_quit_end_the_chat(stop: str) -> None:
    # "/quit" was a question: answered with a quote, and the chat went on.
    result = _chat(f"{stop}\nHow were the dead buried?\n", "--engine", "offline")
    assert "From the article:" not in result.stdout
