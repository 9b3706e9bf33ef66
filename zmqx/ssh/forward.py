# SPDX-License-Identifier: BSD-3-Clause
"""Local port forwarding over a paramiko transport, as pyzmq's
``zmq.ssh.forward``: what ``ssh -L`` does, for zmqx.ssh.tunnel.paramiko_tunnel."""
from __future__ import annotations

import logging
import select
import socketserver
from typing import Any

logger = logging.getLogger("ssh")

_CHUNK = 65536


class ForwardServer(socketserver.ThreadingTCPServer):
    """Listens on 127.0.0.1:port; each connection gets its own ssh channel."""

    daemon_threads = True
    allow_reuse_address = True


class Handler(socketserver.BaseRequestHandler):
    """Copy bytes both ways between one local connection and its channel."""

    chain_host: str
    chain_port: int
    ssh_transport: Any

    def handle(self) -> None:
        try:
            chan = self.ssh_transport.open_channel(
                "direct-tcpip", (self.chain_host, self.chain_port),
                self.request.getpeername())
        except Exception as e:
            logger.debug("Incoming request to %s:%d failed: %r", self.chain_host,
                         self.chain_port, e)
            return
        if chan is None:
            logger.debug("Incoming request to %s:%d was rejected by the SSH server.",
                         self.chain_host, self.chain_port)
            return
        try:
            ends = [self.request, chan]
            while True:
                readable, _, _ = select.select(ends, [], [])
                for src in readable:
                    data = src.recv(_CHUNK)
                    if not data:
                        return
                    (chan if src is self.request else self.request).sendall(data)
        finally:
            chan.close()
            self.request.close()


def forward_tunnel(local_port: int, remote_host: str, remote_port: int,
                   transport: Any) -> None:
    """Serve 127.0.0.1:``local_port`` forever, forwarding each connection to
    ``remote_host``:``remote_port`` through ``transport``."""
    handler = type("SubHandler", (Handler,), dict(
        chain_host=remote_host, chain_port=remote_port, ssh_transport=transport))
    ForwardServer(("127.0.0.1", local_port), handler).serve_forever()


__all__ = ["forward_tunnel"]
