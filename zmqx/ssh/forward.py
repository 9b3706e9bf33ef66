# SPDX-License-Identifier: BSD-3-Clause
"""Local port forwarding over a paramiko transport (pyzmq's
``zmq.ssh.forward``): what ``paramiko_tunnel`` runs in its child process.
Each connection to 127.0.0.1:local_port gets a ``direct-tcpip`` channel to
remote_host:remote_port through the ssh server; bytes are pumped both ways
until either side closes."""
from __future__ import annotations

import logging
import selectors
import signal
import socketserver
import sys
from typing import Any

__all__ = ["forward_tunnel"]

logger = logging.getLogger("zmqx.ssh")


class _ForwardServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, local_port: int, remote: tuple[str, int], transport: Any) -> None:
        self.remote = remote
        self.transport = transport
        super().__init__(("127.0.0.1", local_port), _Forward)


class _Forward(socketserver.BaseRequestHandler):
    server: _ForwardServer

    def handle(self) -> None:
        try:
            chan = self.server.transport.open_channel("direct-tcpip", self.server.remote,
                                                      self.request.getpeername())
        except Exception as e:  # the ssh server refused: drop this connection only
            logger.debug("forward to %s:%d failed: %r", *self.server.remote, e)
            return
        if chan is None:
            return
        with selectors.DefaultSelector() as sel:
            sel.register(self.request, selectors.EVENT_READ, chan)
            sel.register(chan, selectors.EVENT_READ, self.request)
            done = False
            while not done:
                for key, _ in sel.select():
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        done = True
                        break
                    key.data.sendall(data)
        chan.close()
        self.request.close()


def forward_tunnel(local_port: int, remote_host: str, remote_port: int,
                   transport: Any) -> None:
    """Serve 127.0.0.1:``local_port``, forwarding each connection to
    ``remote_host``:``remote_port`` over paramiko ``transport``, for ever."""
    _ForwardServer(local_port, (remote_host, remote_port), transport).serve_forever()


def serve_paramiko_tunnel(lport: int, rport: int, server: str, remoteip: str,
                          keyfile: str | None = None, password: str | None = None) -> None:
    """A paramiko_tunnel's process: log in to ``server``, then forward_tunnel."""
    import paramiko  # type: ignore[import-untyped, import-not-found, unused-ignore]

    from zmqx.ssh.tunnel import _split_server

    user, host, port = _split_server(server)
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.WarningPolicy())
    try:
        client.connect(host, port, username=user, key_filename=keyfile, look_for_keys=True,
                       password=password)
    except Exception as e:
        print(f"*** Failed to connect to {host}:{port}: {e!r}")
        sys.exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent's Ctrl-C is not for us
    try:
        forward_tunnel(lport, remoteip, rport, client.get_transport())
    except Exception as e:
        print(f"Port forwarding stopped uncleanly: {e}")
        sys.exit(255)
