#!/usr/bin/env bash
# lambda-push.sh: push the stage images a build queued for the team's cache
# registry (LAMBDA_CACHE_REGISTRY), after the package was written.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=docker/engine.sh
. "$here/engine.sh"

usage() {
	cat <<'USAGE'
usage: lambda-push.sh --queue=DIR [--docker=CLIENT] [--verbose]

Pushes each image named in DIR (one file per stage, written by lambda-stage.sh
--cache-image when the registry lacked the stage and the build made it), one line
per push, and removes the entry. Credentials are the engine client's own
(`docker login REGISTRY`). A push that fails (registry down, slow, refusing,
full) costs one warning line: the package is already written, and the build
succeeds; the next machine with the same inputs builds the stage itself.
Exit codes: 0 done (pushed or skipped with a warning); 2 bad usage.
USAGE
}

# die MESSAGE [CODE]: the message alone on stderr, then exit CODE (default 1).
die() { echo "lambda-push: $1" >&2; exit "${2:-1}"; }

# both: each line of stdin to stdout and to stderr.
both() {
	local l
	while IFS= read -r l || [[ -n $l ]]; do
		printf '%s\n' "$l" >&2
		printf '%s\n' "$l"
	done
}

docker=docker queue='' verbose=0
for a in "$@"; do
	case $a in
	--help | -h) usage; exit 0 ;;
	--docker=*) docker=${a#*=} ;;
	--queue=*) queue=${a#*=} ;;
	--verbose) verbose=1 ;;
	*) usage >&2; die "unknown argument '$a'" 2 ;;
	esac
done
[[ -n $queue ]] || die "give --queue" 2
[[ -d $queue ]] || exit 0
timeout_s=${LAMBDA__PUSH_TIMEOUT:-900}
engine_init "$docker"

for entry in "$queue"/*; do
	[[ -f $entry ]] || continue
	name=${entry##*/}
	ref=$(head -n1 -- "$entry")
	rm -f -- "$entry"
	[[ -n $ref ]] || continue
	started=$SECONDS
	rc=0
	if ((verbose)); then
		# shown as it comes, through our stderr descriptor: tee /dev/stderr would
		# open a file anew and truncate a build log that stderr is redirected to
		out=$(engine_push "$ref" "$timeout_s" 2>&1 | both) || rc=$?
	else
		out=$(engine_push "$ref" "$timeout_s" 2>&1) || rc=$?
	fi
	if ((rc == 0)); then
		new=$(grep -c ': Pushed$' <<<"$out" || true)
		had=$(grep -c ': Layer already exists$' <<<"$out" || true)
		echo "lambda-make: $name: pushed to the cache registry in $((SECONDS - started)) s (${ref%:*}: $new new layers, $had already there)" >&2
		continue
	fi
	((rc != 124)) || out="no answer in $timeout_s s"
	why=$(grep . <<<"$out" | tail -n1)
	echo "lambda-make: $name: warning: the push to the cache registry was skipped (${why:-no reason given}); the package is built, other machines will build $name themselves" >&2
done
exit 0
