# SPDX-License-Identifier: BSD-3-Clause
"""IOLoopAuthenticator: pyzmq's deprecated tornado authenticator (``zmq.auth.ioloop``).

tornado runs on asyncio, so this is the asyncio authenticator under the old name;
importing the module warns, as pyzmq's does.
"""
from __future__ import annotations

import warnings
from typing import Any, Optional

import zmqx
from zmqx.auth.asyncio import AsyncioAuthenticator

warnings.warn("zmqx.auth.ioloop.IOLoopAuthenticator is deprecated: use "
              "zmqx.auth.asyncio.AsyncioAuthenticator", DeprecationWarning, stacklevel=2)


class IOLoopAuthenticator(AsyncioAuthenticator):
    """ZAP authentication on the tornado IOLoop (its asyncio loop)."""

    def __init__(self, context: Optional[zmqx.Context] = None, encoding: str = "utf-8",
                 log: Any = None, io_loop: Any = None) -> None:
        if io_loop is not None:
            warnings.warn(f"{type(self).__name__}(io_loop) is deprecated and ignored",
                          DeprecationWarning, stacklevel=2)
        super().__init__(context=context, encoding=encoding, log=log)


__all__ = ["IOLoopAuthenticator"]
