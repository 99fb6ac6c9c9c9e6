#!/usr/bin/env bash
# The inner loop (issue 21): make lambda-invoke and make lambda-watch against the
# real engine, with a client nobody here wrote (awscli from PyPI, in a cached
# virtualenv). Fixture: tests/fixtures/local (an event echo with a version mark
# that fails or sleeps on request, and an HTTP function that reads the function
# URL event with serde_json: lambda_http would add ~20 crates to every cold
# build for no extra coverage of our side). lambda-invoke: the response on
# stdout and the function's log on stderr, the Runtime API headers, a fresh
# build skipped, a handler error and a timeout (exit codes, stderr, nothing left
# running), bad settings; arm64 under emulation. lambda-watch on a free port:
# `aws lambda invoke --endpoint-url` before and after a save (the new answer), a
# function error, an unknown function, the function URL mapping, Ctrl-C (the
# functions and the container it started are stopped). Prints TAP.
set -euo pipefail
src=${LAMBDA_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmloop "/tmp/lambda local loop.XXXXXX"
# shellcheck source=tests/lib/awscli.sh
. "$src/tests/lib/awscli.sh"
need_make

proj=$work/proj
cp -r "$src/tests/fixtures/local" "$proj"
rm -rf "$proj/target"
"$src/tests/lib/vendor.sh" "$proj" "$work/cargo-home" >/dev/null 2>"$work/vendor.log" ||
	{ echo "1..0 # cannot vendor the fixture: $(tail -1 "$work/vendor.log")"; exit 1; }
export LAMBDA_DEV_VOLUME=$run_id-registry XDG_RUNTIME_DIR=$work/run
mkdir -p "$XDG_RUNTIME_DIR"
ctr=$run_id-dev
printf '{"n":1}' >"$work/ev.json"

# mk ARGS...: make in the project; stdout in $out, stderr in $err, status in $rc.
mk() {
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$proj" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_CONTAINER="$ctr" LAMBDA_CARGO_HOME="$work/cargo-home" "$@" 2>"$work/err") || rc=$?
	err=$(<"$work/err")
}
show() { printf '#   %s\n' "${err//$'\n'/$'\n'#   }" | tail -15; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$1" "$2" 2>/dev/null || echo "(not JSON: $1)"; }
# running_bootstraps: processes in the container that run a bootstrap
running_bootstraps() { docker top "$ctr" -o args 2>/dev/null | grep -c 'bootstrap' || true; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
edit_version() { sed -i "s/const VERSION: &str = \"[^\"]*\"/const VERSION: \&str = \"$1\"/" "$proj/src/bin/echo.rs"; }

plan 38

# --- lambda-invoke ------------------------------------------------------------------
mk lambda-invoke LAMBDA_FUNCTION=echo LAMBDA_EVENT="$work/ev.json"
is "lambda-invoke (cold: builds dev first) exits 0" "$rc" 0
[[ $rc -eq 0 ]] || show
is "the response body alone on stdout" "$(field "$out" version) $(field "$out" event)" "v1 {'n': 1}"
like "the function's own log on stderr" "$err" "echo: request "
is "the function ARN header" "$(field "$out" arn)" "arn:aws:lambda:us-east-1:123456789012:function:echo"
is "the trace header is set" "$(field "$out" trace)" True
d=$(field "$out" deadline_in_ms)
ok "the deadline header is about LAMBDA_TIMEOUT (3 s) ahead ($d ms)" test "$d" -gt 0 -a "$d" -le 3000
ok "a request id" test -n "$(field "$out" request_id)"
is "nothing left running in the container" "$(running_bootstraps)" 0

mk lambda-invoke LAMBDA_FUNCTION=echo LAMBDA_EVENT="$work/ev.json"
ok "a second lambda-invoke answers without building (fresh: no dev-container.sh line)" \
	test "$rc" -eq 0 -a "$(grep -c 'dev-container.sh' <<<"$err")" -eq 0
[[ $rc -eq 0 ]] || show

rc=0
out=$(printf '{"fail":"boom here"}' | "$GNUMAKE" --no-print-directory -C "$proj" -f "$buildmk" \
	LAMBDA_BASE_IMAGE="$image" LAMBDA_CONTAINER="$ctr" LAMBDA_CARGO_HOME="$work/cargo-home" \
	lambda-invoke LAMBDA_FUNCTION=echo LAMBDA_EVENT=- 2>"$work/err") || rc=$?
err=$(<"$work/err")
ok "a handler error (event from stdin): make fails" test "$rc" -ne 0
like "... stderr names the error and its message" "$err" "the function reported an error"
like "... with the handler's message" "$err" "boom here"
is "... nothing on stdout" "$out" ""

printf '{"sleep_ms":20000}' >"$work/slow.json"
mk lambda-invoke LAMBDA_FUNCTION=echo LAMBDA_EVENT="$work/slow.json" LAMBDA_TIMEOUT=1
ok "a handler slower than LAMBDA_TIMEOUT=1: make fails" test "$rc" -ne 0
like "... 'Task timed out after 1.00 seconds' on stderr" "$err" "Task timed out after 1.00 seconds"
like "... lambda-invoke.sh's exit code 4 (timeout)" "$err" "Error 4"
is "... and the function is stopped in the container" "$(running_bootstraps)" 0

mk lambda-invoke LAMBDA_FUNCTION=echo LAMBDA_EVENT="$work/ev.json" LAMBDA_TIMEOUT=0
like "LAMBDA_TIMEOUT=0 is refused with the valid range" "$err" "LAMBDA_TIMEOUT: invalid value '0' (valid: whole seconds, 1 to 900"
mk lambda-invoke LAMBDA_EVENT="$work/ev.json"
like "no LAMBDA_FUNCTION in a two-binary project: the binaries are named" "$err" "LAMBDA_FUNCTION is not set: name the binary to invoke (echo, web)"
mk lambda-invoke LAMBDA_FUNCTION=nope LAMBDA_EVENT="$work/ev.json"
like "an unknown LAMBDA_FUNCTION is named with the binaries" "$err" "LAMBDA_FUNCTION: 'nope' is not a binary of"
mk lambda-invoke LAMBDA_FUNCTION=echo LAMBDA_EVENT="$work/none.json"
like "a missing event file is named" "$err" "none.json' does not exist"
mk lambda-invoke LAMBDA_FUNCTION=echo LAMBDA_EVENT="$work/ev.json" LAMBDA_ARCH="x86_64 arm64"
like "two architectures at once are refused" "$err" "one architecture"

if have_cross; then
	mk lambda-invoke LAMBDA_FUNCTION=echo LAMBDA_EVENT="$work/ev.json" LAMBDA_ARCH=arm64
	is "arm64: lambda-invoke runs the aarch64 build under qemu in the container" "$(field "$out" version) $rc" "v1 0"
	[[ $rc -eq 0 ]] || show
	ok "... the bootstrap it ran is an aarch64 ELF" \
		test "$(od -An -tx1 -j18 -N2 "$proj/target/lambda-dev/arm64/echo/bootstrap" | tr -d ' ')" = b700
else
	skip "arm64: lambda-invoke under qemu" "no aarch64 cross compiler"
	skip "arm64: the bootstrap is aarch64" "no aarch64 cross compiler"
fi

# --- lambda-watch -------------------------------------------------------------------
if ! awscli_setup 2>"$work/awscli.log"; then
	diag "$(tail -3 "$work/awscli.log")"
fi
mapfile -t awsenv < <(awscli_env)
port=$(free_port)
docker stop -t 1 "$ctr" >/dev/null 2>&1 || true
log=$work/watch.log
set -m # its own process group, SIGINT not ignored: as a terminal's Ctrl-C reaches it
"$GNUMAKE" --no-print-directory -C "$proj" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
	LAMBDA_CONTAINER="$ctr" LAMBDA_CARGO_HOME="$work/cargo-home" LAMBDA_WATCH_ADDR="127.0.0.1:$port" \
	lambda-watch >"$log" 2>&1 &
watch_pid=$!
set +m
stop_watch() { kill -INT -- "-$watch_pid" 2>/dev/null || true; }
trap 'stop_watch; denv_cleanup' EXIT
for ((i = 0; i < 600; i++)); do
	grep -q 'Invoke API on' "$log" && break
	kill -0 "$watch_pid" 2>/dev/null || break
	sleep 0.5
done
ok "lambda-watch listens on LAMBDA_WATCH_ADDR (port $port)" grep -q "Invoke API on http://127.0.0.1:$port" "$log"

# aws_invoke FN PAYLOAD: aws lambda invoke; its JSON in $aout, the body in $abody, status $arc
aws_invoke() {
	arc=0
	printf '%s' "$2" >"$work/payload.json"
	rm -f "$work/answer.json"
	aout=$(env "${awsenv[@]}" "${aws_cli:-aws}" lambda invoke --endpoint-url "http://127.0.0.1:$port" \
		--function-name "$1" --payload "fileb://$work/payload.json" "$work/answer.json" 2>"$work/aws.err") || arc=$?
	abody=$(cat "$work/answer.json" 2>/dev/null || true)
}
aws_invoke echo '{"n":2}'
is "aws lambda invoke --endpoint-url: exit 0" "$arc" 0
[[ $arc -eq 0 ]] || diag "$(cat "$work/aws.err")"
is "... the function's answer in the outfile" "$(field "$abody" version) $(field "$abody" event)" "v1 {'n': 2}"
like "... StatusCode 200" "$aout" '"StatusCode": 200'

edit_version v2
aws_invoke echo '{"n":3}'
is "right after a save: the new code answers" "$(field "$abody" version) $arc" "v2 0"
like "... lambda-watch said it rebuilt" "$(cat "$log")" "sources changed: rebuilding"

aws_invoke echo '{"fail":"nope"}'
like "a function error: aws reports FunctionError Unhandled" "$aout" '"FunctionError": "Unhandled"'
aws_invoke missing '{}'
ok "an unknown function: aws fails with ResourceNotFoundException" \
	grep -q ResourceNotFoundException "$work/aws.err"

hdrs=$work/url.headers
body=$(curl -s -D "$hdrs" -X POST --data 'hi there' -H 'User-Agent: lmloop' \
	"http://127.0.0.1:$port/lambda-url/web/items/7?q=1&q=2" || true)
is "a function URL request reaches the HTTP function as an APIGW v2 event" "$body" \
	"POST /items/7?q=1&q=2 body=hi there agent=lmloop"
ok "... its statusCode and headers come back as HTTP" \
	grep -qi '^x-method: POST' "$hdrs"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/lambda-url/web/missing" || true)
is "... a 404 from the function is a 404" "$code" 404

stop_watch
for ((i = 0; i < 60; i++)); do kill -0 "$watch_pid" 2>/dev/null || break; sleep 0.5; done
ok "Ctrl-C (SIGINT): make lambda-watch exits" bash -c "! kill -0 $watch_pid 2>/dev/null"
is "... the dev container it started is stopped" "$(docker inspect -f '{{.State.Running}}' "$ctr" 2>/dev/null)" false
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)
is "... and the port is closed" "$code" 000
finish
