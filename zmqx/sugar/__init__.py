# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``zmq.sugar`` path: the public classes and functions gathered from
its submodules, each a thin re-export of zmqx's core (no code of its own)."""
from zmqx.errors import *  # noqa: F401,F403
from zmqx.errors import __all__ as _error_all
from zmqx.proxy import device
from zmqx.sugar import context, frame, poll, socket, tracker, version
from zmqx.sugar.context import *  # noqa: F401,F403
from zmqx.sugar.frame import *  # noqa: F401,F403
from zmqx.sugar.poll import *  # noqa: F401,F403
from zmqx.sugar.socket import *  # noqa: F401,F403
from zmqx.sugar.stopwatch import Stopwatch
from zmqx.sugar.tracker import *  # noqa: F401,F403
from zmqx.sugar.tracker import _FINISHED_TRACKER  # noqa: F401
from zmqx.sugar.version import *  # noqa: F401,F403

__all__ = ["device", "Stopwatch"]
__all__ += _error_all
__all__ += context.__all__
__all__ += frame.__all__
__all__ += poll.__all__
__all__ += socket.__all__
__all__ += tracker.__all__
__all__ += version.__all__
