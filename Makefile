# zmqx developer entry points. Every target installs what it needs on a fresh
# Debian machine (as root): system packages with apt-get, Python ones into .venv.
#
#   make test    build the extension in place and run the whole test suite
#   make bench   same set-up plus pyzmq, then the benchmark suite (table + chart)
#   make debug   rebuild with ZMQX_DEBUG=1 (annotate, line tracing, -O0 -g)
#   make wheel   sdist + wheel built from it, repaired by auditwheel (bundled libzmq),
#                checked in a fresh venv; results in dist/

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip --disable-pip-version-check -q
STAMP   := $(VENV)/.deps-stamp
SOURCES := $(wildcard zmqx/*.pyx zmqx/*.pxi zmqx/*.pxd csrc/*.h) setup.py

.PHONY: all sysdeps venv build debug test bench clean

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

clean:
	rm -rf build zmqx/*.so zmqx/_zmq.c zmqx/*.html .pytest_cache

# --- packaging (issue 7) -------------------------------------------------------
.PHONY: wheel stubs

wheel: $(STAMP)
	$(PY) tools/wheel.py --outdir dist

# zmqx/constants.pyi after a change to zmqx/constants.py (tests/test_typing.py checks it)
stubs: $(STAMP)
	$(PY) tools/gen_constants_stub.py
