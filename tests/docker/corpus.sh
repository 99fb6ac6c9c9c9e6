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
# answers_dev DIR FN MARK: the dev build of FN answers
answers_dev() {
	local got want="{\"layout\":\"$layout\",\"fn\":\"$2$3\",\"event\":{\"n\":1}}"
	got=$("$src/docker/lambda-invoke.sh" "$1/target/lambda-dev/x86_64/$2/bootstrap" x86_64 '{"n":1}' 2>&1) || true
	[[ $got == "$want" ]] || { printf '#   got:  %s\n#   want: %s\n' "$got" "$want"; return 1; }
}
packaged() { find "$1/target/lambda/$2" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | tr '\n' ' '; }

# LAMBDA_CORPUS="git-dep monorepo": only those layouts and their checks (a quick
# run while working on one; CI runs them all)
names=${LAMBDA_CORPUS:-$(corpus_names)}
for layout in $names; do corpus_bins "$layout" | grep -q . || { echo "corpus: no layout '$layout'" >&2; exit 2; }; done
has() { [[ " $names " == *" $1 "* ]]; }
# 5 checks per layout, the layout-specific ones, and needs-pq's 2
extra=2
has vendored-cc && extra=$((extra + 4))
has conventions && extra=$((extra + 1))
has git-dep && extra=$((extra + 13))
has monorepo && extra=$((extra + 12))
plan $(($(wc -w <<<"$names") * 5 + extra))
logged=$(logged_client "$bk")
table=()
for layout in $names; do
	corpus_write "$layout" "$work/$layout"
	p=$(corpus_project "$layout" "$work/$layout")
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

# bad_layout WHAT MESSAGE: make fails before any docker command, with MESSAGE, and
# every artifact and stamp of $p is as it was
bad_layout() {
	local before
	before=$(cd "$p" && find target/lambda .lambda/state -type f -exec sha256sum {} + | sort)
	calls_reset
	mk "$p" LAMBDA_DOCKER="$logged" lambda-prod
	is "$1: make fails" "$rc" 2
	like "... naming the file, the entry and the fix" "$out" "$2"
	is "... before any docker command" "$(calls_made)" 0
	is "... artifacts and stamps as they were" "$(cd "$p" && find target/lambda .lambda/state -type f -exec sha256sum {} + | sort)" "$before"
}

if has vendored-cc; then
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
fi

if has conventions; then
p=$work/conventions
ok "conventions: the target/ module is in the context" test -f "$p/.lambda/ctx/src/src/target/mod.rs"
fi

if has monorepo; then
# The monorepo: the context holds the project and its outside path dependencies at
# their places, nothing else of the monorepo; keys stay as tight as in a project.
m=$work/monorepo
p=$m/services/app
layout=monorepo
ok "monorepo: the context holds libs/common, libs/proto, libs/tiny-rt at their places, not services/other" \
	test -f "$p/.lambda/ctx/src/libs/common/src/lib.rs" -a -f "$p/.lambda/ctx/src/libs/proto/Cargo.toml" -a \
	-f "$p/.lambda/ctx/src/libs/tiny-rt/Cargo.toml" -a -f "$p/.lambda/ctx/src/services/app/Cargo.lock" -a \
	! -e "$p/.lambda/ctx/src/services/other" -a ! -e "$p/.lambda/ctx/src/Cargo.toml"
echo '// edited' >>"$m/services/other/src/main.rs"
printf '\n[dependencies]\nserde = "1"\n' >>"$m/services/other/Cargo.toml"
mk "$p" LAMBDA_VERBOSE=1 lambda-prod
is "monorepo: editing an unrelated service rebuilds nothing" "$(grep -c ': runs: ' <<<"$out")" 0
sed -i 's/\\"fn\\":\\"{f}\\"/\\"fn\\":\\"{f}+\\"/' "$m/libs/common/src/lib.rs"
mk "$p" LAMBDA_VERBOSE=1 lambda-prod
is "monorepo: a libs/common source edit reruns the build stage only" \
	"$(grep -o '[a-z]*-x86_64: runs: [^,]*' <<<"$out" | tr '\n' ';')" \
	"runtime-x86_64: runs: ../../libs/common/src/lib.rs changed;"
