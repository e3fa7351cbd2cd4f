#!/usr/bin/env bash
# Builds the operator image `backstop:<version>` and `backstop:dev` into the local engine from
# Debian's packages, without a registry (none can be reached, so `FROM debian` is not an option):
#   1. a base image: a debootstrap'd minbase bookworm with a JRE 17, openssh-client, tini and
#      ca-certificates, plus the docker CLI and Compose v2 taken from trixie's packages (bookworm
#      has no client-only docker package and no Compose v2), imported with `docker import`.
#      Cached under a tag derived from the package list: rebuilt only when that list changes
#      (or REBUILD=1).
#   2. one legacy-builder layer on top with the shaded jar (operator/target/backstop.jar,
#      `make build`), user 65532 and an entrypoint under tini.
# The image runs with a read-only root filesystem: it writes only to /tmp, to the state volume
# (/var/lib/backstop) and to the home directory (/home/backstop, a volume in the chart, where the
# ssh key and known_hosts are mounted as .ssh).
set -euo pipefail

cd "$(dirname "$0")/.."
log() { printf '[image] %s\n' "$*"; }

JAR=operator/target/backstop.jar
# The project version is the parent pom's own <version> (the first one in the file).
VERSION=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
[ -n "$VERSION" ] || { echo "[image] cannot read the project version from pom.xml" >&2; exit 1; }
[ -f "$JAR" ] || { echo "[image] $JAR is missing: run \`make build\` first" >&2; exit 1; }

BOOKWORM_PACKAGES=(openjdk-17-jre-headless openssh-client tini ca-certificates)
TRIXIE_PACKAGES=(docker-cli docker-compose)
# Files taken from the trixie packages: the client and the Compose plugin, nothing else.
TRIXIE_FILES=(./usr/bin/docker ./usr/libexec/docker/cli-plugins/docker-compose)
OPERATOR_UID=65532
# Bump when the way the base is assembled changes, so that cached bases are not reused.
BASE_RECIPE=2
BASE_KEY=$(printf '%s\n' "$BASE_RECIPE" "${BOOKWORM_PACKAGES[@]}" "${TRIXIE_PACKAGES[@]}" \
  "${TRIXIE_FILES[@]}" "$OPERATOR_UID" | sha256sum | cut -c1-12)
BASE=backstop-base:$BASE_KEY

# Temporary directories, removed however the script ends.
temps=()
trap 'rm -rf "${temps[@]}"' EXIT

install_debootstrap() {
  command -v debootstrap >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ] || ! grep -q 'ID=debian' /etc/os-release 2>/dev/null; then
    echo "[image] debootstrap is missing; install it (Debian: apt-get install debootstrap) and rerun" >&2
    exit 1
  fi
  log "installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

