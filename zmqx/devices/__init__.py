# SPDX-License-Identifier: BSD-3-Clause
"""Background devices, as pyzmq's ``zmq.devices``: proxies and monitored queues
that make their own sockets and run in this thread, a thread or a process."""
from zmqx.devices.base import Device, ProcessDevice, ThreadDevice
from zmqx.devices.monitoredqueue import (
                                         MonitoredQueue,
                                         ProcessMonitoredQueue,
                                         ThreadMonitoredQueue,
                                         monitored_queue,
)
from zmqx.devices.proxies import (
                                         ProcessProxy,
                                         ProcessProxySteerable,
                                         Proxy,
                                         ProxySteerable,
                                         ThreadProxy,
                                         ThreadProxySteerable,
)

__all__ = [
                                         "Device",
                                         "MonitoredQueue",
                                         "ProcessDevice",
                                         "ProcessMonitoredQueue",
                                         "ProcessProxy",
                                         "ProcessProxySteerable",
                                         "Proxy",
                                         "ProxySteerable",
                                         "ThreadDevice",
                                         "ThreadMonitoredQueue",
                                         "ThreadProxy",
                                         "ThreadProxySteerable",
                                         "monitored_queue",
]
