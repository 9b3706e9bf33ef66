# SPDX-License-Identifier: BSD-3-Clause
"""SSH tunnels for 0MQ connections (zmqx.ssh.tunnel), as pyzmq's ``zmq.ssh``."""
from zmqx.ssh.tunnel import (open_tunnel, openssh_tunnel, paramiko_tunnel,
                             select_random_ports, ssh_tunnel, try_passwordless_ssh,
                             tunnel_connection)

__all__ = ["tunnel_connection", "ssh_tunnel", "openssh_tunnel", "paramiko_tunnel",
           "try_passwordless_ssh", "select_random_ports", "open_tunnel"]
