"""The front door: the ``rcinbox`` command (:func:`rcinbox.cli.main.main`).

- :mod:`~rcinbox.cli.main`: the entry point, lazy dispatch, the one place failures end;
- :mod:`~rcinbox.cli.parser`: every command and option (argparse), nothing run;
- :mod:`~rcinbox.cli.errors`: exit codes and the one error -> exit-code map;
- :mod:`~rcinbox.cli.output`: JSON, tables, times and notes on stderr;
- one module per command group, each ``run(args) -> int``: :mod:`~rcinbox.cli.contents`
  (contents, thread, identity), :mod:`~rcinbox.cli.replies` (reply, outbox),
  :mod:`~rcinbox.cli.sync` (sync, watch), :mod:`~rcinbox.cli.accounts` (login, logout, whoami),
  :mod:`~rcinbox.cli.config_cmd` (config), :mod:`~rcinbox.cli.demo_server` (demo-server) and
  :mod:`~rcinbox.cli.tui` (no command: the app).

Command modules use ``errors``, ``output`` and the wiring (:mod:`rcinbox.wiring`), never each
other; they build nothing themselves. Only :mod:`~rcinbox.cli.tui` loads Textual. This package
``__init__`` imports nothing.
"""
