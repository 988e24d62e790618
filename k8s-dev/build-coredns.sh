#!/usr/bin/env bash
# Builds CoreDNS from the Go module proxy into a per-version cache directory: the cluster DNS
# of the real-node test cluster (Services by name). A static binary with only the plugins a
# test cluster needs; no forward, as there is no outside resolver. CoreDNS's own main imports
# every plugin (cloud SDKs included, a much longer build), so a small main package written here
# sets the directive list and imports just these plugins. Idempotent: exits at once when the
# binary with this plugin list is cached; one build at a time per version (flock).
#
# Usage: build-coredns.sh. COREDNS_BIN (an existing coredns binary) short-circuits the build.
# Prints the path of the coredns binary on its last line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/cache.sh"

# v1.14.x builds against client-go v0.35, the Kubernetes release the tests run.
COREDNS_VERSION="${CRYPTOVIZ_COREDNS_VERSION:-v1.14.7}"
OUT="${XDG_CACHE_HOME:-$HOME/.cache}/cryptoviz/coredns/$COREDNS_VERSION"
BIN="$OUT/coredns"
# In execution order (CoreDNS runs a query through them top to bottom): the order of
# CoreDNS's own plugin.cfg, restricted to these. bind lets a test listen on loopback only.
PLUGINS=(reload bind ready health errors log loadbalance cache kubernetes loop)
# The plugin list is part of what is cached: a changed list means a new build.
STAMP="$OUT/plugins"

is_built() {
  [[ -x "$BIN" && "$(cat "$STAMP" 2>/dev/null)" == "${PLUGINS[*]}" ]]
}

if [[ -n "${COREDNS_BIN:-}" ]]; then
  done_if "$COREDNS_BIN" test -x "$COREDNS_BIN"
fi
done_if "$BIN" is_built
find_go "set GO=/path/to/go, or COREDNS_BIN=/path/to/coredns"
lock_cache "$OUT"
done_if "$BIN" is_built

SRC="$OUT/src"
mkdir -p "$SRC"
cd "$SRC"
COREDNS_GOMOD="$("$GO" mod download -json "github.com/coredns/coredns@$COREDNS_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
{
  echo "module cryptoviz.dev/coredns"
  echo
  grep -m1 '^go ' "$COREDNS_GOMOD"
  echo
  echo "require github.com/coredns/coredns $COREDNS_VERSION"
} >go.mod
{
  echo "// Written by k8s-dev/build-coredns.sh: CoreDNS with only the plugins listed here."
  echo "package main"
  echo
  echo "import ("
  echo "	\"github.com/coredns/coredns/core/dnsserver\""
  echo "	\"github.com/coredns/coredns/coremain\""
  for plugin in "${PLUGINS[@]}"; do
    echo "	_ \"github.com/coredns/coredns/plugin/$plugin\""
  done
  echo ")"
  echo
  echo "func init() {"
  echo "	dnsserver.Directives = []string{"
  for plugin in "${PLUGINS[@]}"; do
    echo "		\"$plugin\","
  done
  echo "	}"
  echo "}"
  echo
  echo "func main() { coremain.Run() }"
} >main.go

export GOFLAGS="${GOFLAGS:--p=2}" CGO_ENABLED=0
nice "$GO" mod tidy
nice "$GO" build -trimpath -ldflags "-s -w" -o "$BIN.tmp" .
mv "$BIN.tmp" "$BIN"
echo "${PLUGINS[*]}" >"$STAMP"
echo "$BIN"
