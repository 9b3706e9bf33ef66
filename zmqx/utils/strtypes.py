# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's deprecated ``zmq.utils.strtypes``: str/bytes names and casts
(kept so old code imports; each cast warns, as pyzmq's does)."""
from __future__ import annotations

import warnings

__all__ = ["asbytes", "b", "basestring", "bytes", "cast_bytes", "cast_unicode", "u", "unicode"]

bytes = bytes  # noqa: PLW0127 -- re-exported builtin, pyzmq's name
unicode = str
basestring = (str,)


def _deprecated() -> None:
    warnings.warn("zmq.utils.strtypes is deprecated in pyzmq 23.", DeprecationWarning,
                  stacklevel=3)


def cast_bytes(s: str | bytes, encoding: str = "utf8", errors: str = "strict") -> bytes:
    """``s`` as bytes (str is encoded); TypeError for anything else."""
    _deprecated()
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode(encoding, errors)
    raise TypeError(f"Expected unicode or bytes, got {s!r}")


def cast_unicode(s: str | bytes, encoding: str = "utf8", errors: str = "strict") -> str:
    """``s`` as str (bytes are decoded); TypeError for anything else."""
    _deprecated()
    if isinstance(s, bytes):
        return s.decode(encoding, errors)
    if isinstance(s, str):
        return s
    raise TypeError(f"Expected unicode or bytes, got {s!r}")


b = asbytes = cast_bytes
u = cast_unicode
