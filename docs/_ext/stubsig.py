# SPDX-License-Identifier: BSD-3-Clause
"""Sphinx extension: signatures of the compiled module's objects from its stub.

The extension module's functions carry untyped text signatures; zmqx/_zmq.pyi
has the types.  For every object autodoc documents whose stub entry exists
(looked up along the stub's class bases, so ``zmqx.Socket.send`` finds
``_SocketCore.send``), the signature shown takes its annotations from the stub
and its defaults from the runtime (a stub writes them ``...``).  Overloaded
stub functions, and objects without a runtime signature, keep what autodoc
found.
"""
from __future__ import annotations

import ast
import copy
import os
from typing import Any

_STUB = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "zmqx", "_zmq.pyi")


class Stub:
    def __init__(self, path: str) -> None:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        self.funcs: dict[str, list[ast.FunctionDef]] = {}
        self.bases: dict[str, list[str]] = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                self.funcs.setdefault(node.name, []).append(node)
            elif isinstance(node, ast.ClassDef):
                self.bases[node.name] = [ast.unparse(b) for b in node.bases]
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        self.funcs.setdefault(f"{node.name}.{item.name}", []).append(item)

    def find(self, cls: str | None, name: str) -> ast.FunctionDef | None:
        if cls is None:
            defs = self.funcs.get(name)
        else:
            defs = None
            todo = [cls]
            while todo and defs is None:
                c = todo.pop(0)
                defs = self.funcs.get(f"{c}.{name}")
                todo += self.bases.get(c, [])
        return defs[0] if defs and len(defs) == 1 else None


def _runtime_defaults(signature: str | None) -> dict[str, str]:
    if not signature:
        return {}
    try:
        args = ast.parse(f"def f{signature}: pass").body[0].args  # type: ignore[attr-defined]
    except SyntaxError:
        return {}
    positional = args.posonlyargs + args.args
    out = {a.arg: ast.unparse(d) for a, d in zip(positional[-len(args.defaults):],
                                                   args.defaults)} if args.defaults else {}
    out.update({a.arg: ast.unparse(d) for a, d in zip(args.kwonlyargs, args.kw_defaults)
                if d is not None})
    return out


def _format(func: ast.FunctionDef, runtime: str | None) -> tuple[str, str | None]:
    func = copy.deepcopy(func)  # the stub's tree is shared by every call
    args = func.args
    defaults = _runtime_defaults(runtime)
    first = (args.posonlyargs + args.args)[:1]
    if first and first[0].arg in ("self", "cls"):
        if args.posonlyargs:
            args.posonlyargs = args.posonlyargs[1:]
        else:
            args.args = args.args[1:]
    for arg, default in zip(reversed(args.posonlyargs + args.args), reversed(args.defaults)):
        if isinstance(default, ast.Constant) and default.value is Ellipsis \
                and arg.arg in defaults:
            args.defaults[args.defaults.index(default)] = ast.parse(defaults[arg.arg]).body[0].value  # type: ignore[attr-defined]
    for i, (arg, default) in enumerate(zip(args.kwonlyargs, args.kw_defaults)):
        if isinstance(default, ast.Constant) and default.value is Ellipsis \
                and arg.arg in defaults:
            args.kw_defaults[i] = ast.parse(defaults[arg.arg]).body[0].value  # type: ignore[attr-defined]
    returns = ast.unparse(func.returns) if func.returns is not None else None
    return f"({ast.unparse(args)})", returns


def process_signature(app: Any, what: str, name: str, obj: Any, options: Any,
                      signature: str | None, return_annotation: str | None
                      ) -> tuple[str | None, str | None] | None:
    module = getattr(obj, "__module__", None) or getattr(
        getattr(obj, "__objclass__", None), "__module__", None)
    if module != "zmqx._zmq" or not name.startswith("zmqx."):
        return None
    if what == "class" or signature is None:
        # nothing to merge into (autodoc cannot take a signature where it found
        # none): api.rst gives the compiled classes theirs
        return None
    parts = name.split(".")[1:]
    cls = parts[-2] if len(parts) > 1 else None
    func = app.env.zmqx_stub.find(cls, parts[-1])
    if func is None or any(ast.unparse(d) == "property" for d in func.decorator_list):
        return None
    return _format(func, signature)


def setup(app: Any) -> dict[str, Any]:
    def load(app: Any, env: Any, *args: Any) -> None:
        env.zmqx_stub = Stub(_STUB)

    app.connect("env-before-read-docs", load)
    app.connect("autodoc-process-signature", process_signature)
    return {"parallel_read_safe": True, "env_version": 1}
