#!/usr/bin/env bats
# docker/dev-container.sh against a fake docker client (tests/shell/fake/docker):
# usage errors, daemon down, 409 name conflicts, missing containers, retries of
# transient failures, the production fallback, paths with spaces.

setup() {
	src=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	t=$BATS_TEST_TMPDIR
	# The script, its engine.sh and config.sh and a fake build-lambda.sh side by
	# side (the fallback calls it); the build tree's lambda.mk checks the settings.
	mkdir -p "$t/docker" "$t/bin" "$t/state" "$t/run"
	cp "$src/docker/dev-container.sh" "$src/docker/engine.sh" "$src/docker/config.sh" "$t/docker/"
	export LAMBDA_MK=${LAMBDA_BUILD:-$src/_build/main}/lambda-uninstalled.mk
	[ -f "$LAMBDA_MK" ] || {
		echo "no $LAMBDA_MK: build first (bash tests/run build)" >&2
		return 1
	}
	cat >"$t/docker/build-lambda.sh" <<'EOF'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$FAKE_STATE/fallback"
exit "${FAKE_FALLBACK_RC:-0}"
EOF
	chmod +x "$t/docker/build-lambda.sh"
	cp "$src/tests/shell/fake/docker" "$t/bin/docker"
	export PATH="$t/bin:$PATH" FAKE_STATE=$t/state XDG_RUNTIME_DIR=$t/run
	unset FAKE_MODE LAMBDA_CONTAINER LAMBDA_BASE_IMAGE LAMBDA_CARGO_HOME LAMBDA_DEV_FALLBACK
	proj="$t/my project"
	mkdir -p "$proj/src"
	printf '[package]\nname = "hello"\nversion = "0.1.0"\n' >"$proj/Cargo.toml"
	dc=$t/docker/dev-container.sh
	common=(--docker=docker "--dir=$proj" --container=lmk-bats --image=fake:1)
}

# calls VERB: how many times the fake saw "container VERB".
calls() { grep -A2 -- '^--- call$' "$FAKE_STATE/log" | grep -c -x -- "$1" || true; }

@test "--help documents the commands and exit codes" {
	run "$dc" --help
	[ "$status" -eq 0 ]
	[[ $output == *"start|build|stop|status|shell"* ]]
	[[ $output == *"exit codes"* ]]
	[[ $output == *"4  status: not_found"* ]]
}

@test "no command and unknown command are usage errors (2)" {
	run "$dc" "${common[@]}"
	[ "$status" -eq 2 ]
	run "$dc" frobnicate "${common[@]}"
	[ "$status" -eq 2 ]
	[[ $output == *"unknown command 'frobnicate'"* ]]
}

@test "bad --arch is a usage error (2), before any docker call" {
	run "$dc" build "${common[@]}" --arch=sparc
	[ "$status" -eq 2 ]
	[[ $output == *"--arch (LAMBDA_ARCH): invalid value 'sparc'"* ]]
	[ ! -f "$FAKE_STATE/log" ]
}

@test "bad container name, function name and reserved cargo flags are usage errors" {
	run "$dc" status --docker=docker --container='a b'
	[ "$status" -eq 2 ]
	run "$dc" build "${common[@]}" --function='x;y'
	[ "$status" -eq 2 ]
	run "$dc" build "${common[@]}" -- --target=foo
	[ "$status" -eq 2 ]
	[[ $output == *"'--target=foo' is set by"* ]]
}

@test "the settings follow lambda.mk's rules (the C core's), not rules of the script's own" {
	for f in --release --message-format=short -Zx "--config=a=1"; do
		run "$dc" build "${common[@]}" -- "$f"
		[ "$status" -eq 2 ]
		[[ $output == *"the cargo flags after -- (LAMBDA_CARGO_FLAGS): '$f' is set by lambda-make"* ]]
	done
	run "$dc" build "${common[@]}" --arch=aarch64
	[ "$status" -eq 2 ]
	[[ $output == *"--arch (LAMBDA_ARCH): invalid value 'aarch64'"* ]]
	run "$dc" build "${common[@]}" '--function=$(shell touch x)'
	[ "$status" -eq 2 ]
	[[ $output == *"--function (LAMBDA_FUNCTIONS): "* ]]
	[ ! -f "$FAKE_STATE/log" ]
	# all and both are the two architectures, as in lambda.mk
	run "$dc" status --docker=docker --container=lmk-bats --arch=all
	[ "$status" -eq 4 ]
	[ "$output" = not_found ]
}

