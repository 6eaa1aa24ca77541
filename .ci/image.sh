#!/usr/bin/env bash
# Builds pullguard's image from the Dockerfile with buildah (chroot isolation, vfs storage: no
# Docker daemon, no privileges beyond root), then runs it: `make image`. CI runs this as its
# own step: it needs Debian's package archive, unlike the tests.
#   .ci/image.sh [build|smoke|all]     (default: all)
# PULLGUARD_WERROR=ON makes the image's Release build stop on a warning (CI sets it).
# Base images: docker.io/library/debian:bookworm and :bookworm-slim, pulled when a registry is
# reachable, else made locally with mmdebstrap from Debian's archive.
set -euo pipefail
cd "$(dirname "$0")/.."

step=${1:-all}
version=$(sed -n 's/^project(pullguard VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
tag=${TAG:-localhost/pullguard:$version}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
b() { buildah --storage-driver vfs "$@"; }
say() { printf 'image: %s\n' "$*" >&2; }

# mmdebstrap options per base image; slim leaves out what Debian's slim image leaves out.
declare -A variant=(
  [bookworm]=""
  [bookworm-slim]="--dpkgopt=path-exclude=/usr/share/man/* --dpkgopt=path-exclude=/usr/share/doc/* --dpkgopt=path-include=/usr/share/doc/*/copyright --dpkgopt=path-exclude=/usr/share/locale/* --dpkgopt=path-exclude=/usr/share/info/*"
)

ensure_base() {
  local name=$1 ref="docker.io/library/debian:$1"
  if b inspect --type image "$ref" >/dev/null 2>&1; then return; fi
  if timeout 60 buildah --storage-driver vfs pull --retry 0 -q "$ref" >/dev/null 2>&1; then
    say "pulled $ref"
    return
  fi
  say "cannot pull $ref; making it with mmdebstrap from $mirror"
  local dir
  dir=$(mktemp -d)
  # shellcheck disable=SC2086
  mmdebstrap --quiet --variant=minbase ${variant[$name]} bookworm "$dir/rootfs.tar" "$mirror"
  local c
  c=$(b from scratch)
  b add "$c" "$dir/rootfs.tar" / >/dev/null
  b config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  b commit -q "$c" "$ref" >/dev/null
  b rm "$c" >/dev/null
  rm -rf "$dir"
}

build() {
  ensure_base bookworm
  ensure_base bookworm-slim
  say "building $tag"
  b bud --isolation chroot --pull=never --layers=false --build-arg "PULLGUARD_WERROR=${PULLGUARD_WERROR:-OFF}" \
    -t "$tag" -f Dockerfile . >&2
}

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((30000 + RANDOM % 20000))
    ss -ltn | grep -q ":$p " || { echo "$p"; return; }
  done
  return 1
}

smoke() {
  local c mnt tmp port pid
  c=$(b from "$tag")
  tmp=$(mktemp -d)
  # The serve process is stopped by its own PID: killing the background job would stop only
  # the shell around `buildah run`, and leave buildah and pullguard running (they did).
  trap 'for p in ${pid:-} ${run_pid:-}; do kill "$p" 2>/dev/null || true; done; b umount "$c" >/dev/null 2>&1 || true; b rm "$c" >/dev/null 2>&1 || true; rm -rf "$tmp"' RETURN

  local user size
  user=$(b inspect --format '{{.OCIv1.Config.User}}' "$tag")
  [[ $user == "65532:65532" ]] || { say "runs as '$user', not 65532:65532"; return 1; }
  size=$(b images --format '{{.Size}}' "$tag" | head -n 1)

  mnt=$(b mount "$c")
  say "files in the image:"
  (cd "$mnt" && find . \( -type f -o -type l \) -not -path './usr/share/zoneinfo/*' | sort | sed 's/^/  /') >&2
  say "  and $(cd "$mnt" && find ./usr/share/zoneinfo -type f | wc -l) time zone files (/usr/share/zoneinfo)"
  local others
  others=$(cd "$mnt" && find . -type f | grep -v -E '^\./(usr/local/bin/pullguard|(usr/)?lib(64|/x86_64-linux-gnu)?/[^/]+\.so[.0-9]*|etc/(passwd|group|nsswitch\.conf|ssl/certs/ca-certificates\.crt)|usr/share/zoneinfo/.+)$' || true)
  [[ -z $others ]] || { say "the image holds more than the binary and its libraries: $others"; return 1; }

  b run "$c" -- /usr/local/bin/pullguard version
  local listing
  listing=$(b run "$c" -- /lib64/ld-linux-x86-64.so.2 --list /usr/local/bin/pullguard)
  echo "$listing" | sed 's/^/  ldd: /' >&2
  if echo "$listing" | grep -q 'not found'; then say "a library is missing"; return 1; fi

  certs/gen-dev-certs.sh "$tmp/certs" >/dev/null
  # As a Kubernetes Secret volume mounts them (defaultMode 0644): readable by UID 65532.
  chmod 0755 "$tmp/certs" && chmod 0644 "$tmp/certs"/*
  port=$(free_port)
  b run -v "$tmp/certs:/etc/pullguard/tls:ro" -v "$PWD/policies/default.yaml:/etc/pullguard/policy/policy.yaml:ro" \
    "$c" -- /usr/local/bin/pullguard serve --listen="127.0.0.1:$port" --tls-cert=/etc/pullguard/tls/tls.crt \
    --tls-key=/etc/pullguard/tls/tls.key --policy=/etc/pullguard/policy/policy.yaml --offline 2>"$tmp/serve.log" &
  run_pid=$!
  local ok=""
  for _ in $(seq 1 100); do
    if curl -fsS --cacert "$tmp/certs/ca.crt" "https://127.0.0.1:$port/healthz" >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.1
  done
  [[ -n $ok ]] || { cat "$tmp/serve.log" >&2; say "serve did not answer /healthz"; return 1; }
  # The pullguard process itself (not buildah's, whose arguments name it too).
  pid=""
  for p in $(pgrep -x pullguard); do
    tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "--listen=127.0.0.1:$port" && pid=$p
  done
  [[ -n $pid ]] || { say "no pullguard process found"; return 1; }
  local uid
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
  [[ $uid == 65532 ]] || { say "serve runs as UID $uid, not 65532"; return 1; }
  local answer
  answer=$(curl -fsS --cacert "$tmp/certs/ca.crt" -H 'Content-Type: application/json' \
    --data @tests/data/admissionreview/pod-create-dryrun.json "https://127.0.0.1:$port/validate?timeout=10s")
  echo "$answer" | grep -q '"uid":"3b1f2c9e-8a55-4c1e-9d0b-6f2a7e4c1d10"' || { say "unexpected review answer: $answer"; return 1; }
  say "serve answered /healthz and an AdmissionReview: ${answer:0:160}..."
  kill "$pid"  # SIGTERM: pullguard drains and exits, and buildah run returns
  wait "$run_pid" 2>/dev/null || true
  if kill -0 "$pid" 2>/dev/null; then say "serve did not stop on SIGTERM"; return 1; fi
  say "ok: $tag, $size, runs as UID $uid, every library found"
}

case $step in
  build) build ;;
  smoke) smoke ;;
  all) build && smoke ;;
  *) echo "usage: $0 [build|smoke|all]" >&2; exit 2 ;;
esac
