#!/usr/bin/env bash
# Make sure the local MariaDB and Redis the tests use are up (see docs: services on the dev/CI machines).
# Checks each service and starts it only when it is down; installs the Debian packages when missing.
# Idempotent: when both already answer, it only prints their state.
set -euo pipefail

WAIT_SECONDS="${SERVICES_WAIT_SECONDS:-60}"
export DEBIAN_FRONTEND=noninteractive

# `apt-get update` at most once per CI run: .ci/run exports SHUIWU_APT_STAMP (a temp file) that is
# non-empty once the package lists were refreshed.
apt_update_once() {
  if [[ -n "${SHUIWU_APT_STAMP:-}" && -s "$SHUIWU_APT_STAMP" ]]; then return 0; fi
  apt-get -o DPkg::Lock::Timeout=300 update
  if [[ -n "${SHUIWU_APT_STAMP:-}" ]]; then echo updated >"$SHUIWU_APT_STAMP"; fi
}

mariadb_ok() { mariadb -uroot -e 'select 1' >/dev/null 2>&1; }
redis_ok() { [[ "$(redis-cli ping 2>/dev/null)" == "PONG" ]]; }

# wait_for NAME CHECK_FUNCTION: poll once a second for up to WAIT_SECONDS.
wait_for() {
  local name="$1" check="$2" i
  for ((i = 0; i < WAIT_SECONDS; i++)); do
    if "$check"; then return 0; fi
    sleep 1
  done
  echo "$name: still not answering after ${WAIT_SECONDS}s" >&2
  return 1
}

missing=()
if [[ ! -x /usr/sbin/mariadbd ]] || ! command -v mariadb >/dev/null 2>&1; then missing+=(mariadb-server); fi
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then missing+=(redis-server); fi
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt_update_once
  apt-get -o DPkg::Lock::Timeout=300 install -y "${missing[@]}"
fi

# MariaDB (root over the default socket, empty password)
if mariadb_ok; then
  echo "mariadb: up"
else
  echo "mariadb: down, starting"
  install -d -o mysql -g mysql /run/mysqld
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_for mariadb mariadb_ok
  echo "mariadb: started"
fi

# Redis (127.0.0.1:6379, nothing on disk)
if redis_ok; then
  echo "redis: up"
else
  echo "redis: down, starting"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for redis redis_ok
  echo "redis: started"
fi
