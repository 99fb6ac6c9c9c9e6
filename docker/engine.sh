# shellcheck shell=bash
# engine.sh: what the container engine's answers mean, in one place. Sourced by
# the scripts that call the engine (dev-container.sh, lambda-stage.sh). The
# engine_* tests read an error text and return 0 when it is of that kind.

# engine_call CLIENT ARGS...: CLIENT ARGS with none of our descriptors beyond 0-2.
# Podman leaves conmon running beside each container it starts, and conmon keeps
# every descriptor it inherited: a build's lock would stay held while the
# container runs, and the next build would wait for it.
engine_call() {
	(
		local fd
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			if ((fd > 2)); then { exec {fd}<&-; } 2>/dev/null || true; fi
		done
		exec "$@"
	)
}

# engine_down TEXT: the client could not reach the engine at all.
engine_down() {
	[[ $1 == *"Cannot connect to the Docker daemon"* || $1 == *"error during connect"* ||
		$1 == *"Is the docker daemon running"* ||
		$1 == *"permission denied while trying to connect"* ||
		$1 == *"Cannot connect to Podman"* || $1 == *"unable to connect to Podman socket"* ]]
}

# engine_transient TEXT: an error worth retrying (a hiccup, not a wrong request).
engine_transient() {
	local t=${1,,}
	[[ $t == *"i/o timeout"* || $t == *"connection reset"* || $t == *"broken pipe"* ||
		$t == *"temporarily unavailable"* || $t == *"try again"* || $t == *"unexpected eof"* ||
		$t == *"context deadline exceeded"* || $t == *"tls handshake timeout"* ||
		$t == *"too many requests"* || $t == *"service unavailable"* || $t == *" 503"* ||
		$t == *"device or resource busy"* || $t == *"timed out"* ]]
}

# engine_no_container TEXT: the engine's "no such container" answer.
engine_no_container() { [[ ${1,,} == *"no such container"* || ${1,,} == *"no such object"* ]]; }

# engine_lost_step TEXT: BuildKit (Docker 20.10) lost a build step that two
# concurrent builds shared: the build itself was fine, a retry succeeds.
engine_lost_step() { grep -qE 'invalid request .* for build|failed to get edge' <<<"$1"; }

# engine_is_podman CLIENT: CLIENT is podman (by name or through a wrapper).
engine_is_podman() { "$1" --version 2>/dev/null | grep -qi '^podman'; }

# engine_create_opts CLIENT: what `CLIENT container create` needs beyond docker's
# options, one per line. Podman gives a container rlimits of its own (root:
# nofile 1048576) where docker passes the engine's: a host that may not raise
# them (no CAP_SYS_RESOURCE) or caps nproc at pid_max refuses to start it, so
# the container gets the caller's own limits. Rootless podman maps the host user
# to root inside; --userns=keep-id keeps the host uid, the owner the dev
# container's files must have (docker rejects that option).
engine_create_opts() {
	local nproc pid_max
	engine_is_podman "$1" || return 0
	nproc=$(ulimit -Hu) pid_max=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 32768)
	[[ $nproc != unlimited && $nproc -le $pid_max ]] || nproc=$pid_max
	printf '%s\n' --ulimit "nofile=$(ulimit -Sn):$(ulimit -Hn)" --ulimit "nproc=$nproc:$nproc"
	[[ $("$1" info --format '{{.Host.Security.Rootless}}' 2>/dev/null) != true ]] || echo --userns=keep-id
}

# engine_builder CLIENT: "podman" when CLIENT is podman (its own builder, buildah);
# "buildkit" when CLIENT builds with BuildKit (DOCKER_BUILDKIT=1
# and a local --output work: Debian's 20.10 client), else "classic" (a newer
# client without buildx).
engine_builder() {
	local tmp rc=0
	if engine_is_podman "$1"; then
		echo podman
		return
	fi
	tmp=$(mktemp -d)
	printf 'FROM scratch\nCOPY probe /probe\n' >"$tmp/Dockerfile"
	echo ok >"$tmp/probe"
	DOCKER_BUILDKIT=1 "$1" build -q --output "type=local,dest=$tmp/out" "$tmp" >/dev/null 2>&1 || rc=$?
	if [[ $rc -eq 0 && -f $tmp/out/probe ]]; then echo buildkit; else echo classic; fi
	rm -rf "$tmp"
}

# engine_cache_id PROJECT_DIR ARCH: under podman, the id of the build stage's target
# cache for the project and ARCH (rootful podman keeps it in /var/tmp/buildah-cache/ID).
engine_cache_id() { echo "lambda-make-$(sha256sum <<<"$1" | cut -c1-16)-$2"; }

# engine_dockerfile BUILDER ID < DOCKERFILE: docker/Dockerfile as BUILDER (buildkit,
# classic, podman) runs it; ID: engine_cache_id's. Classic: every --mount option
# removed (that builder rejects them). Podman 4.3 (buildah) knows no
# sharing=private, and its from= does not seed a cache: the build stage's target
# dir is a cache of its own (id ID) at /lambda/target, which lambda-compile seeds
# from the deps layer's /deps/target whenever the deps step ran again.
engine_dockerfile() {
	case $1 in
	classic) sed -E '/^RUN /s/ --mount=[^ ]+//g' ;;
	buildkit) cat ;;
	podman)
		sed -E -e 's|--mount=type=cache,target=/build/target,from=deps,source=/deps/target,sharing=private lambda-compile$|--mount=type=cache,id='"$2"',target=/lambda/target,sharing=locked LAMBDA_TARGET_CACHE=/lambda/target lambda-compile|' \
			-e '/^RUN /s/sharing=private/sharing=locked/g'
		;;
	*) return 1 ;;
	esac
}
