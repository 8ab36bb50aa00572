"""Contact lines at a story's end (write to, follow, listen at an address) go; bylines stay."""

from __future__ import annotations

from bot.ingest import from_html
from bot.ingest.html.trim import drop_contact_lines, drop_end_matter, is_contact_line

_STORY = [
    "Il comune di Bologna ha approvato ieri sera il nuovo piano per le piste ciclabili, che "
    "prevede sessanta chilometri di percorsi protetti entro la fine del prossimo anno.",
    "Secondo l'assessora alla mobilità, i primi cantieri apriranno a marzo nei quartieri "
    "Navile e San Donato, dove il traffico è più intenso.",
]


def _page(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<html lang="it"><head><title>Bologna, nuove piste ciclabili</title></head><body>'
        f"<article><h1>Bologna, nuove piste ciclabili</h1>{body}</article></body></html>"
    )


def test_contact_lines_at_the_end_go():
    contacts = [
        "Scrivi a redazione@giornale.example.it o seguici su Twitter @giornale_bo.",
        "Ascolta: https://podcast.example.it/bologna",
    ]
    assert list(from_html(_page([*_STORY, *contacts])).paragraphs) == _STORY


def test_a_byline_with_an_address_and_an_embedded_tweet_stay():
    kept = [
        "Maria Rossi, giornalista maria.rossi@giornale.example.it",
        "— Comune di Bologna (@comunebologna) 18 novembre 2019",
    ]
    for line in kept:
        assert not is_contact_line(line)
    assert drop_contact_lines([*_STORY, *kept]) == [*_STORY, *kept]
    # Inside the text a contact line is the story's (a hotline the story is about).
    middle = [_STORY[0], "Per informazioni scrivi a bici@comune.example.it", _STORY[1]]
    assert drop_contact_lines(middle) == middle


def test_a_closing_rule_and_the_notes_under_it_go_a_section_break_stays():
    story = [
        "O governo de Minas Gerais anunciou nesta terça-feira a reabertura de três estradas "
        "que estavam fechadas desde as chuvas de janeiro, após obras de contenção de encostas.",
        "Segundo o departamento de estradas, as obras custaram cerca de quarenta milhões de "
        "reais e foram feitas em regime de urgência nos últimos dois meses.",
    ]
    notes = ["___", "Colaborou Ana Souza, de Belo Horizonte, com informações da agência estadual."]
    page = (
        '<html lang="pt"><head><title>Minas reabre estradas</title></head><body>'
        "<article><h1>Minas reabre estradas</h1>"
        + "".join(f"<p>{p}</p>" for p in [*story, *notes])
        + "</article></body></html>"
    )
    assert list(from_html(page).paragraphs) == story
    # "* * *" between parts of an essay: what follows is more of it.
    essay = [story[0], "* * *", story[1], story[0], story[1]]
    assert drop_end_matter(essay) == essay
