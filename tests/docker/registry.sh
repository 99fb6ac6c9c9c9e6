#!/usr/bin/env bash
# LAMBDA_CACHE_REGISTRY (BuildKit, Debian's 20.10 client) against a real registry (Debian's docker-registry on
# loopback, htpasswd auth) and a second, empty engine (a new CI runner): the first
# build pushes the base and deps stages, a source edit pushes nothing, the fresh
# engine builds with 0 dependency crates compiled and the same bytes, the pushed
# images hold no credential; faults (registry down, refusing the push, a corrupt
# image) cost one warning line and the build succeeds; a remote engine
# (DOCKER_HOST=tcp://127.0.0.1:PORT) builds prod, and the dev container refuses an
# engine on another machine with one line. The classic builder (the PATH client)
# does the same round trip with its own tagged images.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmtreg "/tmp/lambda-registry.XXXXXX"
need_make
# shellcheck source=tests/lib/crates.sh
. "$src/tests/lib/crates.sh"
# shellcheck source=tests/lib/engine2.sh
. "$src/tests/lib/engine2.sh"
command -v docker-registry >/dev/null || { echo "1..0 # SKIP no docker-registry (.ci/deps installs it)"; exit 0; }
# the registry-named images this test made on the main engine
reg_cleanup() {
	[[ -z ${repo:-} ]] || "$bk" images --format '{{.Repository}}:{{.Tag}}' "$repo" | xargs -r "$bk" rmi -f >/dev/null 2>&1 || true
}
trap 'reg_cleanup; e2_cleanup; denv_cleanup' EXIT

# a small real project: one dependency with a build script (psm, cc: 7 crates), so
# the dependency set costs seconds, not minutes, on a busy machine
fixture=$src/tests/fixtures/cc-dep
bin=cc-dep
proj=$work/app
cp -r "$fixture" "$proj"
rm -rf "$proj/target"
ch=$work/cargo-home
"$src/tests/lib/vendor.sh" "$proj" "$ch" >/dev/null
# the client's login lives here, never in the build
export DOCKER_CONFIG=$work/docker-config
mkdir -p "$DOCKER_CONFIG"
password=s3cret-h20

# mk DIR [VAR=VALUE...]: lambda-prod (or $MK_TARGET) of DIR (BuildKit client),
# verbose; $out, $rc.
mk() {
	local dir=$1
	shift
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$dir" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_CARGO_HOME="$ch" LAMBDA_PROJECT="$run_id" LAMBDA_DOCKER="$bk" LAMBDA_VERBOSE=1 \
		"$@" "${MK_TARGET:-lambda-prod}" 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -40
}
# deps_compiled: the crates compiled other than the project's own
deps_compiled() { all_crates "$out" | grep -vcx -- "$bin" || true; }
warnings() { grep -c 'warning: the cache registry\|warning: the push to the cache registry' <<<"$out" || true; }
zipsum() { sha256sum "$1/target/lambda/x86_64/$bin/bootstrap.zip" | cut -c1-64; }
# fresh_copy NAME: the project as a new checkout would have it (no .lambda, no target)
fresh_copy() {
	rm -rf "${work:?}/$1"
	cp -r "$fixture" "$work/$1"
	rm -rf "$work/$1/target"
	cp "$proj/src/main.rs" "$work/$1/src/main.rs"
	echo "$work/$1"
}

# e2_drop_cache: the fresh engine forgets the registry's images and its build cache
e2_drop_cache() {
	local ids
	ids=$(e2 images -q --filter "reference=$repo")
	# shellcheck disable=SC2086 # image IDs, one word each
	[[ -z $ids ]] || e2 rmi -f $ids >/dev/null
}

plan 38
e2_registry htpasswd
repo=$reg/$run_id
echo "$password" | "$bk" login -u ci --password-stdin "$reg" >/dev/null 2>&1
ok "docker login to the test registry" test -s "$DOCKER_CONFIG/config.json"

