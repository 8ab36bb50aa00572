"""PDF -> Article with pypdf: text by page, lines re-joined into paragraphs."""

from __future__ import annotations

import contextlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from pypdf import PageObject, PdfReader
from pypdf.errors import LimitReachedError, PdfReadError

try:
    from pypdf import apply_configuration  # pypdf >= 7: limits for one block of code
except ImportError:  # pypdf 6: its own 75 MB limit on a stream holds
    apply_configuration = None  # type: ignore[assignment]

from bot.errors import IngestError, NotAnArticle, TooComplex
from bot.ingest.article import Article
from bot.ingest.budget import Budget, cut_text
from bot.ingest.clean import clean_paragraphs
from bot.ingest.language import article_language

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"[.!?:;\"”’)\]]$")
_COLUMN_GAP = re.compile(r"\S {4,}\S")
_HEADING_MAX_WORDS = 15
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:untitled|title|document\d*|microsoft (?:word|powerpoint) - .*"
    r"|.*\.(?:docx?|pdf|indd|odt))$",
    re.IGNORECASE,
)
# Most bytes one compressed stream may inflate to (pypdf's default is 75 MB): a page's text
# is a few KB, a heavy vector drawing a few MB; a compression bomb is refused sooner and
# with less memory (the job process's peak stays under 300 MB).
_MAX_INFLATED_BYTES = 30_000_000
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)


def _is_heading(line: str, width: int) -> bool:
    """A short line with no sentence ending: a headline or section heading."""
    return (
        not _SENTENCE_END.search(line)
        and len(line.split()) <= _HEADING_MAX_WORDS
        and len(line) < 0.7 * width
    )


def _lines_to_paragraphs(text: str) -> list[str]:
    """Re-join PDF lines: a blank line or a short line that ends a sentence ends a paragraph,
    and a heading stands alone (not glued to the sentence under it)."""
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    width = max((len(line) for line in lines), default=0)
    # The next non-blank line after each line, found in one backward pass (a scan ahead
    # from every line was quadratic on a page of many short lines).
    following_of = [""] * len(lines)
    for i in range(len(lines) - 2, -1, -1):
        following_of[i] = lines[i + 1] or following_of[i + 1]
    paragraphs: list[str] = []
    current = ""
    for i, line in enumerate(lines):
        if not line:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        if _PAGE_NUMBER.match(line):
            continue
        following = following_of[i]
        if not current and following[:1].isupper() and _is_heading(line, width):
            paragraphs.append(line)
            continue
        if current.endswith("-") and line[:1].islower():
            current = current[:-1] + line  # hyphenated word split across lines
        else:
            current = f"{current} {line}" if current else line
        if _SENTENCE_END.search(line) and len(line) < 0.8 * width:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def _page_text(page: PageObject) -> str:
    """Layout mode keeps the blank lines between paragraphs; plain mode reads columns in order.

    Use layout mode unless the page is set in columns (wide gaps inside many lines).
    """
    layout = page.extract_text(extraction_mode="layout") or ""
    lines = [line.strip() for line in layout.splitlines() if line.strip()]
    gapped = sum(1 for line in lines if _COLUMN_GAP.search(line))
    if lines and gapped <= len(lines) // 5:
        return "\n".join(" ".join(line.split()) for line in layout.splitlines())
    return page.extract_text() or ""


