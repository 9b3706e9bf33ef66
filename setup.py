# SPDX-License-Identifier: BSD-3-Clause
"""Build script: one extension, ``zmqx._zmq``, linked against libzmq.

libzmq is found, in order, under ``$ZMQX_PREFIX`` (include/ and lib/), with
pkg-config (``$PKG_CONFIG_PATH`` is honoured), or not at all -- then the build
stops with the package to install.  Switches:

* ``ZMQX_DEBUG=1``    -O0 -g, Cython annotate + line tracing, leak counters on.
* ``ZMQX_SANITIZE=1`` AddressSanitizer and UBSan (run with LD_PRELOAD of libasan).
* ``ZMQX_STRICT=1``   -Wall -Wextra -Werror: any compiler warning fails the build
                      (``make test-matrix`` builds this way with gcc and clang).

Every build (gcc or clang) turns the diagnostics GCC 14 and clang 16 make errors
by default into errors on older compilers too (``GCC14_ERRORS``), so a change
that would break ``pip install`` on current distributions fails here first.

For ``cimport zmqx`` users, the build copies csrc/*.h and the zmq.h it compiled
against into zmqx/include/ (package data; ``zmqx.get_includes()`` points there).
"""
import glob
import os
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup


GCC14_ERRORS = ["-Werror=incompatible-pointer-types", "-Werror=int-conversion",
                "-Werror=implicit-function-declaration"]


def _flag(name):
    return os.environ.get(name, "") not in ("", "0")


def _libzmq():
    """Return (include_dirs, library_dirs, libraries, extra_link_args)."""
    prefix = os.environ.get("ZMQX_PREFIX")
    if prefix:
        lib = os.path.join(prefix, "lib")
        return [os.path.join(prefix, "include")], [lib], ["zmq"], ["-Wl,-rpath," + lib]
    try:
        cflags = subprocess.check_output(["pkg-config", "--cflags", "libzmq"], text=True)
        libs = subprocess.check_output(["pkg-config", "--libs", "libzmq"], text=True)
    except (OSError, subprocess.CalledProcessError):
        sys.exit(
            "zmqx: libzmq was not found.\n"
            "  Debian/Ubuntu: apt-get install libzmq3-dev pkg-config\n"
            "  Fedora: dnf install zeromq-devel   macOS: brew install zeromq\n"
            "  or point ZMQX_PREFIX at an install prefix containing include/zmq.h."
        )
    incs = [f[2:] for f in shlex.split(cflags) if f.startswith("-I")]
    dirs = [f[2:] for f in shlex.split(libs) if f.startswith("-L")]
    names = [f[2:] for f in shlex.split(libs) if f.startswith("-l")]
    return incs, dirs, names or ["zmq"], []


def _package_headers(incs):
    """Copy the headers a ``cimport zmqx`` needs into zmqx/include/."""
    try:
        incs = incs + [subprocess.check_output(
            ["pkg-config", "--variable=includedir", "libzmq"], text=True).strip()]
    except (OSError, subprocess.CalledProcessError):
        pass
    zmq_h = [os.path.join(d, "zmq.h") for d in incs + ["/usr/local/include", "/usr/include"]]
    headers = glob.glob(os.path.join("csrc", "*.h")) + [h for h in zmq_h if os.path.exists(h)][:1]
    os.makedirs(os.path.join("zmqx", "include"), exist_ok=True)
    for h in headers:
        shutil.copy2(h, os.path.join("zmqx", "include"))


def extensions():
    from Cython.Build import cythonize

    debug, sanitize = _flag("ZMQX_DEBUG"), _flag("ZMQX_SANITIZE")
    incs, dirs, libs, link = _libzmq()
    _package_headers(incs)
    cflags, macros = (["-O0", "-g3", "-UNDEBUG"] if debug else ["-O3"]), []
    if sys.platform != "win32":  # gcc and clang (Apple's too) take these
        cflags += GCC14_ERRORS
        if _flag("ZMQX_STRICT"):
            cflags += ["-Wall", "-Wextra", "-Werror"]
    directives = {
        "language_level": 3,
        "boundscheck": False,
        "wraparound": False,
        "cdivision": True,
        "embedsignature": True,
        "embedsignature.format": "clinic",
        "binding": False,
        "freethreading_compatible": False,
    }
    if debug:
        macros += [("ZMQX_DEBUG", "1"), ("CYTHON_TRACE_NOGIL", "1")]
        directives["linetrace"] = True
    if sanitize:
        cflags += ["-fsanitize=address,undefined", "-fno-omit-frame-pointer"]
        link += ["-fsanitize=address,undefined"]
    ext = Extension(
        "zmqx._zmq",
        ["zmqx/_zmq.pyx"],
        include_dirs=["csrc"] + incs,
        library_dirs=dirs,
        libraries=libs,
        define_macros=macros,
        extra_compile_args=cflags,
        extra_link_args=link,
        depends=[os.path.join("csrc", f) for f in os.listdir("csrc") if f.endswith(".h")],
    )
    return cythonize([ext], compiler_directives=directives, annotate=debug,
                     include_path=["zmqx"])


setup(ext_modules=extensions())