@test "an invalid SOURCE_DATE_EPOCH: the core's message, exit 2, no docker call" {
	SOURCE_DATE_EPOCH=soon run "$dc" build "${common[@]}" --zip
	[ "$status" -eq 2 ]
	[[ $output == *"SOURCE_DATE_EPOCH: 'soon' is not a number of seconds"* ]]
	[ ! -f "$FAKE_STATE/log" ]
}

@test "no lambda.mk to check the settings: one line naming LAMBDA_MK, exit 2" {
	LAMBDA_MK=$t/nonexistent.mk run "$dc" build "${common[@]}"
	[ "$status" -eq 2 ]
	[[ $output == *"cannot find lambda.mk"*"set LAMBDA_MK"* ]]
}

@test "a monorepo: the project at /workspace/<subdir>, each --path-dep read-only at its place" {
	mono="$t/mono repo"
	mkdir -p "$mono/services/app" "$mono/libs/common"
	cp "$proj/Cargo.toml" "$mono/services/app/"
	run "$dc" start --docker=docker "--dir=$mono/services/app" --container=lmk-bats --image=fake:1 \
		--subdir=services/app --path-dep=libs/common
	[ "$status" -eq 0 ]
	grep -qxF "type=bind,\"source=$mono/services/app\",target=/workspace/services/app" "$FAKE_STATE/log"
	grep -qxF "type=bind,\"source=$mono/libs/common\",\"target=/workspace/libs/common\",readonly" "$FAKE_STATE/log"
	grep -qxF /workspace/services/app "$FAKE_STATE/log"
	[[ $output == *"at /workspace/services/app"* ]]
}

@test "a monorepo: bad --subdir and --path-dep are usage errors (2), before any docker call" {
	run "$dc" build "${common[@]}" --subdir=../x
	[ "$status" -eq 2 ]
	[[ $output == *"invalid --subdir '../x'"* ]]
	run "$dc" build "${common[@]}" --path-dep=libs/common
	[ "$status" -eq 2 ]
	[[ $output == *"--path-dep needs --subdir"* ]]
	run "$dc" build "${common[@]}" --subdir=services/app
	[ "$status" -eq 2 ]
	[[ $output == *"--subdir 'services/app' is not the end of the project dir"* ]]
	mkdir -p "$t/m/services/app"
	cp "$proj/Cargo.toml" "$t/m/services/app/"
	run "$dc" build --docker=docker "--dir=$t/m/services/app" --container=lmk-bats --image=fake:1 \
		--subdir=services/app --path-dep=libs/gone
	[ "$status" -eq 2 ]
	[[ $output == *"path dependency '$t/m/libs/gone' is not a directory"* ]]
	[ ! -f "$FAKE_STATE/log" ]
}

@test "missing project dir: one clear line, exit 2, no docker call" {
	run "$dc" build --docker=docker --dir="$t/nope" --container=lmk-bats --image=fake:1
	[ "$status" -eq 2 ]
	[[ $output == "dev-container.sh: project dir '$t/nope' does not exist" ]]
	[ ! -f "$FAKE_STATE/log" ]
}

@test "a dir without Cargo.toml is refused (2)" {
	mkdir "$t/empty"
	run "$dc" start --docker=docker --dir="$t/empty" --container=lmk-bats --image=fake:1
	[ "$status" -eq 2 ]
	[[ $output == *"no Cargo.toml"* ]]
}

@test "an unreadable project dir is refused (2)" {
	if [ "$(id -u)" -eq 0 ]; then
		# root reads everything: run the script as nobody, from a dir nobody can reach.
		command -v setpriv >/dev/null || skip "needs setpriv to drop root"
		u=$(mktemp -d /tmp/lmk-bats.XXXXXX)
		chmod 0755 "$u"
		cp -r "$t/docker" "$t/bin" "$u/"
		# the settings are checked by a lambda.mk nobody can read too (the build
		# tree may sit below a dir only root can enter)
		cp "$(dirname "$LAMBDA_MK")/.libs/lambda.so" "$u/"
		cp -r "$src/templates" "$u/"
		printf 'LAMBDA_PLUGIN := %s/lambda.so\nLAMBDA_HOME := %s\ninclude %s/templates/lambda.mk\n' \
			"$u" "$u" "$u" >"$u/lambda.mk"
		chmod -R a+rX "$u"
		mkdir "$u/secret"
		cp "$proj/Cargo.toml" "$u/secret/"
		chmod 000 "$u/secret"
		run setpriv --reuid=65534 --regid=65534 --clear-groups env TMPDIR=/tmp LAMBDA_MK="$u/lambda.mk" \
			"$u/docker/dev-container.sh" build --docker="$u/bin/docker" --dir="$u/secret" \
			--container=lmk-bats --image=fake:1
		rm -rf "$u"
	else
		mkdir "$t/secret"
		cp "$proj/Cargo.toml" "$t/secret/"
		chmod 000 "$t/secret"
		run "$dc" build "${common[@]}" --dir="$t/secret"
		chmod 755 "$t/secret"
	fi
	[ "$status" -eq 2 ]
	[[ $output == *"is not readable"* ]]
}

