"""The ``zmqx`` command line, driven as a subprocess against real sockets.

Every command has --help; bad arguments and failures exit non-zero with one
line on stderr; monitor sees a peer come and go; the proxy's counters equal
what went through it; send/recv round-trip binary multipart messages.  Every
subprocess and every wait is bounded.
"""
import base64
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading

import pytest

from _backend import IS_ZMQX, zmq

pytestmark = pytest.mark.skipif(not IS_ZMQX, reason="zmqx's command line")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the commands import the zmqx under test: built in place, or an installed wheel
ENV = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(zmq.__file__)),
           PYTHONUNBUFFERED="1")
CWD = tempfile.gettempdir()  # not the source tree: `python -m` would import from it
TIMEOUT = 30  # seconds, for any one subprocess

FRAMES = [b"\x00\xff binary", b"", b"tab\tnl\nbackslash\\", "ünï".encode(), bytes(range(256))]


def zmqx_cmd(*args):
    return [sys.executable, "-m", "zmqx", *args]


def run(*args, input=None, timeout=TIMEOUT):
    return subprocess.run(zmqx_cmd(*args), cwd=CWD, env=ENV, input=input,
                          capture_output=True, timeout=timeout)


class Process:
    """A running command whose stdout lines are read with a bounded wait."""

    def __init__(self, *args, **kwargs):
        self.proc = subprocess.Popen(zmqx_cmd(*args), cwd=CWD, env=ENV,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     **kwargs)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.decode())
        self.lines.put(None)

    def line(self, timeout=10.0):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output within {timeout} s") from None
        if line is None:
            raise AssertionError(f"exited ({self.wait()}): {self.proc.stderr.read()!r}")
        return line

    def wait(self, timeout=TIMEOUT):
        return self.proc.wait(timeout)

    def rest(self):
        """Every line still to come, once the process has exited."""
        self.wait()
        out = []
        while (line := self.lines.get(timeout=10)) is not None:
            out.append(line)
        return out

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def procs():
    started = []

    def start(*args, **kwargs):
        started.append(Process(*args, **kwargs))
        return started[-1]

    yield start
    for p in started:
        p.kill()


@pytest.fixture
def ipc():
    """ipc:// endpoints in a private, short temporary directory."""
    tmp = tempfile.mkdtemp(prefix="zmqx-cli-")
    yield lambda name: f"ipc://{tmp}/{name}"
    shutil.rmtree(tmp, ignore_errors=True)


def one_line_error(result, code, *words):
    __tracebackhide__ = True
    err = result.stderr.decode()
    assert result.returncode == code, (result.returncode, err)
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "error:" in err and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


# --- help, usage, one-line errors ---------------------------------------------

@pytest.mark.parametrize("command", [[], ["monitor"], ["proxy"], ["send"], ["recv"],
                                     ["keygen"], ["bench"]])
