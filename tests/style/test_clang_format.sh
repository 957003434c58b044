# Every C file of the project is laid out as .clang-format says (the style
# is checked, not argued about in review). scripts/bootstrap installs
# Debian 12's clang-format (14), the version the files were formatted with.
source "$(dirname "$0")/../lib/common.sh"

if ! command -v clang-format >/dev/null; then
    fail "clang-format is not installed (scripts/bootstrap installs it)"
fi
cd "$PORTALCTL_SOURCE_DIR"
mapfile -t files < <(find src include tests fuzz -name '*.[ch]' | sort)
expect_eq 1 "$((${#files[@]} > 100))" "C files found (${#files[@]})"
rc=0
clang-format --dry-run -Werror "${files[@]}" >"$TEST_TMP/format.out" 2>&1 || rc=$?
if ((rc != 0)); then
    grep 'error:' "$TEST_TMP/format.out" | cut -d: -f1 | sort -u | sed 's/^/  not formatted: /' >&2
    fail "clang-format -i on the files above (see .clang-format)"
fi
echo "clang-format: ${#files[@]} files as .clang-format says"
