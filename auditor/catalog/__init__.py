"""Catalog sources: each turns a catalog into Entries and reports what it could not map."""

from auditor.catalog.base import CatalogProblem, CatalogSource, LoadedCatalog, SourceRecord
from auditor.catalog.load import load_sources
from auditor.catalog.select import SOURCE_TYPES, SourceOptions, open_source

__all__ = [
    "SOURCE_TYPES",
    "CatalogProblem",
    "CatalogSource",
    "LoadedCatalog",
    "SourceOptions",
    "SourceRecord",
    "load_sources",
    "open_source",
]
