#!/usr/bin/env bash
# Validate plugin/ with Rapid7's own validators (insightconnect-integrations-validators), offline.
# Usage: tools/validate_plugin.sh [plugin dir]   (default: <repo>/plugin)
# Creates tools/.venv-validators on first use (PyPI needed once); later runs reuse it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PLUGIN_DIR="${1:-$ROOT/plugin}"
VENV="$ROOT/tools/.venv-validators"
# The validators pin jsonschema==2.3.0 (and old setuptools APIs), so they get their own venv.
VALIDATORS="insightconnect-integrations-validators==2.47.35"
SPEC_TOOLING="insightconnect-integrations-plugin-spec-tooling==1.3.2"
STAMP="$VENV/.installed-2.47.35-1.3.2"
if [ ! -f "$STAMP" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "$VALIDATORS" "$SPEC_TOOLING"
  touch "$STAMP"
fi
exec "$VENV/bin/python" "$ROOT/tools/validate_plugin.py" "$PLUGIN_DIR"
