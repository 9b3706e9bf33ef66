"""SSH tunnels (``<module>.ssh``) through a real OpenSSH server: a private
sshd on 127.0.0.1 with throw-away keys, reached through an ``ssh`` wrapper
on PATH that points the client at this test's own config (known_hosts,
identity), so nothing of the user's ~/.ssh is read or written.

Skipped where sshd or ssh is not installed (``openssh-server``,
``openssh-client``), or where sshd cannot run.
"""
import importlib
import os
import shutil
import socket
import subprocess
from getpass import getuser

import pytest

from _backend import IS_ZMQX, MODULE_NAME, wait_until, zmq

tunnel = importlib.import_module(f"{MODULE_NAME}.ssh.tunnel")
SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)
SSH = shutil.which("ssh")
KEYGEN = shutil.which("ssh-keygen")
TUNNEL_TIMEOUT = 5  # s: the tunnel's remote `sleep`; it closes soon after the test


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connectable(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def sshd(tmp_path, monkeypatch):
    """``user@127.0.0.1:port`` of a private sshd accepting this test's key."""
    if not (SSHD and SSH and KEYGEN):
        pytest.skip("OpenSSH server/client not installed")
    if not IS_ZMQX:
        pytest.importorskip("pexpect")  # pyzmq drives ssh through pexpect
    if os.geteuid() == 0 and not os.path.isdir("/run/sshd"):
        try:
            os.makedirs("/run/sshd", 0o755)  # sshd's privilege-separation directory
        except OSError as e:
            pytest.skip(f"sshd needs /run/sshd: {e}")
    for name in ("host_key", "id"):
        subprocess.run([KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / name)],
                       check=True, timeout=30)
    shutil.copy(tmp_path / "id.pub", tmp_path / "authorized_keys")
    port = _free_port()
    (tmp_path / "sshd_config").write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {tmp_path}/host_key
PidFile {tmp_path}/sshd.pid
AuthorizedKeysFile {tmp_path}/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
LogLevel ERROR
""")
    host_key = (tmp_path / "host_key.pub").read_text().split()
    (tmp_path / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    (tmp_path / "ssh_config").write_text(f"""\
Host *
  UserKnownHostsFile {tmp_path}/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  IdentityFile {tmp_path}/id
  IdentitiesOnly yes
  ControlPath none
""")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "ssh").write_text(f'#!/bin/sh\nexec {SSH} -F {tmp_path}/ssh_config "$@"\n')
    (bindir / "ssh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(tmp_path / "sshd_config")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: server.poll() is not None or _connectable(port), timeout=10,
                   what="sshd to listen")
        if server.poll() is not None:
            pytest.skip(f"sshd did not start: {server.stderr.read().decode()[-300:]}")
        yield f"{getuser()}@127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


def test_tunnel_connection_carries_messages(sshd, sock):
    rep = sock(zmq.REP)
    rep.bind("tcp://127.0.0.1:0")
    rport = int(rep.get_string(zmq.LAST_ENDPOINT).rsplit(":", 1)[1])
    req = sock(zmq.REQ, linger=0)
    pid = tunnel.tunnel_connection(req, f"tcp://127.0.0.1:{rport}", sshd,
                                   timeout=TUNNEL_TIMEOUT)
    assert isinstance(pid, int) and pid > 0
    local = req.get_string(zmq.LAST_ENDPOINT)
    assert local.startswith("tcp://127.0.0.1:") and not local.endswith(f":{rport}")
    req.send(b"through ssh")
    assert rep.recv() == b"through ssh"  # RCVTIMEO bounds the wait
    rep.send(b"and back")
    assert req.recv() == b"and back"


def test_open_tunnel_returns_local_url(sshd, sock):
    pull = sock(zmq.PULL)
    pull.bind("tcp://127.0.0.1:0")
    rport = int(pull.get_string(zmq.LAST_ENDPOINT).rsplit(":", 1)[1])
    url, pid = tunnel.open_tunnel(f"tcp://127.0.0.1:{rport}", sshd, timeout=TUNNEL_TIMEOUT)
    assert url.startswith("tcp://127.0.0.1:") and isinstance(pid, int)
    push = sock(zmq.PUSH, linger=0)
    push.connect(url)
    push.send(b"x")
    assert pull.recv() == b"x"


def test_try_passwordless_ssh(sshd, tmp_path):
    assert tunnel.try_passwordless_ssh(sshd, None) is True
    (tmp_path / "authorized_keys").write_text("")  # the server no longer knows the key
    assert tunnel.try_passwordless_ssh(sshd, None) is False


def test_unknown_host_key_is_ssh_exception(sshd, tmp_path):
    (tmp_path / "known_hosts").write_text("")
    with pytest.raises(tunnel.SSHException):
        tunnel.try_passwordless_ssh(sshd, None)


def test_open_tunnel_needs_tcp_host_port():
    with pytest.raises(ValueError):
        tunnel.open_tunnel("ipc:///tmp/x", "localhost")


def test_select_random_ports():
    ports = tunnel.select_random_ports(3)
    assert len(set(ports)) == 3 and all(0 < p < 65536 for p in ports)


def test_paramiko_tunnel_without_paramiko():
    try:
        import paramiko  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError):
            tunnel.paramiko_tunnel(_free_port(), 1, "localhost")
    else:
        pytest.skip("paramiko is installed")

