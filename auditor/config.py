"""User configuration: ``auditor.toml``, or ``[tool.auditor]`` in ``pyproject.toml``.

Looked up in the working directory (or given with ``--config``). Command-line
flags always win over the file. Sections used so far: top-level keys for the
verifier (``domain_lists``, ``github_org_lists``…) and the report site's
language (``lang``: ``auditor.cli.lang_option``), ``[verifier]`` (``canary``),
``[gate]`` (in pyproject: ``[tool.auditor.gate]``) for the CI quality gate and
``[notify]`` (``to``, ``down_after``) for ``auditor notify``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import AuditorError


class ConfigError(AuditorError):
    """A configuration file that cannot be used; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class Config:
    data: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    """The file the settings came from, for messages; None when there was none."""

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.path}: [{name}] must be a table")
        return value

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def load_config(explicit: Path | None = None, directory: Path | None = None) -> Config:
    """``explicit`` if given, else ``auditor.toml``, else ``pyproject.toml``'s [tool.auditor]."""
    if explicit is not None:
        data = _read_toml(explicit)
        if explicit.name == "pyproject.toml":
            data = data.get("tool", {}).get("auditor", {})
        return Config(data, explicit)
    here = directory or Path.cwd()
    own = here / "auditor.toml"
    if own.is_file():
        return Config(_read_toml(own), own)
    pyproject = here / "pyproject.toml"
    if pyproject.is_file():
        section = _read_toml(pyproject).get("tool", {}).get("auditor")
        if isinstance(section, dict):
            return Config(section, pyproject)
    return Config()


DEFAULT_DOWN_AFTER = 2


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    """``[notify]``: where ``auditor notify`` sends, and when an entry counts as down."""

    to: tuple[str, ...] = ()
    """Apprise URLs. They hold secrets: keep the file private, or pass ``--to`` instead."""
    down_after: int = DEFAULT_DOWN_AFTER
    """Consecutive failed verifications before an entry is reported down."""


def notify_config(config: Config) -> NotifyConfig:
    section = config.section("notify")
    where = f"{config.path}: [notify]"
    to = section.get("to", [])
    if isinstance(to, str):
        to = [to]
    if not isinstance(to, list) or not all(isinstance(url, str) and url.strip() for url in to):
        raise ConfigError(f"{where} to: give a list of Apprise URLs (strings)")
    down_after = section.get("down_after", DEFAULT_DOWN_AFTER)
    if (
        isinstance(down_after, bool)
        or not isinstance(down_after, int)
        or not 1 <= down_after <= 1000
    ):
        raise ConfigError(f"{where} down_after: give a whole number from 1 to 1000")
    unknown = sorted(set(section) - {"to", "down_after"})
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: to, down_after)")
    return NotifyConfig(tuple(to), down_after)


def canary_url(config: Config) -> str | None:
    """``[verifier] canary``: a URL that should always answer, checked around each run."""
    value = config.section("verifier").get("canary")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{config.path}: [verifier] canary: give a URL (a string)")
    return value.strip()
