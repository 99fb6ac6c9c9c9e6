# shellcheck shell=bash
# bench/lib/setup.sh: shared setup of the docker benchmarks (sourced): the built
# module, the offline builder image, a scratch copy of examples/hello with its
# crates vendored. Sets: src buildmk image proj ch bk work run_id; defines mk, now, ms.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${LAMBDA_BUILD:-$src/_build/main}
buildmk=$build/lambda-uninstalled.mk
[[ -f $buildmk && -f $build/.libs/lambda.so ]] || { echo "bench: build first (bash tests/run build): no $buildmk" >&2; exit 2; }
unset MAKEFLAGS MFLAGS MAKELEVEL
bk=${LAMBDA_BUILDKIT_DOCKER:-/usr/bin/docker}
run_id=lmb-$$-$RANDOM
work=$(mktemp -d /tmp/lambda-bench.XXXXXX)
bench_cleanup() {
	docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^lambda-make/$run_id" |
		xargs -r docker rmi -f >/dev/null 2>&1 || true
	# the classic builder's target volumes (labelled with the project's dir)
	docker volume ls --format '{{.Name}}\t{{.Label "lambda-make.project"}}' |
		awk -F '\t' -v w="$work" 'index($2, w) == 1 { print $1 }' | xargs -r docker volume rm -f >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap bench_cleanup EXIT
image=$("$src/docker/builder-image.sh" --rust="${LAMBDA_BENCH_RUST:-host}")
proj=$work/hello
cp -r "$src/examples/hello" "$proj"
rm -rf "$proj/target"
ch=$work/cargo-home
"$src/tests/lib/vendor.sh" "$proj" "$ch" >/dev/null

# mk ARGS...: make in the project with the bench settings.
mk() {
	make --no-print-directory -C "$proj" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_CARGO_HOME="$ch" LAMBDA_PROJECT="$run_id" LAMBDA_DOCKER="$bk" "$@"
}
now() { date +%s%N; }
# ms START END: elapsed milliseconds.
ms() { echo $((($2 - $1) / 1000000)); }
