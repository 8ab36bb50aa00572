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
