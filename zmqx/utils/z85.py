# SPDX-License-Identifier: BSD-3-Clause
"""Z85 (ZeroMQ RFC 32) encoding, pyzmq's ``zmq.utils.z85``, over libzmq's own
zmq_z85_encode/zmq_z85_decode (zmqx.z85_encode / z85_decode).

Input is checked here, before libzmq sees it, so bad input raises what pyzmq
raises: TypeError for a non-buffer, ValueError for a bad length or non-ASCII
text, and for a character outside the alphabet an error that is both a
ValueError and (pyzmq's) KeyError.
"""
from __future__ import annotations

from typing import Final, Union

from zmqx._zmq import z85_decode as _decode
from zmqx._zmq import z85_encode as _encode

__all__ = ["Z85CHARS", "Z85MAP", "decode", "encode"]

_RawBytes = Union[bytes, bytearray, memoryview]

Z85CHARS: Final = (b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   b".-:+=^!/*?&<>()[]{}@%$#")
Z85MAP: Final[dict[int, int]] = {c: i for i, c in enumerate(Z85CHARS)}


class Z85DecodeError(ValueError, KeyError):
    """A character outside the Z85 alphabet (pyzmq raises KeyError for it)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _raw(data: object) -> bytes:
    """The bytes of a buffer (TypeError for anything else, str included)."""
    if isinstance(data, bytes):
        return data
    return memoryview(data).tobytes()  # type: ignore[arg-type]


def encode(rawbytes: _RawBytes) -> bytes:
    """Z85 text (as bytes) of ``rawbytes``, whose length must be a multiple of 4."""
    raw = _raw(rawbytes)
    if len(raw) % 4:
        raise ValueError(f"length must be multiple of 4, not {len(raw)}")
    return _encode(raw)


def decode(z85bytes: str | _RawBytes) -> bytes:
    """The bytes encoded by Z85 ``z85bytes`` (bytes, or ASCII str), whose length
    must be a multiple of 5."""
    if isinstance(z85bytes, str):
        try:
            raw = z85bytes.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError("string argument should contain only ASCII characters") from None
    else:
        raw = _raw(z85bytes)
    if len(raw) % 5:
        raise ValueError(f"Z85 length must be multiple of 5, not {len(raw)}")
    if not raw:
        return b""  # zmq_z85_decode refuses an empty string
    bad = raw.translate(None, Z85CHARS)
    if bad:
        raise Z85DecodeError(f"not a Z85 character: {bad[:1]!r}")
    return _decode(raw)
