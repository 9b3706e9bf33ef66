"""What a run measured on: the machine, Python, and each binding with its libzmq.

For every module the report records its version, ``zmq_version()`` and which
libzmq shared library its extension links with (via ``ldd``), so a reader can
tell whether zmqx and pyzmq really ran on the same libzmq (pyzmq's PyPI wheel
bundles its own).
"""
from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

LABELS = {"zmq": "pyzmq"}


def label(module_name):
    """Column name of a module: ``zmq`` shows as ``pyzmq``."""
    return LABELS.get(module_name, module_name)


def cpu_model():
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return found.group(1).strip() if found else platform.machine()


def machine():
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "python_impl": platform.python_implementation(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def linked_libzmq(module):
    """Paths of the libzmq shared libraries the module's extensions link with;
    ``["(none: libzmq built in)"]`` when an extension links none (bundled)."""
    root = Path(module.__file__).parent
    found, extensions = set(), 0
    for ext in root.rglob("*.so"):
        extensions += 1
        try:
            out = subprocess.run(["ldd", str(ext)], capture_output=True, text=True,
                                 timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return []
        found.update(m.group(1) for m in re.finditer(r"libzmq\S*\s+=>\s+(\S+)", out))
    if extensions and not found:
        return ["(none: libzmq built in)"]
    return sorted(found)


def module_info(module):
    return {
        "module": module.__name__,
        "version": getattr(module, "__version__", "?"),
        "libzmq": module.zmq_version() if hasattr(module, "zmq_version") else "?",
        "libzmq_linked": linked_libzmq(module),
        "path": str(Path(module.__file__).parent),
    }


def git_commit(repo):
    try:
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def command_line():
    return " ".join(["python -m zmqx.bench", *sys.argv[1:]])
