"""Which domain a portal record may vouch for: the producer's own, never a shared platform's.

A portal that lists ``https://api.insee.fr/…`` for Insee vouches for
``insee.fr``: whoever serves an agency's API under a name runs the name. The
same reasoning fails on shared platforms, where a name belongs to the platform
and each customer only rents a label below it (``etalab.github.io``,
``boamp-datadila.opendatasoft.com``): vouching ``github.io`` would make every
GitHub Pages site official, and vouching the tenant's label would outlive the
tenant. Two sources say what is shared: the Public Suffix List's private
section (github.io, herokuapp.com, cloudfront.net…: a registrable domain computed
with it differs from the ICANN one) and ``data/shared-platforms.yaml`` for
platforms that are not on it (github.com, opendatasoft.com, scalingo.io…).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from publicsuffixlist import PublicSuffixList

from auditor.evidence.domains import is_ip, normalise_host, public_suffixes
from auditor.yaml_loader import safe_load


@dataclass(frozen=True, slots=True)
class Vouchable:
    """The registrable domain a record may vouch for, or why none."""

    host: str | None
    domain: str | None
    refused: str | None = None
    """Why the host vouches for nothing (shared platform, not a host name…)."""


@cache
def icann_suffixes() -> PublicSuffixList:
    """The bundled Public Suffix List without its private section (registries only)."""
    return PublicSuffixList(only_icann=True)


@cache
def shared_platforms() -> frozenset[str]:
    text = files("auditor.evidence").joinpath("data/shared-platforms.yaml").read_text("utf-8")
    data = safe_load(text)
    return frozenset(d.lower() for group in data["platforms"].values() for d in group)


def vouchable(url_or_host: str) -> Vouchable:
    """The domain a portal's mention of ``url_or_host`` vouches for."""
    host = normalise_host(url_or_host)
    if host is None or is_ip(host):
        return Vouchable(host, None, "not a host name")
    icann = icann_suffixes().privatesuffix(host)
    if not icann:
        return Vouchable(host, None, "a public suffix, not a registrable domain")
    with_private = public_suffixes().privatesuffix(host)
    if with_private != icann:
        suffix = public_suffixes().publicsuffix(host)
        return Vouchable(host, None, f"shared platform ({suffix}, a private public suffix)")
    if icann in shared_platforms():
        return Vouchable(host, None, f"shared platform ({icann})")
    return Vouchable(host, str(icann))
