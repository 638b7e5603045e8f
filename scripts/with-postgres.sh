#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server: initialised in a temporary directory, listening on
# 127.0.0.1 on a free port, stopped and deleted afterwards whatever happens. The command sees its address in
# TEST_DATABASE_URL.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "PostgreSQL introuvable : lancez scripts/system-deps.sh (apt-get install postgresql)." >&2
  exit 1
fi

workdir=$(mktemp -d /tmp/ateliers-pg.XXXXXX)
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: the server belongs to the postgres system user.
  chown postgres "$workdir"
  run_as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

"${run_as[@]}" "$bindir/initdb" -D "$workdir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" \
  start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres ateliers_test

echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') sur 127.0.0.1:$port"
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/ateliers_test"
"$@"
