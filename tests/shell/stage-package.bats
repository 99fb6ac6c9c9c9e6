#!/usr/bin/env bats
# The internal helpers' messages: each ends in words (no exit code pasted into
# it) and exits with the code its --help lists.

setup() {
	src=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	t=$BATS_TEST_TMPDIR
	mkdir -p "$t/ctx"
	: >"$t/Dockerfile"
}

@test "lambda-stage.sh: a bad --stage is exit 2, message ends in words" {
	run "$src/docker/lambda-stage.sh" --stage=bogus
	[ "$status" -eq 2 ]
	[[ ${lines[-1]} == "lambda-stage: --stage must be base, deps, build or runtime (got 'bogus')" ]]
}

@test "lambda-stage.sh: a missing client is exit 3 and named, not a daemon problem" {
	run "$src/docker/lambda-stage.sh" --stage=base --dockerfile="$t/Dockerfile" \
		--context="$t/ctx" --tag=x:1 --docker=/nonexistent
	[ "$status" -eq 3 ]
	[[ ${lines[-1]} == "lambda-stage: the Docker client '/nonexistent' does not exist (LAMBDA_DOCKER: docker, podman or a path to a client)" ]]
}

@test "lambda-package.sh: --epoch is the zip's mtime as given (the core normalised it)" {
	mkdir -p "$t/out/hello"
	printf 'x' >"$t/out/hello/bootstrap"
	run "$src/docker/lambda-package.sh" --from="$t/out" --to="$t/pkg" --epoch=1700000000 hello
	[ "$status" -eq 0 ]
	[ "$(stat -c %Y "$t/pkg/hello/bootstrap")" -eq 1700000000 ]
	[ "$(stat -c %Y "$t/pkg/hello/bootstrap.zip")" -eq 1700000000 ]
}

@test "lambda-package.sh: no bootstrap built is exit 1, message ends in words" {
	run "$src/docker/lambda-package.sh" --from="$t" --to="$t/out" hello
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == "lambda-package: the build produced no bootstrap for 'hello' ($t/hello/bootstrap missing)" ]]
}

# fake_client BEHAVIOUR: a client whose daemon answers but has no images and
# reaches no registry (the pull error is Docker 20.10's), or whose daemon is down.
fake_client() {
	mkdir -p "$t/bin"
	cat >"$t/bin/docker" <<FAKE
#!/bin/sh
[ "$1" = down ] && { echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1; }
case "\$1 \${2:-}" in
"info "*) exit 0 ;;
"image inspect") echo "Error: No such image: \$4" >&2; exit 1 ;;
"pull -q") echo 'Error response from daemon: Get "https://public.ecr.aws/v2/": dial tcp: lookup public.ecr.aws: no such host' >&2; exit 1 ;;
"build "*) echo "the build must not start" >&2; exit 1 ;;
esac
exit 1
FAKE
	chmod +x "$t/bin/docker"
	printf 'ARG LAMBDA_BASE_IMAGE=public.ecr.aws/amazonlinux/amazonlinux:2023\nFROM ${LAMBDA_BASE_IMAGE} AS base\n' >"$t/Dockerfile"
}

@test "lambda-stage.sh: an unpullable default base image is exit 1, named with LAMBDA_BASE_IMAGE and builder-image.sh" {
	fake_client up
	run "$src/docker/lambda-stage.sh" --stage=base --dockerfile="$t/Dockerfile" \
		--context="$t/ctx" --tag=x:1 --docker="$t/bin/docker" --build-arg=LAMBDA_TARGET=x86_64-unknown-linux-gnu
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == "lambda-stage: the base image 'public.ecr.aws/amazonlinux/amazonlinux:2023' is not on this machine and cannot be pulled (Error response from daemon: Get \"https://public.ecr.aws/v2/\": dial tcp: lookup public.ecr.aws: no such host); set LAMBDA_BASE_IMAGE to an image that is, such as the offline builder that builder-image.sh builds and names (man builder-image.sh, docs/offline.md)" ]]
	[[ $output != *"the build must not start"* ]]
}

