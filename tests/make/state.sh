#!/usr/bin/env bash
# State is derived, never trusted blindly (issue 23), without Docker:
# - make -n of every lambda-* target changes no file, in the project or in .lambda/;
# - the cargo-home copy in .lambda/ctx is redone whenever it does not match the
#   cargo home: after a run without LAMBDA_CARGO_HOME (or make -n), after the copy
#   was emptied by hand, after a switch to another home; a missing home is an
#   error naming LAMBDA_CARGO_HOME;
# - a symlink to a file outside the project is named once and copied nowhere.
set -euo pipefail
# shellcheck source=tests/lib/tap.sh
. "${LAMBDA_SRCDIR:?}/tests/lib/tap.sh"
: "${LAMBDA_PLUGIN:?}" "${GNUMAKE:=make}"
buildmk=$(dirname "$(dirname "$LAMBDA_PLUGIN")")/lambda-uninstalled.mk
[[ -f $buildmk ]] || { echo "1..0 # no $buildmk"; exit 1; }

work=$(mktemp -d /tmp/lambda-make-state.XXXXXX)
trap 'rm -rf "$work"' EXIT
proj=$work/proj
cp -r "$LAMBDA_SRCDIR/examples/existing-project" "$proj"
rm -rf "$proj/target"
cd "$proj"

run() {
	rc=0
	out=$("$GNUMAKE" --no-print-directory LAMBDA_MK="$buildmk" "$@" 2>&1) || rc=$?
}
# tree: every path below the project with its size, mtime and mode
tree() { find . -printf '%p %s %T@ %m\n' | sort; }
# unchanged BEFORE: the tree is as listed in BEFORE; else the first differences
unchanged() {
	local d
	d=$(diff <(printf '%s\n' "$1") <(tree)) && return 0
	head -6 <<<"$d" | sed 's/^/# /'
	return 1
}
# vendored NAME DIR: a cargo home as the vendoring command writes it, one crate NAME
vendored() {
	mkdir -p "$2/vendor/$1/src"
	printf '[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "/cargo-home/vendor"\n' >"$2/config.toml"
	printf '[package]\nname = "%s"\nversion = "1.0.0"\n' "$1" >"$2/vendor/$1/Cargo.toml"
	echo "pub fn $1() {}" >"$2/vendor/$1/src/lib.rs"
	printf '{"files":{"src/lib.rs":"%s"},"package":"x"}\n' "$1" >"$2/vendor/$1/.cargo-checksum.json"
}
copied() { find .lambda/ctx/cargo-home -type f 2>/dev/null | sed 's|^.lambda/ctx/cargo-home/||' | sort | tr '\n' ' '; }

targets=(lambda-prod lambda-dev lambda-docker lambda-context lambda-clean lambda-explain
	lambda-help lambda-config lambda-dev-start lambda-dev-stop lambda-dev-status)
for a in x86_64 arm64; do
	for s in base deps build runtime prod; do targets+=("lambda-$s-$a"); done
done
plan $((${#targets[@]} + 13))

vendored alpha "$work/home-a"
vendored beta "$work/home-b"
run lambda-context LAMBDA_CARGO_HOME="$work/home-a"
is "a real lambda-context copies the cargo home" "$(copied)" "config.toml vendor/alpha/.cargo-checksum.json vendor/alpha/Cargo.toml vendor/alpha/src/lib.rs "

before=$(tree)
for t in "${targets[@]}"; do
	run -n "$t" LAMBDA_ARCH=all
	ok "make -n $t changes no file" unchanged "$before"
done

run -n lambda-prod
is "make -n without LAMBDA_CARGO_HOME keeps the copy" "$(copied)" "config.toml vendor/alpha/.cargo-checksum.json vendor/alpha/Cargo.toml vendor/alpha/src/lib.rs "
run lambda-context
is "a run without LAMBDA_CARGO_HOME empties the copy" "$(copied)" ""
ok "... and drops its signature" test ! -e .lambda/ctx/cargo-home.sig
run lambda-context LAMBDA_CARGO_HOME="$work/home-a"
is "the same home again: copied again (issue 23's sequence)" "$(copied)" "config.toml vendor/alpha/.cargo-checksum.json vendor/alpha/Cargo.toml vendor/alpha/src/lib.rs "

rm -rf .lambda/ctx/cargo-home/vendor
run lambda-context LAMBDA_CARGO_HOME="$work/home-a"
is "a copy emptied by hand (signature kept) is redone" "$(copied)" "config.toml vendor/alpha/.cargo-checksum.json vendor/alpha/Cargo.toml vendor/alpha/src/lib.rs "

run lambda-context LAMBDA_CARGO_HOME="$work/home-b"
is "a switch to another home replaces the copy" "$(copied)" "config.toml vendor/beta/.cargo-checksum.json vendor/beta/Cargo.toml vendor/beta/src/lib.rs "
sig_b=$(cat .lambda/ctx/cargo-home.sig)
run lambda-context LAMBDA_CARGO_HOME="$work/home-a"
is "and back" "$(copied)" "config.toml vendor/alpha/.cargo-checksum.json vendor/alpha/Cargo.toml vendor/alpha/src/lib.rs "
ok "the signature follows the copy" test "$(cat .lambda/ctx/cargo-home.sig)" != "$sig_b"

# A symlink out of the project (issue 18): one warning naming it, its content nowhere.
echo "TOPSECRET-aws-key" >"$work/credentials"
ln -s "$work/credentials" src/creds
run lambda-context
is "a symlink out of the project: one warning naming it" "$(grep -c 'lambda-make: src/creds: a symlink to a file outside the project: left out of the build' <<<"$out")" 1
is "... and its content is nowhere in .lambda" "$(grep -rl TOPSECRET .lambda | wc -l)" 0
rm src/creds

rm -rf "$work/home-a"
run lambda-context LAMBDA_CARGO_HOME="$work/home-a"
is "a removed cargo home: make fails" "$rc" 2
like "... naming LAMBDA_CARGO_HOME" "$out" "LAMBDA_CARGO_HOME: '$work/home-a' is not a directory"
finish
