"""Does the offline answer engine know when the article doesn't say? (SQuAD 2.0's idea.)

    python -m bench.unanswerable [--data DIR] [--split dev|held-out|both] [--model-checks 20]

Data: qa/xquad_en_longdocs.jsonl (48 documents, 1,190 questions with answer offsets). The
documents are split in two by title (sorted, alternating: deterministic): thresholds are
tuned on `dev` only, `held-out` is reported beside it. Within each half:

- answerable: every question against its own document. R@1: the answer span lies inside
  the quoted sentence(s); answered: the engine quoted anything at all; answered with two
  quotes: the share quoting a second sentence (R@1 counts either one, so more second quotes
  raise it without a better best sentence).
- unanswerable, hard negative: the question against the other document of the same half
  that BM25 ranks highest for it, skipping any that contain the answer string (SQuAD 2.0's
  "plausible" distractors: same words, no answer).
- unanswerable, entity swap: one name, year or number of the question that its document
  contains is replaced by another of the same kind (from the half's other questions, or a
  shifted year/number) that the document contains nowhere ("How many points did the
  Raiders surrender?").
- unanswerable, answer removed (reported on its own, not in the totals): the question against
  its own document with the paragraph holding its answer taken out, skipping questions whose
  answer string occurs elsewhere. The question stays on the document's topic, as SQuAD 2.0's
  hand-written unanswerable ones do, which is the hardest kind for a lexical engine; nothing
  was tuned on it.

"not found" precision and recall count the engine's `found=False` replies.

The model path is checked too: a local fake OpenAI-compatible server answers a few
questions with quotes that are invented, or real sentences that don't back the answer; the
share of replies that say so is reported.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.article import Article
from bot.offline import answer
from bot.text.retrieval import BM25, analyzer_for

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval-data"
SPLITS = ("dev", "held-out")

_WORDS = re.compile(r"\w+")
_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})\b")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
# Capitalised words in a row, not the question's first word ("When did Nikola Tesla ...").
_NAME = re.compile(r"(?<!^)(?<![\w'’])[A-Z][\w'’.-]*[\w](?:\s+[A-Z][\w'’.-]*[\w])*")


@dataclass(frozen=True, slots=True)
class Case:
    """One question put to one document; `span` is None when the document can't answer it."""

    kind: str  # "answerable", "hard negative", "entity swap" or "answer removed"
    doc: int
    question: str
    span: tuple[int, int] | None
    answer_text: str
    text: str | None = None  # the document as asked, when not the whole of it


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def split_of(docs: list[dict]) -> dict[int, str]:
    """Document index -> "dev" or "held-out": titles sorted, alternating."""
    order = sorted(range(len(docs)), key=lambda i: docs[i]["title"])
    return {i: SPLITS[rank % 2] for rank, i in enumerate(order)}


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def entities(question: str) -> list[tuple[str, str]]:
    """(kind, surface) of the names, years and numbers in an English question."""
    found = [("year", m.group()) for m in _YEAR.finditer(question)]
    years = {s for _, s in found}
    found += [("number", m.group()) for m in _NUMBER.finditer(question) if m.group() not in years]
    found += [("name", m.group()) for m in _NAME.finditer(question)]
    return found


def _replacement(
    kind: str, surface: str, text: str, names: list[str], rng: random.Random
) -> str | None:
    """Another `kind` the document `text` never mentions (`names`: those it has no word of)."""
    if kind == "name":
        return rng.choice(names) if names else None
    value = int(surface.replace(",", "").split(".")[0])
    for _ in range(50):
        shift = rng.randint(1, 40) * rng.choice((-1, 1))
        candidate = str(value + shift if kind == "year" else max(value * 2 + shift, 1))
        if candidate != surface and not _mentions(text, candidate):
            return candidate
    return None


def _hard_negative(
    question: str, own: int, answer_text: str, pool: list[int], docs: list[dict], index: BM25
) -> int | None:
    """The document of `pool` (not `own`) BM25 ranks best for `question` that lacks the answer."""
    scores = index.get_scores(analyzer_for("en").terms(question))
    for _, i in sorted(zip(scores, pool, strict=True), key=lambda p: -p[0]):
        if i != own and answer_text.casefold() not in docs[i]["text"].casefold():
            return i
    return None