@test "lambda-stage.sh: LAMBDA_BASE_IMAGE wins over the Dockerfile's default in the message" {
	fake_client up
	run "$src/docker/lambda-stage.sh" --stage=deps --dockerfile="$t/Dockerfile" --context="$t/ctx" \
		--tag=x:1 --docker="$t/bin/docker" --build-arg=LAMBDA_BASE_IMAGE=nonexistent:tag
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == "lambda-stage: the base image 'nonexistent:tag' is not on this machine"* ]]
}

@test "lambda-stage.sh: for al2, a missing base image names builder-image.sh --runtime=al2" {
	fake_client up
	run "$src/docker/lambda-stage.sh" --stage=base --dockerfile="$t/Dockerfile" --context="$t/ctx" \
		--tag=x:1 --docker="$t/bin/docker" --build-arg=LAMBDA_BASE_IMAGE=lambda-make-builder:abc-al2-def \
		--build-arg=LAMBDA_RUNTIME=al2
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == "lambda-stage: the base image 'lambda-make-builder:abc-al2-def' is not on this machine and cannot be pulled ("*"); build the al2 builder image with 'builder-image.sh --runtime=al2' (docs/al2.md), or set LAMBDA_BASE_IMAGE to an image that links for glibc 2.26" ]]
}

@test "lambda-stage.sh: a daemon that is down is exit 3 and said so" {
	fake_client down
	run "$src/docker/lambda-stage.sh" --stage=base --dockerfile="$t/Dockerfile" \
		--context="$t/ctx" --tag=x:1 --docker="$t/bin/docker"
	[ "$status" -eq 3 ]
	[[ ${lines[-1]} == "lambda-stage: cannot reach the Docker daemon with '$t/bin/docker' (is dockerd running? DOCKER_HOST="* ]]
}

@test "lambda-package.sh: the extensions layer: extensions/NAME only, 0755, fixed mtime, same bytes twice" {
	mkdir -p "$t/out/fn" "$t/out/ext-b" "$t/out/ext-a"
	printf 'fn' >"$t/out/fn/bootstrap"
	printf 'b' >"$t/out/ext-b/bootstrap"
	printf 'a' >"$t/out/ext-a/bootstrap"
	run "$src/docker/lambda-package.sh" --from="$t/out" --to="$t/pkg" --extension=ext-b --extension=ext-a fn
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == "lambda-package: $t/pkg/extensions.zip ("*" bytes, 2 extension(s))" ]]
	run zipinfo -1 "$t/pkg/extensions.zip"
	[ "$output" = "extensions/ext-a
extensions/ext-b" ]
	run zipinfo "$t/pkg/extensions.zip"
	[[ $output == *"-rwxr-xr-x  3.0 unx        1 t- stor 80-Jan-01 00:00 extensions/ext-a"* ]]
	[ "$(stat -c %a "$t/pkg/extensions/ext-a")" = 755 ]
	[ ! -e "$t/pkg/ext-a" ]
	sum=$(sha256sum <"$t/pkg/extensions.zip")
	sleep 1
	"$src/docker/lambda-package.sh" --from="$t/out" --to="$t/pkg" --extension=ext-a --extension=ext-b fn
	[ "$(sha256sum <"$t/pkg/extensions.zip")" = "$sum" ]
	# an extension dropped from the list leaves the unzipped copies too
	"$src/docker/lambda-package.sh" --from="$t/out" --to="$t/pkg" --extension=ext-a fn
	[ ! -e "$t/pkg/extensions/ext-b" ]
	[ "$(zipinfo -1 "$t/pkg/extensions.zip")" = "extensions/ext-a" ]
}

@test "lambda-package.sh: an extension that was not built is exit 1, nothing placed" {
	mkdir -p "$t/out/fn"
	printf 'fn' >"$t/out/fn/bootstrap"
	run "$src/docker/lambda-package.sh" --from="$t/out" --to="$t/pkg" --extension=nope fn
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == "lambda-package: the build produced no binary for the extension 'nope' ($t/out/nope/bootstrap missing)" ]]
	[ ! -e "$t/pkg/extensions.zip" ]
	[ -z "$(find "$t/pkg" -mindepth 1 -maxdepth 1 ! -name fn)" ]
}