def test_help_on_every_command(command):
    result = run(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith("usage:")
    assert result.stderr == b""


@pytest.mark.source_tree
def test_console_script_is_declared():
    tomllib = pytest.importorskip("tomllib")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        scripts = tomllib.load(f)["project"]["scripts"]
    module, func = scripts["zmqx"].split(":")
    assert (module, func) == ("zmqx.cli", "main")
    assert run("--version").stdout.decode().startswith(f"zmqx {zmq.__version__} ")


@pytest.mark.parametrize("args, words", [
    ([], ["COMMAND"]),
    (["nosuch"], ["invalid choice"]),
    (["send", "localhost:5555"], ["bad endpoint", "TRANSPORT://"]),
    (["send", "foo://x", "-m", "x"], ["unknown transport"]),
    (["monitor", "inproc://x"], ["inproc"]),
    (["recv", "tcp://127.0.0.1:5555", "--type", "PUSH"], ["invalid socket type"]),
    (["recv", "tcp://127.0.0.1:5555", "-n", "-1"], ["0 or more"]),
    (["recv", "tcp://127.0.0.1:5555", "--timeout", "0"], ["more than 0"]),
    (["recv", "tcp://127.0.0.1:5555", "--topic", "a"], ["--type SUB"]),
    (["recv", "tcp://127.0.0.1:5555", "--reply", "a"], ["--type REP"]),
    (["proxy", "tcp://127.0.0.1:5555"], ["BACKEND"]),
    (["proxy", "tcp://127.0.0.1:1", "tcp://127.0.0.1:2", "--type", "PUB-SUB"],
     ["invalid proxy type"]),
    (["monitor", "tcp://127.0.0.1:1", "--events", "CONNECTED,NOPE"], ["unknown event"]),
    (["send", "tcp://127.0.0.1:1", "--hex", "-m", "zz"], ["not valid hex"]),
    (["send", "tcp://127.0.0.1:1", "--raw", "-m", "x"], ["--raw"]),
    (["keygen", "name"], ["--dir"]),
    (["send", "tcp://127.0.0.1:1", "--bind", "--connect"], ["not allowed"]),
])
def test_bad_arguments_exit_2_with_one_line(args, words):
    result = run(*args)
    one_line_error(result, 2, *words)
    assert result.stdout == b""


def test_bad_endpoint_address():
    one_line_error(run("recv", "tcp://127.0.0.1:notaport"), 1,
                   "cannot connect tcp://127.0.0.1:notaport", "invalid endpoint")
    one_line_error(run("recv", "--bind", "tcp://192.0.2.1:5555"), 1,
                   "cannot bind", "not available")


def test_refused_bind():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        endpoint = "tcp://127.0.0.1:%d" % taken.getsockname()[1]
        for command in (["recv", endpoint, "--bind"], ["monitor", endpoint, "--bind"],
                        ["proxy", endpoint, "tcp://127.0.0.1:*", "--bind"]):
            one_line_error(run(*command), 1, f"cannot bind {endpoint}",
                           "address already in use")


def test_unreachable_peer_times_out_with_exit_3(ipc):
    nobody = ipc("nobody")
    one_line_error(run("send", nobody, "-m", "x", "--timeout", "0.5"), 3,
                   "no peer took the message", "peer unreachable")
    one_line_error(run("recv", nobody, "--timeout", "0.3"), 3,
                   "nothing received within 0.3 s", "peer unreachable")
    one_line_error(run("recv", nobody, "--bind", "--timeout", "0.3"), 3,
                   "no peer connected")


def test_wrong_peer_type_is_named(ipc):
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.linger = 0
    pub.bind(ipc("pub"))
    try:
        one_line_error(run("send", ipc("pub"), "-m", "x", "--timeout", "1"), 3,
                       "refused the handshake", "wrong socket type")
    finally:
        ctx.destroy(linger=0)


# --- send / recv -----------------------------------------------------------------

def decode_line(line, encoding):
    """recv's line format, decoded here independently of zmqx.cli."""
    if encoding == "hex":
        return [b"" if t == "-" else bytes.fromhex(t) for t in line.split()]
    if encoding == "base64":
        return [b"" if t == "-" else base64.b64decode(t) for t in line.split()]
    raise AssertionError(encoding)


@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_send_recv_binary_multipart(procs, ipc, encoding):
    endpoint = ipc("nc")
    recv = procs("recv", endpoint, "--bind", "-n", "2", f"--{encoding}")
    encode = bytes.hex if encoding == "hex" else (lambda b: base64.b64encode(b).decode())
    args = []
    for frame in FRAMES:
        args += ["-m", encode(frame) or "-"]
    # -m frames, then the same message as one stdin line; send waits for the peer
    assert run("send", endpoint, f"--{encoding}", *args).returncode == 0
    line = " ".join(encode(f) or "-" for f in FRAMES) + "\n"
    sent = run("send", endpoint, f"--{encoding}", input=line.encode())
    assert sent.returncode == 0, sent.stderr
    assert decode_line(recv.line(), encoding) == FRAMES
    assert decode_line(recv.line(), encoding) == FRAMES
    assert recv.wait() == 0


def test_text_lines_escape_bytes_and_round_trip(procs, ipc):
    """recv's text line is escaped UTF-8; piping it into send gives the same bytes."""
    first, second = ipc("first"), ipc("second")
    recv1 = procs("recv", first, "--bind", "-n", "1")
    recv2 = procs("recv", second, "--bind", "-n", "1", "--json", "--base64")
    line = "\\x00\\xff binary\t\ttab\\tnl\\nbackslash\\\\\tünï\t" + "".join(
        chr(b) if 0x20 <= b < 0x7F and b != 0x5C else
        "\\\\" if b == 0x5C else "\\t" if b == 9 else "\\n" if b == 10 else
        "\\r" if b == 13 else f"\\x{b:02x}" for b in range(256)) + "\n"
    assert run("send", first, input=line.encode()).returncode == 0
    printed = recv1.line()
    assert printed == line
    assert run("send", second, input=printed.encode()).returncode == 0
    record = json.loads(recv2.line())
    assert record["encoding"] == "base64"
    assert [base64.b64decode(f) for f in record["frames"]] == FRAMES
    assert recv1.wait() == recv2.wait() == 0


def test_raw_stdin_and_stdout(ipc):
    endpoint = ipc("raw")
    recv = subprocess.Popen(zmqx_cmd("recv", endpoint, "--bind", "-n", "1", "--raw"),
                            cwd=CWD, env=ENV, stdout=subprocess.PIPE)
    try:
        data = bytes(range(256)) * 100
        assert run("send", endpoint, "--raw", input=data).returncode == 0
        out, _ = recv.communicate(timeout=TIMEOUT)
        assert recv.returncode == 0 and out == data
    finally:
        recv.kill()
        recv.wait(10)


def test_req_rep(procs, ipc):
    endpoint = ipc("reqrep")
    rep = procs("recv", endpoint, "--type", "REP", "--bind", "-n", "2", "--reply", "pong")
    out = run("send", endpoint, "--type", "REQ", "-m", "ping", "-m", "2")
    assert out.returncode == 0 and out.stdout == b"pong\n", out
    out = run("send", endpoint, "--type", "req", "--json", "-m", "again")
    assert json.loads(out.stdout)["frames"] == ["pong"]
    assert rep.line() == "ping\t2\n" and rep.line() == "again\n"
    assert rep.wait() == 0


def test_pub_waits_for_a_subscriber(procs, ipc):
    endpoint = ipc("pubsub")
    sub = procs("recv", endpoint, "--type", "SUB", "--topic", "news", "--bind", "-n", "1")
    out = run("send", endpoint, "--type", "PUB", "--topic", "news", "-m", "hello")
    assert out.returncode == 0, out.stderr
    assert sub.line() == "news\thello\n"
    assert sub.wait() == 0
    one_line_error(run("send", endpoint, "--type", "PUB", "--topic", "sport", "-m", "x",
                       "--timeout", "0.3"), 3, "no subscriber")


def test_recv_stops_on_sigterm_and_ctrl_c(procs, ipc):
    for signum, code in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
        endpoint = ipc(f"sig{signum}")
        recv = procs("recv", endpoint, "--bind")
        # wait until it is receiving: one message through it
        assert run("send", endpoint, "-m", "ready").returncode == 0
        assert recv.line() == "ready\n"
        recv.proc.send_signal(signum)
        assert recv.wait() == code
        assert b"Traceback" not in recv.proc.stderr.read()


# --- monitor -------------------------------------------------------------------

def test_monitor_sees_peer_connect_and_disconnect(procs, ipc):
    endpoint = ipc("mon")
    mon = procs("monitor", endpoint, "--json", "--events", "CONNECTED,DISCONNECTED",
                "-n", "2")
    ctx = zmq.Context()
    try:
        peer = ctx.socket(zmq.ROUTER)
        peer.bind(endpoint)                   # the peer comes up ...
        up = json.loads(mon.line())
        assert (up["event"], up["endpoint"]) == ("CONNECTED", endpoint)
        peer.close(linger=0)                  # ... and goes away
        down = json.loads(mon.line())
        assert (down["event"], down["endpoint"]) == ("DISCONNECTED", endpoint)
        assert down["time"] >= up["time"]
    finally:
        ctx.destroy(linger=0)
    assert mon.wait() == 0


def test_monitor_bound_text_lines(procs):
    ctx = zmq.Context()
    try:
        with socket.socket() as s:  # a free port: libzmq binds it right after
            s.bind(("127.0.0.1", 0))
            endpoint = "tcp://127.0.0.1:%d" % s.getsockname()[1]
        mon = procs("monitor", endpoint, "--bind", "--type", "ROUTER", "--duration", "20")
        listening = mon.line()
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  LISTENING +\d+  "
                        + re.escape(endpoint) + r"  fd \d+\n", listening), listening
        peer = ctx.socket(zmq.DEALER)
        peer.connect(endpoint)
        events = []
        while "DISCONNECTED" not in events:
            events.append(mon.line().split()[2])
            if events[-1] == "HANDSHAKE_SUCCEEDED":
                peer.close(linger=0)
        assert events[0] == "ACCEPTED"
        mon.proc.send_signal(signal.SIGINT)
        assert mon.wait() == 130
    finally:
        ctx.destroy(linger=0)


