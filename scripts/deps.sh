#!/usr/bin/env bash
# scripts/deps.sh - install what Assay needs to build, test and run, from Debian's packages,
# only when something is missing. Sourced or run by scripts/test.sh and scripts/demo.sh.
set -euo pipefail

packages=(
    meson ninja-build pkg-config gcc clang libclang-rt-14-dev
    libjansson-dev libpcre2-dev libgmp-dev nettle-dev libuv1-dev libhiredis-dev
    redis-server redis-tools valgrind clang-format python3 python3-redis nodejs
    libgnutls28-dev python3-jwt python3-cryptography python3-jsonschema
    scdoc libmicrohttpd-dev libsystemd-dev python3-prometheus-client
    chromium python3-html5lib
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
fi

if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}" >&2
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# npm for the Node example of docs/protocol.md (Debian's npm package; NodeSource's nodejs
# ships npm itself).
if ! command -v npm >/dev/null 2>&1; then
    echo "deps: installing npm" >&2
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
        npm >/dev/null
fi
