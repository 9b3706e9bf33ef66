"""zmqx has pyzmq's public surface: every public module of pyzmq (found by
walking its package directory), every public name in it at the same dotted
path, every constant with the same value, and every function, class and
public method with a compatible signature (the same parameter names, kinds
and defaults; zmqx may add optional parameters).

What zmqx does not have yet is listed in tests/pyzmq_gaps.txt, one path and
one reason a line; the test fails both for a difference not listed there and
for a listed one that no longer exists, so the list only shrinks.

Needs pyzmq installed beside zmqx (``make test`` builds it against the system
libzmq); skipped without it. It compares the two modules directly, so it runs
only when zmqx is the module under test.
"""
import ast
import enum
import importlib
import importlib.util
import inspect
import os
import types
import typing

import pytest

from _backend import IS_ZMQX

pytestmark = pytest.mark.skipif(not IS_ZMQX, reason="compares zmqx with pyzmq")
pyzmq = pytest.importorskip("zmq", reason="pyzmq is not installed (make bench-deps)")
zmqx = importlib.import_module("zmqx")

HERE = os.path.dirname(os.path.abspath(__file__))
GAPS_FILE = os.path.join(HERE, "pyzmq_gaps.txt")
STUB = os.path.join(os.path.dirname(os.path.abspath(zmqx.__file__)), "_zmq.pyi")
#: names whose values legitimately differ (the package's own version)
VALUE_EXEMPT = {"__version__"}


def pyzmq_modules():
    """Dotted names of pyzmq's public modules, from its files (importing a
    package is not needed to list it, so missing optional dependencies such
    as tornado or gevent hide nothing)."""
    root = os.path.dirname(pyzmq.__file__)
    names = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, os.path.dirname(root)).split(os.sep)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(("_", "."))
                             and os.path.exists(os.path.join(dirpath, d, "__init__.py"))
                             and (rel, d) != (["zmq"], "tests"))
        for f in sorted(filenames):
            if f == "__init__.py":
                names.append(".".join(rel))
            elif f.endswith(".py") and (not f.startswith("_") or f == "__main__.py"):
                names.append(".".join(rel + [f[:-3]]))
    return names


MODULES = pyzmq_modules()


def zmqx_path(path):
    return "zmqx" + path[len("zmq"):]


# ------------------------------------------------------------ signatures


def _stub_signatures():
    """Signatures declared in zmqx/_zmq.pyi, for extension callables whose
    runtime signature Python cannot read (types' constructors, C entry
    points); tests/test_typing.py checks the stub against the runtime.
    Defaults written ``...`` there are unknown (Ellipsis here)."""
    with open(STUB) as f:
        tree = ast.parse(f.read())
    found = {}

    def params(fn):
        a = fn.args
        out = []
        pos = a.posonlyargs + a.args
        defaults = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
        for i, (arg, d) in enumerate(zip(pos, defaults)):
            kind = (inspect.Parameter.POSITIONAL_ONLY if i < len(a.posonlyargs)
                    else inspect.Parameter.POSITIONAL_OR_KEYWORD)
            out.append((arg.arg, kind, d))
        if a.vararg:
            out.append((a.vararg.arg, inspect.Parameter.VAR_POSITIONAL, None))
        for arg, d in zip(a.kwonlyargs, a.kw_defaults):
            out.append((arg.arg, inspect.Parameter.KEYWORD_ONLY, d))
        if a.kwarg:
            out.append((a.kwarg.arg, inspect.Parameter.VAR_KEYWORD, None))
        result = []
        for name, kind, d in out:
            if d is None:
                default = inspect.Parameter.empty
            else:
                try:
                    default = ast.literal_eval(d)
                except ValueError:
                    default = Ellipsis
            result.append(inspect.Parameter(name, kind, default=default))
        return inspect.Signature(result)

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, prefix + node.name + ".")
            elif isinstance(node, ast.FunctionDef):
                sig = params(node)
                key = prefix + node.name
                if key not in found or len(sig.parameters) > len(found[key].parameters):
                    found[key] = sig  # of overloads, the widest

    visit(tree.body, "")
    return found


