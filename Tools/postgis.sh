#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for tests and benchmarks, on a unix socket only.
#   Tools/postgis.sh start DIR   installs the packages if missing, starts a cluster in DIR and
#                                prints a GDAL connection string (PG:host=DIR ... dbname=redline)
#   Tools/postgis.sh stop DIR    stops it
set -euo pipefail
command=${1:?usage: postgis.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: postgis.sh start|stop DIR}")
bin=/usr/lib/postgresql/15/bin
port=5433

as_owner() {
  # PostgreSQL refuses to run as root: use its own account then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
  if ! dpkg-query -W -f='${Status}' postgresql-15-postgis-3 2>/dev/null | grep -q "install ok installed"; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-15-postgis-3 >/dev/null
  fi
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
  # The server must not inherit our caller's descriptors: a caller that waits for them to close
  # (Foundation's Process does) would wait for the server to stop.
  for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
  done
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-k $dir -c listen_addresses='' -p $port -c fsync=off -c full_page_writes=off" start >/dev/null
  as_owner "$bin/createdb" -h "$dir" -p $port -U postgres redline
  as_owner psql -q -h "$dir" -p $port -U postgres -d redline -c "CREATE EXTENSION postgis" >/dev/null
  echo "PG:host=$dir port=$port dbname=redline user=postgres"
  ;;
stop)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  ;;
*)
  echo "usage: postgis.sh start|stop DIR" >&2
  exit 2
  ;;
esac
