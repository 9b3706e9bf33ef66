# SPDX-License-Identifier: BSD-3-Clause
"""JSON to and from UTF-8 bytes (pyzmq's ``zmq.utils.jsonapi``), over the stdlib json."""
from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps", "loads"]

jsonmod = json  # the JSON module in use (pyzmq's name; always the standard library)


def dumps(o: object, **kwargs: Any) -> bytes:
    """``o`` as JSON, UTF-8 encoded; keyword arguments go to :func:`json.dumps`."""
    return json.dumps(o, **kwargs).encode("utf-8")


def loads(s: bytes | str, **kwargs: Any) -> dict[str, Any] | list[Any] | str | float:
    """The object in JSON ``s`` (bytes are UTF-8); keyword arguments go to :func:`json.loads`."""
    if isinstance(s, bytes):
        s = s.decode("utf-8")
    result: dict[str, Any] | list[Any] | str | float = json.loads(s, **kwargs)
    return result
