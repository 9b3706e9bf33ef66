"""The compiled ZAP handler (zmqx/_zap.pxi) answers exactly as the Python
reference (Authenticator.handle_zap_message) does: the same RFC 27 requests,
sent straight to inproc://zeromq.zap.01, get the same replies from an
authenticator whose policy is compiled and from one forced through Python."""
import itertools
import logging

import pytest
from _backend import IS_ZMQX, zmq

pytestmark = [pytest.mark.zmqx_only,
              pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")]

if IS_ZMQX:
    from zmqx.auth import CURVE_ALLOW_ANY, create_certificates, load_certificate
    from zmqx.auth.thread import ThreadAuthenticator

    class PythonOnly(ThreadAuthenticator):
        """Overriding the handler sends every request through Python."""

        async def handle_zap_message(self, msg):
            await super().handle_zap_message(msg)


def policies(tmp_path):
    create_certificates(tmp_path, "known")
    known = load_certificate(tmp_path / "known.key")[0]

    def certs(a):
        a.allow("127.0.0.1")
        a.configure_curve("*", tmp_path)
        a.configure_curve("dom", tmp_path)

    def allow_any(a):
        a.deny("10.0.0.1")
        a.configure_curve("*", CURVE_ALLOW_ANY)

    def plain(a):
        a.configure_plain("*", {"u": "p", "admin": "s3cret"})
        a.configure_plain("d", {"x": "y"})

    def plain_unicode(a):
        a.configure_plain("*", {"ü": "p"})

    return known, {"none": lambda a: None, "certs": certs, "allow_any": allow_any,
                   "plain": plain, "plain_unicode": plain_unicode}


def requests(known):
    stranger = zmq.z85_decode(zmq.curve_keypair()[0])
    mechanisms = [
        (b"NULL", []), (b"PLAIN", [b"u", b"p"]), (b"PLAIN", [b"u", b"bad"]),
        (b"PLAIN", [b"admin", b"s3cret"]), (b"PLAIN", [b"x", b"y"]), (b"PLAIN", [b"u"]),
        (b"PLAIN", ["ü".encode(), b"p"]), (b"CURVE", [zmq.z85_decode(known)]),
        (b"CURVE", [stranger]), (b"CURVE", []), (b"GSSAPI", [b"principal"]), (b"FOO", []),
    ]
    out = []
    for n, (domain, address, (mech, creds)) in enumerate(itertools.product(
            [b"", b"*", b"dom", b"d", b"other", "dömain".encode()],
            [b"127.0.0.1", b"10.0.0.1"], mechanisms)):
        out.append([b"1.0", b"%d" % n, domain, address, b"id", mech] + creds)
    out.append([b"2.0", b"v", b"", b"127.0.0.1", b"", b"NULL"])
    out.append([b"1.0", b"short", b""])
    return out


def replies(cls, setup, reqs):
    ctx = zmq.Context()
    a = cls(ctx)
    a.start()
    driver = ctx.socket(zmq.DEALER)
    driver.rcvtimeo = 5000
    try:
        setup(a)
        driver.connect("inproc://zeromq.zap.01")
        got = []
        for req in reqs:
            driver.send_multipart([b""] + req)
            got.append(driver.recv_multipart()[1:])
        return got, a._zap_core.answered
    finally:
        driver.close(linger=0)
        a.stop()
        ctx.term()


@pytest.mark.parametrize("name", ["none", "certs", "allow_any", "plain", "plain_unicode"])
def test_compiled_answers_match_python(tmp_path, name):
    known, table = policies(tmp_path)
    reqs = requests(known)
    compiled, answered_in_c = replies(ThreadAuthenticator, table[name], reqs)
    reference, answered_ref = replies(PythonOnly, table[name], reqs)
    for req, mine, ref in zip(reqs, compiled, reference):
        assert mine == ref, f"{name}: {req}"
    assert answered_ref == 0
    # most were decided without Python (PLAIN with a non-ASCII user is not compiled)
    assert answered_in_c > (0 if name == "plain_unicode" else len(reqs) // 2)


def test_debug_logging_goes_through_python(tmp_path, caplog):
    with caplog.at_level(logging.DEBUG, logger="zmq.auth"):
        _, answered = replies(ThreadAuthenticator, lambda a: a.allow("127.0.0.1"),
                              [[b"1.0", b"1", b"", b"127.0.0.1", b"", b"NULL"]])
    assert answered == 0
    assert any("ZAP reply code=b'200'" in r.getMessage() for r in caplog.records)
