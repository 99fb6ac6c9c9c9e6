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

@test "lambda-package.sh: a bad --epoch is exit 2, message ends in words" {
	run "$src/docker/lambda-package.sh" --from="$t" --to="$t/out" --epoch=soon hello
	[ "$status" -eq 2 ]
	[[ ${lines[-1]} == "lambda-package: --epoch must be seconds since 1970 (got 'soon')" ]]
}

@test "lambda-package.sh: no bootstrap built is exit 1, message ends in words" {
	run "$src/docker/lambda-package.sh" --from="$t" --to="$t/out" hello
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == "lambda-package: the build produced no bootstrap for 'hello' ($t/hello/bootstrap missing)" ]]
}
