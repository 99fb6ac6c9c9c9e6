#!/usr/bin/env bash
# podman as the engine (LAMBDA_DOCKER=podman, docker/engine.sh), against the real
# podman: the builder image is copied from Docker's store into podman's (podman
# pull docker-daemon:), then
# 1. lambda-prod builds, and gives the same bytes as Docker (BuildKit) for the same
#    inputs;
# 2. a one-line edit recompiles that crate only (podman 4.3 does not seed a cache
#    mount from a stage: lambda-compile seeds the target cache from the deps layer);
#    a path dependency's edit recompiles it and what uses it;
# 3. a no-op runs no podman command;
# 4. a dependency edit reruns deps and re-seeds: the build is still incremental
#    afterwards, and its bytes match Docker's again;
# 5. lambda-dev with podman: built in the dev container (engine.sh gives it the
#    caller's rlimits: podman's own are refused where they cannot be raised),
#    with a bootstrap that passes the check (podman-dev-props.sh: its properties).
# Fixture: a workspace with no registry dependencies (builds in seconds): `common`
# and two functions that use it. Images of this run's projects and its target
# caches are removed on exit.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
if ! command -v podman >/dev/null 2>&1; then
	printf '1..1\nnot ok 1 - podman is installed (.ci/deps installs it)\n'
	exit 1
fi
# the engine docker-env.sh copies the builder image into and cleans up
export LAMBDA_TEST_ENGINE=podman
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmpod "/tmp/lambda podman.XXXXXX"
# shellcheck source=tests/lib/crates.sh
. "$src/tests/lib/crates.sh"
# shellcheck source=docker/engine.sh
. "$src/docker/engine.sh"
need_make
# shellcheck source=tests/lib/workspace.sh
. "$src/tests/lib/workspace.sh"
plan 12

pm=$(logged_client "$(command -v podman)")

pod_cleanup() {
	local d
	for d in "$work"/*/; do
		podman images -q --filter "label=lambda-make.project=${d%/}" | xargs -r podman rmi -f >/dev/null 2>&1 || true
	done
	podman images --format '{{.Repository}}:{{.Tag}}' | grep -E "lambda-make/${run_id}" |
		xargs -r podman rmi -f >/dev/null 2>&1 || true
	rm -rf "/var/tmp/buildah-cache/$(engine_cache_id "$p" x86_64)" 2>/dev/null || true
	denv_cleanup
}
trap pod_cleanup EXIT


# mk DIR DOCKER [TARGET]: make TARGET (lambda-prod); output in $out, status in $rc.
mk() {
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$1" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id-${1##*/}" LAMBDA_DOCKER="$2" LAMBDA_ARCH=x86_64 \
		LAMBDA_CONTAINER="$run_id-dev" LAMBDA_VERBOSE=1 "${3:-lambda-prod}" 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -30
}
zipsum() { sha256sum "$1/target/lambda/x86_64/$2/bootstrap.zip" | cut -c1-64; }
# same_as_docker: a copy of the podman project built by Docker (BuildKit) from
# scratch gives the same zip for fn-a.
same_as_docker() {
	local d=$work/docker-copy
	rm -rf "$d" && mkdir -p "$d"
	(cd "$p" && tar --exclude=./.lambda --exclude=./target -cf - .) | tar -C "$d" -xf -
	mk "$d" "$bk"
	[[ $rc -eq 0 && $(zipsum "$d" fn-a) == "$(zipsum "$p" fn-a)" ]]
}

p=$work/pod
ws_fixture "$p" "$run_id"
mk "$p" "$pm"
is "podman: cold build" "$rc" 0
like "podman: the builder is named" "$out" "(podman)"
ok "podman and Docker: the same bytes for the same inputs" same_as_docker

echo '// an edit in fn-a' >>"$p/fn-a/src/main.rs"
mk "$p" "$pm"
is "podman: one-line edit in fn-a recompiles fn-a only" "$rc $(build_crates "$out")" "0 fn-a "
sed -i 's/common one/common edited/' "$p/common/src/lib.rs"
mk "$p" "$pm"
is "podman: an edit in the path dependency recompiles it and its users" "$rc $(build_crates "$out")" \
	"0 common fn-a fn-b "
is "podman: the edited bootstrap runs the edit" "$("$p/target/lambda/x86_64/fn-b/bootstrap")" "fn-b: common edited"

calls_reset
mk "$p" "$pm"
is "podman: a no-op runs no podman command" "$rc $(calls_made)" "0 0"

# a dependency edit (a new member): deps reruns, the target cache is re-seeded
mkdir -p "$p/util/src"
printf '[package]\nname = "util"\nversion = "0.1.0"\nedition = "2021"\n' >"$p/util/Cargo.toml"
echo 'pub fn n() -> u32 { 7 }' >"$p/util/src/lib.rs"
sed -i 's/members = \["common", "fn-a", "fn-b"\]/members = ["common", "fn-a", "fn-b", "util"]/' "$p/Cargo.toml"
mk "$p" "$pm"
is "podman: a dependency edit builds" "$rc" 0
echo '// a second edit in fn-a' >>"$p/fn-a/src/main.rs"
mk "$p" "$pm"
is "podman: after the re-seed, an edit recompiles fn-a only" "$rc $(build_crates "$out")" "0 fn-a "
ok "podman and Docker: the same bytes after the dependency edit" same_as_docker

mk "$p" "$pm" lambda-dev
is "podman lambda-dev: built in the dev container, no production fallback" \
	"$(grep -c 'falling back to a production build' <<<"$out")" 0
ok "podman lambda-dev: the bootstrap passes the check" test "$rc" -eq 0 -a -x "$p/target/lambda/x86_64/fn-a/bootstrap"
finish
