#!/usr/bin/env bash
# Creates the demo's git repository: tags v1 (healthy), v2 (its /health is gone, so the
# healthcheck fails), v3 (fixed). Usage: make-repo.sh DIR
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
repo=${1:?usage: make-repo.sh DIR}
rm -rf "$repo"; mkdir -p "$repo"
cp -r "$src/compose.yaml" "$src/www" "$repo/"
cd "$repo"
git init -q -b main
git config user.email demo@backstop.dev; git config user.name "Backstop demo"
git add -A; git commit -qm "v1: healthy"; git tag v1
echo v2 > www/version; git rm -q www/health
git commit -qam "v2: drops /health (broken)"; git tag v2
echo v3 > www/version; echo ok > www/health; git add -A
git commit -qm "v3: /health is back"; git tag v3
echo "demo repository at $repo: $(git tag | tr '\n' ' ')"
