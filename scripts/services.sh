#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis on 127.0.0.1 for tests, the cluster and the load run.
#   scripts/services.sh start   initdb + start both (idempotent), then print the URLs as shell exports
#   scripts/services.sh env     print the exports of the running pair
#   scripts/services.sh stop    stop both, by the PIDs recorded at start, and delete their data
#   scripts/services.sh pg-stop | pg-start   stop (fast) / start PostgreSQL alone, keeping its data (fault tests)
# Needs the Debian packages `postgresql` and `redis-server` (apt-get install -y postgresql redis-server).
# State lives in LEASH_SERVICES_DIR (default /tmp/leash-services); ports LEASH_PG_PORT / LEASH_REDIS_PORT.
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
set -euo pipefail

DIR="${LEASH_SERVICES_DIR:-/tmp/leash-services}"
PG_PORT="${LEASH_PG_PORT:-55432}"
REDIS_PORT="${LEASH_REDIS_PORT:-56379}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

print_env() {
  echo "export LEASH_TEST_DATABASE_URL=postgres://leash:leash@127.0.0.1:${PG_PORT}/leash"
  echo "export LEASH_TEST_REDIS_URL=redis://127.0.0.1:${REDIS_PORT}"
}

start_pg() {
  [ -x "${PG_BIN}/pg_ctl" ] || { echo "services: PostgreSQL not installed (apt-get install postgresql)" >&2; exit 1; }
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then mkdir -p "$DIR/pg"; chown postgres:postgres "$DIR/pg"; chmod 700 "$DIR/pg"; fi
  if [ ! -f "$DIR/pg/data/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$DIR/pg/data" -U postgres -A trust --no-sync >/dev/null
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg/data" status >/dev/null 2>&1; then
    pg_only start
    as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtA -c \
      "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'leash') THEN
         CREATE ROLE leash LOGIN SUPERUSER PASSWORD 'leash'; END IF; END \$\$;" >/dev/null
    as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtA -c "CREATE DATABASE leash OWNER leash" \
      >/dev/null 2>&1 || true
  fi
}

# A PID that names a running process (not a zombie nobody reaped: daemons here may outlive their parent).
alive() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && ! awk '{ exit ($3 == "Z") ? 0 : 1 }' "/proc/$1/stat"; }
redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start_redis() {
  command -v redis-server >/dev/null || { echo "services: redis-server not installed" >&2; exit 1; }
  mkdir -p "$DIR"
  if [ -f "$DIR/redis.pid" ] && alive "$(cat "$DIR/redis.pid")" && redis_up; then return; fi
  rm -f "$DIR/redis.pid"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --dir "$DIR"
  for _ in $(seq 100); do redis_up && [ -s "$DIR/redis.pid" ] && return; sleep 0.05; done
  echo "services: redis-server did not start (see $DIR/redis.log)" >&2
  exit 1
}

stop_all() {
  if [ -f "$DIR/pg.pid" ] && [ -x "${PG_BIN}/pg_ctl" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -f "$DIR/redis.pid" ]; then
    pid="$(cat "$DIR/redis.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
  fi
  rm -rf "$DIR"
}

pg_only() {
  case "$1" in
    stop) as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg/data" -m fast -w stop >/dev/null ;;
    start) as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/log" -w \
      -o "-p ${PG_PORT} -k $DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
      head -1 "$DIR/pg/data/postmaster.pid" >"$DIR/pg.pid" ;;
  esac
}

case "${1:-}" in
  pg-stop) pg_only stop ;;
  pg-start) pg_only start ;;
  start) start_pg; start_redis; print_env ;;
  env) print_env ;;
  stop) stop_all ;;
  *) echo "usage: $0 start|env|stop" >&2; exit 2 ;;
esac
