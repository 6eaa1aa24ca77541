#!/usr/bin/env bash
# Makes the self-managed overlay's certificate: a CA and a serving certificate for the
# in-cluster Service, written to OVERLAY/generated/ with the webhook's caBundle patch.
#   certs/self-managed.sh [OVERLAY_DIR] [SERVICE] [NAMESPACE]
# Rerun with FORCE=1 to rotate; then kubectl apply -k the overlay again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
overlay="${1:-$here/../manifests/overlays/self-managed}"
service="${2:-pullguard}"
namespace="${3:-pullguard-system}"
out="$overlay/generated"
"$here/gen-dev-certs.sh" "$out" "$service" "$namespace" >/dev/null
ca_bundle="$(base64 -w0 < "$out/ca.crt")"
cat > "$out/webhook-ca-bundle.yaml" <<PATCH
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: pullguard
webhooks:
  - name: images.pullguard.io
    clientConfig:
      caBundle: ${ca_bundle}
PATCH
rm -f "$out/ca.key"  # the CA signs nothing else; keep no key lying around
echo "$out"
