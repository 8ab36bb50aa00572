"""A last heading for comments or other stories, and the short lines under it, go."""

from __future__ import annotations

from bot.ingest import from_html
from bot.ingest.html.pick import drop_closing_section
from bot.ingest.html.trim import drop_edge_stamps

_STORY = [
    "Die Stadt Leipzig will bis zum Sommer zwanzig neue Trinkbrunnen aufstellen, vor allem "
    "in Parks und auf Plätzen, auf denen es im Juli besonders heiß wird.",
    "Nach Angaben der Stadtwerke kostet ein Brunnen rund fünfzehntausend Euro; die Hälfte "
    "bezahlt das Land aus einem Förderprogramm für Klimaanpassung.",
    "Die ersten Brunnen sollen im Mai am Augustusplatz und im Clara-Zetkin-Park laufen.",
]


def test_closing_headings_and_their_short_lines_go():
    page = (
        '<html lang="de"><head><title>Leipzig stellt Trinkbrunnen auf</title></head><body>'
        "<article><h1>Leipzig stellt Trinkbrunnen auf</h1>"
        + "".join(f"<p>{p}</p>" for p in _STORY)
        + "<p>Das könnte Sie auch interessieren</p><p>Neue Radwege im Süden</p>"
        "<h3>Kommentare</h3></article></body></html>"
    )
    assert list(from_html(page).paragraphs) == _STORY


def test_a_box_heading_inside_the_story_and_its_end_stay():
    lines = [_STORY[0], "Mehr zum Thema", "Hitzeschutz in Sachsen", *_STORY[1:]]
    assert drop_closing_section(lines) == lines
    # A short closing line that is no such heading is the story's (a credit, a sign-off).
    assert drop_closing_section([*_STORY, "Mit Material von dpa"]) == [
        *_STORY,
        "Mit Material von dpa",
    ]
    # Lines broken by a lone <br> come as one line: its last part is cut, not the line.
    assert drop_closing_section([_STORY[0], f"{_STORY[1]}\nKommentare"]) == _STORY[:2]


def test_a_closing_tags_row_and_a_leading_reading_time_go():
    story = [
        "La mairie de Lyon a présenté mardi un plan pour planter trois mille arbres dans les "
        "cours d'école d'ici deux ans, en commençant par les quartiers les plus chauds.",
        "Le projet coûtera environ quatre millions d'euros, dont la moitié sera financée par "
        "la métropole et par un fonds européen pour le climat.",
    ]
    page = (
        '<html lang="fr"><head><title>Lyon va planter des arbres</title></head><body>'
        "<article><h1>Lyon va planter des arbres</h1><p>Temps de lecture : 2 min</p>"
        + "".join(f"<p>{p}</p>" for p in story)
        + "<p>Mots-clés : Lyon, écoles, climat, arbres</p></article></body></html>"
    )
    assert list(from_html(page).paragraphs) == story
    # A sentence about tags is no tags row.
    said = "Tags: the word the council used for the new street names, she said."
    assert drop_closing_section([*story, said]) == [*story, said]


def test_a_dated_byline_above_the_story_goes_a_dated_heading_stays():
    story = [
        "El Gobierno de Aragón aprobó ayer la compra de doce autobuses eléctricos para las "
        "líneas que unen Zaragoza con los pueblos de su área metropolitana.",
        "Los vehículos empezarán a circular en otoño y sustituirán a los más antiguos de la "
        "flota, que tienen más de quince años.",
    ]
    byline = "05/10/2023 - Publicado por: Lucía Gómez - Categoría: Transporte"
    page = (
        '<html lang="es"><head><title>Aragón compra autobuses eléctricos</title></head><body>'
        "<article><h1>Aragón compra autobuses eléctricos</h1>"
        + "".join(f"<p>{p}</p>" for p in [byline, *story])
        + "</article></body></html>"
    )
    assert list(from_html(page).paragraphs) == story
    # Below a dek, too; a heading with a year and a name is no byline.
    dek = "La flota metropolitana será toda eléctrica en 2030."
    heading = "El plan de Lambán para 2030"
    lines = [dek, "Actualizado 18.11.2023 15:24 por Lucía Gómez", heading, *story]
    assert drop_edge_stamps(lines) == [dek, heading, *story]
