#!/usr/bin/env bash
# Incremental release rebuilds (issue 3, item 3), against the real engine: with
# BuildKit the build stage's target dir is a cache mount seeded from the deps layer,
# and only the files whose content changed since the last build there are touched.
# Fixture: a workspace without dependencies (builds in seconds): a library `common`
# and two functions `fn-a` and `fn-b` that use it; each bootstrap prints a line.
# 1. an edit in fn-a recompiles fn-a only, and gives the bytes of a full build
#    (the classic builder, which rebuilds every own crate);
# 2. a second project with the same manifests shares the seeded cache: its edited
#    file, given an old mtime, is still recompiled (content, not mtime, decides);
# 3. a failed build drops the record: a crate compiled from the failed content is
#    not trusted afterwards, even when its file comes back with an old mtime.
# Images are tagged lambda-make/<run id>-*:* and removed on exit.
# Env: LAMBDA_BUILDKIT_DOCKER (default /usr/bin/docker), LAMBDA_CLASSIC_DOCKER
# (default docker), LAMBDA_KEEP=1.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lminc "/tmp/lambda incr.XXXXXX"
# shellcheck source=tests/lib/crates.sh
. "$src/tests/lib/crates.sh"
need_make
# shellcheck source=tests/lib/workspace.sh
. "$src/tests/lib/workspace.sh"

# mk DIR DOCKER ARGS...: make lambda-prod; output in $out, status in $rc (LAMBDA_VERBOSE=1:
# cargo's Compiling lines are Docker's output).
mk() {
	local dir=$1 docker=$2
	shift 2
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$dir" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id-${dir##*/}" LAMBDA_DOCKER="$docker" LAMBDA_ARCH=x86_64 \
		LAMBDA_VERBOSE=1 "$@" lambda-prod 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -30
}
# compiled: the crates the build stage of the last mk compiled
compiled() { build_crates "$out"; }
says() { "$1/target/lambda/x86_64/$2/bootstrap"; }
zipsum() { sha256sum "$1/target/lambda/x86_64/$2/bootstrap.zip" | cut -c1-64; }

plan 22
p=$work/one
ws_fixture "$p" "$run_id"
mk "$p" "$bk"
is "BuildKit: cold build" "$rc" 0
like "the first build in a new target dir is a full one" "$out" "full build of the project's crates"
[[ -f $p/.lambda/builder && $(cat "$p/.lambda/builder") == buildkit* ]] ||
	diag "WARNING: $bk did not give BuildKit; the incremental path is not exercised"

echo '// an edit in fn-a' >>"$p/fn-a/src/main.rs"
t0=$(date +%s.%N)
mk "$p" "$bk"
diag "edit rebuild: $(echo "$(date +%s.%N) - $t0" | bc) s"
is "edit in fn-a: build ok" "$rc" 0
is "edit in fn-a: only fn-a recompiles" "$(compiled)" "fn-a "
like "the build says how many files changed" "$out" "incremental: 1 of "
incr_zip=$(zipsum "$p" fn-a)

full=$work/full
cp -r "$p" "$full"
rm -rf "$full/.lambda" "$full/target"
mk "$full" "$classic"
got=$(compiled)
is "classic builder: every own crate recompiles" "$got" "common fn-a fn-b "
if [[ $got != "common fn-a fn-b " ]]; then
	grep -a 'Compiling\|lambda-make: \(incr\|full\)' <<<"$out" | cat -v | sed 's/^/# /' | cut -c1-200 || true
fi
is "incremental build: the bytes of a full build" "$(zipsum "$full" fn-a)" "$incr_zip"

# The classic builder keeps the package's target dir too (a volume): an edit
# there compiles the edited crate alone, with the bytes BuildKit gives.
echo '// a classic edit' >>"$full/fn-b/src/main.rs"
mk "$full" "$classic"
is "classic builder, edit in fn-b: only fn-b recompiles" "$rc $(compiled)" "0 fn-b "
like "classic builder: the build says how many files changed" "$out" "incremental: 1 of "
echo '// a classic edit' >>"$p/fn-b/src/main.rs"
mk "$p" "$bk"
is "classic incremental build: BuildKit's bytes" "$(zipsum "$full" fn-b)" "$(zipsum "$p" fn-b)"
vols=$(docker volume ls -q --filter "label=lambda-make.project=$full")
is "classic builder: one target volume for the project's arch" "$(grep -c . <<<"$vols")" 1
# the skeleton keeps manifest comments: a new deps image, so a new volume
echo '# another dependency set' >>"$full/Cargo.toml"
mk "$full" "$classic"
is "classic builder, new deps image: a full build" "$rc $(compiled)" "0 common fn-a fn-b "
vols2=$(docker volume ls -q --filter "label=lambda-make.project=$full")
ok "... in a new volume, the old one removed" test "$(grep -c . <<<"$vols2")" -eq 1 -a "$vols2" != "$vols"

# Same manifests (same deps layer, same seeded cache), other content, old mtime.
q=$work/two
cp -rp "$p" "$q"
rm -rf "$q/.lambda" "$q/target"
sed -i 's/common one/common two/' "$q/common/src/lib.rs"
touch -d '2001-01-01' "$q/common/src/lib.rs"
mk "$q" "$bk"
is "second project, shared cache: build ok" "$rc" 0
is "its edited file is recompiled despite an old mtime" "$(says "$q" fn-b)" "fn-b: common two"

# A failed build: common compiles from new content, fn-a does not compile.
cp -p "$p/common/src/lib.rs" "$work/lib.rs.orig"
sed -i 's/common one/common broken/' "$p/common/src/lib.rs"
echo 'fn broken( {' >>"$p/fn-a/src/main.rs"
mk "$p" "$bk"
ok "a compile error fails the build" test "$rc" -ne 0
cp -p "$work/lib.rs.orig" "$p/common/src/lib.rs"
sed -i '$d' "$p/fn-a/src/main.rs"
echo '// a second edit' >>"$p/fn-a/src/main.rs"
mk "$p" "$bk"
is "after the failure: build ok" "$rc" 0
like "after the failure: the record was dropped, a full build" "$out" "full build of the project's crates"
is "common's restored content is what runs (old mtime, not trusted)" "$(says "$p" fn-a)" "fn-a: common one"

# A quiet build (its progress ticker runs) and, straight after it, a no-op: nothing
# of the build is left holding the project's lock, so the no-op does not wait.
quiet() {
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$p" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id-${p##*/}" LAMBDA_DOCKER="$bk" LAMBDA_ARCH=x86_64 lambda-prod 2>&1) || rc=$?
}
echo '// a quiet edit' >>"$p/fn-b/src/main.rs"
quiet
is "a quiet build" "$rc" 0
quiet
is "the no-op straight after it" "$rc" 0
ok "the no-op did not wait for the build before it (no process of it holds the lock)" \
	bash -c '[[ $1 != *"waiting for another build"* && $1 != *"--stage="* ]]' _ "$out"
finish
