"""Every catalog source type auditor reads, in the order detection tries them.

Each entry is a ``SourceType`` (``auditor/catalog/base.py``) declared next to its
reader: its ``name`` (the ``--source-type`` value), its ``prefix`` (``apigouv:``),
the ``form`` of location it reads (``remote``, ``folder`` or ``file``), its
``read`` function, its ``detect`` function for sources given without prefix or
``--source-type``, and whether the server applies the filters (``server_filtered``).
Several entries may share a name and prefix when one source reads several forms
(``datagouv:`` is the live API for nothing or a URL, a saved dump for a file).

Adding a source:

1. Write ``auditor/catalog/<source>.py``: a reader (a ``label`` and an async
   ``records()`` yielding one ``SourceRecord`` per catalog record, problems naming
   the entry and field), a ``read(material)`` that builds it (raising
   ``CatalogError`` when the location is not of this type), and a module-level
   ``SourceType(name, form, read, detect=..., prefix="<name>:")`` declaring them.
2. Add it to ``REGISTRY`` below. Detection asks the entries of the location's form
   in this order and takes the first ``detect`` that says yes, so put a specific
   detector before a general one (``native``, which takes any document, is last).
3. Add its row to the "Choosing a source" table in docs/catalogs.md and a test.

``SOURCE_TYPES`` (``--source-type`` choices) and ``PREFIXES`` follow from the list.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.catalog.apigouv import APIGOUV
from auditor.catalog.apisguru import APISGURU_LIST, APISGURU_SPECS
from auditor.catalog.base import SourceType
from auditor.catalog.csv_source import CSV
from auditor.catalog.datagouv import DATAGOUV_DUMP
from auditor.catalog.datagouv_api import DATAGOUV_API
from auditor.catalog.native import NATIVE
from auditor.catalog.spec_source import SPEC, SPEC_FOLDER

REGISTRY: tuple[SourceType, ...] = (
    DATAGOUV_API,  # datagouv: or datagouv:URL — the live dataservices API; never detected
    APIGOUV,  # a folder with _data/api
    APISGURU_SPECS,  # apisguru:FOLDER; never detected (a folder of specs reads as specs)
    SPEC_FOLDER,  # any other folder
    CSV,  # *.csv, or a first line of delimited Entry field names
    SPEC,  # an OpenAPI/Swagger document
    DATAGOUV_DUMP,  # a saved page (or pages, or records) of the dataservices API
    APISGURU_LIST,  # an APIs.guru list.json
    NATIVE,  # any other document
)


def source_types(registry: Sequence[SourceType]) -> tuple[str, ...]:
    """``--source-type`` choices: ``auto`` and every name, in registry order."""
    return ("auto", *dict.fromkeys(t.name for t in registry))


def prefixes(registry: Sequence[SourceType]) -> dict[str, str]:
    """Registered prefix (lower case, with its colon) -> the type name it chooses."""
    return {t.prefix.lower(): t.name for t in registry if t.prefix}


SOURCE_TYPES = source_types(REGISTRY)
