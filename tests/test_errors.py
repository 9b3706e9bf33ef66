"""The error hierarchy, errors raised by real calls, and library information."""
import errno
import os
import pickle

import pytest

from _backend import libzmq_version_from_pkg_config, run_python, zmq

ERROR_CLASSES = [
    (zmq.ZMQError, errno.EINVAL),
    (zmq.Again, errno.EAGAIN),
    (zmq.ContextTerminated, zmq.ETERM),
    (zmq.InterruptedSystemCall, errno.EINTR),
]


def test_str_of_error_is_strerror():
    assert str(zmq.ZMQError(errno.EAGAIN)) == zmq.strerror(errno.EAGAIN)
    assert zmq.ZMQError(errno.EAGAIN).errno == errno.EAGAIN


def test_strerror_and_zmq_errno():
    assert zmq.strerror(errno.EAGAIN) == os.strerror(errno.EAGAIN)
    assert "current state" in zmq.strerror(zmq.EFSM)  # a libzmq-only errno
    assert isinstance(zmq.zmq_errno(), int)


@pytest.mark.parametrize("cls,code", ERROR_CLASSES, ids=[c[0].__name__ for c in ERROR_CLASSES])
def test_errors_pickle(cls, code):
    e = cls(code)
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is cls
    assert back.errno == code
    assert str(back) == str(e)


def test_specific_errors_are_zmq_errors():
    for cls, _ in ERROR_CLASSES:
        assert issubclass(cls, zmq.ZMQError)
    for cls in (zmq.ZMQError, zmq.NotDone, zmq.ZMQBindError):
        assert issubclass(cls, zmq.ZMQBaseError)


def test_nonblocking_recv_raises_again_with_errno(pair):
    a, _ = pair()
    with pytest.raises(zmq.Again) as info:
        a.recv(zmq.NOBLOCK)
    assert info.value.errno == errno.EAGAIN
    assert info.value.strerror == zmq.strerror(errno.EAGAIN)


def test_socket_on_terminated_context_raises(ctx):
    ctx.term()
    with pytest.raises(zmq.ZMQError):
        ctx.socket(zmq.PUSH)


# ---------------------------------------------------------------- zmqx: OSError integration


@pytest.mark.zmqx_only
@pytest.mark.parametrize("cls,code", ERROR_CLASSES, ids=[c[0].__name__ for c in ERROR_CLASSES])
def test_errors_are_oserrors(cls, code):
    e = cls(code)
    assert isinstance(e, OSError)
    assert e.errno == code
    assert e.strerror == zmq.strerror(code)


@pytest.mark.zmqx_only
def test_builtin_oserror_subclasses():
    assert issubclass(zmq.Again, BlockingIOError)
    assert issubclass(zmq.InterruptedSystemCall, InterruptedError)


@pytest.mark.zmqx_only
def test_again_from_a_socket_is_a_blocking_io_error(pair):
    a, _ = pair()
    with pytest.raises(BlockingIOError):
        a.recv(zmq.NOBLOCK)


@pytest.mark.zmqx_only
def test_socket_on_terminated_context_is_context_terminated(ctx):
    ctx.term()
    with pytest.raises(zmq.ContextTerminated) as info:
        ctx.socket(zmq.PUSH)
    assert info.value.errno == zmq.ETERM


@pytest.mark.zmqx_only
def test_errors_module_does_not_need_the_extension():
    code = (
        "import importlib.util, sys, types\n"
        "spec = importlib.util.find_spec('zmqx')  # locates, does not run __init__\n"
        "pkg = types.ModuleType('zmqx'); pkg.__path__ = spec.submodule_search_locations\n"
        "sys.modules['zmqx'] = pkg\n"
        "sys.modules['zmqx._zmq'] = None  # importing the extension now fails\n"
        "import zmqx.errors as e\n"
        "import errno\n"
        "assert e.ZMQError(errno.EAGAIN).strerror, 'strerror needs no extension'\n"
        "assert issubclass(e.Again, e.ZMQError)\n"
        "print('ok')\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


# ---------------------------------------------------------------- library information


def test_version_strings():
    assert isinstance(zmq.__version__, str) and zmq.__version__
    info = zmq.zmq_version_info()
    assert isinstance(info, tuple) and len(info) == 3
    assert zmq.zmq_version() == "%d.%d.%d" % info
    assert info >= (4, 3, 0)


@pytest.mark.zmqx_only
def test_linked_libzmq_is_the_system_one():
    assert zmq.zmq_version_info() == libzmq_version_from_pkg_config()


def test_has_capabilities():
    assert zmq.has("curve") is True
    assert zmq.has("ipc") is True
    assert zmq.has("nonsense") is False


def test_error_module_has_pyzmq_name():
    from importlib import import_module
    error = import_module(zmq.__name__ + ".error")  # pyzmq code does `from zmq.error import ...`
    assert error.ZMQError is zmq.ZMQError and error.Again is zmq.Again
    assert isinstance(zmq.DRAFT_API, bool)
