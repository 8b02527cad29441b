"""auditor: a trust-score auditor for public API catalogs.

Data flows one way: catalog sources -> Entry -> verifier probes -> Findings
-> rule engine -> Assessment -> renderers.
"""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/auditor-dev/auditor"
