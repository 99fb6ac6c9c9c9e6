# shellcheck shell=bash
# engine.sh: every call of the container engine's client, and what its answers
# mean, in one place: another engine's (podman's) ways are taught here alone.
# Sourced by every script that calls the engine; engine_init names the client
# once. The functions print no message of their own and never exit: they return
# non-zero and the script decides. A program in another language runs it as a
# command instead (the end of this file): engine.sh CLIENT VERB ARGS... engine_down, engine_transient,
# engine_no_container and engine_lost_step read an error text and return 0 when
# it is of that kind.

# engine_init CLIENT [RETRY_NOTE]: the client that every engine_* call runs
# (docker, podman or a path to one), set once the script has read its --docker
# option or LAMBDA_DOCKER. RETRY_NOTE: a function of the caller's that engine_try
# calls as RETRY_NOTE VERB ERROR TRY DELAY before it pauses to try again.
# ENGINE_LAST: set by the command mode alone (engine_call).
engine_init() { ENGINE=$1 ENGINE_RETRY_NOTE=${2:-} ENGINE_LAST=; }

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

# engine_found: 0 when the client exists (a command on PATH, or a path).
engine_found() { command -v -- "$ENGINE" >/dev/null 2>&1; }

# engine_client_id: the client binary's identity (path, size, mtime): the builder
# it supports depends only on it (and on how engine_builder tells them apart: the
# "probe2" word), so a probe's answer is kept under it.
engine_client_id() {
	local path
	path=$(command -v "$ENGINE") || return 1
	stat -L -c 'probe2:%n:%s:%Y' "$path"
}

# engine_is_podman: 0 when the client is podman.
engine_is_podman() { "$ENGINE" --version 2>/dev/null | grep -qi '^podman'; }

# engine_create_opts: what `container create` needs beyond docker's options, one
# per line. Podman gives a container rlimits of its own (root: nofile 1048576)
# where docker passes the engine's: a host that may not raise them (no
# CAP_SYS_RESOURCE) or caps nproc at pid_max refuses to start it, so the
# container gets the caller's own limits. Rootless podman maps the host user to
# root inside; --userns=keep-id keeps the host uid, the owner the dev container's
# files must have (docker rejects that option).
engine_create_opts() {
	local nproc pid_max
	engine_is_podman || return 0
	nproc=$(ulimit -Hu) pid_max=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 32768)
	[[ $nproc != unlimited && $nproc -le $pid_max ]] || nproc=$pid_max
	printf '%s\n' --ulimit "nofile=$(ulimit -Sn):$(ulimit -Hn)" --ulimit "nproc=$nproc:$nproc"
	[[ $("$ENGINE" info --format '{{.Host.Security.Rootless}}' 2>/dev/null) != true ]] || echo --userns=keep-id
}

# engine_call ARGS...: the client with ARGS and none of our descriptors beyond
# 0-2, for the calls that start a container or a process in one. Podman leaves
# conmon running beside each container, and conmon keeps every descriptor it
# inherited: a build's lock would stay held while the container runs, and the
# next build would wait for it.
# Run as a command (ENGINE_LAST), the script itself becomes the client, so the
# caller's process is the client's and signals reach it.
engine_call() {
	if [[ ${ENGINE_LAST:-} == 1 ]]; then
		engine_close_fds
		exec "$ENGINE" "$@"
	fi
	(
		engine_close_fds
		exec "$ENGINE" "$@"
	)
}

# engine_close_fds: close every descriptor of this shell beyond 0-2 (engine_call's
# and engine_prefetch's subshells).
engine_close_fds() {
	local fd
	for fd in /proc/self/fd/*; do
		fd=${fd##*/}
		if ((fd > 2)); then { exec {fd}<&-; } 2>/dev/null || true; fi
	done
}

# engine_builder: "podman" when the client is podman (its own builder, buildah);
# "buildkit" when it builds with BuildKit (DOCKER_BUILDKIT=1
# and a local --output work: Debian's 20.10 client), else "classic" (a newer
# client without buildx).
engine_builder() {
	local tmp rc=0
	if engine_is_podman; then
		echo podman
		return
	fi
	tmp=$(mktemp -d)
	printf 'FROM scratch\nCOPY probe /probe\n' >"$tmp/Dockerfile"
	echo ok >"$tmp/probe"
	DOCKER_BUILDKIT=1 "$ENGINE" build -q --output "type=local,dest=$tmp/out" "$tmp" >/dev/null 2>&1 || rc=$?
	if [[ $rc -eq 0 && -f $tmp/out/probe ]]; then echo buildkit; else echo classic; fi
	rm -rf "$tmp"
}

