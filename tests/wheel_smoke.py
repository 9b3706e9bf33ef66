# SPDX-License-Identifier: BSD-3-Clause
"""Smoke test for an installed zmqx wheel (a script, not a pytest module).

Run by ``tools/wheel.py`` (``make wheel``) in a fresh venv and by cibuildwheel's
test-command, from a directory outside the source tree so that ``import zmqx``
finds the installed package.  Checks: CURVE support, PUSH/PULL over tcp and ipc,
a CURVE handshake between fresh key pairs.  Every socket call has a timeout and
the whole script is bounded by a watchdog, so it fails instead of hanging.

    python tests/wheel_smoke.py [--expect-bundled]

``--expect-bundled`` (Linux) also checks, from /proc/self/maps, that the libzmq
this process loaded lives inside the installed package, not in the system.
"""
import faulthandler
import os
import sys
import tempfile

faulthandler.dump_traceback_later(60, exit=True)  # the whole run: 60 s at most

import zmqx as zmq  # noqa: E402

TIMEOUT_MS = 5000


def socket(ctx, kind):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    return s


def push_pull(ctx, url, push_opts=(), pull_opts=()):
    """Bind PULL at ``url``, connect PUSH, send one multipart message through."""
    pull, push = socket(ctx, zmq.PULL), socket(ctx, zmq.PUSH)
    for opt, value in pull_opts:
        pull.setsockopt(opt, value)
    for opt, value in push_opts:
        push.setsockopt(opt, value)
    pull.bind(url)
    push.connect(pull.getsockopt(zmq.LAST_ENDPOINT).decode())
    message = [b"zmqx", os.urandom(64)]
    push.send_multipart(message)
    assert pull.recv_multipart() == message, "message changed in transit"
    push.close()
    pull.close()


def loaded_libzmq():
    """Paths of the libzmq shared objects mapped into this process (Linux)."""
    with open("/proc/self/maps") as maps:
        return sorted({line.split()[-1] for line in maps if "libzmq" in line})


def main(argv):
    package = os.path.dirname(zmq.__file__)
    print(f"zmqx {zmq.__version__} from {package}, libzmq {zmq.zmq_version()}")
    assert zmq.has("curve"), "libzmq was built without CURVE"
    assert zmq.has("ipc"), "libzmq was built without ipc"

    if "--expect-bundled" in argv and sys.platform.startswith("linux"):
        paths = loaded_libzmq()
        site = os.path.dirname(package)
        assert paths and all(p.startswith(site) for p in paths), \
            f"libzmq not loaded from the wheel: {paths}"
        print("libzmq loaded from", ", ".join(paths))

    ctx = zmq.Context()
    try:
        push_pull(ctx, "tcp://127.0.0.1:*")
        print("tcp PUSH/PULL ok")
        with tempfile.TemporaryDirectory(prefix="zmqx-smoke-") as tmp:
            push_pull(ctx, f"ipc://{tmp}/smoke.ipc")
        print("ipc PUSH/PULL ok")

        server_public, server_secret = zmq.curve_keypair()
        client_public, client_secret = zmq.curve_keypair()
        assert zmq.curve_public(server_secret) == server_public
        push_pull(
            ctx, "tcp://127.0.0.1:*",
            pull_opts=[(zmq.CURVE_SERVER, 1), (zmq.CURVE_SECRETKEY, server_secret)],
            push_opts=[(zmq.CURVE_SERVERKEY, server_public),
                       (zmq.CURVE_PUBLICKEY, client_public),
                       (zmq.CURVE_SECRETKEY, client_secret)],
        )
        print("CURVE handshake ok")
    finally:
        ctx.destroy(linger=0)
    print("wheel smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
