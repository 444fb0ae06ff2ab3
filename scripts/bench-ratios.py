#!/usr/bin/env python3
"""Print criterion medians and their ratios to a baseline measured in the same run.

Usage: scripts/bench-ratios.py GROUP BASELINE [--per N]
Reads <target>/criterion/GROUP/<function>/<parameter>/new/estimates.json (or
<target>/criterion/GROUP/<function>/new/estimates.json without parameters), where <target>
is cargo's target directory (`cargo metadata`, so CARGO_TARGET_DIR is honoured), and prints a
Markdown table: function, parameter, median, ratio to BASELINE at the same parameter.
"""
import glob
import json
import os
import subprocess
import sys


def target_directory():
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(meta)["target_directory"]


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    group, baseline = sys.argv[1], sys.argv[2]
    root = os.path.join(target_directory(), "criterion", group)
    medians = {}
    for path in glob.glob(os.path.join(root, "**", "new", "estimates.json"), recursive=True):
        rel = os.path.relpath(os.path.dirname(os.path.dirname(path)), root).split(os.sep)
        function, param = rel[0], "/".join(rel[1:])
        with open(path) as f:
            medians[(function, param)] = json.load(f)["median"]["point_estimate"]
    if not medians:
        sys.exit(f"no criterion results under {root}")
    print(f"| function | parameter | median | ratio to `{baseline}` |")
    print("| --- | --- | --- | --- |")
    params = sorted({p for _, p in medians}, key=lambda p: (len(p), p))
    for param in params:
        base = medians.get((baseline, param))
        for (function, p), median in sorted(medians.items()):
            if p != param:
                continue
            ratio = f"{median / base:.2f}x" if base else "n/a"
            print(f"| {function} | {param or '-'} | {fmt(median)} | {ratio} |")


if __name__ == "__main__":
    main()
