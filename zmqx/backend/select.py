# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.backend.select``: the names a backend provides, and loading
them from a backend module by name (zmqx has one backend: ``zmqx.backend``)."""
from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["public_api", "select_backend"]

public_api = [
    "Context", "Socket", "Frame", "Message", "proxy", "proxy_steerable", "zmq_poll",
    "strerror", "zmq_errno", "has", "curve_keypair", "curve_public", "zmq_version_info",
    "IPC_PATH_MAX_LEN", "PYZMQ_DRAFT_API",
]


def select_backend(name: str) -> dict[str, Any]:
    """The backend API (``public_api`` plus ``monitored_queue``) of module ``name``.
    ImportError if it cannot be imported."""
    try:
        mod = import_module(name)
    except ImportError:
        raise
    except Exception as e:
        raise ImportError(f"Importing {name} failed with {e}") from e
    return {key: getattr(mod, key) for key in [*public_api, "monitored_queue"]}
