"""Reply snippets read from the config directory, their placeholders, and the editor command."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rcinbox.config.snippets import MAX_SNIPPET_BYTES, fill, load_snippets, unfilled
from rcinbox.tui.editor import editor_command


def test_snippets_are_the_txt_files_by_name_without_the_final_line_break(tmp_path: Path) -> None:
    (tmp_path / "b-thanks.txt").write_text("Thanks, {first_name}!\n", encoding="utf-8")
    (tmp_path / "a-hello.txt").write_text("Hello\n\nthere", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a snippet", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("an editor's backup", encoding="utf-8")
    snippets, problems = load_snippets(tmp_path)
    assert [(s.name, s.text) for s in snippets] == [
        ("a-hello", "Hello\n\nthere"),
        ("b-thanks", "Thanks, {first_name}!"),
    ]
    assert problems == []


def test_a_snippet_that_cannot_be_used_is_named_and_the_others_load(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("fine", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "huge.txt").write_text("x" * (MAX_SNIPPET_BYTES + 1), encoding="utf-8")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.txt")  # would block a careless read forever
    snippets, problems = load_snippets(tmp_path)
    assert [s.name for s in snippets] == ["good"]
    assert any("latin1.txt" in p and "UTF-8" in p for p in problems)
    assert any("huge.txt" in p for p in problems)
    assert all("\n" not in p for p in problems)


def test_no_snippets_directory_is_no_snippets(tmp_path: Path) -> None:
    assert load_snippets(tmp_path / "missing") == ([], [])


def test_control_characters_in_a_snippet_become_visible(tmp_path: Path) -> None:
    (tmp_path / "odd.txt").write_text("bell\x07 and \x1b[2J", encoding="utf-8")
    (snippet,), _ = load_snippets(tmp_path)
    assert "\x1b" not in snippet.text and "\x07" not in snippet.text


def test_fill_replaces_what_it_knows_and_leaves_the_rest_visible() -> None:
    values = {"first_name": "Zoé", "name": None, "channel": "WhatsApp"}
    text = fill("Hi {first_name} ({name}) on {channel}, order {order_number}. {Not} {}", values)
    assert text == "Hi Zoé ({name}) on WhatsApp, order {order_number}. {Not} {}"
    assert unfilled(text) == ["{name}", "{order_number}"]


def test_a_value_from_a_stranger_is_put_in_as_one_inert_line() -> None:
    text = fill("Hi {first_name}", {"first_name": "Eve\x1b]0;pwned\x07\nSecond line \u202e"})
    assert text.startswith("Hi Eve␛]0;pwned␇ ↵ Second line ⟨RLO⟩")
    assert "\n" not in text and "\x1b" not in text


@pytest.mark.parametrize(
    "environ, command",
    [
        ({}, ["vi"]),
        ({"EDITOR": "nano"}, ["nano"]),
        ({"EDITOR": "nano", "VISUAL": "code --wait"}, ["code", "--wait"]),
        ({"VISUAL": "  ", "EDITOR": "'/opt/my editor/bin/ed' -n"}, ["/opt/my editor/bin/ed", "-n"]),
    ],
)
def test_the_editor_command_is_visual_then_editor_then_vi_split_like_a_shell(
    environ: dict[str, str], command: list[str]
) -> None:
    assert editor_command(environ) == command


def test_an_editor_variable_that_cannot_be_split_says_which() -> None:
    with pytest.raises(ValueError, match=r"\$VISUAL"):
        editor_command({"VISUAL": "emacs 'unbalanced"})
