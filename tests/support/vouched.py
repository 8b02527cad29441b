"""A small api.gouv.fr checkout written for the vouched-domain tests."""

from __future__ import annotations

import os
from pathlib import Path


def _md(path: Path, front: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n\nBody.\n", "utf-8")


def apigouv_checkout(root: Path) -> Path:
    """A small api.gouv.fr checkout: public producers, a company, a missing producer."""
    api, producers = root / "_data" / "api", root / "_data" / "producteurs"
    _md(producers / "stat.md", "name: Institut de la statistique\ntype: Ministère\n")
    _md(
        producers / "ville.md",
        "name: Ville\ntype: Collectivité\nsite: https://www.ville-exemple.fr/\n",
    )
    _md(producers / "energie.md", "name: Energie SA\ntype: Entreprise de service public\n")
    _md(producers / "asso.md", "name: Réseau\ntype: Association avec mission de service public\n")
    _md(producers / "notype.md", "name: Agence\nsite: https://agence-exemple.fr\n")
    _md(
        api / "api-stat.md",
        "title: API Stat\nproducer: stat\n"
        "external_site: https://api.stat-exemple.fr/catalogue\n"
        "doc_tech_external: https://stat-exemple.github.io/docs/\n"
        "doc_tech_link: /swaggers/stat.yaml\n",
    )
    _md(
        api / "api-stat-2.md",
        "title: API Stat 2\nproducer: stat\nexternal_site: https://www.stat-exemple.fr/\n",
    )
    _md(
        api / "api-ville.md",
        "title: API Ville\nproducer: ville\n"
        "doc_tech_link: https://ville-exemple.opendatasoft.com/api/swagger.json\n"
        "external_site: https://data.ville-exemple.fr/\n",
    )
    _md(
        api / "api-energie.md",
        "title: API Energie\nproducer: energie\nexternal_site: https://data.energie-sa.fr/\n",
    )
    _md(
        api / "api-asso.md",
        "title: API Asso\nproducer: asso\nexternal_site: https://api.reseau-exemple.org/\n",
    )
    _md(
        api / "api-orphan.md",
        "title: Orphan\nproducer: nobody\nexternal_site: https://orphan-exemple.fr/\n",
    )
    _md(api / "api-noprod.md", "title: No producer\nexternal_site: https://noprod-exemple.fr/\n")
    (api / "broken.md").write_text("no front matter here\n", "utf-8")
    for path in root.rglob("*.md"):
        os.utime(path, (1733911200, 1733911200))  # 2024-12-11
    return root