# 1. the first build of a dependency set pushes base and deps, after the package
t0=$SECONDS
mk "$proj" LAMBDA_CACHE_REGISTRY="$repo"
diag "first build of the dependency set with the registry: $((SECONDS - t0)) s, registry $(du -sm "$work/registry/data" | cut -f1) MB"
grep 'pushed to the cache registry' <<<"$out" | sed 's/^/# /' || true
is "first build with the registry" "$rc" 0
like "base pushed" "$out" "lambda-make: base-x86_64: pushed to the cache registry"
like "deps pushed" "$out" "lambda-make: deps-x86_64: pushed to the cache registry"
ok "pushed after the package was written" bash -c 'p=$(grep -n "^lambda-package: .*bootstrap.zip" <<<"$1" | tail -n1 | cut -d: -f1); q=$(grep -n "deps-x86_64: pushed" <<<"$1" | cut -d: -f1); [[ -n $p && -n $q && $q -gt $p ]]' _ "$out"
tags=$(curl -fsS -u "ci:$password" "http://$reg/v2/$run_id/tags/list")
like "the registry holds the deps stage under its content key" "$tags" "deps-x86_64-"

# 2. no credential in any pushed image (history, config)
leak=0
for ref in $("$bk" images --format '{{.Repository}}:{{.Tag}}' "$repo"); do
	if "$bk" history --no-trunc "$ref" | grep -qF -e "$password" -e "$(printf 'ci:%s' "$password" | base64)" ||
		"$bk" image inspect "$ref" | grep -qF -e "$password" -e "$(printf 'ci:%s' "$password" | base64)"; then
		leak=1
	fi
done
is "docker history and the config of every pushed image hold no credential" "$leak" 0

# 3. a source-only edit pushes nothing and asks the registry nothing
echo '// a source edit' >>"$proj/src/main.rs"
t0=$SECONDS
mk "$proj" LAMBDA_CACHE_REGISTRY="$repo"
diag "warm local source edit with the registry: $((SECONDS - t0)) s"
is "source edit" "$rc" 0
ok "a source edit pushes nothing" bash -c '! grep -q "pushed to the cache registry" <<<"$1"' _ "$out"
zip2=$(zipsum "$proj")

# 4. a fresh engine (a new CI runner): only the base image, from the registry
e2_engine
"$bk" tag "$image" "$repo:builder"
"$bk" push "$repo:builder" >/dev/null
"$bk" rmi "$repo:builder" >/dev/null
e2 pull -q "$repo:builder" >/dev/null && e2 tag "$repo:builder" "$image" && e2 rmi "$repo:builder" >/dev/null
is "the base image on the fresh engine has the same ID" "$(e2 image inspect -f '{{.Id}}' "$image")" "$("$bk" image inspect -f '{{.Id}}' "$image")"
fresh=$(fresh_copy fresh)
t0=$SECONDS
DOCKER_HOST=unix://$e2_sock mk "$fresh" LAMBDA_CACHE_REGISTRY="$repo"
diag "fresh engine with the registry cache: $((SECONDS - t0)) s"
is "fresh engine, registry cache: the build succeeds" "$rc" 0
like "the deps stage came from the registry" "$out" "deps-x86_64: pulled"
is "fresh engine: 0 dependency crates compiled" "$(deps_compiled)" 0
is "fresh engine: the same package bytes" "$(zipsum "$fresh")" "$zip2"
ok "fresh engine: a hit pushes nothing" bash -c '! grep -q "pushed to the cache registry" <<<"$1"' _ "$out"

# 4b. the base stage starts the deps image's pull (--prefetch): the base stage
# alone leaves the fresh engine with the deps image, the deps stage then says where
# it came from, and no pull of ours outlives the build
e2_drop_cache
pre=$(fresh_copy prefetch)
DOCKER_HOST=unix://$e2_sock MK_TARGET=lambda-base-x86_64 mk "$pre" LAMBDA_CACHE_REGISTRY="$repo"
is "fresh engine: the base stage alone" "$rc" 0
deps_ref=$repo:$(grep -o 'deps-x86_64-[0-9a-f]*' <<<"$tags" | head -n1)
e2_has() { e2 image inspect "$1" >/dev/null 2>&1; }
for _ in $(seq 240); do e2_has "$deps_ref" && break; sleep 0.5; done
ok "the base stage pulled the deps image in the background" e2_has "$deps_ref"
DOCKER_HOST=unix://$e2_sock mk "$pre" LAMBDA_CACHE_REGISTRY="$repo"
like "the deps stage names the earlier pull" "$out" "deps-x86_64: pulled ${deps_ref##*/} from the cache registry (while an earlier stage ran)"
ok "no pull of the build is left running" bash -c '! pgrep -f "pull -q -- $1" >/dev/null' _ "$repo"

