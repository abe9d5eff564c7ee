"""The client, the engine, the emulator and the config must run headless: no Textual import."""

import subprocess
import sys

import pytest

HEADLESS_MODULES = [
    "rcinbox.inbox",
    "rcinbox.inbox.engine",
    "rcinbox.wiring.accounts",
    "rcinbox.wiring.inbox",
    "rcinbox.wiring.demo",
    "rcinbox.auth.store",
    "rcinbox.auth.flows",
    "rcinbox.auth.loopback",
    "rcinbox.notify",
    "rcinbox.api",
    "rcinbox.api.client",
    "rcinbox.api.auth",
    "rcinbox.api.models",
    "rcinbox.emulator",
    "rcinbox.emulator.server",
    "rcinbox.config",
    "rcinbox.config.settings",
    "rcinbox.config.snippets",
    "rcinbox.text",
    "rcinbox.export",
    "rcinbox.cells",
    "rcinbox.cli",
    "rcinbox.cli.main",
    "rcinbox.cli.errors",
    "rcinbox.cli.output",
    "rcinbox.cli.contents",
    "rcinbox.cli.attachment",
    "rcinbox.cli.export",
    "rcinbox.cli.replies",
    "rcinbox.cli.sync",
    "rcinbox.cli.triage",
    "rcinbox.cli.accounts",
    "rcinbox.cli.config_cmd",
    "rcinbox.cli.store_cmd",
    "rcinbox.cli.demo_server",
    # The TUI launcher loads Textual only when it runs the app, after the demo has started.
    "rcinbox.cli.tui",
]


def textual_modules_loaded_by(module: str) -> str:
    probe = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


@pytest.mark.parametrize("module", HEADLESS_MODULES)
def test_module_imports_without_textual(module: str) -> None:
    loaded = textual_modules_loaded_by(module)
    assert loaded == "", f"{module} pulled in {loaded}"


def test_the_probe_sees_textual_when_it_is_imported() -> None:
    assert "textual.app" in textual_modules_loaded_by("rcinbox.tui.app")


def test_the_tui_never_imports_httpx_or_sqlite() -> None:
    """The TUI talks to the engine facade; the network and the database stay behind it."""
    import ast
    from pathlib import Path

    import rcinbox.tui

    forbidden = {"httpx", "sqlite3", "rcinbox.api.client", "rcinbox.api.auth"}
    offenders = []
    for path in Path(rcinbox.tui.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in forbidden or n in forbidden
            ]
    assert offenders == []


def loaded_after(modules: tuple[str, ...], heavy: tuple[str, ...]) -> list[str]:
    """The modules named by a ``heavy`` prefix that importing ``modules`` in a fresh interpreter
    loads. A None entry in sys.modules blocks an import (rcinbox.api blocks httpx's CLI): it is
    not loaded."""
    probe = (
        "import sys, importlib; "
        f"[importlib.import_module(m) for m in {modules!r}]; "
        "print(','.join(sorted(m for m, module in sys.modules.items() "
        f"if module is not None and m.startswith({heavy!r}))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return [name for name in result.stdout.strip().split(",") if name]


def test_demo_server_and_the_demo_start_load_neither_the_engine_nor_httpx() -> None:
    """`rcinbox demo-server`, and `--demo` up to starting its child, stay light: the entry point
    imports a command's module only when it runs."""
    modules = (
        "rcinbox.cli.main",
        "rcinbox.cli.demo_server",
        "rcinbox.emulator.server",
        "rcinbox.cli.tui",
        "rcinbox.wiring.demo",
    )
    heavy = ("httpx", "sqlite3", "textual", "rcinbox.inbox", "rcinbox.cli.contents")
    assert loaded_after(modules, heavy) == []


def test_the_demo_starts_its_server_before_the_settings_code_loads() -> None:
    """`rcinbox --demo` spawns its server from what parsing the command line needs: the entry
    point, the parser and the launcher. The settings, profiles and the API's errors load after
    (rcinbox.config and rcinbox.api load a name's module when it is used), while the server
    builds its data on the other core."""
    modules = ("rcinbox.cli.main", "rcinbox.cli.tui", "rcinbox.wiring.demo")
    later = (
        "rcinbox.config.settings",
        "rcinbox.config.profiles",
        "rcinbox.config.validate",
        "rcinbox.config.toml",
        "tomllib",
        "rcinbox.api.errors",
        "rcinbox.text",
        "rcinbox.wiring.accounts",
    )
    assert loaded_after(modules, later) == []


@pytest.mark.parametrize("package", ["rcinbox.api", "rcinbox.config"])
def test_a_lazy_package_loads_every_name_it_exports(package: str) -> None:
    """Each name in the package's __all__ is in its table of where names are defined, and loads
    from there: a name added to one but not the other fails here, not in a user's command."""
    probe = (
        f"import importlib; p = importlib.import_module({package!r}); "
        "assert set(p.__all__) == set(p._LAZY), set(p.__all__) ^ set(p._LAZY); "
        "[getattr(p, n) for n in p.__all__]; "
        "print(len(p.__all__))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 10


def test_httpx_comes_without_its_command_line_tool() -> None:
    """httpx imports its CLI (click, pygments, Rich's progress bars) with itself unless told not
    to; the API client never runs it, and the TUI's start-up should not pay for it."""
    probe = (
        "import sys; import rcinbox.api.client, httpx; "
        "print(','.join(sorted(m for m, module in sys.modules.items() if module is not None "
        "and m.split('.')[0] in ('click', 'pygments') or m in ('rich.progress', 'rich.syntax'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


# What a TUI start imports before its first frame: the launcher, the app, the engine, the wiring.
FIRST_FRAME = (
    "rcinbox.cli.main",
    "rcinbox.cli.tui",
    "rcinbox.tui.app",
    "rcinbox.wiring.inbox",
    "rcinbox.wiring.accounts",
    "rcinbox.inbox.engine",
)


def test_a_returning_users_first_frame_loads_neither_httpx_nor_the_oauth_code() -> None:
    """What the TUI needs to open the store and paint its rows (the launcher, the app, the
    engine, the wiring, a stored login read from its file) imports no HTTP client: that is built
    at the engine's first request, after the first frame (wiring/client.py)."""
    modules = (*FIRST_FRAME, "rcinbox.auth.keyring_store", "rcinbox.auth.store")
    heavy = (
        "httpx",
        "h11",
        "email",
        "rcinbox.api.client",
        "rcinbox.api.auth",
        "rcinbox.auth.session",
        "rcinbox.auth.cache",
        "rcinbox.auth.flows",
        "rcinbox.inbox.webhooks",
    )
    assert loaded_after(modules, heavy) == []


def test_a_returning_users_first_frame_leaves_the_dialogs_and_tools_for_later() -> None:
    """Screens pushed on a key (pickers, forms, the help), the tools behind them (export, the
    editor) and the palette's provider load when first used; the emulator's config loads for
    the demo only. A start imports what its first frame paints."""
    modules = FIRST_FRAME
    later = (
        "rcinbox.tui.widgets.files",
        "rcinbox.tui.new_conversation",
        "rcinbox.tui.export_screen",
        "rcinbox.export",
        "rcinbox.tui.editor",
        "rcinbox.tui.inspector",
        "rcinbox.tui.snippet_picker",
        "rcinbox.tui.snooze_picker",
        "rcinbox.tui.screens",
        "rcinbox.tui.commands",
        "rcinbox.emulator",
    )
    assert loaded_after(modules, later) == []
