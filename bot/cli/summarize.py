"""`articlebot summarize` and `articlebot ask`."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from bot.cli.app import cli, is_verbose

if TYPE_CHECKING:
    from bot.cli.output import Progress
    from bot.engines.base import TextSink
    from bot.ingest.article import Article
    from bot.pipeline import Pipeline
    from bot.results import Result
    from bot.settings import Settings

ENGINES = click.Choice(["auto", "openai", "offline"])
# No default here: left out, the ENGINE setting decides (its own default is auto).
ENGINE_HELP = (
    "auto: the model when one is configured, else offline (and offline when the model fails); "
    "openai: the model only, its failures are errors; offline. Default: the ENGINE setting."
)


FORCE_HELP = "Go ahead even if the page doesn't look like an article (a sign-in page, a few words)."
# Said after the pipeline's refusal: on the command line, the user can overrule it.
FORCE_HINT = "To go ahead anyway, add --force."


def engine_label(pipeline: Pipeline, engine: str | None) -> str | None:
    """Say up front when the offline engine writes, so nobody mistakes it for the model."""
    if pipeline.engine_for(engine) == "offline":  # type: ignore[arg-type]
        return "[offline engine: extractive, no AI model]"
    return None


@cli.command()
@click.argument("source", required=False)
@click.option(
    "-s",
    "--style",
    help="Summary style: bullets, tldr, detailed, or your own (summary_<style>.yaml in "
    "PROMPTS_DIR; `articlebot prompts` lists them). Default: the SUMMARY_STYLE setting.",
)
@click.option("-i", "--instructions", default="", help='Extra wishes, e.g. "in Spanish".')
@click.option(
    "-e",
    "--engine",
    type=ENGINES,
    help=ENGINE_HELP,
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.option(
    "--from-file",
    "listed",
    type=click.File("r", encoding="utf-8"),
    help="Summarize every source FILE lists, one link or file a line (- for stdin; blank "
    "lines and # comments skipped), in turn; with --json one JSON object a line.",
)
@click.pass_context
def summarize(
    ctx: click.Context,
    source: str | None,
    style: str | None,
    instructions: str,
    engine: str | None,
    as_json: bool,
    force: bool,
    listed: TextIO | None,
) -> None:
    """Summarize SOURCE: a link, a file (HTML, PDF or text) or - for stdin; or with
    --from-file, every source of a list (exit 1 if any failed)."""
    # The pipeline (langchain, the model client) loads here, not when `articlebot` starts.
    from bot.cli.output import finish, print_json
    from bot.pipeline import Pipeline
    from bot.settings import get_settings

    if (source is None) == (listed is None):
        raise click.UsageError("Give one SOURCE, or --from-file with a list of them.")
    settings = get_settings()
    pipeline = Pipeline(settings)
    template_style = style or settings.summary_style
    pipeline.templates.summary(template_style)  # a wrong style fails before any fetching
    run = _Summary(pipeline, settings, style, instructions, engine, as_json, force)
    if listed is not None:
        ctx.exit(1 if run.each(_sources(listed), verbose=is_verbose(ctx)) else 0)
    assert source is not None
    result = run.one(source)
    if as_json:
        print_json(result)
    else:
        finish(result, verbose=is_verbose(ctx))


@dataclass(frozen=True, slots=True)
class _Summary:
    """What `summarize` was asked to do, for one source or for each of a list."""

    pipeline: Pipeline
    settings: Settings
    style: str | None
    instructions: str
    engine: str | None
    as_json: bool
    force: bool

    def one(self, source: str) -> Result:
        from bot.cli.inputs import read_source
        from bot.cli.output import progress, streamer

        with progress(not self.as_json) as spinner:
            spinner.show("Reading the article…")
            article = read_source(source, self.settings)
            spinner.show("Writing the summary…")
            label = engine_label(self.pipeline, self.engine)
            on_text = None if self.as_json else streamer(spinner, label)
            with force_hint():
                result = self.pipeline.summarize(
                    article,
                    style=self.style,
                    instructions=self.instructions,
                    engine=self.engine,  # type: ignore[arg-type]
                    on_text=on_text,
                    fallback=self.engine != "openai",  # asked for the model: failures are errors
                    force=self.force,
                )
        return _ask_instead(result, source, self.instructions)

    def each(self, sources: Iterator[str], *, verbose: bool) -> int:
        """Every source in turn, each result (or error) printed as it is done: under a
        `## source` heading, or as one JSON object a line with its `source`. How many
        failed; a failure doesn't stop the rest."""
        from bot.cli.output import finish
        from bot.errors import ArticlebotError, IngestError

        failed = 0
        for n, source in enumerate(sources):
            if not self.as_json:
                click.echo(f"\n## {source}\n" if n else f"## {source}\n")
            try:
                if source == "-":
                    raise IngestError("- (standard input) can't be one of a list's sources.")
                result = self.one(source)
            except ArticlebotError as exc:
                failed += 1
                if self.as_json:
                    error = {"code": exc.code, "message": str(exc)}
                    click.echo(json.dumps({"source": source, "error": error}, ensure_ascii=False))
                else:
                    click.secho(f"error: {source}: {exc}", fg="red", err=True)
                continue
            if self.as_json:
                click.echo(json.dumps({"source": source, **result.to_dict()}, ensure_ascii=False))
            else:
                finish(result, verbose=verbose)
        return failed


