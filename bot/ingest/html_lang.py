"""The article's language: what the page declares, checked against the text itself.

Declarations are often missing or site-wide (an English story on a German portal), so the
extracted text is identified with py3langid (a small naive-Bayes model, ~0.3 ms a page).
"""

from __future__ import annotations

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from bot.once import once

# Enough text to identify reliably; more only costs time.
_SAMPLE_CHARS = 800
_MIN_CHARS = 20
# To trust the text over a declaration it must be long and the model very sure.
_OVERRIDE_MIN_CHARS = 200
_OVERRIDE_CONFIDENCE = 0.99
_GUESS_CONFIDENCE = 0.5


@once
def _identifier() -> LanguageIdentifier:
    # Loads the model shipped inside the package (no network), once per process.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, confidence 0..1) of `text`, or (None, 0.0) when too short."""
    sample = text[:_SAMPLE_CHARS]
    if len(sample.strip()) < _MIN_CHARS:
        return None, 0.0
    code, confidence = _identifier().classify(sample)
    return str(code), float(confidence)


def article_language(declared: str | None, text: str) -> str | None:
    """The page's declared language unless the text clearly says otherwise."""
    code, confidence = detect_language(text)
    if code is None:
        return declared
    if declared is None:
        return code if confidence >= _GUESS_CONFIDENCE else None
    if code != declared and len(text) >= _OVERRIDE_MIN_CHARS:
        return code if confidence >= _OVERRIDE_CONFIDENCE else declared
    return declared
