#!/usr/bin/env bash
# Renders every generated diagram with the real renderers: the Mermaid ones with the npm
# package `mermaid` in headless Chromium, the DOT ones with Graphviz's `dot`. Installs what
# it needs (Debian's chromium and graphviz, mermaid and playwright-core from npm) and fails
# if any diagram does not render.
#
#   bash scripts/render-check.sh            # output in <cargo's target dir>/render-check/
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
out="$target_dir/render-check"
mkdir -p "$out"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v dot > /dev/null || ! command -v chromium > /dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium graphviz > /dev/null
fi
if [ ! -d "$out/node_modules/mermaid" ] || [ ! -d "$out/node_modules/playwright-core" ]; then
  # mermaid 12 needs Node 22; the machine has Node 20.
  (cd "$out" && npm init -y > /dev/null && npm install --silent --no-audit --no-fund mermaid@11 playwright-core@1)
fi
cp scripts/render-mermaid.mjs "$out/"

cargo build --release --quiet --package nectar-lifecycle-models --bin lifecycle
lifecycle="$target_dir/release/lifecycle"
for format in mermaid dot; do
  ext=$([ "$format" = mermaid ] && echo mmd || echo dot)
  "$lifecycle" diagram --rules documented --format "$format" > "$out/connection-documented.$ext"
  "$lifecycle" diagram --rules operational --format "$format" > "$out/connection-operational.$ext"
  "$lifecycle" diagram --overlays --format "$format" > "$out/connection-overlays.$ext"
  "$lifecycle" diagram --accounts --format "$format" > "$out/account-lifecycle.$ext"
  "$lifecycle" diagram --accounts --overlays --format "$format" > "$out/account-overlays.$ext"
done

for file in "$out"/*.dot; do
  dot -Tsvg "$file" -o "${file%.dot}.svg"
  echo "ok      $file (graphviz $(wc -c < "${file%.dot}.svg") bytes of SVG)"
done
(cd "$out" && node render-mermaid.mjs ./*.mmd)
