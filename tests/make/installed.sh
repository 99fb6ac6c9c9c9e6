#!/usr/bin/env bash
# The installed package: `make install` into a prefix and with DESTDIR, then
# the installed tree on its own: the source it was built from and the build
# dir are gone, and a project with nothing but the one include line, the
# commands on PATH and the man pages still work.
# Usage: tests/make/installed.sh SRCDIR WORKDIR   (TAP on stdout)
set -euo pipefail
src=${1:?usage: installed.sh SRCDIR WORKDIR}
work=${2:?usage: installed.sh SRCDIR WORKDIR}
# shellcheck source=tests/lib/tap.sh
. "$src/tests/lib/tap.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL
# nothing may point the installed tree back at a source or build tree
unset LAMBDA_SRCDIR LAMBDA_PLUGIN LAMBDA_MK LAMBDA_HOME LAMBDA_BUILD
rm -rf "$work" && mkdir -p "$work/build" "$work/copy"
prefix=$work/prefix
copy=$work/copy
cmds=(build-lambda.sh dev-container.sh builder-image.sh lambda-vendor.sh lambda-invoke.sh)
plan 31

# Built from a copy of the source (what a tarball or clone would be), which is
# removed below, with the build dir, before the installed tree is used.
tar -C "$src" --exclude=./_build --exclude=./.git --exclude=target --exclude=.lambda -cf - . |
	tar -C "$copy" -xf -
(cd "$work/build" && "$copy/configure" -q --prefix="$prefix" && make -s -j2 >/dev/null && make -s install >/dev/null)
ok "make install into a prefix" test -f "$prefix/lib/lambda-make/lambda.so"
ok "no libtool .la left beside the module" test ! -e "$prefix/lib/lambda-make/lambda.la"
ok "lambda.mk, lambda-paths.mk, lambda-help.txt and the docker files installed" \
	test -f "$prefix/share/lambda-make/lambda.mk" -a -f "$prefix/share/lambda-make/lambda-paths.mk" \
	-a -f "$prefix/share/lambda-make/lambda-help.txt" \
	-a -x "$prefix/share/lambda-make/docker/build-lambda.sh" -a -f "$prefix/share/lambda-make/docker/Dockerfile" \
	-a -f "$prefix/share/lambda-make/docker/engine.sh" -a -f "$prefix/share/lambda-make/docker/config.sh" -a -x "$prefix/share/lambda-make/docker/image/lambda-compile"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
is "pkg-config: plugin variable" "$(pkg-config --variable=plugin lambda-make)" "$prefix/lib/lambda-make/lambda.so"
is "pkg-config: mkfile variable" "$(pkg-config --variable=mkfile lambda-make)" "$prefix/share/lambda-make/lambda.mk"

# in_bin: every user command is an executable in bin.
in_bin() {
	local c
	for c in "${cmds[@]}"; do [[ -x $prefix/bin/$c && -f $prefix/bin/$c ]] || { diag "no bin/$c"; return 1; }; done
}
ok "the user commands are in bin and executable" in_bin
is "bin holds the user commands only (the internal helpers stay in share)" \
	"$(cd "$prefix/bin" && printf '%s ' *)" "$(printf '%s\n' "${cmds[@]}" | sort | tr '\n' ' ')"
