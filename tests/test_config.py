"""config.toml: typed reading, one-change writes, line-numbered errors, env overrides, redaction."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest

from rcinbox.cli.errors import ExitCode
from rcinbox.cli.main import main
from rcinbox.config import (
    PRODUCTION_SERVER,
    SANDBOX_SERVER,
    AccountSettings,
    Config,
    ConfigError,
    PollConfig,
    UIConfig,
    config_path,
    log_path,
    selected_profile,
    write_private,
)
from rcinbox.notify import alert_sequence

FULL = """\
# my settings
top_level_extra = "kept"

[profiles.default]
server = "sandbox"
client_id = "app-id-1"
naming = "source"

[profiles.work]
server = "https://platform.example.test/"
client_id = "app-id-2"
redirect_port = 53682
future_option = 3

[channels]
"65d69849a330900007d1c6d7" = "Support WhatsApp"

[ui]
theme = "nord"
mouse = false
notifications = "osc9"

[keymap]
quit = "ctrl+q"
send = "ctrl+s"

[poll]
active = 5
idle = 120.5

[plugins.someday]
enabled = true
"""


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_missing_config_file_means_the_defaults() -> None:
    config = Config.load(environ={})
    assert config.path == config_path()
    assert config.ui == UIConfig(
        theme="textual-dark", mouse=True, notifications="bell", animations=False
    )
    assert config.poll == PollConfig(active=10.0, idle=60.0)
    assert config.profiles == {} and config.channels == {} and config.keymap == {}
    assert not config.path.exists()


def test_every_section_is_read_into_typed_settings() -> None:
    write_config(FULL)
    config = Config.load(environ={})
    assert config.profile("default").server == SANDBOX_SERVER
    assert config.profile("default").naming == "source"
    work = config.profile("work")
    assert work.server == "https://platform.example.test"
    assert (work.client_id, work.redirect_port) == ("app-id-2", 53682)
    assert config.profile("absent").server is None
    assert config.channels == {"65d69849a330900007d1c6d7": "Support WhatsApp"}
    assert config.ui == UIConfig(theme="nord", mouse=False, notifications="osc9")
    assert config.keymap == {"quit": "ctrl+q", "send": "ctrl+s"}
    assert config.poll == PollConfig(active=5.0, idle=120.5)
    assert config.warnings == []


def test_saving_a_ui_change_keeps_every_other_key_and_adds_no_defaults() -> None:
    path = write_config(FULL)
    config = Config.load(environ={})
    config.save_ui_change("theme", "gruvbox")
    assert config.ui.theme == "gruvbox"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    original = tomllib.loads(FULL)
    original["ui"]["theme"] = "gruvbox"
    # Exactly the file's own content with one value changed: unknown keys kept, no defaults.
    assert raw == original
    assert "animations" not in raw["ui"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Config.load(environ={}).ui.theme == "gruvbox"


def test_saving_a_ui_change_without_a_file_writes_only_that_change() -> None:
    config = Config.load(environ={})
    config.save_ui_change("notifications", "off")
    assert tomllib.loads(config.path.read_text(encoding="utf-8")) == {
        "ui": {"notifications": "off"}
    }
    assert Config.load(environ={}).ui.notifications == "off"


def test_saving_a_ui_change_never_overwrites_a_file_it_cannot_read() -> None:
    broken = "[ui]\ntheme = \n"
    path = write_config(broken)
    config = Config(path=path)
    with pytest.raises(ConfigError, match="line 2"):
        config.save_ui_change("theme", "nord")
    assert path.read_text(encoding="utf-8") == broken


@pytest.mark.parametrize(
    ("key", "value"),
    [("colour", "red"), ("mouse", "yes"), ("notifications", "loud"), ("theme", "")],
)
def test_saving_an_unknown_or_wrongly_typed_ui_setting_is_refused(key: str, value: object) -> None:
    config = Config.load(environ={})
    with pytest.raises(ConfigError):
        config.save_ui_change(key, value)
    assert not config.path.exists()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[ui]\ntheme = 'nord'\nmouse = \n", 3, "Invalid value"),
        ("[ui\n", 1, "table declaration"),
        ('[keymap]\nquit = "ctrl+q"\nquit = "q"\n', 3, "overwrite"),
        ("[ui]\ntheme = 'nord'\nmouse = 'yes'\n", 3, "ui.mouse must be true or false"),
        ("[ui]\n\nnotifications = 'loud'\n", 3, "bell, osc9, off"),
        ("[profiles.work]\nclient_id = 'x'\nserver = 'ftp://x'\n", 3, "http(s) URL"),
        ("[profiles.work]\nnaming = 'new'\n", 2, "channel, source"),
        ("[profiles]\nwork = 3\n", 2, "profiles.work must be a table"),
        ("ui = 'dark'\n", 1, "ui must be a table"),
        ("[poll]\nidle = 0\n", 2, "positive number"),
        ("[poll]\nactive = true\n", 2, "positive number"),
        ("[channels]\n'abc' = 42\n", 2, "channels.abc must be a string"),
        ("[keymap]\nquit = ['q']\n", 2, "keymap.quit must be a string"),
        ("\n\nui.mouse = 1\n", 3, "ui.mouse"),
        ("[profiles.'../evil']\nserver = 'production'\n", 1, "profile names"),
    ],
)
def test_a_malformed_config_names_the_line(text: str, line: int, words: str) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as failure:
        Config.load(environ={})
    message = str(failure.value)
    assert message.startswith(f"{path} line {line}")
    assert words in message
    assert "\n" not in message


def test_a_malformed_config_is_one_line_from_the_cli_not_a_traceback(capsys) -> None:
    write_config("[ui]\nmouse = 'sometimes'\n")
    for argv in (["config", "show"], ["contents", "--server", "production"]):
        code, out, err = run(capsys, *argv)
        assert code == ExitCode.CONFIG
        assert out == ""
        assert err.startswith("rcinbox: ") and err.count("\n") == 1
        assert "line 2" in err and "Traceback" not in err


def test_environment_overrides_the_file() -> None:
    write_config(FULL)
    env = {
        "RCINBOX_THEME": "monokai",
        "RCINBOX_NOTIFICATIONS": "off",
        "RCINBOX_SERVER": "production",
        "RCINBOX_NAMING": "channel",
        "RCINBOX_PROFILE": "work",
    }
    config = Config.load(environ=env)
    assert (config.ui.theme, config.ui.notifications) == ("monokai", "off")
    assert config.ui.mouse is False  # from the file: only named settings are overridden
    profile = selected_profile(None, env)
    assert profile == "work" and selected_profile("default", env) == "default"
    settings = AccountSettings.gather(profile=config.profile(profile), environ=env)
    assert settings.server == PRODUCTION_SERVER
    assert settings.client_id == "app-id-2"  # from [profiles.work]
    assert settings.naming == "channel"
    flagged = AccountSettings.gather(server="sandbox", profile=config.profile(profile), environ=env)
    assert flagged.server == SANDBOX_SERVER


def test_a_wrong_environment_value_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="RCINBOX_NOTIFICATIONS"):
        Config.load(environ={"RCINBOX_NOTIFICATIONS": "fireworks"})
    with pytest.raises(ConfigError, match="profile names"):
        selected_profile(None, {"RCINBOX_PROFILE": "../../etc"})


def test_config_path_prints_where_the_file_and_the_log_are(capsys) -> None:
    code, out, _ = run(capsys, "config", "path")
    assert code == 0
    assert out.splitlines() == [str(config_path()), str(log_path())]


def test_config_show_prints_the_effective_settings_with_secrets_redacted(
    capsys, monkeypatch
) -> None:
    team = '\n[profiles.team]\nclient_id = "x"\nclient_secret = "file-s3cret"\n'
    path = write_config(FULL + team)
    path.chmod(0o600)
    monkeypatch.setenv("RCINBOX_CLIENT_SECRET", "env-s3cret")
    monkeypatch.setenv("RCINBOX_JWT", "env-jwt-value")
    monkeypatch.setenv("RCINBOX_THEME", "monokai")
    code, out, err = run(capsys, "config", "show")
    assert code == 0, err
    shown = tomllib.loads(out)
    assert shown["profile"] == "default"
    assert shown["ui"]["theme"] == "monokai"
    assert shown["profiles"]["team"]["client_secret"] == "***"
    assert shown["profiles"]["default"]["client_secret"] == "***"
    assert shown["profiles"]["default"]["jwt"] == "***"
    assert shown["profiles"]["default"]["server"] == SANDBOX_SERVER
    assert shown["poll"] == {"active": 5.0, "idle": 120.5}
    code, out_json, _ = run(capsys, "config", "show", "--json", "--profile", "team")
    assert code == 0
    assert json.loads(out_json)["profiles"]["team"]["client_secret"] == "***"
    for text in (out, out_json, err):
        for secret in ("file-s3cret", "env-s3cret", "env-jwt-value"):
            assert secret not in text
    assert "file-s3cret" not in repr(Config.load())


def test_a_client_secret_in_a_file_others_can_read_is_warned_about(caplog) -> None:
    path = write_config('[profiles.default]\nclient_id = "x"\nclient_secret = "s"\n')
    path.chmod(0o644)
    config = Config.load(environ={})
    assert config.warnings and "chmod 600" in config.warnings[0]
    assert any("chmod 600" in r.getMessage() for r in caplog.records)
    assert "'s'" not in config.warnings[0]
    path.chmod(0o600)
    assert Config.load(environ={}).warnings == []


def test_private_files_are_replaced_atomically(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "secret.json"
    write_private(target, b"first")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600

    def crash(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_private(target, b"second, never complete")
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.json"]


def test_the_bell_is_the_default_new_message_alert() -> None:
    assert alert_sequence(Config.load(environ={}).ui.notifications) == "\a"
    assert alert_sequence("off", "hello") == ""


def test_osc9_alert_keeps_hostile_text_inert_and_passes_through_tmux() -> None:
    hostile = "Eve\x1b]0;pwned\x07\u202e\x9b2J"
    plain = alert_sequence("osc9", f"new message from {hostile}", environ={})
    assert plain == "\x1b]9;rcinbox: new message from Eve]0;pwned2J\x07"
    wrapped = alert_sequence("osc9", "4;1;50", environ={"TMUX": "/tmp/tmux-1/default,1,0"})
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;rcinbox: 4;1;50\x07\x1b\\"


def write_secret_script(tmp_path, name: str, body: str):
    script = tmp_path / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o700)
    return script


def test_secrets_come_from_the_profile_commands_without_a_shell(tmp_path) -> None:
    from rcinbox.config import AccountSettings, ProfileConfig

    secret = write_secret_script(tmp_path, "secret", "printf '  s3cret-from-vault \\n'")
    profile = ProfileConfig(
        server="sandbox",
        client_id="id",
        client_secret_command=f"{secret}",
        # A shell would expand $HOME and run the second command; without one, echo prints both.
        jwt_command="echo jwt-$HOME ; touch " + str(tmp_path / "ran"),
    )
    settings = AccountSettings.gather(profile=profile, environ={})
    assert settings.client_secret == "s3cret-from-vault"
    assert settings.jwt == f"jwt-$HOME ; touch {tmp_path / 'ran'}"
    assert not (tmp_path / "ran").exists()
    assert settings.missing() == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("echo the-secret-itself; exit 3", "exited with status 3"),
        ("true", "printed nothing"),
    ],
)
def test_a_failing_secret_command_is_one_line_without_its_output(
    tmp_path, body: str, problem: str
) -> None:
    from rcinbox.config import AccountSettings, ProfileConfig

    script = write_secret_script(tmp_path, "vault", body)
    with pytest.raises(ConfigError) as caught:
        AccountSettings.gather(profile=ProfileConfig(jwt_command=str(script)), environ={})
    message = str(caught.value)
    assert message.startswith("jwt_command: ") and problem in message
    assert "the-secret-itself" not in message and "\n" not in message


def test_a_missing_secret_command_is_named(tmp_path) -> None:
    from rcinbox.config import AccountSettings, ProfileConfig

    with pytest.raises(ConfigError, match="no-such-vault-tool not found"):
        AccountSettings.gather(
            profile=ProfileConfig(client_secret_command="no-such-vault-tool get rc"), environ={}
        )


def test_webhook_settings_are_read_and_checked() -> None:
    path = write_config('[webhook]\nlisten = "127.0.0.1:8090"\nurl = "https://h.example/rc"\n')
    config = Config.load(path)
    assert (config.webhook.listen, config.webhook.url) == ("127.0.0.1:8090", "https://h.example/rc")
    assert config.to_dict()["webhook"] == {
        "listen": "127.0.0.1:8090",
        "url": "https://h.example/rc",
    }
    bad = write_config('[webhook]\n\nlisten = "localhost"\n')
    with pytest.raises(ConfigError, match="line 3: webhook listen address must be HOST:PORT"):
        Config.load(bad)


def test_whatsapp_templates_are_read_from_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[whatsapp]\n"
        'templates = [{ name = "order_update", language = "en", params = 2,'
        ' preview = "Hi {{1}}, order {{2}} shipped" },'
        ' { name = "welcome", language = "fr" }]\n'
    )
    templates = Config.load(path, environ={}).whatsapp.templates
    assert [(t.name, t.language, t.params) for t in templates] == [
        ("order_update", "en", 2),
        ("welcome", "fr", 0),
    ]
    assert templates[0].preview == "Hi {{1}}, order {{2}} shipped"
    assert Config.load(path, environ={}).to_dict()["whatsapp"]["templates"][1]["name"] == "welcome"


@pytest.mark.parametrize(
    ("templates", "words"),
    [
        ('"order_update"', "must be a list of tables"),
        ('[{ name = "x" }]', "needs a name and a language"),
        ('[{ name = "x", language = "en", params = -1 }]', "params must be a whole number"),
        ('[{ name = "x", language = "en" }, { name = "x", language = "en" }]', "twice"),
    ],
)
def test_a_bad_template_list_names_the_line(tmp_path: Path, templates: str, words: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[ui]\nmouse = true\n[whatsapp]\ntemplates = {templates}\n")
    with pytest.raises(ConfigError, match=f"line 4: .*{words}"):
        Config.load(path, environ={})