def _sources(listed: TextIO) -> Iterator[str]:
    """The sources a --from-file list names: a line each, blank lines and comments skipped.
    Standard input can't be one of them (it may be the list itself)."""
    for line in listed:
        source = line.strip()
        if source and not source.startswith("#"):
            yield source


@cli.command()
@click.argument("source")
@click.argument("question")
@click.option("-e", "--engine", type=ENGINES, help=ENGINE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.pass_context
def ask(
    ctx: click.Context,
    source: str,
    question: str,
    engine: str | None,
    as_json: bool,
    force: bool,
) -> None:
    """Answer QUESTION from SOURCE (a link, a file or -), quoting the article."""
    from bot.cli.inputs import read_source
    from bot.cli.output import finish, print_json, progress, streamer
    from bot.llm.followups import classify_turn, small_reply
    from bot.pipeline import Pipeline
    from bot.settings import get_settings

    if not question.strip():
        raise click.UsageError("QUESTION is empty: ask something about the article.")
    _check_order(source, question)
    # The phrases `chat` understands mean the same here: "thanks" is no search for "thank",
    # "summarize it" / "tl;dr" is a summary, not a question about the words "summarize it".
    kind = classify_turn(question)
    if kind == "small":  # nothing to look up, so no article to read for it
        reply = small_reply(question)
        click.echo(json.dumps(_small_talk_json(reply)) if as_json else reply)
        return
    settings = get_settings()
    pipeline = Pipeline(settings)
    with progress(not as_json) as spinner:
        spinner.show("Reading the article…")
        article = read_source(source, settings)
        on_text = None if as_json else streamer(spinner, engine_label(pipeline, engine))
        with force_hint():
            result = answer_turn(
                pipeline,
                article,
                question,
                kind,
                spinner,
                engine=engine,
                on_text=on_text,
                force=force,
                asking="Looking for the answer…",
            )
    if as_json:
        print_json(result)
    else:
        finish(result, verbose=is_verbose(ctx))


def answer_turn(
    pipeline: Pipeline,
    article: Article,
    question: str,
    kind: str,
    spinner: Progress,
    *,
    engine: str | None,
    on_text: TextSink | None,
    force: bool,
    asking: str,
    history: Sequence[tuple[str, str]] = (),
) -> Result:
    """One turn of `ask` or `chat` that isn't small talk: "summarize it" / "tl;dr" (`kind`
    "summarize", bot.llm.followups) is a summary in the style it names, else an answer."""
    from bot.llm.followups import summary_instructions, summary_style

    if kind == "summarize":
        spinner.show("Writing the summary…")
        return pipeline.summarize(
            article,
            style=summary_style(question),  # "tl;dr": the one-sentence TL;DR
            instructions=summary_instructions(question) or "",
            engine=engine,  # type: ignore[arg-type]
            on_text=on_text,
            fallback=engine != "openai",
            force=force,
        )
    spinner.show(asking)
    return pipeline.ask(
        [article],
        question,
        history=history,
        engine=engine,  # type: ignore[arg-type]
        on_text=on_text,
        fallback=engine != "openai",
        force=force,
    )


def _ask_instead(result: Result, source: str, instructions: str) -> Result:
    """`summarize URL -i "who paid?"` with an engine that "couldn't follow" the question: the
    notice says how to have it answered (`-i` says how to summarize; `ask` answers)."""
    from dataclasses import replace

    from bot.engines.wording import COULD_NOT_FOLLOW
    from bot.llm.asking import asks_about_link

    notice = result.notice or ""
    if COULD_NOT_FOLLOW not in notice or not asks_about_link(instructions):
        return result
    command = f"articlebot ask {shlex.quote(source)} {shlex.quote(instructions)}"
    return replace(result, notice=f"{notice} To have the question answered, ask it: {command}")


def _check_order(source: str, question: str) -> None:
    """`ask "Who is Locke?" story.txt`: the arguments swapped. Said before anything is read,
    with the command the other way round, rather than "No such file or link: Who is…"."""
    from bot.cli.inputs import as_link, names_a_path
    from bot.errors import IngestError
    from bot.ingest.links import is_question

    # A question is often longer than a file name may be: Path.exists() raises on it.
    if source == "-" or names_a_path(source) or not is_question(source):
        return
    if question == "-" or names_a_path(question, Path.is_file) or as_link(question):
        stop = "" if source.rstrip()[-1:] in "?？.!" else "."
        raise IngestError(
            f"No such file or link: {source}{stop} The source comes first, then the "
            f"question: articlebot ask {shlex.quote(question)} {shlex.quote(source)}"
        )


@contextmanager
def force_hint() -> Iterator[None]:
    """The pipeline's "not an article" refusal, with how to overrule it from here."""
    from bot.errors import NotArticlePage

    try:
        yield
    except NotArticlePage as exc:
        raise NotArticlePage(exc.kind, url=exc.url, hint=FORCE_HINT, pasted=exc.pasted) from None


def _small_talk_json(reply: str) -> dict[str, object]:
    """A reply to "thanks" with the keys of every answer (no article read: none found, no
    quotes), so `jq '.quotes[]'` works on whatever the question was."""
    return {
        "answer": reply,
        "quotes": [],
        "quotes_dropped": 0,
        "found": False,
        "engine": None,
        "model": None,
        "label": None,
        "notice": None,
        "model_error": None,
        "cached": False,
        "article": None,
        "usage": None,
        "small_talk": True,
    }
