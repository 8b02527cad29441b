"""Reports people read and badges people embed.

Every renderer here reads the JSON results document
(:func:`auditor.render.results_json.results_document`) and the methodology —
never the network, never the rule engine — so ``auditor report results.json``
and the in-process demo share one path. Catalog text is untrusted: it reaches
HTML through autoescaped jinja2 templates and nh3, Markdown through
:mod:`auditor.render.text`, SVG through escaped XML, terminals and CI logs
through :mod:`auditor.render.terminal_text`.

Every format a command can print is registered once, in
:mod:`auditor.render.reporters`; files land through
:class:`auditor.render.folder.OutputFolder` (never through a planted link) and
CSV through :mod:`auditor.render.csv_table`.
"""

from __future__ import annotations