# --- proxy ---------------------------------------------------------------------

def _push_through(ctx, frontend, backend, messages):
    push, pull = ctx.socket(zmq.PUSH), ctx.socket(zmq.PULL)
    push.connect(frontend)
    pull.connect(backend)
    pull.rcvtimeo = 10000
    for msg in messages:
        push.send_multipart(msg)
    assert [pull.recv_multipart() for _ in messages] == messages
    return push, pull


def test_proxy_json_counters_equal_what_was_sent(procs, ipc):
    frontend, backend = ipc("front"), ipc("back")
    proxy = procs("proxy", frontend, backend, "--type", "PULL-PUSH", "--bind",
                  "--interval", "0.1", "--json")
    first = json.loads(proxy.line())
    assert first["frontend"]["messages_in"] == 0 and not first["final"]
    messages = [[b"%d" % i, bytes(i)] for i in range(200)]
    total = sum(len(f) for m in messages for f in m)
    ctx = zmq.Context()
    try:
        _push_through(ctx, frontend, backend, messages)
        for _ in range(200):
            record = json.loads(proxy.line())
            if record["backend"]["messages_out"] == len(messages):
                break
        assert record["frontend"] == {"messages_in": 200, "bytes_in": total,
                                      "messages_out": 0, "bytes_out": 0}
        assert record["backend"] == {"messages_in": 0, "bytes_in": 0,
                                     "messages_out": 200, "bytes_out": total}
        proxy.proc.send_signal(signal.SIGINT)
        final = json.loads(proxy.rest()[-1])
        assert final["final"] and final["frontend"] == record["frontend"]
        assert proxy.wait() == 130
    finally:
        ctx.destroy(linger=0)


