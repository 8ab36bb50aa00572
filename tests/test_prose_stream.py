"""Streaming an answer's prose: ProseStream reads the reply incrementally and sends what
re-reading the whole reply with `answer_prose` after every piece would send (issue 9: that
re-read made a 20 KB answer in 4-character pieces cost 7 s of CPU)."""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Callable, Iterator

import pytest

from bot.llm.quotes import ProseStream, answer_prose

# A reply whose last escape is a high surrogate, perhaps with the "\" of the next one.
_HIGH_SURROGATE_END = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\?\Z")


def _reading(raw: str, json_reply: bool) -> str:
    """answer_prose, except for one fix made on purpose: the first half of a surrogate pair
    written as two escapes ("\\ud83d\\ude00") is not shown alone while the second may follow
    (the whole re-read sent it, then stopped streaming when the pair became one character)."""
    reading = answer_prose(raw, json_reply=json_reply)
    half = json_reply and _HIGH_SURROGATE_END.search(raw) and reading
    if half and "\ud800" <= reading[-1] <= "\udbff":
        return reading[:-1].rstrip()
    return reading


def reference(pieces: list[str], json_reply: bool) -> list[str]:
    """What was sent after each piece when every piece re-read the whole reply."""
    sent, on, raw, out = "", True, "", []
    for piece in pieces:
        raw += piece
        prose = _reading(raw, json_reply)
        if on and len(prose) > len(sent):
            if prose.startswith(sent):
                sent = prose
            else:
                on = False
        out.append(sent)
    return out


def streamed(pieces: list[str], json_reply: bool) -> list[str]:
    """What ProseStream has sent after each piece."""
    deltas: list[str] = []
    stream = ProseStream(deltas.append)
    stream.start(json_reply=json_reply)
    out = []
    for piece in pieces:
        stream.feed(piece)
        out.append("".join(deltas))
    assert out[-1] == stream.sent if out else True
    return out


def splits(text: str, rng: random.Random) -> Iterator[list[str]]:
    """Every prefix (one character at a time), then a few random cuts."""
    yield list(text)
    for _ in range(3):
        pieces, at = [], 0
        while at < len(text):
            step = rng.randint(1, 9)
            pieces.append(text[at : at + step])
            at += step
        yield pieces


# --- corpora ------------------------------------------------------------------------------

JSON_ANSWERS = [
    '{"answer": "In May.", "quotes": ["reopen the old bridge in May"], "found": true}',
    '{"answer": "Line one\\nline two with \\"quotes\\" and a \\\\ backslash", "found": true}',
    '{"answer": "Caf\\u00e9 owners \\u00E9\\u0301 and \\/ \\b\\f\\r\\t", "quotes": []}',
    '{"answer": "Pairs: \\ud83d\\ude00 then \\ud83c\\udf89 then \\ud83d alone", "found": true}',
    '{"answer": "Raw \\u00e9, é, 😀 and a raw\nnewline\tand tab", "found": true}',
    '  {"quotes": ["a", "b"], "found": false, "answer": "NOT FOUND: nothing here"}',
    '{"answer": "not found:    the article is silent"}',
    '{"answer": "Not Found yet, but NOT FOUND is not a prefix here"}',
    '{"answer": "   leading and trailing space   \\n\\n  ", "found": true}',
    '{"\\u0061nswer": "an escaped key still names the answer"}',
    '{"a": {"answer": "nested: not it"}, "list": [1, -2.5e3, true, null, NaN], "answer": "it"}',
    '{"answer": 5, "found": true}',
    '{"answer": null}',
    '{"found": true, "quotes": [{"answer": "x"}], "answer": "after a nested list"}',
    '{"answer": "> not a quote line in JSON\\nQuotes:\\n> still prose"}',
    '{"answer": ""}',
    "{}",
    '[{"answer": "not an object"}]',
    '\n{\n  "answer" : "pretty printed" ,\n  "found" : true\n}\n',
]

