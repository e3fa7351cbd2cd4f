#!/usr/bin/env bash
# `make demo`: the real reconciler, in local mode, takes a real Compose stack from a real git
# repository to v1, rolls forward to a broken v2, rolls back to v1 by itself, refuses v2 again,
# then rolls forward to a fixed v3. Exits non-zero if any step of that story does not happen.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${DEMO_WORK:-$root/demo-work}
jar=$root/operator/target/backstop.jar
export DEMO_PORT=${DEMO_PORT:-18080}    # where the demo app is published
api_port=${DEMO_API_PORT:-18081}        # Backstop's own /healthz, /metrics, /api/v1/releases
project=backstop-demo

bs() { java -jar "$jar" "$@" --state "$work/state"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { printf '\n\033[31mDEMO FAILED: %s\033[0m\n' "$*"; tail -30 "$work/backstop.log" || true; exit 1; }
now_ms() { date +%s%3N; }
serving() { curl -fsS --max-time 2 "http://127.0.0.1:$DEMO_PORT/version" 2>/dev/null || echo "(nothing)"; }
manifest() {
  cat >"$work/manifests/demo.yaml.tmp" <<YAML
apiVersion: backstop.dev/v1alpha1
kind: StagingRelease
metadata:
  name: demo
spec:
  source:
    url: file://$work/repo
    ref: $1
  compose:
    projectName: $project
  health:
    interval: 2s
    progressDeadline: 60s
  rollback:
    automatic: true
YAML
  mv "$work/manifests/demo.yaml.tmp" "$work/manifests/demo.yaml"   # atomic, as a GitOps sync would be
}

[ -f "$jar" ] || fail "$jar is missing: run 'make build' first"
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  [ -n "${tailer:-}" ] && kill "$tailer" 2>/dev/null || true
  docker compose -p "$project" down -t 1 >/dev/null 2>&1 || true
  docker compose -p "$project-baseline" down -t 1 >/dev/null 2>&1 || true
}
trap cleanup EXIT

rm -rf "$work"; mkdir -p "$work/manifests"
docker compose -p "$project" down -t 1 >/dev/null 2>&1 || true
say "A git repository with three tags (examples/demo-stack)"
"$root/examples/demo-stack/make-repo.sh" "$work/repo"

say "Starting Backstop in local mode (log: $work/backstop.log)"
manifest v1
java -jar "$jar" run --manifests "$work/manifests" --state "$work/state" --port "$api_port" >"$work/backstop.log" 2>&1 &
daemon=$!
# Every status transition, as the daemon logs it, with its timestamp.
tail -n +1 -f "$work/backstop.log" | sed -u 's/^/  | /' &
tailer=$!

say "1. spec.source.ref = v1"
bs wait demo --for phase=Healthy --timeout 120s >/dev/null || fail "v1 never became Healthy"
[ "$(serving)" = v1 ] || fail "the app does not serve v1 (it serves: $(serving))"
echo "app answers: $(serving)"

say "2. spec.source.ref = v2 (its /health is gone)"
t0=$(now_ms)
manifest v2
bs wait demo --for phase=RolledBack --timeout 180s >/dev/null || fail "v2 was not rolled back"
t1=$(now_ms)
[ "$(serving)" = v1 ] || fail "after the rollback the app serves $(serving), not v1"
bs wait demo --for current=v1 --timeout 5s >/dev/null || fail "status.current is not v1"
echo "app answers: $(serving)"
rollback_ms=$((t1 - t0))

say "   ... v2 stays quarantined: Backstop does not deploy it again"
# Several reconciles at the 2 s interval: a loop would show as a second deploy of v2.
sleep 8
deploys_of_v2=$(bs history demo | grep -c '^[^ ]* *Deploy .*v2@' || true)
[ "$deploys_of_v2" = 1 ] || fail "v2 was deployed $deploys_of_v2 times"
bs status demo -o wide

say "3. spec.source.ref = v3 (fixed)"
manifest v3
bs wait demo --for phase=Healthy --timeout 120s >/dev/null || fail "v3 never became Healthy"
bs wait demo --for current=v3 --timeout 5s >/dev/null || fail "status.current is not v3"
[ "$(serving)" = v3 ] || fail "the app does not serve v3 (it serves: $(serving))"
echo "app answers: $(serving)"

kill "$tailer" 2>/dev/null || true; tailer=""
say "History"
bs history demo
bs status demo

say "Baseline: a bare 'docker compose up -d --wait' of v1, same machine, same run"
git -C "$work/repo" worktree add -q "$work/baseline" v1
b0=$(now_ms)
DEMO_PORT=$((DEMO_PORT + 10)) docker compose -p "$project-baseline" --project-directory "$work/baseline" up -d --wait >/dev/null 2>&1 \
  || fail "baseline compose up failed"
b1=$(now_ms)
docker compose -p "$project-baseline" down -t 1 >/dev/null 2>&1 || true

say "Result"
printf 'v2 applied -> stack serving v1 and healthy again: %5.1f s (detect, roll back, verify)\n' "$(echo "$rollback_ms" | awk '{print $1/1000}')"
printf 'bare docker compose up -d --wait of v1:            %5.1f s\n' "$(echo "$((b1 - b0))" | awk '{print $1/1000}')"
echo "The whole story happened: v1 healthy, v2 rolled back and quarantined, v3 healthy."
