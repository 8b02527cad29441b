"""``auditor gate --offline`` never opens a socket, and says what it could not establish.

Every way out of the process is patched to record the attempt and refuse it
(the patches never call the real function, so not even DNS leaves). A
positive control shows the same patches do catch an online run.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from tests.conftest import FIXTURES

PUBLISHER = FIXTURES / "gate" / "publisher"
SPEC = PUBLISHER / "api" / "openapi.yaml"
ENTRY = PUBLISHER / "catalog-entry.yaml"


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of every network call attempted while the test runs."""
    seen: list[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            seen.append(name)
            raise OSError(f"test: network call {name} refused")

        return blocked

    async def refuse_async(name: str) -> Any:
        seen.append(name)
        raise OSError(f"test: network call {name} refused")

    def refuse_coroutine(name: str) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            return refuse_async(name)

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    loop_class = asyncio.base_events.BaseEventLoop
    for name in ("create_connection", "getaddrinfo", "sock_connect"):
        monkeypatch.setattr(loop_class, name, refuse_coroutine(f"loop.{name}"))
    selector_loop = asyncio.selector_events.BaseSelectorEventLoop
    monkeypatch.setattr(selector_loop, "sock_connect", refuse_coroutine("loop.sock_connect"))
    return seen


def gate(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["gate", *args, "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def test_offline_flag_opens_no_socket(attempts: list[str]) -> None:
    code, document = gate(str(SPEC), "--offline", "--fail-under", "50")
    assert attempts == []
    assert code == 0
    (entry,) = document["results"]
    assert entry["axes"]["availability"]["score"] is None
    gate_block = document["gate"]
    assert gate_block["offline"] is True
    offline_note = next(n for n in gate_block["notes"] if n.startswith("offline"))
    assert "Successful verifications" in offline_note and "Agent discovery document" in offline_note
    notes = gate_block["entries"][0]["notes"]
    assert any("Availability unknown, left out of the composite" in n for n in notes)


def test_offline_from_config_with_an_entry_file_opens_no_socket(
    attempts: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.auditor.gate]\noffline = true\nfail_under = 70\n"
    )
    monkeypatch.chdir(tmp_path)
    code, document = gate(str(ENTRY), "--spec", str(SPEC))
    assert attempts == []
    assert code == 0 and document["results"][0]["score"] == 77
    evidence = document["results"][0]["axes"]["availability"]["signals"][0]["evidence"]
    assert "offline" in evidence


def test_the_patches_do_catch_an_online_run(attempts: list[str]) -> None:
    """Positive control: without --offline the verifier tries the network (and is refused here)."""
    code, document = gate(str(SPEC), "--online")
    assert code == 0
    assert attempts, "an online run must attempt a network call"
    assert document["gate"]["offline"] is False


REMOTE_REF_SPEC = """openapi: 3.0.3
info: {title: Remote refs, version: "1"}
paths:
  /x:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "http://127.0.0.1:9/schemas.yaml#/Thing"}
"""


def test_offline_gate_does_not_fetch_remote_refs(attempts: list[str], tmp_path: Path) -> None:
    """Spec validation must not follow a remote $ref behind the guarded fetcher's back."""
    spec = tmp_path / "openapi.yaml"
    spec.write_text(REMOTE_REF_SPEC)
    code, document = gate(str(spec), "--offline", "--fail-on-invalid-spec")
    assert attempts == []
    # Not validated is not valid: --fail-on-invalid-spec fails closed on it.
    assert code == 1
    (entry,) = document["gate"]["entries"]
    assert entry["breaches"][0]["rule"] == "gate/spec-valid" and entry["breaches"][0]["unknown"]
