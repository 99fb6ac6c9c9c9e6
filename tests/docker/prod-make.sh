#!/usr/bin/env bash
# The production path through make, against the real engine: examples/hello (in a
# dir with spaces) built for x86_64 and arm64 by one make without -j (both at
# once), invoked through a loopback
# Runtime API, and the content-key decisions checked: a no-op starts no docker
# command, touch rebuilds nothing, a source edit reruns only build+runtime, a
# manifest edit reruns deps, a base change reruns base; reproducible zips; an
# interrupted build leaves nothing that looks up to date; classic = BuildKit bytes.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmt "/tmp/lambda make prod.XXXXXX"
need_make

proj="$work/hello world"
cp -r "$src/examples/hello" "$proj"
rm -rf "$proj/target"
# a source no earlier run built: the first build compiles the project's crate for
# both arches for real, whatever the engine's cache holds (the order check needs it)
printf '\n// %s\n' "$run_id" >>"$proj/src/main.rs"
ch=$work/cargo-home
"$src/tests/lib/vendor.sh" "$proj" "$ch" >/dev/null

# A docker wrapper that logs every call, to prove a no-op calls nothing.
mkdir -p "$work/bin"
cat >"$work/bin/docker" <<W
#!/bin/sh
echo "\$*" >>"$work/docker-calls"
exec "$bk" "\$@"
W
chmod +x "$work/bin/docker"

# mk ARGS...: make lambda targets in the project; output in $out, status in $rc.
mk() {
	rc=0
	: >"$work/docker-calls"
	out=$("$GNUMAKE" --no-print-directory -C "$proj" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_CARGO_HOME="$ch" LAMBDA_PROJECT="$run_id" LAMBDA_DOCKER="$work/bin/docker" \
		LAMBDA_ARCH="x86_64 arm64" "$@" 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -40
}
calls() { grep -c . "$work/docker-calls" || true; }
# stages: the stages the last mk ran, from the command lines (make -n) or the
# one line per stage of a quiet build ("lambda-make: deps-x86_64: built in ...").
stages() {
	sed -nE 's/.*(--stage=[a-z]+).*/\1/p; s/^lambda-make: ([a-z]+)-(x86_64|arm64): (built|cached) in .*/--stage=\1/p' <<<"$out" |
		sort -u | tr '\n' ' '
}
zipsum() { sha256sum "$proj/target/lambda/$1/hello/bootstrap.zip" | cut -c1-64; }

plan 34
t0=$(date +%s.%N)
mk lambda-prod
t1=$(date +%s.%N)
diag "cold-ish prod build, both arches: $(echo "$t1 - $t0" | bc) s"
is "make lambda-prod (no -j), both arches" "$rc" 0
# One after the other, every x86_64 line would come before the first arm64 one.
first_arm=$(grep -n -m1 -- '-arm64: ' <<<"$out" | cut -d: -f1)
last_x86=$(grep -n -- '-x86_64: ' <<<"$out" | tail -n1 | cut -d: -f1)
ok "no -j: the arches build at the same time (an arm64 stage ends before x86_64's last)" \
	test "${first_arm:-999}" -lt "${last_x86:-0}"
for a in x86_64 arm64; do
	ok "$a: bootstrap and bootstrap.zip" test -x "$proj/target/lambda/$a/hello/bootstrap" -a -f "$proj/target/lambda/$a/hello/bootstrap.zip"
	body=$("$src/tests/lib/invoke.sh" "$proj/target/lambda/$a/hello/bootstrap" $a '{"name":"world"}' 2>&1 || true)
	is "$a: the function answers an invocation" "$body" '{"message":"Hello, world!"}'
done
is "zip holds only bootstrap, mode 0755" \
	"$(unzip -Z "$proj/target/lambda/arm64/hello/bootstrap.zip" | awk '/bootstrap$/ {print $1, $NF}')" "-rwxr-xr-x bootstrap"
like "lambda-prod checks the packages" "$out" "lambda-check: $proj/target/lambda/arm64/hello/bootstrap: ok (arm64, GLIBC_"

t0=$(date +%s.%N)
mk lambda-prod
t1=$(date +%s.%N)
is "no-op: no docker command at all" "$(calls)" 0
diag "no-op make lambda-prod: $(echo "($t1 - $t0) * 1000" | bc | cut -d. -f1) ms"
find "$proj" -path "$proj/target" -prune -o -type f -exec touch {} +
mk lambda-prod
is "touch without a content change: no docker command" "$(calls)" 0

echo '// a comment changes the content' >>"$proj/src/main.rs"
mk lambda-prod
is "source edit: only build+runtime rerun" "$(stages)" "--stage=runtime "
# Quiet by default: a line per stage, none of Docker's output, no command lines.
ok "quiet: one line per stage and arch, no Docker output" eval \
	'[[ $out == *"lambda-make: runtime-x86_64: built in "*" s (BuildKit)"* && $out == *"lambda-make: runtime-arm64: built in "* &&
	   $out != *"#1 "* && $out != *"lambda-stage.sh --docker"* ]]'
