"""What kind of answer an English question wants, and whether a sentence holds one.

"How many ...?" wants a number, "when" a date or year, "who" a person or organisation,
"where" a place; "how old" an age ("at age 39", "Locke, 29,", "515 million years") and "how
much is she paid?" a sum of money (a currency): any number would not do for those two. A
sentence that holds no token of that kind (beyond the question's own) is
weak evidence: it ranks lower and counts towards "not found". Other languages get no type
(None), so the check never rejects an answer it cannot read.
"""

from __future__ import annotations

import re
from typing import Literal

AnswerType = Literal["number", "money", "age", "date", "name", "place"]

_F = re.IGNORECASE
_TYPES: list[tuple[AnswerType, re.Pattern[str]]] = [
    (
        "date",
        re.compile(
            r"\bwhen\b|\b(?:what|which)\s+(?:year|years|date|decade|century|month|day|era|"
            r"period|time\s+period)\b|\bhow\s+long\s+ago\b|\bsince\s+when\b",
            _F,
        ),
    ),
    (
        "money",
        re.compile(
            r"\bhow\s+much\b.*\b(?:pay|pays|paid|cost|costs|costing|earn|earns|earned|worth|"
            r"price|priced|spend|spends|spent|charge|charges|charged|fund|funded|raise|raised|"
            r"sell|sold|buy|bought|owe|owes|owed|fine|fined|salary|wage|wages|budget|money|"
            r"cash|compensation|bonus|fee|fees|tax|taxes|rent|loan|debt|donate|donated)\b|"
            r"\b(?:what|which)\s+(?:price|cost|salary|wage|fee|fine|budget|sum|fare)\b",
            _F,
        ),
    ),
    ("age", re.compile(r"\bhow\s+old\b|\b(?:what|which)\s+age\b", _F)),
    (
        "number",
        re.compile(
            r"\bhow\s+(?:many|much|long|far|big|large|tall|high|often|fast|deep|wide|"
            r"heavy|few)\b|\b(?:what|which)\s+(?:percentage|percent|proportion|fraction|"
            r"number|amount|share|size|age|population|distance|speed|temperature|rate)\b",
            _F,
        ),
    ),
    ("name", re.compile(r"\bwho(?:m|se)?\b", _F)),
    (
        "place",
        re.compile(
            r"\bwhere\b|\b(?:what|which)\s+(?:city|country|state|region|town|continent|"
            r"place|area|island|river|county|province|nation|location)\b",
            _F,
        ),
    ),
]

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    rf"\b(?:\d{{3,4}}s?|\d{{1,2}}(?:st|nd|rd|th)|{_MONTHS}|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|century|centuries|decade|decades|bc|bce|ad|ce|ago|today|"
    r"yesterday|tomorrow|spring|summer|autumn|winter|era|period|reign|morning|evening|night|"
    r"noon|midnight|week|weeks|month|months|year|years|during)\b",
    _F,
)
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|billion|"
    r"billions|trillion|dozen|dozens|half|third|quarter|twice|double|several|percent|"
    r"per\s+cent)\b",
    _F,
)
_MONEY = re.compile(
    r"[$£€¥₹₩₽¢]|\b(?:usd|eur|gbp|chf|jpy|cny|dollars?|pounds?|euros?|yen|yuan|rupees?|francs?|"
    r"cents?|pence|pesos?|kronor|krona|kroner|rand|lira|reais|roubles?|rubles?|unpaid)\b",
    _F,
)
_AGE = re.compile(
    r"\bage[ds]?\s+(?:of\s+)?\d|\b\d[\d,.]*(?:\s+(?:hundred|thousand|million|billion))?[\s-]+"
    r"(?:years?|months?|weeks?|days?|centuries)\b|,\s*\d{1,3}\s*[,)]|\(\d{1,3}\)",
    _F,
)
# A capitalised word that does not start the sentence: a name, a place, an organisation.
_NAME = re.compile(r"(?<=[\w,;:()\"'“”‘’-] )[A-Z][\w'’.-]*|\b[A-Z]{2,}\b")
_WORD = re.compile(r"\w+")


def expected_type(question: str, language: str | None) -> AnswerType | None:
    """The kind of answer `question` asks for, or None (not English, or no clear kind)."""
    if language not in (None, "en"):
        return None
    for kind, pattern in _TYPES:
        if pattern.search(question):
            return kind
    return None


def _new_words(pattern: re.Pattern[str], text: str, known: set[str]) -> bool:
    """Whether `pattern` matches somewhere in `text` on a word the question did not use."""
    for match in pattern.finditer(text):
        words = {w.casefold() for w in _WORD.findall(match.group())}
        if not words or not words <= known:
            return True
    return False


def fits(sentence: str, kind: AnswerType, question: str) -> bool:
    """Whether `sentence` holds a token of `kind` that is not already in the question."""
    known = {w.casefold() for w in _WORD.findall(question)}
    if kind == "number":
        return _new_words(_NUMBER, sentence, known)
    if kind == "money":
        return _new_words(_MONEY, sentence, known)
    if kind == "age":
        return _new_words(_AGE, sentence, known)
    if kind == "date":
        return _new_words(_DATE, sentence, known)
    return _new_words(_NAME, sentence, known)
