"""News-page furniture that is not article prose: bylines, timestamps, credits, prompts.

Cleaning upstream removes most page chrome; these are the bits that survive inside the
text because they look like short sentences ("By . Jane Doe .", "PUBLISHED: 10:02 EST",
"Photograph: Jacob King/PA"), or that ride along glued to a sentence ("… said. More on
this and other stories").
"""

from __future__ import annotations

import re

from bot.text.sentences import count_words

_NAME = r"(?:[A-Z][\w'’.-]*\s*){1,4}"
_BYLINE = re.compile(rf"^\W*(?:By|BY)\s*\.?\s*{_NAME}(?:(?:and|,)\s*{_NAME})?\.?\s*(?:\||$)")
# Calls to action and navigation: a line of its own, or glued before or after a sentence.
_NAV = (
    r"(?:more\ on\ this(?:\ and\ other)?\ stor(?:y|ies)|read\ more|read\ next|continue\ reading"
    r"|most\ (?:read|popular|viewed)"
    r"|share\ (?:this|on\ (?:facebook|twitter|x))(?:\ (?:article|story|page))?"
    r"|skip\ to(?:\ main)?\ content|back\ to\ top|scroll\ down\ for(?:\ the)?\ video"
    r"|click\ here|follow\ us|sign\ up\ (?:for|to)|subscribe\ (?:now|today|to)"
    r"|related\ (?:articles|stories|coverage|content|topics)|see\ also|you\ may\ also\ like)"
)
_FURNITURE = re.compile(
    rf"""^\W*(?:
        (?:published|updated|last\ updated|posted|modified)\s*(?::|(?:at|on)\s+\d)  # timestamps
      | (?:photo(?:graph)?|picture|image|video|graphic|illustration|source)s?\s*(?:credit)?\s*:
      | (?:scroll\ down|click\ here|read\ more|follow\ us|share\ this|sign\ up\ for)
      | {_NAV}\s*(?:$|[:|»›>(]|\W+$)
      | related\s*:
      | (?:advertisement|sponsored)\W*$
      | (?:copyright|©)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# A photo credit anywhere in a unit makes it a caption: "… Downing Street. Photograph:
# Jacob King/PA", "(Image: Getty)", "Picture by Jane Doe", "Jacob King/PA Wire".
_CREDIT = re.compile(
    r"(?:^|[\s(\[|])(?:photograph|photo|picture|image|illustration|composite|footage)s?"
    r"(?:\s+(?:credit|copyright))?\s*:\s*\S"
    r"|\b(?:photo(?:graph)?|picture|image)s?\s+(?:by|courtesy\ of|copyright)\s+[A-Z]"
    r"|\bimage\s+(?:copyright|caption)\b"
    r"|[A-Z][\w'’-]+/(?:PA|AP|AFP|EPA|Reuters|Getty|Getty Images|Shutterstock|Rex|"
    r"Alamy|Corbis|Bloomberg|NurPhoto|SIPA|Xinhua)\b"
    r"|\b(?:Getty Images|Shutterstock|Rex Features|Alamy Stock Photo)\s*\)?\s*$"
    r"|^(?:credit|photo credit)\s*:"
    # "FILE PHOTO: Traders …", "In this Dec. 12, 2006, file photo, …", "Above: A …".
    r"|^\W*file\s+(?:photo|picture|image)\b"
    r"|^\W*in\s+this\b.{0,60}?\b(?:photo|image|picture)(?:graph)?\s*(?:,|provided|released|made|taken)"
    r"|^\W*(?:above|below|top|main\ image|inset)\s*:\s*\S"
    # "[File: Reuters]", "[Photo: AFP]", "[SpaceX via Nasa]": a credit in square brackets.
    r"|\[(?:file|photo|image|picture|illustration)\s*:[^\]]{1,60}\]"
    r"|\[[^\]]{1,40}\bvia\s[^\]]{1,40}\]\s*$"
    # "REUTERS/Brendan McDermid", "Leonhard Foeger / Reuters file", "… in New York. Reuters".
    r"|(?-i:\b(?:REUTERS|AP|AFP|EPA|UPI)/[A-Z])"
    r"|\s/\s(?:Reuters|AP|AFP|EPA|Getty\ Images|Bloomberg|Shutterstock)(?:\s+file)?\s*$"
    r"|(?-i:^\W*(?:Reuters|AP|AFP|EPA|AP Photo|Getty Images|Shutterstock)\W*$)"
    r"|(?-i:\((?:AP|AFP|Reuters|EPA|Getty Images)(?: Photo)?(?:/[^)]{1,30})?\)\s*$)"
    # A gallery's counter: "1 of 4 Grass Valley's Dionicio Torres looks at …".
    r"|^\d{1,3}\s+of\s+\d{1,3}\s+(?-i:[A-Z])",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^\W*\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|[A-Z]{2,4})?\b", re.IGNORECASE)
_MAX_FURNITURE_WORDS = 25  # longer than this it is prose that happens to start alike
# "LONDON (Reuters) -", "WASHINGTON, March 3 (AP) —", "(CNN)", "NEW YORK —", "Paris, 3 May
# (AFP) –": a dateline before the first sentence. The city is upper case unless an agency
# in brackets follows it.
_AGENCIES = (
    r"(?:CNN|Reuters|AP|AFP|UPI|PA|dpa|EFE|ANSA|Bloomberg|Xinhua|IANS|PTI|Kyodo|Yonhap|TASS"
    r"|CNN Business|CNNMoney|BBC|The Conversation|Mashable|EW\.com)"
)
_DATE = r"(?:\d{1,2}\s+[A-Z][a-z]{2,8}|[A-Z][a-z]{2,8}\.?\s+\d{1,2})(?:,?\s+\d{4})?"
_DATELINE = re.compile(
    # "LONDON (Reuters) -", "WASHINGTON, March 3 (AP) —", "NEW YORK —", "(CNN)"
    r"^(?:[A-Z][A-Z .'’-]{1,30}(?:,\s*[A-Z][\w .'’-]{1,30})?\s*)?"
    rf"(?:\((?:[A-Z][\w .&-]{{0,30}})\)\s*(?:[-—–]+\s*|:\s*)?|[-—–]+\s+)"
    # "Paris, 3 May (AFP) –", "London (CNN) --": a city in mixed case needs a date or a
    # known agency, so "Mr Smith (Labour) said" keeps its subject.
    rf"|^[A-Z][a-z]+(?:\s[A-Z][a-z]+)?(?:,\s*{_DATE}\s*(?:\([^)]{{1,30}}\))?"
    rf"|\s*\({_AGENCIES}\))\s*[-—–:]+\s*"
)
# Navigation glued to a sentence: "… on Tuesday. More on this and other stories".
_NAV_TAIL = re.compile(
    rf"(?<=[^\s,;:])\s+(?=(?-i:[A-Z])){_NAV}\b.*$", re.IGNORECASE | re.VERBOSE | re.DOTALL
)
_NAV_HEAD = re.compile(
    rf"^\W*(?=(?-i:[A-Z])){_NAV}\b\W*?\s+(?=[A-Z\"'‘“])", re.IGNORECASE | re.VERBOSE
)
_MIN_PROSE_WORDS = 4  # what must remain of a sentence once glued navigation is cut off


def is_chrome(sentence: str) -> bool:
    """True for bylines, timestamps, credits and calls to action."""
    return count_words(sentence) <= _MAX_FURNITURE_WORDS and bool(
        _BYLINE.match(sentence) or _FURNITURE.match(sentence) or _CLOCK.match(sentence)
    )


def is_furniture(sentence: str) -> bool:
    """Page chrome, or a fragment: "| ." or "12 March ." has nothing that reads as a clause."""
    if is_chrome(sentence):
        return True
    return count_words(sentence) < 3 and not sentence.rstrip().endswith(("!", "?"))


def has_credit(sentence: str) -> bool:
    """A photo credit in the sentence ("Photograph: Jacob King/PA"): it is a caption."""
    return bool(_CREDIT.search(sentence))


def is_byline(sentence: str) -> bool:
    """ "By Jane Doe", "By . Jane Doe | Political Editor"."""
    return bool(_BYLINE.match(sentence.strip()))


def strip_dateline(sentence: str) -> str:
    """The sentence without a leading dateline; unchanged if none (or nothing would remain)."""
    match = _DATELINE.match(sentence)
    rest = sentence[match.end() :].lstrip() if match else sentence
    return rest if count_words(rest) >= 3 else sentence


def has_dateline(sentence: str) -> bool:
    return strip_dateline(sentence) != sentence


def prose_span(sentence: str) -> tuple[int, int]:
    """(start, end) of `sentence` without navigation glued before or after it ("More on
    this story", "Read more"); the whole sentence if none, or if too little would remain."""
    start, end = 0, len(sentence)
    if head := _NAV_HEAD.match(sentence):
        start = head.end()
    if tail := _NAV_TAIL.search(sentence, start):
        end = tail.start()
    if (start, end) != (0, len(sentence)) and count_words(sentence[start:end]) < _MIN_PROSE_WORDS:
        return 0, len(sentence)
    return start, end
