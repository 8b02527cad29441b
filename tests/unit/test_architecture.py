"""The house's walls: which rooms may import which, and how large a room may grow.

Renderers and the store only present and keep what the verifier found; they
must load without the probes or the network layer (which pull in HTML parsers,
licence tables and HTTP libraries), so ``auditor report`` and ``auditor badge``
start fast and cannot reach the network by accident.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import auditor

PACKAGE = Path(auditor.__file__).parent
FORBIDDEN = ("auditor.probes", "auditor.net")
MAX_MODULE_LINES = 400
PRESENTING = ("render", "store")
WALLS = {
    # reference data is read by probes, the CLI and the Dask executor: it needs no probe
    "evidence": ("auditor.probes", "auditor.run"),
    # rules score and never touch the network
    "methodology": ("auditor.probes", "auditor.net", "auditor.run"),
    "checks": ("auditor.probes", "auditor.net", "auditor.run"),
    # alerts are computed from the store and sent by Apprise, never through the verifier
    "notify": ("auditor.probes", "auditor.net", "auditor.run"),
}


def _modules(room: str) -> list[str]:
    return [f"auditor.{room}"] + [
        f"auditor.{room}.{m.name}" for m in pkgutil.iter_modules([str(PACKAGE / room)])
    ]


def _imported(modules: list[str], forbidden: tuple[str, ...] = FORBIDDEN) -> list[str]:
    """The forbidden modules loaded by importing ``modules`` in a fresh interpreter."""
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print('\\n'.join(sorted(k for k in sys.modules if k.startswith({forbidden!r}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.split()


@pytest.mark.parametrize("room", PRESENTING)
def test_renderers_and_store_import_neither_probes_nor_network(room: str) -> None:
    modules = _modules(room)
    if _imported(modules):
        culprits = {m: found for m in modules if (found := _imported([m]))}
        pytest.fail(f"modules of auditor.{room} import {FORBIDDEN}: {culprits}")


@pytest.mark.parametrize("room", sorted(WALLS))
def test_rooms_import_only_what_they_may(room: str) -> None:
    modules = _modules(room)
    if _imported(modules, WALLS[room]):
        culprits = {m: found for m in modules if (found := _imported([m], WALLS[room]))}
        pytest.fail(f"modules of auditor.{room} import {WALLS[room]}: {culprits}")


def test_the_guard_sees_a_forbidden_import() -> None:
    """The check above would notice: the run loop does import the network layer."""
    assert "auditor.net.fetcher" in _imported(["auditor.run.loop"])


def test_no_module_is_over_the_size_limit() -> None:
    sizes = {
        str(path.relative_to(PACKAGE.parent)): len(path.read_text("utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    over = {path: n for path, n in sizes.items() if n > MAX_MODULE_LINES}
    assert not over, f"modules over {MAX_MODULE_LINES} lines (split them by job): {over}"
