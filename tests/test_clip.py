from bot.text.clip import clipped


def test_a_text_that_fits_is_shown_whole() -> None:
    assert clipped("x" * 80, 80) == "x" * 80


def test_a_longer_text_is_cut_to_the_limit_with_an_ellipsis() -> None:
    shown = clipped("abcdefghij", 5)
    assert shown == "abcd…"
    assert len(shown) == 5
