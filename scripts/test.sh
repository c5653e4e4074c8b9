#!/usr/bin/env bash
# Run all of baosong's tests. On a fresh Debian/Ubuntu machine it first installs what the tests
# need with apt-get (see PACKAGES below).
set -euo pipefail
cd "$(dirname "$0")/.."

# mesa-vulkan-drivers: software Vulkan (lavapipe) for the GUI screenshots; xvfb and Mesa's
# OpenGL for the real-window smoke test (wgpu, and the OpenGL fallback); ffmpeg and
# libheif-examples (heif-enc) only to *make* video and HEIC fixtures in the media tests — the app
# itself never runs them.
# nginx-light runs deploy/intake's nginx site in front of the intake (tests/desk.rs); imagemagick
# (libjpeg) writes JPEGs in every sampling layout for tests/jpeg_layouts.rs; exiftool
# (libimage-exiftool-perl) is the second reader checking a video's location is gone (tests/attach.rs).
PACKAGES="mesa-vulkan-drivers xvfb libgl1-mesa-dri libegl1 ffmpeg libheif-examples imagemagick libimage-exiftool-perl p7zip-full unzip nginx-light"
if ! dpkg -s $PACKAGES >/dev/null 2>&1; then
    echo "== installing $PACKAGES"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
fi

# The real upload peers the network tests start on loopback: the intake endpoint as deployed
# (deploy/intake: @tus/server + @tus/file-store + @tus/s3-store, pinned in its package-lock.json),
# tus-js-client for the benchmark (tests/peers), uploadserver (Python), and moto's S3 server for
# the intake's object-storage path; openpyxl reads the desk's Excel table back.
if [ ! -d deploy/intake/node_modules/@tus/server ]; then
    echo "== npm ci in deploy/intake"
    (cd deploy/intake && npm ci --no-audit --no-fund >/dev/null)
fi
if [ ! -d tests/peers/node_modules/tus-js-client ]; then
    echo "== npm ci in tests/peers"
    (cd tests/peers && npm ci --no-audit --no-fund >/dev/null)
fi
if ! python3 -c "import uploadserver, openpyxl, moto.server" >/dev/null 2>&1; then
    echo "== pip install uploadserver openpyxl moto[server]"
    python3 -m pip install -q uploadserver==6.0.5 openpyxl==3.1.5 "moto[server]==5.2.5"
fi

if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --no-fail-fast "$@"
else
    cargo test --workspace --no-fail-fast "$@"
fi
