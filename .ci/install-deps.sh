#!/usr/bin/env bash
# Installs what pullguard builds, tests and benchmarks with, from Debian's packages only.
#   install-deps.sh             everything (make run, make test, CI)
#   install-deps.sh --product   only what the pullguard binary is built from (the image)
# Installs nothing when everything is already there; needs root (or sudo) otherwise.
set -euo pipefail

# What the pullguard binary is built from (the image's build stage installs only these:
# `install-deps.sh --product`); CMakeLists.txt's find_package lines name the same libraries.
product=(
  build-essential cmake ninja-build pkg-config
  libcpp-httplib-dev libssl-dev nlohmann-json3-dev libcurl4-openssl-dev libyaml-cpp-dev
  prometheus-cpp-dev libsimdjson-dev libboost-dev
)
# What the tests, the benchmarks, the sanitizers, the fuzzers and the image step add.
packages=(
  "${product[@]}"
  make catch2
  openssl curl ca-certificates tzdata
  docker-registry apache2-utils wrk containerd gzip python3-jsonschema
  iproute2 util-linux procps libxml2-utils tinyproxy
  buildah mmdebstrap skopeo
  clang libclang-rt-14-dev
)

case ${1:-} in
  --product) packages=("${product[@]}") ;;
  "")
    # kubectl (for `kubectl kustomize` in the manifest tests): any kubectl will do; Debian's
    # kubernetes-client only when none is installed.
    command -v kubectl >/dev/null || packages+=(kubernetes-client)
    ;;
  *) echo "usage: install-deps.sh [--product]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
