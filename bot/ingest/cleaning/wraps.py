"""Lines that were only wrapped, joined back into the paragraphs their author wrote.

Two sources of wrapped lines share one joining rule (`join`):
- HTML (`bot.ingest.html.breaks`): a lone `<br>` is a wrap when the line doesn't end a
  sentence and the next starts in lower case or in a script without case (`continues`).
- Plain text wrapped at a fixed width (e-mails, `fmt`/`textwrap` output, Markdown, Project
  Gutenberg: `unwrap`). There every line of a paragraph but its last is filled to near the
  width, so a line is joined to the next when the next one's first word wouldn't have fit
  on it, whatever its case. Whether a text is wrapped at all is read from its line lengths:
  most of its long lines end within a few characters of one width of at most
  `_MAX_WIDTH`. A page pasted from a browser (a line per paragraph, short menu lines) has
  no such width and is left as it is.

Pure functions, no I/O, no lxml: the paste path imports this.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Ends a sentence or a labelled line ("Zutaten:"), closing quotes and brackets allowed.
ENDS_LINE = re.compile(r"[.!?…。！？:;]['\"”’»)\]」』]*$")
# Scripts written without spaces, with their punctuation ("、", full-width forms).
UNSPACED = re.compile(
    r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e]"
)


def continues(prev: str, nxt: str) -> bool:
    """Whether `nxt` reads as the rest of `prev`'s sentence (for a break of unknown kind)."""
    if ENDS_LINE.search(prev):
        return False
    first = nxt[0]
    return first.islower() or bool(UNSPACED.match(first))


def join(out: str, part: str) -> str:
    """`part` appended to `out` as the same paragraph: no space between unspaced scripts."""
    if UNSPACED.match(out[-1]) and UNSPACED.match(part[0]):
        return out + part
    return out + " " + part


# Wrapped text is filled to a width of at most this many characters (e-mail 72-78, `fmt` 75,
# Markdown and Gutenberg 70-80); a text whose lines run longer is one line per paragraph.
_MAX_WIDTH = 100
_MIN_WIDTH = 20  # unspaced scripts wrap at 30-40 characters (two columns each)
# A filled line ends within this share of the width: a greedy wrapper leaves less than one
# word's room, `fmt` fills to ~93% of it.
_SLACK = 0.2
_MIN_FILLED = 3  # filled lines followed by more of their paragraph, to call a text wrapped
_FILLED_SHARE = 0.5  # of its lines at least half the width long; of those, wrapped
_MID_SENTENCE = 0.3  # of those, that break a sentence before a lower-case word
_OUTLIERS = 0.05  # lines allowed over the width (a long link, a table row)
_OVER_SHARE = 0.1  # of the characters, in lines well past the width

_HEADING = re.compile(r"#{1,6}(?:\s|$)")
_ATX = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_RULE = re.compile(r"[=\-_*~`]{3,}$|[-*_](?:\s*[-*_]){2,}$")  # setext underline, rule, fence
_FENCE = re.compile(r"(?:```|~~~)")
_BULLET = re.compile(r"[*+•·▪►‣◦\-–—](?:\s|$)")
_NUMBERED = re.compile(r"(\d{1,3})[.)](?:\s|$)")
# A browser's text of nested lists marks the third level with "o" (kept out of `_BULLET`:
# "o" starts Portuguese and Italian sentences).
_MENU_ITEM = re.compile(r"o(?:\s|$)")
_ITEM_INDENT = 4  # a list item's text starts this far in at most ("10. ", "  - ")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _stays_a_line(body: str) -> bool:
    """Neither joined to the next line nor joined to: headings, quotes, table rows, rules."""
    return bool(
        _HEADING.match(body)
        or body.startswith(">")
        or body.startswith("|")
        or body.count("|") >= 2
        or body.count("\t") >= 1
        or _RULE.match(body)
        or _FENCE.match(body)
    )


def _item(body: str, in_list: bool) -> bool:
    """A list item's first line. A numbered one inside a paragraph starts a list only at
    1 (as in CommonMark): "12. Jahrhundert" wrapped to the start of a line is prose."""
    if _BULLET.match(body):
        return True
    number = _NUMBERED.match(body)
    return number is not None and (in_list or number.group(1) == "1")


