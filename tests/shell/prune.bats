#!/usr/bin/env bats
# lambda-prune.sh's error paths (the removal itself: tests/docker/hygiene.sh) and
# that it asks the engine only about this project's label.

setup() {
	src=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	t=$BATS_TEST_TMPDIR
	mkdir -p "$t/bin" "$t/proj"
}

# fake_client up|down: logs each call's arguments to $t/calls; lists nothing.
fake_client() {
	printf '#!/bin/sh\necho "$*" >>"%s/calls"\n[ "$1" = info ] && [ "%s" = down ] && { echo "Cannot connect to the Docker daemon" >&2; exit 1; }\nexit 0\n' \
		"$t" "$1" >"$t/bin/docker"
	chmod +x "$t/bin/docker"
}

@test "lambda-prune.sh: no --dir is exit 2, named" {
	run "$src/docker/lambda-prune.sh"
	[ "$status" -eq 2 ]
	[[ ${lines[-1]} == "lambda-prune: give --dir=DIR (the project)" ]]
}

@test "lambda-prune.sh: a relative --dir is exit 2" {
	run "$src/docker/lambda-prune.sh" --dir=proj
	[ "$status" -eq 2 ]
	[[ ${lines[-1]} == "lambda-prune: --dir must be absolute (got 'proj')" ]]
}

@test "lambda-prune.sh: a daemon that is down is exit 3" {
	fake_client down
	run "$src/docker/lambda-prune.sh" --docker="$t/bin/docker" --dir="$t/proj"
	[ "$status" -eq 3 ]
	[[ ${lines[-1]} == "lambda-prune: cannot reach the Docker daemon with '$t/bin/docker'" ]]
}

@test "lambda-prune.sh: every listing filters on this project's label or tag" {
	fake_client up
	run "$src/docker/lambda-prune.sh" --docker="$t/bin/docker" --dir="$t/proj" --project=p --container=c
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == "lambda-prune: images and tags: 0" ]]
	! grep -E '^(ps|images|volume ls)' "$t/calls" | grep -v -e "label=lambda-make.project=$t/proj" -e 'lambda-make/p$'
	grep -q "^volume ls -q --filter label=lambda-make.project=$t/proj" "$t/calls"
	! grep -E '^(rm|rmi|volume rm)' "$t/calls"
}
