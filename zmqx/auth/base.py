# SPDX-License-Identifier: BSD-3-Clause
"""The Authenticator: ZAP policy (who may connect) and its answers, as pyzmq's
``zmq.auth.base``.

The policy lives in pyzmq's attributes (``_allowed``, ``_denied``,
``passwords``, ``certs``, ``allow_any``, ``credentials_providers``); each
``allow``/``deny``/``configure_*`` call also compiles it into a
``_ZapPolicy`` that the compiled handler (zmqx/_zap.pxi) answers from without
Python.  ``handle_zap_message`` is the reference behaviour, used for whatever
the compiled tables cannot decide and when called by hand.
"""
from __future__ import annotations

import codecs
import logging
import os
from collections.abc import Awaitable
from typing import Any, Optional, Union

import zmqx
from zmqx import _zmq
from zmqx.auth.certs import load_certificates

CURVE_ALLOW_ANY = "*"
VERSION = b"1.0"
ZAP_ENDPOINT = "inproc://zeromq.zap.01"

_HOOKS = ("handle_zap_message", "_authenticate_plain", "_authenticate_curve",
          "curve_user_id", "_send_zap_reply")


class Authenticator:
    """ZAP authentication for the sockets of one context.

    This class serves nobody by itself: after :meth:`start`, answer requests
    with ``await auth.handle_zap_message(auth.zap_socket.recv_multipart())``,
    or use :class:`zmqx.auth.thread.ThreadAuthenticator` /
    :class:`zmqx.auth.asyncio.AsyncioAuthenticator`, which do it for you.

    Until a policy is set, NULL connections are allowed and PLAIN and CURVE
    ones denied.  ``allow`` and ``deny`` (by IP address) exclude each other.
    """

    context: zmqx.Context
    encoding: str
    allow_any: bool
    credentials_providers: dict[str, Any]
    zap_socket: zmqx.Socket
    _allowed: set[str]
    _denied: set[str]
    passwords: dict[str, dict[str, str]]
    certs: dict[str, dict[bytes, Any]]
    log: Any

    def __init__(self, context: Optional[zmqx.Context] = None, encoding: str = "utf-8",
                 log: Any = None) -> None:
        self.context = context or zmqx.Context.instance()
        self.encoding = encoding
        self.allow_any = False
        self.credentials_providers = {}
        self.zap_socket = None  # type: ignore[assignment]
        self._allowed = set()
        self._denied = set()
        self.passwords = {}
        self.certs = {}
        self.log = log or logging.getLogger("zmq.auth")
        self._zap_core: Any = None

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> None:
        """Create the ZAP socket and bind it (inproc://zeromq.zap.01)."""
        self.zap_socket = zmqx.Socket(self.context, zmqx.REP)
        self.zap_socket.linger = 1
        self.zap_socket.bind(ZAP_ENDPOINT)
        self._zap_core = _zmq._ZapCore(self.zap_socket, self._compile())
        self.log.debug("Starting")

    def stop(self) -> None:
        """Close the ZAP socket."""
        self._zap_core = None
        if self.zap_socket:
            try:  # unbinding is synchronous, closing is not: a restart can bind at once
                self.zap_socket.unbind(ZAP_ENDPOINT)
            except zmqx.ZMQError:
                pass
            self.zap_socket.close()
        self.zap_socket = None  # type: ignore[assignment]

    # -- policy ------------------------------------------------------------------
    def allow(self, *addresses: str) -> None:
        """Allow these IP addresses; any other is refused (NULL clients from
        them are let in, PLAIN and CURVE ones go on to authenticate)."""
        if self._denied:
            raise ValueError("Only use allow or deny, not both")
        self.log.debug("Allowing %s", ",".join(addresses))
        self._allowed.update(addresses)
        self._policy_changed()

    def deny(self, *addresses: str) -> None:
        """Refuse these IP addresses; any other goes on to authenticate."""
        if self._allowed:
            raise ValueError("Only use a allow or deny, not both")
        self.log.debug("Denying %s", ",".join(addresses))
        self._denied.update(addresses)
        self._policy_changed()

    def configure_plain(self, domain: str = "*",
                        passwords: Optional[dict[str, str]] = None) -> None:
        """PLAIN for ``domain`` ("*": every domain) with {username: password}."""
        if passwords:
            self.passwords[domain] = passwords
        self.log.debug("Configure plain: %s", domain)
        self._policy_changed()

    def configure_curve(self, domain: str = "*",
                        location: Union[str, os.PathLike[str]] = ".") -> None:
        """CURVE for ``domain`` ("*": every domain): the client keys allowed are
        the public certificates (``*.key``) in directory ``location``, read now
        (call again after changing the directory).  ``CURVE_ALLOW_ANY`` as the
        location lets any client key in, for every domain."""
        self.log.debug("Configure curve: %s[%s]", domain, location)
        if location == CURVE_ALLOW_ANY:
            self.allow_any = True
        else:
            self.allow_any = False
            try:
                self.certs[domain] = load_certificates(location)
            except Exception as e:
                self.log.error("Failed to load CURVE certs from %s: %s", location, e)
        self._policy_changed()

    def configure_curve_callback(self, domain: str = "*",
                                 credentials_provider: Any = None) -> None:
        """CURVE for ``domain`` decided by ``credentials_provider.callback(domain,
        z85_key)``, which returns a truth value (or an awaitable of one)."""
        self.allow_any = False
        if credentials_provider is not None:
            self.credentials_providers[domain] = credentials_provider
        else:
            self.log.error("None credentials_provider provided for domain:%s", domain)
        self._policy_changed()

    def configure_gssapi(self, domain: str = "*", location: Optional[str] = None) -> None:
        """GSSAPI needs no configuration: a no-op, as in pyzmq."""

    def curve_user_id(self, client_public_key: bytes) -> str:
        """The User-Id of an authenticated CURVE client: its Z85 public key.
        Override to map keys to names (such a subclass is served in Python)."""
        return zmqx.z85_encode(client_public_key).decode("ascii")

    # -- the compiled policy -----------------------------------------------------
    def _policy_changed(self) -> None:
        if self._zap_core is not None:
            self._zap_core.set_policy(self._compile())

    def _compile(self) -> Any:
        """This policy as a _ZapPolicy.  Whatever cannot be matched byte for
        byte with pyzmq's str comparisons is left to Python."""
        cls = type(self)
        python_only = (
            any(getattr(cls, hook) is not getattr(Authenticator, hook) for hook in _HOOKS)
            or codecs.lookup(self.encoding).name != "utf-8"
            # a log that wants DEBUG lines (or cannot say) gets them all, from Python
            or _wants_debug(self.log))
        if python_only:
            return _zmq._ZapPolicy(python_only=True)

        def ascii_(text: object) -> Optional[bytes]:
            if isinstance(text, str) and text.isascii() and "\0" not in text:
                return text.encode()
            return None

        ips = self._allowed or self._denied
        curve = {}
        for domain, keys in self.certs.items():
            d = ascii_(domain)
            if d is not None:
                curve[d] = [raw for k, ok in keys.items() if ok and (raw := _raw_key(k))]
        passwords: Optional[dict[bytes, dict[bytes, bytes]]] = {}
        for domain, users in self.passwords.items():
            d = ascii_(domain)
            if d is None:
                continue
            table = passwords[d] = {}  # type: ignore[index]
            for user, password in users.items():
                u, p = ascii_(user), ascii_(password)
                if u is None or p is None:
                    passwords = None  # a name only Python compares right
                    break
                table[u] = p
            if passwords is None:
                break
        return _zmq._ZapPolicy(
            ip_mode=1 if self._allowed else 2 if self._denied else 0,
            ips=[a for a in map(ascii_, ips) if a is not None],
            allow_any=self.allow_any, curve_python=bool(self.credentials_providers),
            curve=curve, passwords=passwords, have_passwords=bool(self.passwords))

    # -- the reference handler ---------------------------------------------------
    async def handle_zap_message(self, msg: list[bytes]) -> None:
        """Answer one ZAP request (a list of frames) on ``zap_socket``."""
        if len(msg) < 6:
            self.log.error("Invalid ZAP message, not enough frames: %r", msg)
            if len(msg) < 2:
                self.log.error("Not enough information to reply")
            else:
                self._send_zap_reply(msg[1], b"400", b"Not enough frames")
            return
        version, request_id, raw_domain, raw_address, identity, mechanism = msg[:6]
        credentials = msg[6:]
        domain = raw_domain.decode(self.encoding, "replace")
        address = raw_address.decode(self.encoding, "replace")
        if version != VERSION:
            self.log.error("Invalid ZAP version: %r", msg)
            self._send_zap_reply(request_id, b"400", b"Invalid version")
            return
        self.log.debug("version: %r, request_id: %r, domain: %r, address: %r, "
                       "identity: %r, mechanism: %r", version, request_id, domain,
                       address, identity, mechanism)

        allowed = denied = False
        reason = b"NO ACCESS"
        if self._allowed:
            allowed = address in self._allowed
            denied = not allowed
            if denied:
                reason = b"Address not allowed"
        elif self._denied:
            denied = address in self._denied
            allowed = not denied
            if denied:
                reason = b"Address denied"
        self.log.debug("%s address=%s", "DENIED" if denied else "PASSED", address)

        username = "anonymous"
        if not denied:
            if mechanism == b"NULL":
                allowed = True
            elif mechanism in (b"PLAIN", b"CURVE", b"GSSAPI"):
                expected = 2 if mechanism == b"PLAIN" else 1
                if len(credentials) != expected:
                    self.log.error("Invalid %s credentials: %r", mechanism.decode(),
                                   credentials)
                    self._send_zap_reply(request_id, b"400", b"Invalid credentials")
                    return
                if mechanism == b"PLAIN":
                    username, password = (c.decode(self.encoding, "replace")
                                          for c in credentials)
                    allowed, reason = self._authenticate_plain(domain, username, password)
                elif mechanism == b"CURVE":
                    key = credentials[0]
                    allowed, reason = await self._authenticate_curve(domain, key)
                    if allowed:
                        username = self.curve_user_id(key)
                else:
                    username = credentials[0].decode("utf8")
                    allowed, reason = self._authenticate_gssapi(domain, credentials[0])
        if allowed:
            self._send_zap_reply(request_id, b"200", b"OK", username)
        else:
            self._send_zap_reply(request_id, b"400", reason)

    def _authenticate_plain(self, domain: str, username: str,
                            password: str) -> tuple[bool, bytes]:
        """PLAIN: (allowed, reason)."""
        if not self.passwords:
            reason = b"No passwords defined"
        else:
            users = self.passwords.get(domain or "*")
            if users is None:
                reason = b"Invalid domain"
            elif username not in users:
                reason = b"Invalid username"
            elif users[username] == password:
                self.log.debug("ALLOWED (PLAIN) domain=%s username=%s", domain, username)
                return True, b""
            else:
                reason = b"Invalid password"
        self.log.debug("DENIED (PLAIN) %s", reason)
        return False, reason

    async def _authenticate_curve(self, domain: str, client_key: bytes) -> tuple[bool, bytes]:
        """CURVE: (allowed, reason)."""
        if self.allow_any:
            self.log.debug("ALLOWED (CURVE allow any client)")
            return True, b"OK"
        domain = domain or "*"
        if self.credentials_providers:
            provider = self.credentials_providers.get(domain)
            if provider is None:
                return False, b"Unknown domain"
            z85_key = zmqx.z85_encode(client_key)
            verdict = provider.callback(domain, z85_key)
            if isinstance(verdict, Awaitable):
                verdict = await verdict
        else:
            keys = self.certs.get(domain)
            if keys is None:
                return False, b"Unknown domain"
            z85_key = zmqx.z85_encode(client_key)
            verdict = keys.get(z85_key)
        self.log.debug("%s (CURVE) domain=%s client_key=%s",
                       "ALLOWED" if verdict else "DENIED", domain, z85_key)
        return (True, b"OK") if verdict else (False, b"Unknown key")

    def _authenticate_gssapi(self, domain: str, principal: bytes) -> tuple[bool, bytes]:
        """GSSAPI was checked by the GSSAPI service itself: allowed."""
        self.log.debug("ALLOWED (GSSAPI) domain=%s principal=%s", domain, principal)
        return True, b"OK"

    def _send_zap_reply(self, request_id: bytes, status_code: bytes, status_text: bytes,
                        user_id: Union[str, bytes] = "anonymous") -> None:
        """Send the ZAP reply: version, request id, status, user id, metadata."""
        user = user_id if status_code == b"200" else b""
        if isinstance(user, str):
            user = user.encode(self.encoding, "replace")
        self.log.debug("ZAP reply code=%s text=%s", status_code, status_text)
        self.zap_socket.send_multipart([VERSION, request_id, status_code, status_text,
                                        user, b""])


def _wants_debug(log: Any) -> bool:
    is_enabled = getattr(log, "isEnabledFor", None)
    return True if is_enabled is None else bool(is_enabled(logging.DEBUG))


def _reply_internal_error(zap: zmqx.Socket, msg: list[bytes]) -> None:
    """After handle_zap_message failed: answer 500 (RFC 27) if it left the
    request unanswered, so the REP socket and later handshakes go on."""
    try:
        zap.send_multipart([VERSION, msg[1] if len(msg) > 1 else b"", b"500",
                            b"Internal error", b"", b""])
    except zmqx.ZMQError:
        pass  # EFSM: the handler had replied before failing


def _raw_key(z85_key: object) -> Optional[bytes]:
    """The 32 raw bytes of a Z85 public key, or None if it is not one."""
    if not isinstance(z85_key, bytes) or len(z85_key) != 40:
        return None
    try:
        return zmqx.z85_decode(z85_key)
    except ValueError:
        return None


__all__ = ["Authenticator", "CURVE_ALLOW_ANY"]
