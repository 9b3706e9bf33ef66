# SPDX-License-Identifier: BSD-3-Clause
"""zmqx.green: gevent-cooperative zmqx (pyzmq's ``zmq.green``).

``import zmqx.green as zmq``: the whole zmqx namespace, with Context, Socket,
Poller, select, device and proxy replaced by versions whose blocking calls
block only the calling greenlet.  No monkey-patching is needed.
"""
from __future__ import annotations

import zmqx as _zmqx
from zmqx import *  # noqa: F401,F403
from zmqx.green.core import Context, Socket  # type: ignore[assignment]  # green subclasses
from zmqx.green.device import device, proxy  # type: ignore[assignment]  # (isocket, osocket)
from zmqx.green.poll import Poller, select

__all__: list[str] = list(_zmqx.__all__)
