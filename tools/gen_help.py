"""Generate plugin/help.md from plugin/plugin.spec.yaml with Rapid7's own generator
(insight-plugin's create_help_md, the code `insight-plugin create/refresh` runs; no docker needed).

usage: gen_help.py <plugin dir> [--check]
--check: exit 1 (with a diff) when the committed help.md differs from a fresh generation.
"""

import difflib
import logging
import os
import shutil
import sys
import tempfile

import yaml
from insight_plugin.features.create.util import create_help_md


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    check = "--check" in sys.argv[1:]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    plugin_dir = os.path.abspath(args[0])
    logging.disable(logging.INFO)
    with open(os.path.join(plugin_dir, "plugin.spec.yaml")) as f:
        spec = yaml.safe_load(f)
    tmp = tempfile.mkdtemp(prefix="gen-help-")
    try:
        create_help_md(spec, tmp)
        with open(os.path.join(tmp, "help.md")) as f:
            fresh = f.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    target = os.path.join(plugin_dir, "help.md")
    current = open(target).read() if os.path.exists(target) else ""
    if check:
        if current == fresh:
            print("help.md is up to date")
            return 0
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), fresh.splitlines(True),
                                                   "help.md (committed)", "help.md (generated)"))
        print("\nhelp.md differs from a fresh generation: run tools/gen_help.sh and commit plugin/help.md")
        return 1
    if current != fresh:
        with open(target, "w") as f:
            f.write(fresh)
        print(f"wrote {target}")
    else:
        print("help.md unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
