# zmqx developer entry points. Every target installs what it needs on a fresh
# Debian machine (as root): system packages with apt-get, Python ones into .venv.
#
#   make test    build the extension in place and run the whole test suite
#   make bench   same set-up plus pyzmq, then the benchmark suite (table + chart)
#   make debug   rebuild with ZMQX_DEBUG=1 (annotate, line tracing, -O0 -g)
#   make test-debug  the debug build in build/debug-tree, tests checking its leak counters
#   make docs    the documentation site (Sphinx, warnings are errors, examples doctested)
#   make wheel   sdist + wheel built from it, repaired by auditwheel (bundled libzmq),
#                checked in a fresh venv; results in dist/
#   make test-matrix  zmqx built from its sdist (-Werror) with gcc and clang on every
#                CPython 3.10-3.14 present, the suite run on each (clang: the newest)

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip --disable-pip-version-check -q
STAMP   := $(VENV)/.deps-stamp
SOURCES := $(wildcard zmqx/*.pyx zmqx/*.pxi zmqx/*.pxd csrc/*.h) setup.py

.PHONY: all sysdeps venv build debug test test-debug bench clean

all: build

# System packages: only what is missing, so a prepared machine runs no apt-get.
sysdeps:
	@missing=""; \
	pkg-config --exists libzmq 2>/dev/null || missing="$$missing libzmq3-dev"; \
	command -v pkg-config >/dev/null || missing="$$missing pkg-config"; \
	command -v cc >/dev/null || missing="$$missing gcc"; \
	$(PYTHON) -c 'import venv, ensurepip, sysconfig, os, sys; \
	    sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
	    2>/dev/null || missing="$$missing python3-dev python3-venv"; \
	if [ -n "$$missing" ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(STAMP): requirements-dev.txt | sysdeps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements-dev.txt
	touch $@

venv: $(STAMP)

build: $(STAMP) $(SOURCES)
	$(PY) setup.py -q build_ext --inplace

debug: $(STAMP)
	ZMQX_DEBUG=1 $(PY) setup.py -q build_ext --inplace --force

test: build
	$(PY) -m pytest -q tests
	$(MAKE) --no-print-directory test-debug
	$(MAKE) --no-print-directory docs

# The debug build (ZMQX_DEBUG=1) in a copy of the tree, leaving the in-place
# release build alone; the core tests then check its live-object counters
# (frames, sockets, contexts, zero-copy buffers: tests/conftest.py).
DEBUG_TREE := build/debug-tree
DEBUG_SKIP  := --ignore=tests/test_wheel.py --ignore=tests/test_typing.py \
               --ignore=tests/test_cython_api.py --ignore=tests/test_bench_quick.py \
               --ignore=tests/reliability
test-debug: $(STAMP)
	rm -rf $(DEBUG_TREE) && mkdir -p $(DEBUG_TREE)
	cp -r setup.py pyproject.toml README.md LICENSE csrc zmqx tests examples $(DEBUG_TREE)/
	find $(DEBUG_TREE) -name '*.so' -delete
	cd $(DEBUG_TREE) && ZMQX_DEBUG=1 $(abspath $(PY)) setup.py -q build_ext --inplace
	cd $(DEBUG_TREE) && $(abspath $(PY)) -c 'import zmqx; assert zmqx._zmq._debug_counters() is not None'
	cd $(DEBUG_TREE) && $(abspath $(PY)) -m pytest -q -p no:cacheprovider tests $(DEBUG_SKIP)

clean:
	rm -rf build zmqx/*.so zmqx/_zmq.c zmqx/*.html .pytest_cache

# --- packaging (issue 7) -------------------------------------------------------
.PHONY: wheel stubs

wheel: $(STAMP)
	$(PY) tools/wheel.py --outdir dist

# zmqx/constants.pyi after a change to zmqx/constants.py (tests/test_typing.py checks it)
stubs: $(STAMP)
	$(PY) tools/gen_constants_stub.py

# --- benchmarks (issue 4) -------------------------------------------------------
# pyzmq is built from source against the same system libzmq as zmqx (PyPI's wheel
# bundles its own), so only the binding differs; the stamp checks that it did.
# matplotlib draws the chart.  BENCH_ARGS passes options: make bench BENCH_ARGS=--quick
.PHONY: bench-deps
BENCH_STAMP := $(VENV)/.bench-stamp
BENCH_ARGS  ?=

$(BENCH_STAMP): $(STAMP)
	@command -v c++ >/dev/null || { echo "installing g++ (pyzmq's build needs it)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++; }
	env -u ZMQ_PREFIX PYZMQ_NO_BUNDLE=1 $(PIP) install --no-binary pyzmq pyzmq matplotlib
	$(PY) -c 'import subprocess, zmq; want = subprocess.check_output(["pkg-config", \
	    "--modversion", "libzmq"], text=True).strip(); got = zmq.zmq_version(); \
	    assert got == want, f"pyzmq uses libzmq {got}, the system has {want}"'
	touch $@

bench-deps: $(BENCH_STAMP)

# The test suite compares zmqx with pyzmq side by side (tests/test_pyzmq_surface.py,
# tests/test_badinput_vs_pyzmq.py), so `make test` installs pyzmq the same way.
test: $(BENCH_STAMP)

bench: build $(BENCH_STAMP)
	$(PY) -m zmqx.bench $(BENCH_ARGS)

# --- documentation (issue 16) ---------------------------------------------------
# -W -n: any warning, or a reference to something that does not exist, fails the
# build; -E re-reads every page so a warning is never hidden by the cache.  The
# doctest builder runs every example of the pages.  HTML: build/docs/html/.
.PHONY: docs
docs: build
	$(PY) -m sphinx -E -W -n --keep-going -q -b html docs build/docs/html
	$(PY) -m sphinx -E -W -n --keep-going -q -b doctest docs build/docs/doctest
	@echo "documentation: build/docs/html/index.html"

# --- portability (issue 11) -----------------------------------------------------
# zmqx built from its sdist with ZMQX_STRICT=1 (any compiler warning fails) and the
# whole suite run against the installed wheel, on every pyenv (or PATH) CPython
# 3.10-3.14; gcc and clang build on each, the suite runs on the gcc builds and on
# the newest interpreter's clang build; venvs cached in ~/.cache/zmqx/matrix.
# MATRIX_ARGS passes options: make test-matrix MATRIX_ARGS="--pythons 3.10 --compilers gcc"
.PHONY: test-matrix
MATRIX_ARGS ?=

test-matrix: $(STAMP)
	@command -v clang >/dev/null || { echo "installing clang"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang; }
	$(PY) tools/test_matrix.py $(MATRIX_ARGS)

# --- security (issue 14) -------------------------------------------------------
# tests/test_ssh_tunnel.py starts a real sshd on 127.0.0.1 (openssh-server).
.PHONY: ssh-deps
ssh-deps:
	@test -x /usr/sbin/sshd || command -v sshd >/dev/null || { \
	    echo "installing openssh-server (tests/test_ssh_tunnel.py)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server; }

test: ssh-deps

# --- reliability (issue 15) ------------------------------------------------------
# `make test` runs tests/reliability in its short mode (seconds per scenario).
# `make reliability` runs it in long mode (minutes: ZMQX_RELIABILITY=long), then
# the core tests and the fuzzer against the sanitizer build (ZMQX_SANITIZE=1,
# ASan + UBSan preloaded, any report fails).  Figures land in
# build/reliability/results-*.json; RELIABILITY.md quotes the last long run.
.PHONY: reliability reliability-sanitize
SAN_TREE := build/sanitize-tree
SAN_SKIP := $(DEBUG_SKIP:--ignore=tests/reliability=) --ignore=tests/reliability/test_soak.py \
            --ignore=tests/reliability/test_malformed.py --ignore=tests/reliability/test_dead_peer.py \
            --ignore=tests/reliability/test_peer_restart.py \
            --deselect tests/test_zerocopy.py::test_million_zero_copy_frames
# (that test bounds RSS growth, which ASan's quarantine inflates by design)
SAN_ENV  := ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
            UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

reliability: build
	ZMQX_RELIABILITY=long $(PY) -m pytest -q -p no:cacheprovider tests/reliability
	$(MAKE) --no-print-directory reliability-sanitize

reliability-sanitize: $(STAMP)
	rm -rf $(SAN_TREE) && mkdir -p $(SAN_TREE)
	cp -r setup.py pyproject.toml README.md LICENSE csrc zmqx tests examples $(SAN_TREE)/
	find $(SAN_TREE) -name '*.so' -delete
	cd $(SAN_TREE) && ZMQX_SANITIZE=1 $(abspath $(PY)) setup.py -q build_ext --inplace
	cd $(SAN_TREE) && LD_PRELOAD="$$(cc -print-file-name=libasan.so) $$(cc -print-file-name=libubsan.so)" \
	    $(SAN_ENV) $(abspath $(PY)) -m pytest -q -p no:cacheprovider tests $(SAN_SKIP)
