"""zmqx.ssh.tunnel against a real sshd on 127.0.0.1, started by this module
with generated host and user keys (Debian's openssh-server: ``make test``
installs it).  The ssh client checks the host key against a known_hosts file
made here: a wrapper named ``ssh`` first on PATH adds ``-F <config>``."""
import getpass
import importlib
import os
import shutil
import socket
import subprocess
import time

import pytest
from _backend import MODULE_NAME, zmq

tunnel = importlib.import_module(f"{MODULE_NAME}.ssh.tunnel")
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
DEADLINE_S = 10.0
TUNNEL_S = 5  # a tunnel outlives its last connection by at most this

pytestmark = [
    pytest.mark.skipif(not os.path.exists(SSHD), reason="no sshd (make test installs it)"),
    pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="no ssh-keygen"),
]


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
                   check=True, timeout=30)
    return str(path)


def wait_for_banner(port, proc):
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, "sshd exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(64).startswith(b"SSH-2.0"):
                    return
        except OSError:
            time.sleep(0.05)  # sshd not listening yet: nothing to wait on but the port
    raise AssertionError("sshd did not answer in time")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    d = tmp_path_factory.mktemp("sshd")
    host_key, user_key = keygen(d / "host_key"), keygen(d / "user_key")
    stranger_key = keygen(d / "stranger_key")
    shutil.copy(user_key + ".pub", d / "authorized_keys")
    port = tunnel.select_random_ports(1)[0]
    (d / "sshd_config").write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {host_key}
AuthorizedKeysFile {d}/authorized_keys
PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowTcpForwarding yes
PermitRootLogin prohibit-password
LogLevel ERROR
""")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privsep directory
    host_pub = open(host_key + ".pub").read().split()
    (d / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_pub[0]} {host_pub[1]}\n")
    (d / "ssh_config").write_text(f"""\
Host *
    UserKnownHostsFile {d}/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    IdentitiesOnly yes
""")
    bindir = d / "bin"
    bindir.mkdir()
    (bindir / "ssh").write_text(f'#!/bin/sh\nexec {shutil.which("ssh")} -F {d}/ssh_config "$@"\n')
    (bindir / "ssh").chmod(0o755)
    log = open(d / "sshd.log", "wb")
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(d / "sshd_config")],
                            stdout=log, stderr=log)
    try:
        wait_for_banner(port, proc)
        yield {"server": f"{getpass.getuser()}@127.0.0.1:{port}", "key": user_key,
               "stranger": stranger_key, "path": f"{bindir}{os.pathsep}{os.environ['PATH']}",
               "dir": d}
    finally:
        proc.terminate()
        proc.wait(DEADLINE_S)
        log.close()


@pytest.fixture
def ssh_path(sshd, monkeypatch):
    monkeypatch.setenv("PATH", sshd["path"])




def rep_server(sock):
    rep = sock(zmq.REP, linger=0)
    rep.bind("tcp://127.0.0.1:0")
    return rep, rep.get_string(zmq.LAST_ENDPOINT)


def req_rep(req, rep):
    req.send(b"through the tunnel")
    assert rep.poll(int(DEADLINE_S * 1000)), "the request did not come through"
    assert rep.recv() == b"through the tunnel"
    rep.send(b"and back")
    assert req.recv() == b"and back"


def test_select_random_ports_are_distinct_and_free():
    ports = tunnel.select_random_ports(5)
    assert len(set(ports)) == 5
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


@pytest.mark.zmqx_only  # pyzmq's openssh tunnel needs pexpect
def test_openssh_tunnel_carries_req_rep(sshd, ssh_path, sock):
    rep, url = rep_server(sock)
    req = sock(zmq.REQ, linger=0)
    pid = tunnel.tunnel_connection(req, url, sshd["server"], keyfile=sshd["key"],
                                   paramiko=False, timeout=TUNNEL_S)
    assert isinstance(pid, int)
    assert req.get_string(zmq.LAST_ENDPOINT).startswith("tcp://127.0.0.1:")
    req_rep(req, rep)


@pytest.mark.zmqx_only  # pyzmq's openssh check needs pexpect
def test_passwordless_check(sshd, ssh_path):
    assert tunnel.try_passwordless_ssh(sshd["server"], sshd["key"], paramiko=False)
    assert not tunnel.try_passwordless_ssh(sshd["server"], sshd["stranger"], paramiko=False)


@pytest.mark.zmqx_only  # pyzmq's openssh tunnel needs pexpect
def test_refused_key_raises(sshd, ssh_path):
    lport, rport = tunnel.select_random_ports(2)
    with pytest.raises(Exception, match="Permission denied"):
        tunnel.openssh_tunnel(lport, rport, sshd["server"], keyfile=sshd["stranger"],
                              timeout=TUNNEL_S)


def test_bad_address_raises_value_error():
    with pytest.raises(ValueError):
        tunnel.open_tunnel("ipc:///tmp/x", "nobody@127.0.0.1")


@pytest.mark.zmqx_only  # pyzmq's paramiko check refuses unknown host keys
def test_paramiko_tunnel_carries_req_rep(sshd, sock):
    pytest.importorskip("paramiko")
    rep, url = rep_server(sock)
    req = sock(zmq.REQ, linger=0)
    proc = tunnel.tunnel_connection(req, url, sshd["server"], keyfile=sshd["key"],
                                    paramiko=True, timeout=TUNNEL_S)
    try:
        req_rep(req, rep)
    finally:
        req.close(linger=0)
        proc.terminate()
        proc.join(DEADLINE_S)
    assert not proc.is_alive()
