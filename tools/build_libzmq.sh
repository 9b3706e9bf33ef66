#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# build_libzmq.sh PREFIX -- build libsodium and libzmq (CURVE on) into PREFIX.
#
# cibuildwheel's before-all step (pyproject.toml [tool.cibuildwheel]): runs once
# per platform/arch, inside the manylinux/musllinux container on Linux, on the
# runner on macOS.  Both libraries come from their release tarballs, checked
# against the SHA-256 pinned here; setup.py then builds against PREFIX
# (ZMQX_PREFIX) and auditwheel/delocate copy the shared libraries into the wheel.
# Their licenses ship in every wheel: licenses/README.md.
set -euo pipefail

PREFIX=${1:?usage: build_libzmq.sh PREFIX}

LIBSODIUM_VERSION=1.0.20
LIBSODIUM_SHA256=ebb65ef6ca439333c2bb41a0c1990587288da07f6c7fd07cb3a18cc18d30ce19
LIBSODIUM_URL=https://github.com/jedisct1/libsodium/releases/download/${LIBSODIUM_VERSION}-RELEASE/libsodium-${LIBSODIUM_VERSION}.tar.gz

LIBZMQ_VERSION=4.3.5
LIBZMQ_SHA256=6653ef5910f17954861fe72332e68b03ca6e4d9c7160eb3a8de5a5a913bfab43
LIBZMQ_URL=https://github.com/zeromq/libzmq/releases/download/v${LIBZMQ_VERSION}/zeromq-${LIBZMQ_VERSION}.tar.gz

JOBS=$(getconf _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# fetch URL SHA256: download into $WORK (bounded in time) and verify the checksum
fetch() {
    local url=$1 sha=$2 file
    file="$WORK/$(basename "$url")"
    if command -v curl >/dev/null; then
        curl -fsSL --retry 3 --connect-timeout 30 --max-time 600 -o "$file" "$url"
    else
        wget -q -T 60 -t 3 -O "$file" "$url"
    fi
    if command -v sha256sum >/dev/null; then
        echo "$sha  $file" | sha256sum -c -
    else
        echo "$sha  $file" | shasum -a 256 -c -
    fi
    tar -xzf "$file" -C "$WORK"
}

mkdir -p "$PREFIX"
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
# libzmq finds libsodium through these even where pkg-config is missing
export sodium_CFLAGS="-I$PREFIX/include" sodium_LIBS="-L$PREFIX/lib -lsodium"
if [ "$(uname)" = Linux ]; then
    # so that auditwheel resolves libsodium from libzmq without LD_LIBRARY_PATH
    export LDFLAGS="${LDFLAGS:-} -Wl,-rpath,$PREFIX/lib"
fi

fetch "$LIBSODIUM_URL" "$LIBSODIUM_SHA256"
(
    cd "$WORK/libsodium-$LIBSODIUM_VERSION"
    ./configure --prefix="$PREFIX" --disable-static --enable-shared --disable-dependency-tracking
    make -j"$JOBS"
    make install
)

fetch "$LIBZMQ_URL" "$LIBZMQ_SHA256"
(
    cd "$WORK/zeromq-$LIBZMQ_VERSION"
    ./configure --prefix="$PREFIX" --disable-static --enable-shared \
        --with-libsodium --enable-curve --disable-curve-keygen \
        --disable-perf --disable-Werror --without-docs --disable-dependency-tracking
    make -j"$JOBS"
    make install
)

test -f "$PREFIX/include/zmq.h"
ls -l "$PREFIX/lib"
echo "libsodium $LIBSODIUM_VERSION and libzmq $LIBZMQ_VERSION installed in $PREFIX"
