# What the check scripts share (sourced, not run): where their work goes, and installing what
# they need from Debian and npm only when it is missing.
#
#   source scripts/tools.sh
#   out=$(work_dir render-check)             # <cargo's target dir>/render-check, created
#   apt_ensure chromium graphviz -- dot chromium   # packages, then the commands they give
#   npm_ensure "$out" mermaid@11 playwright-core@1

# <cargo's target dir>/NAME, created (CARGO_TARGET_DIR is honoured through cargo metadata).
work_dir() {
  local target_dir
  target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  mkdir -p "$target_dir/$1"
  printf '%s\n' "$target_dir/$1"
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# apt_ensure PACKAGE... -- COMMAND...: installs the packages when one of the commands is
# missing.
apt_ensure() {
  local packages=() missing=0
  while [ "$#" -gt 0 ] && [ "$1" != -- ]; do packages+=("$1"); shift; done
  shift
  local cmd
  for cmd in "$@"; do command -v "$cmd" > /dev/null || missing=1; done
  if [ "$missing" = 1 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" > /dev/null
  fi
}

# npm_ensure DIR PACKAGE@VERSION...: installs the packages into DIR/node_modules when one of
# them is not there yet.
npm_ensure() {
  local dir=$1 missing=0 package
  shift
  for package in "$@"; do
    [ -d "$dir/node_modules/${package%@*}" ] || missing=1
  done
  if [ "$missing" = 1 ]; then
    (cd "$dir" && { [ -f package.json ] || npm init -y > /dev/null; } &&
      npm install --silent --no-audit --no-fund "$@")
  fi
}
