#!/usr/bin/env bash
# The installed package: `make install` into a prefix and with DESTDIR, then a
# project that has nothing but the one include line (pkg-config finds the rest).
# Usage: tests/make/installed.sh SRCDIR WORKDIR   (TAP on stdout)
set -euo pipefail
src=${1:?usage: installed.sh SRCDIR WORKDIR}
work=${2:?usage: installed.sh SRCDIR WORKDIR}
# shellcheck source=tests/lib/tap.sh
. "$src/tests/lib/tap.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL
rm -rf "$work" && mkdir -p "$work/build"
prefix=$work/prefix
plan 12

(cd "$work/build" && "$src/configure" -q --prefix="$prefix" && make -s -j2 >/dev/null && make -s install >/dev/null)
ok "make install into a prefix" test -f "$prefix/lib/lambda-make/lambda.so"
ok "no libtool .la left beside the module" test ! -e "$prefix/lib/lambda-make/lambda.la"
ok "lambda.mk, lambda-paths.mk and the docker files installed" \
	test -f "$prefix/share/lambda-make/lambda.mk" -a -f "$prefix/share/lambda-make/lambda-paths.mk" \
	-a -x "$prefix/share/lambda-make/docker/build-lambda.sh" -a -f "$prefix/share/lambda-make/docker/Dockerfile"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
is "pkg-config: plugin variable" "$(pkg-config --variable=plugin lambda-make)" "$prefix/lib/lambda-make/lambda.so"
is "pkg-config: mkfile variable" "$(pkg-config --variable=mkfile lambda-make)" "$prefix/share/lambda-make/lambda.mk"

proj=$work/existing-project
cp -r "$src/examples/existing-project" "$proj"
rm -rf "$proj/target"
out=$(make -C "$proj" --no-print-directory -s lambda-config 2>&1) || true
like "a project with only the include line: lambda-config" "$out" "mode=prod target_arch=x86_64"
out=$(make -C "$proj" --no-print-directory -n lambda-prod LAMBDA_ARCH=arm64 2>&1) || true
like "installed: make -n lambda-prod uses the installed scripts" "$out" "$prefix/share/lambda-make/docker/lambda-stage.sh"
out=$(make -C "$proj" --no-print-directory -n 2>&1) || true
like "installed: the project's default goal is still its own" "$out" "cargo build --release --offline --quiet"
out=$("$prefix/share/lambda-make/docker/build-lambda.sh" prod --project "$proj" --arch arm64 --dry-run 2>&1) || true
like "installed build-lambda.sh drives the installed lambda.mk" "$out" "--stage=runtime"

(cd "$work/build" && make -s install DESTDIR="$work/dest" >/dev/null)
ok "DESTDIR install" test -f "$work/dest$prefix/lib/lambda-make/lambda.so" -a -f "$work/dest$prefix/lib/pkgconfig/lambda-make.pc"
(cd "$work/build" && make -s uninstall DESTDIR="$work/dest" >/dev/null)
is "DESTDIR uninstall leaves no file" "$(find "$work/dest" -type f | wc -l)" 0
(cd "$work/build" && make -s uninstall >/dev/null)
is "uninstall from the prefix leaves no file" "$(find "$prefix" -type f | wc -l)" 0
finish
