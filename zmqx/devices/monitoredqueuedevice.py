# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.devices.monitoredqueuedevice`` path: the monitored queue
devices of zmqx.devices.monitoredqueue."""
from zmqx.devices.monitoredqueue import (MonitoredQueue, MonitoredQueueBase,
                                         ProcessMonitoredQueue, ThreadMonitoredQueue)

__all__ = ["MonitoredQueue", "ThreadMonitoredQueue", "ProcessMonitoredQueue"]