def cases(docs: list[dict], split: str) -> Iterator[Case]:
    """The answerable, hard-negative and entity-swap cases of one half, in a fixed order."""
    halves = split_of(docs)
    pool = [i for i in range(len(docs)) if halves[i] == split]
    analyzer = analyzer_for("en")
    index = BM25([analyzer.terms(docs[i]["text"]) for i in pool])
    all_names = {
        j: {s for qa in docs[j]["questions"] for k, s in entities(qa["question"]) if k == "name"}
        for j in pool
    }
    for i in pool:
        doc = docs[i]
        words = {w.casefold() for w in _WORDS.findall(doc["text"])}
        names = sorted(
            n
            for j in pool
            if j != i
            for n in all_names[j]
            if not any(w.casefold() in words for w in _WORDS.findall(n))
        )
        for qa in doc["questions"]:
            gold = qa["answers"][0]
            question = qa["question"]
            yield Case("answerable", i, question, (gold["start"], gold["end"]), gold["text"])
            other = _hard_negative(question, i, gold["text"], pool, docs, index)
            if other is not None:
                yield Case("hard negative", other, question, None, gold["text"])
            rng = random.Random(zlib.crc32(qa["id"].encode()))
            present = [(k, s) for k, s in entities(question) if _mentions(doc["text"], s)]
            if not present:
                continue
            kind, surface = rng.choice(present)
            new = _replacement(kind, surface, doc["text"], names, rng)
            if new is not None:
                swapped = re.sub(rf"(?<!\w){re.escape(surface)}(?!\w)", new, question, count=1)
                yield Case("entity swap", i, swapped, None, gold["text"])
        yield from _answer_removed(doc, i)


def _answer_removed(doc: dict, i: int) -> Iterator[Case]:
    """Each question of `doc` against `doc` without the paragraph that holds its answer."""
    starts = [*doc["paragraph_starts"], len(doc["text"])]
    for qa in doc["questions"]:
        gold = qa["answers"][0]
        k = max(j for j in range(len(starts) - 1) if starts[j] <= gold["start"])
        rest = (doc["text"][: starts[k]] + doc["text"][starts[k + 1] :]).strip()
        if rest and not _mentions(rest, gold["text"]):
            yield Case("answer removed", i, qa["question"], None, gold["text"], rest)


def span_quoted(text: str, quotes: tuple[str, ...], span: tuple[int, int]) -> bool:
    """Whether one quote, at some place it occurs in `text`, covers the answer span."""
    for quote in quotes:
        at = text.find(quote)
        while at >= 0:
            if at <= span[0] and span[1] <= at + len(quote):
                return True
            at = text.find(quote, at + 1)
    return False


@dataclass
class Tally:
    answerable: int = 0
    hit: int = 0
    answered: int = 0
    two_quotes: int = 0  # answers quoting two sentences: R@1 counts either, so watch it
    negatives: dict[str, list[int]] | None = None  # kind -> [cases, said not found]
    wrong_not_found: int = 0  # answerable questions answered "not found"
    removed: tuple[int, int] = (0, 0)  # answer-removed cases, said not found: not in totals

    def rows(self) -> dict[str, float]:
        negatives = self.negatives or {}
        unanswerable = sum(n for n, _ in negatives.values())
        refused = sum(r for _, r in negatives.values())
        said_not_found = refused + self.wrong_not_found
        out = {
            "answerable": self.answerable,
            "R@1": self.hit / max(self.answerable, 1),
            "answered": self.answered / max(self.answerable, 1),
            "answered with two quotes": self.two_quotes / max(self.answerable, 1),
            "unanswerable": unanswerable,
            "not-found precision": refused / max(said_not_found, 1),
            "not-found recall": refused / max(unanswerable, 1),
        }
        for kind, (n, r) in negatives.items():
            out[f"recall, {kind}"] = r / max(n, 1)
        out["answer removed (not in totals)"] = self.removed[0]
        out["recall, answer removed"] = self.removed[1] / max(self.removed[0], 1)
        return out


