# CI's share of the fuzzing (docs/RELIABILITY.md, "Fuzzing"): builds every
# libFuzzer target of fuzz/ and runs each briefly (PORTALCTL_FUZZ_SMOKE_SECONDS,
# default 8) from its seed corpus through scripts/fuzz. Fails when a target
# crashes, leaks, trips a sanitizer or breaks one of its invariants, when
# the fuzz build fails, or when a target did not run. Skips (exit 0, says
# why) only when clang is not installed.
source "$(dirname "$0")/../lib/common.sh"

if ! command -v clang >/dev/null; then
    echo "SKIP: clang is not installed, the libFuzzer targets cannot be built" \
         "(scripts/bootstrap installs it)"
    exit 0
fi

# The fuzz build lives next to the build under test, so CI rebuilds only
# what changed; it is separate from a developer's build-fuzz/.
build_dir=$(dirname "$PORTALCTL_BIN")/fuzz-smoke
seconds=${PORTALCTL_FUZZ_SMOKE_SECONDS:-8}
out="$TEST_TMP/fuzz.out"
rc=0
PORTALCTL_FUZZ_BUILD_DIR="$build_dir" PORTALCTL_FUZZ_JOBS=$(nproc) \
    "$PORTALCTL_SOURCE_DIR/scripts/fuzz" "$seconds" \
    >"$out" 2>&1 || rc=$?
cat "$out"
expect_eq 0 "$rc" "scripts/fuzz exit status (see the report above)"

# Every target of fuzz/ ran and executed inputs.
for source in "$PORTALCTL_SOURCE_DIR"/fuzz/fuzz_*.c; do
    name=$(basename "$source" .c)
    name=${name#fuzz_}
    line=$(grep -E "^$name " "$out") || fail "target $name did not run"
    runs=$(awk '{print $2}' <<<"$line")
    ((runs > 0)) || fail "target $name executed no input"
    [[ "$line" == *"no crash" ]] || fail "target $name: $line"
done
echo "fuzz smoke: every target ran ${seconds}s without a crash"
