#!/usr/bin/env bash
# Builds the images the tests and the demo run, without a registry: `busybox:1.36` from Debian's
# static busybox. Dockerfiles that say `FROM busybox:1.36` then resolve locally, and the same
# files work unchanged for a user who pulls the real image from Docker Hub.
# Also `backstop-test/postgres:15`, `backstop-test/mariadb:10.11` and `backstop-test/redis:7`
# (Debian's own packages via debootstrap) for the backup tests.
set -euo pipefail

build_busybox() {
  local tag=busybox:1.36
  if docker image inspect "$tag" >/dev/null 2>&1 && [ "${REBUILD:-0}" != 1 ]; then
    echo "[images] $tag present"; return 0
  fi
  local ctx; ctx=$(mktemp -d)
  cp "$(readlink -f /bin/busybox)" "$ctx/busybox"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh"]
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "[images] built $tag from $(readlink -f /bin/busybox)"
}

# A real PostgreSQL 15 for the backup/restore tests. The entrypoint initialises the cluster on
# first start (trust auth: a throwaway test database), creates POSTGRES_USER / POSTGRES_DB when
# given, and execs postgres so that it receives the stop signal.
build_postgres() {
  local tag=backstop-test/postgres:15 rootfs=backstop-test/postgres-rootfs:15
  if docker image inspect "$tag" >/dev/null 2>&1 && [ "${REBUILD:-0}" != 1 ]; then
    echo "[images] $tag present"; return 0
  fi
  if ! docker image inspect "$rootfs" >/dev/null 2>&1 || [ "${REBUILD:-0}" = 1 ]; then
    import_postgres_rootfs "$rootfs"
  fi
  # `docker import` cannot set a HEALTHCHECK; one legacy-builder layer on top adds it. It probes
  # TCP: during first-start initialisation a socket-only server runs, which is not ready yet.
  local ctx; ctx=$(mktemp -d)
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $rootfs
HEALTHCHECK --interval=1s --timeout=3s --retries=30 CMD ["pg_isready", "-q", "-h", "127.0.0.1", "-U", "postgres"]
CMD ["/usr/local/bin/pg-entrypoint"]
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "[images] built $tag"
}

import_postgres_rootfs() {
  local tag=$1
  local root; root=$(mktemp -d)
  echo "[images] debootstrap postgresql-15 (about a minute)"
  debootstrap --variant=minbase --include=postgresql-15 bookworm "$root" >/tmp/backstop-debootstrap.log 2>&1 \
    || { tail -20 /tmp/backstop-debootstrap.log >&2; rm -rf "$root"; exit 1; }
  # Drop what an image never needs, to keep it smaller.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc \
    "$root"/usr/share/man "$root"/usr/share/locale
  cat >"$root/usr/local/bin/pg-entrypoint" <<'SH'
#!/bin/sh
set -e
PGBIN=/usr/lib/postgresql/15/bin
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
mkdir -p "$PGDATA" /run/postgresql
chown -R postgres:postgres "$PGDATA" /run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  su postgres -s /bin/sh -c "$PGBIN/initdb -D '$PGDATA' -A trust -U postgres --no-sync >/dev/null"
  echo "listen_addresses='*'" >>"$PGDATA/postgresql.conf"
  echo "host all all 0.0.0.0/0 trust" >>"$PGDATA/pg_hba.conf"
  if [ -n "${POSTGRES_USER:-}" ] || [ -n "${POSTGRES_DB:-}" ]; then
    su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$PGDATA' -o '-c listen_addresses=' -w start >/dev/null"
    if [ -n "${POSTGRES_USER:-}" ] && [ "$POSTGRES_USER" != postgres ]; then
      su postgres -s /bin/sh -c "psql -q -v ON_ERROR_STOP=1 -c 'CREATE ROLE \"$POSTGRES_USER\" LOGIN SUPERUSER'"
    fi
    if [ -n "${POSTGRES_DB:-}" ]; then
      su postgres -s /bin/sh -c "psql -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE \"$POSTGRES_DB\" OWNER \"${POSTGRES_USER:-postgres}\"'"
    fi
    su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$PGDATA' -m fast -w stop >/dev/null"
  fi
fi
exec su postgres -s /bin/sh -c "exec $PGBIN/postgres -D '$PGDATA' $*"
SH
  chmod +x "$root/usr/local/bin/pg-entrypoint"
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' \
    -c 'EXPOSE 5432' \
    -c 'STOPSIGNAL SIGINT' \
    -c 'CMD ["/usr/local/bin/pg-entrypoint"]' \
    - "$tag" >/dev/null
  rm -rf "$root"
  echo "[images] imported $tag"
}

