"""The one place a transport creates a socket to dial: the seam the address tests record at.

Both transports that dial by socket (aiohttp's socket factory, the httptools
transport) call ``open_socket`` through this module, so a test replacing it here
sees every dial either makes.
"""

from __future__ import annotations

import socket
from typing import Any

AddrInfo = tuple[int, int, int, str, tuple[Any, ...]]
"""``getaddrinfo``'s answer for one address: family, type, protocol, canonical name, address."""


def open_socket(addr_info: AddrInfo) -> socket.socket:
    """Create the socket for one dial to ``addr_info``'s (already vetted) address."""
    family, type_, proto, _, _ = addr_info
    return socket.socket(family=family, type=type_, proto=proto)
