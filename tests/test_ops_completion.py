"""`rcinbox completion bash|zsh|fish`: scripts generated from the parser, and they complete."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from rcinbox.cli.completion import describe, script
from rcinbox.cli.main import COMMANDS, main
from rcinbox.cli.parser import build_parser


def complete_bash(tmp_path, *words: str) -> list[str]:
    """What bash offers for the last of ``words`` (after ``rcinbox``)."""
    path = tmp_path / "rcinbox.bash"
    path.write_text(script("bash"))
    array = " ".join(f"'{w}'" for w in ("rcinbox", *words))
    program = (
        f"source {path}; COMP_WORDS=({array}); COMP_CWORD={len(words)}; _rcinbox;"
        ' printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_every_command_and_its_options_are_described() -> None:
    commands = {c.name: c for c in describe(build_parser())}
    assert set(commands) - {""} == {name for name in COMMANDS if name}
    assert {"--channel", "--direction", "--json", "--debug"} <= set(commands["contents"].options)
    assert commands["contents"].option_choices["--direction"] == ["incoming", "outgoing"]
    assert commands["outbox"].positional_choices == ["list", "flush"]
    assert "--exit-with-stdin" not in commands["demo-server"].options  # hidden stays hidden


def test_bash_completes_commands_options_and_choices(tmp_path) -> None:
    assert subprocess.run(["bash", "-n", "-c", script("bash")], check=False).returncode == 0
    assert complete_bash(tmp_path, "con") == ["contents", "config"]
    assert complete_bash(tmp_path, "contents", "--dir") == ["--direction"]
    assert complete_bash(tmp_path, "contents", "--direction", "") == ["incoming", "outgoing"]
    assert complete_bash(tmp_path, "outbox", "fl") == ["flush"]
    assert complete_bash(tmp_path, "--demo", "wa") == ["watch"]
    assert complete_bash(tmp_path, "watch", "--webhook-l") == ["--webhook-listen"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_parse(shell: str) -> None:
    text = script(shell)
    assert "rcinbox" in text and "contents" in text and "webhook-url" in text
    if shell == "zsh":
        assert "bashcompinit" in text
    executable = shutil.which(shell)
    if executable is None:
        pytest.skip(f"{shell} is not installed here to check the syntax")
    check = ["zsh", "-n", "-c", text] if shell == "zsh" else ["fish", "--no-execute", "-c", text]
    assert subprocess.run(check, check=False).returncode == 0


def test_the_command_prints_the_script(capsys) -> None:
    assert main(["completion", "fish"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# fish completion for rcinbox")
    assert "-l webhook-listen -r" in out
