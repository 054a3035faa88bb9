#!/usr/bin/env bash
# Runs every benchmark of docs/benchmarks.md and prints their figures. Measured 2026-12-03 on the 2-core machine
# with no bench-profile build yet: 23.5 min in all = 9.5 min building + 6.3 min rebuilding for benches whose
# package selection unifies features differently + 7.7 min of benches (overhead 43 s, model parse 2 s, client
# figures 108 s of which the rate-budget part is ~103 s by design, plugin speed 10 s, sim throughput 3 s, soak
# ~5 min). A second run reuses every artifact, so it takes about the bench time.
#
# Knobs (environment): BENCH_RATE_CREATES (600), BENCH_RATE_TASKS (32), BENCH_RATE_BURST (client default),
# SOAK_CASES (300), SOAK_CONCURRENCY (8). Logs go to target/bench-logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

logs=target/bench-logs
mkdir -p "$logs"
started=$SECONDS

echo "== machine"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc: $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
free -h | sed -n 1,2p
echo "rustc: $(rustc --version)"

echo "== build (bench profile)"
cargo bench --locked -p halo-model -p halo-api -p halo-sim -p haloitsm-plugin --no-run 2>&1 | tail -3

run() {
    local name=$1
    shift
    local t0=$SECONDS
    echo "== $name: $*"
    if ! "$@" >"$logs/$name.log" 2>&1; then
        echo "!! $name failed; see $logs/$name.log"
        tail -20 "$logs/$name.log"
        return 1
    fi
    grep -E '^(BENCH|cold run|http get_ticket|halo-sim throughput|baseline|Ticket|ListEnvelope|\| )|time: ' "$logs/$name.log" || true
    echo "   ($((SECONDS - t0)) s)"
}

status=0
run overhead cargo bench --locked -p halo-api --bench overhead || status=1
run model_parse cargo bench --locked -p halo-model --bench parse || status=1
run client_figures cargo bench --locked -p halo-api --bench client_figures || status=1
run plugin_speed cargo bench --locked -p haloitsm-plugin --bench speed || status=1
run sim_throughput cargo bench --locked -p halo-sim --bench throughput || status=1
run soak cargo bench --locked -p haloitsm-plugin --bench soak || status=1

echo "== done in $((SECONDS - started)) s (logs in $logs/)"
exit $status
