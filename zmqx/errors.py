# SPDX-License-Identifier: BSD-3-Clause
"""zmqx's exceptions, in pure Python: importable, picklable and documented
without the extension.

``ZMQError`` is an ``OSError``: ``errno`` and ``strerror`` mean what they mean
for any OSError, and ``except OSError`` catches libzmq failures too.  Some
errno values get their own class (``exception_for_errno``), and where Python
has a builtin for the same condition the class is also that builtin:
``Again`` is a ``BlockingIOError``, ``InterruptedSystemCall`` an
``InterruptedError``.
"""
from __future__ import annotations

import errno as _errno

__all__ = [
    "ZMQBaseError", "ZMQError", "Again", "ContextTerminated", "InterruptedSystemCall",
    "ZMQBindError", "NotDone", "ZMQVersionError", "DraftFDWarning", "exception_for_errno",
    "strerror",
]

ETERM = 156384712 + 53  # ZMQ_HAUSNUMERO + 53, as in zmq.h


def strerror(errnum: int) -> str:
    """libzmq's text for ``errnum`` (falls back to the OS text without the extension)."""
    try:
        from zmqx._zmq import strerror as _zmq_strerror
    except ImportError:
        import os
        return os.strerror(errnum)
    return _zmq_strerror(errnum)


class DraftFDWarning(RuntimeWarning):
    """pyzmq's warning for its emulated ``FD`` on thread-safe (draft) sockets.
    zmqx emulates no such FD and never issues it; it exists so code that
    filters it (``warnings.simplefilter("ignore", DraftFDWarning)``) runs."""

    def __init__(self, msg: str = "") -> None:
        super().__init__(msg or "socket.FD on thread-safe (draft) sockets is experimental")


class ZMQBaseError(Exception):
    """Base of every zmqx exception."""


class ZMQError(ZMQBaseError, OSError):
    """A libzmq call failed: ``errno`` is libzmq's error number, ``strerror`` its text."""

    def __init__(self, errno: int | None = None, msg: str | None = None) -> None:
        if errno is None:
            from zmqx._zmq import zmq_errno
            errno = zmq_errno()
        if msg is None:
            msg = strerror(errno)
        OSError.__init__(self, errno, msg)

    def __str__(self) -> str:
        return str(self.strerror)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.errno!r}, {self.strerror!r})"


class _FixedErrno(ZMQError):
    """A ZMQError for one errno (``_fixed_errno``): as in pyzmq, the class sets it, whatever
    ``errno`` says (``Again()`` is EAGAIN); a ``msg`` given replaces libzmq's text."""

    _fixed_errno: int

    def __init__(self, errno: int | str = "ignored", msg: str = "ignored") -> None:
        ZMQError.__init__(self, self._fixed_errno, None if msg == "ignored" else msg)


class Again(_FixedErrno, BlockingIOError):
    """EAGAIN: a non-blocking call could not complete, or a send/recv timeout expired."""

    _fixed_errno = _errno.EAGAIN


class ContextTerminated(_FixedErrno):
    """ETERM: the socket's context was terminated."""

    _fixed_errno = ETERM


class InterruptedSystemCall(_FixedErrno, InterruptedError):
    """EINTR: a call was interrupted by a signal and not resumed."""

    _fixed_errno = _errno.EINTR


class ZMQBindError(ZMQBaseError):
    """``bind_to_random_port`` found no free port."""


class NotDone(ZMQBaseError):
    """``MessageTracker.wait`` timed out before libzmq released the message."""


class ZMQVersionError(NotImplementedError):
    """A feature needs a newer libzmq (or one built with the draft API)."""

    def __init__(self, min_version: str, msg: str = "Feature") -> None:
        self.min_version = min_version
        self.msg = msg
        super().__init__(f"{msg} requires libzmq >= {min_version}")

    def __reduce__(self) -> tuple[type[ZMQVersionError], tuple[str, str]]:
        return type(self), (self.min_version, self.msg)


_BY_ERRNO: dict[int, type[ZMQError]] = {
    _errno.EAGAIN: Again,
    _errno.EINTR: InterruptedSystemCall,
    ETERM: ContextTerminated,
}


def exception_for_errno(errnum: int) -> type[ZMQError]:
    """The ZMQError subclass raised for ``errnum``."""
    return _BY_ERRNO.get(errnum, ZMQError)


class DraftAPIUnavailable(ZMQError, RuntimeError):
    """ENOTSUP for a call that needs libzmq's draft API (``Socket.join``/``leave``),
    which zmqx does not use.  Also a RuntimeError, which pyzmq raises there."""

    def __init__(self, what: str = "this call") -> None:
        ZMQError.__init__(self, _errno.ENOTSUP,
                          f"{what} needs libzmq's draft API, which zmqx does not use")

    def __reduce__(self) -> tuple[type[DraftAPIUnavailable], tuple[str]]:
        return type(self), (str(self.strerror).split(" needs ")[0],)
