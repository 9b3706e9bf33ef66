# SPDX-License-Identifier: BSD-3-Clause
"""Log records published on a PUB socket (pyzmq's ``zmq.log.handlers``).

Each record is one two-frame message ``[topic, text]``. The topic is
``root_topic.LEVELNAME`` (just ``LEVELNAME`` with no root topic), plus
``.sub.topic`` when the message reads ``"sub.topic::the text"``; a SUB
socket chooses what it gets by subscribing to a topic prefix::

    handler = PUBHandler("tcp://127.0.0.1:5558", root_topic="myapp")
    logging.getLogger().addHandler(handler)
    logging.getLogger().warning("db::connection lost")  # topic b"myapp.WARNING.db"

``TopicLogger`` takes the sub-topic as its own argument:
``logger.warning("db", "connection lost")``.
"""
from __future__ import annotations

import logging
from copy import copy
from typing import Any, Final, cast

from zmqx._zmq import Context, Socket
from zmqx.constants import PUB

__all__ = ["PUBHandler", "TOPIC_DELIM", "TopicLogger"]

TOPIC_DELIM: Final = "::"  # separates a message's sub-topic from its text

_DETAILED = "%(levelname)s %(filename)s:%(lineno)d - %(message)s\n"


class PUBHandler(logging.Handler):
    """A logging handler sending each record on a PUB socket.

    ``interface_or_socket`` is a PUB socket (bound or connected by the
    caller, who keeps owning it) or an address to bind a new PUB socket to,
    made from ``context`` (default: a new Context).
    """

    formatters: dict[int, logging.Formatter | None]
    ctx: Context
    socket: Socket

    def __init__(self, interface_or_socket: str | Socket, context: Context | None = None,
                 root_topic: str = "") -> None:
        logging.Handler.__init__(self)
        self.root_topic = root_topic
        self.formatters = {
            logging.DEBUG: logging.Formatter(_DETAILED),
            logging.INFO: logging.Formatter("%(message)s\n"),
            logging.WARNING: logging.Formatter(_DETAILED),
            logging.ERROR: logging.Formatter(
                "%(levelname)s %(filename)s:%(lineno)d - %(message)s - %(exc_info)s\n"),
            logging.CRITICAL: logging.Formatter(_DETAILED),
        }
        if isinstance(interface_or_socket, Socket):
            self.socket = interface_or_socket
            self.ctx = cast(Context, self.socket.context)
        else:
            self.ctx = context or Context()
            self.socket = self.ctx.socket(PUB)
            self.socket.bind(interface_or_socket)

    @property
    def root_topic(self) -> str:
        """The first part of every topic ('' for none)."""
        return self._root_topic

    @root_topic.setter
    def root_topic(self, value: str) -> None:
        self.setRootTopic(value)

    def setRootTopic(self, root_topic: str) -> None:
        """Set the first part of every topic (bytes are decoded as UTF-8).
        Subscribers must subscribe to a prefix of it (or to b"") to get anything."""
        if isinstance(root_topic, bytes):
            root_topic = root_topic.decode("utf8")
        self._root_topic = root_topic

    def setFormatter(self, fmt: logging.Formatter | None,
                     level: int = logging.NOTSET) -> None:
        """Use ``fmt`` for records of ``level``, or for every level (NOTSET)."""
        if level == logging.NOTSET:
            for each in self.formatters:
                self.formatters[each] = fmt
        else:
            self.formatters[level] = fmt

    def format(self, record: logging.LogRecord) -> str:
        """The text of ``record``, with the formatter for its level."""
        fmt = self.formatters.get(record.levelno) or logging.Formatter()
        return fmt.format(record)

    def emit(self, record: logging.LogRecord) -> None:
        """Send ``[topic, text]`` for ``record`` (UTF-8)."""
        topic, sep, text = str(record.msg).partition(TOPIC_DELIM)
        if sep:
            record = copy(record)
            record.msg = text
        else:
            topic = ""
        try:
            body = self.format(record).encode("utf8")
        except Exception:
            self.handleError(record)
            return
        parts = [p for p in (self.root_topic, record.levelname, topic) if p]
        self.socket.send_multipart([".".join(parts).encode("utf8", "replace"), body])


def _join(topic: str, msg: str) -> str:
    return f"{topic}{TOPIC_DELIM}{msg}"


def _caller(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with ``stacklevel`` one higher, so records name the caller of
    a TopicLogger method, not the method."""
    kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
    return kwargs


class TopicLogger(logging.Logger):
    """A Logger whose methods take a sub-topic before the message:
    ``logger.debug("topic.sub", "msg")`` logs ``"topic.sub::msg"``, which
    PUBHandler publishes under that sub-topic."""

    def log(self, level: int, topic: str, msg: str,  # type: ignore[override]
            *args: Any, **kwargs: Any) -> None:
        """Log ``msg % args`` at ``level`` under sub-topic ``topic``."""
        logging.Logger.log(self, level, _join(topic, msg), *args, **_caller(kwargs))

    def debug(self, topic: str, msg: str,  # type: ignore[override]
              *args: Any, **kwargs: Any) -> None:
        """Log at DEBUG under sub-topic ``topic``."""
        logging.Logger.log(self, logging.DEBUG, _join(topic, msg), *args, **_caller(kwargs))

    def info(self, topic: str, msg: str,  # type: ignore[override]
             *args: Any, **kwargs: Any) -> None:
        """Log at INFO under sub-topic ``topic``."""
        logging.Logger.log(self, logging.INFO, _join(topic, msg), *args, **_caller(kwargs))

    def warning(self, topic: str, msg: str,  # type: ignore[override]
                *args: Any, **kwargs: Any) -> None:
        """Log at WARNING under sub-topic ``topic``."""
        logging.Logger.log(self, logging.WARNING, _join(topic, msg), *args, **_caller(kwargs))

    def warn(self, topic: str, msg: str,  # type: ignore[override]
             *args: Any, **kwargs: Any) -> None:
        """Deprecated alias of warning (as in logging)."""
        logging.Logger.log(self, logging.WARNING, _join(topic, msg), *args, **_caller(kwargs))

    def error(self, topic: str, msg: str,  # type: ignore[override]
              *args: Any, **kwargs: Any) -> None:
        """Log at ERROR under sub-topic ``topic``."""
        logging.Logger.log(self, logging.ERROR, _join(topic, msg), *args, **_caller(kwargs))

    def exception(self, topic: str, msg: str, *args: Any,  # type: ignore[override]
                  exc_info: Any = True, **kwargs: Any) -> None:
        """Log at ERROR with the exception being handled, under sub-topic ``topic``."""
        logging.Logger.log(self, logging.ERROR, _join(topic, msg), *args, exc_info=exc_info,
                           **_caller(kwargs))

    def critical(self, topic: str, msg: str,  # type: ignore[override]
                 *args: Any, **kwargs: Any) -> None:
        """Log at CRITICAL under sub-topic ``topic``."""
        logging.Logger.log(self, logging.CRITICAL, _join(topic, msg), *args, **_caller(kwargs))

    fatal = critical  # type: ignore[assignment]