ok_all=0
for f in app worker; do answers "$p" x86_64 "$f" + || ok_all=1; done
ok "monorepo: ... and every function answers with the edited shared code" test "$ok_all" -eq 0
cp "$m/libs/common/Cargo.toml" "$work/common.toml"
printf 'proto = { path = "../proto" }\n' >>"$m/libs/common/Cargo.toml"
mk "$p" -n LAMBDA_VERBOSE=1 lambda-prod
like "monorepo: a libs/common dependency edit reruns deps" "$out" "lambda-make: deps-x86_64: runs: ../../libs/common/Cargo.toml changed"
cp "$work/common.toml" "$m/libs/common/Cargo.toml"
# the dev container sees the outside dirs, read-only, and nothing else of the monorepo
mk "$p" LAMBDA_CONTAINER="$run_id-dev" lambda-dev
is "monorepo: lambda-dev builds it" "$rc" 0
ok "monorepo: ... and its worker answers" answers_dev "$p" worker +
is "monorepo: ... with libs/common, libs/proto, libs/tiny-rt mounted read-only" \
	"$(docker inspect --format '{{range .Mounts}}{{if not .RW}}{{.Destination}} {{end}}{{end}}' "$run_id-dev" | tr ' ' '\n' | sort | tr '\n' ' ')" \
	" /workspace/libs/common /workspace/libs/proto /workspace/libs/tiny-rt "
docker rm -f "$run_id-dev" >/dev/null 2>&1 || true
# a path dependency into a directory that does not exist
printf 'ghost = { path = "../../../../libs/ghost" }\n' >>"$p/crates/app/Cargo.toml"
bad_layout "path dependency into a missing dir" "crates/app/Cargo.toml: path dependency '../../../../libs/ghost': no Cargo.toml in ../../libs/ghost: fix the path or create the crate there"
sed -i '/ghost/d' "$p/crates/app/Cargo.toml"
fi

# Bad layouts: fail before any docker command, one line naming the file and the fix,
# artifacts and stamps as they were.
if has git-dep; then
p=$work/git-dep
mv "$p/vendor" "$p/vendor.away"
bad_layout "missing vendor dir" ".cargo/config.toml: [source.vendored-sources] directory 'vendor' does not exist: run 'cargo vendor' again"
mv "$p/vendor.away" "$p/vendor"
# a vendored crate that Cargo.lock lists, missing from vendor/
mv "$p/vendor/greeting" "$work/greeting.away"
bad_layout "vendored crate missing" "$p/Cargo.lock: package 'greeting 0.1.0' (git+file://"
like "... the directory, the config entry" "$out" "is missing from the vendored directory 'vendor' ([source.vendored-sources] of $p/.cargo/config.toml): run 'cargo vendor' again"
mv "$work/greeting.away" "$p/vendor/greeting"
# a source replacement directory outside the project
cp "$p/.cargo/config.toml" "$work/config.toml"
sed -i 's|^directory = "vendor"|directory = "../shared-vendor"|' "$p/.cargo/config.toml"
mkdir -p "$work/shared-vendor"
bad_layout "source replacement outside the project" "[source.vendored-sources] directory '../shared-vendor' is not a directory inside the project, where the build context can reach it: vendor into the project"
cp "$work/config.toml" "$p/.cargo/config.toml"
fi

# A build script that needs a system library the image lacks: the hint to extend it.
p=$work/needs-pq
corpus_write needs-pq "$p"
mk "$p" lambda-prod
ok "needs-pq: a missing system library fails the build" test "$rc" -ne 0
like "... with the way to extend the base image" "$out" "build a base on top of it (FROM + apt-get install, then LAMBDA_BASE_IMAGE): docs/offline.md"

diag "corpus: | layout | result | cold | edit |"
for row in "${table[@]}"; do diag "corpus: $row"; done
finish
