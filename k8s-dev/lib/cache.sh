# Sourced by the k8s-dev/build-*.sh scripts, which build Go binaries into a per-version cache
# folder: what they share around the build itself.

# done_if ANSWER COMMAND...: when COMMAND succeeds (what is asked for is there), prints ANSWER
# and ends the script.
done_if() {
  local answer=$1
  shift
  if "$@"; then
    echo "$answer"
    exit 0
  fi
}

# find_go HOW_TO_AVOID: sets GO to the Go toolchain, or ends the script saying how to point at
# one (or at what to use instead).
find_go() {
  GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
  if [[ ! -x "$GO" ]]; then
    echo "go toolchain not found ($1)" >&2
    exit 1
  fi
}

# lock_cache DIR: creates DIR and holds its build lock until the script ends. One build at a
# time per version: a second caller waits for the first instead of racing it (then finds the
# result with done_if).
lock_cache() {
  mkdir -p "$1"
  exec 9>"$1/.build.lock"
  flock 9
}
