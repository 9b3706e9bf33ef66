# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.devices.basedevice`` path: the device classes of zmqx.devices.base."""
from zmqx.devices.base import Device, ProcessDevice, ThreadDevice

__all__ = ["Device", "ThreadDevice", "ProcessDevice"]