def _text_lines(lines: Sequence[str]) -> list[int]:
    """Indexes of the lines that may be prose: not in a fenced or indented code block,
    not a heading, quote, table row or rule."""
    out: list[int] = []
    fenced = False
    code = False
    base = min((_indent(line) for line in lines if line.strip()), default=0)
    for i, line in enumerate(lines):
        body = line.strip()
        if _FENCE.match(body):
            fenced = not fenced
            continue
        if not body:
            code = False
            continue
        starts_block = i == 0 or not lines[i - 1].strip()
        if starts_block and _indent(line) >= base + 4 and not _item(body, True):
            code = True  # an indented block after a blank line: code or a set-off quote
        if not (fenced or code or _stays_a_line(body)):
            out.append(i)
    return out


def wrap_width(lines: Sequence[str]) -> int | None:
    """The width the text was filled to, or None if it wasn't (see the module doc)."""
    text = _text_lines(lines)
    lengths = sorted(len(lines[i].rstrip()) for i in text)
    if not lengths:
        return None
    width = lengths[len(lengths) - 1 - round(len(lengths) * _OUTLIERS)]
    if not _MIN_WIDTH <= width <= _MAX_WIDTH:
        return None
    if sum(n for n in lengths if n > width * (1 + _SLACK)) > _OVER_SHARE * sum(lengths):
        return None  # much of the text is in longer lines: a line per paragraph
    room = width * (1 - _SLACK)
    filled = [i for i in text if len(lines[i].rstrip()) >= room]
    long_lines = sum(2 * n >= width for n in lengths)
    if len(filled) < _FILLED_SHARE * long_lines:
        return None
    listed = set(text)
    wrapped = [i for i in filled if i + 1 in listed and _continued(lines[i], lines[i + 1])]
    if len(wrapped) < max(_MIN_FILLED, _FILLED_SHARE * len(filled)):
        return None
    # Prose wraps mid-sentence, mostly before a lower-case word; a list of headlines or
    # menu entries of similar length has every line start a new one.
    mid = sum(continues(lines[i].strip(), lines[i + 1].strip()) for i in wrapped)
    return width if mid >= _MID_SENTENCE * len(wrapped) else None


def _continued(line: str, nxt: str) -> bool:
    """Whether `nxt` may carry on `line`'s paragraph: not a new item, not indented under it
    (a browser paste's menus: "* News", "  + World", "    o Sports")."""
    body = nxt.strip()
    return (
        not _item(body, False)
        and not _MENU_ITEM.match(body)
        and _indent(nxt) <= _indent(line) + _ITEM_INDENT
    )


def _first_word(body: str) -> str:
    if UNSPACED.match(body[0]):
        return body[0]
    return body.split(maxsplit=1)[0]


def unwrap(lines: Sequence[str]) -> list[str]:
    """`lines` with each wrapped paragraph made one line (blank lines kept); as they are
    if the text isn't wrapped."""
    width = wrap_width(lines)
    if width is None:
        return list(lines)
    text = set(_text_lines(lines))
    room = width * (1 - _SLACK)
    out: list[str] = []
    joinable = False  # whether the last line of `out` may take the next line
    in_list = False
    for i, line in enumerate(lines):
        body = line.strip()
        if not body:
            in_list = False
        starts_item = i in text and _item(body, in_list)
        in_list = in_list or starts_item
        if joinable and i in text and not starts_item:
            prev = lines[i - 1].rstrip()
            # After a full stop the next word must truly not have fit (a greedy wrapper's
            # rule): the line may end its paragraph in a text without blank lines.
            limit = width if ENDS_LINE.search(prev) else room
            if len(prev) + 1 + len(_first_word(body)) > limit:
                out[-1] = _joined(out[-1], body)
                continue
        out.append(line)
        joinable = i in text
    return out


def _joined(prev: str, body: str) -> str:
    # `textwrap` breaks after a hyphen: "well-" + "known" is one word.
    if len(prev) > 1 and prev.endswith("-") and prev[-2].isalpha() and body[0].isalpha():
        return prev + body
    return join(prev.rstrip(), body)


def document_title(lines: Sequence[str]) -> str | None:
    """The text's first line when Markdown marks it as the top heading ("# Title", or
    "Title" underlined with "===")."""
    body = [line.strip() for line in lines if line.strip()]
    if not body:
        return None
    if body[0].startswith("# "):
        return heading_text(body[0]) or None
    if len(body) > 1 and re.fullmatch(r"={3,}", body[1]) and not _stays_a_line(body[0]):
        return body[0]
    return None


def heading_text(line: str) -> str:
    """A Markdown heading's text without its marks ("## Setup ##" -> "Setup")."""
    match = _ATX.match(line)
    return match.group(1) if match and match.group(1) else line
