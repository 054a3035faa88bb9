#!/usr/bin/env bash
# Regenerate plugin/help.md from plugin/plugin.spec.yaml with Rapid7's insight-plugin generator.
# Usage: tools/gen_help.sh [--check] [plugin dir]
#   --check  fail (exit 1, with a diff) if the committed help.md differs from a fresh generation.
# Creates tools/.venv-help on first use (PyPI needed once); later runs reuse it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK=""
PLUGIN_DIR="$ROOT/plugin"
for arg in "$@"; do
  case "$arg" in
    --check) CHECK="--check" ;;
    *) PLUGIN_DIR="$arg" ;;
  esac
done
VENV="$ROOT/tools/.venv-help"
STAMP="$VENV/.installed-insight-plugin-1.11.0"
if [ ! -f "$STAMP" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "insight-plugin==1.11.0"
  touch "$STAMP"
fi
exec "$VENV/bin/python" "$ROOT/tools/gen_help.py" "$PLUGIN_DIR" $CHECK
