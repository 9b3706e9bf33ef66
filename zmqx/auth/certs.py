# SPDX-License-Identifier: BSD-3-Clause
"""CURVE certificate files, as pyzmq's ``zmq.auth.certs``.

The files are ZPL (ZeroMQ RFC 4) as pyzmq and czmq write them::

    metadata
        name = "alice"
    curve
        public-key = "<40 Z85 characters>"
        secret-key = "<40 Z85 characters>"      (secret certificate only)

``create_certificates`` writes ``NAME.key`` (public) and ``NAME.key_secret``
(owner-only, mode 0600); the loaders read either program's files and refuse
malformed keys with a ValueError naming the file and line.
"""
from __future__ import annotations

import datetime
import glob
import os
from typing import Optional, Union

import zmqx

_SECRET_BANNER = """#   ****  Generated on {0} by zmqx  ****
#   ZeroMQ CURVE **Secret** Certificate
#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

"""

_PUBLIC_BANNER = """#   ****  Generated on {0} by zmqx  ****
#   ZeroMQ CURVE Public Certificate
#   Exchange securely, or use a secure mechanism to verify the contents
#   of this file after exchange. Store public certificates in your home
#   directory, in the .curve subdirectory.

"""

_Path = Union[str, "os.PathLike[str]"]


def _text(value: Union[str, bytes], encoding: str = "utf-8") -> str:
    return value.decode(encoding) if isinstance(value, bytes) else value


def _zpl_value(value: str) -> str:
    """A ZPL value, quoted (as czmq writes them)."""
    quote = "'" if '"' in value else '"'
    if quote in value or "\n" in value or "\r" in value:
        raise ValueError(f"certificate metadata value {value!r} cannot be written in ZPL")
    return f"{quote}{value}{quote}"


def _write_key_file(key_filename: _Path, banner: str, public_key: Union[str, bytes],
                    secret_key: Union[str, bytes, None] = None,
                    metadata: Optional[dict[str, str]] = None,
                    encoding: str = "utf-8") -> None:
    """Write one certificate; a secret one readable by its owner only."""
    lines = [banner, "metadata\n"]
    for k, v in (metadata or {}).items():
        name = _text(k, encoding)
        if not name or any(c in name for c in " \t\r\n=#"):
            raise ValueError(f"certificate metadata name {name!r} is not a ZPL name")
        lines.append(f"    {name} = {_zpl_value(_text(v, encoding))}\n")
    lines.append("curve\n")
    lines.append(f'    public-key = "{_text(public_key, encoding)}"\n')
    if secret_key:
        lines.append(f'    secret-key = "{_text(secret_key, encoding)}"\n')
    mode = 0o600 if secret_key else 0o644
    fd = os.open(key_filename, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with open(fd, "w", encoding="utf8") as f:
        if secret_key:
            os.fchmod(fd, 0o600)  # also when the file already existed
        f.write("".join(lines))


def create_certificates(key_dir: _Path, name: str,
                        metadata: Optional[dict[str, str]] = None) -> tuple[str, str]:
    """Make a new CURVE key pair as ``key_dir/name.key`` (public) and
    ``key_dir/name.key_secret`` (secret, mode 0600); return both paths."""
    public_key, secret_key = zmqx.curve_keypair()
    base = os.path.join(key_dir, name)
    public_file, secret_file = f"{base}.key", f"{base}.key_secret"
    now = datetime.datetime.now()
    _write_key_file(public_file, _PUBLIC_BANNER.format(now), public_key)
    _write_key_file(secret_file, _SECRET_BANNER.format(now), public_key,
                    secret_key=secret_key, metadata=metadata)
    return public_file, secret_file


def _parse_zpl(filename: _Path) -> dict[str, bytes]:
    """The ``curve`` section's properties of a ZPL certificate (public-key,
    secret-key), checked to be Z85 keys."""
    found: dict[str, bytes] = {}
    with open(filename, "rb") as f:
        data = f.read()
    for lineno, raw in enumerate(data.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        name, eq, value = line.partition(b"=")
        name = name.strip()
        if name not in (b"public-key", b"secret-key"):
            continue
        value = value.strip()
        if value[:1] in (b'"', b"'"):
            quote = value[:1]
            end = value.find(quote, 1)
            if end < 0:
                raise ValueError(f"{filename}:{lineno}: unterminated quote in {name.decode()}")
            value = value[1:end]
        else:
            value = value.split(b"#", 1)[0].strip()
        if not eq or len(value) != 40:
            raise ValueError(f"{filename}:{lineno}: {name.decode()} must be 40 Z85 "
                             f"characters, found {len(value)}")
        try:
            zmqx.z85_decode(value)
        except ValueError as e:
            raise ValueError(f"{filename}:{lineno}: {name.decode()} is not Z85: {e}") from None
        found[name.decode()] = value
    return found


def load_certificate(filename: _Path) -> tuple[bytes, Optional[bytes]]:
    """(public_key, secret_key) of a certificate file, Z85 bytes; secret_key is
    None for a public certificate.  OSError for a missing file, ValueError for
    one without a well-formed public key (or whose keys do not match)."""
    if not os.path.exists(filename):
        raise OSError(f"Invalid certificate file: {filename}")
    keys = _parse_zpl(filename)
    public_key = keys.get("public-key")
    if public_key is None:
        raise ValueError(f"No public key found in {filename}")
    secret_key = keys.get("secret-key")
    if secret_key is not None and zmqx.curve_public(secret_key) != public_key:
        raise ValueError(f"{filename}: secret-key does not belong to public-key")
    return public_key, secret_key


def load_certificates(directory: _Path = ".") -> dict[bytes, bool]:
    """{public_key: True} for every ``*.key`` certificate in ``directory``."""
    if not os.path.isdir(directory):
        raise OSError(f"Invalid certificate directory: {directory}")
    certs = {}
    for cert_file in glob.glob(os.path.join(glob.escape(os.fspath(directory)), "*.key")):
        public_key, _ = load_certificate(cert_file)
        certs[public_key] = True
    return certs


__all__ = ["create_certificates", "load_certificate", "load_certificates"]
