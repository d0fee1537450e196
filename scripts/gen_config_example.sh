#!/bin/sh
# Rewrites dredge.example.toml from the options table (src/config/option_table.cpp).
# Usage: scripts/gen_config_example.sh [path/to/dredge]   (default: build/dredge)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/dredge}
"$bin" --dump-config-example > "$root/dredge.example.toml.tmp"
mv "$root/dredge.example.toml.tmp" "$root/dredge.example.toml"
