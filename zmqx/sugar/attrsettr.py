# SPDX-License-Identifier: BSD-3-Clause
"""pyzmq's ``AttributeSetter``: a mixin mapping attribute access to options
(``obj.linger = 0`` -> ``obj.set(LINGER, 0)``, any case), for classes that
define ``get(option)`` and ``set(option, value)``.

zmqx's Socket, Context and Frame are extension types that implement their
attributes themselves; they are registered here, so ``isinstance(sock,
AttributeSetter)`` holds as in pyzmq.
"""
from __future__ import annotations

import errno
from abc import ABCMeta
from typing import Any

from zmqx import constants
from zmqx._zmq import Context, Frame, Socket
from zmqx.errors import ZMQError

__all__ = ["AttributeSetter"]


def _option(obj: object, key: str) -> tuple[str, int]:
    name = key.upper()
    opt = getattr(constants, name, None)
    if not isinstance(opt, int):
        raise AttributeError(f"{type(obj).__name__} has no such option: {name}")
    return name, opt


class AttributeSetter(metaclass=ABCMeta):
    """Option attributes over ``get``/``set``; names the class defines (or
    annotates) stay ordinary attributes."""

    def __setattr__(self, key: str, value: Any) -> None:
        if key in self.__dict__ or any(
                key in vars(cls) or key in getattr(cls, "__annotations__", {})
                for cls in type(self).__mro__):
            object.__setattr__(self, key, value)
            return
        name, opt = _option(self, key)
        self._set_attr_opt(name, opt, value)

    def __getattr__(self, key: str) -> Any:
        name, opt = _option(self, key)
        try:
            return self._get_attr_opt(name, opt)
        except ZMQError as e:
            if e.errno in (errno.EINVAL, errno.EFAULT):  # a write-only option
                raise AttributeError(f"{key} attribute is write-only") from None
            raise

    def _set_attr_opt(self, name: str, opt: int, value: Any) -> None:
        """Set option ``opt`` (named ``name``); override to do more than ``set``."""
        self.set(opt, value)

    def _get_attr_opt(self, name: str, opt: int) -> Any:
        """Read option ``opt`` (named ``name``); override to do more than ``get``."""
        return self.get(opt)

    def get(self, option: int) -> Any:
        """Read an option: subclasses implement it."""
        raise NotImplementedError("override in subclass")

    def set(self, option: int, value: Any) -> None:
        """Set an option: subclasses implement it."""
        raise NotImplementedError("override in subclass")


AttributeSetter.register(Socket)
AttributeSetter.register(Context)
AttributeSetter.register(Frame)
