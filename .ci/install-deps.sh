#!/usr/bin/env bash
# Installs what pullguard builds, tests and benchmarks with, from Debian's packages only.
# Installs nothing when everything is already there; needs root (or sudo) otherwise.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config make
  libcpp-httplib-dev libssl-dev nlohmann-json3-dev libcurl4-openssl-dev catch2 libyaml-cpp-dev
  openssl curl ca-certificates
  docker-registry apache2-utils wrk containerd gzip python3-jsonschema
  iproute2 util-linux procps libxml2-utils tinyproxy
  buildah mmdebstrap skopeo
  prometheus-cpp-dev libsimdjson-dev libboost-dev clang libclang-rt-14-dev
)

# kubectl (for `kubectl kustomize` in the manifest tests): any kubectl will do; Debian's
# kubernetes-client only when none is installed.
command -v kubectl >/dev/null || packages+=(kubernetes-client)

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
