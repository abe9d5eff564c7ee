"""``rcinbox attachment``: an attachment's bytes over real HTTP, whole, checked and contained."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from rcinbox.cli.errors import ExitCode
from rcinbox.emulator import Emulator
from rcinbox.emulator.files import file_bytes
from tests.cli_helpers import run, use


def specimen(emulator: Emulator) -> dict:
    """The seeded message with the specimen files (hostile names, a large video)."""
    found = [
        c
        for c in emulator.contents_where(channelType="WhatsApp")
        if any(a["filename"] == "../../etc/passwd" for a in c["attachments"])
    ]
    assert len(found) == 1
    return found[0]


def expected_bytes(attachment: dict) -> bytes:
    kind, size = attachment["contentType"], attachment["size"]
    return b"".join(file_bytes(1, attachment["id"], kind, size))


def everything_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*"))


def test_download_saves_the_declared_bytes_in_the_downloads_folder(
    emulator: Emulator, capsys, monkeypatch, isolated_dirs: Path
) -> None:
    use(monkeypatch, emulator.url)
    message = specimen(emulator)
    code, out, err = run(capsys, "attachment", message["id"], "--index", "4", "--json")
    assert code == 0, err
    saved = json.loads(out)
    downloads = isolated_dirs / "downloads"
    assert saved == {
        "path": str(downloads / "_CON.txt"),
        "size": 1200,
        "contentType": "text/plain",
    }
    assert Path(saved["path"]).read_bytes() == expected_bytes(message["attachments"][3])
    # Not a terminal: no progress line, nothing else on stderr. (The file host refuses a
    # request carrying a bearer token, so a success also says the token stayed home.)
    assert err == ""
    assert emulator.stats.requests["GET /files/attachments/{id}"] == 1


def test_hostile_names_stay_inside_the_target_directory(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path
) -> None:
    use(monkeypatch, emulator.url)
    message = specimen(emulator)
    target = tmp_path / "deep" / "target"
    target.mkdir(parents=True)
    names = []
    for index in (1, 2, 3, 1):
        code, out, err = run(
            capsys, "attachment", message["id"], "--index", str(index), "-o", str(target)
        )
        assert code == 0, err
        names.append(Path(out.strip()).name)
    assert names == ["passwd", "x.txt", "statementfdp.exe[31m.pdf", "passwd (1)"]
    assert everything_under(tmp_path) == [
        tmp_path / "deep",
        target,
        *sorted(target / name for name in names),
    ]
    assert (target / "passwd (1)").read_bytes() == (target / "passwd").read_bytes()


def test_an_explicit_file_name_is_written_as_given(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path
) -> None:
    use(monkeypatch, emulator.url)
    message = specimen(emulator)
    target = tmp_path / "mine.txt"
    target.write_text("old")
    code, out, err = run(capsys, "attachment", message["id"], "-o", str(target))
    assert code == 0, err
    assert out.strip() == str(target)
    assert target.read_bytes() == expected_bytes(message["attachments"][0])
    assert everything_under(tmp_path) == [target]


def test_a_file_larger_than_declared_is_refused_and_nothing_is_left(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path
) -> None:
    use(monkeypatch, emulator.url)
    message = specimen(emulator)
    attachment = message["attachments"][2]
    emulator.serve_attachment_as(attachment["id"], attachment["size"] * 3)
    code, out, err = run(capsys, "attachment", message["id"], "--index", "3", "-o", str(tmp_path))
    assert code == ExitCode.PROTOCOL
    assert out == ""
    assert err.startswith("rcinbox: The server sent") and err.count("\n") == 1
    assert "nothing was saved" in err
    assert everything_under(tmp_path) == []


def test_a_file_shorter_than_declared_is_refused_and_nothing_is_left(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path
) -> None:
    use(monkeypatch, emulator.url)
    message = specimen(emulator)
    emulator.serve_attachment_as(message["attachments"][0]["id"], 10)
    code, _, err = run(capsys, "attachment", message["id"], "-o", str(tmp_path))
    assert code == ExitCode.PROTOCOL, err
    assert everything_under(tmp_path) == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_asked_for(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path, isolated_dirs: Path
) -> None:
    use(monkeypatch, emulator.url)
    (isolated_dirs / "config").mkdir(exist_ok=True)
    (isolated_dirs / "config" / "config.toml").write_text("[limits]\nattachment_mib = 16\n")
    message = specimen(emulator)
    code, _, err = run(capsys, "attachment", message["id"], "--index", "5", "-o", str(tmp_path))
    assert code == ExitCode.PROTOCOL
    assert "larger than 16 MiB" in err and "attachment_mib" in err
    assert everything_under(tmp_path) == []
    assert emulator.stats.requests["GET /files/attachments/{id}"] == 0


def test_a_large_file_streams_whole(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path
) -> None:
    use(monkeypatch, emulator.url)
    message = specimen(emulator)
    code, out, err = run(capsys, "attachment", message["id"], "--index", "5", "-o", str(tmp_path))
    assert code == 0, err
    saved = Path(out.strip())
    assert saved == tmp_path / "site_visit.mp4"
    assert saved.stat().st_size == 24_117_248
    head = next(file_bytes(1, message["attachments"][4]["id"], "video/mp4", 24_117_248))
    with saved.open("rb") as file:
        assert file.read(len(head)) == head


def test_an_expired_link_is_fetched_again_once(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path
) -> None:
    use(monkeypatch, emulator.url)
    message = specimen(emulator)
    # The store holds the message with the link it had then; the link then expires.
    code, _, err = run(capsys, "attachment", message["id"], "-o", str(tmp_path / "first"))
    assert code == 0, err
    reads = emulator.stats.requests["GET /contents/{id}"]
    emulator.expire_attachment_links()
    code, out, err = run(capsys, "attachment", message["id"], "-o", str(tmp_path / "second"))
    assert code == 0, err
    assert Path(out.strip()).read_bytes() == expected_bytes(message["attachments"][0])
    assert emulator.stats.requests["GET /contents/{id}"] == reads + 1
    assert emulator.stats.requests["GET /files/attachments/{id}"] == 3


def test_a_link_refused_twice_is_a_one_line_403(
    make_emulator: Callable[..., Emulator], capsys, monkeypatch, tmp_path: Path
) -> None:
    # Links that expire the moment they are made: the fresh one fails too.
    emulator = make_emulator(attachment_link_ttl=1e-9)
    use(monkeypatch, emulator.url)
    message = specimen(emulator)
    emulator.expire_attachment_links()
    code, out, err = run(capsys, "attachment", message["id"], "-o", str(tmp_path))
    assert code == ExitCode.NOPERM
    assert out == "" and err.count("\n") == 1 and "403" in err
    assert "signature=" not in err
    assert everything_under(tmp_path) == []


def test_no_such_attachment_is_66(emulator: Emulator, capsys, monkeypatch) -> None:
    use(monkeypatch, emulator.url)
    message = specimen(emulator)
    code, _, err = run(capsys, "attachment", message["id"], "--index", "9")
    assert code == ExitCode.NOT_FOUND
    assert err == "rcinbox: The message has no attachment number 9 (it has 5).\n"
    code, _, err = run(capsys, "attachment", message["id"], "--index", "0")
    assert code == ExitCode.USAGE and err.count("\n") == 1


def test_progress_goes_to_stderr_only_on_a_terminal(
    emulator: Emulator, capsys, monkeypatch, tmp_path: Path
) -> None:
    use(monkeypatch, emulator.url)
    message = specimen(emulator)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    code, out, err = run(capsys, "attachment", message["id"], "--index", "5", "-o", str(tmp_path))
    assert code == 0, err
    assert out == f"{tmp_path / 'site_visit.mp4'}\n"
    assert err.startswith("\rrcinbox: downloading 0.0 of 23.0 MiB (0%)")
    assert err.endswith("\rrcinbox: downloading 23.0 of 23.0 MiB (100%)\x1b[K\n")
