#!/usr/bin/env bash
# Builds the images the tests and the demo run, without a registry: `busybox:1.36` from Debian's
# static busybox. Dockerfiles that say `FROM busybox:1.36` then resolve locally, and the same
# files work unchanged for a user who pulls the real image from Docker Hub.
# Also `backstop-test/postgres:15` (Debian's postgresql-15 via debootstrap) for the backup tests.
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

build_busybox
build_postgres
