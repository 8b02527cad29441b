"""Alerts on change: events worked out from a store, sent once to each destination.

- ``events``: what happened (down, recovered, tier moves, breaking spec
  changes, specs that stop validating, TLS certificates about to expire,
  runs in which the auditor's own network failed), from the stored runs;
- ``message``: many events as one message;
- ``destinations``: Apprise URLs and their redacted labels;
- ``send``: delivery through Apprise (``pip install 'auditor[notify]'``);
- ``service``: what ``auditor notify`` and ``auditor audit --notify`` run.
"""
