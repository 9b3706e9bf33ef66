# SPDX-License-Identifier: BSD-3-Clause
"""MonitoredQueue devices: a two-way queue that copies all traffic, prefixed
by its direction, to a monitor socket (the loop: zmqx._zmq.monitored_queue).
"""
from __future__ import annotations

from zmqx._zmq import monitored_queue
from zmqx.constants import PUB
from zmqx.devices.proxies import ProcessProxy, Proxy, ProxyBase, ThreadProxy

__all__ = [
    "MonitoredQueue",
    "ProcessMonitoredQueue",
    "ThreadMonitoredQueue",
    "monitored_queue",
]


class MonitoredQueueBase(ProxyBase):
    """Mixin: forward in <-> out; the mon socket gets ``[in_prefix, *frames]``
    for in -> out traffic and ``[out_prefix, *frames]`` for out -> in.
    ROUTER to ROUTER swaps the first two frames (sender and recipient ids)."""

    def __init__(self, in_type: int, out_type: int, mon_type: int = PUB, in_prefix: bytes = b"in",
                 out_prefix: bytes = b"out") -> None:
        ProxyBase.__init__(self, in_type, out_type, mon_type)
        self.in_prefix = in_prefix
        self.out_prefix = out_prefix

    def run_device(self) -> None:
        ins, outs, mons = self._setup_sockets()
        monitored_queue(ins, outs, mons, self.in_prefix, self.out_prefix)


# As in pyzmq, each monitored queue is also the proxy device of its kind.
class MonitoredQueue(MonitoredQueueBase, Proxy):
    """A monitored queue run in the calling thread."""


class ThreadMonitoredQueue(MonitoredQueueBase, ThreadProxy):
    """A monitored queue in a background thread."""


class ProcessMonitoredQueue(MonitoredQueueBase, ProcessProxy):
    """A monitored queue in a background process."""
