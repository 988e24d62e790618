#!/usr/bin/env bash
# Builds kube-apiserver, etcd and kube-controller-manager from the Go module proxy into a
# per-version cache directory, so tests and `cryptoviz control-plane up` get a real control plane
# without Docker or downloads of prebuilt binaries. Idempotent: builds only the binaries missing
# from the cache, and exits at once when none is.
#
# Usage: build-control-plane.sh [BINARY...] (default: all three). Naming binaries limits the
# work to them, so a caller that needs no kube-controller-manager never waits for its build.
# KUBEBUILDER_ASSETS (a folder holding the binaries asked for) short-circuits the build.
# Prints the folder holding the binaries on its last line.
set -euo pipefail

KUBE_VERSION="${CRYPTOVIZ_KUBE_VERSION:-v1.35.4}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/cryptoviz/k8s"
OUT="$CACHE_ROOT/$KUBE_VERSION"

declare -A PACKAGE_OF=(
  [etcd]=go.etcd.io/etcd/server/v3
  [kube-apiserver]=k8s.io/kubernetes/cmd/kube-apiserver
  [kube-controller-manager]=k8s.io/kubernetes/cmd/kube-controller-manager
)
WANTED=("$@")
if ((${#WANTED[@]} == 0)); then
  WANTED=(etcd kube-apiserver kube-controller-manager)
fi
for binary in "${WANTED[@]}"; do
  if [[ -z "${PACKAGE_OF[$binary]:-}" ]]; then
    echo "unknown binary '$binary' (known: ${!PACKAGE_OF[*]})" >&2
    exit 2
  fi
done

has_wanted_binaries() {
  local binary
  for binary in "${WANTED[@]}"; do
    [[ -x "$1/$binary" ]] || return 1
  done
}

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]] && has_wanted_binaries "$KUBEBUILDER_ASSETS"; then
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi
if has_wanted_binaries "$OUT"; then
  echo "$OUT"
  exit 0
fi

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$GO" ]]; then
  echo "go toolchain not found (set GO=/path/to/go)" >&2
  exit 1
fi

mkdir -p "$OUT"
# One build at a time per version: a second caller waits for the first instead of racing it.
exec 9>"$OUT/.build.lock"
flock 9
if has_wanted_binaries "$OUT"; then
  echo "$OUT"
  exit 0
fi

SRC="$OUT/src"
mkdir -p "$SRC"
cd "$SRC"
STAGING_VERSION="v0.${KUBE_VERSION#v1.}"

# k8s.io/kubernetes replaces its staging modules with ./staging paths, which a dependent module
# cannot see; pin each of them to the published v0.x release of the same Kubernetes version.
KUBE_GOMOD="$("$GO" mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
{
  echo "module cryptoviz.dev/k8s-testenv"
  echo
  echo "go 1.24"
  echo
  echo "require k8s.io/kubernetes $KUBE_VERSION"
  echo
  echo "replace ("
  sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\t\1 => \1 '"$STAGING_VERSION"'#p' "$KUBE_GOMOD"
  echo ")"
} >go.mod
cat >tools.go <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
GO

export GOFLAGS="${GOFLAGS:--p=2}" CGO_ENABLED=0
nice "$GO" mod tidy

VERSION_PKG=k8s.io/component-base/version
CLIENT_VERSION_PKG=k8s.io/client-go/pkg/version
MINOR="${KUBE_VERSION#v1.}"
MINOR="${MINOR%%.*}"
LDFLAGS="-s -w"
for pkg in "$VERSION_PKG" "$CLIENT_VERSION_PKG"; do
  LDFLAGS+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$MINOR"
  LDFLAGS+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

# Only what is missing: binaries already cached stay as they are.
for binary in "${WANTED[@]}"; do
  [[ -x "$OUT/$binary" ]] && continue
  nice "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$OUT/$binary.tmp" "${PACKAGE_OF[$binary]}"
  mv "$OUT/$binary.tmp" "$OUT/$binary"
done
echo "$OUT"
