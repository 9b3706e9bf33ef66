"""Z85 and CURVE key helpers: round trips, and clear errors for bad input
(wrong lengths, characters outside the alphabet, embedded NULs, non-buffers)."""
import importlib

import pytest
from _backend import IS_ZMQX, MODULE_NAME, zmq

z85 = importlib.import_module(f"{MODULE_NAME}.utils.z85")

# ZMQ RFC 32's test vector
RAW = bytes([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])
TEXT = b"HelloWorld"


def test_rfc32_vector_both_ways():
    assert z85.encode(RAW) == TEXT
    assert z85.decode(TEXT) == RAW
    assert z85.decode(TEXT.decode()) == RAW
    assert z85.encode(b"") == b"" and z85.decode(b"") == b""


@pytest.mark.zmqx_only
@pytest.mark.parametrize("buf", [RAW, bytearray(RAW), memoryview(RAW)])
def test_encode_takes_any_buffer(buf):
    assert zmq.z85_encode(buf) == TEXT
    assert zmq.z85_decode(bytearray(TEXT)) == RAW


def test_wrong_lengths_raise_value_error():
    with pytest.raises(ValueError):
        z85.encode(b"abc")
    with pytest.raises(ValueError):
        z85.decode(b"Hello1")


@pytest.mark.zmqx_only
@pytest.mark.parametrize("text", [b"Hell\x00World", b"Hello Worl", b"Hell~World",
                                  "Hellö_orld", b"\x00" * 10])
def test_decode_refuses_characters_outside_the_alphabet(text):
    with pytest.raises(ValueError, match="Z85|ASCII"):
        z85.decode(text)


@pytest.mark.zmqx_only
@pytest.mark.parametrize("bad", [2**31, 7, None, 1.5, "text-text-"])
def test_encode_refuses_non_buffers_without_allocating(bad):
    with pytest.raises(TypeError, match="bytes-like"):
        zmq.z85_encode(bad)


@pytest.mark.zmqx_only
@pytest.mark.parametrize("bad", [2**31, None, [1, 2, 3, 4, 5]])
def test_decode_refuses_non_text(bad):
    with pytest.raises(TypeError):
        zmq.z85_decode(bad)


@pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")
def test_curve_keys_round_trip():
    public, secret = zmq.curve_keypair()
    assert len(public) == len(secret) == 40
    assert zmq.curve_public(secret) == public
    assert zmq.curve_public(secret.decode()) == public
    assert len(z85.decode(public)) == 32


@pytest.mark.zmqx_only
@pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")
@pytest.mark.parametrize("bad,exc", [
    (b"x" * 39, ValueError), (b"x" * 41, ValueError), (b"x" * 5 + b"\x00" + b"x" * 34, ValueError),
    (b" " * 40, ValueError), (12345, TypeError), (None, TypeError)])
def test_curve_public_refuses_bad_secret_keys(bad, exc):
    with pytest.raises(exc):
        zmq.curve_public(bad)


def test_pyzmq_z85_agrees():
    pyz85 = pytest.importorskip("zmq.utils.z85")
    data = bytes(range(256)) * 4
    assert z85.encode(data) == pyz85.encode(data)
    assert z85.decode(pyz85.encode(data)) == data
    if IS_ZMQX:
        assert zmq.z85_encode(data) == pyz85.encode(data)