def evaluate(docs: list[dict], split: str) -> Tally:
    tally = Tally(negatives={"hard negative": [0, 0], "entity swap": [0, 0]})
    articles = {i: Article(text=d["text"], source_kind="text") for i, d in enumerate(docs)}
    assert tally.negatives is not None
    for case in cases(docs, split):
        if case.text is not None:
            result = answer(Article(text=case.text, source_kind="text"), case.question)
            tally.removed = (tally.removed[0] + 1, tally.removed[1] + (not result.found))
            continue
        result = answer(articles[case.doc], case.question)
        if case.span is None:
            tally.negatives[case.kind][0] += 1
            tally.negatives[case.kind][1] += not result.found
            continue
        tally.answerable += 1
        tally.answered += result.found
        tally.two_quotes += len(result.quotes) > 1
        tally.wrong_not_found += not result.found
        tally.hit += span_quoted(docs[case.doc]["text"], result.quotes, case.span)
    return tally


def model_checks(docs: list[dict], n: int) -> dict[str, float]:
    """Share of model answers flagged when their quotes don't back them, per kind of quote:
    a sentence from another document (invented), or a real sentence of the article that
    lacks the answer (another question's answer stated over an unrelated quote)."""
    from bot.pipeline import Pipeline
    from bot.text.sentences import split_sentences
    from tests.servers.fake_openai import FakeOpenAI, Reply

    held = [i for i, half in split_of(docs).items() if half == "held-out"]
    flagged = {"invented quote": 0, "real quote, unrelated": 0}
    with FakeOpenAI() as server:
        pipeline = Pipeline(server.settings())
        for k in range(n):
            doc = docs[held[k % len(held)]]
            qa = doc["questions"][k // len(held)]
            claim = doc["questions"][-1 - k // len(held)]["answers"][0]["text"]
            sentences = [s.text for s in split_sentences(doc["text"])]
            unrelated = next(s for s in sentences if claim not in s and len(s.split()) > 6)
            invented = split_sentences(docs[held[(k + 1) % len(held)]]["text"])[0].text
            article = Article(text=doc["text"], source_kind="text")
            for kind, quote in (("invented quote", invented), ("real quote, unrelated", unrelated)):
                reply = {"answer": f"It was {claim}.", "quotes": [quote], "found": True}
                server.script(Reply(structured=reply))
                text = pipeline.ask([article], qa["question"]).text
                flagged[kind] += "couldn't verify" in text or "couldn't check" in text
    return {kind: hits / max(n, 1) for kind, hits in flagged.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=[*SPLITS, "both"], default="both")
    parser.add_argument(
        "--model-checks", type=int, default=20, help="questions put to a fake model (0: none)"
    )
    args = parser.parse_args(argv)
    docs = load(args.data / "qa" / "xquad_en_longdocs.jsonl")
    splits = SPLITS if args.split == "both" else (args.split,)
    results = {split: evaluate(docs, split).rows() for split in splits}
    print(f"Offline answers on XQuAD long documents, answerable and not ({len(docs)} documents)\n")
    print(f"| metric | {' | '.join(splits)} |")
    print(f"|---|{'---|' * len(splits)}")
    for metric in results[splits[0]]:
        cells = [results[s][metric] for s in splits]
        shown = [f"{c:.3f}" if isinstance(c, float) else str(c) for c in cells]
        print(f"| {metric} | {' | '.join(shown)} |")
    if args.model_checks:
        print(f"\nModel path: {args.model_checks} held-out questions, a fake model whose quotes")
        print("don't back its answer; share of replies that say the quotes couldn't be checked\n")
        print("| quote the model gave | flagged |")
        print("|---|---|")
        for kind, share in model_checks(docs, args.model_checks).items():
            print(f"| {kind} | {share:.2f} |")


if __name__ == "__main__":
    main()
