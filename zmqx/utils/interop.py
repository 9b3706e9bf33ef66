# SPDX-License-Identifier: BSD-3-Clause
"""Interoperability helpers (pyzmq's ``zmq.utils.interop``): addresses from other libraries."""
from __future__ import annotations

from typing import Any

__all__ = ["cast_int_addr"]


def cast_int_addr(n: Any) -> int:
    """An address as a Python int: an int as it is, or a cffi pointer's value
    (as ``Context.shadow``/``Socket.shadow`` take them). ValueError otherwise."""
    if isinstance(n, int):
        return n
    try:
        import cffi  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        pass
    else:
        ffi = cffi.FFI()
        if isinstance(n, ffi.CData):
            return int(ffi.cast("size_t", n))
    raise ValueError(f"Cannot cast {n!r} to int")
