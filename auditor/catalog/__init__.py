"""Catalog sources: each turns a catalog into Entries and reports what it could not map."""

from auditor.catalog.base import CatalogProblem, LoadedCatalog
from auditor.catalog.load import load_sources

__all__ = ["CatalogProblem", "LoadedCatalog", "load_sources"]