STUB_SIGNATURES = _stub_signatures()


def signature(obj, stub_keys=()):
    """inspect.Signature of ``obj`` without ``self``/``cls`` (from the stub,
    under the first of ``stub_keys`` it has, when Python cannot read it), or None."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        sig = next((STUB_SIGNATURES[k] for k in stub_keys if k in STUB_SIGNATURES), None)
        if sig is None:
            return None
    ps = list(sig.parameters.values())
    if ps and ps[0].name in ("self", "cls") and ps[0].kind != ps[0].VAR_POSITIONAL:
        ps = ps[1:]
    return sig.replace(parameters=ps)


def stub_keys(x_cls, name=None):
    """Where zmqx/_zmq.pyi declares ``x_cls``'s constructor (name None) or method."""
    names = [k.__name__ for k in x_cls.__mro__ if k.__module__ == "zmqx._zmq"]
    if name is None:
        return [f"{n}.{m}" for n in names for m in ("__new__", "__init__")]
    return [f"{n}.{name}" for n in names]


def _same_default(a, b):
    """pyzmq's default ``a`` and zmqx's ``b`` mean the same (``...``: unknown)."""
    if a is b or a is Ellipsis or b is Ellipsis:
        return True
    if isinstance(a, bool) != isinstance(b, bool):
        return False  # 1 == True, but not the same default
    try:
        if a == b:
            return True
    except Exception:
        pass
    return repr(a) == repr(b)  # e.g. equal sentinels of different identity


