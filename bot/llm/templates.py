"""Prompt templates: one YAML file each (prompts/*.yaml), loaded into LangChain prompts.

    name: summary_tldr                 # must match the file name
    description: One or two sentences.
    variables: [article, title, instructions]
    messages:
      - role: system                   # system | human | ai | placeholder
        content: |
          ... {title} ...              # f-string variables; write literal braces as {{ }}
      - role: placeholder
        content: "{history}"           # a list of earlier messages

Every file is validated when loaded; any problem raises PromptError naming the file. Users add
or replace templates with their own folder (setting `prompts_dir`): same name wins. A summary
style is just a file named `summary_<style>.yaml`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import TYPE_CHECKING, Any

import yaml

from bot.errors import PromptError

if TYPE_CHECKING:
    # Imported on first use (a second of start-up): the offline engine never formats a prompt.
    from langchain_core.messages import BaseMessage
    from langchain_core.prompts import ChatPromptTemplate


def builtin_prompts_dir() -> Path:
    """Where the built-in templates are. The repo's top-level prompts/ is their one source: a
    wheel carries it as the package folder bot/_prompts (see setup.py); a source checkout and
    the editable install dev.py makes read prompts/ beside bot/ directly."""
    package = Path(__file__).resolve().parents[1]
    shipped = package / "_prompts"
    return shipped if shipped.is_dir() else package.parent / "prompts"


BUILTIN_PROMPTS_DIR = builtin_prompts_dir()
DEFAULT_STYLE = "bullets"
SUMMARY_PREFIX = "summary_"
_ROLES = frozenset({"system", "human", "ai", "placeholder"})
_KEYS = frozenset({"name", "description", "variables", "messages"})
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")
# Shown for optional values the caller leaves out, so the prompt never has a dangling label.
_DEFAULTS: dict[str, Any] = {"instructions": "(none)", "title": "(unknown)", "history": []}
# Tags our templates use as delimiters; text inside values must not be able to close them.
_DELIMITER_TAG = re.compile(
    r"<(\s*/?\s*)(article|notes|question|instructions|discussion)\b", re.IGNORECASE
)


def neutralise_delimiters(text: str) -> str:
    """Defuse tags in untrusted text that could close or fake our delimiters ("</article>")."""
    return _DELIMITER_TAG.sub(lambda m: f"‹{m.group(1)}{m.group(2)}", text)


@dataclass(frozen=True, slots=True)
class PromptTemplate:
    name: str
    description: str
    variables: tuple[str, ...]
    path: Path
    builtin: bool
    messages: tuple[tuple[str, str], ...]  # (role, content), as validated
    # A digest of the file's text, part of every cached answer's key: edit a prompt and its
    # old answers are no longer served. Taken when the file is read, not per request.
    version: str = ""

    def values_for(self, **values: Any) -> dict[str, Any]:
        """The template's own variables from `values` (extras ignored), defaults filled in and
        delimiter tags in text defused. PromptError if a required value is missing."""
        out: dict[str, Any] = {}
        for var in self.variables:
            value = values.get(var)
            if value is None or (isinstance(value, str) and not value.strip()):
                if var not in _DEFAULTS:
                    raise PromptError(f"Prompt template '{self.name}' needs a value for '{var}'.")
                value = _DEFAULTS[var]
            out[var] = neutralise_delimiters(str(value)) if not isinstance(value, list) else value
        return out

    @property
    def prompt(self) -> ChatPromptTemplate:
        """The LangChain prompt, built on first use."""
        return _chat_prompt(self.messages)

    def format_messages(self, **values: Any) -> list[BaseMessage]:
        """Messages ready for a chat model. Pass any superset of the variables."""
        return self.prompt.format_messages(**self.values_for(**values))


@lru_cache(maxsize=128)
def _chat_prompt(messages: tuple[tuple[str, str], ...]) -> ChatPromptTemplate:
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages(list(messages))


def _fail(path: Path, problem: str) -> PromptError:
    return PromptError(f"Prompt template {path}: {problem}")


def _messages(path: Path, raw: object) -> list[tuple[str, str]]:
    if not isinstance(raw, list) or not raw:
        raise _fail(path, "'messages' must be a non-empty list of {role, content}.")
    messages: list[tuple[str, str]] = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, Mapping) or set(item) != {"role", "content"}:
            raise _fail(path, f"message {i} must have exactly 'role' and 'content'.")
        role, content = item["role"], item["content"]
        if role not in _ROLES:
            raise _fail(path, f"message {i} has role {role!r}; use one of {sorted(_ROLES)}.")
        if not isinstance(content, str) or not content.strip():
            raise _fail(path, f"message {i} has no text content.")
        if role == "placeholder" and not _PLACEHOLDER.match(content.strip()):
            raise _fail(path, f"message {i} is a placeholder; its content must be '{{name}}'.")
        messages.append((role, content.strip() if role == "placeholder" else content))
    return messages


def _fields(path: Path, i: int, content: str) -> set[str]:
    """The variables of one message's f-string, checked as LangChain checks them when it
    builds the prompt (a test keeps the two in step), without importing LangChain. Attribute
    access, indexing, positional and nested fields are refused whatever the LangChain version
    (0.3.79 took all four, 0.3.80 still the nested one)."""
    found: set[str] = set()
    try:
        fields = [
            (name, spec) for _, name, spec, _ in Formatter().parse(content) if name is not None
        ]
    except ValueError as err:  # an unmatched '{' or '}'
        raise _fail(path, f"has a bad message template ({err}).") from err
    for name, spec in fields:
        if "." in name or "[" in name or "]" in name:
            problem = f"variable {name!r} in message {i}: no attribute access (.) or indexing ([])"
        elif name.isdigit():
            problem = f"variable {name!r} in message {i}: names can't be all digits"
        elif spec and ("{" in spec or "}" in spec):
            problem = f"message {i} nests a replacement field in a format specifier"
        else:
            found.add(name)
            continue
        raise _fail(path, f"has a bad message template ({problem}).")
    return found


def _variables(path: Path, messages: list[tuple[str, str]]) -> set[str]:
    """Every variable the messages use (a placeholder's is its name)."""
    used: set[str] = set()
    for i, (role, content) in enumerate(messages, 1):
        if role == "placeholder":
            match = _PLACEHOLDER.match(content)
            assert match is not None  # _messages checked it
            used.add(match.group(1))
        else:
            used |= _fields(path, i, content)
    return used


# What each kind of template must use, or the model would never see it (a summary style
# without {article} would summarize nothing).
_REQUIRED: dict[str, frozenset[str]] = {
    "map": frozenset({"article"}),
    "reduce": frozenset({"notes"}),
    "answer": frozenset({"article", "question"}),
    "followup": frozenset({"article", "question", "history"}),
    "recap": frozenset({"discussion"}),
}


def _required_variables(name: str) -> frozenset[str]:
    if name.startswith(SUMMARY_PREFIX):
        return frozenset({"article"})
    return _REQUIRED.get(name, frozenset())


def load_template_file(path: Path, *, builtin: bool = False) -> PromptTemplate:
    """Read and validate one template file."""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as err:
        raise _fail(path, f"cannot be read ({err}).") from err
    except yaml.YAMLError as err:
        raise _fail(path, f"is not valid YAML ({' '.join(str(err).split())}).") from err
    if not isinstance(data, Mapping):
        raise _fail(path, "must be a YAML mapping with name, description, variables, messages.")
    missing, unknown = _KEYS - set(data), set(data) - _KEYS
    if missing:
        raise _fail(path, f"missing key(s): {', '.join(sorted(missing))}.")
    if unknown:
        raise _fail(path, f"unknown key(s): {', '.join(sorted(unknown))}.")
    name, description, declared = data["name"], data["description"], data["variables"]
    if not isinstance(name, str) or name != path.stem or not _NAME.match(name):
        raise _fail(path, f"'name' must be the file name ({path.stem!r}), lower_snake_case.")
    if not isinstance(description, str) or not description.strip():
        raise _fail(path, "'description' must be a non-empty string.")
    if not isinstance(declared, list) or not all(isinstance(v, str) for v in declared):
        raise _fail(path, "'variables' must be a list of names.")
    messages = _messages(path, data["messages"])
    used = _variables(path, messages)
    if undeclared := used - set(declared):
        raise _fail(path, f"uses undeclared variable(s): {', '.join(sorted(undeclared))}.")
    if unused := set(declared) - used:
        raise _fail(path, f"declares unused variable(s): {', '.join(sorted(unused))}.")
    if needed := _required_variables(name) - used:
        raise _fail(path, f"must use {', '.join(sorted(needed))}: the pipeline fills it in.")
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return PromptTemplate(
        name, description.strip(), tuple(declared), path, builtin, tuple(messages), version=version
    )


class TemplateRegistry:
    """All templates by name; user templates shadow built-ins of the same name."""

    def __init__(self, templates: Mapping[str, PromptTemplate]) -> None:
        self._templates = dict(sorted(templates.items()))

    def names(self) -> list[str]:
        return list(self._templates)

    def __iter__(self) -> Iterator[PromptTemplate]:
        return iter(self._templates.values())

    def __contains__(self, name: object) -> bool:
        return name in self._templates

    def get(self, name: str) -> PromptTemplate:
        try:
            return self._templates[name]
        except KeyError:
            known = ", ".join(self._templates) or "none"
            raise PromptError(f"No prompt template named '{name}' (known: {known}).") from None

    def styles(self) -> list[str]:
        """Summary styles: every `summary_<style>` template."""
        return [
            n.removeprefix(SUMMARY_PREFIX) for n in self._templates if n.startswith(SUMMARY_PREFIX)
        ]

    def summary(self, style: str | None = None) -> PromptTemplate:
        """The template for a summary style ("tldr", "ELI5", "detailed"...); None: the default."""
        key = (style or DEFAULT_STYLE).strip().lower().replace("-", "_")
        name = SUMMARY_PREFIX + key
        if name not in self._templates:
            raise PromptError(
                f"Unknown summary style '{style}'. Styles: {', '.join(self.styles())}."
            )
        return self._templates[name]


@lru_cache(maxsize=1)
def builtin_styles() -> tuple[str, ...]:
    """The built-in summary styles, from the file names alone (no YAML read): for code that
    must know them without a loaded registry, such as telling "tldr <pasted article>" apart."""
    found = [*BUILTIN_PROMPTS_DIR.glob(f"{SUMMARY_PREFIX}*.yaml")]
    found += BUILTIN_PROMPTS_DIR.glob(f"{SUMMARY_PREFIX}*.yml")
    return tuple(sorted({p.stem.removeprefix(SUMMARY_PREFIX) for p in found}))


def _load_dir(folder: Path, *, builtin: bool) -> dict[str, PromptTemplate]:
    if not folder.is_dir():
        raise PromptError(f"Prompt folder {folder} does not exist.")
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    templates = (load_template_file(p, builtin=builtin) for p in files)
    return {t.name: t for t in templates}


def load_templates(
    extra_dir: Path | str | None = None, *, builtin_dir: Path = BUILTIN_PROMPTS_DIR
) -> TemplateRegistry:
    """Load and validate the built-in templates, then the user's folder over them."""
    templates = _load_dir(builtin_dir, builtin=True)
    if extra_dir is not None:
        templates.update(_load_dir(Path(extra_dir).expanduser(), builtin=False))
    return TemplateRegistry(templates)
