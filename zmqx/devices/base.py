# SPDX-License-Identifier: BSD-3-Clause
"""Device: the configure-then-run shell that every zmqx device shares, run in
the calling thread, a background thread or a background process.

A device records bind/connect addresses and socket options per side ("in",
"out", and for subclasses "mon" and "ctrl"), makes its sockets only when it
runs (in the thread or process that runs it), forwards until its context
terminates, then closes them.
"""
from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zmqx._zmq import Context
from zmqx.constants import ENOTSOCK, PAIR, QUEUE
from zmqx.errors import ContextTerminated, ZMQError
from zmqx.proxy import proxy

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from zmqx._zmq import Socket

__all__ = ["Device", "ProcessDevice", "ThreadDevice"]


def _side_methods(side: str) -> tuple[Callable[[Device, str], None], Callable[[Device, str], None],
                                      Callable[[Device, int, Any], None], Callable[..., int]]:
    """bind_<side>, connect_<side>, setsockopt_<side>, bind_<side>_to_random_port."""
    def bind(self: Device, addr: str) -> None:
        self._config[side][0].append(addr)

    def connect(self: Device, addr: str) -> None:
        self._config[side][1].append(addr)

    def setsockopt(self: Device, opt: int, value: Any) -> None:
        self._config[side][2].append((opt, value))

    def bind_to_random_port(self: Device, addr: str, *args: int, **kwargs: int) -> int:
        port = _free_port(addr, *args, **kwargs)
        bind(self, f"{addr}:{port}")
        return port

    bind.__doc__ = f"Bind the {side} socket to ``addr`` when the device runs."
    connect.__doc__ = f"Connect the {side} socket to ``addr`` when the device runs."
    setsockopt.__doc__ = f"Set option ``opt`` on the {side} socket when the device runs."
    bind_to_random_port.__doc__ = (f"Reserve a free port of ``addr`` for the {side} socket "
                                   "(see Socket.bind_to_random_port); return it.")
    return bind, connect, setsockopt, bind_to_random_port


def _free_port(addr: str, *args: int, **kwargs: int) -> int:
    """A port of ``addr`` free now (a throwaway socket binds to it, then lets go)."""
    ctx = Context()
    try:
        probe = ctx.socket(PAIR)
        try:
            return probe.bind_to_random_port(addr, *args, **kwargs)
        finally:
            probe.close(linger=0)
    finally:
        ctx.term()


class Device:
    """Forward messages between an in socket and an out socket (zmq_proxy),
    in the calling thread.

    Lifecycle: configure with ``bind_in``/``connect_out``/``setsockopt_in``...,
    then ``start()``.  ``run()`` makes the sockets from
    ``context_factory()`` (``Context.instance`` by default, so inproc
    addresses are shared with the caller), forwards until that context
    terminates, then closes the sockets and sets ``done``.  Configuration
    made after ``start()`` has no effect.  An ``out_type`` below 0 uses the in
    socket for both sides.
    """

    context_factory: Callable[[], Context] = Context.instance
    _sides: tuple[str, ...] = ("in", "out")

    def __init__(self, device_type: int = QUEUE, in_type: int | None = None,
                 out_type: int | None = None) -> None:
        if in_type is None or out_type is None:
            raise TypeError("in_type and out_type must be given")
        self.device_type = device_type
        self.in_type = in_type
        self.out_type = out_type
        self.daemon = True
        self.done = False
        self._finished = threading.Event()
        self._config: dict[str, tuple[list[str], list[str], list[tuple[int, Any]]]] = {
            side: ([], [], []) for side in self._sides}  # binds, connects, opts
        self._sockets: list[Socket] = []

    bind_in, connect_in, setsockopt_in, bind_in_to_random_port = _side_methods("in")
    bind_out, connect_out, setsockopt_out, bind_out_to_random_port = _side_methods("out")

    def _socket(self, ctx: Context, side: str) -> Socket:
        binds, connects, options = self._config[side]
        s = ctx.socket(getattr(self, f"{side}_type"))
        self._sockets.append(s)
        for opt, value in options:
            s.setsockopt(opt, value)
        for addr in binds:
            s.bind(addr)
        for addr in connects:
            s.connect(addr)
        return s

    def _context_made(self, ctx: Context) -> None:
        """Hook: called with the device's context before its sockets exist."""

    def _setup_sockets(self) -> list[Socket]:
        """One socket per side, in ``_sides`` order (in and out may be one)."""
        ctx = self._context = self.context_factory()
        self._context_made(ctx)
        made: list[Socket] = []
        for side in self._sides:
            if side == "out" and self.out_type < 0:
                made.append(made[0])
            else:
                made.append(self._socket(ctx, side))
        return made

    def run_device(self) -> None:
        """Make the sockets and forward until the context terminates (the
        proxy then raises ContextTerminated, which run() absorbs)."""
        ins, outs = self._setup_sockets()
        proxy(ins, outs)

    def run(self) -> None:
        """Run the device here until its context terminates; close its sockets."""
        try:
            self.run_device()
        except ContextTerminated:
            pass
        except ZMQError as e:
            if e.errno != ENOTSOCK:
                raise
        finally:
            for s in self._sockets:
                s.close()
            self._sockets = []
            self.done = True
            self._finished.set()

    def start(self) -> None:
        """Run the device (in the calling thread: returns when it is done)."""
        return self.run()

    def join(self, timeout: float | None = None) -> None:
        """Wait until the device is done, at most ``timeout`` seconds."""
        self._finished.wait(timeout)