# Debootstraps bookworm with PACKAGE into a fresh root, minus what an image never needs, and
# imports it as TAG. Scripts come in a layer on top (add_layer), so changing one never needs
# another debootstrap.
import_rootfs() {
  local pkg=$1 tag=$2 root; root=$(mktemp -d)
  echo "[images] debootstrap $pkg (one to three minutes)"
  debootstrap --variant=minbase --include="$pkg" bookworm "$root" >"/tmp/backstop-debootstrap-$pkg.log" 2>&1 \
    || { tail -20 "/tmp/backstop-debootstrap-$pkg.log" >&2; rm -rf "$root"; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc \
    "$root"/usr/share/man "$root"/usr/share/locale
  tar -C "$root" -c . | docker import -c 'ENV LANG=C.UTF-8' - "$tag" >/dev/null
  rm -rf "$root"
  echo "[images] imported $tag"
}

# One legacy-builder layer on ROOTFS: the scripts in CTX/bin go to /usr/local/bin, plus the
# HEALTHCHECK, EXPOSE and CMD that `docker import` cannot set.
add_layer() {
  local rootfs=$1 tag=$2 ctx=$3 port=$4 health=$5 cmd=$6
  chmod +x "$ctx"/bin/*
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $rootfs
COPY bin/ /usr/local/bin/
EXPOSE $port
HEALTHCHECK --interval=1s --timeout=3s --retries=60 CMD $health
CMD $cmd
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" >/dev/null 2>&1 \
    || DOCKER_BUILDKIT=0 docker build -t "$tag" "$ctx"
  rm -rf "$ctx"
  echo "[images] built $tag"
}

present() {
  docker image inspect "$1" >/dev/null 2>&1 && [ "${REBUILD:-0}" != 1 ]
}

# MariaDB 10.11 from Debian. The entrypoint initialises the data dir on first start
# (mariadb-install-db), creates MARIADB_DATABASE and MARIADB_USER/MARIADB_PASSWORD (all rights on
# that database) through a socket-only bootstrap server, then execs mariadbd as mysql. The
# healthcheck pings the main socket (root by unix_socket auth), which exists only once the real
# server runs.
build_mariadb() {
  local tag=backstop-test/mariadb:10.11 rootfs=backstop-test/mariadb-rootfs:10.11 started=$SECONDS
  if present "$tag"; then echo "[images] $tag present"; return 0; fi
  present "$rootfs" || import_rootfs mariadb-server "$rootfs"
  local ctx; ctx=$(mktemp -d); mkdir "$ctx/bin"
  cat >"$ctx/bin/mariadb-entrypoint" <<'SH'
#!/bin/sh
set -e
DATADIR=/var/lib/mysql
mkdir -p "$DATADIR" /run/mysqld
chown -R mysql:mysql "$DATADIR" /run/mysqld
if [ ! -d "$DATADIR/mysql" ]; then
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db \
    --auth-root-authentication-method=socket >/dev/null
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket=/run/mysqld/boot.sock &
  boot=$!
  i=0
  until mariadb-admin --socket=/run/mysqld/boot.sock ping --silent >/dev/null 2>&1; do
    i=$((i+1)); [ $i -lt 240 ] || { echo "bootstrap server did not start" >&2; exit 1; }
    sleep 0.5
  done
  {
    if [ -n "${MARIADB_ROOT_PASSWORD:-}" ]; then
      echo "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('$MARIADB_ROOT_PASSWORD');"
    fi
    if [ -n "${MARIADB_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
    fi
    if [ -n "${MARIADB_USER:-}" ]; then
      echo "CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY '${MARIADB_PASSWORD:-}';"
      if [ -n "${MARIADB_DATABASE:-}" ]; then
        echo "GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';"
      fi
    fi
  } | mariadb --socket=/run/mysqld/boot.sock -u root
  mariadb-admin --socket=/run/mysqld/boot.sock -u root shutdown
  wait $boot || true
fi
exec mariadbd --user=mysql --datadir="$DATADIR" --bind-address=0.0.0.0 \
  --socket=/run/mysqld/mysqld.sock "$@"
SH
  add_layer "$rootfs" "$tag" "$ctx" 3306 \
    '["mariadb-admin", "--socket=/run/mysqld/mysqld.sock", "-u", "root", "ping", "--silent"]' \
    '["/usr/local/bin/mariadb-entrypoint"]'
  echo "[images] $tag took $((SECONDS - started)) s"
}

# Redis 7 from Debian. /usr/local/bin/redis-server (first on the PATH) runs Debian's server as
# redis in /data, listening on every address, with REDIS_PASSWORD (when set) as requirepass, so
# that a compose `command: redis-server --save 60 1 ...` reads as it does with the official image.
build_redis() {
  local tag=backstop-test/redis:7 rootfs=backstop-test/redis-rootfs:7 started=$SECONDS
  if present "$tag"; then echo "[images] $tag present"; return 0; fi
  present "$rootfs" || import_rootfs redis-server "$rootfs"
  local ctx; ctx=$(mktemp -d); mkdir "$ctx/bin"
  cat >"$ctx/bin/redis-server" <<'SH'
#!/bin/sh
set -e
mkdir -p /data
chown redis:redis /data
if [ -n "${REDIS_PASSWORD:-}" ]; then
  set -- --requirepass "$REDIS_PASSWORD" "$@"
fi
cd /data
exec setpriv --reuid=redis --regid=redis --init-groups /usr/bin/redis-server --bind 0.0.0.0 \
  --protected-mode no --dir /data --daemonize no "$@"
SH
  cat >"$ctx/bin/redis-health" <<'SH'
#!/bin/sh
# PONG only once the dataset is loaded; with REDIS_PASSWORD set, authenticates from the env.
if [ -n "${REDIS_PASSWORD:-}" ]; then export REDISCLI_AUTH="$REDIS_PASSWORD"; fi
redis-cli -h 127.0.0.1 ping 2>/dev/null | grep -q PONG
SH
  add_layer "$rootfs" "$tag" "$ctx" 6379 '["/usr/local/bin/redis-health"]' '["redis-server"]'
  echo "[images] $tag took $((SECONDS - started)) s"
}

build_busybox
build_postgres
build_mariadb
build_redis
