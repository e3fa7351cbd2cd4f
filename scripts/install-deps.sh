#!/usr/bin/env bash
# Installs what Backstop's tests and demo need on a fresh Debian 12 machine: the Docker engine,
# Compose v2 (from trixie, pinned low so nothing else moves), busybox-static for the locally
# built images, prometheus for the PromQL check tests, and starts dockerd when it is not
# running. Idempotent: a second run only checks.
set -euo pipefail

log() { printf '[install] %s\n' "$*"; }
apt_updated=0
apt_update() { if [ $apt_updated = 0 ]; then apt-get update -qq; apt_updated=1; fi; }

need_root_debian() {
  if [ "$(id -u)" != 0 ] || ! grep -q 'ID=debian' /etc/os-release 2>/dev/null; then
    cat >&2 <<'MSG'
[install] This script installs packages only on Debian as root. Please install by hand:
  - a Docker engine (docker.io or Docker CE), running, reachable through /var/run/docker.sock
  - Docker Compose v2 (`docker compose version` must answer)
  - busybox-static (a static /bin/busybox), used to build the test and demo images
  - debootstrap, used to build the PostgreSQL, MariaDB and Redis test images from Debian's packages
  - prometheus (2.x server binary on the PATH), used by the PromQL check tests
  - openssh-server (/usr/sbin/sshd) and openssl, used by the ssh:// git and TLS Docker host tests
  - chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver), used by the status page tests
  - JDK 17 and Maven 3.8+
then run `make test` again.
MSG
    exit 1
  fi
}

if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  need_root_debian
  log "installing JDK 17 and Maven"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
fi

have_compose() { docker compose version >/dev/null 2>&1; }

if ! command -v dockerd >/dev/null 2>&1; then
  need_root_debian
  log "installing the Docker engine (docker.io)"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if ! have_compose; then
  need_root_debian
  log "installing Docker Compose v2 from trixie (pinned to priority 100)"
  cat >/etc/apt/sources.list.d/trixie.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  cat >/etc/apt/preferences.d/trixie-low <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
  apt_updated=0
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie docker-compose >/dev/null
fi

if ! dpkg -s busybox-static >/dev/null 2>&1; then
  need_root_debian
  log "installing busybox-static"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
fi

# debootstrap builds the PostgreSQL, MariaDB and Redis test images from Debian's packages (no registry).
if ! command -v debootstrap >/dev/null 2>&1; then
  need_root_debian
  log "installing debootstrap"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

# A real Prometheus server (2.42 in bookworm) for the PromQL check tests; they start their own on
# a free loopback port with a temporary config and storage, never the packaged service.
if ! command -v prometheus >/dev/null 2>&1; then
  need_root_debian
  log "installing prometheus"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
fi

# openssh-server and openssl for the transport tests: they start their own sshd on a free loopback
# port (git over ssh://) and a second dockerd with --tlsverify, never the packaged services.
if [ ! -x /usr/sbin/sshd ] || ! command -v openssl >/dev/null 2>&1; then
  need_root_debian
  log "installing openssh-server and openssl"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssl >/dev/null
fi

# Chromium and its WebDriver from Debian for the status page tests (headless, driven by Selenium;
# nothing is downloaded at test time).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  need_root_debian
  log "installing chromium and chromium-driver"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  need_root_debian
  log "starting dockerd"
  setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/dockerd.log"; tail -20 /var/log/dockerd.log >&2; exit 1; }
fi
log "docker $(docker version --format '{{.Server.Version}}') and $(docker compose version --short 2>/dev/null || echo '?') ready"
