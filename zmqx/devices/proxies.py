# SPDX-License-Identifier: BSD-3-Clause
"""Proxy devices: zmq_proxy with a capture ("mon") socket, and the steerable
proxy with a control ("ctrl") socket, each in this thread, a thread or a process.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from zmqx.constants import PUB, QUEUE
from zmqx.devices.base import Device, ProcessDevice, ThreadDevice, _side_methods
from zmqx.proxy import proxy, proxy_steerable

__all__ = [
    "ProcessProxy",
    "ProcessProxySteerable",
    "Proxy",
    "ProxySteerable",
    "ThreadProxy",
    "ThreadProxySteerable",
]

if TYPE_CHECKING:
    _DeviceMixin = Device  # the mixins here are only ever combined with a Device
else:
    _DeviceMixin = object


class ProxyBase(_DeviceMixin):
    """Mixin: a device forwarding in <-> out with a copy of every message on
    a monitor socket (``mon_type``, PUB by default)."""

    _sides: tuple[str, ...] = ("in", "out", "mon")

    def __init__(self, in_type: int, out_type: int, mon_type: int = PUB) -> None:
        Device.__init__(self, QUEUE, in_type, out_type)
        self.mon_type = mon_type

    bind_mon, connect_mon, setsockopt_mon, bind_mon_to_random_port = _side_methods("mon")

    def run_device(self) -> None:
        ins, outs, mons = self._setup_sockets()
        proxy(ins, outs, mons)


class ProxySteerableBase(ProxyBase):
    """Mixin: ProxyBase obeying PAUSE/RESUME/TERMINATE/STATISTICS on a control
    socket (``ctrl_type``, e.g. PAIR); TERMINATE ends the device."""

    _sides: tuple[str, ...] = ("in", "out", "mon", "ctrl")

    def __init__(self, in_type: int, out_type: int, mon_type: int = PUB,
                 ctrl_type: int | None = None) -> None:
        if ctrl_type is None:
            raise TypeError("ctrl_type must be given")
        ProxyBase.__init__(self, in_type, out_type, mon_type)
        self.ctrl_type = ctrl_type

    bind_ctrl, connect_ctrl, setsockopt_ctrl, bind_ctrl_to_random_port = _side_methods("ctrl")

    def run_device(self) -> None:
        ins, outs, mons, ctrls = self._setup_sockets()
        proxy_steerable(ins, outs, mons, ctrls)


class Proxy(ProxyBase, Device):
    """A proxy device run in the calling thread."""


class ThreadProxy(ProxyBase, ThreadDevice):
    """A proxy device in a background thread."""


class ProcessProxy(ProxyBase, ProcessDevice):
    """A proxy device in a background process."""


# As in pyzmq, each steerable proxy is also the plain proxy of its kind
# (isinstance(dev, ThreadProxy) holds for a ThreadProxySteerable).
class ProxySteerable(ProxySteerableBase, Proxy):
    """A steerable proxy device run in the calling thread."""


class ThreadProxySteerable(ProxySteerableBase, ThreadProxy):
    """A steerable proxy device in a background thread."""


class ProcessProxySteerable(ProxySteerableBase, ProcessProxy):
    """A steerable proxy device in a background process."""
