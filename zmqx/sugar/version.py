# SPDX-License-Identifier: BSD-3-Clause
"""Version functions at pyzmq's ``zmq.sugar.version`` path: libzmq's version,
and the pyzmq API level zmqx follows (``pyzmq_version``, ``pyzmq_version_info``).
``__version__`` is zmqx's own version, as ``zmqx.__version__``."""
from __future__ import annotations

from zmqx._version import __version__
from zmqx._zmq import zmq_version, zmq_version_info

__all__ = ["zmq_version", "zmq_version_info", "pyzmq_version", "pyzmq_version_info",
           "__version__", "__revision__"]

__revision__: str = ""

_PYZMQ_API = (27, 0, 0)  # the pyzmq release whose API zmqx follows
VERSION_MAJOR, VERSION_MINOR, VERSION_PATCH = _PYZMQ_API
VERSION_EXTRA = ""
version_info: tuple[int, int, int] = _PYZMQ_API


def pyzmq_version() -> str:
    """The pyzmq API level zmqx follows, as text (for code that checks it)."""
    return "%d.%d.%d" % _PYZMQ_API


def pyzmq_version_info() -> tuple[int, int, int]:
    """The pyzmq API level zmqx follows, as a tuple of three ints."""
    return _PYZMQ_API
