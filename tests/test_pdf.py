import io

import pytest
from pypdf import PdfReader

from bot.errors import IngestError, NotAnArticle, UnsupportedType
from bot.ingest import from_bytes, from_pdf
from bot.ingest.pdf import _declared_language, _lines_to_paragraphs

reportlab = pytest.importorskip("reportlab")
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

PARAGRAPHS = [
    "The central bank raised interest rates by a quarter point on Wednesday, its third "
    "increase this year, citing stubborn inflation in services.",
    "Analysts had expected the move. Markets barely reacted, and the currency held steady "
    "against the dollar through the afternoon session.",
]


def make_pdf(paragraphs: list[str], title: str | None = "Rates rise again") -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    if title:
        pdf.setTitle(title)
    pdf.setAuthor("Jane Reporter")
    y = 800
    for para in paragraphs:
        words, line = para.split(), ""
        for word in words:  # wrap by hand at ~70 chars, like a typeset column
            if len(line) + len(word) > 70:
                pdf.drawString(50, y, line)
                y -= 14
                line = ""
            line = f"{line} {word}".strip()
        pdf.drawString(50, y, line)
        y -= 28
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def test_pdf_text_and_metadata():
    article = from_pdf(make_pdf(PARAGRAPHS))
    assert article.source_kind == "pdf"
    assert article.title == "Rates rise again"
    assert article.author == "Jane Reporter"
    assert "quarter point on Wednesday" in article.text
    assert "through the afternoon session." in article.text
    assert len(article.paragraphs) == 2


def test_pdf_recognised_by_content_without_label():
    assert from_bytes(make_pdf(PARAGRAPHS)).source_kind == "pdf"


def test_pdf_without_text_is_not_an_article():
    with pytest.raises(NotAnArticle):
        from_pdf(make_pdf([], title=None))


def test_damaged_pdf_has_a_clear_error():
    with pytest.raises(IngestError, match="damaged"):
        from_pdf(b"%PDF-1.4\n this is not really a pdf")


def test_image_is_refused_by_name():
    with pytest.raises(UnsupportedType, match="image/png"):
        from_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)


def test_lines_rejoin_into_paragraphs():
    text = (
        "A long first line of a paragraph that runs the full width of the\n"
        "column and a hyphen-\nated ending.\n\n12\n\nNext paragraph."
    )
    assert _lines_to_paragraphs(text) == [
        "A long first line of a paragraph that runs the full width of the column and a "
        "hyphenated ending.",
        "Next paragraph.",
    ]


# --- language (the audit found it null for every PDF) ----------------------------------------

GERMAN = [
    "Die Zentralbank hat am Mittwoch den Leitzins um einen Viertelpunkt angehoben, zum "
    "dritten Mal in diesem Jahr, und verwies auf die hartnäckige Inflation.",
    "Analysten hatten mit dem Schritt gerechnet. Die Märkte reagierten kaum, und die Währung "
    "blieb am Nachmittag gegenüber dem Dollar stabil.",
]


def test_pdf_language_is_detected_from_its_text():
    assert from_pdf(make_pdf(PARAGRAPHS)).language == "en"
    assert from_pdf(make_pdf(GERMAN)).language == "de"


def _with_lang(data: bytes, lang: str) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_declared_lang_is_read_from_the_catalog():
    reader_lang = _declared_language(PdfReader(io.BytesIO(_with_lang(make_pdf(GERMAN), "de-DE"))))
    assert reader_lang == "de"
    # Too little text to identify: the document's own /Lang is what we know.
    short = _with_lang(make_pdf(["Bonjour à tous."]), "fr-FR")
    assert from_pdf(short).language == "fr"
    assert from_pdf(make_pdf(["Bonjour à tous."])).language is None


def test_a_printed_headline_is_the_title_not_glued_to_the_first_sentence():
    headline = "City council approves new bike lanes"
    untitled = from_pdf(make_pdf([headline, *PARAGRAPHS], title=None))
    assert untitled.title == headline
    assert untitled.paragraphs[0].startswith("The central bank raised")
    titled = from_pdf(make_pdf([headline, *PARAGRAPHS], title=headline))
    assert titled.title == headline and headline not in titled.text
    # A heading inside the text stands as its own paragraph.
    text = "First paragraph ends here.\n\nWhat comes next\nThe council will vote in May."
    assert _lines_to_paragraphs(text) == [
        "First paragraph ends here.",
        "What comes next",
        "The council will vote in May.",
    ]