is ".lambda/ ignores itself in git" "$(cat "$proj/.lambda/.gitignore")" "*"
echo '[features]' >>"$proj/Cargo.toml"
echo 'extra = []' >>"$proj/Cargo.toml"
mk lambda-prod
is "manifest edit: deps reruns too" "$(stages)" "--stage=deps --stage=runtime "
is "every step succeeded" "$rc" 0
# The deps tag is the tiny deps-id image, not the compiled dependency layer (whose
# export would cost seconds per dependency change): one file, the step's id.
info=$(docker image inspect -f '{{.Size}} {{len .RootFS.Layers}}' "lambda-make/$run_id:deps-x86_64" 2>&1 || true)
read -r size layers _ <<<"$info"
small=no
[[ ${layers:-} == 1 && ${size:-} =~ ^[0-9]+$ ]] && ((size < 1024)) && small=yes
is "the deps tag holds only the deps step's id (one layer, < 1 KB)" "$small" yes
[[ $small == yes ]] || diag "deps tag (size, layers): $info"
# A new base image name: docker would rebuild every layer above it (minutes), so
# the decision is checked with make -n; the engine's side is Property 1's test.
docker tag "$image" "$run_id-base:1"
mk -n lambda-prod LAMBDA_BASE_IMAGE="$run_id-base:1"
is "base image change: base, deps and runtime would rerun" "$(stages)" "--stage=base --stage=deps --stage=runtime "

before=$(zipsum x86_64)
rm -rf "$proj/target/lambda" "$proj/.lambda/state"
mk lambda-prod LAMBDA_BASE_IMAGE="$image"
is "rebuilt from a clean state: identical zip bytes" "$(zipsum x86_64)" "$before"
mk lambda-prod LAMBDA_BASE_IMAGE="$image" SOURCE_DATE_EPOCH=1700000000
ok "SOURCE_DATE_EPOCH is honoured (zip bytes differ)" test "$(zipsum x86_64)" != "$before"
like "SOURCE_DATE_EPOCH: entry time" "$(unzip -Z -T "$proj/target/lambda/x86_64/hello/bootstrap.zip" | grep bootstrap)" "20231114.2213"

# An interrupted build leaves nothing that looks up to date.
echo '// interrupted edit' >>"$proj/src/main.rs"
stamp_before=$(cat "$proj/.lambda/state/runtime-x86_64")
( exec setsid "$GNUMAKE" --no-print-directory -C "$proj" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
	LAMBDA_CARGO_HOME="$ch" LAMBDA_PROJECT="$run_id" LAMBDA_DOCKER="$bk" LAMBDA_ARCH=x86_64 \
	SOURCE_DATE_EPOCH=1700000000 lambda-prod >/dev/null 2>&1 ) &
