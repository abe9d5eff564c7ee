"""The client, the engine, the emulator and the config must run headless: no Textual import."""

import subprocess
import sys

import pytest

HEADLESS_MODULES = [
    "rcinbox.api",
    "rcinbox.api.client",
    "rcinbox.api.auth",
    "rcinbox.api.models",
    "rcinbox.emulator",
    "rcinbox.emulator.server",
    "rcinbox.config",
    "rcinbox.text",
    "rcinbox.headless",
    "rcinbox.cli",
]


@pytest.mark.parametrize("module", HEADLESS_MODULES)
def test_module_imports_without_textual(module: str) -> None:
    probe = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "", f"{module} pulled in {result.stdout.strip()}"
