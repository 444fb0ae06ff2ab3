#!/usr/bin/env bash
# A throwaway PostgreSQL for the receiver's tests, from Debian's packages.
#
#   bash scripts/postgres.sh start   install PostgreSQL if missing, start a fresh cluster on
#                                    127.0.0.1 on a free port (nothing if one is running)
#   bash scripts/postgres.sh url     print its URL (for NECTAR_TEST_POSTGRES_URL)
#   bash scripts/postgres.sh stop    stop it and delete its files (nothing if none)
#   bash scripts/postgres.sh pause   stop its server, keeping its files and port (a database
#                                    outage, for the receiver's fault tests)
#   bash scripts/postgres.sh resume  start the paused server again, same port and data
#
# The cluster lives in $NECTAR_POSTGRES_DIR (default: $TMPDIR/nectar-receiver-postgres),
# trusts connections from 127.0.0.1 only, and listens nowhere else. PostgreSQL refuses to
# run as root, so as root the server runs as the `postgres` user the package creates.
set -euo pipefail

dir="${NECTAR_POSTGRES_DIR:-${TMPDIR:-/tmp}/nectar-receiver-postgres}"
data="$dir/data"
database=nectar

say() { printf 'postgres.sh: %s\n' "$*" >&2; }

# The newest installed server's bin directory, or nothing.
bin_dir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$found" ] && [ -x "$found/pg_ctl" ]; then echo "$found"; fi
}

install_if_missing() {
  if [ -n "$(bin_dir)" ]; then return; fi
  say "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  if [ -z "$(bin_dir)" ]; then
    say "postgresql installed, but no server binaries under /usr/lib/postgresql"
    exit 1
  fi
}

# Runs a server binary as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  local bin
  bin=$(bin_dir)
  [ -n "$bin" ] && [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

url() {
  printf 'postgres://postgres@127.0.0.1:%s/%s\n' "$(cat "$dir/port")" "$database"
}

# Starts the cluster's server on 127.0.0.1:$2 (server binaries in $1); fails if it cannot.
serve() {
  as_owner "$1/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 start -o \
    "-c listen_addresses=127.0.0.1 -c port=$2 -c unix_socket_directories=$dir -c max_connections=200" \
    >/dev/null 2>&1
}

# Whether something answers on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  if running; then
    say "already running at $(url)"
    return
  fi
  install_if_missing
  local bin
  bin=$(bin_dir)
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  as_owner "$bin/initdb" --pgdata="$data" --username=postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # A free port: the first of a random run that nothing answers on and the server binds.
  local port tries=0
  port=$((20000 + RANDOM % 20000))
  while :; do
    tries=$((tries + 1))
    if [ "$tries" -gt 50 ]; then
      say "no free port found"
      exit 1
    fi
    port=$((port + 1))
    if port_in_use "$port"; then continue; fi
    if serve "$bin" "$port"; then break; fi
  done
  echo "$port" >"$dir/port"
  as_owner "$bin/createdb" --host=127.0.0.1 --port="$port" --username=postgres "$database"
  say "started at $(url)"
}

stop() {
  local bin
  bin=$(bin_dir)
  if [ -n "$bin" ] && running; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    say "stopped"
  fi
  rm -rf "$dir"
}

# The cluster started by `start`, or exit.
require_cluster() {
  if [ -z "$(bin_dir)" ] || [ ! -f "$data/PG_VERSION" ] || [ ! -f "$dir/port" ]; then
    say "no cluster (bash scripts/postgres.sh start)"
    exit 1
  fi
}

pause() {
  require_cluster
  if running; then
    as_owner "$(bin_dir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
  say "paused (bash scripts/postgres.sh resume)"
}

resume() {
  require_cluster
  if running; then
    say "already running at $(url)"
    return
  fi
  if ! serve "$(bin_dir)" "$(cat "$dir/port")"; then
    say "cannot resume on port $(cat "$dir/port"); see $dir/server.log"
    exit 1
  fi
  say "resumed at $(url)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  pause) pause ;;
  resume) resume ;;
  url)
    if ! running; then
      say "not running (bash scripts/postgres.sh start)"
      exit 1
    fi
    url
    ;;
  *)
    echo "usage: bash scripts/postgres.sh start|stop|url|pause|resume" >&2
    exit 2
    ;;
esac
