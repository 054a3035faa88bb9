# Placeholder: this plugin is a Rust binary (bins/plugin). Rapid7's PrintValidator crashes unless
# icon_<name>/connection/connection.py exists, so this file only exists to be inspected.
