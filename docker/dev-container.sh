#!/usr/bin/env bash
# dev-container.sh: the persistent development container (start, build, stop,
# status, shell). The project is bind-mounted at /workspace and compiled in
# place by `docker exec cargo build`, as the host user; the container is found
# by name and recreated when the hash of its configuration changes.
set -euo pipefail

readonly PROG=dev-container.sh
# The real location ($(bindir) holds a symlink): the sibling scripts live there.
HERE=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd)
readonly HERE
# shellcheck source=docker/engine.sh
. "$HERE/engine.sh"
# shellcheck source=docker/config.sh
. "$HERE/config.sh"

# Exit codes (also in --help).
readonly E_FAIL=1 E_USAGE=2 E_DOCKER=3 E_NOTFOUND=4 E_START=5

# Paths inside the container.
readonly WS=/workspace
readonly C_HOME=/tmp/home
readonly C_CARGO_HOME=$C_HOME/.cargo
readonly C_VENDOR_HOME=/cargo-home
# The project's place ($WS, or $WS/<subdir> in a monorepo) and its target dir
# (the core's dev_dir below it): set once the settings are read.
C_PROJ=$WS
# Bumped when the container layout above changes: old containers get recreated.
readonly LAYOUT=1

usage() {
	cat <<EOF
$PROG - the persistent development container for incremental Lambda builds

usage: $PROG start|build|stop|status|shell [options] [-- cargo flags...]

The persistent development container: the project is bind-mounted at $WS,
cargo runs in it as the host user, incrementally, in the project's own target
dir ($WS/target/lambda-dev, kept across container restarts and removal).

commands:
  start    create and start the container, or reuse it (same configuration)
  build    start if needed, then cargo build (dev profile) for each --arch and
           copy each binary atomically to target/lambda-dev/<arch>/<function>/bootstrap
           (never to target/lambda/, which holds lambda-prod's packages alone)
  stop     stop the container (kept, so the next start is quick)
  status   print running, stopped or not_found
  shell    an interactive shell in the container (started if needed)

options (every command accepts all of them):
  --docker=CLIENT      docker client (default: \$LAMBDA_DOCKER or docker)
  --dir=DIR            the Cargo project (default: the current dir)
  --arch=ARCHS         x86_64, arm64, x86_64,arm64 or all (default: x86_64)
  --container=NAME     container name (default: \$LAMBDA_CONTAINER or lambda-rust-dev)
  --image=IMAGE        image with the Rust toolchain (default: \$LAMBDA_BASE_IMAGE);
                       builder-image.sh builds an offline one and prints its ref
  --function=BIN       binary to build (repeatable; default: every binary)
  --cargo-home=DIR     vendored cargo home (config.toml + vendor/, from
                       lambda-vendor.sh with --cargo-home-path $C_VENDOR_HOME),
                       mounted read-only at $C_VENDOR_HOME (default: \$LAMBDA_CARGO_HOME)
  --subdir=PATH        a monorepo (lambda.mk passes it): the project's path below
                       the common ancestor of it and its path dependencies outside
                       it; the project is mounted at $WS/PATH then
  --path-dep=PATH      a path dependency's dir below that ancestor, outside the
                       project, mounted read-only at $WS/PATH (repeatable)
  --mask=PATH          hide PATH (relative to the project; repeatable) in the
                       container: an empty tmpfs over a directory, /dev/null over a
                       file (lambda.mk passes what .dockerignore/LAMBDA_EXCLUDE exclude)
  --zip                also write a reproducible bootstrap.zip (SOURCE_DATE_EPOCH)
  -h, --help           this text
Everything after -- goes to cargo build, validated as LAMBDA_CARGO_FLAGS is
(man 7 lambda.mk: no shell characters, none of the flags set here such as
--target or --message-format); the settings are checked by lambda.mk's
\$(lambda-config) (LAMBDA_MK below). The dev profile is
built with debug=0 (CARGO_PROFILE_DEV_DEBUG in the container: measured fastest
for a one-line edit).

The container: labels lambda-make.project=<dir> and lambda-make.config=<hash of
image ID, mounts and masks, arch set, uid:gid, environment>; a different hash
recreates it (so a newly excluded path is hidden from the next build on).
Cargo registry: the named volume lambda-make-cargo-registry, shared by projects.
One process at a time uses a container name: start and build hold a lock
(/tmp/lambda-make-dev-NAME.lock) from the configuration check to the end of the
build, so two projects on one name take turns (each recreates it for itself,
a notice says who waits) and never build each other's sources; every exec names
the container's ID. A container another process created under the same name is
adopted if its labels match.
Transient docker failures are retried (3 tries, 0.2 s then 0.4 s apart); a
compile error is not. If the container cannot be started, build falls back to
a production build (build-lambda.sh prod) with a notice.

environment:
  LAMBDA_DEV_FALLBACK=0  no production fallback: exit $E_START instead
  LAMBDA_DEV_USER=U:G    run as this uid:gid (default: the caller's)
  LAMBDA_DEV_VOLUME=V    cargo registry volume (default lambda-make-cargo-registry)
  SOURCE_DATE_EPOCH      mtime in the zip (default and earliest 315532800,
                         1980-01-01)
  LAMBDA_MK              the lambda.mk that checks the settings (default: this
                         installation's, else pkg-config's; from a build tree:
                         its lambda-uninstalled.mk)

exit codes:
  0  done (status: running)
  1  the build failed (compile error, missing binary); status: stopped
  2  bad usage or invalid setting (nothing was done)
  3  Docker is not available (client missing or daemon unreachable)
  4  status: not_found
  5  the container could not be started (start, shell; build when the
     production fallback is off or failed too)
EOF
}

die() {
	printf '%s: %s\n' "$PROG" "$1" >&2
	exit "${2:-$E_FAIL}"
}
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

# --- arguments ----------------------------------------------------------------
cmd=
docker_cmd=${LAMBDA_DOCKER:-docker}
dir=$PWD
arch_arg=x86_64
name=${LAMBDA_CONTAINER:-lambda-rust-dev}
image=${LAMBDA_BASE_IMAGE:-}
cargo_home=${LAMBDA_CARGO_HOME:-}
zip=0
fns=()
cargo_flags=()
subdir=
path_deps=()
masks=()
while (($#)); do
	case $1 in
	-h | --help)
		usage
		exit 0
		;;
	--docker | --dir | --arch | --container | --image | --function | --cargo-home | --subdir | --path-dep | --mask)
		(($# >= 2)) || die "$1 needs a value (see --help)" "$E_USAGE"
		set -- "$1=$2" "${@:3}"
		continue
		;;
	--docker=*) docker_cmd=${1#*=} ;;
	--dir=*) dir=${1#*=} ;;
	--arch=*) arch_arg=${1#*=} ;;
	--container=*) name=${1#*=} ;;
	--image=*) image=${1#*=} ;;
	--function=*) fns+=("${1#*=}") ;;
	--cargo-home=*) cargo_home=${1#*=} ;;
	--subdir=*) subdir=${1#*=} ;;
	--path-dep=*) path_deps+=("${1#*=}") ;;
	--mask=*) masks+=("${1#*=}") ;;
	--zip) zip=1 ;;
	--)
		shift
		cargo_flags=("$@")
		break
		;;
	-*) die "unknown option '$1' (see --help)" "$E_USAGE" ;;
	*)
		[[ -z $cmd ]] || die "one command only (got '$cmd' and '$1')" "$E_USAGE"
		cmd=$1
		;;
	esac
	shift