# 5. faults, each on a new checkout: the registry refusing (no login), down, and
# serving a corrupt image; each costs one warning line and the build succeeds
nologin=$(fresh_copy nologin)
DOCKER_CONFIG=$work/no-login DOCKER_HOST=unix://$e2_sock mk "$nologin" LAMBDA_CACHE_REGISTRY="$reg/$run_id-nologin"
is "no login (401): the build succeeds" "$rc" 0
is "no login: one warning line" "$(warnings)" 1
like "no login: the warning names what was skipped" "$out" "is skipped for this build, building from local work"

down=127.0.0.1:$(e2_port)
downdir=$(fresh_copy down)
DOCKER_HOST=unix://$e2_sock mk "$downdir" LAMBDA_CACHE_REGISTRY="$down/x"
is "registry down: the build succeeds" "$rc" 0
is "registry down: one warning line" "$(warnings)" 1

# corrupt the deps image's last layer (the compiled dependencies) in the registry's
# storage, then an engine that has nothing of it
deps_tag=$(grep -o 'deps-x86_64-[0-9a-f]*' <<<"$tags" | head -n1)
digest=$(curl -fsS -u "ci:$password" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
	"http://$reg/v2/$run_id/manifests/$deps_tag" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][-1]["digest"].split(":")[1])')
blob=$work/registry/data/docker/registry/v2/blobs/sha256/${digest:0:2}/$digest/data
ok "the deps layer's blob is in the registry's storage" test -f "$blob"
printf 'corrupt' | dd of="$blob" bs=1 seek=1000 conv=notrunc status=none
e2_drop_cache
e2 builder prune -af >/dev/null
other=$(fresh_copy other)
DOCKER_HOST=unix://$e2_sock mk "$other" LAMBDA_CACHE_REGISTRY="$repo"
is "corrupt cache image: the build succeeds from local work" "$rc" 0
is "corrupt cache image: one warning line" "$(warnings)" 1
is "corrupt cache image: the same package bytes" "$(zipsum "$other")" "$zip2"

# 6. a remote engine over tcp: the context goes, the package comes back
remote=$(fresh_copy remote)
DOCKER_HOST=$e2_tcp mk "$remote"
is "remote engine (DOCKER_HOST=tcp://127.0.0.1:PORT): prod builds" "$rc" 0
is "remote engine: the same package bytes" "$(zipsum "$remote")" "$zip2"
rc=0
msg=$(DOCKER_HOST=tcp://192.0.2.250:2375 "$src/docker/dev-container.sh" build --dir="$remote" --image="$image" --container="$run_id-dev" 2>&1) || rc=$?
like "dev container on an engine of another machine: one line saying why and what to do" "$msg" "cannot see; build with lambda-prod"
ok "the main engine's bridge is untouched (docker0)" bash -c 'ip link show docker0 >/dev/null'

# 7. the classic builder (the PATH client here): the same round trip, with the
# tagged stage images (its own names: it cannot use BuildKit's as cache)
e2_drop_cache
ids=$(e2 images -q --filter "reference=lambda-make/$run_id")
# shellcheck disable=SC2086 # image IDs, one word each
[[ -z $ids ]] || e2 rmi -f $ids >/dev/null
e2 builder prune -af >/dev/null
c1=$(fresh_copy classic1)
mk "$c1" LAMBDA_CACHE_REGISTRY="$repo" LAMBDA_DOCKER="$classic"
is "classic builder, first build with the registry" "$rc" 0
like "classic builder: deps pushed" "$out" "lambda-make: deps-x86_64: pushed to the cache registry"
c2=$(fresh_copy classic2)
t0=$SECONDS
DOCKER_HOST=unix://$e2_sock mk "$c2" LAMBDA_CACHE_REGISTRY="$repo" LAMBDA_DOCKER="$classic"
diag "fresh engine, classic builder, registry cache: $((SECONDS - t0)) s"
like "classic builder, fresh engine: the deps stage came from the registry" "$out" "deps-x86_64: pulled"
ok "classic builder, fresh engine: cargo's output is seen (the project's own crate compiled)" \
	grep -qx -- "$bin" <<<"$(all_crates "$out")"
is "classic builder, fresh engine: 0 dependency crates compiled" "$(deps_compiled)" 0
is "classic builder, fresh engine: the same package bytes as BuildKit's" "$(zipsum "$c2")" "$zip2"
finish
