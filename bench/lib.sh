# shellcheck shell=bash
# Shared by the benchmarks (bench/*.sh) and their CI smoke test
# (tests/bench/test_bench_smoke.sh): a portal-sim to measure against, one
# connection per vendor to it, and the simulator's credentials in the keyring.

# bench_start_sim PORTAL_SIM WORK_DIR [SIM_OPTIONS...]: starts portal-sim on a
# free loopback port; sets sim_pid and url. Stop it with bench_stop_sim.
bench_start_sim() {
    local sim=$1 work=$2 line
    shift 2
    mkfifo "$work/sim-out"
    "$sim" --listen 127.0.0.1:0 "$@" >"$work/sim-out" &
    sim_pid=$!
    read -r line <"$work/sim-out"
    # shellcheck disable=SC2034 # url is for the caller
    url=${line#portal-sim listening on }
}

bench_stop_sim() {
    if [[ -n "${sim_pid:-}" ]]; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
        sim_pid=""
    fi
}

# sim_connections_ini URL PREFIX: a config with PREFIX-ecgrid, PREFIX-zoho and
# PREFIX-valstorm, all three served by the portal-sim at URL.
sim_connections_ini() {
    cat <<INI
[connection $2-ecgrid]
vendor = ecgrid
url = $1

[connection $2-zoho]
vendor = zoho
client_id = sim-zoho-client
url = $1
accounts_url = $1

[connection $2-valstorm]
vendor = valstorm
url = $1
INI
}

# store_sim_credentials PREFIX PORTALCTL...: stores portal-sim's credentials
# for the connections of sim_connections_ini (on stdin, never in argv) and
# adds the Valstorm demo portal to PREFIX-valstorm.
store_sim_credentials() {
    local prefix=$1
    shift
    printf 'sim-ecgrid-netadmin\n' | "$@" auth set "$prefix-ecgrid" 2>/dev/null
    printf 'sim-zoho-secret\nsim-zoho-refresh\n' | "$@" auth set "$prefix-zoho" 2>/dev/null
    printf 'sim-valstorm-admin\n' | "$@" auth set "$prefix-valstorm" 2>/dev/null
    "$@" portals add "$prefix-valstorm" portal_demo1 >/dev/null
}
