"""Streamed Markdown made readable at a terminal: `**bold**` and `# headings` turn bold and
their markers go; everything else (bullets, `> quotes`) reads well as it is. Piped output is
never passed through here: a script gets the Markdown as written."""

from __future__ import annotations

import os
import sys

BOLD, NORMAL = "\x1b[1m", "\x1b[22m"
_MAX_HASHES = 6  # "####### x" is no heading


class TerminalMarkdown:
    """Feed it the pieces of a streamed text; it returns what to print now. A marker split
    across two pieces ("*" then "*Key points**") waits for the next piece, `close` ends it."""

    def __init__(self, styled: bool = True) -> None:
        self._on, self._off = (BOLD, NORMAL) if styled else ("", "")
        self._pending = ""  # the start of a marker not yet known to be one
        self._strong = False  # inside **…**
        self._heading = False  # inside a "# " line
        self._line_start = True

    def feed(self, piece: str) -> str:
        text, self._pending = self._pending + piece, ""
        out: list[str] = []
        i = 0
        while i < len(text):
            char = text[i]
            if char == "#" and self._line_start:
                end = i
                while end < len(text) and text[end] == "#":
                    end += 1
                if end == len(text):  # "##" at the end of a piece: a heading or not, yet
                    self._pending = text[i:]
                    break
                if end - i <= _MAX_HASHES and text[end] == " ":
                    while end < len(text) and text[end] == " ":
                        end += 1
                    out.append(self._restyle(heading=True))
                    self._line_start = False
                    i = end
                    continue
                out.append(text[i:end])
                self._line_start = False
                i = end
                continue
            if char == "*":
                if i + 1 == len(text):
                    self._pending = "*"
                    break
                if text[i + 1] == "*":
                    out.append(self._restyle(strong=not self._strong))
                    self._line_start = False
                    i += 2
                    continue
            if char == "\n":
                out.append(self._restyle(heading=False))  # a heading ends with its line
                self._line_start = True
            elif not char.isspace() or not self._line_start:
                self._line_start = False
            out.append(char)
            i += 1
        return "".join(out)

    def close(self) -> str:
        """The rest: a marker left waiting is text after all, and bold ends."""
        rest, self._pending = self._pending, ""
        return rest + self._restyle(strong=False, heading=False)

    def _restyle(self, *, strong: bool | None = None, heading: bool | None = None) -> str:
        was = self._strong or self._heading
        if strong is not None:
            self._strong = strong
        if heading is not None:
            self._heading = heading
        now = self._strong or self._heading
        return "" if now == was else self._on if now else self._off


def for_stdout() -> TerminalMarkdown | None:
    """A renderer when stdout is a terminal (plain, without bold, under NO_COLOR or on a
    TERM=dumb terminal, which shows escapes as text); None when it is piped or redirected,
    where the Markdown stays as written."""
    if not sys.stdout.isatty():
        return None
    dumb = os.environ.get("TERM") == "dumb"  # Emacs' shell, some IDE consoles
    return TerminalMarkdown(styled=not os.environ.get("NO_COLOR") and not dumb)
