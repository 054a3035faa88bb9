#!/usr/bin/env bash
# Supply-chain checks: cargo-audit and cargo-deny (advisories, bans, licenses, sources).
# Offline against ../shared/advisory-db.tar.gz when it exists; otherwise against the network database.
# Fails on any vulnerability, unmaintained, unsound or yanked crate.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
shared="${HALO_SHARED_DIR:-$root/../shared}"

ensure_tool() { # ensure_tool BINARY CRATE@VERSION
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "installing $2 (not on PATH)"
        cargo install --locked "$2"
    fi
}
ensure_tool cargo-audit cargo-audit@0.22.2
ensure_tool cargo-deny cargo-deny@0.20.2

# cargo-deny --offline runs `cargo metadata --offline`: every crate of every target must be downloaded.
cargo fetch --locked

if [ -f "$shared/advisory-db.tar.gz" ]; then
    echo "advisory database: $shared/advisory-db.tar.gz (offline)"
    work="$root/target/advisory-work"
    rm -rf "$work" && mkdir -p "$work"
    tar -xzf "$shared/advisory-db.tar.gz" -C "$work"
    # cargo-audit reads a plain directory.
    cargo audit --db "$work/advisory-db" --no-fetch -D warnings
    # cargo-deny wants a git repository at <db-path>/advisory-db-<hash of the default URL>.
    dbs="$root/target/advisory-dbs"
    db="$dbs/advisory-db-3157b0e258782691"
    rm -rf "$dbs" && mkdir -p "$dbs"
    cp -r "$work/advisory-db" "$db"
    git -C "$db" init -q
    git -C "$db" add -A
    git -C "$db" -c user.name=ci -c user.email=ci@example.invalid commit -qm "rustsec advisory-db snapshot"
    cargo deny --offline check advisories bans licenses sources
else
    echo "no $shared/advisory-db.tar.gz: using the network advisory database"
    cargo audit -D warnings
    cargo deny check advisories bans licenses sources
fi
