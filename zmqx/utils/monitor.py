# SPDX-License-Identifier: BSD-3-Clause
"""Decoding socket monitor events: pyzmq's dicts and a typed MonitorEvent.

libzmq (zmq_socket_monitor(3), event version 1) sends each event as two
frames: 6 bytes (uint16 event number, uint32 value, native byte order, no
padding), then the endpoint as text.
"""
from __future__ import annotations

import struct
from collections.abc import Awaitable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple, overload

from zmqx.constants import DONTWAIT, PAIR, POLLIN, Event

if TYPE_CHECKING:
    from typing import TypedDict

    import zmqx.asyncio
    from zmqx._zmq import Frame, Socket

    class _MonitorMessage(TypedDict):
        """What parse_monitor_message returns (pyzmq's dict)."""

        event: Event
        value: int
        endpoint: bytes

__all__ = [
    "MonitorEvent",
    "iter_monitor_events",
    "parse_monitor_message",
    "recv_monitor_message",
]

_HEADER = struct.Struct("=HI")
_PROTOCOL_ERRORS = {m.value for name, m in Event.__members__.items()
                    if name.startswith("PROTOCOL_ERROR_")}


def _decode(msg: Sequence[bytes | Frame]) -> tuple[Event, int, bytes]:
    """(Event, value, endpoint bytes) from the two frames of one event."""
    if len(msg) != 2 or len(msg[0]) != _HEADER.size:
        raise RuntimeError(f"invalid monitor message: {msg!r}")
    number, value = _HEADER.unpack(bytes(msg[0]))
    event = Event(number)
    if event == Event.HANDSHAKE_FAILED_PROTOCOL and value in _PROTOCOL_ERRORS:
        value = Event(value)  # a PROTOCOL_ERROR_* code
    return event, value, bytes(msg[1])


def parse_monitor_message(msg: Sequence[bytes | Frame]) -> _MonitorMessage:
    """Decode one event's frames into pyzmq's dict: ``event`` (an Event member),
    ``value`` (int; a PROTOCOL_ERROR_* Event for HANDSHAKE_FAILED_PROTOCOL),
    ``endpoint`` (bytes)."""
    event, value, endpoint = _decode(msg)
    return {"event": event, "value": value, "endpoint": endpoint}


async def _parse_when_received(msg: Awaitable[list[bytes]]) -> _MonitorMessage:
    return parse_monitor_message(await msg)


@overload
def recv_monitor_message(socket: zmqx.asyncio.Socket,  # type: ignore[overload-overlap]
                         flags: int = 0) -> Awaitable[_MonitorMessage]: ...
@overload
def recv_monitor_message(socket: Socket, flags: int = 0) -> _MonitorMessage: ...
def recv_monitor_message(socket: Socket, flags: int = 0,
                         ) -> _MonitorMessage | Awaitable[_MonitorMessage]:
    """Receive one event from a monitor socket and decode it as pyzmq does
    (from a zmqx.asyncio socket: an awaitable of it)."""
    msg = socket.recv_multipart(flags)
    if isinstance(msg, Awaitable):
        return _parse_when_received(msg)
    return parse_monitor_message(msg)


class MonitorEvent(NamedTuple):
    """One socket monitor event, typed."""

    event: Event
    value: int
    endpoint: str

    @classmethod
    def from_frames(cls, msg: Sequence[bytes | Frame]) -> MonitorEvent:
        event, value, endpoint = _decode(msg)
        return cls(event, value, endpoint.decode("utf-8", "replace"))


def iter_monitor_events(socket: Socket, timeout: float | None = 1.0,
                        events: int = Event.ALL) -> Iterator[MonitorEvent]:
    """Yield the events of a monitor socket as MonitorEvents.

    ``socket`` is a monitor socket (a PAIR, as ``get_monitor_socket()``
    returns) or any other socket, whose ``get_monitor_socket(events)`` is
    then read; to watch a PAIR socket, pass its ``get_monitor_socket()``.
    Stops after yielding MONITOR_STOPPED, or when no event arrives within
    ``timeout`` seconds (None: wait for ever).
    """
    monitor = socket if socket.type == PAIR else socket.get_monitor_socket(events)
    ms = -1 if timeout is None else int(timeout * 1000)
    while monitor.poll(ms, POLLIN):
        event = MonitorEvent.from_frames(monitor.recv_multipart(DONTWAIT))
        yield event
        if event.event == Event.MONITOR_STOPPED:
            return


# As in pyzmq, importing this module makes zmqx.asyncio available as an attribute
# (at the end: zmqx.asyncio imports MonitorEvent from here).
import zmqx.asyncio  # noqa: E402,F401
