# shellcheck shell=bash
# crates.sh (sourced by tests/docker/*.sh): the crates cargo compiled, read from a
# lambda-prod output (LAMBDA_VERBOSE=1: Docker's output).

# plain TEXT: TEXT without colour codes. The classic client wraps each stderr chunk
# in them, and a chunk may end mid-line.
plain() {
	# shellcheck disable=SC2001 # a pattern, which ${…//…} cannot express without extglob
	sed 's/\x1b\[[0-9;]*m//g' <<<"$1"
}

# all_crates TEXT: every crate compiled, one name per line, in build order.
all_crates() { plain "$1" | grep -oE 'Compiling [a-z0-9_-]+ v' | awk '{print $2}' || true; }

# stage_crates AWK TEXT: the crates compiled in the lines of TEXT that the awk
# program AWK keeps, sorted, space-separated. The build stage's output starts with
# the "lambda-make: incremental|full build" line; a line echoing a RUN instruction
# never counts as that line (classic: "Step N/M : RUN ...", BuildKit: "#N [deps ...] RUN ...").
stage_crates() {
	plain "$2" | awk "$1" |
		grep -oE 'Compiling [a-z0-9_-]+ v' | awk '{print $2}' | sort | tr '\n' ' '
}
crates_start='/lambda-make: (incremental|full build)/ && !/RUN /'

# build_crates TEXT: the crates the build stage compiled (the deps stage before it
# compiles stubs and dependencies, which are not counted).
build_crates() { stage_crates "$crates_start { f = 1 } f" "$1"; }

# deps_crates TEXT: the crates the deps stage compiled (everything before the build stage).
deps_crates() { stage_crates "$crates_start { exit } 1" "$1"; }
