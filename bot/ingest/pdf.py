"""PDF -> Article with pypdf: text by page, lines re-joined into paragraphs."""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime

from pypdf import PageObject, PdfReader
from pypdf.errors import PdfReadError

from bot.errors import IngestError, NotAnArticle
from bot.ingest.article import Article
from bot.ingest.clean import clean_paragraphs
from bot.ingest.html_lang import article_language

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"[.!?:;\"”’)\]]$")
_COLUMN_GAP = re.compile(r"\S {4,}\S")
_HEADING_MAX_WORDS = 15
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:untitled|title|document\d*|microsoft (?:word|powerpoint) - .*"
    r"|.*\.(?:docx?|pdf|indd|odt))$",
    re.IGNORECASE,
)
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
        following = next((n for n in lines[i + 1 :] if n), "")
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


def extract_pdf(data: bytes, url: str | None = None) -> Article:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("That PDF is password-protected, so I can't read it.", url=url)
        pages = [_page_text(page) for page in reader.pages]
        meta = reader.metadata
        declared = _declared_language(reader)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        log.info("unreadable PDF: %s", exc)
        raise IngestError("I couldn't read that PDF: the file looks damaged.", url=url) from exc
    paragraphs: list[str] = []
    for page_text in pages:
        paragraphs.extend(_lines_to_paragraphs(page_text))
    paragraphs = clean_paragraphs(paragraphs)
    if not paragraphs:
        raise NotAnArticle("That PDF has no text I can read (it may be scanned images).", url=url)
    title = (meta.title or "").strip() if meta else ""
    if _PLACEHOLDER_TITLE.match(title):
        title = ""  # "untitled", "Microsoft Word - draft3.docx": what the software wrote
    first = paragraphs[0]
    if len(paragraphs) > 1 and (
        " ".join(first.split()).casefold() == " ".join(title.split()).casefold()
        or (not title and _is_heading(first, max(len(p) for p in paragraphs)))
    ):
        # The headline printed on the page: the title, not the first paragraph.
        title, paragraphs = title or first, paragraphs[1:]
    author = (meta.author or "").strip() if meta else ""
    published = None
    if meta:
        try:
            published = _pdf_date(meta.creation_date)
        except (ValueError, TypeError):
            published = None
    return Article.from_paragraphs(
        paragraphs,
        source_kind="pdf",
        url=url,
        title=title or None,
        author=author or None,
        published=published,
        language=article_language(declared, "\n".join(paragraphs)),
    )


def _declared_language(reader: PdfReader) -> str | None:
    """The document's /Lang ("en-US" -> "en"), which tagged PDFs carry in their catalog."""
    try:
        lang = reader.trailer["/Root"].get("/Lang")
    except (KeyError, TypeError, ValueError, PdfReadError):
        return None
    if not isinstance(lang, str):
        return None
    code = lang.strip().split("-")[0].split("_")[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None
