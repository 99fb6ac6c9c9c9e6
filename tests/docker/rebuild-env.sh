#!/usr/bin/env bash
# Rebuild decisions with a dependency that compiles C (issue 23), against the real
# engine. Fixture tests/fixtures/cc-dep: one function depending on psm, whose build
# script uses the cc crate (which prints rerun-if-env-changed=SOURCE_DATE_EPOCH),
# vendored on the host. Checks, on BuildKit and on the classic builder:
# - a source edit compiles only the project's crate in the build stage: psm and cc,
#   compiled in deps, are fresh there (same environment in both stages);
# - BuildKit: a dependency added or removed compiles only it and the project's stub
#   in deps (the deps step's target dir is the project's own cache mount), and a
#   vendored crate patched in place empties that dir first;
# - LAMBDA_VERBOSE=1 says which stage runs and which input changed its key;
#   lambda-explain says "up to date" for every stage after a build;
# - dev never poses as prod (issue 17): prod -> dev -> prod leaves the prod bytes,
#   the dev binary lands in target/lambda-dev/, and a package file replaced by hand
#   is rebuilt, not vouched for; the zip's bootstrap is always the bootstrap file.
# Images are tagged lambda-make/<run id>-*:* and removed on exit.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmenv "/tmp/lambda env.XXXXXX"
# shellcheck source=tests/lib/crates.sh
. "$src/tests/lib/crates.sh"
need_make

# vendored: the fixture's crates and itoa, which the dependency edit adds
ch=$work/cargo-home
cp -r "$src/tests/fixtures/cc-dep" "$work/superset"
echo 'itoa = "1"' >>"$work/superset/Cargo.toml"
# the lock first (lambda-vendor.sh vendors what Cargo.lock pins); cargo keeps the fixture's pins
cargo metadata --offline --format-version 1 --manifest-path "$work/superset/Cargo.toml" >/dev/null 2>&1 ||
	cargo metadata --format-version 1 --manifest-path "$work/superset/Cargo.toml" >/dev/null
"$src/tests/lib/vendor.sh" "$work/superset" "$ch" >/dev/null

