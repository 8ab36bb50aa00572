"""Split long markdown into pieces no longer than a limit, at the most natural boundary.

Paragraphs first, then lines (a bullet keeps its continuation lines), then sentences, then
words, and characters only as a last resort. A fenced code block is one unit; when it has
to be cut, each piece is closed and reopened with the same fence so every piece renders on
its own. Pure text in, text out.

Hand-written because the generic splitters (e.g. LangChain's recursive splitter) know
neither code fences nor bullets, and cut fences open.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# A fence line (CommonMark): a backtick fence's info string has no backtick, a tilde
# fence's may hold anything. What follows a fence line is code until its closing fence.
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}(?=[^`]*$)|~{3,})(?P<info>.*)$")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s")
_BULLET = re.compile(r"^\s{0,3}(?:[-*+•]|\d{1,3}[.)])\s")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)|(?<=[。！？])")
_WORD_GAP = re.compile(r"\s+")

Splitter = Callable[[str, int], list[str]]
ZWSP = "\u200b"


@dataclass(frozen=True, slots=True)
class _Block:
    text: str
    fence: str | None = None  # the opening fence line when this block is fenced code


def split_markdown(text: str, limit: int) -> list[str]:
    """Pieces of `text`, each at most `limit` characters, in order, none empty.

    Joining the pieces with blank lines gives back the text (up to whitespace at the cuts,
    plus the fence lines added to close and reopen a cut code block).
    """
    if limit < 20:
        raise ValueError("limit too small to hold a code fence and some text")
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    for block in _keep_headings_with_their_text(_blocks(text), limit):
        if block.fence is None:
            pieces.extend(_split_prose(block.text, limit))
        else:
            pieces.extend(_split_code(block, limit))
    return _pack(pieces, "\n\n", limit)


def balance_fences(text: str) -> str:
    """Close a code fence left open at the end (for previews of text still being written)."""
    open_fence: str | None = None
    for line in text.splitlines():
        match = FENCE.match(line)
        if not match:
            continue
        fence = match["fence"]
        if open_fence is None:
            open_fence = fence
        elif fence[0] == open_fence[0] and len(fence) >= len(open_fence) and not match["info"]:
            open_fence = None
    if open_fence is None:
        return text
    return f"{text.rstrip()}\n{open_fence}"


# --- parsing ----------------------------------------------------------------------------------


def _blocks(text: str) -> list[_Block]:
    """Paragraphs (split at blank lines) and fenced code blocks (kept whole)."""
    blocks: list[_Block] = []
    paragraph: list[str] = []
    code: list[str] = []
    opener: re.Match[str] | None = None

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(_Block("\n".join(paragraph)))
            paragraph.clear()

    for line in text.splitlines():
        match = FENCE.match(line)
        if opener is not None:
            code.append(line)
            if match and _closes(opener, match):
                blocks.append(_Block("\n".join(code), fence=code[0]))
                code, opener = [], None
        elif match:
            end_paragraph()
            opener, code = match, [line]
        elif line.strip():
            paragraph.append(line)
        else:
            end_paragraph()
    end_paragraph()
    if opener is not None:  # an unclosed fence runs to the end, as markdown renders it
        blocks.append(_Block("\n".join([*code, opener["indent"] + opener["fence"]]), code[0]))
    return blocks


def _keep_headings_with_their_text(blocks: list[_Block], limit: int) -> list[_Block]:
    """A heading never ends a message: glue it to the block after it when both fit."""
    glued: list[_Block] = []
    for block in blocks:
        previous = glued[-1] if glued else None
        if previous and previous.fence is None and _HEADING.match(previous.text.split("\n")[-1]):
            joined = f"{previous.text}\n\n{block.text}"
            if len(joined) <= limit:
                glued[-1] = _Block(joined)  # fits whole, so it is never cut: no fence to track
                continue
        glued.append(block)
    return glued


def _closes(opener: re.Match[str], match: re.Match[str]) -> bool:
    return closes_fence(opener["fence"], match.group())


def closes_fence(fence: str, line: str) -> bool:
    """Whether `line` closes a code block opened with `fence` (same character, at least as
    long, nothing after it)."""
    match = FENCE.match(line)
    return (
        match is not None
        and match["fence"][0] == fence[0]
        and len(match["fence"]) >= len(fence)
        and not match["info"].strip()
    )


def _line_units(paragraph: str) -> list[str]:
    """Lines, with a bullet's indented continuation lines kept on it."""
    units: list[str] = []
    for line in paragraph.split("\n"):
        continues = units and line[:1].isspace() and not _BULLET.match(line)
        if continues and _BULLET.match(units[-1]):
            units[-1] = f"{units[-1]}\n{line}"
        else:
            units.append(line)
    return units


# --- splitting --------------------------------------------------------------------------------


def _split_prose(paragraph: str, limit: int) -> list[str]:
    if len(paragraph) <= limit:
        return [paragraph]
    return [_not_a_fence(piece) for piece in _split_levels(paragraph, limit, 0)]


def _not_a_fence(piece: str) -> str:
    """A cut inside a line can leave a piece starting with "~~~" or "```": at the start of a
    message that opens a code block swallowing everything after it. A zero-width space
    first keeps it text, and looks the same."""
    return ZWSP + piece if FENCE.match(piece.split("\n", 1)[0]) else piece


# Each level: how to cut a unit that is still too long, and what to rejoin the parts with.
_LEVELS: list[tuple[Callable[[str], list[str]], str]] = [
    (_line_units, "\n"),
    (lambda unit: _SENTENCE_END.split(unit), " "),
    (lambda unit: _WORD_GAP.split(unit), " "),
]


def _split_levels(unit: str, limit: int, level: int) -> list[str]:
    if len(unit) <= limit:
        return [unit]
    if level == len(_LEVELS):
        return [unit[i : i + limit] for i in range(0, len(unit), limit)]
    cut, joiner = _LEVELS[level]
    parts: list[str] = []
    for part in cut(unit):
        if part.strip():
            parts.extend(_split_levels(part, limit, level + 1))
    return _pack(parts, joiner, limit)


def _split_code(block: _Block, limit: int) -> list[str]:
    if len(block.text) <= limit:
        return [block.text]
    assert block.fence is not None
    lines = block.text.split("\n")
    opening, body, closing = lines[0], lines[1:-1], lines[-1]
    room = limit - len(opening) - len(closing) - 2  # the two newlines around the body
    if room < 10:  # an absurd info string: drop it rather than fail
        opening = FENCE.sub(r"\g<indent>\g<fence>", opening)
        room = limit - len(opening) - len(closing) - 2
    chunks: list[str] = []
    for line in body:
        chunks.extend([line[i : i + room] for i in range(0, len(line), room)] or [""])
    pieces = _pack(chunks, "\n", room, keep_empty=True)
    return [f"{opening}\n{piece}\n{closing}" for piece in pieces]


def _pack(parts: list[str], joiner: str, limit: int, *, keep_empty: bool = False) -> list[str]:
    """Greedily join consecutive parts while the result stays within `limit`."""
    packed: list[str] = []
    current: str | None = None
    for part in parts:
        if not keep_empty and not part.strip():
            continue
        if current is None:
            current = part
        elif len(current) + len(joiner) + len(part) <= limit:
            current = f"{current}{joiner}{part}"
        else:
            packed.append(current)
            current = part
    if current is not None:
        packed.append(current)
    return packed
