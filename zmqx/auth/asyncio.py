# SPDX-License-Identifier: BSD-3-Clause
"""AsyncioAuthenticator: ZAP answered on the running asyncio loop, as pyzmq's
``zmq.auth.asyncio``.

A task waits for the ZAP socket, then drains it through the compiled handler
(``_ZapCore.serve(block=False)``); only requests that need Python are awaited.
"""
from __future__ import annotations

import asyncio
import warnings
from typing import Any, Optional

import zmqx
from zmqx.asyncio import Poller
from zmqx.auth.base import Authenticator, _reply_internal_error


class AsyncioAuthenticator(Authenticator):
    """ZAP authentication on the asyncio loop running when start() is called."""

    __poller: Optional[Poller]
    __task: Any

    def __init__(self, context: Optional[zmqx.Context] = None, loop: Any = None,
                 encoding: str = "utf-8", log: Any = None) -> None:
        super().__init__(context, encoding, log)
        if loop is not None:
            warnings.warn(f"{self.__class__.__name__}(loop) is deprecated and ignored",
                          DeprecationWarning, stacklevel=2)
        self.__poller = None
        self.__task = None

    async def __handle_zap(self) -> None:
        core = self._zap_core
        while self.__poller is not None:
            await self.__poller.poll()
            while self.__poller is not None:
                msg = core.serve(None, block=False)
                if msg is None:
                    break
                try:
                    await self.handle_zap_message(msg)
                except Exception:  # a failing callback must not end ZAP service
                    self.log.exception("ZAP handler failed on %r", msg[:6])
                    _reply_internal_error(self.zap_socket, msg)

    def start(self) -> None:
        """Bind the ZAP socket and start serving it on the current loop."""
        super().start()
        self.__poller = Poller()
        self.__poller.register(self.zap_socket, zmqx.POLLIN)
        self.__task = asyncio.ensure_future(self.__handle_zap())

    def stop(self) -> None:
        """Stop serving and close the ZAP socket."""
        if self.__task:
            self.__task.cancel()
            self.__task = None
        if self.__poller:
            self.__poller.unregister(self.zap_socket)
            self.__poller = None
        super().stop()


__all__ = ["AsyncioAuthenticator"]
