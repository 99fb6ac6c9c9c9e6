#!/usr/bin/env bash
# The development container against the real engine: Properties 2, 3, 4 and 6
# of the design (>= 100 seeded iterations each, except the measured Property 6),
# plus ownership, config-hash recreation, concurrency, paths with spaces, a
# container removed mid-build and a daemon that cannot be reached.
# Fixture: examples/existing-project (no dependencies: builds in seconds).
# Containers and the registry volume made here carry a per-run prefix and are
# removed on exit; the builder image is kept. Prints TAP.
# Env: LAMBDA_SEED (default: from the clock), LAMBDA_PROP_ITERS (default 100),
#      LAMBDA_BASE_IMAGE (default: docker/builder-image.sh's), LAMBDA_KEEP=1,
#      LAMBDA_TEST_ENGINE=podman (the engine driven: docker-env.sh; podman-dev-props.sh).
set -euo pipefail
src=${LAMBDA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmdev "/tmp/lambda dev props.XXXXXX"

need_make
iters=${LAMBDA_PROP_ITERS:-100}
seed0=${LAMBDA_SEED:-$(($(date +%s) % 32768))}
dc=$src/docker/dev-container.sh
export LAMBDA_DEV_VOLUME=$run_id-registry XDG_RUNTIME_DIR=$work/run
mkdir -p "$XDG_RUNTIME_DIR"
# Run the container as a non-root uid when we are root, to see real ownership.
if [[ $(id -u) -eq 0 ]]; then
	export LAMBDA_DEV_USER=${LAMBDA_DEV_USER:-1000:1000}
fi
uid=${LAMBDA_DEV_USER:-$(id -u):$(id -g)}
uid=${uid%%:*}

proj="$work/pro ject"
cp -r "$src/examples/existing-project" "$proj"
rm -rf "$proj/target"
chmod 0755 "$work"
chmod -R a+rwX "$proj"
name=$run_id-a

# dev CMD [ARGS...]: dev-container.sh on the fixture; output in $out, status in $rc.
dev() {
	local c=$1
	shift
	rc=0
	out=$("$dc" "$c" --docker="$eng" --dir="$proj" --container="$name" --image="$image" --function=greeter "$@" 2>&1) ||
		rc=$?
}
cid() { "$eng" inspect --format '{{.Id}}' "$name" 2>/dev/null || echo none; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
bin=$proj/target/lambda-dev/x86_64/greeter/bootstrap
fail_out() { printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -20; }

plan 18

# --- basics -------------------------------------------------------------------------
t0=$(date +%s%N)
dev build
is "first build (no container): exit 0" "$rc" 0
[[ $rc -eq 0 ]] || fail_out
diag "cold dev build of the fixture: $(ms_since "$t0") ms"
ok "bootstrap placed, mode 0755, x86-64 ELF" \
	test "$(stat -c %a "$bin" 2>/dev/null)" = 755 -a "$(head -c4 "$bin" | od -An -c | tr -d ' ')" = '177ELF'
# <arch>/<fn>/bootstrap are placed by dev-container.sh on the host, as its caller
others=$(find "$proj/target/lambda-dev" \( -path "$proj/target/lambda-dev/x86_64" -o \
	-path "$proj/target/lambda-dev/arm64" \) -prune -o ! -user "$uid" -print | head -3)
is "every file cargo wrote in the tree is owned by uid $uid (not root)" "$others" ""
is "status after build" "$("$dc" status --docker="$eng" --container="$name")" running
like "container labelled with the project dir" \
	"$("$eng" inspect --format '{{index .Config.Labels "lambda-make.project"}}' "$name")" "$proj"

# --- Property 2 -------------------------------------------------------------------
# Feature: docker-build-optimization, Property 2: Development container persistence
seed=$seed0
RANDOM=$seed
echo "# seed $seed"
first=$(cid)
bad=0 edits=0 t0=$(date +%s%N)
for ((i = 1; i <= iters; i++)); do
	if ((RANDOM % 4 == 0)); then
		edits=$((edits + 1))
		printf '#[allow(dead_code)]\nconst EDIT_%d_%d: u32 = %d;\n' "$i" "$RANDOM" "$RANDOM" >>"$proj/src/main.rs"
	fi
	dev build
	if [[ $rc -ne 0 || $(cid) != "$first" || ! $bin -nt $proj/src/main.rs ]]; then
		[[ $rc -eq 0 ]] || fail_out
		bad=$((bad + 1))
		diag "iteration $i: rc=$rc id=$(cid)"
		break
	fi
done
diag "$iters dev builds ($edits with an edit) in $(ms_since "$t0") ms"
is "Property 2: $iters builds reuse one running container (seed $seed)" "$bad" 0

# --- Property 3 -------------------------------------------------------------------
# Feature: docker-build-optimization, Property 3: Automatic container lifecycle management
seed=$(((seed0 + 1) % 32768))
RANDOM=$seed
echo "# seed $seed"
bad=0 t0=$(date +%s%N)
declare -A seen=()
for ((i = 1; i <= iters; i++)); do
	case $((RANDOM % 5)) in
	0) s=removed; "$eng" rm -f "$name" >/dev/null ;;
	1) s=stopped; "$eng" stop "$name" >/dev/null ;;
	2) s=killed; "$eng" kill "$name" >/dev/null 2>&1 || true ;;
	3) s=paused; "$eng" pause "$name" >/dev/null 2>&1 || true ;;
	*) s=running ;;
	esac
	seen[$s]=1
	dev build
	st=$("$dc" status --docker="$eng" --container="$name" || true)
	if [[ $rc -ne 0 || $st != running || ! -x $bin ]]; then
		[[ $rc -eq 0 ]] || fail_out
		bad=$((bad + 1))
		diag "iteration $i ($s): rc=$rc status=$st"
		break
	fi
