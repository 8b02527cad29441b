"""Evidence sources: the reference data probes match against, and how it is read.

Government domain suffixes, world conventions and loadable domain lists
(``domains``, ``conventions``, ``lists``, ``list_formats``), the domains
official portals vouch for (``vouched``, with ``platforms`` saying which hosts
are shared and vouch for nothing), official portals (``portals``), government
GitHub organisations (``orgs``), licence names (``licenses``), links in HTML
pages (``html_links``) and RFC 9116 security.txt (``security_txt``). They parse
and match; what they fetch (a list given by URL) goes through a fetcher they
are handed. Probes use them; so do the CLI (loading lists) and the Dask
executor; none of them scores. The vendored data files in ``data/`` carry their
provenance and checksum in ``data/PROVENANCE.yaml``.
"""
