#!/usr/bin/env bash
# Builds the images the tests and the demo run, without a registry: `busybox:1.36` from Debian's
# static busybox. Dockerfiles that say `FROM busybox:1.36` then resolve locally, and the same
# files work unchanged for a user who pulls the real image from Docker Hub.
set -euo pipefail
tag=busybox:1.36
if docker image inspect "$tag" >/dev/null 2>&1 && [ "${REBUILD:-0}" != 1 ]; then
  echo "[images] $tag present"; exit 0
fi
ctx=$(mktemp -d); trap 'rm -rf "$ctx"' EXIT
cp "$(readlink -f /bin/busybox)" "$ctx/busybox"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh"]
DOCKERFILE
DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" >/dev/null
echo "[images] built $tag from $(readlink -f /bin/busybox)"
