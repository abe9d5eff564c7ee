"""Assembly: command-line options and config become an account, an account becomes an inbox.

- :mod:`~rcinbox.wiring.accounts`: :class:`~rcinbox.wiring.accounts.AccountOptions` and the
  config, ``RCINBOX_*`` variables and stored login behind them -> an ``Account``;
- :mod:`~rcinbox.wiring.inbox`: an ``Account`` -> its HTTP client, OAuth and engine (``Inbox``);
- :mod:`~rcinbox.wiring.demo`: the one way to run the demo, a ``demo-server`` child process;
- :mod:`~rcinbox.wiring.logs`: where a process's log records go (every command's, and a warm
  start's child's, which no command starts).

The CLI (TUI launcher included) builds nothing itself: it asks here. Import-light: import the
module you need (the demo's is light enough to start before Textual loads).
"""
