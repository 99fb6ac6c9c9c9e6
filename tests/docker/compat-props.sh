#!/usr/bin/env bash
# Backward compatibility against the real engine (issue 4, items 6-8), on
# examples/existing-project (no dependencies: builds in seconds):
# - Property 7: random sequences of the project's own commands (make, make build,
#   make test, make package, make clean) from random prior states give the same
#   stdout, exit status and artifacts with the shipped Makefile (one include line)
#   and with a copy whose include line is removed; between them, the build-mode
#   entry points (make lambda-prod, build-lambda.sh, build-lambda.sh prod) give
#   zips byte-identical to a reference built once by make lambda-prod;
# - the legacy mode (build-lambda.sh docker, no cache) gives the same bytes;
# - an installed prefix, found through PKG_CONFIG_PATH only, gives the same bytes;
# - a project dir with spaces builds; build-lambda.sh exit codes 2 (bad usage,
#   nothing built), 3 (daemon down, one line), 1 (compile error).
# Images made here are tagged lambda-make/<run id>-*:* and removed on exit; the
# builder image is kept. Prints TAP.
# Env: LAMBDA_SEED (default: from the clock), LAMBDA_PROP_ITERS (default 100),
#      LAMBDA_BASE_IMAGE (default: docker/builder-image.sh's), LAMBDA_KEEP=1.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmcompat /tmp/lambda-compat.XXXXXX
need_make

iters=${LAMBDA_PROP_ITERS:-100}
seed=${LAMBDA_SEED:-$(($(date +%s%N) / 1000 % 32768))}
client=docker
[[ ! -x /usr/bin/docker ]] || client=/usr/bin/docker
# Every command below sees the same environment; only the Makefiles differ.
export LAMBDA_MK=$buildmk LAMBDA_BASE_IMAGE=$image LAMBDA_DOCKER=$client
bl=$src/docker/build-lambda.sh
fns=(greeter report)
archs=(x86_64 arm64)
secs() { echo "$((SECONDS - $1)) s"; }
fail_out() { printf '# %s\n' "${1//$'\n'/$'\n'# }" | tail -"${2:-25}"; }
# fresh DIR: a pristine copy of the example.
fresh() {
	mkdir -p "$(dirname "$1")"
	cp -r "$src/examples/existing-project" "$1"
	rm -rf "$1/target" "$1/dist" "$1/.lambda"
}
# same_zips DIR ARCH...: every function's zip equals the reference, byte for byte.
same_zips() {
	local d=$1 a f
	shift
	for a in "$@"; do
		for f in "${fns[@]}"; do
			cmp -s "$d/target/lambda/$a/$f/bootstrap.zip" "$work/ref/$a/$f.zip" || return 1
		done
	done
}

plan 27

# --- the reference: make lambda-prod, both architectures ---------------------------
t0=$SECONDS
ref=$work/ref-project
fresh "$ref"
rc=0
out=$(cd "$ref" && LAMBDA_PROJECT=$run_id-ref "$GNUMAKE" -j2 lambda-prod LAMBDA_ARCH="x86_64 arm64" 2>&1) || rc=$?
[[ $rc -eq 0 ]] || fail_out "$out"
is "reference: make lambda-prod, x86_64 and arm64" "$rc" 0
for a in "${archs[@]}"; do
	mkdir -p "$work/ref/$a"
	for f in "${fns[@]}"; do cp "$ref/target/lambda/$a/$f/bootstrap.zip" "$work/ref/$a/$f.zip" 2>/dev/null || true; done
done
ok "reference: a zip per function and architecture" same_zips "$ref" "${archs[@]}"
diag "reference build: $(secs "$t0")"

# --- Property 7 ----------------------------------------------------------------------
# Feature: docker-build-optimization, Property 7: Backward compatibility preservation
A=$work/shipped
B=$work/no-include
fresh "$A"
fresh "$B"
sed -i '/^include /d' "$B/Makefile"
is "the second copy differs only by the include line" \
	"$(diff "$A/Makefile" "$B/Makefile" | grep -c '^[<>]')" 1
export LAMBDA_PROJECT=$run_id-a

