#!/usr/bin/env bash
# Builds the Kubernetes binaries (etcd, the control plane, and the node's kubelet and
# kube-proxy) from the Go module proxy into a per-version cache directory, so tests and
# `cryptoviz control-plane up` get a real cluster without Docker or downloads of prebuilt
# binaries. Idempotent: builds only the binaries missing from the cache, and exits at once when
# none is.
#
# Usage: build-control-plane.sh [BINARY...] (default: etcd kube-apiserver
# kube-controller-manager). Naming binaries limits the work to them, so a caller that needs no
# kube-controller-manager never waits for its build. KUBEBUILDER_ASSETS (a folder holding the
# binaries asked for) short-circuits the build.
# Prints the folder holding the binaries on its last line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/cache.sh"

KUBE_VERSION="${CRYPTOVIZ_KUBE_VERSION:-v1.35.4}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/cryptoviz/k8s"
OUT="$CACHE_ROOT/$KUBE_VERSION"

declare -A PACKAGE_OF=(
  [etcd]=go.etcd.io/etcd/server/v3
  [kube-apiserver]=k8s.io/kubernetes/cmd/kube-apiserver
  [kube-controller-manager]=k8s.io/kubernetes/cmd/kube-controller-manager
  [kube-scheduler]=k8s.io/kubernetes/cmd/kube-scheduler
  [kubelet]=k8s.io/kubernetes/cmd/kubelet
  [kube-proxy]=k8s.io/kubernetes/cmd/kube-proxy
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

# The file `go build -o DIR/` writes for a main package: its last path element, or the one
# before a major-version suffix (go.etcd.io/etcd/server/v3 → server).
go_output_name() {
  local name="${1##*/}"
  if [[ "$name" =~ ^v[0-9]+$ ]]; then
    name="${1%/*}"
    name="${name##*/}"
  fi
  echo "$name"
}

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  done_if "$KUBEBUILDER_ASSETS" has_wanted_binaries "$KUBEBUILDER_ASSETS"
fi
done_if "$OUT" has_wanted_binaries "$OUT"
find_go "set GO=/path/to/go"
lock_cache "$OUT"
done_if "$OUT" has_wanted_binaries "$OUT"

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
# Every known binary, not only those asked for: one go.mod that serves any later request.
{
  echo "//go:build tools"
  echo
  echo "package tools"
  echo
  echo "import ("
  for binary in $(printf '%s\n' "${!PACKAGE_OF[@]}" | sort); do
    echo "	_ \"${PACKAGE_OF[$binary]}\""
  done
  echo ")"
} >tools.go

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

# Only what is missing (binaries already cached stay as they are), in one `go build` so the
# packages they share compile once. Built into a staging folder and moved in afterwards: a
# binary in the cache is always a whole one.
MISSING=()
for binary in "${WANTED[@]}"; do
  [[ -x "$OUT/$binary" ]] || MISSING+=("$binary")
done
STAGING="$OUT/.staging"
rm -rf "$STAGING"
mkdir -p "$STAGING"
PACKAGES=()
for binary in "${MISSING[@]}"; do
  PACKAGES+=("${PACKAGE_OF[$binary]}")
done
nice "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$STAGING/" "${PACKAGES[@]}"
for binary in "${MISSING[@]}"; do
  mv "$STAGING/$(go_output_name "${PACKAGE_OF[$binary]}")" "$OUT/$binary"
done
rmdir "$STAGING"
echo "$OUT"
