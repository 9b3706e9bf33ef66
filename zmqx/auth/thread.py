# SPDX-License-Identifier: BSD-3-Clause
"""ThreadAuthenticator: ZAP answered by a background thread, as pyzmq's
``zmq.auth.thread``.

The thread spends its life in the compiled handler (``_ZapCore.serve``,
without the GIL), which answers fixed policies itself and hands the rest to
``handle_zap_message``.  ``stop()`` wakes it through an inproc PAIR pipe.
"""
from __future__ import annotations

import asyncio
from threading import Event, Thread
from typing import Any, Optional

import zmqx
from zmqx.auth.base import Authenticator, _reply_internal_error


class AuthenticationThread(Thread):
    """The thread running an Authenticator (started by ThreadAuthenticator)."""

    pipe: zmqx.Socket
    authenticator: Authenticator

    def __init__(self, authenticator: Authenticator, pipe: zmqx.Socket) -> None:
        super().__init__(daemon=True, name="zmqx-auth")
        self.authenticator = authenticator
        self.log = authenticator.log
        self.pipe = pipe
        self.started = Event()

    def run(self) -> None:
        """Serve until TERMINATE arrives on the pipe or the context ends."""
        auth = self.authenticator
        core, zap = auth._zap_core, auth.zap_socket
        loop: Optional[asyncio.AbstractEventLoop] = None
        self.started.set()
        try:
            while True:
                msg = core.serve(self.pipe)
                if msg is None:
                    if self._handle_pipe_message(self.pipe.recv_multipart()):
                        return
                    continue
                if loop is None:  # only for requests the compiled policy left to Python
                    loop = asyncio.new_event_loop()
                try:
                    loop.run_until_complete(auth.handle_zap_message(msg))
                except Exception:  # a failing callback must not stall every later handshake
                    self.log.exception("ZAP handler failed on %r", msg[:6])
                    _reply_internal_error(zap, msg)
        except zmqx.ContextTerminated:  # close what term() waits for; stop() is a no-op
            zap.close(linger=0)
            if isinstance(auth, ThreadAuthenticator) and auth.pipe is not None:
                auth.pipe.close(linger=0)
        finally:
            self.pipe.close(linger=0)
            if loop is not None:
                loop.close()

    def _handle_pipe_message(self, msg: list[bytes]) -> bool:
        """True for TERMINATE; anything else is answered ERROR."""
        self.log.debug("auth received API command %r", msg[0])
        if msg[0] == b"TERMINATE":
            return True
        self.log.error("Invalid auth command from API: %r", msg[0])
        self.pipe.send(b"ERROR")
        return False


class ThreadAuthenticator(Authenticator):
    """Run ZAP authentication in a background thread."""

    pipe: zmqx.Socket
    pipe_endpoint: str = ""
    thread: AuthenticationThread

    def __init__(self, context: Optional[zmqx.Context] = None, encoding: str = "utf-8",
                 log: Any = None) -> None:
        super().__init__(context=context, encoding=encoding, log=log)
        self.pipe = None  # type: ignore[assignment]
        self.pipe_endpoint = f"inproc://{id(self)}.inproc"
        self.thread = None  # type: ignore[assignment]

    def start(self) -> None:
        """Bind the ZAP socket and start the thread."""
        super().start()
        self.pipe = zmqx.Socket(self.context, zmqx.PAIR)
        self.pipe.linger = 1
        self.pipe.bind(self.pipe_endpoint)
        thread_pipe = zmqx.Socket(self.context, zmqx.PAIR)
        thread_pipe.linger = 1
        thread_pipe.connect(self.pipe_endpoint)
        self.thread = AuthenticationThread(authenticator=self, pipe=thread_pipe)
        self.thread.start()
        if not self.thread.started.wait(timeout=10):
            raise RuntimeError("Authenticator thread failed to start")

    def stop(self) -> None:
        """Stop the thread and close the sockets; start() may follow again."""
        if self.pipe:
            if self.is_alive():
                self.pipe.send(b"TERMINATE")
                self.thread.join()
            self.thread = None  # type: ignore[assignment]
            if not self.pipe.closed:
                self.pipe.unbind(self.pipe_endpoint)  # synchronous: start() may rebind
            self.pipe.close()
            self.pipe = None  # type: ignore[assignment]
        super().stop()

    def is_alive(self) -> bool:
        """Whether the ZAP thread is running."""
        return bool(self.thread and self.thread.is_alive())

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:
            pass  # interpreter shutdown, or a context already gone


__all__ = ["ThreadAuthenticator"]
