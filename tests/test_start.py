"""``rcinbox start`` (new conversations through the outbox) and ``reply`` outside WhatsApp's
24-hour window, headless against the emulator.

The emulator's data is anchored at the real time here, so the engine's clock (the wall clock)
and the server's agree on which WhatsApp windows are open.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from rcinbox.api.channels import WHATSAPP_WINDOW
from rcinbox.cli.errors import ExitCode
from rcinbox.config import config_path
from rcinbox.emulator import Emulator, Faults
from rcinbox.emulator.clock import epoch
from tests.cli_helpers import run, use

PHONE = "+15551234567"


@pytest.fixture
def server(make_emulator: Callable[..., Emulator], monkeypatch) -> Emulator:
    emulator = make_emulator(rate_limit=100_000, sync_delay=0.05, now=datetime.now(UTC))
    use(monkeypatch, emulator.url)
    return emulator


def channel(emulator: Emulator, channel_type: str) -> str:
    return emulator.contents_where(channelType=channel_type)[0]["channelId"]


def posts(emulator: Emulator) -> int:
    return emulator.stats.requests.get("POST /contents", 0)


def whatsapp_customer(emulator: Emulator, *, window_open: bool) -> dict:
    """The newest customer message of a WhatsApp thread whose window is open (or closed)."""
    newest: dict[str, dict] = {}
    for content in emulator.contents_where(channelType="WhatsApp", contentDirection="Incoming"):
        newest[content["threadId"]] = content
    now = emulator.now().timestamp()
    return next(
        c
        for c in newest.values()
        if (now - epoch(c["creationTime"]) < WHATSAPP_WINDOW - 3600) == window_open
        and (window_open or now - epoch(c["creationTime"]) > WHATSAPP_WINDOW + 3600)
    )


def one_line(err: str) -> str:
    assert err.count("\n") == 1, err
    return err


def test_a_whatsapp_template_starts_a_conversation_that_appears_in_its_thread(
    server: Emulator, capsys
) -> None:
    code, out, err = run(
        capsys,
        "start",
        channel(server, "WhatsApp"),
        "--to",
        PHONE,
        "--template",
        "order_update",
        "--template-language",
        "en",
        "--param",
        "Ann",
        "--param",
        "#1234",
    )
    assert code == ExitCode.OK, err
    created = server.content(out.strip())
    assert created is not None
    assert created["inReplyToContentId"] is None
    assert created["status"] == "UserInitiated"
    assert created["type"] == "OutboundMessage"
    assert created["structuredContent"]["templateName"] == "order_update"
    assert created["structuredContent"]["templateLanguage"] == "en"
    assert "Ann" in created["structuredContent"]["subtitle"]
    code, out, _ = run(capsys, "thread", created["threadId"], "--json")
    assert [c["id"] for c in json.loads(out)["records"]] == [created["id"]]


def test_config_names_the_template_language_and_its_parameter_count(
    server: Emulator, capsys
) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '[whatsapp]\ntemplates = [{ name = "order_update", language = "fr", params = 1,'
        ' preview = "Bonjour {{1}}" }]\n'
    )
    whatsapp = channel(server, "WhatsApp")
    code, _, err = run(capsys, "start", whatsapp, "--to", PHONE, "--template", "order_update")
    assert code == ExitCode.USAGE
    assert "takes 1 --param" in one_line(err)
    code, out, err = run(
        capsys, "start", whatsapp, "--to", PHONE, "--template", "order_update", "--param", "Ann"
    )
    assert code == ExitCode.OK, err
    assert server.content(out.strip())["structuredContent"]["templateLanguage"] == "fr"


def test_an_email_starts_with_an_address_and_a_subject(server: Emulator, capsys) -> None:
    code, out, err = run(
        capsys,
        "start",
        channel(server, "Email"),
        "Your parcel left today.",
        "--to",
        "ann@example.com",
        "--title",
        "Your order",
        "--json",
    )
    assert code == ExitCode.OK, err
    record = json.loads(out)
    assert record["title"] == "Your order"
    assert record["type"] == "Email"
    assert record["body"] == "Your parcel left today."
    assert server.content(record["id"])["threadId"] == record["threadId"]


def test_a_phone_channel_starts_with_a_number_and_text_from_stdin(
    server: Emulator, capsys, monkeypatch
) -> None:
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("Hello from Acme"))
    code, out, err = run(capsys, "start", channel(server, "Viber"), "-", "--to", PHONE)
    assert code == ExitCode.OK, err
    assert server.content(out.strip())["body"] == "Hello from Acme"


def test_a_template_anywhere_but_whatsapp_is_refused_before_it_is_queued(
    server: Emulator, capsys
) -> None:
    before = posts(server)
    code, _, err = run(
        capsys,
        "start",
        channel(server, "Email"),
        "--to",
        "ann@example.com",
        "--title",
        "Hi",
        "--template",
        "order_update",
        "--template-language",
        "en",
    )
    assert code == ExitCode.DATAERR
    assert "no message templates" in one_line(err)
    assert posts(server) == before
    code, out, _ = run(capsys, "outbox", "--json")
    assert json.loads(out)["entries"] == []


def test_free_text_cannot_start_a_whatsapp_conversation(server: Emulator, capsys) -> None:
    code, _, err = run(capsys, "start", channel(server, "WhatsApp"), "Hi!", "--to", PHONE)
    assert code == ExitCode.DATAERR
    assert "approved template" in one_line(err)


def test_a_missing_recipient_is_the_servers_refusal_in_one_line(server: Emulator, capsys) -> None:
    code, _, err = run(capsys, "start", channel(server, "Email"), "Hello", "--title", "Hi")
    assert code == ExitCode.DATAERR
    assert "EDI-025" in one_line(err)
    assert "[to]" in err


def test_a_new_conversation_the_server_does_not_answer_stays_queued_then_goes_once(
    make_emulator: Callable[..., Emulator], capsys, monkeypatch
) -> None:
    emulator = make_emulator(faults=Faults(latency_ms=1500), now=datetime.now(UTC))
    use(monkeypatch, emulator.url)
    email = channel(emulator, "Email")
    run(capsys, "contents", "--limit", "1")  # logged in before the slow part
    code, _, err = run(
        capsys,
        "start",
        email,
        "Queued first",
        "--to",
        "ann@example.com",
        "--title",
        "Later",
        "--timeout",
        "0.5",
    )
    assert code == ExitCode.TEMPFAIL
    assert "the new conversation" in one_line(err) and "stays queued" in err
    code, out, _ = run(capsys, "outbox", "--json")
    [entry] = json.loads(out)["entries"]
    assert (entry["channelId"], entry["to"], entry["title"]) == (
        email,
        ["ann@example.com"],
        "Later",
    )
    assert entry["inReplyToContentId"] is None
    emulator.config.faults.latency_ms = 0
    code, _, err = run(capsys, "outbox", "flush")
    assert code == ExitCode.OK, err
    assert emulator.count_contents(body="Queued first") == 1


def test_reply_outside_the_window_exits_65_naming_a_template_start(
    server: Emulator, capsys
) -> None:
    customer = whatsapp_customer(server, window_open=False)
    before = posts(server)
    code, _, err = run(capsys, "reply", customer["id"], "Are you still there?")
    assert code == ExitCode.DATAERR
    line = one_line(err)
    assert "24 hours" in line
    assert f"rcinbox start {customer['channelId']} --to " in line and "--template" in line
    assert posts(server) == before
    code, out, _ = run(capsys, "outbox", "--json")
    assert json.loads(out)["entries"] == []


def test_reply_inside_the_window_is_sent_as_before(server: Emulator, capsys) -> None:
    customer = whatsapp_customer(server, window_open=True)
    code, out, err = run(capsys, "reply", customer["id"], "Yes, here!")
    assert code == ExitCode.OK, err
    assert server.content(out.strip())["threadId"] == customer["threadId"]


def test_an_email_reply_keeps_the_subject(server: Emulator, capsys) -> None:
    customer = server.contents_where(channelType="Email", contentDirection="Incoming")[-1]
    code, out, err = run(capsys, "reply", customer["id"], "Thanks for writing.", "--json")
    assert code == ExitCode.OK, err
    subject = customer["title"]
    expected = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    assert json.loads(out)["title"] == expected


def test_a_channel_the_server_does_not_know_is_not_found(server: Emulator, capsys) -> None:
    code, _, err = run(capsys, "start", "0123456789abcdef01234567", "Hello", "--to", PHONE)
    assert code == ExitCode.NOT_FOUND
    assert one_line(err).count("EDI-029") == 1
