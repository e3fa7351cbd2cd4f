#!/usr/bin/env bash
# Installs the jar and two launchers: `backstop` and `kubectl-backstop` (found by kubectl as the
# `kubectl backstop` plugin). Usage: install.sh JAR PREFIX. PREFIX/lib/backstop holds the jar.
set -euo pipefail
jar=$1
prefix=${2:-/usr/local}
lib="$prefix/lib/backstop"
bin="$prefix/bin"
[ -f "$jar" ] || { echo "no $jar: run make build first" >&2; exit 1; }
install -d "$lib" "$bin"
install -m 0644 "$jar" "$lib/backstop.jar"
launcher() { # name, extra java options
  cat > "$bin/$1" <<SH
#!/bin/sh
# Installed by Backstop's make install.
exec "\${JAVA:-java}" $2 -jar "$lib/backstop.jar" "\$@"
SH
  chmod 0755 "$bin/$1"
}
launcher backstop ""
launcher kubectl-backstop "-Dbackstop.program=kubectl-backstop"
echo "installed $bin/backstop, $bin/kubectl-backstop and $lib/backstop.jar"