@test "no image: error names builder-image.sh, its installed name (2)" {
	run "$dc" build --docker=docker --dir="$proj" --container=lmk-bats
	[ "$status" -eq 2 ]
	[[ $output == *"no --image/LAMBDA_BASE_IMAGE"*"(builder-image.sh builds"* ]]
}

@test "docker client missing: exit 3" {
	run "$dc" status --docker=/nonexistent/docker --container=lmk-bats
	[ "$status" -eq 3 ]
}

@test "daemon down: status and build print one line and exit 3" {
	export FAKE_MODE=down
	run "$dc" status "${common[@]}"
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"cannot reach the Docker daemon"* ]]
	run "$dc" build "${common[@]}"
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "status: not_found (4), running (0), stopped (1)" {
	run "$dc" status "${common[@]}"
	[ "$status" -eq 4 ]
	[ "$output" = not_found ]
	echo running >"$FAKE_STATE/state"
	run "$dc" status "${common[@]}"
	[ "$status" -eq 0 ]
	[ "$output" = running ]
	echo exited >"$FAKE_STATE/state"
	run "$dc" status "${common[@]}"
	[ "$status" -eq 1 ]
	[ "$output" = stopped ]
}

@test "stop of a missing container (No such container) succeeds with a note" {
	run "$dc" stop "${common[@]}"
	[ "$status" -eq 0 ]
	[[ $output == *"does not exist"* ]]
}

@test "build with no container: create, start, build, place bootstrap (path with spaces)" {
	run "$dc" build "${common[@]}" --arch=x86_64,arm64 --function=hello
	[ "$status" -eq 0 ]
	[ "$(calls create)" -eq 1 ]
	[ "$(calls start)" -eq 1 ]
	# the project path, spaces and all, reached docker as one CSV-quoted field.
	grep -qxF "type=bind,\"source=$proj\",target=/workspace" "$FAKE_STATE/log"
	grep -qxF "lambda-make.project=$proj" "$FAKE_STATE/log"
	[ "$(cat "$proj/target/lambda-dev/x86_64/hello/bootstrap")" = "binary x86_64-unknown-linux-gnu hello" ]
	[ "$(cat "$proj/target/lambda-dev/arm64/hello/bootstrap")" = "binary aarch64-unknown-linux-gnu hello" ]
	[ "$(stat -c %a "$proj/target/lambda-dev/x86_64/hello/bootstrap")" = 755 ]
	# the note names the real paths, not a placeholder
	[[ $output == *"arm64: target/lambda-dev/arm64/hello/bootstrap"* ]]
	[[ $output != *"<function>"* ]]
	# no temp files left behind
	[ -z "$(find "$proj/target/lambda-dev" -name '.bootstrap.*')" ]
}

@test "--zip: the zip's mtime is SOURCE_DATE_EPOCH as the core normalised it" {
	cp "$src/docker/lambda-package.sh" "$t/docker/"
	SOURCE_DATE_EPOCH=86400 run "$dc" build "${common[@]}" --function=hello --zip
	[ "$status" -eq 0 ]
	# before 1980: zip's earliest time, 315532800
	[ "$(stat -c %Y "$proj/target/lambda-dev/x86_64/hello/bootstrap.zip")" -eq 315532800 ]
	SOURCE_DATE_EPOCH=1700000000 run "$dc" build "${common[@]}" --function=hello --zip
	[ "$status" -eq 0 ]
	[ "$(stat -c %Y "$proj/target/lambda-dev/x86_64/hello/bootstrap.zip")" -eq 1700000000 ]
}

@test "second build reuses the running container (no create, no start)" {
	run "$dc" build "${common[@]}"
	[ "$status" -eq 0 ]
	: >"$FAKE_STATE/log"
	run "$dc" build "${common[@]}"
	[ "$status" -eq 0 ]
	[ "$(calls create)" -eq 0 ]
	[ "$(calls start)" -eq 0 ]
	[ "$(calls rm)" -eq 0 ]
}

@test "a different configuration recreates the container with a notice" {
	run "$dc" build "${common[@]}"
	[ "$status" -eq 0 ]
	: >"$FAKE_STATE/log"
	run "$dc" build "${common[@]}" --arch=arm64
	[ "$status" -eq 0 ]
	[[ $output == *"different configuration"*"recreating"* ]]
	[ "$(calls rm)" -eq 1 ]
	[ "$(calls create)" -eq 1 ]
}

