"""Line-level fixes at the edges of an extracted article. Pure functions, no I/O."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
# Only the first few lines can be the headline repeated above the text.
_HEAD_LINES = 3
_SAME_TITLE = 90
_MIN_TITLE_PART = 12
# Starting only where a run of spaces starts: the same matches, without rescanning a long
# run of spaces from each of its positions (quadratic).
_TITLE_SEPARATOR = re.compile(r"(?<!\s)\s+[|\-–—:·»/]+\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def is_headline(line: str, title: str) -> bool:
    """Whether `line` is the page title (maybe without the " | Site" suffix, or vice versa)."""
    a, b = _norm(line), _norm(title)
    if not a or not b:
        return False
    if a == b:
        return True
    # "Headline | Site name" titles: compare the headline with each part too.
    # Short parts ("Brexit" in "Brexit: what next") could be a section heading, not the title.
    parts = [part.strip() for part in _TITLE_SEPARATOR.split(b)]
    candidates = [b, *(part for part in parts if len(part) >= _MIN_TITLE_PART)]
    from rapidfuzz import fuzz  # HTML titles only: a paste's cleaning never needs it

    return any(fuzz.ratio(a, part) >= _SAME_TITLE for part in candidates)


def drop_headline(lines: list[str], title: str | None) -> list[str]:
    """Remove the headline when the extractor kept it as the first line(s) of the text."""
    if not title:
        return lines
    head = lines[:_HEAD_LINES]
    for i, line in enumerate(head):
        if is_headline(line, title):
            return lines[:i] + lines[i + 1 :]
    return lines


# A line that is only a link address ("https://site/story-123.php").
_BARE_URL = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
# Date or time stamps: 2019-11-18, 18/11/2019, 18.11.2019, 15:24.
_STAMP = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\b\d{1,2}:\d{2}\b|\b(?:19|20)\d{2}\b")
_STAMP_MAX_CHARS = 60
_EDGE_LINES = 2


def is_stamp_line(line: str) -> bool:
    """A short line that is mostly a date or time ("Updated 18.11.2019 15:24")."""
    if len(line) > _STAMP_MAX_CHARS or not _STAMP.search(line):
        return False
    words = line.split()
    digits = sum(any(ch.isdigit() for ch in word) for word in words)
    # "Published 18 November 2019": at least a third of the words carry digits.
    return digits >= max(1, len(words) / 3)


# "5 min read", "Tempo de leitura: 2 minutos", "Lesezeit: 3 Min.": a short line of its own.
_READING_TIME = re.compile(
    r"\bmin(?:ute)?s?\.? read\b|\b(?:reading time|read time|tempo de leitura|tiempo de lectura|"
    r"lesezeit|lesedauer|temps de lecture|tempo di lettura|время чтения|waktu baca|leestijd)\b|"
    r"読了時間|阅读时间",
    re.IGNORECASE,
)
_READING_TIME_MAX_WORDS = 8


# A dated byline or publishing line above the story ("5:45 AM PST 11/19/2019 by Jane Doe",
# "05/10/2018 - Publicado por: Ana Lima - Categoria: Saúde"): a publishing word, or a name
# after "by" with a full date or a time (a bare year is a headline's as often).
_PUBLISHED = re.compile(
    r"\b(?:published|posted|updated|publicado|atualizado|actualizado|ver[öo]ffentlicht|"
    r"aktualisiert|publi[ée]|mis [àa] jour|pubblicato|aggiornato|опубликовано|обновлено|"
    r"diterbitkan|dipublikasikan)\b|기사입력|입력\s*:|投稿日|公開日|更新日|发布时间",
    re.IGNORECASE,
)
_BY_NAME = re.compile(r"\b(?:by|von|por|par|di|door|oleh)\s+[A-ZÀ-ÖØ-Þ]")
_FULL_STAMP = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\b\d{1,2}:\d{2}\b")
_BYLINE_MAX_WORDS = 16
# Such lines are looked for among the first few, even below a teaser line or a dek.
_HEAD_SCAN = 3


def is_dated_byline(line: str) -> bool:
    if len(line.split()) > _BYLINE_MAX_WORDS or not _STAMP.search(line):
        return False
    return bool(_PUBLISHED.search(line)) or (
        bool(_BY_NAME.search(line)) and bool(_FULL_STAMP.search(line))
    )


def _edge_furniture(line: str) -> bool:
    return (
        is_stamp_line(line)
        or bool(_BARE_URL.match(line))
        or (len(line.split()) <= _READING_TIME_MAX_WORDS and bool(_READING_TIME.search(line)))
    )


# Where to reach the author or the site, at a story's end: an invitation to write, follow or
# listen, with an address ("Email Jane Doe at jd@site.com or follow her @jdoe", "Siga-nos
# no Twitter: @site", "Listen: http://…"). A byline that only gives an address stays (no
# invitation), and so does an embedded tweet's line ("— Name (@handle) date").
_ADDRESS = re.compile(r"https?://|www\.|\S@\w|(?:^|\s)@\w", re.IGNORECASE)
_INVITATION = re.compile(
    r"(?:^|[.!?]\s)\W{0,3}(?:"
    r"have a (?:tip|story idea)|(?:e-?mail|write to|reach|contact|follow|listen|download|"
    r"subscribe|find (?:us|him|her|them))\b|"
    r"(?:folgen sie|folge uns|schreiben sie|kontakt)|(?:s[ií]guenos|s[ií]ganos|sigue|escr[ií]banos|"
    r"escriba a|contacto)|(?:siga|escreva para|contato)|(?:suivez|[ée]crivez|contact)|"
    r"(?:seguici|segui|scrivi|scriveteci|contatti)|(?:следите|подписывайтесь|пишите)|"
    r"(?:ikuti|hubungi)"
    r")",
    re.IGNORECASE,
)
# "Listen: http://…", "iTunes: http://…": a label and a bare address.
_LABELLED_URL = re.compile(r"^[^\W\d_][\w .'’-]{0,30}:\s*(?:https?://|www\.)\S+$", re.IGNORECASE)
_CONTACT_MAX_WORDS = 30
_CONTACT_LINES = 4


def is_contact_line(line: str) -> bool:
    """A short line inviting the reader to write, follow or listen somewhere, with the address."""
    if len(line.split()) >= _CONTACT_MAX_WORDS or not _ADDRESS.search(line):
        return False
    return bool(_LABELLED_URL.match(line) or _INVITATION.search(line))


def drop_contact_lines(lines: list[str]) -> list[str]:
    """Remove the author's or the site's contact lines from the end of the text."""
    end = len(lines)
    while end > max(1, len(lines) - _CONTACT_LINES) and is_contact_line(lines[end - 1]):
        end -= 1
    return lines[:end]


# A drawn rule ("___", "* * *", "———"): not text. Near the end it sets off the notes
# after a story (the author's bio, "… contributed to this report", a disclosure); a
# section break in an essay is followed by more of the essay, so only a short tail goes.
_RULE = re.compile(r"^(?:([_*=~\-–—•·⁂#])\s*)\1(?:\s*\1)+$")
_NOTES_MAX_LINES = 3
_NOTES_MAX_WORDS = 60


def drop_end_matter(lines: list[str]) -> list[str]:
    """Remove contact lines, and a closing rule with the few short notes under it."""
    lines = drop_contact_lines(lines)
    for i in range(len(lines) - 1, max(0, len(lines) - 2 - _NOTES_MAX_LINES), -1):
        if _RULE.match(lines[i].strip()):
            if sum(len(line.split()) for line in lines[i + 1 :]) <= _NOTES_MAX_WORDS:
                return drop_contact_lines(lines[:i])
            break
    return lines


def drop_edge_stamps(lines: list[str]) -> list[str]:
    """Remove date/time stamps, reading times and bare URLs among the first and last lines,
    and dated bylines among the first few.

    Only at the edges: inside the text a URL or a date line is usually the author's.
    """
    start, end = 0, len(lines)
    while start < min(_EDGE_LINES, end) and _edge_furniture(lines[start]):
        start += 1
    while end > max(start, len(lines) - _EDGE_LINES) and _edge_furniture(lines[end - 1]):
        end -= 1
    head = [
        line
        for line in lines[start : min(start + _HEAD_SCAN, end)]
        if not (is_stamp_line(line) or is_dated_byline(line))
    ]
    return head + lines[start + _HEAD_SCAN : end] if start + _HEAD_SCAN < end else head


def is_main_headline(line: str, title: str) -> bool:
    """Stricter than `is_headline`: the whole title or its longest part (not the site name)."""
    a, b = _norm(line), _norm(title)
    if not a or not b:
        return False
    longest = max((part.strip() for part in _TITLE_SEPARATOR.split(b)), key=len)
    from rapidfuzz import fuzz

    return fuzz.ratio(a, b) >= _SAME_TITLE or fuzz.ratio(a, longest) >= _SAME_TITLE
