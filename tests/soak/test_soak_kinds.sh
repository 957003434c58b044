# Fault soak, one fault kind at a time: portal-sim fails every request
# (--fault-rate 1) with 500, 503, 429, reset, truncate, malformed or slow,
# and the command line lists with each vendor. Every run ends in bounded
# time with a documented exit status (5; 0 for slow answers, which are not
# errors), a message that says what happened, retries bounded (idempotent
# requests only, at most 4 attempts), and no sanitizer report.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/soak_lib.sh"

declare -A said=(
    [500]='HTTP 500|internal error'
    [503]='HTTP 503|not answering'
    [429]='limiting|throttling'
    [reset]='connection lost'
    [truncate]='cut short'
    [malformed]='could not be read|not the JSON'
)
commands=("users list soak-ec" "portals list soak-zo" "users list soak-vs --portal portal_demo1")
runs=0
for kind in 500 503 429 reset truncate malformed slow; do
    start_sim --fault-rate 1 --fault-kinds "$kind" --fault-seed 11
    soak_config
    for c in "${commands[@]}"; do
        before=$(wc -l <"$SIM_LOG")
        # shellcheck disable=SC2086
        soak_run "$kind" $c
        sent=$(( $(wc -l <"$SIM_LOG") - before ))
        if [[ $kind == slow ]]; then
            expect_eq 0 "$SOAK_RC" "exit status of '$c' through slow answers"
        else
            expect_eq 5 "$SOAK_RC" "exit status of '$c' through $kind"
            expect_match "${said[$kind]}" "$(cat "$SOAK_ERR")" "the message for $kind ('$c')"
        fi
        (( sent >= 1 && sent <= 4 )) || fail "'$c' through $kind: $sent requests (retries unbounded?)"
        (( SOAK_MS < 30000 )) || fail "'$c' through $kind took ${SOAK_MS} ms"
        echo "$kind: $c -> exit $SOAK_RC in ${SOAK_MS} ms, $sent requests"
        runs=$((runs + 1))
    done
    stop_sim
done
expect_eq 21 "$runs" "runs"
echo ok
