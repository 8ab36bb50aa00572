"""The words of a count a user asks a summary in ("3 bullets", "in 2 Sätzen", "en 3 puntos"),
in English, German, French, Spanish, Italian, Portuguese and Dutch: one table for the
offline engine's reading of `--instructions` and for the lead typed before a paste.

Only the unit words make a count an instruction: "in 3 Jahren" (in 3 years) names none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NUMBER_WORDS: dict[str, int] = {
    # English
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10,
    # German
    "ein": 1, "eine": 1, "einem": 1, "einen": 1, "einer": 1, "eins": 1, "zwei": 2, "drei": 3,
    "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
    # French
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10,
    # Spanish
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10,
    # Italian
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7, "otto": 8, "nove": 9,
    "dieci": 10,
    # Portuguese
    "um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "quatro": 4, "sete": 7, "oito": 8,
    "dez": 10,
    # Dutch
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vijf": 5, "zes": 6, "zeven": 7, "negen": 9,
    "tien": 10,
}  # fmt: skip

# Every form of each unit a count takes ("2 Sätzen", "3 puntos"), by the English plural a
# notice names it with ("I can write at most 12 sentences offline").
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "sentences": (
        "sentence", "sentences", "satz", "sätze", "sätzen", "phrase", "phrases", "frase",
        "frases", "frasi", "oración", "oracion", "oraciones", "zin", "zinnen",
    ),
    "bullet points": ("bullet point", "bullet points", "punti elenco"),
    "bullets": (
        "bullet", "bullets", "stichpunkt", "stichpunkte", "stichpunkten", "aufzählungspunkt",
        "aufzählungspunkte", "aufzählungspunkten", "puce", "puces", "viñeta", "viñetas",
        "vineta", "vinetas", "marcador", "marcadores", "tópico", "tópicos", "topico",
        "topicos", "opsommingsteken", "opsommingstekens",
    ),
    "points": (
        "point", "points", "punkt", "punkte", "punkten", "kernpunkte", "kernpunkten",
        "points clés", "punto", "puntos", "puntos clave", "punti", "punti chiave", "ponto",
        "pontos", "pontos chave", "punt", "punten",
    ),
    "lines": (
        "line", "lines", "zeile", "zeilen", "ligne", "lignes", "línea", "líneas", "linea",
        "lineas", "linee", "riga", "righe", "linha", "linhas", "regel", "regels",
    ),
    "takeaways": ("takeaway", "takeaways"),
}  # fmt: skip
UNIT_OF: dict[str, str] = {form: unit for unit, forms in UNIT_WORDS.items() for form in forms}

# Words that introduce a count ("in 3 bullets", "en 3 puntos", "em 3 pontos", "mit 3 ...").
INTRO_WORDS = ("in", "into", "as", "with", "using", "en", "em", "mit", "con", "com", "met")


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first (so "punti elenco" beats "punti"), any
    run of spaces or a hyphen between a phrase's words."""
    forms = sorted(set(words), key=len, reverse=True)
    return "|".join(re.sub(r"\\[ -]", r"[\\s-]+", re.escape(f)) for f in forms)


NUMBER_WORD_PATTERN = alternation(NUMBER_WORDS)
UNIT_PATTERN = alternation(UNIT_OF)
INTRO_PATTERN = alternation(INTRO_WORDS)


def unit_of(written: str) -> str:
    """The English plural of a unit as written ("Sätzen" -> "sentences")."""
    key = " ".join(written.lower().replace("-", " ").split())
    return UNIT_OF.get(key, key)