MALFORMED_JSON = [
    '{"answer": "bad \\q escape, then more"}',
    '{"answer": "bad \\u12G4 hex"}',
    '{"answer": "half pair \\ud83d\\u00zz"}',
    '{"answer": "closed"}} and more',
    '{"answer": "closed"] mismatched',
    '{"answer": "abc" "missing comma", "x": 1}',
    '{"answer": "abc"{ "junk": 1 } trailing',
    '{"answer": "abc", "found": tru}',
    '{"found": yes, "answer": "after an error"}',
    '{"n": 01, "answer": "after a bad number"}',
    '```json\n{"answer": "fenced"}\n```',
    '\ufeff{"answer": "after a BOM"}',
    '{"answer": "abc"} {"answer": "second object"}',
    '{"answer": "abc",}',
]

PLAIN_ANSWERS = [
    "The bridge reopens in May.\n\n> reopen the old bridge in May\n",
    "Answer first.\nQuotes:\n> one\n> two\n",
    "A\nQuotes:\nB\nC",  # the header comes back above B once B's line is complete
    "Supporting quotes:  \n> a\nb",
    "Quote\nthat was not a header",
    "quotes: are fine inside a sentence\nnext",
    "NOT FOUND: The article doesn't say.",
    "not fo",
    "  \n\n  indented start\n   > indented quote\n",
    '{"answer": "JSON despite asking for text"}',
    "  ```json\n{}\n```",
    "Σ and İ change length when case changes\nquotes:\n> q",
]


def _string(rng: random.Random) -> str:
    pieces = ["a", "word", " ", "  ", "\\n", '\\"', "\\\\", "\\u00e9", "\\ud83d\\ude00", "\n",
              "\t", "NOT FOUND:", "not found: ", "é", "😀", "\\t", "\\/", "> q", "Quotes:",
              "\\u0020", "\u3000", "\x85", "\\ud83d", "\\udc00", "\\ud83d\\u0041"]  # fmt: skip
    return '"' + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) + '"'


def _value(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    if depth > 2 or roll < 0.35:
        return _string(rng)
    if roll < 0.55:
        return rng.choice(["1", "-2.5e3", "0", "true", "false", "null", "NaN", "-Infinity"])
    if roll < 0.75:
        return "[" + ", ".join(_value(rng, depth + 1) for _ in range(rng.randint(0, 3))) + "]"
    return _object(rng, depth + 1, ["answer", "y", "quotes"])


def _space(rng: random.Random) -> str:
    return rng.choice(["", "", " ", "\n  ", "\t"])


def _object(rng: random.Random, depth: int, keys: list[str]) -> str:
    items, answered = [], False
    for _ in range(rng.randint(0, 4)):
        key = rng.choice(keys)
        if depth == 0 and key in ("answer", "\\u0061nswer"):
            if answered:
                continue  # one top-level answer: a second one is tested on its own
            answered = True
            value = _string(rng) if rng.random() < 0.9 else _value(rng, depth)
        else:
            value = _value(rng, depth)
        s = _space
        items.append(f'{s(rng)}"{key}"{s(rng)}:{s(rng)}{value}{s(rng)}')
    return "{" + ",".join(items) + "}"


def random_json(rng: random.Random) -> str:
    keys = ["quotes", "found", "x", "answer", "\\u0061nswer"]
    return _space(rng) + _object(rng, 0, keys) + _space(rng)


def random_plain(rng: random.Random) -> str:
    pieces = ["Hello", "> quote", "  > q", ">", "Quotes:", "quotes:  ", "Supporting quotes:",
              "supporting", "Quote", "Quo", "quotes", "NOT FOUND:", "not found: x", "NOT FO",
              "", " ", "\u3000", "x", "quotes: x", "a b", "\t"]  # fmt: skip
    lead = rng.choice(["", " ", "\n", "{", " `"]) if rng.random() < 0.2 else ""
    lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 3))) for _ in range(8)]
    return lead + "\n".join(lines[: rng.randint(1, 8)]) + rng.choice(["", "\n", " "])


