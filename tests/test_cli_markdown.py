"""Markdown at a terminal: `**bold**` and `# headings` turn bold and lose their markers, even
when a marker is split between two streamed pieces; the rest of the text is left as it is."""

from __future__ import annotations

import pytest

from bot.cli.markdown import BOLD, NORMAL, TerminalMarkdown

DETAILED = "**Moon wants a summit**\n\n**Key points**\n- Kim visited Beijing.\n- 2 * 3 = 6, a*b."


def _render(pieces: list[str], styled: bool = True) -> str:
    markdown = TerminalMarkdown(styled)
    return "".join(markdown.feed(piece) for piece in pieces) + markdown.close()


@pytest.mark.parametrize("size", [1, 2, 3, 5, len(DETAILED)])
def test_bold_markers_become_bold_however_the_text_is_cut(size: int) -> None:
    pieces = [DETAILED[i : i + size] for i in range(0, len(DETAILED), size)]
    assert _render(pieces) == (
        f"{BOLD}Moon wants a summit{NORMAL}\n\n{BOLD}Key points{NORMAL}\n"
        "- Kim visited Beijing.\n- 2 * 3 = 6, a*b."
    )
    assert _render(pieces, styled=False) == (
        "Moon wants a summit\n\nKey points\n- Kim visited Beijing.\n- 2 * 3 = 6, a*b."
    )


@pytest.mark.parametrize("size", [1, 4, 100])
def test_headings_are_bold_to_the_end_of_their_line(size: int) -> None:
    text = "## What happens next\nA vote in **May**.\n#hashtag and C# stay\n> a quote"
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    assert _render(pieces) == (
        f"{BOLD}What happens next{NORMAL}\nA vote in {BOLD}May{NORMAL}.\n"
        "#hashtag and C# stay\n> a quote"
    )


def test_a_marker_left_open_or_waiting_is_closed_at_the_end() -> None:
    markdown = TerminalMarkdown()
    assert markdown.feed("**Unfinished") == f"{BOLD}Unfinished"
    assert markdown.feed(" star*") == " star"  # "*" may be the start of "**"
    assert markdown.close() == f"*{NORMAL}"
    assert _render(["##"]) == "##"
