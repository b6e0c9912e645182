#!/usr/bin/env bash
# Make sure the PostgreSQL (127.0.0.1:5432, database "test") and Redis (127.0.0.1:6379) servers
# that the integration tests use are running. On this project's machines they are installed and
# usually already up; if one is down it is started, and if it is missing it is installed from
# Debian's packages. Idempotent, quiet when all is well.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if ! port_open 5432; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 30); do port_open 5432 && break; sleep 0.5; done
  port_open 5432 || { echo "PostgreSQL could not be started on 127.0.0.1:5432" >&2; exit 1; }
fi
if ! psql -h 127.0.0.1 -U postgres -d test -Atc "select 1" >/dev/null 2>&1; then
  as_root su postgres -c "psql -Atc \"select 1 from pg_database where datname='test'\"" | grep -q 1 \
    || as_root su postgres -c "createdb test"
fi

if ! port_open 6379; then
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /tmp/relais-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/relais-redis --logfile /tmp/relais-redis/redis.log
  for _ in $(seq 30); do port_open 6379 && break; sleep 0.2; done
  port_open 6379 || { echo "Redis could not be started on 127.0.0.1:6379" >&2; exit 1; }
fi