done
diag "$iters builds from random states (${!seen[*]}) in $(ms_since "$t0") ms"
is "Property 3: a build starts or reuses a container from any state (seed $seed)" "$bad" 0

# --- Property 4 -------------------------------------------------------------------
# Feature: docker-build-optimization, Property 4: Source code volume mounting
seed=$(((seed0 + 2) % 32768))
RANDOM=$seed
echo "# seed $seed"
dev start
bad=0
for ((i = 1; i <= iters; i++)); do
	d=src/gen$((RANDOM % 4))
	f="$d/file $i-$RANDOM.rs"
	# the size is drawn here, not inside $(...), whose subshell reseeds RANDOM
	n=$((RANDOM % 256))
	content="// $RANDOM $RANDOM $i"$'\n'"$(head -c "$n" /dev/urandom | base64 -w0)"
	mkdir -p "$proj/$d"
	printf '%s' "$content" >"$proj/$f"
	# the trailing "." keeps a final newline that $(...) would strip (n = 0)
	got=$("$eng" exec "$name" cat "/workspace/$f" 2>&1 || true; echo .)
	got=${got%.}
	if [[ $got != "$content" ]]; then
		bad=$((bad + 1))
		diag "iteration $i: $f differs in the container"
		break
	fi
done
rm -rf "$proj"/src/gen?
is "Property 4: $iters host writes visible in the container at once (seed $seed)" "$bad" 0

# --- configuration hash -------------------------------------------------------------
before=$(cid)
dev build
is "same configuration: same container" "$(cid)" "$before"
dev build --arch=x86_64,arm64
like "arch change: recreated with a notice" "$out" "different configuration"
ok "arch change: a new container, both architectures built" \
	test "$(cid)" != "$before" -a -x "$proj/target/lambda-dev/arm64/greeter/bootstrap"
dev build

# --- removed mid-build, concurrency, daemon down ---------------------------------------
printf '#[allow(dead_code)]\nconst MID: u32 = %d;\n' "$RANDOM" >>"$proj/src/main.rs"
"$dc" build --docker="$eng" --dir="$proj" --container="$name" --image="$image" --function=greeter >/dev/null 2>&1 &
pid=$!
sleep 0.5
"$eng" rm -f "$name" >/dev/null 2>&1 || true
wait "$pid" && mid=0 || mid=$?
diag "the build whose container was removed exited $mid"
dev build
is "container removed mid-build: the next build succeeds" "$rc" 0

