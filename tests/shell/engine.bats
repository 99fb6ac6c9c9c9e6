#!/usr/bin/env bats
# docker/engine.sh run as a command (engine.sh CLIENT VERB ARGS..., what
# lambda-runtime-api.py runs): only its verbs, the client's argv as the
# engine_* function writes it, its output streamed and its status kept.

setup() {
	src=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	t=$BATS_TEST_TMPDIR
	eng=$src/docker/engine.sh
	# a client that logs its argv, one word a line, and answers like docker
	cat >"$t/client" <<'EOF'
#!/usr/bin/env bash
printf '%s\n' "$@" >>"$FAKE_LOG"
ps -o args= -p "$PPID" >"$FAKE_LOG.parent"
case "$1 $2" in
"container inspect") echo "true 172.17.0.1 " ;;
"container exec") shift 2; while [[ $1 != -- ]]; do shift; done; shift 2; "$@" ;;
esac
EOF
	chmod +x "$t/client"
	export FAKE_LOG=$t/log
}

@test "an unknown verb is refused (2) and the client never runs" {
	for v in bogus rm 'state;touch x' init _call; do
		run bash "$eng" "$t/client" "$v" name
		[ "$status" -eq 2 ]
		[[ $output == "engine.sh: unknown verb '$v' (valid: state, stop, exec)" ]]
	done
	[ ! -e "$t/log" ]
	run bash "$eng" "$t/client"
	[ "$status" -eq 2 ]
	[[ $output == usage:* ]]
}

@test "state: the client's inspect of the container, its answer on stdout" {
	run bash "$eng" "$t/client" state 'my box'
	[ "$status" -eq 0 ]
	[ "$output" = "true 172.17.0.1 " ]
	[ "$(sed -n 1,2p "$t/log" | tr '\n' ' ')" = "container inspect " ]
	[ "$(tail -2 "$t/log" | tr '\n' ' ')" = "-- my box " ]
}

@test "stop: container stop -t 1 -- NAME" {
	run bash "$eng" "$t/client" stop box
	[ "$status" -eq 0 ]
	[ "$(tr '\n' ' ' <"$t/log")" = "container stop -t 1 -- box " ]
}

@test "exec: arguments reach the client as words, output streams, status kept" {
	run bash "$eng" "$t/client" exec -e K -- box sh -c 'echo "$0"; echo err >&2; exit 7' '$(x) y'
	[ "$status" -eq 7 ]
	[[ $output == *'$(x) y'* && $output == *err* ]]
	[ "$(sed -n 1,6p "$t/log" | tr '\n' ' ')" = "container exec -e K -- box " ]
}

@test "exec becomes the client: no shell is left between caller and client" {
	run bash "$eng" "$t/client" exec -- box true
	[ "$status" -eq 0 ]
	# the client's parent is bats, not a shell of engine.sh's left waiting
	[[ $(cat "$t/log.parent") != *engine.sh* ]]
	# sourced, engine_exec keeps the caller's shell: a subshell runs the client
	run bash -c '. "$1"; engine_init "$2"; engine_exec -- box true; echo still here' _ "$eng" "$t/client"
	[ "$output" = "still here" ]
}

@test "sourced, engine.sh runs nothing and dispatches nothing" {
	run bash -c '. "$1" && echo sourced' _ "$eng"
	[ "$status" -eq 0 ]
	[ "$output" = sourced ]
}
