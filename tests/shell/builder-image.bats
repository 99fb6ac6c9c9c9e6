#!/usr/bin/env bats
# docker/builder-image.sh option handling: image references and the --rust
# errors, none of which touch a Docker engine.

setup() {
	bi=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/docker/builder-image.sh
	t=$BATS_TEST_TMPDIR
}

@test "--help documents --rust" {
	run "$bi" --help
	[ "$status" -eq 0 ]
	[[ $output == *"--rust=host"* ]]
	[[ $output == *"rustup target add aarch64-unknown-linux-gnu"* ]]
}

@test "--print-ref: the Debian image is named by its recipe hash" {
	run "$bi" --print-ref
	[ "$status" -eq 0 ]
	[[ $output =~ ^lambda-make-builder:[0-9a-f]{12}$ ]]
}

@test "--rust=host --print-ref: the Debian ref plus a toolchain hash" {
	command -v rustc >/dev/null || skip "no rustc on the host"
	debian=$("$bi" --print-ref)
	run "$bi" --rust=host --print-ref
	[ "$status" -eq 0 ]
	[[ $output =~ ^$debian-host-[0-9a-f]{12}$ ]]
}

@test "--rust=host: another toolchain, another ref" {
	mkdir -p "$t/a/bin" "$t/b/bin" "$t/sysroot/bin" "$t/sysroot/lib/rustlib"
	touch "$t/sysroot/bin/cargo" && chmod +x "$t/sysroot/bin/cargo"
	for v in a b; do
		printf '#!/bin/sh\ncase $1 in --print) echo %s ;; -vV) echo rustc-%s ;; esac\n' \
			"$t/sysroot" "$v" >"$t/$v/bin/rustc"
		chmod +x "$t/$v/bin/rustc"
	done
	ra=$(PATH="$t/a/bin:$PATH" "$bi" --rust=host --print-ref)
	rb=$(PATH="$t/b/bin:$PATH" "$bi" --rust=host --print-ref)
	[ "$ra" != "$rb" ]
}

@test "--rust=host without rustc on PATH names the problem" {
	mkdir -p "$t/bin"
	for c in bash sha256sum cat; do ln -s "$(command -v "$c")" "$t/bin/$c"; done
	PATH=$t/bin run "$bi" --rust=host --print-ref
	[ "$status" -eq 1 ]
	[[ $output == *"--rust=host: no rustc on PATH"* ]]
}

@test "--rust=host with a toolchain lacking cargo names the problem" {
	mkdir -p "$t/bin" "$t/sysroot/bin"
	printf '#!/bin/sh\necho %s\n' "$t/sysroot" >"$t/bin/rustc" && chmod +x "$t/bin/rustc"
	PATH="$t/bin:$PATH" run "$bi" --rust=host --print-ref
	[ "$status" -eq 1 ]
	[[ $output == *"no cargo in $t/sysroot/bin"* ]]
}

@test "an unknown --rust value is refused" {
	run "$bi" --rust=nightly
	[ "$status" -eq 1 ]
	[[ $output == *"unknown toolchain 'nightly' for --rust (debian or host)"* ]]
}

@test "--runtime=al2 --print-ref: the Debian ref plus a zig hash; --help documents it" {
	debian=$("$bi" --print-ref)
	run "$bi" --runtime=al2 --print-ref
	[ "$status" -eq 0 ]
	[[ $output =~ ^$debian-al2-[0-9a-f]{12}$ ]]
	[ "$("$bi" --runtime=al2023 --print-ref)" = "$debian" ]
	run "$bi" --help
	[[ $output == *"--runtime=al2"*"glibc 2.26"* ]]
}

@test "--runtime=al2: another compiler wrapper, another ref" {
	cp -r "$(dirname "$bi")" "$t/docker"
	a=$("$t/docker/builder-image.sh" --runtime=al2 --print-ref)
	echo '# changed' >>"$t/docker/lambda-zig-cc.sh"
	b=$("$t/docker/builder-image.sh" --runtime=al2 --print-ref)
	[ "$a" != "$b" ]
	rm "$t/docker/lambda-zig-cc.sh"
	run "$t/docker/builder-image.sh" --runtime=al2 --print-ref
	[ "$status" -eq 1 ]
	[[ $output == *"lambda-zig-cc.sh is missing"* ]]
}

@test "--runtime=al2 without pip names the problem, before any docker build" {
	mkdir -p "$t/bin" "$t/cache"
	for c in bash sha256sum cat dirname readlink mkdir grep unzip; do ln -s "$(command -v "$c")" "$t/bin/$c"; done
	printf '#!/bin/sh\n[ "$1" != build ] || echo built >>%s/calls\nexit 1\n' "$t" >"$t/bin/docker"
	chmod +x "$t/bin/docker"
	PATH=$t/bin XDG_CACHE_HOME=$t/cache run "$bi" --runtime=al2
	[ "$status" -eq 1 ]
	[[ $output == *"--runtime=al2: needs python3 with pip to fetch zig (apt-get install python3-pip)"* ]]
	[ ! -e "$t/calls" ]
}

@test "an unknown --runtime value is refused" {
	run "$bi" --runtime=al1
	[ "$status" -eq 1 ]
	[[ $output == *"unknown runtime 'al1' for --runtime (al2023 or al2)"* ]]
}
