"""`quick_settings()` (what `articlebot clean FILE` reads without pydantic) gives exactly what
`Settings` gives: the same values, and for a value Settings refuses, the same error."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.quick_settings import NAMES, QuickSettings, quick_settings
from bot.settings import Settings, get_settings

# Each number setting: its default, the smallest it takes and one below, and forms that only
# Settings may judge (signs, spaces, exponents, other digits, underscores...).
ODD_NUMBERS = [
    "",
    " 5000",
    "5000 ",
    "+5000",
    "-5",
    "5_000",
    "5e3",
    "5000.0",
    "0x10",
    "010",
    "٥٠٠٠",
    "abc",
    "99999999999999999999999",
]
INTS = {
    "fetch_max_bytes": ["10000000", "1", "0", "2500"],
    "ingest_max_pdf_pages": ["100", "1", "0", "7"],
    "ingest_max_chars": ["200000", "1000", "999", "5000"],
    "ingest_max_html_elements": ["5000", "100", "99", "250"],
}
TIMEOUTS = ["8", "8.0", "0.000001", "0", "0.0", "1e-6", ".5", "5.", "inf", "nan", " 8", "-1"]
LEVELS = ["debug", " Warning ", "INFO", "critical", "verbose", "", "ınfo"]
FORMATS = ["JSON", "text ", "Text", "xml", ""]
CASES = [
    *((name, value) for name, values in INTS.items() for value in [*values, *ODD_NUMBERS]),
    *(("ingest_timeout", value) for value in [*TIMEOUTS, *ODD_NUMBERS]),
    *(("log_level", value) for value in LEVELS),
    *(("log_format", value) for value in FORMATS),
]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """No .env, none of the settings in the environment, in any case."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.lower() in NAMES:
            monkeypatch.delenv(key)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _outcome(read: object) -> object:
    """What reading the settings gives: the values, or the error's text."""
    get_settings.cache_clear()
    try:
        settings = read()  # type: ignore[operator]
    except ValidationError as exc:
        return ("refused", str(exc))
    if isinstance(settings, Settings):
        values = {name: getattr(settings, name) for name in NAMES}
        return {**values, "log_level_set": "log_level" in settings.model_fields_set}
    assert isinstance(settings, QuickSettings)
    return {name: getattr(settings, name) for name in [*NAMES, "log_level_set"]}


def _same(expected: object) -> None:
    got = _outcome(quick_settings)
    assert got == expected
    if isinstance(expected, dict):  # the types too: 8 and 8.0 are equal, but print apart
        assert isinstance(got, dict)
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]


def test_unset_settings_are_settings_defaults(clean_env: pytest.MonkeyPatch) -> None:
    _same(_outcome(Settings))


@pytest.mark.parametrize(("name", "value"), CASES)
def test_each_value_reads_as_settings_reads_it(
    clean_env: pytest.MonkeyPatch, name: str, value: str
) -> None:
    clean_env.setenv(name.upper(), value)
    _same(_outcome(Settings))


@pytest.mark.parametrize(("name", "value"), [(n, v[1]) for n, v in INTS.items()])
def test_plain_values_are_read_without_pydantic(
    clean_env: pytest.MonkeyPatch, name: str, value: str
) -> None:
    clean_env.setenv(name.upper(), value)
    clean_env.setenv("log_level", "debug")  # lower-case names count too
    clean_env.setenv("INGEST_TIMEOUT", "2.5")

    def no_settings() -> Settings:
        raise AssertionError("Settings was built")

    clean_env.setattr("bot.settings.get_settings", no_settings)
    quick = quick_settings()
    assert getattr(quick, name) == int(value)
    assert quick.log_level == "DEBUG" and quick.log_level_set and quick.ingest_timeout == 2.5


def test_dot_env_is_read_and_the_environment_wins(clean_env: pytest.MonkeyPatch) -> None:
    Path(".env").write_text(
        "INGEST_MAX_CHARS=5000\nfetch_max_bytes=12345\nLOG_FORMAT=json\n"
        "LOG_LEVEL=warning  # a comment\nINGEST_TIMEOUT='3.5'\n",
        encoding="utf-8",
    )
    clean_env.setenv("INGEST_MAX_CHARS", "7000")
    expected = _outcome(Settings)
    assert isinstance(expected, dict) and expected["ingest_max_chars"] == 7000
    assert expected["fetch_max_bytes"] == 12345 and expected["log_format"] == "json"
    _same(expected)


@pytest.mark.parametrize(
    "dot_env",
    [
        "INGEST_MAX_CHARS\n",  # a name alone
        "INGEST_MAX_CHARS=\n",
        "INGEST_MAX_CHARS=5000\ningest_max_chars=6000\n",  # twice, in two cases
        "INGEST_MAX_CHARS=${HOME}\n",
        "LOG_LEVEL=loud\n",
        "INGEST_TIMEOUT=0\n",
    ],
)
def test_odd_dot_env_lines_read_as_settings_reads_them(
    clean_env: pytest.MonkeyPatch, dot_env: str
) -> None:
    Path(".env").write_text(dot_env, encoding="utf-8")
    _same(_outcome(Settings))


def test_a_name_set_twice_in_two_cases_is_left_to_settings(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("INGEST_MAX_CHARS", "5000")
    clean_env.setenv("ingest_max_chars", "6000")
    _same(_outcome(Settings))


def test_a_bad_value_is_the_same_one_line_in_the_cli(clean_env: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from bot.cli import cli

    clean_env.setenv("INGEST_MAX_CHARS", "999")
    Path("story.txt").write_text("A story. " * 40, encoding="utf-8")
    result = CliRunner().invoke(cli, ["clean", "story.txt"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: bad setting INGEST_MAX_CHARS: Input should be greater than or equal to 1000 "
        "(got '999'). Check your environment or .env file."
    ]
