# SPDX-License-Identifier: BSD-3-Clause
"""Logging over ZeroMQ (pyzmq's ``zmq.log``): ``zmqx.log.handlers`` publishes
log records on a PUB socket; ``python -m zmqx.log URL`` prints them."""
