# Shared by the soak tests (sourced after common.sh): a config with one
# connection per vendor on the running portal-sim, their secrets in the
# keyring, and a runner that bounds each command in time and checks what
# every soak requires of it.
#   soak_config              writes $SOAK_CFG for $SIM_URL, stores the secrets
#   soak_run NAME CMD...     runs portalctl CMD... (60 s at most); sets SOAK_RC,
#                            SOAK_MS, SOAK_ERR; fails on a hang, a sanitizer
#                            report, an exit status other than 0, 4 or 5, or
#                            an unclear failure (no "portalctl: " message, or
#                            control characters in it)
SOAK_CFG="$TEST_TMP/soak.ini"

soak_config() {
    cat >"$SOAK_CFG" <<INI
[connection soak-ec]
vendor = ecgrid
url = $SIM_URL

[connection soak-zo]
vendor = zoho
client_id = sim-zoho-client
url = $SIM_URL
accounts_url = $SIM_URL

[connection soak-vs]
vendor = valstorm
url = $SIM_URL
INI
    printf 'sim-ecgrid-netadmin\n' | "$PORTALCTL_BIN" --config "$SOAK_CFG" auth set soak-ec 2>/dev/null
    printf 'sim-zoho-secret\nsim-zoho-refresh\n' |
        "$PORTALCTL_BIN" --config "$SOAK_CFG" auth set soak-zo 2>/dev/null
    printf 'sim-valstorm-admin\n' | "$PORTALCTL_BIN" --config "$SOAK_CFG" auth set soak-vs 2>/dev/null
}

soak_run() {
    local name=$1; shift
    SOAK_ERR="$TEST_TMP/$name.err"
    local start; start=$(date +%s%N)
    SOAK_RC=0
    timeout -k 5 60 "$PORTALCTL_BIN" --config "$SOAK_CFG" "$@" >"$TEST_TMP/$name.out" \
        2>"$SOAK_ERR" || SOAK_RC=$?
    SOAK_MS=$(( ($(date +%s%N) - start) / 1000000 ))
    (( SOAK_RC != 124 && SOAK_RC != 137 )) || fail "$name: portalctl $* hung (killed after 60 s)"
    if grep -q -E 'Sanitizer|runtime error' "$SOAK_ERR"; then
        cat "$SOAK_ERR" >&2; fail "$name: sanitizer report"
    fi
    case $SOAK_RC in
    0 | 4 | 5) ;;
    *) cat "$SOAK_ERR" >&2; fail "$name: exit status $SOAK_RC (crash or undocumented)" ;;
    esac
    if (( SOAK_RC != 0 )); then
        grep -q '^portalctl: ..........' "$SOAK_ERR" || { cat "$SOAK_ERR" >&2; fail "$name: failed without a message"; }
        ! LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]' "$SOAK_ERR" || fail "$name: control characters in the message"
    fi
    return 0
}
