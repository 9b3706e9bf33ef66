# SPDX-License-Identifier: BSD-3-Clause
"""Decorators that give a function a Context or a socket for the length of a
call (pyzmq's ``zmq.decorators``), closing what they opened when it returns
or raises::

    @context()
    @socket(zmqx.PUSH)
    def work(ctx, push): ...

The decorator's first string argument (or ``name=``) passes the object as
that keyword argument instead of appending it to the positional ones; the
other arguments go to ``Context(...)`` or ``ctx.socket(...)``. A socket
comes from the Context found in the call's keyword ``context_name`` (default
``"context"``), else its first positional Context, else ``Context.instance()``.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar, cast

from zmqx._zmq import Context

__all__ = ("context", "socket")

_F = TypeVar("_F", bound=Callable[..., object])


class _DecoratorCallable(Protocol):
    def __call__(self, func: _F) -> _F: ...


def _split_name(args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> tuple[str | None, tuple[Any, ...]]:
    """The keyword name to pass the object as (popped from ``kwargs`` or the
    first positional string), and the remaining positional arguments."""
    if isinstance(kwargs.get("name"), str):
        return kwargs.pop("name"), args
    if args and isinstance(args[0], str):
        return args[0], args[1:]
    return None, args


def _decorate(name: str | None,
              opener: Callable[[tuple[Any, ...], dict[str, Any]], AbstractContextManager[Any]]
              ) -> _DecoratorCallable:
    """A decorator calling ``func`` with what ``opener(call args, call kwargs)``
    yields as a context manager, which closes it after the call."""

    def decorator(func: _F) -> _F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if name is not None and name in kwargs:
                raise TypeError(f"{getattr(func, '__name__', func)}() got multiple values "
                                f"for argument '{name}'")
            with opener(args, kwargs) as obj:
                if name is None:
                    return func(*args, obj, **kwargs)
                return func(*args, **kwargs, **{name: obj})

        return cast(_F, wrapper)

    return decorator


def context(*args: Any, **kwargs: Any) -> _DecoratorCallable:
    """Decorator: call the function with a new ``Context(*args, **kwargs)``,
    destroyed when the call ends. ``name``: pass it as this keyword argument."""
    name, args = _split_name(args, kwargs)
    return _decorate(name, lambda call_args, call_kwargs: Context(*args, **kwargs))


def socket(*args: Any, **kwargs: Any) -> _DecoratorCallable:
    """Decorator: call the function with a new ``ctx.socket(*args, **kwargs)``,
    closed when the call ends. ``name``: pass it as this keyword argument;
    ``context_name``: the call's keyword argument holding the Context."""
    name, args = _split_name(args, kwargs)
    context_name = kwargs.pop("context_name", "context")

    def open_socket(call_args: tuple[Any, ...], call_kwargs: dict[str, Any]) -> Any:
        ctx = call_kwargs.get(context_name)
        if not isinstance(ctx, Context):
            ctx = next((a for a in call_args if isinstance(a, Context)), None)
        if ctx is None:
            ctx = Context.instance()
        return ctx.socket(*args, **kwargs)

    return _decorate(name, open_socket)
