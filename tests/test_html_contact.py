"""Contact lines at a story's end (write to, follow, listen at an address) go; bylines stay."""

from __future__ import annotations

from bot.ingest import from_html
from bot.ingest.html.trim import drop_contact_lines, is_contact_line

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
