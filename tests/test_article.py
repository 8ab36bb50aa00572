import pytest

from bot.errors import NotAnArticle
from bot.ingest import from_bytes, from_text
from bot.ingest.article import Article, content_hash


def test_paragraphs_derived_from_text_and_counted():
    art = Article(text="First para here.\n\nSecond one.", source_kind="text")
    assert art.paragraphs == ("First para here.", "Second one.")
    assert art.word_count == 5


def test_content_hash_ignores_whitespace_and_case():
    assert content_hash("Hello  World\n") == content_hash("hello world")
    assert content_hash("hello world") != content_hash("hello there")


def test_to_dict_is_json_ready():
    art = Article.from_paragraphs(["A b c.", "", "D e."], source_kind="html", title="T")
    data = art.to_dict()
    assert data["paragraphs"] == ["A b c.", "D e."]
    assert data["text"] == "A b c.\n\nD e."
    assert data["word_count"] == 5 and data["title"] == "T"
    assert len(data["content_hash"]) == 64


# --- from_text: language and empty input (audit regressions) ---------------------------------

SPANISH = (
    "El ayuntamiento aprobó el martes un nuevo presupuesto que incluye fondos para parques y "
    "bibliotecas. Los concejales debatieron durante horas antes de la votación final.\n\n"
    "«Lo necesitamos», dijo la alcaldesa. El plan pasará al Estado para su revisión."
)
ENGLISH = (
    "The council approved a new budget on Tuesday that includes money for parks and "
    "libraries. Members debated for hours before the final vote.\n\n"
    '"We need this," the mayor said. The plan now goes to the state for review.'
)


@pytest.mark.parametrize(("text", "language"), [(SPANISH, "es"), (ENGLISH, "en")])
def test_pasted_text_gets_its_language(text, language):
    assert from_text(text).language == language
    assert from_bytes(text.encode("utf-8")).language == language


def test_too_short_to_tell_has_no_language():
    assert from_text("Short note here.").language is None


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_text_says_so(text):
    with pytest.raises(NotAnArticle, match="empty"):
        from_text(text)
    with pytest.raises(NotAnArticle, match="That file is empty"):
        from_bytes(text.encode())
    with pytest.raises(NotAnArticle, match="That page is empty"):
        from_bytes(text.encode(), "text/html", url="https://example.com/a")


def test_a_pasted_headline_becomes_the_title() -> None:
    from bot.ingest import from_text

    paste = (
        "Floods force thousands from their homes in northern Italy\n\n"
        "Torrential rain has forced more than 10,000 people to leave their homes in the "
        "Emilia-Romagna region, officials said on Wednesday, as rivers burst their banks.\n\n"
        "At least nine people have died. Rescue teams used helicopters to lift residents from "
        "rooftops in the town of Faenza, and schools stayed closed across the province.\n\n"
        "The region's president said the damage would run to billions of euros and called for "
        "emergency funds from Rome."
    )
    article = from_text(paste)
    assert article.title == "Floods force thousands from their homes in northern Italy"
    assert not article.text.startswith("Floods")
