#!/usr/bin/env bash
# Renders every committed generated diagram with the real renderers, and fails if any does
# not render: the DOT files with Graphviz's `dot` (a warning counts as a failure), the
# Mermaid files with the npm package `mermaid` in headless Chromium. Every SVG is then
# screenshotted to a PNG next to it, to be looked at. Installs what it needs (Debian's
# chromium and graphviz, mermaid and playwright-core from npm).
#
#   bash scripts/render-check.sh     # output in <cargo's target dir>/render-check/
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
out=$(work_dir render-check)
apt_ensure chromium graphviz -- dot chromium
# mermaid 12 needs Node 22; the machine has Node 20.
npm_ensure "$out" mermaid@11 playwright-core@1
cp scripts/render-mermaid.mjs "$out/"

# The generated diagrams, as committed (`cargo xtask generate` writes them).
mapfile -t mermaid < <(ls docs/diagrams/*.mmd core/doc/*.mmd)
mapfile -t graphviz < <(ls docs/diagrams/*.dot)
if [ "${#mermaid[@]}" = 0 ] || [ "${#graphviz[@]}" = 0 ]; then
  echo "no generated diagrams found; run \`cargo xtask generate\`" >&2
  exit 1
fi

failed=0
svgs=()
for file in "${graphviz[@]}"; do
  svg="$out/$file.svg"
  mkdir -p "$(dirname "$svg")"
  if dot -Tsvg "$file" -o "$svg" 2> "$out/dot-stderr" && [ ! -s "$out/dot-stderr" ]; then
    echo "ok      $file (graphviz, $(wc -c < "$svg") bytes of SVG)"
    svgs+=("$svg")
  else
    echo "FAILED  $file: $(cat "$out/dot-stderr")" >&2
    failed=1
  fi
done
node "$out/render-mermaid.mjs" "$out" "${mermaid[@]}" "${svgs[@]}" || failed=1
exit "$failed"
