#!/usr/bin/env bash
# lambda-exec.sh [--qemu=EMU --sysroot=DIR] -- BOOTSTRAP: run inside the dev
# container by lambda-runtime-api.py (copied to the project's .lambda/bin, which
# the container sees). Its first line on stdout is its pid: killing the host's
# `docker exec` client leaves the process running in the container, so the
# host stops it with `docker exec kill PID`. Then it becomes the function (arm64:
# under the emulator, with the cross sysroot as its root for the loader).
set -euo pipefail
qemu=
sysroot=
while (($#)); do
	case $1 in
	--qemu=*) qemu=${1#*=} ;;
	--sysroot=*) sysroot=${1#*=} ;;
	--) shift; break ;;
	*) echo "lambda-exec.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
(($# == 1)) || { echo "lambda-exec.sh: expected one BOOTSTRAP after --" >&2; exit 2; }
if [[ -n $qemu && ! -e $sysroot/lib/ld-linux-aarch64.so.1 ]]; then
	echo "lambda-exec.sh: no arm64 loader in '$sysroot' inside the container: the base image needs the arm64 cross libraries (Debian: libc6-arm64-cross)" >&2
	exit 2
fi
printf 'lambda-exec: pid %s\n' "$$"
if [[ -n $qemu ]]; then
	exec "$qemu" -L "$sysroot" "$1"
fi
exec "$1"