# engine_cache_id PROJECT_DIR ARCH: under podman, the id of the build stage's target
# cache for the project and ARCH (podman 4.3 keeps it in /var/tmp/buildah-cache/ID;
# later buildah in ${TMPDIR:-/var/tmp}/buildah-cache-UID/ID).
engine_cache_id() { echo "lambda-make-$(sha256sum <<<"$1" | cut -c1-16)-$2"; }

# engine_cache_rm PROJECT_DIR: under podman, remove the project's build-stage target
# caches (x86_64 and arm64; both places engine_cache_id names) and print how many
# it removed: 0 for another engine (BuildKit's garbage collection bounds its cache
# mounts).
engine_cache_rm() {
	local n=0 a d
	engine_is_podman || { echo 0; return 0; }
	for a in x86_64 arm64; do
		for d in "/var/tmp/buildah-cache" "${TMPDIR:-/var/tmp}/buildah-cache-$(id -u)"; do
			d=$d/$(engine_cache_id "$1" "$a")
			[[ -d $d ]] || continue
			rm -rf -- "$d" && n=$((n + 1))
		done
	done
	echo "$n"
}

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

# --- the client's calls ------------------------------------------------------
# Each runs the client named by engine_init once, with the client's own output and
# status unless its comment says otherwise.

# engine_try ARGS...: the client with ARGS, its stdout in engine_out and its stderr
# in engine_err. A transient failure (engine_transient, not engine_down) is tried
# again, 3 tries in all, 0.2 s then 0.4 s apart, after RETRY_NOTE (engine_init).
# Returns the client's status.
engine_try() {
	local try=1 delay=0.2 rc errf
	errf=$(mktemp "${TMPDIR:-/tmp}/lambda-engine.XXXXXX") || return 1
	while :; do
		rc=0
		# shellcheck disable=SC2034 # the caller's answer
		engine_out=$(engine_call "$@" 2>"$errf") || rc=$?
		engine_err=$(<"$errf")
		if ((rc != 0 && try < 3)) && ! engine_down "$engine_err" && engine_transient "$engine_err"; then
			[[ -z $ENGINE_RETRY_NOTE ]] || "$ENGINE_RETRY_NOTE" "$1" "$engine_err" "$try" "$delay"
			sleep "$delay"
			delay=$(awk -v d="$delay" 'BEGIN { print d * 2 }')
			try=$((try + 1))
			continue
		fi
		rm -f -- "$errf"
		return "$rc"
	done
}

# engine_reachable: 0 when the engine answers (quiet).
engine_reachable() { "$ENGINE" info >/dev/null 2>&1; }

# engine_has_image REF: 0 when the engine has the image REF (quiet).
engine_has_image() { "$ENGINE" image inspect -- "$1" >/dev/null 2>&1; }

# engine_label image|container REF KEY: the value of label KEY of the image or
# container REF.
engine_label() { "$ENGINE" "$1" inspect --format "{{index .Config.Labels \"$3\"}}" -- "$2"; }

# engine_pull REF [SECONDS]: pull the image REF quietly (-q); with SECONDS, given up
# after that long (status 124, as timeout's).
engine_pull() {
	if [[ -n ${2:-} ]]; then
		timeout "$2" "$ENGINE" pull -q -- "$1"
	else
		"$ENGINE" pull -q -- "$1"
	fi
}

# engine_prefetch REF SECONDS: start pulling the image REF in the background, quiet,
# holding none of our descriptors (make's lock stays free), given up after
# SECONDS; prints the pull's process id. A later engine_pull of REF joins the
# engine's download in progress.
engine_prefetch() {
	(
		engine_close_fds
		exec timeout "$2" "$ENGINE" pull -q -- "$1"
	) </dev/null >/dev/null 2>&1 &
	echo "$!"
}

# engine_push REF SECONDS: push the image REF, given up after SECONDS (status 124).
engine_push() { timeout "$2" "$ENGINE" push -- "$1"; }

# engine_build ARGS...: a build (the client's build ARGS); DOCKER_BUILDKIT as the
# caller set it.
engine_build() { "$ENGINE" build "$@"; }

# engine_build_locked LOCKFILE ARGS...: engine_build ARGS while holding LOCKFILE
# (flock), one such build at a time per LOCKFILE.
engine_build_locked() { flock "$1" "$ENGINE" build "${@:2}"; }

