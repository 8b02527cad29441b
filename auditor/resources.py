"""Where the methodology files and templates live.

In a wheel they are shipped inside the package (``auditor/_data``); in a
checkout or an editable install they are the top-level ``rules/`` and
``reports/`` folders. Both layouts are looked up, the packaged one first.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``rules`` or ``reports``, wherever this installation keeps it."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"auditor's {name}/ folder is missing from this installation (looked in "
        f"{_PACKAGE_DIR / '_data' / name} and {_PACKAGE_DIR.parent / name})"
    )


def rules_dir() -> Path:
    return data_dir("rules")


def reports_dir() -> Path:
    return data_dir("reports")


def default_rules_file() -> Path:
    return rules_dir() / "trust-v1.yaml"
