"""Paragraphs that only link to another story are not the article's text (any language)."""

from __future__ import annotations

from bot.ingest import from_html

_STORY = [
    "A prefeitura de Curitiba anunciou nesta quarta-feira que vai ampliar a rede de ciclovias "
    "em quarenta quilômetros até o fim do ano, com prioridade para os bairros do sul.",
    "Segundo a secretaria de obras, o projeto custará cerca de doze milhões de reais e será "
    "pago com recursos do orçamento municipal e de um empréstimo federal.",
    'Os moradores ouvidos pela reportagem aprovaram a ideia, mas cobram <a href="/obras">mais '
    "segurança nos cruzamentos</a> e iluminação nas novas pistas.",
    "A primeira etapa das obras deve começar em março, segundo a prefeitura.",
]
# Pointers to other stories, each a paragraph of (almost) nothing but its link.
_POINTERS = [
    'Leia também: <a href="/2024/onibus">Ônibus elétricos chegam a três novas linhas</a>',
    '<strong><a href="/2024/parques">PARQUES DA CIDADE GANHAM NOVOS BANHEIROS</a></strong>',
    '<a href="/2024/chuva">Chuva forte alaga ruas do centro: veja as imagens</a>',
]


def _page(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<html lang="pt"><head><title>Curitiba amplia ciclovias</title></head><body>'
        f"<article><h1>Curitiba amplia ciclovias</h1>{body}</article></body></html>"
    )


def test_link_only_paragraphs_between_and_after_the_story_go():
    page = _page([_STORY[0], _POINTERS[0], _STORY[1], _POINTERS[1], *_STORY[2:], _POINTERS[2]])
    text = "\n".join(from_html(page).paragraphs)
    for gone in ("Leia também", "Ônibus elétricos", "PARQUES DA CIDADE", "Chuva forte"):
        assert gone not in text
    # A link inside a sentence is the story's own.
    assert "mais segurança nos cruzamentos e iluminação" in text
    assert text.count("\n") == len(_STORY) - 1


def test_linked_sentences_and_subheadings_stay():
    kept = [
        # A whole sentence that happens to be a link: the author wrote it.
        '<a href="/relatorio">O relatório completo foi publicado pela prefeitura.</a>',
    ]
    page = _page([_STORY[0], *kept, *_STORY[1:]]).replace(
        "<p>A primeira", '<h2><a href="/etapas">As etapas da obra</a></h2><p>A primeira'
    )
    text = "\n".join(from_html(page).paragraphs)
    assert "O relatório completo foi publicado pela prefeitura." in text
    assert "As etapas da obra" in text


def test_a_teaser_card_inside_a_link_goes_even_when_it_is_sentences():
    story = [
        "El ayuntamiento de Valencia aprobó ayer un plan para plantar diez mil árboles en los "
        "barrios con menos sombra antes del verano de dos mil veinticinco.",
        "Según la concejala de medio ambiente, la mitad serán especies autóctonas que necesitan "
        "poco riego durante los meses más calurosos del año.",
        "Las obras empezarán en enero y costarán unos tres millones de euros, pagados con "
        "fondos europeos.",
    ]
    card = (
        '<a href="/guia/huertos"><h3>Guía de huertos urbanos</h3>'
        "<p>Todo lo que necesitas saber para empezar un huerto en tu balcón este otoño.</p></a>"
    )
    paragraphs = [f"<p>{p}</p>" for p in story]
    page = (
        '<html lang="es"><head><title>Valencia plantará diez mil árboles</title></head><body>'
        "<article><h1>Valencia plantará diez mil árboles</h1>"
        f"{paragraphs[0]}{card}{''.join(paragraphs[1:])}</article></body></html>"
    )
    assert list(from_html(page).paragraphs) == story
