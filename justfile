# Task runner for the workspace. `just --list` shows the recipes.
# CI runs `bash .ci/run`, which performs the same steps as `quality-gate`.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Show the recipes.
default:
    @just --list

# The README's test command.
test:
    cargo test --workspace

# Formatting and clippy with warnings denied, as CI runs them.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Supply chain: cargo-audit and cargo-deny, offline against ../shared/advisory-db.tar.gz when present.
deny:
    bash .ci/supply-chain.sh

# Validate the InsightConnect plugin with Rapid7's validators (offline wrapper).
validate-plugin:
    bash tools/validate_plugin.sh

# Regenerate plugin/help.md with Rapid7's generator.
help-md:
    bash tools/gen_help.sh

# Everything CI checks, in CI's order.
quality-gate:
    bash .ci/run

# Benchmarks (figures in docs/benchmarks.md).
bench:
    bash tools/bench.sh

# A longer local fuzz run of every target (SECONDS each).
fuzz seconds="600":
    bash tools/fuzz.sh {{seconds}}

# Build the plugin's Docker image (needs a container engine; see plugin/README.md).
image:
    just --justfile plugin/justfile --working-directory plugin image

# Export the plugin as a .plg for import into InsightConnect (builds the image first).
export:
    just --justfile plugin/justfile --working-directory plugin export
