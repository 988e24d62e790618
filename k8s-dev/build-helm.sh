#!/usr/bin/env bash
# Builds helm from the Go module proxy into a per-version cache directory, so the chart's tests
# (lint, template, dry-run) run without a prebuilt download or a package manager. Idempotent:
# exits at once when the binary is cached; one build at a time per version (flock).
#
# Usage: build-helm.sh. HELM_BIN (an existing helm binary) short-circuits the build.
# Prints the path of the helm binary on its last line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/cache.sh"

HELM_VERSION="${CRYPTOVIZ_HELM_VERSION:-v3.21.4}"
OUT="${XDG_CACHE_HOME:-$HOME/.cache}/cryptoviz/helm/$HELM_VERSION"
BIN="$OUT/helm"

if [[ -n "${HELM_BIN:-}" ]]; then
  done_if "$HELM_BIN" test -x "$HELM_BIN"
fi
done_if "$BIN" test -x "$BIN"
find_go "set GO=/path/to/go, or HELM_BIN=/path/to/helm"
lock_cache "$OUT"
done_if "$BIN" test -x "$BIN"

# As helm's own Makefile does: its version, and the Kubernetes version `helm template` and
# `helm lint` assume (else v1.20), taken from the client-go release helm is built with.
HELM_GOMOD="$("$GO" mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
CLIENT_GO="$(sed -n 's#^[[:space:]]*k8s\.io/client-go v0\.\([0-9]*\)\..*#\1#p' "$HELM_GOMOD")"
LDFLAGS="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
LDFLAGS+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  LDFLAGS+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$CLIENT_GO"
done
export GOFLAGS="${GOFLAGS:--p=2}" CGO_ENABLED=0 GOBIN="$OUT/.gobin"
nice "$GO" install -trimpath -ldflags "$LDFLAGS" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
mv "$GOBIN/helm" "$BIN"
rmdir "$GOBIN"
echo "$BIN"
