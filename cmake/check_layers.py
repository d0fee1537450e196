#!/usr/bin/env python3
"""Checks every `#include "…"` under src/ against the layer table (cmake/layers.txt).

usage: check_layers.py SRC_DIR TABLE [STAMP]

A file's layer is its first folder under SRC_DIR (a file directly in SRC_DIR is `main`). An
include may name a header of the file's own layer or of a layer its table row lists. Fails
(exit 1, one line per problem) on: an include the table does not allow, an include naming no
layer, a folder with no row, a row naming a layer not listed above it (a cycle or an upward
edge), and a table entry no include uses. Writes STAMP when everything holds (the build's
check step).
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_table(path, problems):
    order, deps = [], {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            layer, _, rest = line.partition(":")
            layer = layer.strip()
            below = rest.split()
            for d in below:
                if d not in deps:
                    problems.append(f"{path}:{n}: {layer} names {d}, which is not a layer listed "
                                    f"above it (the table lists layers lowest first; an edge "
                                    f"upward would make a cycle)")
            order.append(layer)
            deps[layer] = set(below)
    return order, deps


def layer_of(rel):
    parts = rel.split("/")
    return parts[0] if len(parts) > 1 else "main"


def check(src, table):
    problems = []
    order, deps = read_table(table, problems)
    used = set()
    for entry in sorted(os.listdir(src)):
        if os.path.isdir(os.path.join(src, entry)) and entry not in deps:
            problems.append(f"src/{entry}/: folder has no row in {table}; add it as a layer")
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            mine = layer_of(rel)
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    if os.path.exists(os.path.join(root, inc)) and "/" not in inc:
                        continue  # beside the file: same folder, same layer
                    target = inc.split("/", 1)[0] if "/" in inc else None
                    if target not in deps or target == "main":
                        problems.append(f"src/{rel}:{n}: #include \"{inc}\" names no layer "
                                        f"(write it from src/, e.g. \"common/status.h\")")
                    elif target != mine and target not in deps.get(mine, ()):
                        problems.append(f"src/{rel}:{n}: #include \"{inc}\": layer {mine} may "
                                        f"not use {target} ({table} row `{mine}:` allows: "
                                        f"{' '.join(sorted(deps.get(mine, ()))) or 'nothing'})")
                    else:
                        used.add((mine, target))
    for layer in order:
        for d in sorted(deps[layer]):
            if (layer, d) not in used:
                problems.append(f"{table}: {layer} lists {d} but no file in src/{layer} includes "
                                f"it; remove the entry so the table stays the real graph")
    return problems


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(sys.argv[1], sys.argv[2])
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"layers: {len(problems)} problem(s); see {sys.argv[2]}", file=sys.stderr)
        return 1
    if len(sys.argv) == 4:
        with open(sys.argv[3], "w", encoding="utf-8") as f:
            f.write("ok\n")
    print("layers: every include follows the table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
