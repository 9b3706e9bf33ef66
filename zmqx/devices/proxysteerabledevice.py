# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.devices.proxysteerabledevice`` path: the steerable proxy
devices of zmqx.devices.proxies."""
from zmqx.devices.proxies import (ProcessProxySteerable, ProxySteerable, ProxySteerableBase,
                                  ThreadProxySteerable)

__all__ = ["ProxySteerable", "ThreadProxySteerable", "ProcessProxySteerable"]
