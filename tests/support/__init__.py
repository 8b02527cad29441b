"""Helpers more than one test module uses: hand-built results, fixture servers, stores.

Test modules import from here (and ``tests.conftest``), never from each other,
so running or moving one test module never depends on another's internals.
"""