# mk DIR DOCKER ARGS...: make in DIR; output in $out, status in $rc.
mk() {
	local dir=$1 docker=$2
	shift 2
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$dir" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_CARGO_HOME="$ch" LAMBDA_PROJECT="$run_id-${dir##*/}" LAMBDA_DOCKER="$docker" \
		LAMBDA_ARCH=x86_64 "$@" 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -30
}
says() { "$1/target/lambda/x86_64/cc-dep/bootstrap"; }
pkg=target/lambda/x86_64/cc-dep
sum() { sha256sum <"$1" | cut -c1-64; }
# zip_matches DIR: the zip's bootstrap is byte for byte the bootstrap file
zip_matches() { [[ $(unzip -p "$1/$pkg/bootstrap.zip" bootstrap | sum /dev/stdin) == $(sum "$1/$pkg/bootstrap") ]]; }

plan 24
for builder in buildkit classic; do
	p=$work/$builder
	cp -r "$src/tests/fixtures/cc-dep" "$p"
	# unique to the run, so that no earlier run's layer cache answers for it
	printf '# %s\n' "$run_id" >>"$p/Cargo.toml"
	docker=$bk
	[[ $builder == buildkit ]] || docker=$classic
	mk "$p" "$docker" lambda-prod
	is "$builder: cold build" "$rc" 0
	echo "// edited in run $run_id" >>"$p/src/main.rs"
	mk "$p" "$docker" LAMBDA_VERBOSE=1 lambda-prod
	is "$builder: a source edit compiles only the project's crate (psm, cc fresh)" "$(build_crates "$out")" "cc-dep "
	is "$builder: the edited binary runs" "$(says "$p")" "cc-dep: 2"
done

like "LAMBDA_VERBOSE: the build stage names the edited file" "$out" "lambda-make: runtime-x86_64: runs: src/main.rs changed"
ok "LAMBDA_VERBOSE: deps is not rerun" test "$(grep -c "deps-x86_64: runs" <<<"$out")" -eq 0
mk "$p" "$classic" lambda-explain
is "lambda-explain after a build: every stage up to date" "$out" "base-x86_64: up to date
deps-x86_64: up to date
runtime-x86_64: up to date"
mk "$p" "$classic" -n LAMBDA_VERBOSE=1 LAMBDA_CARGO_FLAGS=--locked lambda-prod
like "a changed setting is named with both values" "$out" "lambda-make: deps-x86_64: runs: LAMBDA_CARGO_FLAGS changed ('' -> '--locked')"
like "... and the stages after it follow" "$out" "lambda-make: runtime-x86_64: runs: the deps stage changed"
mk "$p" "$classic" lambda-explain
is "... make -n changed nothing: still up to date" "$(grep -c 'up to date' <<<"$out")" 3

prod_sum=$(sum "$p/$pkg/bootstrap")
mk "$p" "$bk" LAMBDA_CONTAINER="$run_id-dev" lambda-dev
is "lambda-dev: build ok" "$rc" 0
ok "lambda-dev: the dev binary is in target/lambda-dev/" test -x "$p/target/lambda-dev/x86_64/cc-dep/bootstrap"
is "lambda-dev: the prod bootstrap is untouched" "$(sum "$p/$pkg/bootstrap")" "$prod_sum"
calls_reset
mk "$p" "$(logged_client "$classic")" lambda-prod
ok "prod after dev: a no-op (no docker command) with the same bytes" \
	test "$rc" -eq 0 -a "$(calls_made)" -eq 0 -a "$(sum "$p/$pkg/bootstrap")" = "$prod_sum"
ok "... the zip's bootstrap is the bootstrap file" zip_matches "$p"
cp "$p/target/lambda-dev/x86_64/cc-dep/bootstrap" "$p/$pkg/bootstrap"
mk "$p" "$classic" LAMBDA_VERBOSE=1 lambda-prod
like "a bootstrap replaced by hand: not vouched for" "$out" "runtime-x86_64: runs: a package in target/lambda/x86_64 is missing or is not the file lambda-prod wrote"
ok "... rebuilt: the prod bytes are back, zip = bootstrap" \
	test "$(sum "$p/$pkg/bootstrap")" = "$prod_sum" -a "$(unzip -p "$p/$pkg/bootstrap.zip" bootstrap | sum /dev/stdin)" = "$prod_sum"

# BuildKit's deps step builds into the project's own target cache: a dependency
# edit compiles the new crate and the project's stub, nothing compiled before
# (psm's C library, built by its build script, links from the layer's copy).
q=$work/buildkit
sed -i 's/^psm = .*/&\nitoa = "1"/' "$q/Cargo.toml"
mk "$q" "$bk" LAMBDA_VERBOSE=1 lambda-prod
# (itoa itself may be fresh: an earlier run of this test left it in the kept dir)
got=$(deps_crates "$out")
ok "buildkit: a dependency added: deps recompiles nothing it compiled before (psm, cc, shlex)" \
	bash -c '[[ " $1" != *" psm "* && " $1" != *" cc "* && " $1" != *" shlex "* ]]' _ "$got"
diag "deps compiled: ${got:-nothing}"
is "... the binary runs" "$(says "$q")" "cc-dep: 2"
sed -i '/^itoa = /d' "$q/Cargo.toml"
mk "$q" "$bk" LAMBDA_VERBOSE=1 lambda-prod
is "buildkit: the dependency removed: the earlier deps layer is back, nothing compiled" "$(deps_crates "$out")" ""
# A vendored crate patched in place (same version: cargo would take it as fresh)
psm=$(find "$ch/vendor" -maxdepth 1 -name 'psm*' | head -n 1)
# (a new file, not an append: the vendored files are hard links into lambda-vendor.sh's cache)
{ cat "$psm/src/lib.rs"; echo '// patched in place'; } >"$work/lib.rs" && mv -f "$work/lib.rs" "$psm/src/lib.rs"
sed -i 's/"files":{[^}]*}/"files":{}/' "$psm/.cargo-checksum.json"
# (make keys LAMBDA_CARGO_HOME by its config, not its files: the deps stamp goes)
rm -f "$q/.lambda/state/deps-x86_64"
mk "$q" "$bk" LAMBDA_VERBOSE=1 lambda-prod
like "buildkit: a vendored crate patched in place: the kept dir is not trusted" "$out" "one changed in place"
like "... psm is compiled again" "$(deps_crates "$out")" "psm"
finish
