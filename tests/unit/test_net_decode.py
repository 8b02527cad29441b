"""Bounded content decoding: correct output, bounded steps, honest errors."""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Callable

import brotli
import pytest

from auditor.net.decode import STEP, Chain, DecodeError, accept_encoding

DATA = os.urandom(50_000) * 4 + b"x" * 300_000


def decode(encoding: str, blob: bytes, piece: int) -> bytes:
    chain = Chain(encoding)
    out = [p for i in range(0, len(blob), piece) for p in chain.feed(blob[i : i + piece])]
    return b"".join(out) + b"".join(chain.flush())


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "identity": lambda b: b,
    "": lambda b: b,
    "gzip, br": lambda b: brotli.compress(gzip.compress(b)),
    "deflate, gzip": lambda b: gzip.compress(zlib.compress(b)),
}


@pytest.mark.parametrize("encoding", list(ENCODERS))
@pytest.mark.parametrize("piece", [3, 1000, 65536, 10**8])
def test_round_trip_in_any_chunking(encoding: str, piece: int) -> None:
    blob = ENCODERS[encoding](DATA)
    assert decode(encoding, blob, piece) == DATA


def test_raw_deflate_without_the_zlib_wrapper_is_accepted() -> None:
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    blob = raw.compress(DATA) + raw.flush()
    assert decode("deflate", blob, 7) == DATA


def test_several_gzip_members_are_concatenated() -> None:
    blob = gzip.compress(DATA[:1000]) + gzip.compress(DATA[1000:])
    assert decode("gzip", blob, 4096) == DATA


def test_trailing_garbage_after_gzip_is_ignored() -> None:
    assert decode("gzip", gzip.compress(b"hello") + b"\r\n\0junk", 3) == b"hello"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_bomb_comes_out_in_bounded_steps_and_stops_when_asked(encoding: str) -> None:
    zeros = b"\0" * (32 * 1024 * 1024)
    compress = {
        "gzip": lambda b: gzip.compress(b, 1),
        "deflate": lambda b: zlib.compress(b, 1),
        "br": lambda b: brotli.compress(b, quality=1),
    }[encoding]
    blob = compress(zeros)
    chain = Chain(encoding)
    total = 0
    for piece in chain.feed(blob):
        assert len(piece) <= 2 * STEP
        total += len(piece)
        if total > 1024 * 1024:
            break  # the fetcher's cap: nothing more is inflated after this
    assert 1024 * 1024 < total <= 1024 * 1024 + 2 * STEP


@pytest.mark.parametrize(
    ("encoding", "blob"),
    [
        ("gzip", b"this is not gzip at all"),
        ("br", b"\xff\xff\xff\xff not brotli"),
        ("deflate", b"\xff\xff\xff\xff not deflate either"),
    ],
)
def test_invalid_data_raises_decode_error(encoding: str, blob: bytes) -> None:
    with pytest.raises(DecodeError, match="invalid"):
        decode(encoding, blob, 1000)


@pytest.mark.parametrize("encoding", ["zstd", "compress", "gzip, snappy"])
def test_unsupported_encodings_are_refused_up_front(encoding: str) -> None:
    with pytest.raises(DecodeError, match="unsupported Content-Encoding"):
        Chain(encoding)


def test_identity_is_recognised() -> None:
    assert Chain(None).identity and Chain("identity").identity and Chain("").identity
    assert not Chain("gzip").identity


def test_we_offer_only_what_we_decode_with_bounds() -> None:
    offered = {e.strip() for e in accept_encoding().split(",")}
    assert offered == {"gzip", "deflate", "br"}  # brotli>=1.2 is a dependency
    for encoding in offered:
        Chain(encoding)