def signature_problem(p_obj, x_obj, keys=()):
    """Why zmqx's ``x_obj`` cannot be called as pyzmq's ``p_obj`` is, or None."""
    p_sig = signature(p_obj)
    if p_sig is None:
        return None  # pyzmq's own signature is unreadable: nothing to compare
    x_sig = signature(x_obj, keys)
    if x_sig is None:
        return "zmqx's signature is unreadable"
    P = inspect.Parameter
    x_params = x_sig.parameters
    x_kinds = {p.kind for p in x_params.values()}
    x_positional = [p.name for p in x_params.values()
                    if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
    p_positional = [p.name for p in p_sig.parameters.values()
                    if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
    problems = []
    for p in p_sig.parameters.values():
        if p.name.startswith("_"):
            continue  # pyzmq's private parameter (e.g. asyncio.Socket's _from_socket)
        if p.kind in (P.VAR_POSITIONAL, P.VAR_KEYWORD):
            if p.kind not in x_kinds:
                problems.append(f"no {'*' if p.kind == P.VAR_POSITIONAL else '**'}{p.name}")
            continue
        x = x_params.get(p.name)
        if x is None:
            takes_kw = P.VAR_KEYWORD in x_kinds and p.kind != P.POSITIONAL_ONLY
            takes_pos = P.VAR_POSITIONAL in x_kinds and p.kind != P.KEYWORD_ONLY
            if not (takes_kw or takes_pos):
                problems.append(f"no parameter {p.name!r}")
            continue
        if p.kind == P.POSITIONAL_OR_KEYWORD and x.kind != P.POSITIONAL_OR_KEYWORD:
            problems.append(f"{p.name!r} is {x.kind.description}, not positional or keyword")
        elif p.kind == P.KEYWORD_ONLY and x.kind not in (P.KEYWORD_ONLY,
                                                         P.POSITIONAL_OR_KEYWORD):
            problems.append(f"{p.name!r} cannot be passed by keyword")
        if p.name in p_positional and p.kind != P.KEYWORD_ONLY:
            i = p_positional.index(p.name)
            if i >= len(x_positional) or x_positional[i] != p.name:
                problems.append(f"{p.name!r} is not positional argument {i}")
        if p.default is not P.empty:
            if x.default is P.empty:
                problems.append(f"{p.name!r} has no default (pyzmq: {p.default!r})")
            elif not _same_default(p.default, x.default):
                problems.append(f"{p.name!r} defaults to {x.default!r}, pyzmq {p.default!r}")
    for x in x_params.values():
        if (x.name not in p_sig.parameters and x.default is P.empty
                and x.kind not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)):
            problems.append(f"zmqx requires extra parameter {x.name!r}")
    return "; ".join(problems) or None


# ------------------------------------------------------------ comparing names


def public_names(module):
    """pyzmq's public names in ``module``: its ``__all__``, else the
    non-underscore names it defines (not submodules, imported typing helpers
    or names imported from outside pyzmq)."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    out = []
    for name, value in vars(module).items():
        if name.startswith("_") or name == "TYPE_CHECKING" or isinstance(value, types.ModuleType):
            continue
        owner = getattr(value, "__module__", None)
        if isinstance(owner, str) and not owner.startswith("zmq"):
            continue  # e.g. `from typing import Any`, `from functools import wraps`
        out.append(name)
    return out


def class_members(cls):
    """pyzmq's public attributes of ``cls`` defined by pyzmq itself."""
    for name in dir(cls):
        if name.startswith("_"):
            continue
        owner = next((k for k in cls.__mro__ if name in vars(k)), None)
        if owner is None or not (owner.__module__ or "").startswith("zmq"):
            continue
        yield name, inspect.getattr_static(cls, name)


def zmqx_base(base):
    """zmqx's counterpart of pyzmq class ``base`` (a builtin exception is
    itself; ``object`` for what zmqx need not mirror: private or typing bases)."""
    module = base.__module__
    if module == "builtins" and issubclass(base, BaseException):
        return base
    if module in MODULES:
        try:
            return getattr(importlib.import_module(zmqx_path(module)), base.__name__)
        except (ImportError, AttributeError):
            pass  # reported where pyzmq's module itself is compared
    return object


def compare_class(path, p_cls, x_cls, problems):
    if issubclass(p_cls, enum.Enum):
        if not (isinstance(x_cls, type) and issubclass(x_cls, enum.Enum)):
            problems[path] = "not an enum"
            return
        for name, member in p_cls.__members__.items():
            if name not in x_cls.__members__:
                problems[f"{path}.{name}"] = "missing enum member"
            elif x_cls.__members__[name].value != member.value:
                problems[f"{path}.{name}"] = (f"value {x_cls.__members__[name].value!r},"
                                              f" pyzmq {member.value!r}")
        return
    missing_bases = [b.__name__ for b in p_cls.__mro__[1:] if not issubclass(x_cls, zmqx_base(b))]
    if missing_bases:
        problems[f"{path}.__bases__"] = f"not a subclass of {', '.join(missing_bases)}"
    why = signature_problem(p_cls, x_cls, stub_keys(x_cls))
    if why:
        problems[f"{path}()"] = why
    for name, p_attr in class_members(p_cls):
        member = f"{path}.{name}"
        if not hasattr(x_cls, name):
            problems[member] = "missing"
            continue
        if isinstance(p_attr, (classmethod, staticmethod)) or (
                callable(p_attr) and not isinstance(p_attr, type)):
            # bound to the class: a classmethod's cls is gone, a method keeps self
            why = signature_problem(getattr(p_cls, name), getattr(x_cls, name),
                                    stub_keys(x_cls, name))
            if why:
                problems[f"{member}()"] = why


def canonical_path(path, p_val):
    """Where pyzmq defines ``p_val`` (zmq.sugar.socket.Socket for zmq.Socket),
    if that is a public module, so a re-exported object's gaps are listed once."""
    module, qualname = getattr(p_val, "__module__", None), getattr(p_val, "__qualname__", None)
    if module in MODULES and qualname and "." not in qualname:
        if getattr(importlib.import_module(module), qualname, None) is p_val:
            return f"{module}.{qualname}"
    return path


def compare_value(path, name, p_val, x_val, problems):
    if typing.get_origin(p_val) is not None:  # e.g. SyncSocket = Socket[bytes]
        p_val = typing.get_origin(p_val)
        x_val = typing.get_origin(x_val) or x_val
    if isinstance(p_val, type) or callable(p_val):
        path = canonical_path(path, p_val)
    if isinstance(p_val, type):
        if not isinstance(x_val, type):
            problems[path] = f"not a class ({type(x_val).__name__})"
        else:
            compare_class(path, p_val, x_val, problems)
    elif callable(p_val):
        if not callable(x_val):
            problems[path] = "not callable"
            return
        why = signature_problem(p_val, x_val, [name])
        if why:
            problems[f"{path}()"] = why
    elif isinstance(p_val, (bool, int, float, str, bytes)) and name not in VALUE_EXEMPT:
        if x_val != p_val or (type(x_val) is bool) != (type(p_val) is bool):
            problems[path] = f"value {x_val!r}, pyzmq {p_val!r}"


def _exists(modname):
    try:
        return importlib.util.find_spec(modname) is not None
    except ModuleNotFoundError:  # its parent package is missing
        return False


def module_problems(modname):
    """{path: why} for pyzmq module ``modname`` against zmqx; ``None`` when
    zmqx's parent package is missing (reported once, at the parent)."""
    problems = {}
    xname = zmqx_path(modname)
    parent = xname.rpartition(".")[0]
    if "." in xname and not _exists(parent):
        return None
    if modname.endswith(".__main__"):  # a script: present, not imported
        if not _exists(xname):
            problems[modname] = "missing module"
        return problems
    try:
        xmod = importlib.import_module(xname)
    except ModuleNotFoundError as e:
        if e.name is not None and xname.startswith(e.name):
            problems[modname] = "missing module"
            return problems
        raise
    try:
        pmod = importlib.import_module(modname)
    except ImportError as e:  # pyzmq's optional dependency (tornado, gevent) is absent
        pytest.skip(f"pyzmq's {modname} cannot be imported here: {e}")
    for name in public_names(pmod):
        path = f"{modname}.{name}"
        if not hasattr(xmod, name):
            problems[path] = "missing"
            continue
        compare_value(path, name, getattr(pmod, name), getattr(xmod, name), problems)
    return problems


def read_gaps():
    """{path: reason} from tests/pyzmq_gaps.txt (``path -- reason`` lines)."""
    gaps = {}
    with open(GAPS_FILE) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            path, sep, reason = line.partition(" -- ")
            assert sep and reason.strip(), f"pyzmq_gaps.txt:{lineno}: no ' -- reason'"
            assert path not in gaps, f"pyzmq_gaps.txt:{lineno}: {path} listed twice"
            gaps[path.strip()] = reason.strip()
    return gaps


GAPS = read_gaps()


def owner_module(path):
    """The pyzmq module a gap path belongs to (the longest module prefix)."""
    bare = path.rstrip("()")
    return max((m for m in MODULES if bare == m or bare.startswith(m + ".")), key=len,
               default=None)


_RESULTS = {}


def problems_of(modname):
    if modname not in _RESULTS:
        _RESULTS[modname] = module_problems(modname)
    return _RESULTS[modname]


@pytest.mark.parametrize("modname", MODULES)
def test_module_matches_pyzmq(modname):
    problems = problems_of(modname)
    if problems is None:
        pytest.skip("its parent package is missing (a listed gap)")
    unlisted = {p: why for p, why in problems.items() if p not in GAPS}
    stale = [p for p in GAPS if owner_module(p) == modname and p not in problems]
    report = [f"  {p}: {why}" for p, why in sorted(unlisted.items())]
    report += [f"  {p}: listed in pyzmq_gaps.txt but no longer a gap, remove it"
               for p in stale]
    assert not report, (f"zmqx differs from pyzmq's {modname} (fix it, or list it in "
                        "tests/pyzmq_gaps.txt with a reason):\n" + "\n".join(report))


def test_gaps_file_names_pyzmq_paths():
    """Every entry names a path in pyzmq (so a typo cannot hide a gap)."""
    bad = [p for p in GAPS if owner_module(p) is None]
    assert not bad, f"not in any pyzmq module: {bad}"

