#!/usr/bin/env bash
# The dashboard in a real headless Chromium: installs what the browser test needs (Debian's
# chromium, the npm package playwright-core; never a downloaded browser), then runs it
# (receiver/tests/browser/main.rs, driving scripts/dashboard-check.mjs), required to run:
# a missing tool fails it instead of skipping. A full-page screenshot of each page (the
# sign-in form, the worklist, the end user's tab, a connection) is left in
# <cargo's target dir>/dashboard-check/screenshots/, to be looked at (CI keeps it as an
# artefact).
#
#   bash scripts/dashboard-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
out="$target_dir/dashboard-check"
mkdir -p "$out"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v chromium > /dev/null || ! command -v node > /dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium nodejs npm > /dev/null
fi
if [ ! -d "$out/node_modules/playwright-core" ]; then
  (cd "$out" && npm init -y > /dev/null && npm install --silent --no-audit --no-fund playwright-core@1)
fi

rm -rf "$out/screenshots"
NECTAR_BROWSER_TEST=required cargo test --package nectar-receiver --test browser -- --nocapture
echo "screenshots: $out/screenshots/"
ls -l "$out/screenshots/"
