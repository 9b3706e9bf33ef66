# SPDX-License-Identifier: BSD-3-Clause
"""Sphinx configuration of the zmqx documentation (``make docs``).

The build imports zmqx from the source tree (built in place), so the API
reference is the docstrings and signatures of what was just built.  ``make
docs`` runs it with ``-W -n``: a warning or a broken reference fails.
"""
import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "docs", "_ext"))

import zmqx  # noqa: E402

project = "zmqx"
author = "zmqx developers"
copyright = "zmqx developers"
version = release = zmqx.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "myst_parser",
    "stubsig",  # docs/_ext/stubsig.py: signatures typed from zmqx/_zmq.pyi
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
# pyzmq-differences.md is included by coming-from-pyzmq.rst, not a page of its own
exclude_patterns = ["_build", "_ext", "pyzmq-differences.md"]
root_doc = "index"
html_theme = "alabaster"
html_theme_options = {"description": "a fast Cython binding of libzmq with pyzmq's API"}
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True}
# A bare "Socket" in an annotation matches zmqx.Socket, its canonical name
# zmqx._zmq.Socket and zmqx.asyncio.Socket; Sphinx takes the first.  Only that
# ambiguity is silenced (category ref.python): a missing target still fails.
suppress_warnings = ["ref.python"]

# Optional parts the pages mention only when they are there (``.. only:: has_auth``)
for _module in ("zmqx.auth", "zmqx.eventloop", "zmqx.green", "zmqx.anyio"):
    if importlib.util.find_spec(_module) is not None:
        tags.add("has_" + _module.split(".")[1])  # noqa: F821 -- given by Sphinx

# Doctests: inproc sockets, each page's examples in one namespace
doctest_global_setup = "import zmqx"
doctest_default_flags = (__import__("doctest").ELLIPSIS
                         | __import__("doctest").NORMALIZE_WHITESPACE)

# Names in signatures that are not documented here (standard library, typing)
nitpick_ignore_regex = [
    ("py:class", r"(collections\.abc|typing|_?asyncio|enum|types|os|socket|threading|logging|"
                 r"multiprocessing|concurrent\.futures)\..*"),
    ("py:class", r"(Any|Callable|Sequence|Iterator|AsyncIterator|Iterable|Awaitable|"
                 r"Future|Self|TypeVar|_T|T|P|.*_co)"),
    ("py:class", r"(bytes|str|int|float|bool|object|list|dict|tuple|memoryview|"
                 r"bytearray|BaseException|OSError|Exception|type|None|NoneType|"
                 r"Buffer|ReadableBuffer)"),
    # the event loops' own classes (tornado's IOLoop...), documented by their projects
    ("py:class", r"(tornado|gevent|anyio|trio)\..*"),
    ("py:func", r"json\.\w+"),
    # private names and base classes the reference does not document
    ("py:class", r"(.*\.)?_\w+|zmqx\.devices\.\w+\.\w+Base"),
]


def _drop_invariants(app, what, name, obj, options, lines):
    """Class docstrings end with an "Invariants:" list (uvloop's style): notes
    for maintainers about private fields, left out of the user's reference."""
    if "Invariants:" not in (line.strip() for line in lines):
        return
    start = [line.strip() for line in lines].index("Invariants:")
    end = start + 1
    while end < len(lines) and (lines[end].startswith(("* ", "  ")) or
                                (not lines[end].strip() and end + 1 < len(lines)
                                 and lines[end + 1].startswith(("* ", "  ")))):
        end += 1
    del lines[start:end]


def setup(app):
    app.connect("autodoc-process-docstring", _drop_invariants)

