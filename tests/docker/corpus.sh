#!/usr/bin/env bash
# The layout corpus (issue 16), against the real engine: projects shaped as users
# write them (tests/lib/corpus.sh), each built with make lambda-prod from its own
# directory, unchanged, every function invoked through a loopback Runtime API; then a
# source-only edit, rebuilt and invoked again. Layout-specific checks: bins that are
# no function are not packaged; a vendored cc crate builds for both arches and its
# vendor/ reaches only the deps stage; a pinned toolchain the image cannot honour
# gives one warning; a module named target/ is source; bad layouts fail before any
# docker command, naming the file and the fix. Prints a table of times at the end.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmcorp "/tmp/lambda corpus.XXXXXX"
# shellcheck source=tests/lib/corpus.sh
. "$src/tests/lib/corpus.sh"
need_make

# mk DIR ARGS...: make in DIR with BuildKit; output in $out, status in $rc, seconds in $secs
mk() {
	local dir=$1 t0
	shift
	rc=0
	t0=$(date +%s.%N)
	out=$("$GNUMAKE" --no-print-directory -C "$dir" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id-${dir##*/}" LAMBDA_DOCKER="$bk" "$@" 2>&1) || rc=$?
	secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)")
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -30
}
# answers DIR ARCH FN MARK: the function's reply to an event is the expected one
answers() {
	local got want="{\"layout\":\"$layout\",\"fn\":\"$3$4\",\"event\":{\"n\":1}}"
	got=$("$src/docker/lambda-invoke.sh" "$1/target/lambda/$2/$3/bootstrap" "$2" '{"n":1}' 2>&1) || true
	[[ $got == "$want" ]] || { printf '#   got:  %s\n#   want: %s\n' "$got" "$want"; return 1; }
}
packaged() { find "$1/target/lambda/$2" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | tr '\n' ' '; }

names=$(corpus_names)
plan $(($(wc -w <<<"$names") * 5 + 11))
table=()
for layout in $names; do
	p=$work/$layout
	corpus_write "$layout" "$p"
	# unique to the run: no earlier run's layer cache answers for it
	printf '\n# %s\n' "$run_id" >>"$p/Cargo.toml"
	archs=x86_64
	[[ $layout != vendored-cc ]] || archs="x86_64 arm64"
	mk "$p" LAMBDA_ARCH="$archs" lambda-prod
	cold=$secs
	is "$layout: lambda-prod builds it unchanged" "$rc" 0
	is "$layout: the packaged functions" "$(packaged "$p" x86_64)" "$(corpus_bins "$layout" | tr ' ' '\n' | sort | tr '\n' ' ')"
	ok_all=0
	for f in $(corpus_bins "$layout"); do answers "$p" x86_64 "$f" "" || ok_all=1; done
	ok "$layout: every function answers an invocation" test "$ok_all" -eq 0
	[[ $layout != vendored-cc ]] || vendored_out=$out
	corpus_edit "$layout" "$p"
	mk "$p" LAMBDA_ARCH="$archs" LAMBDA_VERBOSE=1 lambda-prod
	edit=$secs
	ok "$layout: a source edit rebuilds without rerunning deps" \
		test "$rc" -eq 0 -a "$(grep -c 'deps-x86_64: runs' <<<"$out")" -eq 0
	mark=""
	[[ $layout != conventions ]] || mark=+
	ok_all=0
	for f in $(corpus_bins "$layout"); do answers "$p" x86_64 "$f" "$mark" || ok_all=1; done
	ok "$layout: after the edit every function answers${mark:+ with the edited code}" test "$ok_all" -eq 0
	table+=("$(printf '| %s | %s | %s s | %s s |' "$layout" "$([[ $ok_all -eq 0 ]] && echo ok || echo FAILED)" "$cold" "$edit")")
done

p=$work/vendored-cc
layout=vendored-cc
ok "vendored-cc: arm64 answers too (qemu)" answers "$p" arm64 stack ""
is "vendored-cc: one warning names rust-toolchain.toml, its channel and the compiler used" \
	"$(grep -c 'lambda-make: warning: rust-toolchain.toml asks for Rust stable, but the base image has no rustup: building with rustc ' <<<"$vendored_out")" 2
ok "vendored-cc: vendor/ is in the deps context only, whole (cc's src/target/ included)" \
	test ! -e "$p/.lambda/ctx/src/vendor" -a ! -e "$p/.lambda/ctx/skel/vendor" -a \
	-n "$(ls "$p"/.lambda/ctx/vendor/vendor/cc/src/target/*.rs 2>/dev/null)"
sed -i 's/"package":"/"package":"0/' "$p/vendor/shlex/.cargo-checksum.json"
mk "$p" -n LAMBDA_VERBOSE=1 lambda-prod
like "vendored-cc: a changed vendored crate reruns deps" "$out" "lambda-make: deps-x86_64: runs: vendor changed"

p=$work/conventions
ok "conventions: the target/ module is in the context" test -f "$p/.lambda/ctx/src/src/target/mod.rs"

# Bad layouts: fail before any docker command, one line naming the file and the fix,
# artifacts and stamps as they were.
p=$work/git-dep
before=$(cd "$p" && find target/lambda .lambda/state -type f -exec sha256sum {} + | sort)
mv "$p/vendor" "$p/vendor.away"
logged=$(logged_client "$bk")
calls_reset
mk "$p" LAMBDA_DOCKER="$logged" lambda-prod
is "missing vendor dir: make fails" "$rc" 2
like "... naming the file, the entry and the fix" "$out" ".cargo/config.toml: [source.vendored-sources] directory 'vendor' does not exist: run 'cargo vendor' again"
is "... before any docker command" "$(calls_made)" 0
is "... artifacts and stamps as they were" "$(cd "$p" && find target/lambda .lambda/state -type f -exec sha256sum {} + | sort)" "$before"
mv "$p/vendor.away" "$p/vendor"

# A build script that needs a system library the image lacks: the hint to extend it.
p=$work/needs-pq
corpus_write needs-pq "$p"
mk "$p" lambda-prod
ok "needs-pq: a missing system library fails the build" test "$rc" -ne 0
like "... with the way to extend the base image" "$out" "build a base on top of it (FROM + apt-get install, then LAMBDA_BASE_IMAGE): docs/offline.md"

diag "corpus: | layout | result | cold | edit |"
for row in "${table[@]}"; do diag "corpus: $row"; done
finish
