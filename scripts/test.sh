#!/usr/bin/env bash
# Run all of baosong's tests. On a fresh Debian/Ubuntu machine it first installs what the tests
# need: Mesa's software Vulkan driver (lavapipe), so the GUI screenshots render without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
    echo "== installing mesa-vulkan-drivers (software Vulkan for the GUI screenshots)"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mesa-vulkan-drivers >/dev/null
fi

if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --no-fail-fast "$@"
else
    cargo test --no-fail-fast "$@"
fi
