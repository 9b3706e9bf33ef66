# SPDX-License-Identifier: BSD-3-Clause
"""SSH tunnels for ZeroMQ connections (pyzmq's ``zmq.ssh``): see zmqx.ssh.tunnel."""
from zmqx.ssh.tunnel import (openssh_tunnel, paramiko_tunnel, ssh_tunnel, try_passwordless_ssh,
                             tunnel_connection)

__all__ = ["tunnel_connection", "ssh_tunnel", "openssh_tunnel", "paramiko_tunnel",
           "try_passwordless_ssh"]