def _pdf_date(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return None


def _read_pages(reader: PdfReader, budget: Budget) -> tuple[list[str], str | None]:
    """The text of the pages that fit the budget, and a notice when some were left unread."""
    total = len(reader.pages)
    texts: list[str] = []
    chars = 0
    why = None
    for number, page in enumerate(reader.pages, start=1):
        if number > budget.max_pdf_pages:
            why = "pages"
            break
        if texts and budget.expired():
            why = "time"
            break
        text = _page_text(page)
        if chars + len(text) > budget.max_chars:
            texts.append(cut_text(text, budget.max_chars - chars))
            why = "chars"
            break
        texts.append(text)
        chars += len(text)
    return texts, _cut_notice(why, len(texts), total)


def _cut_notice(why: str | None, read: int, total: int) -> str | None:
    if why == "pages":
        return (
            f"I read only the first {read:,} of this PDF's {total:,} pages (the most I read "
            "from one file)."
        )
    if why == "chars":
        return (
            f"I read only the start of this PDF, up to page {read:,} of {total:,}: that is as "
            "much text as I take from one file."
        )
    if why == "time":
        return (
            f"I read only the start of this PDF, up to page {read:,} of {total:,}: reading the "
            "rest would take too long."
        )
    return None


@dataclass(frozen=True, slots=True)
class _Read:
    """What was read from a PDF, before its lines become paragraphs."""

    pages: list[str]
    notice: str | None
    title: str
    author: str
    published: str | None
    declared: str | None


def _read(data: bytes, budget: Budget, url: str | None) -> _Read:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise IngestError("That PDF is password-protected, so I can't read it.", url=url)
    pages, notice = _read_pages(reader, budget)
    meta = reader.metadata
    published = None
    if meta:
        with contextlib.suppress(ValueError, TypeError):
            published = _pdf_date(meta.creation_date)
    return _Read(
        pages=pages,
        notice=notice,
        title=(meta.title or "").strip() if meta else "",
        author=(meta.author or "").strip() if meta else "",
        published=published,
        declared=_declared_language(reader),
    )


def _limits() -> contextlib.AbstractContextManager[object]:
    if apply_configuration is None:
        return contextlib.nullcontext()
    return apply_configuration(zlib_maximum_output_length=_MAX_INFLATED_BYTES)


def extract_pdf(data: bytes, url: str | None = None, budget: Budget | None = None) -> Article:
    budget = budget or Budget.from_settings()
    try:
        with _limits():
            read = _read(data, budget, url)
    except IngestError:
        raise
    except LimitReachedError as exc:
        # pypdf's guard against compression bombs (a stream that inflates to 300 MB).
        log.info("PDF over pypdf's limits: %s", exc)
        raise TooComplex(
            "I stopped reading that PDF: part of it unpacks to far more data than I read from "
            "one file. If it is a real document, save it again as a new PDF, or paste its text.",
            url=url,
        ) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        log.info("unreadable PDF: %s", exc)
        raise IngestError("I couldn't read that PDF: the file looks damaged.", url=url) from exc
    paragraphs: list[str] = []
    for page_text in read.pages:
        paragraphs.extend(_lines_to_paragraphs(page_text))
    paragraphs = clean_paragraphs(paragraphs)
    if not paragraphs:
        raise NotAnArticle("That PDF has no text I can read (it may be scanned images).", url=url)
    title = read.title
    if _PLACEHOLDER_TITLE.match(title):
        title = ""  # "untitled", "Microsoft Word - draft3.docx": what the software wrote
    first = paragraphs[0]
    if len(paragraphs) > 1 and (
        " ".join(first.split()).casefold() == " ".join(title.split()).casefold()
        or (not title and _is_heading(first, max(len(p) for p in paragraphs)))
    ):
        # The headline printed on the page: the title, not the first paragraph.
        title, paragraphs = title or first, paragraphs[1:]
    return Article.from_paragraphs(
        paragraphs,
        source_kind="pdf",
        url=url,
        title=title or None,
        author=read.author or None,
        published=read.published,
        language=article_language(read.declared, "\n".join(paragraphs)),
        notice=read.notice,
    )


def _declared_language(reader: PdfReader) -> str | None:
    """The document's /Lang ("en-US" -> "en"), which tagged PDFs carry in their catalog."""
    try:
        lang = cast(Any, reader.trailer["/Root"]).get("/Lang")  # a dictionary, untyped
    except (KeyError, TypeError, ValueError, PdfReadError):
        return None
    if not isinstance(lang, str):
        return None
    code = lang.strip().split("-")[0].split("_")[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None
