"""The trigram index keeps no positions: the search checks its rows for the text itself, in
Python, folded as the index folds. Held to what the phrase query of a positional index found."""

from __future__ import annotations

import random
import sqlite3

import pytest

from rcinbox.emulator.corpus.hostile import (
    ANSI_BODY,
    BIDI_BODY,
    CONTROL_BODY,
    MARKUP_BODY,
)
from rcinbox.emulator.seed import generate
from rcinbox.inbox.store import folding
from rcinbox.inbox.store.folding import FOLDS, indexed
from rcinbox.inbox.store.search import trigram_query

# Text whose folding Python and FTS5 disagree on, or that the tokenizer treats apart.
AWKWARD = [
    "Straße STRASSE straße",
    "ſtop ſhip",
    "ΟΔΥΣΣΕΥΣ Οδυσσευς ὈΔΥΣΣΕΎΣ",
    "İstanbul ISTANBUL istanbul ıstanbul",
    "µm μm ΜM",
    "ᏣᎳᎩ ꮳꮃꭹ",
    "Ǆemal ǅemal ǆemal",
    "𐐀𐐁𐐂 𐐨𐐩𐐪",
    "ⰀⰁⰂ ⰰⰱⰲ",
    "ＡＢＣ ａｂｃ",
    'he said "order" and left',
    "nul\x00hidden after the nul",
    "emoji 🙂🙂🙂 and 👍🏽",
    "tab\tand\nnewline",
]


def positional(rows: list[tuple[int, str | None, str | None]]) -> sqlite3.Connection:
    """The index as it was: positions kept, so a quoted string is a phrase query."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE old USING fts5(body, title, tokenize = 'trigram')")
    db.executemany("INSERT INTO old (rowid, body, title) VALUES (?, ?, ?)", rows)
    return db


def trigrams_only(rows: list[tuple[int, str | None, str | None]]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE new USING fts5(body, title, tokenize = 'trigram',"
        " detail = none, columnsize = 0)"
    )
    db.executemany("INSERT INTO new (rowid, body, title) VALUES (?, ?, ?)", rows)
    folding.register(db)
    return db


def found_before(db: sqlite3.Connection, text: str) -> set[int]:
    phrase = '"' + text.replace('"', '""') + '"'
    return {row[0] for row in db.execute("SELECT rowid FROM old WHERE old MATCH ?", (phrase,))}


def found_now(db: sqlite3.Connection, text: str) -> set[int]:
    needle = indexed(text)
    if len(needle) < 3:
        return set()
    return {
        row[0]
        for row in db.execute(
            "SELECT rowid FROM new WHERE new MATCH ? AND indexed_contains(body, title, ?)",
            (trigram_query(needle), needle),
        )
    }


@pytest.fixture(scope="module")
def rows() -> list[tuple[int, str | None, str | None]]:
    records = generate(seed=4, contents=3000).contents
    texts = [(r["body"], r["title"]) for r in records]
    texts += [(body, None) for body in (ANSI_BODY, BIDI_BODY, CONTROL_BODY, MARKUP_BODY)]
    texts += [(text, text.upper()) for text in AWKWARD]
    return [(n, body, title) for n, (body, title) in enumerate(texts, start=1)]


def test_the_fold_table_is_the_tokenizers(rows) -> None:
    """Every character FTS5's trigram tokenizer folds, and to what, read out of SQLite: the
    table folding.py holds is exactly that (a newer SQLite with other Unicode data fails here)."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(x, tokenize = 'trigram')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
    # The first two planes: no character above them has a case.
    characters = [*range(1, 0xD800), *range(0xE000, 0x20000)]
    db.execute("INSERT INTO f (rowid, x) VALUES (1, ?)", ("".join(chr(c) * 3 for c in characters),))
    folds = {}
    for term, offset in db.execute("SELECT term, offset FROM v"):
        if offset % 3 == 0 and term[0] != chr(characters[offset // 3]):
            folds[characters[offset // 3]] = term[0]
    assert folds == FOLDS


def queries(rows, rng: random.Random) -> list[str]:
    texts = [t for _, body, title in rows for t in (body, title) if t]
    picked = []
    for _ in range(400):
        text = rng.choice(texts)
        start = rng.randrange(max(len(text) - 3, 1))
        piece = text[start : start + rng.choice([3, 4, 5, 8, 13, 40])]
        picked.append(rng.choice([piece, piece.upper(), piece.swapcase(), piece.lower()]))
    return (
        picked
        + AWKWARD
        + [w for text in AWKWARD for w in text.split()]
        + [
            "order",
            "ORDER",
            "'s o",
            "zzzqqq",
            '"""',
            "σσε",
            "ΣΣΕ",
            "ss",
            "SSS",
            "🙂🙂🙂",
        ]
    )


def test_the_trigram_rows_checked_for_the_text_are_what_the_phrase_query_found(rows) -> None:
    before, now = positional(rows), trigrams_only(rows)
    checked = 0
    for text in queries(rows, random.Random(12)):
        if len(text.strip()) < 3 or "\x00" in text:
            continue  # a NUL: see the next test
        assert found_now(now, text) == found_before(before, text), repr(text)
        checked += 1
    assert checked > 400


def test_text_cut_short_by_a_nul_is_looked_for_up_to_it() -> None:
    """The phrase query failed on a NUL (FTS5 read its string only up to it: "unterminated
    string"); now the text is read up to the NUL, as the tokenizer reads what it indexes."""
    db = trigrams_only([(1, "where is my parcel", None), (2, "nul\x00hidden", None)])
    assert found_now(db, "parcel\x00anything") == {1}
    assert found_now(db, "hidden") == set()
    assert found_now(db, "ab\x00cdef") == set()
