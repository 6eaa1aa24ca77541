#!/usr/bin/env bash
# Makes a development CA and a serving certificate for pullguard.
#
#   certs/gen-dev-certs.sh [OUT_DIR] [SERVICE] [NAMESPACE]
#
# OUT_DIR defaults to certs/dev. The serving certificate names 127.0.0.1, ::1, localhost and
# the in-cluster service names (SERVICE.NAMESPACE.svc and .svc.cluster.local; defaults
# pullguard / pullguard-system). Existing files are kept unless FORCE=1, so repeated runs are
# cheap. Writes ca.crt, ca.key, tls.crt (leaf then CA), tls.key; prints the directory.
set -euo pipefail

out="${1:-$(dirname "$0")/dev}"
service="${2:-pullguard}"
namespace="${3:-pullguard-system}"
days="${DAYS:-825}"

mkdir -p "$out"
if [[ -s "$out/tls.crt" && -s "$out/tls.key" && -s "$out/ca.crt" && "${FORCE:-0}" != 1 ]]; then
  echo "$out"
  exit 0
fi

umask 077
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$tmp/ca.key" -out "$tmp/ca.crt" -days "$days" \
  -subj "/CN=pullguard dev CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$tmp/tls.key" -out "$tmp/tls.csr" -subj "/CN=${service}.${namespace}.svc" 2>/dev/null

cat > "$tmp/ext.cnf" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,DNS:${service},DNS:${service}.${namespace},DNS:${service}.${namespace}.svc,DNS:${service}.${namespace}.svc.cluster.local
EXT

openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
  -out "$tmp/leaf.crt" -days "$days" -extfile "$tmp/ext.cnf" 2>/dev/null
cat "$tmp/leaf.crt" "$tmp/ca.crt" > "$tmp/tls.crt"

# Move into place key first, certificate last: a watcher that sees the new certificate finds
# its key already there.
for f in ca.key ca.crt tls.key tls.crt; do
  mv -f "$tmp/$f" "$out/$f"
done
chmod 0644 "$out/ca.crt" "$out/tls.crt"
echo "$out"
