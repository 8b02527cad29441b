"""Evidence sources: the reference data probes match against, and how it is read.

Government domain suffixes, world conventions and loadable domain lists
(``domains``, ``conventions``, ``lists``, ``list_formats``), the domains
official portals vouch for (``vouched``, with ``platforms`` saying which hosts
are shared and vouch for nothing), government GitHub organisations (``orgs``),
licence names (``licenses``), links in HTML pages (``html_links``) and RFC 9116
security.txt (``security_txt``). None of these modules fetch anything: probes
fetch and hand them the bytes. The vendored data files in ``data/`` carry their
provenance and checksum in ``data/PROVENANCE.yaml``.
"""
