#!/usr/bin/env bash
# Invoke a Lambda bootstrap once, without AWS: serve EVENT_JSON through a
# loopback Runtime API (lambda-runtime-api.py), run BOOTSTRAP against it (arm64 under
# qemu-aarch64-static), print the function's response body on stdout.
set -euo pipefail

readonly PROG=${0##*/}
# The real location ($(bindir) holds a symlink): lambda-runtime-api.py is there.
HERE=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd)
readonly HERE

usage() {
	cat <<EOF
$PROG - invoke a Lambda bootstrap once, locally, through a loopback Runtime API

Usage: $PROG BOOTSTRAP ARCH EVENT_JSON

Run BOOTSTRAP (ARCH: x86_64 or arm64) for one invocation with the event
EVENT_JSON (a JSON string, or @FILE) and print the response body. Exits 1 if
the function reported an error (the error body is printed on stderr).

Environment:
  LAMBDA_INVOKE_TIMEOUT   seconds before giving up (default 60)
  LAMBDA_ARM64_SYSROOT    sysroot for qemu (default /usr/aarch64-linux-gnu)
EOF
}

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

if (($# == 1)) && [[ $1 == --help || $1 == -h ]]; then
	usage
	exit 0
fi
(($# == 3)) || die "expected BOOTSTRAP ARCH EVENT_JSON (see --help)"
bootstrap=$1
arch=$2
event=$3
timeout_s=${LAMBDA_INVOKE_TIMEOUT:-60}
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "LAMBDA_INVOKE_TIMEOUT must be a positive integer, got '$timeout_s'"

[[ -f $bootstrap && -x $bootstrap ]] || die "'$bootstrap' is not an executable file"
case $arch in
x86_64) runner=() ;;
arm64 | aarch64)
	command -v qemu-aarch64-static >/dev/null ||
		die "qemu-aarch64-static not found (apt-get install qemu-user-static)"
	sysroot=${LAMBDA_ARM64_SYSROOT:-/usr/aarch64-linux-gnu}
	[[ -d $sysroot ]] || die "arm64 sysroot '$sysroot' missing (apt-get install libc6-arm64-cross libgcc-s1-arm64-cross)"
	runner=(qemu-aarch64-static -L "$sysroot")
	;;
*) die "unknown ARCH '$arch' (x86_64 or arm64)" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/lambda-invoke.XXXXXX")
server_pid=
fn_pid=
cleanup() {
	[[ -z $fn_pid ]] || kill "$fn_pid" 2>/dev/null || true
	[[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null || true
	rm -rf -- "$work"
}
trap cleanup EXIT

if [[ $event == @* ]]; then
	cp -- "${event#@}" "$work/event.json"
else
	printf '%s' "$event" >"$work/event.json"
fi

mkfifo "$work/port"
timeout "$timeout_s" python3 "$HERE/lambda-runtime-api.py" "$work/event.json" "$work/body" \
	>"$work/port" 2>"$work/server.log" &
server_pid=$!
port=
read -r port <"$work/port" || true
[[ $port =~ ^[0-9]+$ ]] || { cat -- "$work/server.log" >&2; die "runtime API server did not start"; }

AWS_LAMBDA_RUNTIME_API=127.0.0.1:$port \
	AWS_LAMBDA_FUNCTION_NAME=lambda-make-test \
	AWS_LAMBDA_FUNCTION_VERSION="\$LATEST" \
	AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128 \
	AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/lambda-make-test \
	AWS_LAMBDA_LOG_STREAM_NAME=test \
	AWS_REGION=us-east-1 \
	timeout "$timeout_s" "${runner[@]}" "$bootstrap" >"$work/function.log" 2>&1 &
fn_pid=$!

status=0
wait "$server_pid" || status=$?
server_pid=
case $status in
0)
	cat -- "$work/body"
	;;
1)
	cat -- "$work/body" >&2
	printf '\n' >&2
	die "the function reported an error"
	;;
*)
	cat -- "$work/function.log" "$work/server.log" >&2
	((status == 124)) && die "no response within ${timeout_s}s"
	die "runtime API server failed (status $status)"
	;;
esac
