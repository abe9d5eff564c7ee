"""``rcinbox config path|show``: where config.toml and the log file are, and the settings in effect.

``show`` merges the file, the ``RCINBOX_*`` variables and the profile's account settings, with
every secret replaced by ``***``. Never imports Textual.
"""

from __future__ import annotations

import argparse

from rcinbox.cli.errors import ExitCode
from rcinbox.cli.output import print_json
from rcinbox.config import AccountSettings, Config, config_path, log_path, selected_profile
from rcinbox.config.toml import dumps


def run(args: argparse.Namespace) -> int:
    if args.action == "path":
        # The config file first (scripts read that line), then the log file.
        print(config_path())
        print(log_path())
        return ExitCode.OK
    profile = selected_profile(getattr(args, "profile", None))
    config = Config.load()
    data = config.to_dict()
    # Showing settings never runs a secret command (it may ask for a passphrase).
    account = AccountSettings.gather(profile=config.profile(profile), run_commands=False).public()
    if account:
        data["profiles"][profile] = {**data["profiles"].get(profile, {}), **account}
    data = {"profile": profile, **data}
    if args.json:
        print_json(data)
        return ExitCode.OK
    exists = "" if config.path.exists() else " (the file does not exist: defaults)"
    print(f"# rcinbox settings in effect: {config.path}{exists}, then RCINBOX_* variables.")
    print("# Secrets are shown as ***.")
    print(dumps(data), end="")
    return ExitCode.OK
