#!/usr/bin/env bash
# Invoke a Lambda bootstrap once, without AWS: serve EVENT_JSON through a
# loopback Runtime API (lambda-runtime-api.py), run BOOTSTRAP against it (arm64 under
# qemu-aarch64-static), print the function's response body on stdout.
set -euo pipefail

readonly PROG=${0##*/}
# The real location ($(bindir) holds a symlink): lambda-runtime-api.py is there.
HERE=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd)
readonly HERE
# shellcheck source=docker/config.sh
. "$HERE/config.sh"

usage() {
	cat <<EOF
$PROG - invoke a Lambda bootstrap once, locally, through a loopback Runtime API

Usage: $PROG BOOTSTRAP ARCH EVENT_JSON
       $PROG --dev [options] [--] FUNCTION EVENT

Run BOOTSTRAP (ARCH: x86_64 or arm64) on this host for one invocation with the
event EVENT_JSON (a JSON string, or @FILE) and print the response body. Exits 1
if the function reported an error (the error body is printed on stderr).

With --dev (what make lambda-invoke runs): run the dev build of FUNCTION,
target/lambda-dev/<arch>/FUNCTION/bootstrap, inside the dev container (started
with dev-container.sh start if it is not running; arm64 under
qemu-aarch64-static, copied with a small launcher into the project's
.lambda/bin) against an emulated Lambda Runtime API (2018-06-01: next,
response, error, init error; the deadline, request id, function ARN and trace
headers set) served on the container network's gateway address. EVENT is a
file holding the event JSON, or - for stdin. The response body goes to stdout,
the function's own output to stderr.

options (--dev):
  --docker=CLIENT      docker client (default docker)
  --dir=DIR            the Cargo project (default: the current dir)
  --container=NAME     the dev container (default lambda-rust-dev)
  --arch=ARCH          x86_64 (default) or arm64
  --timeout=SECONDS    the function's timeout, as Lambda's (default 3)
  --image=IMAGE, --cargo-home=DIR, --subdir=PATH, --path-dep=PATH
                       passed to dev-container.sh start (the container's
                       configuration; lambda.mk gives what lambda-dev gives)
  --dev-dir=PATH, --bin-dir=PATH
                       the dev build's dir and the launcher's, below --dir
                       (default: lambda.mk's, target/lambda-dev and .lambda/bin)

exit codes:
  0  the function answered (its response is on stdout)
  1  the function reported an error (handler or init error)
  2  bad usage, or no built bootstrap
  4  --dev: no answer within the timeout (the function was stopped)
  5  --dev: the function exited without answering

Environment:
  LAMBDA_INVOKE_TIMEOUT   seconds before giving up (default 60; not --dev)
  LAMBDA_ARM64_SYSROOT    sysroot for qemu (default /usr/aarch64-linux-gnu; in
                          the container with --dev)
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
if (($# > 0)) && [[ $1 == --dev ]]; then
	shift
	docker_cmd=docker dir=$PWD container=lambda-rust-dev arch=x86_64 timeout_s=3 subdir=
	dev_dir='' bin_dir=''
	start=()
	while (($#)); do
		case $1 in
		--docker=*) docker_cmd=${1#*=} ;;
		--dir=*) dir=${1#*=} ;;
		--container=*) container=${1#*=} ;;
		--arch=*) arch=${1#*=} ;;
		--timeout=*) timeout_s=${1#*=} ;;
		--dev-dir=*) dev_dir=${1#*=} ;;
		--bin-dir=*) bin_dir=${1#*=} ;;
		--image=* | --cargo-home=* | --path-dep=*) start+=("$1") ;;
		--subdir=*) start+=("$1") subdir=${1#*=} ;;
		--) shift; break ;;
		-*) echo "$PROG: unknown option '$1' (see --help)" >&2; exit 2 ;;
		*) break ;;
		esac
		shift
	done
	(($# == 2)) || { echo "$PROG: --dev expects FUNCTION EVENT (see --help)" >&2; exit 2; }
	[[ $arch == x86_64 || $arch == arm64 ]] || { echo "$PROG: --arch must be x86_64 or arm64, got '$arch'" >&2; exit 2; }
	[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || { echo "$PROG: --timeout must be a positive number of seconds, got '$timeout_s'" >&2; exit 2; }
	[[ $2 == - || -f $2 ]] || { echo "$PROG: event file '$2' does not exist (LAMBDA_EVENT: a file, or - for stdin)" >&2; exit 2; }
	[[ -d $dir ]] || { echo "$PROG: project dir '$dir' does not exist" >&2; exit 2; }
	dir=$(cd -- "$dir" && pwd -P)
	if [[ -z $dev_dir || -z $bin_dir ]]; then
		# the layout as the module names it (make lambda-invoke passes it)
		mk=$(config_mk "$HERE") ||
			{ echo "$PROG: cannot find lambda.mk: install lambda-make, or set LAMBDA_MK (or give --dev-dir and --bin-dir)" >&2; exit 2; }
		declare -A cfg
		config_read "$mk" || { echo "$PROG: $cfg_error" >&2; exit 2; }
		dev_dir=${dev_dir:-${cfg[dev_dir]}} bin_dir=${bin_dir:-${cfg[bin_dir]}}
	fi
	args=(run "--docker=$docker_cmd" "--container=$container" "--dir=$dir" "--arch=$arch"
		"--timeout=$timeout_s" "--event=$2" "--subdir=$subdir" "--dev-dir=$dev_dir" "--bin-dir=$bin_dir")
	[[ -z ${LAMBDA_ARM64_SYSROOT:-} ]] || args+=("--sysroot=$LAMBDA_ARM64_SYSROOT")
	for w in "$HERE/dev-container.sh" start "--docker=$docker_cmd" "--dir=$dir" "--arch=$arch" \
		"--container=$container" "${start[@]}"; do
		args+=("--start=$w")
	done
	exec python3 "$HERE/lambda-runtime-api.py" "${args[@]}" -- "$1"
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
