# Smoke version of the benchmark suite (bench/run.sh): 20,000 users per
# vendor instead of 100,000, under whatever build ctest runs (the sanitizer
# build in CI). It fails only on a gross regression: every bound is 10x the
# target of docs/PERFORMANCE.md scaled to 20,000 users, then x3 for ASan+UBSan
# and a loaded 2-core machine. CPU time (user+sys) is bounded rather than wall
# time, and frame times by their median, so other work on the machine does
# not make it flaky.
source "$(dirname "$0")/../lib/common.sh"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/../../bench/lib.sh"

USERS=20000
start_sim --seed-users "$USERS"
cfg="$TEST_TMP/config.ini"
sim_connections_ini "$SIM_URL" s >"$cfg"
store_sim_credentials s pc

# users list --json: 1.5 s per 100,000 -> 0.3 s per 20,000; x10 x3 = 9 s of CPU.
# Peak RSS: 3x the JSON received; x10 x2 = 60x (ASan's shadow memory and quarantine).
for pair in ecgrid:101:20005 zoho:CustomerHub:20003 valstorm:portal_demo1:20003; do
    IFS=: read -r vendor portal want <<<"$pair"
    /usr/bin/time -f '%U %S %M' -o "$TEST_TMP/time" "$PORTALCTL_BIN" --config "$cfg" \
        users list "s-$vendor" --portal "$portal" --json >"$TEST_TMP/users.json" 2>/dev/null
    expect_eq "$want" "$(jq length "$TEST_TMP/users.json")" "$vendor: users listed"
    read -r user sys rss_kb <"$TEST_TMP/time"
    bytes=$(wc -c <"$TEST_TMP/users.json") # the printed JSON: a floor for what was received
    cpu_ok=$(echo "$user + $sys < 9" | bc -l)
    rss_ok=$(echo "$rss_kb * 1024 < 60 * $bytes" | bc -l)
    echo "$vendor: cpu=$user+$sys s peak_rss=${rss_kb} kB json_out=$bytes B"
    expect_eq 1 "$cpu_ok" "$vendor: CPU time under 9 s"
    expect_eq 1 "$rss_ok" "$vendor: peak RSS under 60x the JSON"
done

# The console: the real code on a virtual terminal, keys replayed (--bench).
# Medians, x10 the targets, x3 for the sanitizers: first frame after the data
# 1.5 s, a scroll key 30 ms, a filter keystroke 150 ms, start 1.5 s.
script="$TEST_TMP/smoke.bench"
cat >"$script" <<'BENCH'
size 40 160
start
open s-ecgrid
wait
select 101
key <Enter>
wait
key j 300
key <PgDn> 100
key /
type 4242
key <Backspace> 4
BENCH
pc --bench "$script" >"$TEST_TMP/bench.out"
cat "$TEST_TMP/bench.out"
p50() { awk -v step="$1" '$1 == "bench" && $2 == step {sub("p50_ms=", "", $4); print $4}' \
    "$TEST_TMP/bench.out" | tail -1; }
under() { [[ -n "$2" ]] && [[ $(echo "$2 < $3" | bc -l) == 1 ]] || fail "$1: ${2:-missing} ms, bound $3 ms"; }
grep -q 'jobs_in_flight_at_first_frame=0' "$TEST_TMP/bench.out" || fail "a request before the first frame"
under "start to first frame" "$(p50 start:to-first-frame)" 1500
under "data to first rows" "$(p50 wait:first-rows-arrival-to-frame)" 1500
under "scroll key" "$(p50 key:j)" 30
under "page key" "$(p50 key:\<PgDn\>)" 30
under "filter keystroke" "$(p50 type:4242)" 150
grep -q "rows=$((USERS + 5))" "$TEST_TMP/bench.out" || fail "the console did not show every user"
stop_sim
echo "ok"
