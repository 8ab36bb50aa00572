"""The `articlebot` command group; sub-commands live in sibling modules and register on it.

Start-up speed: `articlebot --help` and `--version` import nothing but click here. Logging
setup and every sub-command's libraries load only when a command runs, and pydantic only
when the command reads a setting `bot.quick_settings` doesn't (`clean FILE` reads none).
"""

from __future__ import annotations

import errno
import logging
import os
import re
import sys
from typing import TYPE_CHECKING, NoReturn, TypeGuard

import click

from bot import __version__

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

_VERBOSE = "articlebot.verbose"
_SECRET_WORDS = ("key", "token", "secret")


def _log_verbosely(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`-v` works before or after the sub-command: `articlebot -v ask …`, `articlebot ask … -v`."""
    if value:
        ctx.find_root().meta[_VERBOSE] = True
        root = logging.getLogger()
        root.setLevel(min(root.getEffectiveLevel(), logging.INFO))


def _verbose_option() -> click.Option:
    return click.Option(
        ["-v", "--verbose"],
        is_flag=True,
        expose_value=False,
        callback=_log_verbosely,
        help="Log what happens to stderr (fetches, blocked links, model tokens and cost).",
    )


def is_verbose(ctx: click.Context) -> bool:
    return bool(ctx.find_root().meta.get(_VERBOSE))


def settings_problem(exc: ValidationError | SettingsError) -> str:
    """A bad setting in one line per problem, naming the variable; secrets' values unshown."""
    from pydantic_settings import SettingsError

    if isinstance(exc, SettingsError):  # a value that must be JSON isn't
        field = re.search(r'field "(\w+)"', str(exc))
        name = field.group(1).upper() if field else "a setting"
        return f"bad setting {name}: it must be JSON. Check your environment or .env file."
    problems = []
    for error in exc.errors():
        name = "_".join(str(part) for part in error["loc"]).upper() or "a setting"
        secret = any(word in name.lower() for word in _SECRET_WORDS)
        shown = "" if secret else f" (got {error['input']!r})"
        problems.append(f"{name}: {error['msg']}{shown}")
    return "bad setting " + "; ".join(problems) + ". Check your environment or .env file."


INTRANET_HINT = "To let me read an intranet site, add its host to FETCH_ALLOWLIST (see README)."


class _Group(click.Group):
    """Turns the bot's own errors into one clear line and a non-zero exit, not a traceback;
    with `--json`, into one JSON object on stdout instead (see `_fail`)."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.params.append(_verbose_option())
        for param in cmd.params:
            if isinstance(param, click.Option) and "--json" in param.opts and not param.callback:
                param.callback = _note_json
        super().add_command(cmd, name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # A usage error (`--days abc`) may come before click has read `--json`: until it
        # has, the words typed say whether a script asked for JSON.
        name, cmd, rest = super().resolve_command(ctx, args)
        options = rest[: rest.index("--")] if "--" in rest else rest
        if cmd is not None and "--json" in options and _has_json_option(cmd):
            ctx.meta.setdefault(_JSON, True)
        return name, cmd, rest

    def invoke(self, ctx: click.Context) -> object:
        # Imported here, not at the top: any command needs it, --help and --version don't.
        from bot.errors import ArticlebotError

        # no-color.org, and a terminal that shows escapes as text: click colours otherwise.
        if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
            ctx.color = False  # every sub-command's context inherits it
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):  # --help, ctx.exit(), a prompt's Ctrl-C
            raise
        except ArticlebotError as exc:
            # Whoever runs the CLI runs the bot: a private address can be allowed.
            hint = INTRANET_HINT if getattr(exc, "intranet", False) else None
            _fail(ctx, exc.code, str(exc), hint=hint, status=1)
        except KeyboardInterrupt:
            _fail(ctx, "interrupted", "interrupted", status=130)
        except OSError as exc:
            if exc.errno in _DISK_FULL:
                _cannot_write(ctx, exc)
            if exc.errno != errno.EPIPE:  # a closed pipe (`| head -1`): click ends quietly
                _say_bug(ctx, exc)
            raise
        except click.ClickException as exc:  # bad flags: click prints its usage, unless JSON
            if not ctx.meta.get(_JSON):
                raise
            code = "usage" if isinstance(exc, click.UsageError) else "error"
            _fail(ctx, code, exc.format_message(), status=exc.exit_code)
        except Exception as exc:
            if _is_settings_error(exc):
                _fail(ctx, "config", settings_problem(exc), status=1)
            if isinstance(exc, UnicodeDecodeError) and (problem := _dotenv_problem()):
                _fail(ctx, "config", problem, status=1)
            _say_bug(ctx, exc)
            raise  # the traceback, on stderr


_JSON = "articlebot.json"
# Where the output goes is full (`> summary.md` on a full disk, /dev/full): click handles a
# closed pipe (EPIPE) itself, quietly.
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def _cannot_write(ctx: click.Context, exc: OSError) -> NoReturn:
    """The result can't be written: one line on stderr (stdout, JSON or not, is what failed),
    exit 1. What stayed in stdout's buffer is dropped, or Python's own last flush would fail
    again with an "Exception ignored" of its own."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (stdout until the process ends)
    click.secho(f"error: can't write the output: {exc.strerror or exc}.", fg="red", err=True)
    ctx.exit(1)


def _note_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    """The parsed `--json` flag: the last word on whether errors are JSON."""
    ctx.meta[_JSON] = bool(value)  # meta is shared by the whole context tree
    return value


def _has_json_option(cmd: click.Command) -> bool:
    return any(isinstance(p, click.Option) and "--json" in p.opts for p in cmd.params)


def _fail(
    ctx: click.Context, code: str, message: str, *, status: int, hint: str | None = None
) -> NoReturn:
    """Exit with `status` after saying what went wrong: a red line (and hint) on stderr, or,
    when the command was given --json, `{"error": {"code", "message"[, "hint"]}}` on stdout,
    where a script reads the result it asked for (stdout is always one JSON object)."""
    if ctx.meta.get(_JSON):
        _json_error(code, message, hint)
    elif code == "interrupted":
        click.echo(message, err=True)
    else:
        click.secho(f"error: {message}", fg="red", err=True)
        if hint:
            click.echo(hint, err=True)
    ctx.exit(status)


def _say_bug(ctx: click.Context, exc: BaseException) -> None:
    """An error none of ours: with --json a script still reads one JSON object (the
    traceback follows on stderr)."""
    if ctx.meta.get(_JSON):
        _json_error("internal", f"articlebot failed ({type(exc).__name__}); see stderr.")


def _json_error(code: str, message: str, hint: str | None = None) -> None:
    import json

    error = {"code": code, "message": message, **({"hint": hint} if hint else {})}
    click.echo(json.dumps({"error": error}, ensure_ascii=False))


def _dotenv_problem() -> str | None:
    """Why the working folder's .env can't be read as settings (Settings reads it as UTF-8;
    PowerShell's `>` writes UTF-16), or None when it can."""
    try:
        with open(".env", "rb") as handle:
            handle.read().decode("utf-8")
    except OSError:
        return None
    except UnicodeDecodeError as exc:
        return (
            f"bad .env: it isn't UTF-8 text (byte {exc.object[exc.start]:#04x} at position "
            f"{exc.start}). Save it as UTF-8."
        )
    return None


def _is_settings_error(exc: Exception) -> TypeGuard[ValidationError | SettingsError]:
    """A bad setting, told without importing pydantic: if the command never loaded it (as
    `clean FILE` doesn't), no settings were read and the error is something else."""
    if "pydantic_settings" not in sys.modules:  # Settings loads both
        return False
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    return isinstance(exc, ValidationError | SettingsError)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    params=[_verbose_option()],
)
@click.version_option(__version__, prog_name="articlebot")
def cli() -> None:
    """Clean, summarize and answer questions about articles: links, files or pasted text."""
    from bot.logs import setup_logging
    from bot.quick_settings import quick_settings

    # Only LOG_LEVEL and LOG_FORMAT: a command that needs more reads the whole Settings
    # itself (and a bad value there is reported the same way, by invoke above).
    settings = quick_settings()
    # Without -v or LOG_LEVEL only errors are logged: notices and the offline label say the rest.
    level = logging.getLevelName(settings.log_level) if settings.log_level_set else logging.ERROR
    if is_verbose(click.get_current_context()):
        level = min(level, logging.INFO)
    setup_logging(level, settings.log_format)
