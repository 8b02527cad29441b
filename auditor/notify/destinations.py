"""Notification destinations: Apprise URLs, named without their secrets.

An Apprise URL carries its service's credentials: ``slack://TokenA/TokenB/TokenC``,
``mailto://user:password@example.org``, ``jsons://user:pass@hooks.example.org/path``.
Whatever auditor prints or keeps of one is its ``label``: the scheme and the
host, and the host only when it is a host name or an address (Slack's
``TokenA`` sits where a host would be, and is shown as ``…``). Error text
from the sending library is scrubbed of every secret piece of the URL before
it is shown. The store keeps a destination by the sha256 of its URL.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from auditor.errors import AuditorError

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+$", re.I)
HIDDEN = "…"
MIN_SECRET = 3
"""Shorter pieces (``/``, ``v1``) are not scrubbed from messages: they would mangle them."""


class DestinationError(AuditorError):
    """A destination that cannot be used (malformed, unknown service); exit code 2."""


@dataclass(frozen=True, slots=True)
class Destination:
    url: str
    scheme: str
    label: str
    """``scheme://host[:port]`` (``scheme://…`` when the host itself is a secret)."""
    secrets: tuple[str, ...]
    """Every piece of the URL that may be a credential, longest first, for scrubbing."""

    @property
    def key(self) -> str:
        """How the store knows the destination: a hash, since the URL holds its secrets."""
        return hashlib.sha256(self.url.encode("utf-8", "surrogateescape")).hexdigest()

    def scrub(self, text: str) -> str:
        """``text`` with every secret piece of the URL replaced by ``…``."""
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        return text


def _shown_host(host: str) -> bool:
    if host.lower() == "localhost" or _HOSTNAME.match(host):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def parse_destination(url: str, where: str) -> Destination:
    """``url`` as a Destination; ``where`` names it in messages (``--to #2``).

    Raises DestinationError for text that is not a URL at all; whether the
    service knows the URL is the sender's question.
    """
    text = url.strip()
    match = _SCHEME.match(text)
    if match is None:
        raise DestinationError(
            f"{where}: not an Apprise URL (it must start with a scheme such as json://, "
            "jsons://, slack://, mailto://; the text is not shown, it may hold a secret)"
        )
    scheme = match.group(1).lower()
    rest = text[match.end() :]
    netloc = re.split(r"[/?#]", rest, maxsplit=1)[0]
    tail = rest[len(netloc) :]
    userinfo, _, hostport = netloc.rpartition("@")
    bracketed = hostport.startswith("[")
    if bracketed:
        host, _, after = hostport[1:].partition("]")
        port = after[1:] if after.startswith(":") else ""
    else:
        host, _, port = hostport.partition(":")
    shown = bool(host) and _shown_host(host)
    label = f"{scheme}://{(f'[{host}]' if bracketed else host) if shown else HIDDEN}"
    if shown and port.isdigit():
        label += f":{port}"
    pieces: set[str] = set()
    if userinfo:
        pieces.update(userinfo.split(":"))
    if not shown:
        pieces.update((host, port))
    elif not port.isdigit():
        pieces.add(port)
    path, _, query = tail.partition("?")
    pieces.update(path.split("/"))
    pieces.update(value for _, value in parse_qsl(query.partition("#")[0], keep_blank_values=True))
    pieces.add(tail.partition("#")[2])
    pieces |= {unquote(piece) for piece in pieces}
    secrets = tuple(sorted((p for p in pieces if len(p) >= MIN_SECRET), key=len, reverse=True))
    return Destination(text, scheme, label, secrets)