done

case $cmd in
start | build | stop | status | shell) ;;
'') die "no command (start, build, stop, status, shell; see --help)" "$E_USAGE" ;;
*) die "unknown command '$cmd' (valid: start, build, stop, status, shell)" "$E_USAGE" ;;
esac

# The settings as the C core validates and normalises them (config.sh): the
# architectures in a fixed order (so the same set hashes the same), their
# target triples, the container name, the binaries, the cargo flags.
mk=$(config_mk "$HERE") ||
	die "cannot find lambda.mk: install lambda-make, or set LAMBDA_MK (a build tree's lambda-uninstalled.mk)" "$E_USAGE"
declare -A cfg
set_args=(LAMBDA_ARCH="${arch_arg//,/ }" LAMBDA_CONTAINER="$name" LAMBDA_FUNCTIONS="${fns[*]}"
	LAMBDA_CARGO_FLAGS="${cargo_flags[*]}")
if ! config_read "$mk" "${set_args[@]}"; then
	# name the option that carries each setting here
	why=$cfg_error
	case $why in
	LAMBDA_ARCH:*) why="--arch (LAMBDA_ARCH)${why#LAMBDA_ARCH}" ;;
	LAMBDA_CONTAINER:*) why="--container (LAMBDA_CONTAINER)${why#LAMBDA_CONTAINER}" ;;
	LAMBDA_FUNCTIONS:*) why="--function (LAMBDA_FUNCTIONS)${why#LAMBDA_FUNCTIONS}" ;;
	LAMBDA_CARGO_FLAGS:*) why="the cargo flags after -- (LAMBDA_CARGO_FLAGS)${why#LAMBDA_CARGO_FLAGS}" ;;
	esac
	die "$why" "$E_USAGE"