# engine_import REF: import the tar on stdin as the image REF.
engine_import() { "$ENGINE" import - "$1"; }

# engine_rmi [-f] REF...: remove the images REF (-f: an image with all its tags).
engine_rmi() {
	local f=()
	[[ $1 != -f ]] || { f=(-f); shift; }
	"$ENGINE" rmi "${f[@]}" -- "$@"
}

# engine_images_labelled LABEL...: the IDs of every image (intermediate ones too)
# with each LABEL (KEY=VALUE).
engine_images_labelled() {
	local l a=()
	for l in "$@"; do a+=(--filter "label=$l"); done
	"$ENGINE" images -aq "${a[@]}"
}

# engine_dangling_images LABEL...: the IDs of the untagged images with each LABEL.
engine_dangling_images() {
	local l a=()
	for l in "$@"; do a+=(--filter "label=$l"); done
	"$ENGINE" images -q --filter dangling=true "${a[@]}"
}

# engine_tags REPO: one line "REPO:TAG ID" per tag of the repository REPO.
engine_tags() { "$ENGINE" images --format '{{.Repository}}:{{.Tag}} {{.ID}}' -- "$1"; }

# engine_containers_labelled LABEL: the full IDs of every container (running or
# not) with LABEL (KEY=VALUE).
engine_containers_labelled() { "$ENGINE" ps -aq --no-trunc --filter "label=$1"; }

# engine_container_volumes ID...: the names of the volumes mounted in the
# containers ID, one a line.
engine_container_volumes() {
	"$ENGINE" container inspect \
		--format '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}}{{"\n"}}{{end}}{{end}}' -- "$@"
}

# engine_volume_create NAME LABEL...: create the volume NAME with each LABEL
# (KEY=VALUE); prints its name.
engine_volume_create() {
	local name=$1 l a=()
	shift
	for l in "$@"; do a+=(--label "$l"); done
	"$ENGINE" volume create "${a[@]}" "$name"
}

# engine_volumes_labelled LABEL...: the names of the volumes with each LABEL.
engine_volumes_labelled() {
	local l a=()
	for l in "$@"; do a+=(--filter "label=$l"); done
	"$ENGINE" volume ls -q "${a[@]}"
}

# engine_volume_rm [-f] NAME...: remove the volumes NAME (-f: no error if missing).
engine_volume_rm() {
	local f=()
	[[ $1 != -f ]] || { f=(-f); shift; }
	"$ENGINE" volume rm "${f[@]}" -- "$@"
}

# engine_create ARGS...: create a container (the client's create ARGS: options,
# image, command); prints its ID.
engine_create() { "$ENGINE" create "$@"; }

# engine_cp SRC DEST: copy between the host and a container (ID:PATH on one side).
engine_cp() { "$ENGINE" cp "$1" "$2"; }

# engine_start ID: start the container ID attached: its output on ours, its status.
engine_start() { engine_call start -a "$1"; }

# engine_rm ID...: remove the containers ID, running or not.
engine_rm() { "$ENGINE" rm -f -- "$@"; }

# engine_exec [OPTION...] -- ID CMD...: run CMD in the running container ID (the
# client's container exec), with its input, output and status.
engine_exec() { engine_call container exec "$@"; }

# engine_state NAME: "RUNNING GATEWAY..." of the container NAME: true or false,
# then the gateway of each of its networks (where the container reaches the
# host); the client's status (non-zero when there is no such container).
engine_state() {
	"$ENGINE" container inspect \
		--format '{{.State.Running}} {{range .NetworkSettings.Networks}}{{.Gateway}} {{end}}' -- "$1"
}

# engine_stop NAME: stop the container NAME, killed after 1 s.
engine_stop() { "$ENGINE" container stop -t 1 -- "$1"; }

# --- as a command ------------------------------------------------------------
# engine.sh CLIENT VERB ARGS...: engine_VERB ARGS with engine_init CLIENT, for the
# programs that are not bash (lambda-runtime-api.py). VERB is one of the calls
# below; exec streams its input and output and becomes the client.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	if (($# < 2)); then
		echo "usage: engine.sh CLIENT VERB ARGS... (VERB: state, stop, exec)" >&2
		exit 2
	fi
	case $2 in
	state | stop | exec) ;;
	*)
		printf "engine.sh: unknown verb '%s' (valid: state, stop, exec)\n" "$2" >&2
		exit 2
		;;
	esac
	engine_init "$1"
	ENGINE_LAST=1
	"engine_$2" "${@:3}"
fi
