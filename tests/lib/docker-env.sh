# shellcheck shell=bash
# docker-env.sh PREFIX WORKDIR_TEMPLATE (sourced by tests/docker/*.sh): what every
# test against the real engine starts with. Needs $src (the source tree). Sets:
#   run_id   PREFIX-<pid>-<random>: every container, volume and image the test
#            creates is named from it (images lambda-make/<run_id>… or <run_id>…)
#   work     a new dir from mktemp WORKDIR_TEMPLATE
#   bk       a client that runs BuildKit (LAMBDA_BUILDKIT_DOCKER, default /usr/bin/docker)
#   classic  a client without buildx (LAMBDA_CLASSIC_DOCKER, default docker)
#   image    the offline builder image (LAMBDA_BASE_IMAGE, or built/reused now)
#   eng      the engine the test drives: LAMBDA_TEST_ENGINE (docker, or podman: the
#            builder image is copied into podman's store first)
# and a trap that removes run_id's containers, volumes and images, the volumes of
# projects under the work dir, and (unless
# LAMBDA_KEEP is set) the work dir. tap.sh is sourced; MAKEFLAGS is cleared so an
# outer make's -j or -n does not leak into the builds.
# Also: need_make sets buildmk (the build tree's lambda-uninstalled.mk) or stops the test.
[[ $# -eq 2 && -n ${src:-} ]] || { echo "usage: src=DIR; . docker-env.sh PREFIX WORKDIR_TEMPLATE" >&2; exit 2; }
# shellcheck source=tests/lib/tap.sh
. "$src/tests/lib/tap.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL
: "${GNUMAKE:=make}"
# shellcheck disable=SC2034 # bk, classic, image: for the sourcing test
bk=${LAMBDA_BUILDKIT_DOCKER:-/usr/bin/docker} classic=${LAMBDA_CLASSIC_DOCKER:-docker}
eng=${LAMBDA_TEST_ENGINE:-docker}
run_id=$1-$$-$RANDOM
work=$(mktemp -d "$2")

denv_cleanup() {
	local e
	for e in docker ${eng#docker}; do
		"$e" ps -aq --filter "name=^$run_id" | xargs -r "$e" rm -f >/dev/null 2>&1 || true
		"$e" volume ls -q --filter "name=^$run_id" | xargs -r "$e" volume rm -f >/dev/null 2>&1 || true
	done
	# the classic builder's target volumes are named from the project's dir
	docker volume ls --format '{{.Name}}	{{.Label "lambda-make.project"}}' |
		awk -F '\t' -v w="$work" 'index($2, w) == 1 { print $1 }' | xargs -r docker volume rm -f >/dev/null 2>&1 || true
	docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^(lambda-make/)?${run_id}[-:]" |
		xargs -r docker rmi -f >/dev/null 2>&1 || true
	[[ -n ${LAMBDA_KEEP:-} ]] || rm -rf "$work"
}
trap denv_cleanup EXIT

# need_make: the build tree's lambda-uninstalled.mk (beside .libs/ of LAMBDA_PLUGIN) in
# $buildmk, or a TAP "no tests" and exit 1. Exported as LAMBDA_MK: the scripts
# run straight from the source tree check their settings with it.
need_make() {
	: "${LAMBDA_PLUGIN:?}"
	buildmk=$(dirname "$(dirname "$LAMBDA_PLUGIN")")/lambda-uninstalled.mk
	[[ -f $buildmk ]] || { echo "1..0 # no $buildmk"; exit 1; }
	export LAMBDA_MK=$buildmk
}

# shellcheck disable=SC2034
image=${LAMBDA_BASE_IMAGE:-$("$src/docker/builder-image.sh")}
if [[ $eng == podman ]] && ! podman image exists "$image"; then
	podman pull -q "docker-daemon:$image" >/dev/null
fi

# logged_client REAL: print the path of a client that appends each call's arguments
# to $work/docker-calls and runs REAL; calls_made counts the calls since the last
# calls_reset. For tests that must show that no docker command ran.
logged_client() {
	mkdir -p "$work/bin"
	printf '#!/bin/sh\necho "$*" >>"%s/docker-calls"\nexec "%s" "$@"\n' "$work" "$1" >"$work/bin/docker-logged"
	chmod +x "$work/bin/docker-logged"
	echo "$work/bin/docker-logged"
}
calls_reset() { : >"$work/docker-calls"; }
calls_made() { grep -c . "$work/docker-calls" 2>/dev/null || true; }