pid=$!
sleep 4
kill -INT -- "-$pid" 2>/dev/null || kill -INT "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
is "SIGINT: the stamp was not advanced" "$(cat "$proj/.lambda/state/runtime-x86_64")" "$stamp_before"
zip_ok() { unzip -tq "$1" >/dev/null 2>&1; }
ok "SIGINT: the old zip is still whole" zip_ok "$proj/target/lambda/x86_64/hello/bootstrap.zip"
mk -n lambda-prod LAMBDA_BASE_IMAGE="$image" SOURCE_DATE_EPOCH=1700000000 LAMBDA_ARCH=x86_64
like "SIGINT: the next run rebuilds" "$out" "--stage=runtime"

# A stale or corrupt state file is detected: rebuilt, not trusted.
echo garbage >"$proj/.lambda/state/runtime-arm64"
mk lambda-prod LAMBDA_BASE_IMAGE="$image" SOURCE_DATE_EPOCH=1700000000
like "corrupt stamp: the stage reruns" "$(stages)" "--stage=runtime"

# The classic builder gives the same bytes as BuildKit (a fixture without
# dependencies: the two builders do not share a layer cache).
small="$work/small project"
cp -r "$src/examples/existing-project" "$small"
rm -rf "$small/target"
small_zip() { # DOCKER [MAKE ARGS...]
	local docker=$1
	shift
	rm -rf "$small/target/lambda" "$small/.lambda"
	"$GNUMAKE" --no-print-directory -C "$small" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id" LAMBDA_DOCKER="$docker" LAMBDA_ARCH=x86_64 LAMBDA_VERBOSE=1 "$@" lambda-prod >"$work/small.log" 2>&1 &&
		sha256sum "$small/target/lambda/x86_64/greeter/bootstrap.zip" | cut -c1-64
}
bk_zip=$(small_zip "$bk" || true)
classic_zip=$(small_zip "$classic" || true)
like "classic builder used" "$(cat "$small/.lambda/builder")" "classic"
# Docker's own notice would tell the user to remove a DOCKER_BUILDKIT=0 they never
# set; our line says which builder ran and how to get BuildKit instead.
ok "classic: no legacy-builder notice, our line says what BuildKit adds" eval \
	'! grep -q "DEPRECATED: The legacy builder" "$work/small.log" && grep -q "deps-x86_64: \(built\|cached\) in .*classic builder: .*docker-buildx" "$work/small.log"'
ok "BuildKit build of the small project" test -n "$bk_zip"
is "classic builder: identical zip bytes" "$classic_zip" "$bk_zip"

# The prod profile: docker/Dockerfile's default keys reach rustc, and a key the
# project's own [profile.release] sets wins over its default.
# The engine's build cache outlives a run: a source unique to this run makes the
# build stage (and its rustc lines) run for real.
greeter_rustc() { grep -m1 -o -- '--crate-name greeter .*' "$work/small.log" || true; }
printf '\n// %s\n' "$run_id" >>"$small/src/main.rs"
small_zip "$bk" LAMBDA_CARGO_FLAGS=-v >/dev/null || true
line=$(greeter_rustc)
like "default profile: opt-level z reaches rustc" "$line" "-C opt-level=z "
like "default profile: one codegen unit" "$line" "-C codegen-units=1 "
printf '\n[profile.release]\nopt-level = 2\n' >>"$small/Cargo.toml"
small_zip "$bk" LAMBDA_CARGO_FLAGS=-v >/dev/null || true
line=$(greeter_rustc)
like "the project's own opt-level wins" "$line" "-C opt-level=2 "
like "the other default keys still apply" "$line" "-C codegen-units=1 "
# the same choice in another TOML form (an inline table under [profile]), which
# no line-by-line reading of the manifest sees
sed -i '/^\[profile.release\]$/,$d' "$small/Cargo.toml"
printf '[profile]\nrelease = { opt-level = 1 }\n' >>"$small/Cargo.toml"
small_zip "$bk" LAMBDA_CARGO_FLAGS=-v >/dev/null || true
line=$(greeter_rustc)
like "the project's own opt-level wins, written as an inline table" "$line" "-C opt-level=1 "
like "the other default keys still apply with it" "$line" "-C codegen-units=1 "
finish
