"""Beyond one machine: shards of a catalog, merging their stores, a Dask executor.

- ``auditor.scale.shard``: ``--shard K/N``, a split by registrable host that
  every job of a CI matrix computes alike;
- ``auditor.store.merge``: ``auditor merge``, shard stores back into one run;
- ``auditor.scale.dask_executor``: ``--executor dask``, parts of the catalog
  audited on Dask workers (the optional ``auditor[dask]`` extra);
- recording those runs in a store is ``auditor.run.recording``, as for every ``--store`` run.

Modules are imported on use; this package imports nothing heavy.
"""
