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
exec "\${JAVA:-java}" $2 \${BACKSTOP_JAVA_OPTS:-} -jar "$lib/backstop.jar" "\$@"
SH
  chmod 0755 "$bin/$1"
}
# A daemon of many releases mostly waits: the serial collector, a heap that starts small and gives
# back what it does not use, and C1 only (no C2 compiler thread busy for minutes after start) keep
# `backstop run` at about half the RSS and CPU of the JVM's defaults; a CLI command starts faster.
# BACKSTOP_JAVA_OPTS, read at run time, adds to or overrides these.
jvm="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30"
launcher backstop "$jvm"
launcher kubectl-backstop "$jvm -Dbackstop.program=kubectl-backstop"
echo "installed $bin/backstop, $bin/kubectl-backstop and $lib/backstop.jar"
