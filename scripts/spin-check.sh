#!/usr/bin/env bash
# Checks the generated Promela models (docs/promela/*.pml) with SPIN alone and prints pan's
# figures for each; fails if SPIN finds an error. Installs what it needs when it is missing
# (Debian's spin and gcc). The comparison with stateright is the test
# `cargo test -p xtask --test spin`, which needs SPIN installed: run this script first.
#
#   bash scripts/spin-check.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v spin > /dev/null || ! command -v gcc > /dev/null; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq spin gcc > /dev/null
fi
spin -V

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

status=0
for model in "$root"/docs/promela/*.pml; do
    name="$(basename "$model" .pml)"
    mkdir "$work/$name"
    cp "$model" "$work/$name/"
    (
        cd "$work/$name"
        start=$(date +%s%N)
        spin -o3 -a "$name.pml" >/dev/null
        gcc -O0 -w -DSAFETY -DNOREDUCE -o pan pan.c
        ./pan -m1000000 -w22 >pan.out
        end=$(date +%s%N)
        errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.out)
        stored=$(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' pan.out)
        connection=$(grep -cE '"(step_edge|connection_edge) = ' pan.out || true)
        account=$(grep -c '"account_edge = ' pan.out || true)
        ms=$(( (end - start) / 1000000 ))
        # The connection models have no account table; a model without accounts never takes
        # an account edge.
        printf '%-24s errors %s, %s states stored, table edges never taken: %s connection, %s account, %d ms\n' \
            "$name" "$errors" "$stored" "$connection" "$account" "$ms"
        [ "$errors" = 0 ]
    ) || status=1
done
exit $status