# Downloads trixie's docker-cli and docker-compose with a private apt configuration (its own
# source list, lists and empty dpkg status) so that the host's apt setup is neither needed nor
# touched, then unpacks only the two binaries into the rootfs.
add_trixie_binaries() {
  local root=$1 work=$2
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
  : >"$work/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    >"$work/sources.list"
  local apt=(apt-get -qq -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
    -o Dir::State::Lists="$work/lists" -o Dir::State::status="$work/status"
    -o Dir::Cache="$work/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  "${apt[@]}" update
  (cd "$work/debs" && "${apt[@]}" download "${TRIXIE_PACKAGES[@]}")
  for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$work/unpacked"
    # Recorded in the image, since dpkg's database does not know these two.
    dpkg-deb -f "$deb" Package Version | paste -sd' ' >>"$root/usr/share/backstop-trixie-binaries"
  done
  for f in "${TRIXIE_FILES[@]}"; do
    [ -x "$work/unpacked/$f" ] || { echo "[image] $f not found in ${TRIXIE_PACKAGES[*]}" >&2; exit 1; }
    install -D -m 0755 "$work/unpacked/$f" "$root/$f"
  done
}

build_base() {
  install_debootstrap
  local root work start=$SECONDS
  root=$(mktemp -d) work=$(mktemp -d)
  temps+=("$root" "$work")
  log "debootstrap bookworm with ${BOOKWORM_PACKAGES[*]} (a few minutes)"
  local includes; includes=$(IFS=,; echo "${BOOKWORM_PACKAGES[*]}")
  debootstrap --variant=minbase --include="$includes" bookworm "$root" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  log "adding the docker CLI and Compose v2 from trixie"
  add_trixie_binaries "$root" "$work"
  # What an image never reads: docs, manuals, locales, apt's lists and downloaded packages.
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/usr/share/lintian "$root"/var/cache/apt/* \
    "$root"/var/lib/apt/lists/* "$root"/var/log/* "$root"/var/cache/debconf/*-old
  # A passwd entry for the operator user: ssh refuses to run for a uid without one, and it (like
  # Java's user.home) takes the home directory from here, not from $HOME.
  echo "backstop:x:$OPERATOR_UID:$OPERATOR_UID:Backstop operator:/home/backstop:/usr/sbin/nologin" >>"$root/etc/passwd"
  echo "backstop:x:$OPERATOR_UID:" >>"$root/etc/group"
  mkdir -p "$root/home/backstop" "$root/var/lib/backstop" "$root/opt/backstop"
  chown "$OPERATOR_UID:$OPERATOR_UID" "$root/home/backstop" "$root/var/lib/backstop"
  chmod 0750 "$root/home/backstop" "$root/var/lib/backstop"
  local replaced; replaced=$(docker image inspect -f '{{.Id}}' "$BASE" 2>/dev/null || true)
  tar -C "$root" -c . | docker import \
    -c 'ENV LANG=C.UTF-8' \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$BASE" >/dev/null
  log "imported $BASE in $((SECONDS - start)) s"
  # REBUILD=1 retags the same key; the old base goes once no image is built on it (rmi refuses).
  if [ -n "$replaced" ]; then docker rmi "$replaced" >/dev/null 2>&1 || true; fi
}

if docker image inspect "$BASE" >/dev/null 2>&1 && [ "${REBUILD:-0}" != 1 ]; then
  log "$BASE present"
else
  build_base
fi

ctx=$(mktemp -d)
temps+=("$ctx")
cp "$JAR" "$ctx/backstop.jar"
jvm_json=$(for o in $(cat "$(dirname "$0")/jvm-options"); do printf '"%s", ' "$o"; done)
cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $BASE
COPY backstop.jar /opt/backstop/backstop.jar
# HOME matches the passwd entry. The three writable places are volumes, so that even a bare
# \`docker run --read-only\` works.
ENV HOME=/home/backstop
VOLUME ["/var/lib/backstop", "/home/backstop", "/tmp"]
USER $OPERATOR_UID:$OPERATOR_UID
WORKDIR /var/lib/backstop
EXPOSE 8080
LABEL org.opencontainers.image.title="backstop" org.opencontainers.image.version="$VERSION"
# tini reaps the docker, compose and ssh children and passes SIGTERM on to the JVM; the heap is
# capped by the container's memory limit and otherwise sized as the launchers size it
# (scripts/jvm-options); JAVA_TOOL_OPTIONS adds to or overrides these.
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-XX:MaxRAMPercentage=75", $jvm_json "-jar", "/opt/backstop/backstop.jar"]
CMD ["operator"]
DOCKERFILE
previous=$(docker image inspect -f '{{.Id}}' backstop:dev 2>/dev/null || true)
# Output only on failure: the legacy builder's deprecation notice is noise here.
if ! out=$(DOCKER_BUILDKIT=0 docker build -q -t "backstop:$VERSION" -t backstop:dev "$ctx" 2>&1); then
  echo "$out" >&2; exit 1
fi
# Every new jar makes a new image; the one it replaced would linger untagged. A container that
# still uses it keeps it (rmi refuses), which is what should happen.
current=$(docker image inspect -f '{{.Id}}' backstop:dev)
if [ -n "$previous" ] && [ "$previous" != "$current" ] \
    && [ -z "$(docker image inspect -f '{{join .RepoTags ","}}' "$previous" 2>/dev/null)" ]; then
  docker rmi "$previous" >/dev/null 2>&1 || true
fi
log "built backstop:$VERSION and backstop:dev ($(docker image inspect -f '{{.Size}}' backstop:dev | awk '{printf "%d MB", $1/1000/1000}'))"
