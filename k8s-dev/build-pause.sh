#!/usr/bin/env bash
# Builds the pod sandbox's pause program (k8s-dev/pause) as a static binary into a cache folder
# named by a hash of its sources and the Go version, so an edit to the program means a new
# build and an unchanged one is reused. Idempotent; one build at a time per hash (flock).
#
# Usage: build-pause.sh. Prints the path of the pause binary on its last line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/cache.sh"

PAUSE_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/pause" && pwd)"
find_go "set GO=/path/to/go"
HASH="$(
  {
    "$GO" version
    cat "$PAUSE_SRC/go.mod" "$PAUSE_SRC/main.go"
  } | sha256sum | cut -c1-16
)"
OUT="${XDG_CACHE_HOME:-$HOME/.cache}/cryptoviz/pause/$HASH"
BIN="$OUT/pause"

done_if "$BIN" test -x "$BIN"
lock_cache "$OUT"
done_if "$BIN" test -x "$BIN"

export CGO_ENABLED=0
nice "$GO" build -C "$PAUSE_SRC" -trimpath -ldflags "-s -w" -o "$BIN.tmp" .
mv "$BIN.tmp" "$BIN"
echo "$BIN"
