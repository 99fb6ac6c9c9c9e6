#!/usr/bin/env bash
# build-lambda.sh: the command-line entry point. Drives lambda.mk (one engine);
# with no mode it does what it always did: build the deployment packages, now
# through the optimized, cached production path.
set -euo pipefail
readonly PROG=${0##*/}

usage() {
	cat <<EOF
$PROG - build Rust AWS Lambda functions in Docker (cached prod, incremental dev)

usage: $PROG [dev|prod|docker] [options] [-- cargo args...]

modes:
  prod     (default) cached multi-stage release build, zipped and checked:
           target/lambda/<arch>/<function>/bootstrap{,.zip}
  dev      incremental build in the persistent dev container (no zip)
  docker   the legacy path: everything rebuilt without cache, same artifacts

options:
  --arch x86_64|arm64|all     architectures (default: x86_64; LAMBDA_ARCH)
  --runtime al2023|al2        Lambda runtime to check against (default al2023)
  --project DIR               the Cargo project (default: the current dir)
  --base-image IMAGE          base image with the Rust toolchain (LAMBDA_BASE_IMAGE)
  --function NAME             build only this binary (repeatable)
  --cache-registry HOST[:PORT]/REPO
                              the team's layer cache: pull the base and deps
                              stages from it, push the ones this build made
                              (LAMBDA_CACHE_REGISTRY; docs/ci.md)
  -n, --dry-run               print the commands, run nothing
  -h, --help                  this text
Everything after -- goes to cargo (validated: no shell characters, no --target).

environment:
  LAMBDA_MK    the lambda.mk to drive (default: this installation's, else
               pkg-config's; from a build tree: its lambda-uninstalled.mk)
  LAMBDA_*     any variable of lambda.mk (man 7 lambda.mk)

exit codes:
  0  built
  1  the build or a check failed
  2  bad usage or an invalid setting (nothing was built)
  3  Docker is not available (the client LAMBDA_DOCKER names does not exist,
     or the daemon is not reachable)
  5  dev only: the dev container could not be started (dev-container.sh --help)
EOF
}

# die MESSAGE [CODE]: the message alone on stderr, then exit CODE (default 1).
die() { echo "$PROG: $1" >&2; exit "${2:-1}"; }

mode=prod
vars=()
dry=()
fns=()
project=
if [[ $# -gt 0 && $1 != -* ]]; then
	mode=$1
	shift
fi
case $mode in dev | prod | docker) ;; *) usage >&2; die "unknown mode '$mode' (valid: dev, prod, docker)" 2 ;; esac
while [[ $# -gt 0 ]]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--arch | --runtime | --project | --base-image | --function | --cache-registry)
		[[ $# -ge 2 ]] || die "$1 needs a value" 2
		set -- "$1=$2" "${@:3}"
		continue ;;
	--arch=*) a=${1#*=}; vars+=("LAMBDA_ARCH=${a//,/ }") ;;
	--runtime=*) vars+=("LAMBDA_RUNTIME=${1#*=}") ;;
	--project=*) project=${1#*=} ;;
	--base-image=*) vars+=("LAMBDA_BASE_IMAGE=${1#*=}") ;;
	--function=*) fns+=("${1#*=}") ;;
	--cache-registry=*) vars+=("LAMBDA_CACHE_REGISTRY=${1#*=}") ;;
	-n | --dry-run) dry=(-n) ;;
	--) shift; vars+=("LAMBDA_CARGO_FLAGS=$*"); break ;;
	*) usage >&2; die "unknown option '$1'" 2 ;;
	esac
	shift
done
[[ ${#fns[@]} -eq 0 ]] || vars+=("LAMBDA_FUNCTIONS=${fns[*]}")

project=${project:-$PWD}
[[ -d $project ]] || die "project dir '$project' does not exist" 2
project=$(cd "$project" && pwd)
[[ -f $project/Cargo.toml ]] || die "no Cargo.toml in '$project': run from a Cargo project or pass --project DIR" 2

# The real location: $(bindir) holds a symlink to the copy in
# $(pkgdatadir)/docker, whose parent holds lambda.mk.
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=docker/config.sh
. "$here/config.sh"
# shellcheck source=docker/engine.sh
. "$here/engine.sh"
mk=$(config_mk "$here") ||
	die "cannot find lambda.mk: install lambda-make, or set LAMBDA_MK (a build tree's lambda-uninstalled.mk)" 2
make_() { config_make "$mk" "$project" LAMBDA_DIR="$project" "${vars[@]}" "$@"; }

# Validate first: a bad setting is a usage error and builds nothing.
make_ -s lambda-validate >/dev/null || exit 2

# A dry run starts no docker command, so it needs no engine.
docker=${LAMBDA_DOCKER:-docker}
if [[ $mode != dev && ${#dry[@]} -eq 0 ]]; then
	engine_init "$docker"
	engine_found ||
		die "the Docker client '$docker' does not exist (LAMBDA_DOCKER: docker, podman or a path to a client)" 3
	engine_reachable ||
		die "cannot reach the Docker daemon with '$docker' (is dockerd running? DOCKER_HOST=${DOCKER_HOST:-unset})" 3
fi

if [[ $mode == dev && ${#dry[@]} -eq 0 ]]; then
	# make turns any failed recipe into its own exit 2; run the one command
	# lambda.mk generates for lambda-dev here, so dev-container.sh's exit code
	# (the ones listed above) reaches the caller unchanged.
	cmd=$(make_ -s -n lambda-dev) || exit 2
	rc=0
	bash -c "$cmd" || rc=$?
	((rc == 0)) || echo "$PROG: lambda-dev failed (exit $rc)" >&2
	exit "$rc"
fi

jobs=()
[[ $mode == dev ]] || jobs=(-j2)
make_ "${dry[@]}" "${jobs[@]}" "lambda-$mode" || die "lambda-$mode failed" 1