# has_pages: a section-1 page per command and lambda.mk(7).
has_pages() {
	local c
	for c in "${cmds[@]}"; do [[ -s $prefix/share/man/man1/$c.1 ]] || { diag "no man1/$c.1"; return 1; }; done
	[[ -s $prefix/share/man/man7/lambda.mk.7 ]] || { diag "no man7/lambda.mk.7"; return 1; }
}
ok "a man page per command in man1, lambda.mk.7 in man7" has_pages
# renders: each page formats (man -l, else groff) and starts with its NAME.
renders() {
	local p out
	for p in "$prefix"/share/man/man1/*.1 "$prefix"/share/man/man7/lambda.mk.7; do
		if command -v man >/dev/null; then
			out=$(MANWIDTH=80 man -l "$p" 2>&1 | col -b) || { diag "man -l $p failed"; return 1; }
		elif command -v groff >/dev/null; then
			out=$(groff -man -Tascii -P-cbou "$p" 2>&1) || { diag "groff $p failed"; return 1; }
		else
			out=$(head -1 "$p")
			[[ $out == .TH* ]] || { diag "$p: no .TH line"; return 1; }
			continue
		fi
		out=$(tr -s ' \t\n' '   ' <<<"$out") # man justifies: squeeze the spaces it adds
		[[ $out == *"NAME $(basename "${p%.*}") - "* ]] || { diag "$p: no NAME line: ${out:0:200}"; return 1; }
	done
}
ok "every installed man page renders and names its command" renders
# no_source_paths: the installed files name neither the source copy nor the
# build dir (a leftover path would work now and break once they are gone).
no_source_paths() {
	local hits
	# text files only: lambda.so's debug info records where it was compiled
	hits=$(grep -rlIF -e "$copy" -e "$work/build" "$prefix" || true)
	[[ -z $hits ]] || { diag "these name the source or build dir: $hits"; return 1; }
}
ok "no installed file names the source or build dir" no_source_paths

proj=$work/existing-project
cp -r "$src/examples/existing-project" "$proj"
rm -rf "$proj/target"

# --- the source and the build are gone: only the prefix is left ---
mv "$copy" "$copy.away" && mv "$work/build" "$work/build.away"
chmod 000 "$copy.away" "$work/build.away"
PATH=$prefix/bin:$PATH
for c in "${cmds[@]}"; do
	out=$("$c" --help 2>&1) || out="exit $?: $out"
	like "$c --help from bin (no source tree)" "$out" "$c - "
done
out=$(make -C "$proj" --no-print-directory -s lambda-config 2>&1) || true
like "a project with only the include line: lambda-config" "$out" "target_arch=x86_64 targets=x86_64-unknown-linux-gnu runtime=al2023"
out=$(make -C "$proj" --no-print-directory -n lambda-prod LAMBDA_ARCH=arm64 2>&1) || true
like "installed: make -n lambda-prod uses the installed scripts" "$out" "$prefix/share/lambda-make/docker/lambda-stage.sh"
out=$(make -C "$proj" --no-print-directory -n lambda-prod LAMBDA_RUNTIME=al2 2>&1) || true
like "installed: al2 without LAMBDA_BASE_IMAGE builds on the al2 builder image" "$out" \
	"--build-arg=LAMBDA_BASE_IMAGE=$(bash "$src/docker/builder-image.sh" --runtime=al2 --print-ref) "
out=$(make -C "$proj" --no-print-directory -n 2>&1) || true
like "installed: the project's default goal is still its own" "$out" "cargo build --release --offline --quiet"
out=$(make -C "$proj" --no-print-directory lambda-help 2>&1) || true
like "installed: make lambda-help prints the installed help text" "$out" "lambda.mk - make targets"
out=$(cd "$proj" && LAMBDA_DOCKER=/nonexistent build-lambda.sh prod --arch arm64 --dry-run 2>&1) || true
like "build-lambda.sh from bin drives the installed lambda.mk" "$out" \
	"$prefix/share/lambda-make/docker/lambda-stage.sh --docker=/nonexistent --stage=runtime"
# the engine seam is found beside the scripts that source it, through bin's symlinks
out=$(dev-container.sh status --docker=/nonexistent 2>&1) || true
like "dev-container.sh from bin finds engine.sh and reaches its own checks" "$out" "/nonexistent"

# lambda-invoke.sh from bin finds its Runtime API server (a sibling in share):
# a bootstrap that echoes the event back as its response.
cat >"$work/echo-bootstrap" <<'PY'
#!/usr/bin/env python3
import os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
with urllib.request.urlopen(api + "next") as r:
    rid, body = r.headers["Lambda-Runtime-Aws-Request-Id"], r.read()
urllib.request.urlopen(urllib.request.Request(api + rid + "/response", data=b"echo:" + body, method="POST")).read()
PY
chmod +x "$work/echo-bootstrap"
out=$(LAMBDA_INVOKE_TIMEOUT=20 lambda-invoke.sh "$work/echo-bootstrap" x86_64 '{"name":"world"}' 2>&1) || true
is "lambda-invoke.sh from bin runs a bootstrap once" "$out" 'echo:{"name":"world"}'
# lambda-invoke.sh --dev from bin: the installed Runtime API asks the installed
# engine.sh (a client that says the container runs), takes the layout from the
# installed lambda.mk, places the launcher and names the missing dev build.
printf '#!/bin/sh\n[ "$1 $2" = "container inspect" ] && echo "true 172.17.0.1 "\n' >"$work/fake-client"
chmod +x "$work/fake-client"
echo '{}' >"$work/event.json"
out=$(cd "$proj" && lambda-invoke.sh --dev --docker="$work/fake-client" -- hello "$work/event.json" 2>&1) || true
like "lambda-invoke.sh --dev from bin: engine.sh and the core's layout found" "$out" \
	"lambda-make: $proj/target/lambda-dev/x86_64/hello/bootstrap is not an executable file"
ok "lambda-invoke.sh --dev from bin: the launcher in the core's bin_dir" test -f "$proj/.lambda/bin/lambda-exec.sh"
if command -v cargo >/dev/null; then
	out=$(LAMBDA_VENDOR_CACHE=$work/vcache lambda-vendor.sh "$proj" "$work/cargo-home" 2>&1) || true
	ok "lambda-vendor.sh from bin writes a cargo home (a project without dependencies)" \
		test -f "$work/cargo-home/config.toml" -a -d "$work/cargo-home/vendor"
	[[ -f $work/cargo-home/config.toml ]] || diag "$out"
else
	skip "lambda-vendor.sh from bin writes a cargo home" "no cargo on the host"
fi
# the man pages through man's own search path, as a user would read them
if command -v man >/dev/null; then
	out=$(MANPATH=$prefix/share/man man -P cat 7 lambda.mk 2>&1 | col -b) || true
	like "man 7 lambda.mk finds the installed page" "$out" "LAMBDA_BASE_IMAGE"
else
	skip "man 7 lambda.mk finds the installed page" "man is not installed"
fi
chmod 755 "$copy.away" "$work/build.away"
mv "$copy.away" "$copy" && mv "$work/build.away" "$work/build"

(cd "$work/build" && make -s install DESTDIR="$work/dest" >/dev/null)
ok "DESTDIR install" test -f "$work/dest$prefix/lib/lambda-make/lambda.so" -a -f "$work/dest$prefix/lib/pkgconfig/lambda-make.pc"
is "DESTDIR: bin's commands point at the final prefix, not into DESTDIR" \
	"$(readlink "$work/dest$prefix/bin/build-lambda.sh")" "$prefix/share/lambda-make/docker/build-lambda.sh"
(cd "$work/build" && make -s uninstall DESTDIR="$work/dest" >/dev/null)
is "DESTDIR uninstall leaves no file or link" "$(find "$work/dest" ! -type d | wc -l)" 0
(cd "$work/build" && make -s uninstall >/dev/null)
is "uninstall from the prefix leaves no file or link" "$(find "$prefix" ! -type d | wc -l)" 0
finish