class _BackgroundDevice(Device):
    """A Device whose ``start()`` runs it in a ``_launch_class`` (Thread or Process)."""

    _launch_class: Any = None    # threading.Thread or multiprocessing.Process
    launcher: Any = None

    def start(self) -> None:
        """Start the device in the background; return at once."""
        self.launcher = self._launch_class(target=self.run)
        self.launcher.daemon = self.daemon
        self.launcher.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background thread or process, at most ``timeout`` seconds."""
        self.launcher.join(timeout)

    def is_alive(self) -> bool:
        return self.launcher is not None and self.launcher.is_alive()


class ThreadDevice(_BackgroundDevice):
    """A Device in a background thread, sharing ``Context.instance()`` unless
    ``context_factory`` is changed (e.g. ``dev.context_factory = lambda: ctx``):
    terminating that context stops the device."""

    _launch_class = threading.Thread


class ProcessDevice(_BackgroundDevice):
    """A Device in a background process (multiprocessing's default start
    method), with a new Context there.

    ``stop()`` (zmqx's addition) tells the process to terminate its context,
    which ends the device cleanly; the device also stops when the parent
    process exits.  Set LINGER (``setsockopt_out(LINGER, 0)``...) if queued
    messages may have no peer to go to, or that termination waits for them.
    """

    _launch_class = multiprocessing.Process
    context_factory = Context
    _stop_r: Connection | None = None  # the pipe stop() writes to (_stop_w), made by start()
    _stop_w: Connection | None = None

    def start(self) -> None:
        self._stop_r, self._stop_w = multiprocessing.Pipe(duplex=False)
        super().start()
        self._stop_r.close()   # the child has its own end

    def run(self) -> None:
        if self._stop_w is not None:
            self._stop_w.close()   # so the parent's exit reads as EOF here
        super().run()

    def _context_made(self, ctx: Context) -> None:
        self._ready = threading.Event()
        threading.Thread(target=self._watch, args=(ctx,), daemon=True).start()

    def _setup_sockets(self) -> list[Socket]:
        try:
            return super()._setup_sockets()
        finally:
            self._ready.set()

    def _watch(self, ctx: Context) -> None:
        """In the child: on stop() or the parent's exit, terminate the context,
        once the sockets exist (term() racing zmq_socket() would use a freed
        context)."""
        try:
            self._stop_r.recv_bytes()  # type: ignore[union-attr]  # start() made it
        except (EOFError, OSError):
            pass
        self._ready.wait()
        ctx.term()

    def stop(self) -> None:
        """Ask the device's process to finish (idempotent); then join() it."""
        if self._stop_w is not None and not self._stop_w.closed:
            try:
                self._stop_w.send_bytes(b"stop")
            except OSError:
                pass  # the process is gone already
            self._stop_w.close()
