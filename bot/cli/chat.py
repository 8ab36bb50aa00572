"""`articlebot chat`: follow-up questions about one article, in a loop, history kept."""

from __future__ import annotations

import sys

import click

from bot.cli.app import cli, is_verbose
from bot.cli.summarize import (
    ENGINE_HELP,
    ENGINES,
    FORCE_HELP,
    answer_turn,
    engine_label,
    force_hint,
)

EXIT_WORDS = frozenset({"exit", "quit", ":q", "bye", "q"})


def _questions_from_terminal() -> None:
    """The article came on stdin, so the questions must come from the terminal."""
    from bot.errors import ArticlebotError

    try:
        sys.stdin = open("/dev/tty", encoding="utf-8")  # noqa: SIM115 (lives as long as stdin)
    except OSError:
        raise ArticlebotError(
            "chat reads your questions from standard input, and the article used it up: "
            "save the article to a file and run `articlebot chat FILE`."
        ) from None


@cli.command()
@click.argument("source")
@click.option(
    "-e",
    "--engine",
    type=ENGINES,
    help=ENGINE_HELP,
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.pass_context
def chat(ctx: click.Context, source: str, engine: str | None, force: bool) -> None:
    """Ask questions about SOURCE one after another (Ctrl-D or 'exit' to stop)."""
    # The pipeline (langchain, the model client) loads here, not when `articlebot` starts.
    from bot.cli.inputs import read_source
    from bot.cli.output import finish, progress, streamer
    from bot.errors import ArticlebotError
    from bot.llm.followups import classify_turn, small_reply
    from bot.pipeline import Pipeline, refuse_non_article
    from bot.settings import get_settings

    settings = get_settings()
    pipeline = Pipeline(settings)
    verbose = is_verbose(ctx)
    label = engine_label(pipeline, engine)  # no model for --engine openai: fail before asking
    with progress() as spinner:
        spinner.show("Reading the article…")
        article = read_source(source, settings)
    if not force:  # refused once, up front: not "Ask about: We value your privacy" and then
        with force_hint():  # the same refusal for every question
            refuse_non_article(article)
    if source == "-":
        _questions_from_terminal()
    click.secho(
        f"Ask about: {article.title or article.url or 'your article'} "
        f"({article.word_count:,} words). Ctrl-D or 'exit' to stop.",
        fg="cyan",
        err=True,
    )
    if label:
        click.secho(label, fg="yellow", err=True)
    history: list[tuple[str, str]] = []
    source_shown = False  # the source line once per conversation, not under every answer
    while True:
        try:
            question = click.prompt("you", prompt_suffix="> ", err=True).strip()
        except (EOFError, click.Abort):
            click.echo(err=True)
            return
        if question.lower().strip(" /.!") in EXIT_WORDS:  # "/quit", "exit." too
            return
        if not question:
            continue
        kind = classify_turn(question)
        if kind == "small":  # "thanks": no search, no model, and not part of the history
            click.echo(small_reply(question))
            continue
        try:
            with progress() as spinner:
                result = answer_turn(
                    pipeline,
                    article,
                    question,
                    kind,
                    spinner,
                    engine=engine,
                    on_text=streamer(spinner),
                    force=True,  # judged once, above
                    asking="Thinking…",
                    history=history,
                )
        except ArticlebotError as exc:  # one bad turn doesn't end the conversation
            click.secho(f"error: {exc}", fg="red", err=True)
            continue
        finish(result, verbose=verbose, source=not source_shown)
        source_shown = True
        # The model's own words go into the history; the checked quotes and notes were ours.
        history += [("user", question), ("assistant", result.prose or result.text)]
