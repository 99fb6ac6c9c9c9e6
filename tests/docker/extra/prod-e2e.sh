#!/usr/bin/env bash
# End-to-end proof of docker/Dockerfile with raw docker commands (no make):
# offline builder image -> hand-made build context -> runtime stage for
# x86_64 and arm64 with BuildKit, one arch with the classic builder -> invoke
# each bootstrap through a loopback Runtime API. Prints TAP, and timings as
# TAP comments ("# time ...").
# Not part of tests/run (it builds its own cold cache, 10-20 min): the make path
# (tests/docker/prod-make.sh) covers the same ground in CI. Run it by hand.
set -euo pipefail

readonly PROG=${0##*/}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../../.." && pwd)
readonly ROOT

usage() {
	cat <<EOF
Usage: $PROG

Environment:
  LAMBDA_BUILDKIT_DOCKER  client that runs BuildKit (default /usr/bin/docker)
  LAMBDA_DOCKER           client for the classic builder (default docker)
  LAMBDA_E2E_COLD=0       reuse cached deps layers (default: --no-cache, timed)
  LAMBDA_E2E_HOST=0       skip the native host cargo timing
  LAMBDA_E2E_KEEP=1       keep the work dir and images (debugging)
EOF
}

if (($#)); then
	case $1 in
	--help | -h)
		usage
		exit 0
		;;
	*)
		printf '%s: unknown argument %s (see --help)\n' "$PROG" "$1" >&2
		exit 1
		;;
	esac
fi

bk_docker=${LAMBDA_BUILDKIT_DOCKER:-/usr/bin/docker}
classic_docker=${LAMBDA_DOCKER:-docker}
cold=${LAMBDA_E2E_COLD:-1}
host=${LAMBDA_E2E_HOST:-1}
example=$ROOT/examples/hello

# --- TAP ----------------------------------------------------------------------
n=0
failed=0
ok() {
	n=$((n + 1))
	printf 'ok %d - %s\n' "$n" "$1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	printf 'not ok %d - %s\n' "$n" "$1"
}
diag() {
	printf '# %s\n' "$@"
}
bail() {
	printf 'Bail out! %s\n' "$1"
	exit 1
}
skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}
# check NAME EXPECTED ACTUAL
check_eq() {
	if [[ $2 == "$3" ]]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected: $2" "actual:   $3"
	fi
}

# --- prerequisites --------------------------------------------------------------
[[ $(id -u) -eq 0 ]] || skip_all "needs root (debootstrap for the builder image)"
command -v "$bk_docker" >/dev/null || skip_all "no BuildKit client at $bk_docker"
"$bk_docker" info >/dev/null 2>&1 || skip_all "no Docker engine reachable"
command -v cargo >/dev/null || skip_all "cargo is needed on the host to vendor crates"
command -v qemu-aarch64-static >/dev/null || skip_all "qemu-aarch64-static missing"

# --- per-run names, always cleaned up (the builder image is a keyed cache) -----
run_id="e2e-$(date +%s)-$$"
repo="lambda-make-test/$run_id"
work=$(mktemp -d "${TMPDIR:-/tmp}/lambda-e2e.XXXXXX")
images=()
containers=()
cleanup() {
	if [[ ${LAMBDA_E2E_KEEP:-0} == 1 ]]; then
		diag "kept $work and ${images[*]:-no images}"
		return
	fi
	local c i
	for c in "${containers[@]}"; do
		"$classic_docker" rm -f -- "$c" >/dev/null 2>&1 || true
	done
	for i in "${images[@]}"; do
		"$classic_docker" image rm -f -- "$i" >/dev/null 2>&1 || true
	done
	rm -rf -- "$work"
}
trap cleanup EXIT

# timed LABEL LOG CMD... : run CMD with output to LOG, record seconds in $took.
took=0
timed() {
	local label=$1 log=$2 start
	shift 2
	start=$(date +%s%N)
	if "$@" >"$log" 2>&1; then
		took=$((($(date +%s%N) - start) / 1000000))
		took=$((took / 1000)).$((took % 1000 / 100))
		diag "time $label: ${took}s"
		return 0
	fi
	diag "FAILED: $label; last lines of $log:"
	tail -n 25 -- "$log" | sed 's/^/#   /'
	return 1
}

# --- 1. builder image ---------------------------------------------------------
if timed "builder image (builder-image.sh)" "$work/builder.log" \
	env LAMBDA_DOCKER="$classic_docker" "$ROOT/docker/builder-image.sh"; then
	builder=$(tail -n 1 -- "$work/builder.log")
	ok "builder image $builder"
else
	bail "cannot build the offline builder image"
fi

