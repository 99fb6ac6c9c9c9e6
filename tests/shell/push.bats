#!/usr/bin/env bats
# lambda-push.sh: the queued stage images go to the registry after the package;
# a refused or hung push is one warning line, exit 0, and the queue is emptied.

setup() {
	src=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	t=$BATS_TEST_TMPDIR
	mkdir -p "$t/queue" "$t/bin"
	echo "127.0.0.1:5000/cache:deps-x86_64-0123" >"$t/queue/deps-x86_64"
}

# client BEHAVIOUR: a fake client whose push succeeds (ok), is refused (denied)
# or never answers (hang).
client() {
	cat >"$t/bin/docker" <<EOF2
#!/bin/sh
echo "\$*" >>"$t/calls"
case "$1" in
ok) printf 'abc: Pushed\ndef: Layer already exists\nghi: Layer already exists\n' ;;
denied) echo 'unauthorized: authentication required' >&2; exit 1 ;;
hang) sleep 30 ;;
esac
EOF2
	chmod +x "$t/bin/docker"
}

@test "lambda-push.sh: a push says how long and how many layers were new" {
	client ok
	run "$src/docker/lambda-push.sh" --docker="$t/bin/docker" --queue="$t/queue"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == "lambda-make: deps-x86_64: pushed to the cache registry in "*" s (127.0.0.1:5000/cache: 1 new layers, 2 already there)" ]]
	grep -qx 'push -- 127.0.0.1:5000/cache:deps-x86_64-0123' "$t/calls"
	[ -z "$(ls "$t/queue")" ]
}

@test "lambda-push.sh: a refused push is one warning line and exit 0" {
	client denied
	run "$src/docker/lambda-push.sh" --docker="$t/bin/docker" --queue="$t/queue"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "lambda-make: deps-x86_64: warning: the push to the cache registry was skipped (unauthorized: authentication required); the package is built, other machines will build deps-x86_64 themselves" ]]
	[ -z "$(ls "$t/queue")" ]
}

@test "lambda-push.sh: a registry that never answers is cut off and named" {
	client hang
	LAMBDA__PUSH_TIMEOUT=1 run "$src/docker/lambda-push.sh" --docker="$t/bin/docker" --queue="$t/queue"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == *"warning: the push to the cache registry was skipped (no answer in 1 s)"* ]]
}

@test "lambda-push.sh: no queue is nothing to do; no --queue is exit 2" {
	run "$src/docker/lambda-push.sh" --queue="$t/none"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$src/docker/lambda-push.sh"
	[ "$status" -eq 2 ]
	[[ ${lines[-1]} == "lambda-push: give --queue" ]]
}

@test "dev-container.sh: an engine on another machine is refused with one line" {
	LAMBDA_MK=${LAMBDA_BUILD:-$src/_build/main}/lambda-uninstalled.mk DOCKER_HOST=tcp://192.0.2.250:2375 \
		run "$src/docker/dev-container.sh" build --dir="$t" --image=x
	[ "$status" -eq 2 ]
	[[ ${lines[-1]} == *"the dev container bind-mounts the project, which the remote engine at DOCKER_HOST=tcp://192.0.2.250:2375 cannot see; build with lambda-prod"* ]]
}

@test "lambda-push.sh --verbose: the push's output is added to a log that stderr goes to, never truncating it" {
	client ok
	echo "the build's earlier output" >"$t/log"
	"$src/docker/lambda-push.sh" --docker="$t/bin/docker" --queue="$t/queue" --verbose 2>>"$t/log"
	[ "$(head -n1 "$t/log")" = "the build's earlier output" ]
	grep -qx 'abc: Pushed' "$t/log"
	[[ $(tail -n1 "$t/log") == "lambda-make: deps-x86_64: pushed to the cache registry in "* ]]
}