fi
read -ra archs <<<"${cfg[target_arch]}"
read -ra triples <<<"${cfg[targets]}"
declare -A triple_of arch_of
for i in "${!archs[@]}"; do
	triple_of[${archs[i]}]=${triples[i]}
	arch_of[${triples[i]}]=${archs[i]}
done
arch_set=$(
	IFS=,
	printf '%s' "${archs[*]}"
)
name=${cfg[container_name]}
# where the dev build's binaries go (target/lambda-dev), and the zip's mtime
dev_dir=${cfg[dev_dir]} epoch=${cfg[epoch]}
read -ra fns <<<"${cfg[functions]}"
read -ra cargo_flags <<<"${cfg[cargo_flags]}"
[[ -n $docker_cmd ]] || die "empty --docker" "$E_USAGE"
# rel_ok PATH: a plain relative path (no "..", ".", empty or absolute part)
rel_ok() {
	local IFS=/ part
	[[ -n $1 && $1 != /* && $1 != *$'\n'* ]] || return 1
	for part in $1; do
		[[ -n $part && $part != . && $part != .. ]] || return 1
	done
}
if [[ -n $subdir ]]; then
	rel_ok "$subdir" || die "invalid --subdir '$subdir' (a relative path without '..')" "$E_USAGE"
	C_PROJ=$WS/$subdir
fi
C_TARGET=$C_PROJ/$dev_dir
for f in "${path_deps[@]}"; do
	[[ -n $subdir ]] || die "--path-dep needs --subdir (the project's place below their common ancestor)" "$E_USAGE"
	rel_ok "$f" || die "invalid --path-dep '$f' (a relative path without '..')" "$E_USAGE"
done
for f in "${masks[@]}"; do
	rel_ok "$f" || die "invalid --mask '$f' (a path relative to the project, without . or ..)" "$E_USAGE"
done
readonly C_PROJ C_TARGET

# --- docker calls -----------------------------------------------------------------
tmpd=$(mktemp -d "${TMPDIR:-/tmp}/lambda-dev.XXXXXX")
lock_fd=
cleanup() { rm -rf -- "$tmpd"; }
trap cleanup EXIT
errf=$tmpd/err

engine_init "$docker_cmd" retry_note
engine_found ||
	die "cannot run the docker client '$docker_cmd' (not found; set --docker or LAMBDA_DOCKER)" "$E_DOCKER"

# first_line TEXT: the first line, for one-line messages.
first_line() { printf '%s' "${1%%$'\n'*}"; }

# retry_note VERB ERROR TRY DELAY: engine_try's notice before a retry.
retry_note() { note "docker $1 failed ($(first_line "$2")); retry $3 in ${4}s"; }

tries=3
# dk ARGS...: engine_try ARGS (engine_out, engine_err; transient failures retried);
# an unreachable daemon ends the script with one line.
dk() {
	local rc=0
	engine_try "$@" || rc=$?
	((rc == 0)) || ! engine_down "$engine_err" ||
		die "cannot reach the Docker daemon: $(first_line "$engine_err")" "$E_DOCKER"
	return "$rc"
}

# inspect: c_state (running|stopped|not_found), c_id and c_config of the container.
inspect() {
	c_state=not_found c_id='' c_config='' c_status=''
	if ! dk container inspect --format \
		'{{.State.Status}} {{.Id}} {{index .Config.Labels "lambda-make.config"}}' -- "$name"; then
		engine_no_container "$engine_err" && return 0
		die "docker inspect $name failed: $(first_line "$engine_err")" "$E_DOCKER"
	fi
	local st
	read -r st c_id c_config <<<"$engine_out" || true
	case $st in
	running) c_state=running ;;
	*) c_state=stopped ;;
	esac
	c_status=$st
}

# --- project, image, configuration ----------------------------------------------
# check_dir: the project dir is valid for mounting (before any docker call).
check_dir() {
	if remote_engine; then
		die "the dev container bind-mounts the project, which the remote engine at DOCKER_HOST=$DOCKER_HOST cannot see; build with lambda-prod (build-lambda.sh prod), which sends the context and brings the package back, or use an engine on this machine" "$E_USAGE"
	fi
	[[ -n $dir ]] || die "empty --dir" "$E_USAGE"
	[[ $dir != *$'\n'* ]] || die "project dir has a newline in its name" "$E_USAGE"
	[[ -e $dir ]] || die "project dir '$dir' does not exist" "$E_USAGE"
	[[ -d $dir ]] || die "project dir '$dir' is not a directory" "$E_USAGE"
	[[ -r $dir && -x $dir ]] || die "project dir '$dir' is not readable" "$E_USAGE"
	dir=$(cd -- "$dir" && pwd -P)
	[[ -f $dir/Cargo.toml ]] || die "no Cargo.toml in '$dir' (pass --dir=PROJECT)" "$E_USAGE"
	[[ -r $dir/Cargo.toml ]] || die "'$dir/Cargo.toml' is not readable" "$E_USAGE"
	if [[ -e $dir/target && ! -w $dir/target ]] || [[ ! -e $dir/target && ! -w $dir ]]; then
		die "project dir '$dir' is not writable (the build writes target/)" "$E_USAGE"
	fi
	# a monorepo: the ancestor that --subdir and each --path-dep are relative to
	mono_root=
	[[ -z $subdir ]] && return 0
	[[ $dir == */"$subdir" ]] || die "--subdir '$subdir' is not the end of the project dir '$dir'" "$E_USAGE"
	mono_root=${dir%/"$subdir"}
	local p
	for p in "${path_deps[@]}"; do
		[[ -d $mono_root/$p ]] || die "path dependency '$mono_root/$p' is not a directory" "$E_USAGE"
	done
}

