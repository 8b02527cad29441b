"""Evidence sources: the reference data probes match against, and how it is read.

Government domain suffixes and loadable domain lists (``domains``, ``lists``,
``list_formats``), government GitHub organisations (``orgs``), licence names
(``licenses``), links in HTML pages (``html_links``) and RFC 9116 security.txt
(``security_txt``), official portals (``portals``). They parse and match; what
they fetch (a list given by URL, a page to read links from) goes through the
run's fetcher they are handed. Probes use them; so do the CLI (loading lists)
and the Dask executor; none of them scores.
"""
