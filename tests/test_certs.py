"""CURVE certificate files: zmqx writes what pyzmq and czmq read and reads what
they write; secret files are owner-only; malformed files give a clear error;
``python -m zmqx.auth keygen`` makes a pair."""
import importlib
import os
import stat
import subprocess
import sys

import pytest
from _backend import IS_ZMQX, MODULE_NAME, zmq

certs = importlib.import_module(f"{MODULE_NAME}.auth.certs")
pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")

# a certificate as czmq's zcert_save() writes it (keys from zmq_curve_keypair)
CZMQ_PUBLIC, CZMQ_SECRET = (b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
                            b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6")
CZMQ_CERT = f"""#   ****  Generated on 2015-01-20 10:45:17 by CZMQ  ****
#   ZeroMQ CURVE **Secret** Certificate
#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

metadata
    name = "czmq-client"
    email = "ops@example.com"
curve
    public-key = "{CZMQ_PUBLIC.decode()}"
    secret-key = "{CZMQ_SECRET.decode()}"
"""


def test_czmq_test_vector_is_consistent():
    assert zmq.curve_public(CZMQ_SECRET) == CZMQ_PUBLIC


def test_create_and_load_round_trip(tmp_path):
    public_file, secret_file = certs.create_certificates(tmp_path, "alice",
                                                         metadata={"name": "alice"})
    assert (public_file, secret_file) == (str(tmp_path / "alice.key"),
                                          str(tmp_path / "alice.key_secret"))
    public, none = certs.load_certificate(public_file)
    public2, secret = certs.load_certificate(secret_file)
    assert none is None and public == public2 and zmq.curve_public(secret) == public
    assert certs.load_certificates(tmp_path) == {public: True}


def test_secret_file_is_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        public_file, secret_file = certs.create_certificates(tmp_path, "bob")
    finally:
        os.umask(old)
    if IS_ZMQX:  # pyzmq leaves the secret file world-readable
        assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(public_file).st_mode) & 0o077 in (0o044, 0o004, 0o000)


def test_pyzmq_reads_ours_and_we_read_pyzmqs(tmp_path):
    pyzmq_certs = pytest.importorskip("zmq.auth.certs")
    ours = certs.create_certificates(tmp_path, "ours", metadata={"role": "server"})
    theirs = pyzmq_certs.create_certificates(str(tmp_path), "theirs")
    for public_file, secret_file in (ours, theirs):
        assert certs.load_certificate(secret_file) == pyzmq_certs.load_certificate(secret_file)
        assert certs.load_certificate(public_file) == pyzmq_certs.load_certificate(public_file)
    assert certs.load_certificates(tmp_path) == pyzmq_certs.load_certificates(str(tmp_path))


def test_czmq_format_loads(tmp_path):
    path = tmp_path / "client.key"
    path.write_text(CZMQ_CERT)
    assert certs.load_certificate(path) == (CZMQ_PUBLIC, CZMQ_SECRET)
    # czmq's own public file: the same without the secret key
    path.write_text(CZMQ_CERT.replace(f'    secret-key = "{CZMQ_SECRET.decode()}"\n', ""))
    assert certs.load_certificate(path) == (CZMQ_PUBLIC, None)


@pytest.mark.zmqx_only  # pyzmq writes metadata values unquoted
def test_our_files_are_czmq_zpl(tmp_path):
    """The shape czmq's ZPL parser needs: sections at column 0, properties
    indented by 4 spaces, values in quotes."""
    _, secret_file = certs.create_certificates(tmp_path, "zpl", metadata={"name": "zpl"})
    body = [line for line in open(secret_file).read().splitlines()
            if line and not line.startswith("#")]
    assert body[0] == "metadata" and "curve" in body
    for line in body:
        if line not in ("metadata", "curve"):
            name, value = line[4:].split(" = ")
            assert line.startswith("    ") and not line[4].isspace()
            assert value[0] == value[-1] in "\"'"


@pytest.mark.zmqx_only
@pytest.mark.parametrize("body,match", [
    ('curve\n    public-key = "abc"\n', "40 Z85 characters"),
    ('curve\n    public-key = "' + "x" * 39 + '~"\n', "not Z85"),
    ('curve\n    public-key = "' + CZMQ_PUBLIC.decode()[:20], "unterminated"),
    ("metadata\n", "No public key"),
    ("", "No public key"),
    ('curve\n    public-key = "' + CZMQ_PUBLIC.decode() + '"\n    secret-key = "'
     + zmq.curve_keypair()[1].decode() + '"\n', "does not belong"),
])
def test_malformed_certificates_raise_value_error(tmp_path, body, match):
    path = tmp_path / "bad.key"
    path.write_text(body)
    with pytest.raises(ValueError, match=match):
        certs.load_certificate(path)
    with pytest.raises(ValueError, match="bad.key"):
        certs.load_certificates(tmp_path)


def test_missing_file_and_directory_raise_oserror(tmp_path):
    with pytest.raises(OSError):
        certs.load_certificate(tmp_path / "nope.key")
    with pytest.raises(OSError):
        certs.load_certificates(tmp_path / "nodir")


@pytest.mark.zmqx_only
def test_keygen_command_line(tmp_path):
    out = tmp_path / "keys"
    result = subprocess.run([sys.executable, "-m", "zmqx.auth", "keygen", "svc", str(out),
                             "--meta", "name=svc"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    public_file, secret_file = result.stdout.split()
    assert public_file == str(out / "svc.key")
    public, secret = certs.load_certificate(secret_file)
    assert certs.load_certificate(public_file) == (public, None)
    assert 'name = "svc"' in open(secret_file).read()
    bad = subprocess.run([sys.executable, "-m", "zmqx.auth", "keygen"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "NAME" in bad.stderr


@pytest.mark.zmqx_only
def test_keygen_main_is_callable(tmp_path, capsys):
    from zmqx.auth.__main__ import main
    assert main(["keygen", "cli", str(tmp_path)]) == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / "cli.key"),
                                               str(tmp_path / "cli.key_secret")]