# check_cargo_home: the vendored cargo home, if any, is usable in the container.
check_cargo_home() {
	[[ -n $cargo_home ]] || return 0
	[[ -d $cargo_home ]] || die "cargo home '$cargo_home' is not a directory" "$E_USAGE"
	cargo_home=$(cd -- "$cargo_home" && pwd -P)
	[[ -r $cargo_home/config.toml ]] || die "no readable config.toml in cargo home '$cargo_home'" "$E_USAGE"
	local d
	d=$(sed -n 's/^directory *= *"\(.*\)"/\1/p' "$cargo_home/config.toml")
	if [[ -n $d && $d != "$C_VENDOR_HOME"/* ]]; then
		die "cargo home '$cargo_home' points at '$d', which the container cannot see: vendor with --cargo-home-path $C_VENDOR_HOME" "$E_USAGE"
	fi
}

# mount_spec FIELD=PATH...: a --mount value; paths are CSV-quoted (commas work).
csv() { printf '"%s"' "${1//\"/\"\"}"; }

# configure: resolve the image and compute the wanted configuration.
# remote_engine: the engine DOCKER_HOST names runs on another machine (tcp:// or
# ssh:// to a host that is not this one's loopback): it cannot see the project.
remote_engine() {
	local h=${DOCKER_HOST:-}
	case $h in
	tcp://* | ssh://*) ;;
	*) return 1 ;;
	esac
	h=${h#*://} h=${h#*@} h=${h%%/*}
	case $h in
	127.* | localhost | localhost:* | '[::1]'*) return 1 ;;
	esac
	return 0
}

configure() {
	[[ -n $image ]] || die "no --image/LAMBDA_BASE_IMAGE: pass an image with the Rust toolchain (builder-image.sh builds an offline one and prints its ref)" "$E_USAGE"
	check_cargo_home
	if ! dk image inspect --format '{{.Id}}' -- "$image"; then
		die "image '$image' not found: $(first_line "$engine_err") (builder-image.sh builds one)" "$E_USAGE"
	fi
	image_id=$engine_out
	user=${LAMBDA_DEV_USER:-$(id -u):$(id -g)}
	[[ $user =~ ^[0-9]+:[0-9]+$ ]] || die "LAMBDA_DEV_USER must be UID:GID (got '$user')" "$E_USAGE"
	volume=${LAMBDA_DEV_VOLUME:-lambda-make-cargo-registry}
	env=(
		"HOME=$C_HOME"
		"CARGO_HOME=$C_CARGO_HOME"
		"CARGO_TARGET_DIR=$C_TARGET"
		"CARGO_PROFILE_DEV_DEBUG=0"
		"CARGO_TERM_PROGRESS_WHEN=never"
		"LAMBDA_ARCHS=$arch_set"
	)
	mounts=(
		--mount "type=bind,$(csv "source=$dir"),target=$C_PROJ"
		--mount "type=volume,source=$volume,target=$C_CARGO_HOME/registry"
	)
	# a monorepo's outside path dependencies: read-only, each at its place (the
	# rest of the monorepo stays out of the container)
	local p deps=
	for p in "${path_deps[@]}"; do
		mounts+=(--mount "type=bind,$(csv "source=$mono_root/$p"),$(csv "target=$WS/$p"),readonly")
		deps+="path-dep=$mono_root/$p:$WS/$p"$'\n'
	done
	[[ -z $cargo_home ]] ||
		mounts+=(--mount "type=bind,$(csv "source=$cargo_home"),target=$C_VENDOR_HOME,readonly")
	# what the project's patterns exclude is not in the container's view either
	local m
	for m in "${masks[@]}"; do
		if [[ -d $dir/$m && ! -L $dir/$m ]]; then
			mounts+=(--mount "type=tmpfs,$(csv "target=$C_PROJ/$m"),tmpfs-size=1m")
			deps+="mask=dir:$m"$'\n'
		elif [[ -e $dir/$m || -L $dir/$m ]]; then
			mounts+=(--mount "type=bind,source=/dev/null,$(csv "target=$C_PROJ/$m"),readonly")
			deps+="mask=file:$m"$'\n'
		fi
	done
	local e
	config=$(
		{
			printf 'layout=%s\nimage=%s\nmount=%s:%s\narch=%s\nuser=%s\nvolume=%s\ncargo_home=%s\n' \
				"$LAYOUT" "$image_id" "$dir" "$C_PROJ" "$arch_set" "$user" "$volume" "$cargo_home"
			printf '%s' "$deps"
			for e in "${env[@]}"; do printf 'env=%s\n' "$e"; done
		} | sha256sum
	)
	config=${config%% *}
}

# --- lifecycle ----------------------------------------------------------------
# start_failed MSG: the container cannot be brought up.
start_failed() {
	if [[ $cmd == build ]]; then
		fallback "$1"
	fi
	die "the dev container could not be started: $1" "$E_START"
}

# fallback REASON: production build instead, as the spec's error handling says.
fallback() {
	if [[ ${LAMBDA_DEV_FALLBACK:-1} == 0 ]]; then
		die "the dev container could not be started: $1 (fallback disabled)" "$E_START"
	fi
	unlock
	note "notice: the dev container could not be started ($1); falling back to a production build"
	local a=(prod --project "$dir" --arch "$arch_set" --base-image "$image") f
	for f in "${fns[@]}"; do a+=(--function "$f"); done
	((${#cargo_flags[@]} == 0)) || a+=(-- "${cargo_flags[@]}")
	local rc=0
	"$HERE/build-lambda.sh" "${a[@]}" || rc=$?
	((rc == 0)) || die "the production fallback failed too (exit $rc)" "$E_START"
	note "notice: built by the production fallback, not the dev container"
	exit 0
}

# The lock that makes one process at a time the user of container $name, from
# the check of its configuration to the end of the build that uses it: the
# container mounts one project, and another project's build recreates it. The
# place is fixed (not per session or \$TMPDIR), so every build on this machine
# meets the same file; it is opened read-only, so another user's file works too.
lock_file=/tmp/lambda-make-dev-$name.lock
# lock: wait for the container's lock (a notice first if another build holds it);
# idempotent. Released by unlock or at exit; a killed holder releases it at once.
lock() {
	[[ -z $lock_fd ]] || return 0
	command -v flock >/dev/null 2>&1 || return 0
	[[ -e $lock_file ]] || (umask 022 && : >>"$lock_file") 2>/dev/null || true
	exec {lock_fd}<"$lock_file" || die "cannot open the lock file '$lock_file'" "$E_FAIL"
	flock -n "$lock_fd" && return 0
	note "waiting for container $name: another build is using it (lock $lock_file)"
	flock -w 3600 "$lock_fd" || die "waited an hour for container $name (lock $lock_file): is a build stuck?" "$E_FAIL"
}
unlock() {
	[[ -n $lock_fd ]] || return 0
	exec {lock_fd}<&-
	lock_fd=
}

# create: a new container with the wanted configuration; adopts an equal one
# that appeared meanwhile (409 name conflict).
create() {
	local args=(
		container create --name "$name" --init --user "$user" -w "$C_PROJ"
		--label "lambda-make.project=$dir" --label "lambda-make.config=$config"
		--label "lambda-make.image=$image" --label "lambda-make.arch=$arch_set"
		"${mounts[@]}"
	)
	local e opts
	for e in "${env[@]}"; do args+=(-e "$e"); done
	mapfile -t opts < <(engine_create_opts)
	args+=("${opts[@]}" --entrypoint sleep -- "$image" infinity)
	if dk "${args[@]}"; then
		created=1
		return 0
	fi
	if [[ $engine_err == *"already in use"* || $engine_err == *"Conflict"* ]]; then
		inspect
		if [[ $c_state != not_found && $c_config == "$config" ]]; then
			note "adopting container $name created concurrently (same configuration)"
			return 0
		fi
		die "container name '$name' is taken by a container with another configuration: remove it (docker rm -f $name) or set --container" "$E_FAIL"
	fi
	start_failed "docker create: $(first_line "$engine_err")"
}

# ensure_running: the container exists with this configuration and runs; c_id is
# its ID, which every later docker exec names (never the name: a container
# recreated meanwhile by another project would then run our build). The caller
# holds the lock.
ensure_running() {
	inspect
	created=0
	if [[ $c_state == running && $c_config == "$config" ]]; then
		return 0
	fi
	if [[ $c_state != not_found && $c_config != "$config" ]]; then
		note "notice: container $name has a different configuration (image, project, arch, user or environment changed): recreating it"
		dk container rm -f -- "$name" || engine_no_container "$engine_err" ||
			die "cannot remove container $name: $(first_line "$engine_err")" "$E_FAIL"
		c_state=not_found
	fi
	if [[ $c_state == not_found ]]; then
		create
		inspect
	fi
	if [[ $c_state != running ]]; then
		if [[ ${c_status:-} == paused ]]; then
			dk container unpause -- "$name" || start_failed "docker unpause: $(first_line "$engine_err")"
		else
			if ! dk container start -- "$name" >/dev/null; then
				# removed since we looked (a docker rm -f was under way): make it
				# anew once the old one is gone
				if [[ $engine_err == *"marked for removal"* ]]; then
					local i
					for ((i = 0; i < 25; i++)); do
						inspect
						[[ $c_state != not_found ]] || break
						sleep 0.2
					done
				elif ! engine_no_container "$engine_err"; then
					start_failed "docker start: $(first_line "$engine_err")"
				fi
				create
				dk container start -- "$name" >/dev/null || start_failed "docker start: $(first_line "$engine_err")"
			fi
		fi
		inspect
		[[ $c_state == running ]] || start_failed "container $name exited right after start (docker logs $name)"
	fi
	if ((created)) && [[ ${user%%:*} != 0 ]]; then
		# Docker makes the mount points root-owned; the build user needs them.
		dk container exec --user 0 -- "$c_id" chown "$user" "$C_HOME" "$C_CARGO_HOME" "$C_CARGO_HOME/registry" ||
			start_failed "cannot prepare $C_HOME: $(first_line "$engine_err")"
	fi
	((created)) && note "started container $name (${c_id:0:12}) from $image"
	return 0
}

# --- build ------------------------------------------------------------------
# cargo_build: one docker exec for all architectures. rc in build_rc.
cargo_build() {
	local a f args=(-- "$c_id" cargo build --message-format=json-render-diagnostics)
	for a in "${archs[@]}"; do args+=(--target "${triple_of[$a]}"); done
	[[ -z $cargo_home ]] || args+=(--config "$C_VENDOR_HOME/config.toml")
	if ((${#fns[@]})); then
		for f in "${fns[@]}"; do args+=(--bin "$f"); done
	else
		args+=(--bins)
	fi
	args+=("${cargo_flags[@]}")
	# cargo's JSON messages to a file, its diagnostics to the terminal and errf.
	set +e
	engine_exec "${args[@]}" 2>&1 >"$tmpd/json" | tee "$errf" >&2
	build_rc=${PIPESTATUS[0]}
	set -e
	build_err=$(<"$errf")
}

# place: copy each built binary to target/lambda-dev/<arch>/<bin>/bootstrap. Not to
# target/lambda/: a debug build must never pass for the production package there.
place() {
	local line exe a bin src dest tmp n=0 want fn placed dests
	declare -A got=()
	while IFS= read -r line; do
		[[ $line == *'"reason":"compiler-artifact"'* && $line == *'"kind":["bin"]'* ]] || continue
		exe=${line#*\"executable\":\"}
		[[ $exe != "$line" ]] || continue
		exe=${exe%%\"*}
		[[ $exe == "$C_TARGET"/* ]] || continue
		# $C_TARGET/<triple>/debug/<bin>
		a=${exe#"$C_TARGET"/}
		a=${arch_of[${a%%/*}]:-}
		[[ -n $a ]] || continue
		bin=${exe##*/}
		src=$dir/${exe#"$C_PROJ"/}
		[[ -f $src ]] || die "cargo reported $exe but '$src' is missing" "$E_FAIL"
		dest=$dir/$dev_dir/$a/$bin
		mkdir -p -- "$dest" || die "cannot create '$dest'" "$E_FAIL"
		got[$a/$bin]=1
		n=$((n + 1))
		# Already placed from this very file: nothing to do.
		if [[ -f $dest/bootstrap && ! $src -nt $dest/bootstrap && ! $src -ot $dest/bootstrap ]] &&
			(($(stat -c %s -- "$src") == $(stat -c %s -- "$dest/bootstrap"))); then
			continue
		fi
		tmp=$(mktemp "$dest/.bootstrap.XXXXXX") || die "cannot write in '$dest'" "$E_FAIL"
		if ! cp -- "$src" "$tmp" || ! chmod 0755 -- "$tmp" || ! touch -r "$src" -- "$tmp" ||
			! mv -f -- "$tmp" "$dest/bootstrap"; then
			rm -f -- "$tmp"
			die "cannot place '$dest/bootstrap'" "$E_FAIL"
		fi
	done <"$tmpd/json"
	for a in "${archs[@]}"; do
		for want in "${fns[@]}"; do
			[[ -n ${got[$a/$want]:-} ]] || die "cargo built no binary '$want' for $a" "$E_FAIL"
		done
	done
	((n)) || die "cargo built no binary (does the project have a [[bin]] or src/main.rs?)" "$E_FAIL"
	for a in "${archs[@]}"; do
		placed=()
		for want in "${!got[@]}"; do
			[[ $want == "$a"/* ]] && placed+=("${want#*/}")
		done
		((${#placed[@]})) || continue
		if ((zip)); then
			"$HERE/lambda-package.sh" --from="$dir/$dev_dir/$a" --to="$dir/$dev_dir/$a" \
				--epoch="$epoch" "${placed[@]}" >&2 ||
				die "packaging failed for $a" "$E_FAIL"
		fi
		dests=()
		for fn in "${placed[@]}"; do dests+=("$dev_dir/$a/$fn/bootstrap"); done
		note "$a: ${dests[*]}"
	done
}

do_build() {
	local attempt=1 delay=0.2
	while :; do
		ensure_running
		cargo_build
		if ((build_rc == 0)); then
			place
			return 0
		fi
		engine_down "$build_err" && die "cannot reach the Docker daemon: $(first_line "$build_err")" "$E_DOCKER"
		# cargo's own failures (101: compile error) are deterministic: no retry.
		((build_rc != 101)) || die "cargo build failed (exit $build_rc)" "$E_FAIL"
		((attempt < tries)) || die "cargo build failed (exit $build_rc) after $tries attempts" "$E_FAIL"
		inspect
		if [[ $c_state != running || $c_config != "$config" ]]; then
			note "container $name went away during the build ($c_state); recreating it and building again"
		elif ((build_rc == 137)); then
			# killed: the container being removed or stopped still shows as running
			# for a moment (docker rm -f), or the kernel killed cargo; build again
			note "cargo was killed (exit 137); building again"
			sleep "$delay"
		elif engine_transient "$build_err"; then
			note "docker exec failed ($(first_line "$build_err")); retry $attempt in ${delay}s"
			sleep "$delay"
			delay=$(awk -v d="$delay" 'BEGIN { print d * 2 }')
		else
			die "cargo build failed (exit $build_rc)" "$E_FAIL"
		fi
		attempt=$((attempt + 1))
	done
}

# --- commands -----------------------------------------------------------------
case $cmd in
status)
	inspect
	echo "$c_state"
	case $c_state in
	running) exit 0 ;;
	stopped) exit 1 ;;
	*) exit "$E_NOTFOUND" ;;
	esac
	;;
stop)
	inspect
	if [[ $c_state == not_found ]]; then
		note "container $name does not exist"
		exit 0
	fi
	if [[ $c_state == running ]]; then
		dk container stop -- "$name" >/dev/null || engine_no_container "$engine_err" ||
			die "docker stop $name failed: $(first_line "$engine_err")" "$E_FAIL"
	fi
	note "container $name stopped"
	;;
start)
	check_dir
	configure
	lock
	ensure_running
	unlock
	note "container $name running (${c_id:0:12}); project $dir at $C_PROJ"
	;;
build)
	check_dir
	configure
	# held until the binaries are placed: nobody recreates the container meanwhile
	lock
	do_build
	;;
shell)
	check_dir
	configure
	lock
	ensure_running
	unlock
	it=(-i)
	[[ -t 0 && -t 1 ]] && it=(-it)
	rc=0
	engine_exec "${it[@]}" -- "$c_id" bash || rc=$?
	exit "$rc"
	;;
esac
