# SPDX-License-Identifier: BSD-3-Clause
"""ZAP authentication (RFC 27) and CURVE certificates, as pyzmq's ``zmq.auth``.

Run the authenticator in a thread (:mod:`zmqx.auth.thread`) or on an asyncio
loop (:mod:`zmqx.auth.asyncio`); certificate files are in
:mod:`zmqx.auth.certs`.  Fixed policies (allow/deny lists, CURVE key
directories, PLAIN passwords) are answered in compiled code (zmqx/_zap.pxi).
"""
from zmqx.auth.base import CURVE_ALLOW_ANY, Authenticator
from zmqx.auth.certs import create_certificates, load_certificate, load_certificates

__all__ = ["Authenticator", "CURVE_ALLOW_ANY", "create_certificates", "load_certificate",
           "load_certificates"]
