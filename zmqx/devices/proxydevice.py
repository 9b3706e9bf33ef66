# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.devices.proxydevice`` path: the proxy devices of zmqx.devices.proxies."""
from zmqx.devices.proxies import ProcessProxy, Proxy, ProxyBase, ThreadProxy

__all__ = ["Proxy", "ThreadProxy", "ProcessProxy"]
