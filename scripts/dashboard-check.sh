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
source scripts/tools.sh
out=$(work_dir dashboard-check)
apt_ensure chromium nodejs npm -- chromium node
npm_ensure "$out" playwright-core@1

rm -rf "$out/screenshots"
NECTAR_BROWSER_TEST=required cargo test --package nectar-receiver --test browser -- --nocapture
echo "screenshots: $out/screenshots/"
ls -l "$out/screenshots/"