name=$run_id-race
"$dc" build --docker="$eng" --dir="$proj" --container="$name" --image="$image" --function=greeter >"$work/a.log" 2>&1 &
a=$!
"$dc" build --docker="$eng" --dir="$proj" --container="$name" --image="$image" --function=greeter >"$work/b.log" 2>&1 &
b=$!
ra=0 rb=0
wait "$a" || ra=$?
wait "$b" || rb=$?
is "two concurrent builds: both succeed" "$ra $rb" "0 0"
is "two concurrent builds: one container" "$("$eng" ps -a --format '{{.Names}}' | grep -cx -- "$name")" 1

# an engine that cannot be reached: docker's socket, or podman's remote client
down=$eng
if [[ $eng == podman ]]; then
	printf '#!/bin/sh\nexec podman --remote --url unix:///nonexistent.sock "$@"\n' >"$work/podman-remote"
	chmod +x "$work/podman-remote"
	down=$work/podman-remote
fi
rc=0
out=$(DOCKER_HOST=unix:///nonexistent.sock "$dc" status --docker="$down" --container="$name" 2>&1) || rc=$?
is "daemon unreachable: exit 3" "$rc" 3
is "daemon unreachable: one line" "$(wc -l <<<"$out")" 1

# --- Property 6 -------------------------------------------------------------------
# Feature: docker-build-optimization, Property 6: Build mode optimization behavior
seed=$(((seed0 + 3) % 32768))
RANDOM=$seed
echo "# seed $seed"
plugin=${LAMBDA_PLUGIN:-$src/.libs/lambda.so}
buildmk=$(dirname "$(dirname "$plugin")")/lambda-uninstalled.mk
prod="$work/prod copy"
cp -r "$src/examples/existing-project" "$prod"
rm -rf "$prod/target"
# prod EDIT: one prod build of the copy; seconds in $secs.
prodbuild() {
	local t
	t=$(date +%s%N)
	rc=0
	out=$(make --no-print-directory -C "$prod" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id" LAMBDA_DOCKER="$eng" LAMBDA_ARCH=x86_64 LAMBDA_FUNCTIONS=greeter lambda-prod 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || fail_out
	msecs=$(ms_since "$t")
}
# edit_both: the same one-line edit in both copies.
edit_both() {
	local v=$RANDOM p
	for p in "$proj" "$prod"; do
		grep -q '^const _P6' "$p/src/main.rs" || echo 'const _P6: u32 = 0;' >>"$p/src/main.rs"
		sed -i "s/^const _P6: u32 = .*/const _P6: u32 = $v;/" "$p/src/main.rs"
	done
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
name=$run_id-a
prodbuild
prc=$rc
devt=() prodt=()
for i in 1 2 3; do
	edit_both
	t=$(date +%s%N)
	dev build
	devt+=("$(ms_since "$t")")
	[[ $rc -eq 0 ]] || { fail_out; prc=$rc; }
	prodbuild
	prodt+=("$msecs")
	[[ $rc -eq 0 ]] || prc=$rc
done
dm=$(median "${devt[@]}") pm=$(median "${prodt[@]}")
diag "one-line edit rebuild: dev ${devt[*]} ms (median $dm), prod ${prodt[*]} ms (median $pm)"
ok "Property 6: dev rebuild faster than prod (dev $dm ms < prod $pm ms) (seed $seed)" \
	test "$prc" -eq 0 -a "$dm" -lt "$pm"
pz=$(stat -c %s "$prod/target/lambda/x86_64/greeter/bootstrap.zip" 2>/dev/null || echo 0)
db=$(stat -c %s "$bin")
diag "prod bootstrap.zip $pz bytes, dev bootstrap $db bytes"
ok "Property 6: prod package smaller than the dev binary ($pz < $db bytes) (seed $seed)" \
	test "$pz" -gt 0 -a "$pz" -lt "$db"

finish
