# SPDX-License-Identifier: BSD-3-Clause
"""Helpers over the core API, as in pyzmq's ``zmq.utils`` (see zmqx.utils.monitor)."""
