#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian 12 packages that nhi builds and tests with, and only
# those that are missing. Run as root, or as a user with sudo.
set -eu

packages="make gcc pkg-config meson ninja-build python3 clang libclang-rt-14-dev \
libjansson-dev libyaml-dev libcsv-dev libsqlite3-dev libcmocka-dev libssl-dev"

missing=""
for package in $packages; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $package"
    fi
done
[ -z "$missing" ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "setup: these packages are missing:$missing" >&2
        echo "setup: run this script as root to install them" >&2
        exit 1
    fi
fi

echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh image has empty package lists, so an install that fails is
# retried once after an update.
# shellcheck disable=SC2086
$sudo apt-get install -y --no-install-recommends $missing ||
    { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends $missing; }
