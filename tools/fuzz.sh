#!/usr/bin/env bash
# Builds and runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60).
#
#   tools/fuzz.sh [SECONDS] [TARGET...]
#
# Each run is bounded: -max_len (inputs up to 64 KiB), -timeout (one input may take at most 10 s: a hang is a
# failure) and -rss_limit_mb (2 GiB: unbounded allocation is a failure). The committed seeds in
# fuzz/corpus/<target>/ are copied into a scratch corpus under fuzz/target/ (so runs never grow the committed
# corpus), together with seeds taken from the tests' own fixtures: every insta snapshot's JSON (the write types'
# shapes, the plugin's envelopes) for model_read_types and error_body, the plugin's `sample` message of every
# action and trigger for plugin_message, and ../shared/halo/fixtures when present. Exits non-zero when any
# target crashes, hangs or runs out of memory, leaving the input in fuzz/artifacts/<target>/ (after running the
# remaining targets); turn it into a regression unit test in the owning crate.
#
# Longer local runs: `tools/fuzz.sh 3600 plugin_message`; extra libFuzzer flags via FUZZ_ARGS="-jobs=2".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fuzz"

seconds="${1:-60}"
shift || true
case "$seconds" in '' | *[!0-9]*) echo "usage: tools/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2 ;; esac

toolchain="${FUZZ_TOOLCHAIN:-nightly}"
if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    echo "fuzz: the $toolchain toolchain is required (rustup toolchain install $toolchain)" >&2
    exit 2
fi
if ! cargo +"$toolchain" fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz 0.13.2"
    cargo install --locked cargo-fuzz@0.13.2
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +"$toolchain" fuzz list)
fi

shared="$root/../shared/halo/fixtures"

# Seeds from the tests' fixtures (see above), written into the scratch corpus $2 for target $1.
seed_from_tests() {
    local target=$1 dir=$2 n=0
    case "$target" in
        model_read_types | error_body)
            for snap in "$root"/crates/*/tests/snapshots/*.snap "$root"/bins/*/tests/snapshots/*.snap; do
                [ -f "$snap" ] || continue
                # An insta file is a YAML header between two `---` lines, then the value.
                awk 'f; /^---$/ { c++; if (c == 2) f = 1 }' "$snap" >"$dir/snap-$(basename "$snap" .snap).json"
                n=$((n + 1))
            done
            ;;
        plugin_message)
            local bin="$root/target/debug/haloitsm-plugin"
            (cd "$root" && cargo build --locked -q -p haloitsm-plugin)
            for name in $("$bin" info | sed -n 's/^└── \([a-z_]*\) (.*/\1/p'); do
                "$bin" sample "$name" >"$dir/sample-$name.json"
                n=$((n + 1))
            done
            ;;
    esac
    echo "fuzz: $n seeds for $target from the tests' fixtures"
}

status=0
for t in "${targets[@]}"; do
    printf '\n==> fuzz %s for %ss (%s)\n' "$t" "$seconds" "$(date -u +%H:%M:%S)"
    cargo +"$toolchain" fuzz build --release "$t"
    work="target/corpus/$t"
    rm -rf "$work"
    mkdir -p "$work"
    if [ -d "corpus/$t" ]; then cp -R "corpus/$t/." "$work/"; fi
    seed_from_tests "$t" "$work"
    extra=()
    if [ -d "$shared" ] && [ "$t" = model_read_types ]; then extra+=("$shared"); fi
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags.
    if ! cargo +"$toolchain" fuzz run --release "$t" "$work" "${extra[@]}" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=2048 -print_final_stats=1 ${FUZZ_ARGS:-}; then
        echo "fuzz: $t FAILED; reproducer(s) in fuzz/artifacts/$t/" >&2
        status=1
    fi
done
exit "$status"
