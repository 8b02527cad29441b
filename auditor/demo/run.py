"""``auditor demo``: serve the fixture site, audit the demo catalog, stop the site."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from importlib.resources import as_file, files

from auditor.catalog import LoadedCatalog, load_sources
from auditor.context import AuditSettings, NetworkPolicy
from auditor.demo.site import FixtureSite
from auditor.methodology.model import Methodology
from auditor.model import AuditResult
from auditor.run.loop import run_audit


def demo_settings(base: AuditSettings, site: FixtureSite) -> AuditSettings:
    """The user's settings, offline except for the fixture site's names."""
    network = NetworkPolicy(allow_private=False, offline=True, host_overrides=site.overrides)
    limits = replace(base.limits, retries=0)
    return replace(base, network=network, extra_ca_pem=site.ca_pem, limits=limits)


def run_demo(
    base: AuditSettings, methodology: Methodology, on_result: object = None
) -> tuple[list[AuditResult], LoadedCatalog]:
    with as_file(files("auditor.demo").joinpath("catalog.yaml")) as path, FixtureSite() as site:
        settings = demo_settings(base, site)
        loaded = asyncio.run(load_sources([str(path)], settings))
        results = run_audit(loaded.entries, settings, methodology, on_result)  # type: ignore[arg-type]
    return results, loaded
