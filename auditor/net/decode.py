"""Content decoding that never produces more than the caller can hold.

httpx's own decoders inflate a whole network chunk at once, so 64 KiB of a
gzip bomb can become gigabytes before any cap is checked. Here every decoder
is driven with ``max_length`` (zlib) or ``output_buffer_limit`` (brotli), so
each step yields at most ``STEP`` bytes and the caller's running total stops
the stream as soon as it passes the cap: memory stays near ``cap + STEP`` and
the CPU spent is proportional to the cap, not to the bomb.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any, Protocol

STEP = 64 * 1024
"""Most bytes a decoder hands back per step."""

try:  # brotli is optional; without it ``br`` is simply not offered to servers
    import brotli as _brotli

    _BROTLI_BOUNDED = hasattr(_brotli.Decompressor(), "can_accept_more_data")
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None
    _BROTLI_BOUNDED = False


class DecodeError(Exception):
    """The body is not valid for its declared ``Content-Encoding``."""


class Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        return iter(())


class Zlib:
    """gzip (several members allowed) or deflate (zlib-wrapped or raw, as servers send both)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._head: bytes | None = b""
        """Input seen before the first output, to restart as raw deflate; None once decided."""
        self._obj = self._new()

    def _new(self) -> Any:
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._head is not None:
            self._head += data
        while data:
            try:
                out = self._obj.decompress(data, STEP)
            except zlib.error as exc:
                if self._head is not None and not self._gzip:
                    # Some servers send raw deflate without the zlib wrapper.
                    data, self._head = self._head, None
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise DecodeError(f"invalid {'gzip' if self._gzip else 'deflate'} data") from exc
            if out:
                self._head = None
                yield out
            elif self._head is not None and len(self._head) > STEP:
                self._head = None
            if self._obj.unconsumed_tail:
                data = self._obj.unconsumed_tail
            elif self._obj.eof and self._gzip and self._obj.unused_data.startswith(b"\x1f\x8b"):
                data = self._obj.unused_data  # the next gzip member
                self._obj = self._new()
            else:
                data = b""  # trailing bytes after the stream are ignored, as browsers do

    def flush(self) -> Iterator[bytes]:
        out = self._obj.flush()
        if out:
            yield out


class Brotli:
    def __init__(self) -> None:
        assert _brotli is not None
        self._obj = _brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.process(data, output_buffer_limit=STEP)
            # A limited call may leave decoded output pending even when the input
            # was taken: drain it one bounded step at a time.
            while out:
                yield out
                if self._obj.is_finished():
                    return
                out = self._obj.process(b"", output_buffer_limit=STEP)
        except _brotli.error as exc:
            raise DecodeError("invalid brotli data") from exc

    def flush(self) -> Iterator[bytes]:
        return self.feed(b"")


def accept_encoding() -> str:
    """What we tell servers we can decode (only what we can decode with bounds)."""
    return "gzip, deflate, br" if _BROTLI_BOUNDED else "gzip, deflate"


def _one(name: str) -> Decoder:
    if name in ("", "identity"):
        return Identity()
    if name in ("gzip", "x-gzip"):
        return Zlib(gzip=True)
    if name == "deflate":
        return Zlib(gzip=False)
    if name == "br" and _BROTLI_BOUNDED:
        return Brotli()
    raise DecodeError(f"unsupported Content-Encoding {name!r}")


class Chain:
    """Decoders for ``Content-Encoding: a, b`` applied in reverse order (b first, then a)."""

    def __init__(self, content_encoding: str | None) -> None:
        self._decoders: list[Decoder] = []
        if content_encoding:  # most answers carry none
            names = [n.strip().lower() for n in content_encoding.split(",")]
            self._decoders = [_one(n) for n in reversed(names) if n not in ("", "identity")]

    @property
    def identity(self) -> bool:
        return not self._decoders

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data, final=False)

    def flush(self) -> Iterator[bytes]:
        return self._through(0, b"", final=True)

    def _through(self, index: int, data: bytes, final: bool) -> Iterator[bytes]:
        if index == len(self._decoders):
            if data:
                yield data
            return
        decoder = self._decoders[index]
        for piece in decoder.feed(data):
            yield from self._through(index + 1, piece, final=False)
        if final:
            for piece in decoder.flush():
                yield from self._through(index + 1, piece, final=False)
            yield from self._through(index + 1, b"", final=True)