@test "a stopped container with the same configuration is started, not recreated" {
	run "$dc" build "${common[@]}"
	echo exited >"$FAKE_STATE/state"
	: >"$FAKE_STATE/log"
	run "$dc" build "${common[@]}"
	[ "$status" -eq 0 ]
	[ "$(calls create)" -eq 0 ]
	[ "$(calls start)" -eq 1 ]
}

@test "409 name conflict with matching labels: the container is adopted" {
	export FAKE_MODE=conflict
	run "$dc" build "${common[@]}"
	[ "$status" -eq 0 ]
	[[ $output == *"adopting container lmk-bats"* ]]
	[ -f "$proj/target/lambda-dev/x86_64/hello/bootstrap" ]
}

@test "409 name conflict with other labels: clear error (1), nothing removed" {
	export FAKE_MODE=conflict-other
	run "$dc" build "${common[@]}"
	[ "$status" -eq 1 ]
	[[ $output == *"taken by a container with another configuration"* ]]
	[ "$(calls rm)" -eq 0 ]
}

@test "transient failure then success: retried with backoff" {
	export FAKE_MODE=transient FAKE_FAILS=2
	run "$dc" status "${common[@]}"
	[ "$status" -eq 4 ]
	[ "${lines[-1]}" = not_found ]
	[ "$(calls inspect)" -eq 3 ]
	[[ $output == *"retry 1 in 0.2s"*"retry 2 in 0.4s"* ]]
}

@test "a failure that stays transient gives up after 3 tries" {
	export FAKE_MODE=flaky-forever
	run "$dc" status "${common[@]}"
	[ "$status" -eq 3 ]
	[ "$(calls inspect)" -eq 3 ]
}

@test "compile error: exit 1, cargo not retried" {
	export FAKE_MODE=compile-error
	run "$dc" build "${common[@]}"
	[ "$status" -eq 1 ]
	[[ $output == *"mismatched types"* ]]
	[[ $output == *"cargo build failed (exit 101)"* ]]
	[ "$(cat "$FAKE_STATE/n.build")" -eq 1 ]
}

@test "a transient docker exec failure: the build is retried and completes" {
	export FAKE_MODE=exec-transient
	run "$dc" build "${common[@]}"
	[ "$status" -eq 0 ]
	[[ $output == *"docker exec failed (Error response from daemon: i/o timeout); retry 1 in 0.2s"* ]]
	[ "$(cat "$FAKE_STATE/n.build")" -eq 2 ]
	[ -f "$proj/target/lambda-dev/x86_64/hello/bootstrap" ]
}

@test "container removed mid-build: recreated and the build completes" {
	export FAKE_MODE=removed-mid-build
	run "$dc" build "${common[@]}"
	[ "$status" -eq 0 ]
	[[ $output == *"went away during the build"* ]]
	[ "$(calls create)" -eq 2 ]
	[ -f "$proj/target/lambda-dev/x86_64/hello/bootstrap" ]
}

@test "container fails to start: notice, then the production fallback" {
	export FAKE_MODE=nostart
	run "$dc" build "${common[@]}" --arch=x86_64,arm64 --function=hello -- --features=x
	[ "$status" -eq 0 ]
	[[ $output == *"notice: the dev container could not be started"*"falling back to a production build"* ]]
	[ "$(tr '\n' ' ' <"$FAKE_STATE/fallback")" = "prod --project $proj --arch x86_64,arm64 --base-image fake:1 --function hello -- --features=x " ]
}

@test "container fails to start, fallback off or failing: exit 5" {
	export FAKE_MODE=nostart LAMBDA_DEV_FALLBACK=0
	run "$dc" build "${common[@]}"
	[ "$status" -eq 5 ]
	[ ! -f "$FAKE_STATE/fallback" ]
	unset LAMBDA_DEV_FALLBACK
	export FAKE_FALLBACK_RC=1
	run "$dc" build "${common[@]}"
	[ "$status" -eq 5 ]
	[[ $output == *"fallback failed too"* ]]
	# start never falls back: the user asked for a container.
	run "$dc" start "${common[@]}"
	[ "$status" -eq 5 ]
}

@test "two builds at once: one create, both succeed" {
	"$dc" build "${common[@]}" >"$t/a.log" 2>&1 &
	a=$!
	"$dc" build "${common[@]}" >"$t/b.log" 2>&1 &
	b=$!
	wait "$a"
	wait "$b"
	[ "$(calls create)" -eq 1 ]
}
