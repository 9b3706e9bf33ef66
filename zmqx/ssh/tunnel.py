# SPDX-License-Identifier: BSD-3-Clause
"""SSH tunnels for ZeroMQ connections (pyzmq's ``zmq.ssh.tunnel``).

``tunnel_connection(sock, "tcp://10.0.0.5:5555", "user@gateway")`` forwards a
free local port through ``gateway`` to 10.0.0.5:5555 (as the gateway sees
it) and connects ``sock`` to the local end.

Tunnels run the OpenSSH client (``ssh`` on PATH), or paramiko in a child
process where there is none (Windows; ``paramiko=True``). The OpenSSH tunnel
is ``ssh -f -L 127.0.0.1:lport:remoteip:rport server sleep <timeout>``: it
stays up while a connection uses it and at least ``timeout`` seconds for the
first one. If a ControlMaster connection to the server is running, the
forward is added to it instead. Keys and ``~/.ssh/config`` are used first; a
password (given, or asked for with getpass) is handed to ssh through
``SSH_ASKPASS``, so no terminal emulation (pyzmq's pexpect) is needed.
"""
from __future__ import annotations

import atexit
import os
import re
import socket
import stat
import subprocess
import sys
import tempfile
from getpass import getpass, getuser
from multiprocessing import Process
from typing import Any

__all__ = [
    "tunnel_connection",
    "ssh_tunnel",
    "openssh_tunnel",
    "paramiko_tunnel",
    "try_passwordless_ssh",
]

try:
    import paramiko as _paramiko  # type: ignore[import-untyped, import-not-found, unused-ignore]
except ImportError:
    _paramiko = None


class SSHException(Exception):
    """The ssh connection failed for a reason other than a password (an
    unknown host key, for instance)."""


class MaxRetryExceeded(Exception):
    """The password was refused too many times."""


_MAX_PASSWORD_TRIES = 3
_HOST_KEY_FAILURE = re.compile(rb"Host key verification failed|REMOTE HOST IDENTIFICATION")
_AUTH_FAILURE = re.compile(rb"Permission denied|Too many authentication failures")


def select_random_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports free on this machine right now."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _split_server(server: str) -> tuple[str, str, int]:
    """(user, host, port) of ``[user@]host[:port]``."""
    user, _, hostport = server.rpartition("@")
    host, _, port = hostport.partition(":")
    return user or getuser(), host, int(port) if port else 22


def _ssh_args(server: str, keyfile: str | None) -> tuple[list[str], str]:
    """The ``ssh`` command's options for ``[user@]host[:port]``, and the destination."""
    args = ["ssh"]
    if keyfile:
        args += ["-i", keyfile]
    dest, _, port = server.partition(":")
    if port:
        args += ["-p", port]
    return args, dest


class _SshResult:
    """How one ssh command ended: exit status, its stderr, the process id."""

    def __init__(self, returncode: int, stderr: bytes, pid: int) -> None:
        self.returncode, self.stderr, self.pid = returncode, stderr, pid


def _run_ssh(args: list[str], password: str | None, timeout: float) -> _SshResult:
    """Run ssh with ``args`` until it exits (with ``-f``: until it goes to the
    background), with keys only (BatchMode) when ``password`` is None, else
    answering its password prompt through SSH_ASKPASS. Its stderr goes to a
    file, not a pipe, which a backgrounded ssh would hold open."""
    env = dict(os.environ)
    env.pop("SSH_ASKPASS", None)
    with tempfile.TemporaryDirectory(prefix="zmqx-ssh-") as tmp:
        if password is None:
            args = [args[0], "-o", "BatchMode=yes", *args[1:]]
        else:
            askpass = os.path.join(tmp, "askpass")
            with open(askpass, "w") as f:
                f.write('#!/bin/sh\nprintf "%s\\n" "$ZMQX_SSH_PASSWORD"\n')
            os.chmod(askpass, stat.S_IRWXU)
            env.update(SSH_ASKPASS=askpass, SSH_ASKPASS_REQUIRE="force",
                       ZMQX_SSH_PASSWORD=password, DISPLAY=env.get("DISPLAY", ":0"))
            args = [args[0], "-o", "NumberOfPasswordPrompts=1", *args[1:]]
        with open(os.path.join(tmp, "stderr"), "w+b") as err:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=err, env=env, start_new_session=True)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise
            err.seek(0)
            return _SshResult(proc.returncode, err.read(), proc.pid)


def _check_host_key(result: _SshResult) -> None:
    if result.returncode and _HOST_KEY_FAILURE.search(result.stderr):
        raise SSHException("The authenticity of the host can't be established.")


def try_passwordless_ssh(server: str, keyfile: str | None, paramiko: bool | None = None) -> bool:
    """Whether ``server`` accepts a login without a password (keys, agent).
    SSHException if its host key is unknown or changed."""
    if paramiko is None:
        paramiko = sys.platform == "win32"
    if paramiko:
        return _try_passwordless_paramiko(server, keyfile)
    args, dest = _ssh_args(server, keyfile)
    result = _run_ssh([*args, dest, "exit"], None, timeout=60)
    _check_host_key(result)
    return result.returncode == 0


