#!/usr/bin/env bash
# lambda.mk without Docker: inclusion leaves the host Makefile alone, settings are
# validated before anything runs, commands are generated and quoted, a missing
# daemon gives one clear line. (Docker builds: tests/docker/.)
set -euo pipefail
# shellcheck source=tests/lib/tap.sh
. "${LAMBDA_SRCDIR:?}/tests/lib/tap.sh"
: "${LAMBDA_PLUGIN:?}" "${GNUMAKE:=make}"
buildmk=$(dirname "$(dirname "$LAMBDA_PLUGIN")")/lambda-uninstalled.mk
[[ -f $buildmk ]] || { echo "1..0 # no $buildmk"; exit 1; }

work=$(mktemp -d /tmp/lambda-make-mk.XXXXXX)
trap 'rm -rf "$work"' EXIT
proj="$work/my proj's dir"
cp -r "$LAMBDA_SRCDIR/examples/existing-project" "$proj"
rm -rf "$proj/target"
cd "$proj"
sed '/^include /d; /^# The one line/d' Makefile >Makefile.orig

# run NAME ARGS...: make with the include (LAMBDA_MK = the build tree); sets out/rc.
run() {
	rc=0
	out=$("$GNUMAKE" --no-print-directory LAMBDA_MK="$buildmk" "$@" 2>&1) || rc=$?
}

plan 23

is "default goal unchanged (make -n)" "$("$GNUMAKE" -n LAMBDA_MK="$buildmk" 2>&1)" "$("$GNUMAKE" -n -f Makefile.orig 2>&1)"
for t in build test package clean; do
	is "target '$t' unchanged (make -n $t)" "$("$GNUMAKE" -n LAMBDA_MK="$buildmk" $t 2>&1)" "$("$GNUMAKE" -n -f Makefile.orig $t 2>&1)"
done
is "the including Makefile's variables unchanged" \
	"$("$GNUMAKE" -s LAMBDA_MK="$buildmk" -f Makefile -f - show <<<'show: ; @echo $(CARGO) $(DIST) $(VERSION) $(.DEFAULT_GOAL)')" \
	"$("$GNUMAKE" -s -f Makefile.orig -f - show <<<'show: ; @echo $(CARGO) $(DIST) $(VERSION) $(.DEFAULT_GOAL)')"

run lambda-help
like "lambda-help lists the targets" "$out" "lambda-{base,deps,build,runtime}-{x86_64,arm64}"
like "lambda-help shows current values" "$out" "LAMBDA_ARCH = x86_64"
ok "lambda-help ends with its own text, not make's \"Nothing to be done\"" test "${out##*Nothing to be done*}" = "$out"
run lambda-config LAMBDA_ARCH=all LAMBDA_RUNTIME=al2
like "lambda-config prints the BuildConfig" "$out" "target_arch=x86_64,arm64 targets=x86_64-unknown-linux-gnu,aarch64-unknown-linux-gnu runtime=al2 "

run lambda-prod LAMBDA_ARCH=sparc
is "unknown arch: exit 2" "$rc" 2
like "unknown arch: valid values listed" "$out" "LAMBDA_ARCH: invalid value 'sparc' (valid: x86_64, arm64"
ok "unknown arch: nothing created" test ! -e .lambda
run lambda-prod LAMBDA_RUNTIME=al1
like "unknown runtime: valid values listed" "$out" "(valid: al2023, al2)"
run lambda-prod LAMBDA_FUNCTIONS=nope
like "unknown function: named with the binaries that exist" "$out" "LAMBDA_FUNCTIONS: 'nope' is not a binary of $proj (binaries: greeter, report)"

run -n lambda-prod LAMBDA_ARCH="x86_64 arm64" LAMBDA_FUNCTIONS=greeter
like "make -n shows the quoted stage commands" "$out" "--stage=base --dockerfile=$LAMBDA_SRCDIR/docker/Dockerfile '--context=$work/my proj'\\''s dir/.lambda/ctx' --tag=lambda-make/my-proj-s-dir:base-arm64"
like "make -n shows the package step" "$out" "lambda-package.sh '--from=$work/my proj'\\''s dir/.lambda/out/x86_64'"
like "make -n: functions passed on" "$out" "--build-arg=LAMBDA_BINS=greeter"
ok "make -n: no stamp written" test ! -e .lambda/state

# A docker client that cannot reach a daemon.
mkdir -p "$work/bin"
printf '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2\nexit 1\n' >"$work/bin/docker"
chmod +x "$work/bin/docker"
rc=0
out=$(PATH="$work/bin:$PATH" "$GNUMAKE" --no-print-directory LAMBDA_MK="$buildmk" lambda-prod 2>&1) || rc=$?
is "daemon down: make fails" "$rc" 2
is "daemon down: one clear line from us" "$(grep -c 'lambda-stage: cannot reach the Docker daemon' <<<"$out")" 1
ok "daemon down: no stamp, no recorded inputs, no package" test -z "$(find .lambda/state -type f 2>/dev/null)" -a ! -e target/lambda

rc=0
out=$(PKG_CONFIG_PATH=/nonexistent PKG_CONFIG_LIBDIR=/nonexistent "$GNUMAKE" build 2>&1) || rc=$?
like "no lambda-make.pc: the include fails with a clear error" "$out" "lambda-make: pkg-config cannot find lambda-make.pc"
finish
