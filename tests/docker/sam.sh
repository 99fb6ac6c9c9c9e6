#!/usr/bin/env bash
# AWS SAM's BuildMethod: makefile and the extensions layer, against the real engine
# and a real aws-sam-cli (PyPI, cached venv: tests/lib/sam.sh). Fixture: a workspace
# with two functions and an extension (sam_fixture), a template building both with
# make. sam build runs make in a scratch copy of CodeUri, .lambda/ included: the
# copied state is the in-place build's, for older code, and must not pass for fresh.
# 1. sam build after an edit: each .aws-sam/build/<LogicalId>/bootstrap (0755) is
#    its own function with the edited code (invoked through the Runtime API), twice;
#    the first build-* stores every bootstrap under the content key, the second
#    takes its own from there;
# 2. no image is named after SAM's scratch dir; a sam build leaves the in-place
#    keys as they were (.aws-sam/ is no input);
# 3. the layer zip: extensions/telemetry only, 0755, fixed mtime, the same bytes
#    when rebuilt; lambda-check checks it.
# Timings: bench/sam/run. Env: LAMBDA_BUILDKIT_DOCKER, LAMBDA_SAM_VERSION, LAMBDA_KEEP=1.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmsam "/tmp/lambda-sam.XXXXXX"
# shellcheck source=tests/lib/sam.sh
. "$src/tests/lib/sam.sh"
need_make

plan 22
if ! sam=$(sam_cli); then
	ok "aws-sam-cli installs from PyPI into a venv" false
	finish
fi
ok "aws-sam-cli installs from PyPI into a venv" test -x "$sam"

p=$work/$run_id-app
sam_fixture "$p"
export LAMBDA_MK=$buildmk LAMBDA_BASE_IMAGE=$image LAMBDA_DOCKER=$bk SAM_CLI_TELEMETRY=0
# sambuild: sam build in the project; output in $out, status in $rc
sambuild() {
	rc=0
	out=$(cd "$p" && "$sam" build 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -30
}
# mk ARGS...: make in the project
mk() {
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$p" "$@" 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -30
}
# answer ID: what .aws-sam/build/ID/bootstrap answers to {"n":1}
answer() { "$src/tests/lib/invoke.sh" "$p/.aws-sam/build/$1/bootstrap" x86_64 '{"n":1}' 2>/dev/null || echo "no answer"; }
scratch_tags() { docker images --format '{{.Repository}}' | grep -c '^lambda-make/tmp' || true; }

# the in-place build of the code as it was: its .lambda/ is what SAM will copy
mk lambda-prod
is "in place: lambda-prod builds" "$rc" 0
tags=$(scratch_tags)

sam_edit "$p" two
sambuild
is "sam build after an edit (stale .lambda/ in the copy)" "$rc" 0
is "HelloFunction: the edited code" "$(answer HelloFunction)" '{"fn":"hello","says":"two","event":{"n":1}}'
is "GoodbyeFunction: its own function" "$(answer GoodbyeFunction)" '{"fn":"goodbye","says":"one","event":{"n":1}}'
is "bootstrap is 0755" "$(stat -c %a "$p/.aws-sam/build/HelloFunction/bootstrap" "$p/.aws-sam/build/GoodbyeFunction/bootstrap" | sort -u)" 755
is "ARTIFACTS_DIR holds bootstrap alone" "$(ls -A "$p/.aws-sam/build/HelloFunction")" bootstrap
ok "GoodbyeFunction: no second build, the first one stored it" \
	grep -q "^lambda-make: build-GoodbyeFunction: .*bytes, built earlier in this sam build or before)" <<<"$out"
ok "HelloFunction: built in its scratch copy" \
	grep -q "^lambda-make: build-HelloFunction: .* bytes)$" <<<"$out"

sam_edit "$p" three
sambuild
is "second sam build after an edit" "$rc" 0
is "HelloFunction: the second edit" "$(answer HelloFunction)" '{"fn":"hello","says":"three","event":{"n":1}}'
is "no image is named after SAM's scratch dirs" "$(scratch_tags)" "$tags"
ok "the images carry the project's name" test -n "$(docker images -q "lambda-make/$run_id-app")"

# in place again: builds three; a sam build of the same code leaves its keys alone
mk lambda-prod
is "in place after the sam builds" "$rc" 0
sambuild
is "sam build of unchanged code: both from the store" \
	"$(grep -c 'bytes, built earlier in this sam build or before)' <<<"$out")" 2
mk LAMBDA_VERBOSE=1 lambda-explain
like "a sam build is no input of the in-place build" "$out" "runtime-x86_64: up to date"

# the extensions layer
z=$p/target/lambda/x86_64/extensions.zip
is "layer zip: extensions/telemetry only, 0755, fixed mtime" \
	"$(zipinfo "$z" | sed -n 's/^\([-rwx]*\) .* \([0-9]*-[A-Za-z]*-[0-9]* [0-9:]*\) \(.*\)$/\1 \2 \3/p')" \
	"-rwxr-xr-x 80-Jan-01 00:00 extensions/telemetry"
is "the extension is the built binary" "$(unzip -p "$z" extensions/telemetry | sha256sum)" \
	"$(sha256sum <"$p/target/lambda/x86_64/extensions/telemetry")"
is "the extension runs" "$("$p/target/lambda/x86_64/extensions/telemetry")" "telemetry extension"
ok "no function package for the extension" test ! -e "$p/target/lambda/x86_64/telemetry"
sum=$(sha256sum <"$z")
rm -rf "$p/target/lambda"
mk lambda-prod
is "rebuilt: the same layer bytes" "$(sha256sum <"$z")" "$sum"
mk lambda-check
like "lambda-check checks the extension" "$out" "extensions/telemetry: ok (extension, x86_64,"
finish
