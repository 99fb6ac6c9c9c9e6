#!/bin/sh
# lambda-zig-cc.sh: the C/C++ compiler and linker of the al2 builder image
# (builder-image.sh --runtime=al2): zig cc / zig c++ for a fixed glibc floor, so
# what it links runs on Amazon Linux 2 (glibc 2.26). The image installs it under
# the names it is called by, which say the target and the language:
#   x86_64-linux-gnu.2.26-cc, x86_64-linux-gnu.2.26-c++,
#   aarch64-linux-gnu.2.26-cc, aarch64-linux-gnu.2.26-c++
# (CC_<triple>, CXX_<triple> and CARGO_TARGET_<TRIPLE>_LINKER name them).
# The target comes from the name alone: a caller's --target (cc-rs passes
# --target=aarch64-unknown-linux-gnu, a triple zig does not parse) is dropped.
set -eu

name=${0##*/}
case $name in
*-linux-gnu.*-cc) lang=cc ;;
*-linux-gnu.*-c++) lang=c++ ;;
*)
	echo "lambda-zig-cc.sh: called as '$name'; install it as <arch>-linux-gnu.<glibc>-cc or -c++" >&2
	exit 2
	;;
esac
target=${name%-*}

# Rebuild the arguments without --target=T, -target=T, --target T, -target T.
n=$#
skip=0
while [ "$n" -gt 0 ]; do
	arg=$1
	shift
	n=$((n - 1))
	if [ "$skip" = 1 ]; then
		skip=0
		continue
	fi
	case $arg in
	--target=* | -target=*) ;;
	--target | -target) skip=1 ;;
	*) set -- "$@" "$arg" ;;
	esac
done
exec zig "$lang" -target "$target" "$@"