def _try_passwordless_paramiko(server: str, keyfile: str | None) -> bool:
    if _paramiko is None:
        raise ImportError("Paramiko unavailable, use OpenSSH.")
    user, host, port = _split_server(server)
    client = _paramiko.SSHClient()
    try:
        client.load_host_keys(os.path.expanduser("~/.ssh/known_hosts"))
    except FileNotFoundError:
        pass
    policy = os.environ.get("PYZMQ_PARAMIKO_HOST_KEY_POLICY")
    if policy:
        client.set_missing_host_key_policy(getattr(_paramiko, f"{policy}Policy")())
    try:
        client.connect(host, port, username=user, key_filename=keyfile, look_for_keys=True)
    except _paramiko.AuthenticationException:
        return False
    client.close()
    return True


def tunnel_connection(socket: Any, addr: str, server: str, keyfile: str | None = None,
                      password: str | None = None, paramiko: bool | None = None,
                      timeout: int = 60) -> Process | int:
    """Connect ``socket`` to ``addr`` (``tcp://ip:port``, as ``server`` sees it)
    through an ssh tunnel via ``server``; returns the tunnel (a pid, or the
    paramiko Process)."""
    url, tunnel = open_tunnel(addr, server, keyfile=keyfile, password=password,
                              paramiko=paramiko, timeout=timeout)
    socket.connect(url)
    return tunnel


def open_tunnel(addr: str, server: str, keyfile: str | None = None,
                password: str | None = None, paramiko: bool | None = None,
                timeout: int = 60) -> tuple[str, Process | int]:
    """Open a tunnel to ``addr`` (``tcp://ip:port``) via ``server``; returns
    (the local ``tcp://127.0.0.1:port`` URL to connect to, the tunnel)."""
    transport, _, hostport = addr.partition("://")
    if transport != "tcp" or ":" not in hostport:
        raise ValueError(f"ssh tunnels forward tcp://host:port addresses, not {addr!r}")
    ip, _, rport = hostport.rpartition(":")
    lport = select_random_ports(1)[0]
    if paramiko is None:
        paramiko = sys.platform == "win32"
    make = paramiko_tunnel if paramiko else openssh_tunnel
    tunnel = make(lport, int(rport), server, remoteip=ip, keyfile=keyfile, password=password,
                  timeout=timeout)
    return f"tcp://127.0.0.1:{lport}", tunnel


def openssh_tunnel(lport: int, rport: int, server: str, remoteip: str = "127.0.0.1",
                   keyfile: str | None = None, password: str | None = None,
                   timeout: int = 60) -> int:
    """Forward 127.0.0.1:``lport`` here to ``remoteip``:``rport`` as seen
    from ``server`` (``[user@]host[:port]``) with the ``ssh`` command; returns
    the pid of the ssh process started (or of the ControlMaster used).

    Without ``password``, keys are tried first and the password is asked for
    (getpass) only if they are refused. The tunnel closes once unused, and
    ``timeout`` seconds after it opened at the latest if never used.
    """
    args, dest = _ssh_args(server, keyfile)
    forward = f"127.0.0.1:{lport}:{remoteip}:{rport}"
    master = subprocess.run([*args, "-O", "check", dest], stdin=subprocess.DEVNULL,
                            capture_output=True, timeout=60)
    found = re.search(rb"\(pid=(\d+)\)", master.stdout + master.stderr)
    if master.returncode == 0 and found:
        added = subprocess.run([*args, "-O", "forward", "-L", forward, dest],
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        if added.returncode == 0:
            atexit.register(subprocess.run, [*args, "-O", "cancel", "-L", forward, dest],
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
            return int(found.group(1))
    command = [*args, "-f", "-S", "none", "-o", "ExitOnForwardFailure=yes", "-L", forward,
               dest, "sleep", str(timeout)]
    for attempt in range(_MAX_PASSWORD_TRIES + 1):
        result = _run_ssh(command, password, timeout=max(timeout, 60))
        if result.returncode == 0:
            return result.pid
        _check_host_key(result)
        if not _AUTH_FAILURE.search(result.stderr):
            raise RuntimeError(f"tunnel {' '.join(command)!r} failed to start: "
                               f"{result.stderr.decode(errors='replace').strip()}")
        if password is not None and attempt:
            print("Password rejected, try again")
        password = getpass(f"{server}'s password: ")
    raise MaxRetryExceeded(f"Failed after {_MAX_PASSWORD_TRIES} attempts")


def paramiko_tunnel(lport: int, rport: int, server: str, remoteip: str = "127.0.0.1",
                    keyfile: str | None = None, password: str | None = None,
                    timeout: int = 60) -> Process:
    """The tunnel of openssh_tunnel made with paramiko, in a daemon Process
    (for machines without the ssh command). ``timeout`` is unused."""
    if _paramiko is None:
        raise ImportError("Paramiko not available")
    if password is None and not _try_passwordless_paramiko(server, keyfile):
        password = getpass(f"{server}'s password: ")
    from zmqx.ssh.forward import serve_paramiko_tunnel

    process = Process(target=serve_paramiko_tunnel, args=(lport, rport, server, remoteip),
                      kwargs={"keyfile": keyfile, "password": password}, daemon=True)
    process.start()
    return process


ssh_tunnel = paramiko_tunnel if sys.platform == "win32" else openssh_tunnel
