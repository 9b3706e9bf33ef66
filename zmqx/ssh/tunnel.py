# SPDX-License-Identifier: BSD-3-Clause
"""SSH tunnels for 0MQ connections, as pyzmq's ``zmq.ssh.tunnel``.

``tunnel_connection(socket, "tcp://10.0.0.5:5555", "user@gateway:22")`` picks a
free local port, forwards it through ``ssh`` to the address as the server sees
it, and connects the socket to the local end.  The OpenSSH client is run
directly (no pexpect needed): without a password it runs in batch mode (keys,
agent); a password is handed over through ``SSH_ASKPASS``.  paramiko
(optional) runs the tunnel in a subprocess instead (:func:`paramiko_tunnel`).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import warnings
from getpass import getpass, getuser
from multiprocessing import Process
from typing import Any, Optional, Union

paramiko: Any  # optional
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import paramiko  # type: ignore[import-untyped,import-not-found,unused-ignore,no-redef]
except ImportError:
    paramiko = None


class SSHException(Exception):
    """An ssh tunnel could not be set up (paramiko's SSHException when it is
    installed is a different class: catch both, or Exception)."""


class MaxRetryExceeded(Exception):
    """Too many failed password attempts."""


def select_random_ports(n: int) -> list[int]:
    """``n`` distinct free TCP ports on 127.0.0.1 (free when this returns)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _split_server(server: str) -> tuple[str, str, int]:
    """"user@host:port" as (user, host, port), defaulting to you and 22."""
    username, at, hostport = server.partition("@")
    if not at:
        username, hostport = getuser(), server
    host, _, port = hostport.partition(":")
    return username, host, int(port) if port else 22


def _ssh_argv(server: str, keyfile: Optional[str]) -> list[str]:
    """``ssh [-i keyfile] [-p port] user@host`` for "user@host:port"."""
    argv = ["ssh"]
    if keyfile:
        argv += ["-i", keyfile]
    login, _, port = server.partition(":")
    if port:
        argv += ["-p", port]
    return argv + [login]


