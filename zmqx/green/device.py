# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.green.device: device() and proxy() that block only the calling greenlet."""
from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from zmqx.constants import POLLIN
from zmqx.green.poll import Poller

if TYPE_CHECKING:
    from zmqx._zmq import Socket

__all__ = ["device", "proxy"]


def proxy(frontend: Socket, backend: Socket, capture: Socket | None = None) -> NoReturn:
    """Forward messages both ways between ``frontend`` and ``backend`` (each
    message also to ``capture`` if given) until an error -- such as the
    context being terminated -- ends it.  Runs in the calling greenlet."""
    poller = Poller()
    poller.register(frontend, POLLIN)
    if backend is not frontend:
        poller.register(backend, POLLIN)
    while True:
        for sock, _ in poller.poll():
            msg = sock.recv_multipart(copy=False)
            if capture is not None:
                capture.send_multipart(msg, copy=False)
            (backend if sock is frontend else frontend).send_multipart(msg, copy=False)


def device(device_type: int, isocket: Socket, osocket: Socket | int) -> NoReturn:
    """pyzmq's ``zmq.green.device``: forward between ``isocket`` and
    ``osocket`` (-1: ``isocket`` both ways) as proxy() does.  ``device_type``
    (QUEUE, FORWARDER, STREAMER) is not needed: the sockets' types decide."""
    if isinstance(osocket, int):
        if osocket != -1:
            raise TypeError(f"osocket must be a Socket or -1, not {osocket!r}")
        osocket = isocket
    proxy(isocket, osocket)