# --- 2. build context by hand (the C skeleton writer will do this later) ------
ctx=$work/ctx
mkdir -p "$ctx/skel/src" "$ctx/src" "$ctx/tools"
cp -- "$ROOT"/docker/image/* "$ctx/tools/"
cp -- "$example/Cargo.toml" "$example/Cargo.lock" "$ctx/skel/"
printf 'fn main(){}\n' >"$ctx/skel/src/main.rs"
(cd -- "$example" && tar --exclude=./target -cf - .) | tar -C "$ctx/src" -xpf -
# A per-run comment: BuildKit must not serve the build stage from an earlier run.
printf '// %s\n' "$run_id" >>"$ctx/src/src/main.rs"
if timed "vendor crates (vendor.sh)" "$work/vendor.log" \
	"$ROOT/tests/lib/vendor.sh" "$example" "$ctx/cargo-home"; then
	ok "context prepared (skel/, src/, tools/, cargo-home/)"
else
	bail "vendor.sh failed"
fi
cp -- "$ROOT/docker/Dockerfile" "$ctx/lambda.Dockerfile"
# BuildKit reads this instead of a .dockerignore; nothing of ctx is excluded.
printf '# lambda-make build context: send everything\n' >"$ctx/lambda.Dockerfile.dockerignore"
# shellcheck source=docker/engine.sh
. "$ROOT/docker/engine.sh"
engine_dockerfile classic <"$ROOT/docker/Dockerfile" >"$ctx/lambda.classic.Dockerfile"
if grep -qE '^RUN .*--mount=' "$ctx/lambda.classic.Dockerfile"; then
	not_ok "classic Dockerfile has no --mount options"
else
	ok "classic Dockerfile has no --mount options"
fi

triple() {
	case $1 in
	x86_64) printf 'x86_64-unknown-linux-gnu' ;;
	arm64) printf 'aarch64-unknown-linux-gnu' ;;
	esac
}
# build_args ARCH: fills the array build_args.
build_args=()
set_build_args() {
	build_args=(
		--build-arg "LAMBDA_BASE_IMAGE=$builder"
		--build-arg "LAMBDA_TARGET=$(triple "$1")"
		--build-arg "LAMBDA_PROFILE=release"
		--build-arg "LAMBDA_BINS=hello"
		--build-arg "SOURCE_DATE_EPOCH=1700000000"
	)
}
bk_build() {
	DOCKER_BUILDKIT=1 "$bk_docker" build --progress=plain -f "$ctx/lambda.Dockerfile" "$@" "$ctx"
}
classic_build() {
	DOCKER_BUILDKIT=0 "$classic_docker" build -f "$ctx/lambda.classic.Dockerfile" "$@" "$ctx"
}

# only_bootstrap DIR BIN: the runtime stage holds BIN/bootstrap and nothing else.
only_bootstrap() {
	local listing
	listing=$(cd -- "$1" && find . -mindepth 1 | LC_ALL=C sort | tr '\n' ' ')
	[[ $listing == "./$2 ./$2/bootstrap " ]] || {
		diag "runtime content: $listing"
		return 1
	}
	[[ $(stat -c %a "$1/$2/bootstrap") == 755 ]] || {
		diag "mode: $(stat -c %a "$1/$2/bootstrap")"
		return 1
	}
}

# image_files TAG: every path in every layer of TAG (docker save, any format).
image_files() {
	local dir=$work/save layer
	rm -rf -- "$dir"
	mkdir -p -- "$dir"
	"$classic_docker" save "$1" | tar -C "$dir" -xf -
	python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))[0]["Layers"]))' \
		"$dir/manifest.json" | while read -r layer; do
		tar -tf "$dir/$layer"
	done
}

zip_size() {
	rm -f -- "$2"
	(cd -- "$(dirname -- "$1")" && zip -q -X "$2" bootstrap)
	stat -c %s "$2"
}

greet() {
	"$ROOT/tests/lib/invoke.sh" "$1" "$2" '{"name":"world"}' 2>"$work/invoke.log" || {
		sed 's/^/#   /' "$work/invoke.log"
		return 0
	}
}

# --- 3. BuildKit, both architectures -------------------------------------------
no_cache=()
[[ $cold == 1 ]] && no_cache=(--no-cache)
for arch in x86_64 arm64; do
	set_build_args "$arch"
	# Tagged so the image this writes is removed at the end.
	images+=("$repo:deps-$arch")
	if timed "BuildKit deps $arch (cold=$cold)" "$work/deps-$arch.log" \
		bk_build "${build_args[@]}" "${no_cache[@]}" --target deps -t "$repo:deps-$arch"; then
		ok "BuildKit deps stage for $arch"
	else
		not_ok "BuildKit deps stage for $arch"
		continue
	fi
	out=$work/out-$arch
	if timed "BuildKit build+runtime $arch" "$work/runtime-$arch.log" \
		bk_build "${build_args[@]}" --target runtime --output "type=local,dest=$out"; then
		ok "BuildKit runtime stage for $arch"
	else
		not_ok "BuildKit runtime stage for $arch"
		continue
	fi
	if only_bootstrap "$out" hello; then
		ok "runtime stage ($arch) holds only hello/bootstrap, mode 0755"
	else
		not_ok "runtime stage ($arch) holds only hello/bootstrap, mode 0755"
	fi
	check_eq "invoke $arch bootstrap" '{"message":"Hello, world!"}' "$(greet "$out/hello/bootstrap" "$arch")"
	diag "size $arch: bootstrap $(stat -c %s "$out/hello/bootstrap") B, zip $(zip_size "$out/hello/bootstrap" "$work/$arch.zip") B"
done

# --- 4. classic builder, x86_64 (stripped Dockerfile, docker create + cp) ------
set_build_args x86_64
tag="$repo:runtime-x86_64-classic"
# Every stage tagged: removing the tags removes the intermediate images too.
images+=("$repo:deps-x86_64-classic" "$repo:build-x86_64-classic" "$tag")
if timed "classic deps x86_64 (cold)" "$work/classic-deps.log" \
	classic_build "${build_args[@]}" --target deps -t "$repo:deps-x86_64-classic" &&
	timed "classic build+runtime x86_64" "$work/classic.log" \
		classic_build "${build_args[@]}" --target build -t "$repo:build-x86_64-classic" &&
	classic_build "${build_args[@]}" --target runtime -t "$tag" >>"$work/classic.log" 2>&1; then
	ok "classic builder runtime stage for x86_64"
	cname="$run_id-classic"
	containers+=("$cname")
	mkdir -p "$work/classic-out"
	if "$classic_docker" create --name "$cname" "$tag" /hello/bootstrap >/dev/null &&
		"$classic_docker" cp "$cname:/hello" "$work/classic-out/" &&
		image_files "$tag" >"$work/classic-layer.txt"; then
		ok "bootstrap copied out of the classic image"
	else
		not_ok "bootstrap copied out of the classic image"
	fi
	check_eq "classic image layer holds only hello/bootstrap" "hello/ hello/bootstrap " \
		"$(LC_ALL=C sort "$work/classic-layer.txt" | tr '\n' ' ')"
	check_eq "invoke classic x86_64 bootstrap" '{"message":"Hello, world!"}' \
		"$(greet "$work/classic-out/hello/bootstrap" x86_64)"
else
	not_ok "classic builder runtime stage for x86_64"
fi

# --- 5. one-line source edit: deps layer reused, own crate rebuilt -------------
# The edit is unique per run, so the answer proves a real rebuild.
greeting="Hi $run_id"
sed -i "s/\"Hello, {name}!\"/\"$greeting, {name}!\"/" "$ctx/src/src/main.rs"
grep -qF "\"$greeting, {name}!\"" "$ctx/src/src/main.rs" || bail "the source edit did not apply"
for arch in x86_64 arm64; do
	set_build_args "$arch"
	out=$work/edit-$arch
	if timed "BuildKit edit rebuild $arch" "$work/edit-$arch.log" \
		bk_build "${build_args[@]}" --target runtime --output "type=local,dest=$out"; then
		ok "BuildKit rebuild after a source edit ($arch)"
	else
		not_ok "BuildKit rebuild after a source edit ($arch)"
		continue
	fi
	# The deps step's RUN (cargo build of the skeleton) must come from cache.
	step=$(sed -nE 's,^#([0-9]+) \[deps [0-9]+/[0-9]+\] RUN.*,\1,p' "$work/edit-$arch.log" | head -n 1)
	if [[ -n $step ]] && grep -q "^#$step CACHED" "$work/edit-$arch.log"; then
		ok "deps stage reused after a source-only edit ($arch)"
	else
		not_ok "deps stage reused after a source-only edit ($arch)"
	fi
	check_eq "edited $arch bootstrap answers with the edit" "{\"message\":\"$greeting, world!\"}" \
		"$(greet "$out/hello/bootstrap" "$arch")"
done

# --- 6. the same edit natively on the host, for comparison ---------------------
if [[ $host == 1 ]]; then
	hostdir=$work/host
	mkdir -p "$hostdir"
	(cd -- "$example" && tar --exclude=./target -cf - .) | tar -C "$hostdir" -xpf -
	"$ROOT/tests/lib/vendor.sh" --cargo-home-path "$work/host-home" "$example" "$work/host-home" >/dev/null 2>&1
	# shellcheck source=tests/lib/profile.sh
	. "$ROOT/tests/lib/profile.sh"
	profile_load "$ROOT/docker/Dockerfile" || exit 2
	host_cargo() {
		CARGO_HOME=$work/host-home CARGO_TARGET_DIR=$work/host-target \
			cargo build --release --manifest-path "$hostdir/Cargo.toml" "${profile_cfg[@]}"
	}
	if timed "host cargo build --release (cold, same profile)" "$work/host1.log" host_cargo; then
		sed -i "s/\"Hello, {name}!\"/\"$greeting, {name}!\"/" "$hostdir/src/main.rs"
		if timed "host cargo build --release edit rebuild" "$work/host2.log" host_cargo; then
			ok "host native edit rebuild"
		else
			not_ok "host native edit rebuild"
		fi
	else
		not_ok "host native cold build"
	fi
fi

printf '1..%d\n' "$n"
((failed == 0))