def _run_ssh(argv: list[str], password: Optional[str], wait: float) -> tuple[int, int, str]:
    """Run ssh non-interactively: (pid, exit status, stderr).  With a password,
    ssh asks for it through an SSH_ASKPASS helper reading our environment."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="zmqx-ssh-") as tmp:
        if password is None:
            argv = argv[:1] + ["-o", "BatchMode=yes"] + argv[1:]
            env.pop("SSH_ASKPASS", None)
        else:
            askpass = os.path.join(tmp, "askpass")
            with open(os.open(askpass, os.O_WRONLY | os.O_CREAT, 0o700), "w") as f:
                f.write('#!/bin/sh\nprintf "%s\\n" "$ZMQX_SSH_PASSWORD"\n')
            env.update(SSH_ASKPASS=askpass, SSH_ASKPASS_REQUIRE="force",
                       ZMQX_SSH_PASSWORD=password, DISPLAY=env.get("DISPLAY", ":0"))
            argv = argv[:1] + ["-o", "NumberOfPasswordPrompts=1"] + argv[1:]
        errors = os.path.join(tmp, "stderr")
        with open(errors, "w+b") as err:
            # stderr goes to a file: a backgrounded ssh (-f) keeps it open
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=err, env=env, start_new_session=True)
            try:
                status = proc.wait(wait)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise SSHException(f"{' '.join(argv)} did not finish in {wait}s") from None
            err.seek(0)
            return proc.pid, status, err.read().decode("utf-8", "replace").strip()


def try_passwordless_ssh(server: str, keyfile: Optional[str] = None,
                         paramiko: Optional[bool] = None) -> bool:
    """Whether ``server`` lets us in without a password (keys, agent)."""
    if paramiko is None:
        paramiko = sys.platform == "win32"
    if paramiko:
        return _try_passwordless_paramiko(server, keyfile)
    return _try_passwordless_openssh(server, keyfile)


def _try_passwordless_openssh(server: str, keyfile: Optional[str]) -> bool:
    _, status, _ = _run_ssh(_ssh_argv(server, keyfile) + ["exit"], None, 60)
    return status == 0


def _try_passwordless_paramiko(server: str, keyfile: Optional[str]) -> bool:
    if paramiko is None:
        raise ImportError("Paramiko unavailable, use try_passwordless_ssh(paramiko=False)")
    username, host, port = _split_server(server)
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.WarningPolicy())
    try:
        client.connect(host, port, username=username, key_filename=keyfile,
                       look_for_keys=True)
    except paramiko.AuthenticationException:
        return False
    finally:
        client.close()
    return True


def tunnel_connection(socket: Any, addr: str, server: str, keyfile: Optional[str] = None,
                      password: Optional[str] = None, paramiko: Optional[bool] = None,
                      timeout: int = 60) -> Union[int, Process]:
    """Connect ``socket`` to ``addr`` (as reachable from ``server``) through an
    ssh tunnel; return the tunnel (a pid, or a Process with paramiko)."""
    new_url, tunnel = open_tunnel(addr, server, keyfile=keyfile, password=password,
                                  paramiko=paramiko, timeout=timeout)
    socket.connect(new_url)
    return tunnel


def open_tunnel(addr: str, server: str, keyfile: Optional[str] = None,
                password: Optional[str] = None, paramiko: Optional[bool] = None,
                timeout: int = 60) -> tuple[str, Union[int, Process]]:
    """Forward a fresh local port to ``addr`` ("tcp://ip:port" as ``server``
    sees it); return ("tcp://127.0.0.1:<local port>", tunnel)."""
    transport, sep, location = addr.partition("://")
    ip, _, rport = location.rpartition(":")
    if not sep or transport != "tcp" or not ip or not rport.isdigit():
        raise ValueError(f"ssh tunnels carry tcp://host:port addresses, not {addr!r}")
    lport = select_random_ports(1)[0]
    if paramiko is None:
        paramiko = sys.platform == "win32"
    tunnelf = paramiko_tunnel if paramiko else openssh_tunnel
    tunnel = tunnelf(lport, int(rport), server, remoteip=ip, keyfile=keyfile,
                     password=password, timeout=timeout)
    return f"tcp://127.0.0.1:{lport}", tunnel


def openssh_tunnel(lport: int, rport: int, server: str, remoteip: str = "127.0.0.1",
                   keyfile: Optional[str] = None, password: Optional[str] = None,
                   timeout: int = 60) -> int:
    """Forward 127.0.0.1:``lport`` here to ``remoteip``:``rport`` as seen from
    ``server`` ("user@host:port"), with the ``ssh`` command.

    The tunnel is up when this returns (ssh backgrounds itself only once the
    forwarding is in place); it stays for ``timeout`` seconds and then for as
    long as a connection uses it.  Without a password, ssh must get in by key
    or agent; if it cannot and a terminal is attached, the password is asked.
    Returns the pid of the ssh command started.
    """
    argv = _ssh_argv(server, keyfile)
    cmd = argv[:-1] + ["-f", "-S", "none", "-o", "ExitOnForwardFailure=yes",
                       "-L", f"127.0.0.1:{lport}:{remoteip}:{rport}", argv[-1],
                       "sleep", str(timeout)]
    for _attempt in range(3):
        pid, status, errors = _run_ssh(cmd, password, max(timeout, 30))
        if status == 0:
            return pid
        if "Permission denied" not in errors or not sys.stdin.isatty():
            raise SSHException(f"ssh tunnel to {server} failed ({status}): {errors}")
        if password is not None:
            print("Password rejected, try again")
        password = getpass(f"{server}'s password: ")
    raise MaxRetryExceeded("Failed after 3 password attempts")


def paramiko_tunnel(lport: int, rport: int, server: str, remoteip: str = "127.0.0.1",
                    keyfile: Optional[str] = None, password: Optional[str] = None,
                    timeout: int = 60) -> Process:
    """The tunnel of :func:`openssh_tunnel`, run by paramiko in a daemon
    subprocess (terminate it to close the tunnel).  For machines without the
    ssh command (Windows)."""
    if paramiko is None:
        raise ImportError("Paramiko not available")
    if password is None and not _try_passwordless_paramiko(server, keyfile):
        password = getpass(f"{server}'s password: ")
    p = Process(target=_paramiko_tunnel, args=(lport, rport, server, remoteip),
                kwargs=dict(keyfile=keyfile, password=password), daemon=True)
    p.start()
    return p


def _paramiko_tunnel(lport: int, rport: int, server: str, remoteip: str,
                     keyfile: Optional[str] = None, password: Optional[str] = None) -> None:
    """The paramiko_tunnel subprocess: log in, then forward until killed."""
    from zmqx.ssh.forward import forward_tunnel

    username, host, port = _split_server(server)
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.WarningPolicy())
    try:
        client.connect(host, port, username=username, key_filename=keyfile,
                       look_for_keys=True, password=password)
    except Exception as e:
        print(f"*** Failed to connect to {host}:{port}: {e!r}", file=sys.stderr)
        sys.exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent's Ctrl-C is not ours
    try:
        forward_tunnel(lport, remoteip, rport, client.get_transport())
    except Exception as e:
        print(f"Port forwarding stopped uncleanly: {e}", file=sys.stderr)
        sys.exit(255)


ssh_tunnel = paramiko_tunnel if sys.platform == "win32" else openssh_tunnel

__all__ = ["tunnel_connection", "ssh_tunnel", "openssh_tunnel", "paramiko_tunnel",
           "try_passwordless_ssh", "select_random_ports", "open_tunnel"]
