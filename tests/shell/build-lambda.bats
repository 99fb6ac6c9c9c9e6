#!/usr/bin/env bats
# docker/build-lambda.sh's messages and exit codes (its --help lists them),
# driving the build tree's lambda.mk, with a fake docker client for the
# daemon-down paths. Needs the module built (tests/run build).

setup() {
	src=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	t=$BATS_TEST_TMPDIR
	export LAMBDA_MK=${LAMBDA_BUILD:-$src/_build/main}/lambda-uninstalled.mk
	[ -f "$LAMBDA_MK" ] || {
		echo "no $LAMBDA_MK: build first (bash tests/run build)" >&2
		return 1
	}
	mkdir -p "$t/bin" "$t/state" "$t/proj/src"
	cp "$src/tests/shell/fake/docker" "$t/bin/docker"
	export PATH="$t/bin:$PATH" FAKE_STATE=$t/state XDG_RUNTIME_DIR=$t/state
	unset FAKE_MODE LAMBDA_DOCKER LAMBDA_BASE_IMAGE LAMBDA_CONTAINER LAMBDA_CARGO_HOME
	printf '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n' >"$t/proj/Cargo.toml"
	echo 'fn main() {}' >"$t/proj/src/main.rs"
	bl=$src/docker/build-lambda.sh
}

# last_line: the last line of $output ends in a word, not a stray exit code.
ends_in_words() { [[ ${lines[-1]} != *[0-9] ]]; }

@test "no Cargo.toml: exit 2, the message ends in words" {
	run "$bl" prod --project "$t"
	[ "$status" -eq 2 ]
	[[ ${lines[-1]} == "build-lambda.sh: no Cargo.toml in '$t': run from a Cargo project or pass --project DIR" ]]
}

@test "unknown mode: exit 2, names the valid ones" {
	run "$bl" deploy --project "$t/proj"
	[ "$status" -eq 2 ]
	[[ ${lines[-1]} == *"unknown mode 'deploy' (valid: dev, prod, docker)" ]]
}

@test "an option without its value: exit 2" {
	run "$bl" prod --arch
	[ "$status" -eq 2 ]
	[[ ${lines[-1]} == *"--arch needs a value" ]]
}

@test "LAMBDA_DOCKER=/nonexistent: exit 3, says the client does not exist" {
	LAMBDA_DOCKER=/nonexistent run "$bl" prod --project "$t/proj"
	[ "$status" -eq 3 ]
	[[ $output == *"the Docker client '/nonexistent' does not exist"*LAMBDA_DOCKER* ]]
	[[ $output != *"daemon"* ]]
	ends_in_words
}

@test "daemon down: exit 3, says the daemon cannot be reached" {
	FAKE_MODE=down run "$bl" prod --project "$t/proj"
	[ "$status" -eq 3 ]
	[[ $output == *"cannot reach the Docker daemon with 'docker'"* ]]
	ends_in_words
}

@test "dev, daemon down: exit 3 as --help promises (dev-container.sh's code)" {
	FAKE_MODE=down LAMBDA_BASE_IMAGE=fake:1 run "$bl" dev --project "$t/proj"
	[ "$status" -eq 3 ]
	[[ $output == *"cannot reach the Docker daemon"* ]]
	[[ ${lines[-1]} == "build-lambda.sh: lambda-dev failed (exit 3)" ]]
}

@test "dev, client missing: exit 3" {
	LAMBDA_DOCKER=/nonexistent run "$bl" dev --project "$t/proj"
	[ "$status" -eq 3 ]
	[[ $output == *"'/nonexistent'"*LAMBDA_DOCKER* ]]
}

@test "dev without a base image: exit 2 (an invalid setting)" {
	run "$bl" dev --project "$t/proj"
	[ "$status" -eq 2 ]
	[[ $output == *"LAMBDA_BASE_IMAGE"* ]]
}

@test "--dry-run needs no Docker: prints the stage commands, exit 0" {
	LAMBDA_DOCKER=/nonexistent run "$bl" prod --project "$t/proj" --dry-run
	[ "$status" -eq 0 ]
	[[ $output == *"lambda-stage.sh --docker=/nonexistent --stage=base"* ]]
}

@test "--help lists every exit code it can return" {
	run "$bl" --help
	[ "$status" -eq 0 ]
	for c in "0  built" "1  the build" "2  bad usage" "3  Docker is not available" "5  dev only"; do
		[[ $output == *"$c"* ]]
	done
}
