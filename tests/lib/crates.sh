# shellcheck shell=bash
# crates.sh (sourced by tests/docker/*.sh): build_crates TEXT prints the crates that
# the build stage compiled, sorted, space-separated, from a lambda-prod output. The
# build stage's output starts with the "lambda-make: incremental|full build" line;
# a deps stage before it compiles stubs and dependencies, which are not counted.
build_crates() {
	# The classic client wraps each stderr chunk in colour codes, and a chunk may
	# end mid-line: strip them first. A line echoing a RUN instruction never starts
	# the count (classic: "Step N/M : RUN ...", BuildKit: "#N [deps ...] RUN ...").
	# shellcheck disable=SC2001 # a pattern, which ${…//…} cannot express without extglob
	sed 's/\x1b\[[0-9;]*m//g' <<<"$1" |
		awk '/lambda-make: (incremental|full build)/ && !/RUN / { f = 1 } f' |
		grep -oE 'Compiling [a-z0-9_-]+ v' | awk '{print $2}' | sort | tr '\n' ' '
}
