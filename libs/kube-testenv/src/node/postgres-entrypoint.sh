#!/bin/sh
# Entrypoint of the stand-in PostgreSQL + TimescaleDB image (the real-node test only). It keeps
# the official postgres image's contract, which charts/cryptoviz/templates/database.yaml uses:
# POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and PGDATA; arguments go to postgres.
set -eu

: "${PGDATA:?PGDATA must name the data folder}"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
# Both become SQL identifiers below: no quoting games.
case $user in '' | *[!A-Za-z0-9_]*)
  echo "POSTGRES_USER must be letters, digits and _" >&2
  exit 1
  ;;
esac
case $db in '' | *[!A-Za-z0-9_]*)
  echo "POSTGRES_DB must be letters, digits and _" >&2
  exit 1
  ;;
esac

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set for the first start}"
  echo "initializing a database cluster in $PGDATA"
  # The password reaches initdb through a file only this user can read, never through argv.
  umask 077
  pwfile=/tmp/initdb-password.$$
  trap 'rm -f "$pwfile"' EXIT
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # Local socket connections (inside the Pod) are trusted, as in the official image; every
  # TCP client needs the password.
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --no-locale >/dev/null
  rm -f "$pwfile"
  trap - EXIT
  printf '%s\n' "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  printf '%s\n' \
    "listen_addresses = '*'" \
    "shared_preload_libraries = 'timescaledb'" \
    "timescaledb.telemetry_level = off" \
    "jit = off" >>"$PGDATA/postgresql.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode: no server, no socket, no client needed to create the database.
    printf 'CREATE DATABASE "%s"\n' "$db" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "database cluster initialized"
fi
unset POSTGRES_PASSWORD

# postgres takes SIGTERM as a smart shutdown, which waits for every client to leave (the
# platform's pools never do) until the kubelet's SIGKILL; SIGINT is the fast, clean one.
# This shell stays PID 1 to translate; PID 1 only gets the signals it handles.
pid=
stop() {
  stopping=1
  [ -z "$pid" ] || kill -INT "$pid" 2>/dev/null || :
}
stopping=
trap stop TERM INT
postgres "$@" &
pid=$!
[ -z "$stopping" ] || stop
status=0
while :; do
  wait "$pid" && status=0 || status=$?
  kill -0 "$pid" 2>/dev/null || break
done
exit "$status"
