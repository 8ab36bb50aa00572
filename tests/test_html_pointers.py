"""Paragraphs that only link to another story are not the article's text (any language)."""

from __future__ import annotations

from lxml.html import fromstring

from bot.ingest import from_html
from bot.ingest.html.blocks import page_units
from bot.ingest.html.pointers import drop_pointers

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


def _article(body: str, *, lang: str = "pt", title: str = "Curitiba amplia ciclovias") -> str:
    """A page whose <article> is the headline `title` and then `body`."""
    return (
        f'<html lang="{lang}"><head><title>{title}</title></head><body>'
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    )


def _page(paragraphs: list[str]) -> str:
    return _article("".join(f"<p>{p}</p>" for p in paragraphs))


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
    page = _article(
        f"{paragraphs[0]}{card}{''.join(paragraphs[1:])}",
        lang="es",
        title="Valencia plantará diez mil árboles",
    )
    assert list(from_html(page).paragraphs) == story


_RU_STORY = [
    "Городские власти Казани объявили в понедельник, что к осени в центре города откроют "
    "двенадцать новых общественных пространств с деревьями и скамейками.",
    "По словам главного архитектора, на работы потратят около трёхсот миллионов рублей из "
    "городского и республиканского бюджетов.",
    "Жители смогут проголосовать за проекты на сайте мэрии до конца месяца.",
]


def test_a_list_of_linked_headlines_goes_and_a_table_of_contents_with_it():
    related = (
        '<ul><li><a href="/news/1">Новые трамваи выйдут на линии в мае</a></li>'
        '<li><a href="/news/2">В Казани отремонтируют набережную Кабана</a></li>'
        '<li><a href="/news/3">Какие парки откроются после реконструкции</a></li></ul>'
    )
    contents = (
        '<ul><li><a href="#plan">Что предлагает мэрия</a></li>'
        '<li><a href="#money">Сколько это стоит</a></li></ul>'
    )
    body = (
        f"{contents}<h2 id='plan'>Что предлагает мэрия</h2><p>{_RU_STORY[0]}</p>"
        f"<h2 id='money'>Сколько это стоит</h2><p>{_RU_STORY[1]}</p>{related}<p>{_RU_STORY[2]}</p>"
    )
    page = _article(body, lang="ru", title="Казань откроет новые скверы")
    paragraphs = list(from_html(page).paragraphs)
    assert paragraphs == [
        "Что предлагает мэрия",
        _RU_STORY[0],
        "Сколько это стоит",
        *_RU_STORY[1:],
    ]


def test_a_list_with_an_item_that_says_something_stays():
    items = (
        '<ul><li><a href="/doc/1">Постановление мэрии о благоустройстве</a></li>'
        "<li>Срок подачи заявок: до 30 июня, <a href='/form'>форма на сайте</a></li></ul>"
    )
    root = fromstring(f"<div><p>{_RU_STORY[0]}</p>{items}<p>{_RU_STORY[1]}</p></div>")
    lines = [
        _RU_STORY[0],
        "- Постановление мэрии о благоустройстве",
        "- Срок подачи заявок: до 30 июня, форма на сайте",
        _RU_STORY[1],
    ]
    assert drop_pointers(lines, page_units(root)) == lines


def test_the_heading_of_a_box_of_pointers_goes_with_it():
    story = [
        "Pemerintah Kota Bandung meresmikan tiga taman baru di kawasan utara pada hari Senin, "
        "lengkap dengan jalur sepeda dan tempat bermain untuk anak-anak.",
        "Menurut wali kota, pembangunan taman tersebut menghabiskan dana sekitar dua puluh "
        "miliar rupiah dari anggaran daerah tahun ini.",
        "Taman-taman itu dibuka untuk umum setiap hari mulai pukul enam pagi.",
    ]
    box = (
        "<p>BACA JUGA</p>"
        '<p><a href="/berita/1">Jalur sepeda baru di Dago mulai dibangun</a></p>'
        '<p><a href="/berita/2">Warga Bandung keluhkan banjir di Pasteur</a></p>'
    )
    paragraphs = [f"<p>{p}</p>" for p in story]
    page = _article(
        f"{paragraphs[0]}{box}{''.join(paragraphs[1:])}",
        lang="id",
        title="Bandung resmikan tiga taman",
    )
    assert list(from_html(page).paragraphs) == story
