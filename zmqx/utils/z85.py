# SPDX-License-Identifier: BSD-3-Clause
"""Z85 (ZeroMQ RFC 32) as pyzmq's ``zmq.utils.z85``: encode/decode over the
compiled, input-checking zmqx.z85_encode / zmqx.z85_decode."""
from __future__ import annotations

from typing import Final, Union

from zmqx._zmq import z85_decode, z85_encode

Z85CHARS: Final = (b"0123456789abcdefghijklmnopqrstuvwxyz"
                   b"ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")


def encode(rawbytes: Union[bytes, bytearray, memoryview]) -> bytes:
    """Z85 text of ``rawbytes`` (length a multiple of 4)."""
    return z85_encode(rawbytes)


def decode(z85bytes: Union[str, bytes, bytearray, memoryview]) -> bytes:
    """The bytes of Z85 text (str or bytes; length a multiple of 5)."""
    return z85_decode(z85bytes)


__all__ = ["Z85CHARS", "encode", "decode"]
