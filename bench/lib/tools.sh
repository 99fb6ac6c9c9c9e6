#!/usr/bin/env bash
# bench/lib/tools.sh: install the competing tools bench/run measures, once, into a
# cache dir outside the repo: cargo-chef and cargo-lambda (cargo install from
# crates.io, --locked) and zig for cargo-lambda (the ziglang wheel from PyPI).
# Usage: tools.sh [SYSTEM...]: only what the named bench/run systems need
# (chef: cargo-chef; cargo-lambda: cargo-lambda and zig); no names: all of them.
# Prints the tools' bin dir on stdout; progress on stderr.
# Env: LAMBDA_BENCH_TOOLS (default ${XDG_CACHE_HOME:-~/.cache}/lambda-make/bench-tools)
set -euo pipefail
root=${LAMBDA_BENCH_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/lambda-make/bench-tools}
bin=$root/bin
mkdir -p -- "$bin"
log() { printf 'bench/tools: %s\n' "$*" >&2; }

# crate NAME VERSION: cargo install into $root unless that version is there.
crate() {
	if [[ -x $bin/$1 && -f $root/.$1-$2 ]]; then return 0; fi
	log "installing $1 $2 from crates.io (once; several minutes)"
	cargo install --quiet --locked --root "$root" --version "$2" "$1" >&2
	touch -- "$root/.$1-$2"
}
want="$*"
# wants SYSTEM: true if SYSTEM was asked for (or nothing was named).
wants() { [[ -z $want || " $want " == *" $1 "* ]]; }
if wants chef; then crate cargo-chef 0.1.78; fi
if wants cargo-lambda; then
	crate cargo-lambda 1.9.2
	if [[ ! -x $bin/zig ]]; then
		log "installing zig (ziglang wheel from PyPI)"
		python3 -m pip install --quiet --target "$root/py" 'ziglang==0.13.0' >&2
		ln -sf -- "$root/py/ziglang/zig" "$bin/zig"
	fi
	"$bin/zig" version >/dev/null || { log "zig does not run: $bin/zig"; exit 1; }
fi
printf '%s\n' "$bin"
