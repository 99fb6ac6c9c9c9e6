# shellcheck shell=bash
# tap.sh: minimal TAP producer for the shell tests (sourced, not run).
# Usage: plan N; ok "name" cmd...; is "name" got want; finish.
tap_n=0
tap_fail=0

# plan N: announce the number of tests.
plan() { echo "1..$1"; }

# ok NAME CMD...: pass when CMD succeeds.
ok() {
	local name=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n - $name"
	else
		echo "not ok $tap_n - $name"
		tap_fail=$((tap_fail + 1))
	fi
}

# is NAME GOT WANT: pass when the two strings are equal; show both otherwise.
is() {
	tap_n=$((tap_n + 1))
	if [[ "$2" == "$3" ]]; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		printf '#   got:  %s\n#   want: %s\n' "$2" "$3"
		tap_fail=$((tap_fail + 1))
	fi
}

# like NAME GOT PATTERN: pass when GOT contains PATTERN (a fixed string).
like() {
	tap_n=$((tap_n + 1))
	if [[ "$2" == *"$3"* ]]; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		printf '#   got:  %s\n#   want substring: %s\n' "$2" "$3"
		tap_fail=$((tap_fail + 1))
	fi
}

# skip NAME REASON: a test that cannot run here; the TAP driver counts it as SKIP.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# have_cross: the arm64 cross compiler is on PATH. Without it the tests that
# need it are skipped, unless LAMBDA_REQUIRE_CROSS=1 (CI), where its absence is
# itself a failure (reported by the caller's first test that needs it).
have_cross() {
	command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || [[ ${LAMBDA_REQUIRE_CROSS:-} == 1 ]]
}

# diag MSG: a comment line, shown in the log.
diag() { printf '# %s\n' "$*"; }

# finish: exit status reflects the results.
finish() { [[ $tap_fail -eq 0 ]]; }
