"""The answer-removed cases of bench.unanswerable: the paragraph holding the answer goes, and a
question whose answer is also stated elsewhere is not made into an unanswerable one."""

from __future__ import annotations

from bench.unanswerable import _answer_removed


def _doc() -> dict:
    paragraphs = [
        "The bridge opened in 1932 after six years of work.",
        "Its chief engineer was Ada Brunel, who also drew the towers.",
        "Tolls were dropped in 1980, and the engineer's towers were painted red.",
    ]
    text = "\n\n".join(paragraphs)
    starts = [text.index(p) for p in paragraphs]
    engineer = text.index("Ada Brunel")
    opened = text.index("1932")
    painted = text.index("red")
    return {
        "text": text,
        "paragraph_starts": starts,
        "questions": [
            {
                "question": "Who was the chief engineer?",
                "answers": [{"text": "Ada Brunel", "start": engineer}],
            },
            {
                "question": "When did the bridge open?",
                "answers": [{"text": "1932", "start": opened}],
            },
            {
                "question": "What colour are the towers?",
                "answers": [{"text": "towers", "start": painted}],
            },
        ],
    }


def test_the_answer_paragraph_is_removed_and_the_rest_kept() -> None:
    cases = list(_answer_removed(_doc(), 0))
    by_question = {c.question: c for c in cases}
    engineer = by_question["Who was the chief engineer?"]
    assert engineer.kind == "answer removed" and engineer.span is None
    assert engineer.text is not None
    assert "Ada Brunel" not in engineer.text
    assert "opened in 1932" in engineer.text and "Tolls were dropped" in engineer.text
    opened = by_question["When did the bridge open?"].text
    assert opened is not None and "1932" not in opened and "Ada Brunel" in opened


def test_an_answer_stated_in_another_paragraph_makes_no_case() -> None:
    # "towers" is in the second paragraph too: removing the third still leaves an answer.
    questions = [c.question for c in _answer_removed(_doc(), 0)]
    assert "What colour are the towers?" not in questions
    assert len(questions) == 2
