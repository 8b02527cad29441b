"""Errors a user can act on: each names the file, the entry and the field."""

from __future__ import annotations


class AuditorError(Exception):
    """A usage or input error; the CLI prints it and exits with code 2."""


class RulesError(AuditorError):
    """A methodology file that cannot be used; the message names file, line and key."""


class CatalogError(AuditorError):
    """A catalog that cannot be read at all (one bad entry is a finding, not this)."""