def test_proxy_plain_lines_when_piped(procs, ipc):
    frontend, backend = ipc("f"), ipc("b")
    proxy = procs("proxy", frontend, backend, "--type", "pull-push", "--bind",
                  "--interval", "0.2", "--duration", "3")
    assert proxy.line().startswith("frontend in 0 msg 0 B out 0 msg 0 B | backend ")
    ctx = zmq.Context()
    try:
        _push_through(ctx, frontend, backend, [[b"x" * 10]] * 7)
        assert proxy.wait() == 0
        last = proxy.rest()[-1]
        assert last.startswith("frontend in 7 msg 70 B out 0 msg 0 B | "
                               "backend in 0 msg 0 B out 7 msg 70 B | -> "), last
    finally:
        ctx.destroy(linger=0)


def test_proxy_redraws_in_place_on_a_tty(ipc):
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            zmqx_cmd("proxy", ipc("tf"), ipc("tb"), "--bind", "--interval", "0.1",
                     "--duration", "0.6"),
            cwd=CWD, env=ENV, stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        slave = None
        out = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        assert proc.wait(TIMEOUT) == 0, proc.stderr.read()
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
    text = out.decode()
    assert text.count("\r\x1b[K") >= 3, text
    assert text.count("\n") == 1 and text.endswith("\n"), text  # one line, redrawn


# --- keygen, bench ---------------------------------------------------------------

@pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")
def test_keygen_prints_a_matching_pair():
    out = run("keygen")
    assert out.returncode == 0
    public, secret = (line.split(": ")[1] for line in out.stdout.decode().splitlines())
    assert len(public) == len(secret) == 40
    assert zmq.curve_public(secret.encode()) == public.encode()
    pair = json.loads(run("keygen", "--json").stdout)
    assert zmq.curve_public(pair["secret"].encode()) == pair["public"].encode()


@pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")
def test_keygen_certificate_files(tmp_path):
    out = run("keygen", "--dir", str(tmp_path / "certs"), "server", "--json")
    try:
        import zmqx.auth.certs  # noqa: F401
    except ImportError:
        one_line_error(out, 1, "zmqx.auth")
        return
    assert out.returncode == 0, out.stderr
    files = json.loads(out.stdout)
    assert os.path.basename(files["public_file"]) == "server.key"
    assert os.path.basename(files["secret_file"]) == "server.key_secret"
    assert all(os.path.exists(f) for f in files.values())


@pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")
def test_keygen_dir_writes_certificates_that_auth_loads(tmp_path):
    """`zmqx keygen --dir DIR NAME` writes what zmqx.auth reads: NAME.key (public
    only) and NAME.key_secret (both keys, mode 0600), a pair that matches."""
    from zmqx.auth import load_certificate, load_certificates

    out = run("keygen", "--dir", str(tmp_path), "alice")
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().splitlines() == [
        f"public: {tmp_path / 'alice.key'}", f"secret: {tmp_path / 'alice.key_secret'}"]
    public, secret = load_certificate(str(tmp_path / "alice.key_secret"))
    assert len(public) == len(secret) == 40
    assert zmq.curve_public(secret) == public
    assert load_certificate(str(tmp_path / "alice.key")) == (public, None)
    assert os.stat(tmp_path / "alice.key_secret").st_mode & 0o777 == 0o600
    assert load_certificates(str(tmp_path)) == {public: True}


def test_bench_takes_the_suite_options():
    out = run("bench", "--list", "--only", "call/send-recv")
    assert out.returncode == 0, out.stderr
    assert "call/send-recv/8B" in out.stdout.decode()
    one_line_or_usage = run("bench", "--repeats", "0")
    assert one_line_or_usage.returncode == 2


@pytest.mark.source_tree
def test_docs_cli_page_names_every_option():
    """docs/cli.rst is written by hand: it must keep up with the parser."""
    from zmqx.cli import build_parser

    path = os.path.join(ROOT, "docs", "cli.rst")
    if not os.path.exists(path):
        pytest.skip("no docs/ in this tree")
    page = open(path, encoding="utf-8").read()
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    missing = [f"{name} {opt}" for name, parser in subparsers.choices.items()
               for action in parser._actions for opt in action.option_strings
               if opt.startswith("--") and opt != "--help" and opt not in page]
    assert not missing, f"options not in docs/cli.rst: {missing}"