# arts DIR: the project's own artifacts, with their sha256.
arts() {
	(cd "$1" && for f in dist/*.tar target/release/greeter; do
		[[ ! -f $f ]] || sha256sum "$f"
	done)
}
# both ACTION: a prior state, applied alike to both copies.
both() {
	local d
	for d in "$A" "$B"; do
		case $1 in
		no-target) rm -rf "$d/target" ;;
		no-dist) rm -rf "$d/dist" ;;
		no-binary) rm -f "$d/target/release/greeter" ;;
		touched) (cd "$d" && find . -path ./target -prune -o -path ./.lambda -prune -o -type f -exec touch {} +) ;;
		broken) rm -rf "$d/target" && mkdir "$d/target" && : >"$d/target/release" ;;
		esac
	done
}
# proj DIR NAME ARGS...: the project's own make, as its users type it, in DIR;
# stdout, stderr and exit status in $work/NAME.{out,err,rc}.
proj() {
	local d=$1 n=$2 rc=0
	shift 2
	(cd "$d" && exec "$GNUMAKE" "$@") >"$work/$n.out" 2>"$work/$n.err" || rc=$?
	echo "$rc" >"$work/$n.rc"
}
# res NAME: stdout (cargo test's wall time masked: not behaviour), then the exit status.
res() { sed -E 's/finished in [0-9.]+s/finished in (time)/' "$work/$1.out"; echo "exit $(cat "$work/$1.rc")"; }

targets=(all build test package clean)
states=(none no-target no-dist no-binary touched broken no-lambda-state no-lambda-target)
entries=("make lambda-prod" "build-lambda.sh" "build-lambda.sh prod --project")
RANDOM=$seed
echo "# seed $seed"
t0=$SECONDS
bad=0 cmds=0 lambda_runs=0 lambda_ms=0
declare -A seen=()
for ((i = 1; i <= iters && bad == 0; i++)); do
	st=${states[RANDOM % ${#states[@]}]}
	seen[$st]=1
	case $st in
	no-lambda-state) rm -rf "$A/.lambda/state" ;;
	no-lambda-target) rm -rf "$A/target/lambda" ;;
	*) both "$st" ;;
	esac
	for ((k = 1 + RANDOM % 3; k > 0; k--)); do
		t=${targets[RANDOM % ${#targets[@]}]}
		args=()
		[[ $t == all ]] || args=("$t")
		cmds=$((cmds + 1))
		# the two copies share nothing: side by side, to use both cores
		proj "$A" a "${args[@]}" &
		pid=$!
		proj "$B" b "${args[@]}"
		wait "$pid"
		if [[ $(res a) != "$(res b)" || $(arts "$A") != "$(arts "$B")" ]]; then
			bad=1
			diag "iteration $i (state $st): 'make ${args[*]}' differs (rerun: LAMBDA_SEED=$seed)"
			diag "with the include: artifacts: $(arts "$A" | tr "\n" " ")"
			fail_out "$(res a)"$'\n'"$(cat "$work/a.err")" 12
			diag "without: artifacts: $(arts "$B" | tr "\n" " ")"
			fail_out "$(res b)"$'\n'"$(cat "$work/b.err")" 12
			break
		fi
	done
	((bad == 0 && RANDOM % 3 == 0)) || continue
	a=${archs[RANDOM % 2]}
	e=$((RANDOM % 3))
	lambda_runs=$((lambda_runs + 1))
	t1=${EPOCHREALTIME/./}
	rc=0
	case $e in
	0) out=$(cd "$A" && "$GNUMAKE" lambda-prod LAMBDA_ARCH="$a" 2>&1) || rc=$? ;;
	1) out=$(cd "$A" && "$bl" --arch "$a" 2>&1) || rc=$? ;;
	*) out=$(cd "$work" && "$bl" prod --arch "$a" --project "$A" 2>&1) || rc=$? ;;
	esac
	lambda_ms=$((lambda_ms + (${EPOCHREALTIME/./} - t1) / 1000))
	if [[ $rc -ne 0 ]] || ! same_zips "$A" "$a" || [[ $(arts "$A") != "$(arts "$B")" ]]; then
		bad=1
		diag "iteration $i (state $st): '${entries[e]}' --arch $a: exit $rc (rerun: LAMBDA_SEED=$seed)"
		diag "zips: $(cd "$A" && sha256sum target/lambda/"$a"/*/bootstrap.zip 2>&1 | tr '\n' ' ')"
		diag "artifacts with the include: $(arts "$A" | tr "\n" " "); without: $(arts "$B" | tr "\n" " ")"
		fail_out "$out"
	fi
done
diag "$((i - 1)) iterations, $cmds project commands in each copy, $lambda_runs lambda builds ($((lambda_ms / 1000)) s of it) (states: ${!seen[*]}) in $(secs "$t0")"
is "Property 7: same output, status and artifacts with and without the include; reference zips (seed $seed)" "$bad" 0

# --- the legacy mode: no cache at all, the same bytes --------------------------------
t0=$SECONDS
L=$work/legacy
fresh "$L"
rc=0
out=$(LAMBDA_PROJECT=$run_id-legacy "$bl" docker --arch x86_64 --project "$L" 2>&1) || rc=$?
[[ $rc -eq 0 ]] || fail_out "$out"
is "build-lambda.sh docker: exit 0" "$rc" 0
like "build-lambda.sh docker: one build of every stage, with --no-cache" "$out" "--stage=runtime --dockerfile=$src/docker/Dockerfile --context=$L/.lambda/ctx --no-cache"
# BuildKit merges a step with an identical one another build runs at the same time.
cached=$(awk '/^#[0-9]+ \[/ { t[$1] = $2 " " $3 " " $4 } /^#[0-9]+ CACHED$/ && t[$1] !~ /FROM$/ { printf "%s; ", t[$1] }' <<<"$out")
[[ -z $cached ]] || diag "legacy: reported CACHED (shared with a concurrent build on this daemon?): $cached"
for f in "${fns[@]}"; do
	got=$L/target/lambda/x86_64/$f/bootstrap.zip
	if ! cmp -s "$got" "$work/ref/x86_64/$f.zip"; then
		diag "$f: legacy zip differs from the prod reference:"
		diag "  $(unzip -Z -v "$got" 2>&1 | grep -iE 'file last modified|CRC|uncompressed size|Unix file attributes' | tr -s ' ' | tr '\n' ';')"
		diag "  $(unzip -Z -v "$work/ref/x86_64/$f.zip" 2>&1 | grep -iE 'file last modified|CRC|uncompressed size|Unix file attributes' | tr -s ' ' | tr '\n' ';')"
		cmp "$L/target/lambda/x86_64/$f/bootstrap" "$ref/target/lambda/x86_64/$f/bootstrap" 2>&1 | sed 's/^/# bootstrap: /' || true
	fi
	ok "build-lambda.sh docker: $f zip identical to prod's" cmp -s "$got" "$work/ref/x86_64/$f.zip"
done
diag "legacy build: $(secs "$t0")"

# --- an installed prefix, found by pkg-config alone ------------------------------------
t0=$SECONDS
prefix=$work/prefix
mkdir -p "$work/inst-build"
rc=0
(cd "$work/inst-build" && "$src/configure" -q --prefix="$prefix" && "$GNUMAKE" -s -j2 && "$GNUMAKE" -s install) \
	>"$work/install.log" 2>&1 || rc=$?
[[ $rc -eq 0 ]] || fail_out "$(cat "$work/install.log")"
is "configure --prefix, make, make install" "$rc" 0
P=$work/installed-user
fresh "$P"
rc=0
out=$(cd "$P" && env -u LAMBDA_MK PKG_CONFIG_PATH="$prefix/lib/pkgconfig" LAMBDA_PROJECT="$run_id-inst" \
	"$GNUMAKE" lambda-prod LAMBDA_ARCH=x86_64 LAMBDA_VERBOSE=1 2>&1) || rc=$?
[[ $rc -eq 0 ]] || fail_out "$out"
is "installed: make lambda-prod with only PKG_CONFIG_PATH" "$rc" 0
like "installed: the installed scripts ran" "$out" "$prefix/share/lambda-make/docker/lambda-stage.sh"
ok "installed: zips identical to the build tree's" same_zips "$P" x86_64
diag "install + build: $(secs "$t0")"

# --- a project dir with spaces ----------------------------------------------------------
S="$work/with space/pro ject"
fresh "$S"
rc=0
out=$(cd "$S" && LAMBDA_PROJECT=$run_id-space "$bl" --arch all 2>&1) || rc=$?
[[ $rc -eq 0 ]] || fail_out "$out"
is "dir with spaces: build-lambda.sh --arch all" "$rc" 0
ok "dir with spaces: both architectures, reference zips" same_zips "$S" "${archs[@]}"
like "dir with spaces: packages checked" "$out" "lambda-check: $S/target/lambda/arm64/greeter/bootstrap: ok (arm64"

# --- build-lambda.sh exit codes ---------------------------------------------------------
E=$work/errors
fresh "$E"
export LAMBDA_PROJECT=$run_id-err
# bl_in ARGS...: build-lambda.sh from the project dir; out (stdout+stderr) and rc set.
bl_in() {
	rc=0
	out=$(cd "$E" && "$bl" "$@" 2>&1) || rc=$?
}
bl_in bogus
is "unknown mode: exit 2" "$rc" 2
like "unknown mode: valid ones named" "$out" "unknown mode 'bogus' (valid: dev, prod, docker)"
bl_in prod --arch sparc
is "unknown arch: exit 2" "$rc" 2
like "unknown arch: valid values listed" "$out" "invalid value 'sparc'"
bl_in --runtime al1
is "unknown runtime: exit 2" "$rc" 2
like "unknown runtime: valid values listed" "$out" "(valid: al2023, al2)"
ok "bad usage: nothing built (no .lambda/state, no target/lambda)" test ! -e "$E/.lambda/state" -a ! -e "$E/target/lambda"

mkdir -p "$work/fake"
printf '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n' \
	>"$work/fake/docker"
chmod +x "$work/fake/docker"
rc=0
out=$(cd "$E" && env -u LAMBDA_DOCKER PATH="$work/fake:$PATH" "$bl" --arch x86_64 2>&1) || rc=$?
is "daemon down: exit 3" "$rc" 3
is "daemon down: one line, ours" "$(wc -l <<<"$out") $(grep -c 'build-lambda.sh: cannot reach the Docker daemon' <<<"$out")" "1 1"

printf 'fn broken( {\n' >>"$E/src/main.rs"
bl_in --arch x86_64
[[ $rc -eq 1 ]] || fail_out "$out"
is "compile error: exit 1" "$rc" 1
like "compile error: rustc's message shown" "$out" "src/main.rs"
ok "compile error: no runtime stamp, no package" \
	test ! -e "$E/.lambda/state/runtime-x86_64" -a ! -e "$E/target/lambda/x86_64/greeter/bootstrap.zip"
finish