# --- the same text is sent ------------------------------------------------------------------


def _generated(make: Callable[[random.Random], str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [make(rng) for _ in range(n)]


@pytest.mark.parametrize("reply", JSON_ANSWERS + _generated(random_json, 150, 9))
def test_json_reply_sends_what_a_full_reread_sends_however_split(reply: str) -> None:
    for pieces in splits(reply, random.Random(reply)):
        assert streamed(pieces, True) == reference(pieces, True), pieces


@pytest.mark.parametrize("reply", PLAIN_ANSWERS + _generated(random_plain, 150, 9))
def test_plain_reply_sends_what_a_full_reread_sends_however_split(reply: str) -> None:
    for pieces in splits(reply, random.Random(reply)):
        assert streamed(pieces, False) == reference(pieces, False), pieces


def _longest_reading(raw: str) -> str:
    best = ""
    for end in range(len(raw) + 1):
        reading = _reading(raw[:end], True)
        if len(reading) > len(best) and reading.startswith(best):
            best = reading
    return best


@pytest.mark.parametrize("reply", MALFORMED_JSON)
def test_malformed_json_sends_no_less_and_nothing_but_the_answer(reply: str) -> None:
    # After a syntax error the full re-read's repairs are arbitrary (a stray "{" after the
    # answer could hide its last piece): the stream sends at least what it sent, and only
    # the start of the answer as far as it can be read.
    readable = _longest_reading(reply)
    for pieces in splits(reply, random.Random(reply)):
        for before, now in zip(reference(pieces, True), streamed(pieces, True), strict=True):
            assert now.startswith(before) and readable.startswith(now), (pieces, before, now)


def test_a_bad_escape_or_a_mismatched_bracket_hides_the_rest_as_before() -> None:
    # A full re-read reads nothing at all then, not even the text before it in that piece.
    for reply in ('{"answer": "abc", "x": 1}}', '{"answer": "abc\\q"}'):
        pieces = [reply[:14], reply[14:]]  # '{"answer": "ab', then the rest
        assert streamed(pieces, True) == reference(pieces, True) == ["ab", "ab"]


# --- on purpose, not as before ---------------------------------------------------------------


def test_a_surrogate_pair_split_between_pieces_arrives_as_one_character() -> None:
    reply = '{"answer": "Party \\ud83c\\udf89 time"}'
    pieces = list(reply)
    old = [answer_prose("".join(pieces[: i + 1]), json_reply=True) for i in range(len(pieces))]
    assert "Party \ud83c" in old  # the whole re-read showed half a character...
    assert streamed(pieces, True)[-1] == "Party 🎉 time"  # ...and then stopped streaming


def test_a_second_answer_key_stops_the_stream() -> None:
    reply = '{"answer": "first", "answer": "first, then more"}'
    deltas: list[str] = []
    stream = ProseStream(deltas.append)
    stream.start(json_reply=True)
    for char in reply:
        stream.feed(char)
    assert "".join(deltas) == "first"


def test_nesting_deeper_than_python_recursion_is_read() -> None:
    reply = '{"answer": "deep", "x": ' + "[" * (sys.getrecursionlimit() * 3)
    with pytest.raises(RecursionError):
        answer_prose(reply, json_reply=True)  # what the stream used to do: raise
    assert streamed([reply[:14], reply[14:]], True) == ["de", "deep"]


def test_a_plain_text_retry_continues_what_the_json_attempt_sent() -> None:
    deltas: list[str] = []
    stream = ProseStream(deltas.append)
    stream.start(json_reply=True)
    stream.feed('{"answer": "The bridge')
    stream.start(json_reply=False)  # the JSON was unreadable: asked again for text
    stream.feed("The bridge reopens")
    assert deltas == ["The bridge", " reopens"]
    stream.start(json_reply=False)
    stream.feed("Something else entirely")  # doesn't extend what was sent: stop for good
    stream.feed(" and more")
    assert stream.sent == "The bridge reopens"


# --- linear in the reply ---------------------------------------------------------------------

_WORDS = ["the", "council", "voted", "on", "a", "budget", "after", "debate", "about", "roads"]


def _long_answer(chars: int) -> str:
    rng = random.Random(chars)
    words, size = [], 0
    while size < chars:
        words.append(rng.choice(_WORDS) + rng.choice(["", "", "", ".", ",", "\n\n", " é"]))
        size += len(words[-1]) + 1
    return " ".join(words)[:chars].strip()


def _replies(chars: int) -> dict[str, tuple[str, bool]]:
    answer = _long_answer(chars)
    doc = {"answer": answer + ' "q" \u00e9 😀', "quotes": ["the council voted"], "found": True}
    return {
        "json": (json.dumps(doc), True),  # ASCII: é and 😀 as \u escapes
        "json, raw UTF-8": (json.dumps(doc, ensure_ascii=False), True),
        "plain": (answer + "\n\nQuotes:\n> the council voted\n", False),
    }


def _feed(reply: str, json_reply: bool, step: int = 4) -> str:
    deltas: list[str] = []
    stream = ProseStream(deltas.append)
    stream.start(json_reply=json_reply)
    for at in range(0, len(reply), step):
        stream.feed(reply[at : at + step])
    return "".join(deltas)


@pytest.mark.parametrize("kind", ["json", "json, raw UTF-8", "plain"])
def test_a_20kb_answer_in_4_character_pieces_streams_whole(kind: str) -> None:
    reply, json_reply = _replies(20_000)[kind]
    sent = _feed(reply, json_reply)  # ~0.02 s CPU now, 7-8 s before: bench pathological --hot
    expected = json.loads(reply)["answer"] if json_reply else reply.split("\n\nQuotes:")[0]
    assert sent == expected.strip()


def _calls(reply: str, json_reply: bool) -> int:
    """Python and C function calls made while streaming `reply` (deterministic work)."""
    count = 0

    def profile(_frame: object, event: str, _arg: object) -> None:
        nonlocal count
        count += event in ("call", "c_call")

    sys.setprofile(profile)
    try:
        _feed(reply, json_reply)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("kind", ["json", "plain"])
def test_work_grows_linearly_with_the_answer(kind: str) -> None:
    small, large = (_calls(*_replies(n)[kind]) for n in (5_000, 20_000))
    assert large / small < 4.4  # 4x the text: 4x the calls (16x when re-read per piece)


HOSTILE: dict[str, tuple[str, bool]] = {
    "spaces in the answer": ('{"answer": "a' + " " * 200_000 + 'b"}', True),
    "escaped newlines": ('{"answer": "' + "\\n" * 100_000 + 'b"}', True),
    "surrogate pairs": ('{"answer": "' + "\\ud83d\\ude00" * 16_000 + '"}', True),
    "a huge key": ('{"' + "k" * 200_000 + '": 1, "answer": "x"}', True),
    "a huge number": ('{"n": ' + "1" * 200_000 + ', "answer": "x"}', True),
    "deep nesting": ('{"answer": "x", "q": ' + "[" * 200_000, True),
    "a header and spaces": ("Quotes:" + " " * 200_000 + "x", False),
    "header lines": ("A\nQuotes:\n" * 20_000, False),
    "quote lines": ("> q\n" * 50_000, False),
}


@pytest.mark.parametrize("shape", HOSTILE)
def test_hostile_replies_of_200k_characters_stream_as_read_whole(shape: str) -> None:
    # Their CPU time (once quadratic) is measured by `python -m bench pathological --hot`.
    reply, json_reply = HOSTILE[shape]
    assert _feed(reply, json_reply) == _feed(reply, json_reply, step=len(reply))
