# Terminal: resize storms. In each screen (main while a slow list loads,
# help, detail, filter, command line, a form with a value typed, the
# question before forgetting it, the preview of a CSV run) the window is resized 40 times in
# quick succession through sizes down to 1×1 and 1×N and N×1; the console
# must not crash, must come back to a whole, correct screen at a usable
# size, must still answer keys, and must restore the terminal at the end.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

start_sim --latency-ms 400
sim_connection_config ecgrid rz-ec "$TEST_TMP/config.ini"

sizes=(1x1 200x60 1x40 150x1 2x2 60x15 59x14 80x24 3x1 1x3 120x40 10x10 300x100 1x1 100x30)
storm() {
    local i
    for i in $(seq 40); do
        local s=${sizes[$((i % ${#sizes[@]}))]}
        ui_tmux resize-window -x "${s%x*}" -y "${s#*x}"
        (( i % 5 == 0 )) && sleep 0.05
    done
    ui_tmux resize-window -x 100 -y 30
}

ui_start 100 30
ui_run "$PORTALCTL_BIN" --config "$cfg" rz-ec
storm # while the portals load slowly
ui_wait_for 'ACME Receiving' "the portals after a storm during loading"
ui_keys Enter
storm # while the users load
ui_wait_for 'Users \(5\)' "the users after a storm"
csv="$TEST_TMP/people.csv"
printf 'login,email\nrz1,rz1@example.com\nrz2,rz2@example.com\n' >"$csv"
for screen in help detail filter command form question csv-preview; do
    leave=(Escape)
    case $screen in
    help) ui_keys '?'; shown='toggle-mouse' ;;
    detail) ui_keys v; shown='› detail' ;;
    filter) ui_keys / a; shown='Enter keep filter' ;;
    command) ui_keys : c o; shown='Tab complete' ;;
    form) ui_keys n; ui_keys -l carol; shown='Login +\[carol'; leave=(Escape y) ;;
    question) ui_keys n; ui_keys -l carol; ui_keys Escape; shown='Forget what you typed'; leave=(y) ;;
    csv-preview) ui_keys I; ui_keys -l "$csv"; ui_keys Enter; shown='people\.csv: 2 rows, 2 to send' ;;
    esac
    ui_wait_for "$shown" "the $screen screen"
    storm
    ui_wait_for "$shown" "the $screen screen after a storm"
    [[ "$(ui_screen)" =~ terminal\ too\ small ]] && fail "still 'too small' at 100×30 ($screen)"
    ui_keys "${leave[@]}"
    ui_wait_for $'› (users|portals) *\n' "back to the main screen after $screen"
done
# Still alive and still listening: move, open the detail, close it, quit.
ui_keys j v
ui_wait_for '› detail' "the detail after all storms"
ui_keys Escape q
ui_wait_exit 0
stop_sim
echo ok
