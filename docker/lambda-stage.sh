#!/usr/bin/env bash
# lambda-stage.sh: run one `docker build` of one stage of docker/Dockerfile, with
# BuildKit when the client supports it and the classic builder otherwise.
# Called by the command lines that $(lambda-commands ...) generates.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=docker/engine.sh
. "$here/engine.sh"

usage() {
	cat <<'USAGE'
usage: lambda-stage.sh --stage=S --dockerfile=F --context=DIR (--tag=T | --output=DIR)
                       [--docker=CLIENT] [--no-cache] [--verbose] [--build-arg=K=V]...
                       [--cache-image=REF] [--cache-from=REF]... [--prefetch=REF]...

Builds stage S (base, deps, build, runtime) of Dockerfile F on the build context
DIR. --tag names the image (for deps: the one-file deps-id image, whose ID
changes when the dependencies are rebuilt); --output extracts the stage's files
into DIR (replaced atomically). On the classic builder, --output of the runtime
stage runs the build stage's step in a container of the deps stage instead, with
the target dir kept in a volume (labelled lambda-make.project, one per arch and
dependency set), so that an edit compiles only the crates it changed. The builder (BuildKit or classic) is probed once per
client and remembered in DIR/../builder.

Quiet by default: one line per stage when it ends ("deps-x86_64: built in 41 s
(BuildKit)" or "cached"), a progress line every 15 s while it runs (seconds,
crates compiled, the last one), and Docker's whole output only when the build
fails. The output is kept in DIR/../log/STAGE-ARCH.log; --verbose streams it.
A base image (LAMBDA_BASE_IMAGE) that is neither local nor pullable stops the
build before it starts, with the fix.

LAMBDA_CACHE_REGISTRY (docs/ci.md): --cache-image names this stage's image in the
team's registry (REG/REPO:STAGE-ARCH-KEY, the stage's content key) and
--cache-from the earlier stages' ones. Each is used from the engine, or pulled when
the engine lacks it (--prefetch: a later stage's, whose pull starts in the
background here and which that stage then waits for, killed when it is done); a registry that lacks it is a miss, and when this build then
has the stage (built, or cached in this engine), the image is tagged with that name and queued in
DIR/../push for lambda-push.sh, which pushes it after the package is written.
A registry that cannot be used (down, slow, refusing, a corrupt image) costs one
warning line and nothing else: the stage is built from local work.

Exit codes: 0 built; 1 the build failed (or the base image cannot be had);
2 bad usage; 3 Docker is not available (the client does not exist, or the
daemon is not reachable).
USAGE
}

# die MESSAGE [CODE]: the message alone on stderr, then exit CODE (default 1).
die() { echo "lambda-stage: $1" >&2; exit "${2:-1}"; }

docker=docker stage='' dockerfile='' context='' tag='' output='' nocache=() verbose=0
args=() cache_image='' cache_from=() prefetch=() compiled=0
for a in "$@"; do
	case $a in
	--help | -h) usage; exit 0 ;;
	--docker=*) docker=${a#*=} ;;
	--stage=*) stage=${a#*=} ;;
	--dockerfile=*) dockerfile=${a#*=} ;;
	--context=*) context=${a#*=} ;;
	--tag=*) tag=${a#*=} ;;
	--output=*) output=${a#*=} ;;
	--no-cache) nocache=(--no-cache) ;;
	--verbose) verbose=1 ;;
	--build-arg=*) args+=(--build-arg "${a#*=}") ;;
	--cache-image=*) cache_image=${a#*=} ;;
	--cache-from=*) cache_from+=("${a#*=}") ;;
	--prefetch=*) prefetch+=("${a#*=}") ;;
	*) usage >&2; die "unknown argument '$a'" 2 ;;
	esac
done
case $stage in base | deps | build | runtime) ;; *) die "--stage must be base, deps, build or runtime (got '$stage')" 2 ;; esac
# deps is tagged through its tiny deps-id stage (docker/Dockerfile says why)
target=$stage
[[ $stage != deps ]] || target=deps-id
[[ -f $dockerfile ]] || die "no Dockerfile at '$dockerfile'" 2
[[ -d $context ]] || die "no build context at '$context'" 2
[[ -n $tag || -n $output ]] || die "give --tag or --output" 2

engine_init "$docker"
engine_found ||
	die "the Docker client '$docker' does not exist (LAMBDA_DOCKER: docker, podman or a path to a client)" 3
if ! engine_reachable; then
	die "cannot reach the Docker daemon with '$docker' (is dockerd running? DOCKER_HOST=${DOCKER_HOST:-unset})" 3
fi

state=$(dirname "$context")
probe_file=$state/builder

# Every image of a build carries the project (its directory: two checkouts never
# share it) and the target, so that stale ones are found (prune_stale) and
# lambda-prune.sh removes this project's and nothing else.
proj_dir=$(dirname "$state")
triple=
for a in "${args[@]}"; do [[ $a == LAMBDA_TARGET=* ]] && triple=${a#LAMBDA_TARGET=}; done
args+=(--build-arg "LAMBDA_PROJECT_DIR=$proj_dir"
	--label "lambda-make.project=$proj_dir" --label "lambda-make.target=$triple")

# prune_stale: after a successful build, remove this project's untagged images for
# this target that the build did not use: the classic builder leaves every stage's
# last image behind (~2 GB for a build stage) and re-tagging leaves the old image;
# the ones this build printed (classic " ---> ID", podman "--> [Using cache ]ID")
# are the layer cache of the next build and stay, compared by their first 11
# digits (podman prints that many). Removal is best effort (an image in use is skipped).
prune_stale() {
	local ids id used stale=()
	ids=$(engine_dangling_images "lambda-make.project=$proj_dir" "lambda-make.target=$triple" 2>/dev/null) ||
		return 0
	[[ -n $ids ]] || return 0
	used=$(grep -oE -- '--?-> (Using cache )?[0-9a-f]{11}' "$log" | grep -oE '[0-9a-f]{11}$' || true)
	for id in $ids; do
		grep -qxF -- "${id:0:11}" <<<"$used" || stale+=("$id")
	done
	((${#stale[@]} == 0)) || engine_rmi "${stale[@]}" >/dev/null 2>&1 || true
}

# The builder probe's answer, kept per client binary (engine_client_id).
id=$(engine_client_id)
builder=''
if [[ -f $probe_file ]]; then
	read -r cached_builder cached_id <"$probe_file" || true
	[[ ${cached_id:-} == "$id" ]] && builder=$cached_builder
fi
if [[ -z $builder ]]; then
	builder=$(engine_builder)
	printf '%s %s\n' "$builder" "$id" >"$probe_file.$$" && mv -f "$probe_file.$$" "$probe_file"
fi

# The stage's name in messages: STAGE-ARCH, as lambda-explain says it.
arch='' base='' runtime=''
for a in "${args[@]}"; do
	case $a in
	LAMBDA_TARGET=*) arch=${a#*=} arch=${arch%%-*} ;;
	LAMBDA_BASE_IMAGE=*) base=${a#*=} ;;
	LAMBDA_RUNTIME=*) runtime=${a#*=} ;;
	esac
done
[[ $arch != aarch64 ]] || arch=arm64
name=$stage${arch:+-$arch}
mkdir -p "$state/log"
log=$state/log/$name.log
: >"$log"
started=$SECONDS

# say MESSAGE: one status line on stderr.
say() { echo "lambda-make: $name: $1" >&2; }

# An unpullable base image fails inside docker build with the registry's raw
# error; check it first and name the setting that fixes it.
[[ -n $base ]] || base=$(sed -n 's/^ARG LAMBDA_BASE_IMAGE=//p' "$dockerfile" | head -n1)
if [[ -n $base ]] && ! engine_has_image "$base"; then
	say "pulling the base image $base"
	if ! why=$(engine_pull "$base" 2>&1 >/dev/null); then
		why=$(grep . <<<"$why" | tail -n1)
		fix="set LAMBDA_BASE_IMAGE to an image that is, such as the offline builder that builder-image.sh builds and names (man builder-image.sh, docs/offline.md)"
		# al2's default base is the al2 builder image: the fix is to build it
		[[ $runtime != al2 ]] ||
			fix="build the al2 builder image with 'builder-image.sh --runtime=al2' (docs/al2.md), or set LAMBDA_BASE_IMAGE to an image that links for glibc 2.26"
		die "the base image '$base' is not on this machine and cannot be pulled (${why:-no reason given}); $fix" 1
	fi
fi

# --- the team's cache registry (LAMBDA_CACHE_REGISTRY) ---
# The later stages' pulls (--prefetch) run while this stage works: a fresh engine
# then waits for the deps image only as long as its download outlasts the base
# stage. Each is recorded in DIR/../prefetch-ARCH (pid and image), so that the
# stage that needs it ends it once its own pull is done (a registry that was
# skipped, a pull that hangs), and none outlives the build.
prefetch_file=$state/prefetch${arch:+-$arch}
# prefetch_end: end the pull this stage's arch has in flight, if any (only that
# process: its command line must still name the image).
prefetch_end() {
	local pid ref
	[[ -f $prefetch_file ]] || return 0
	read -r pid ref <"$prefetch_file" || true
	rm -f -- "$prefetch_file"
	[[ -n ${pid:-} && -n ${ref:-} ]] || return 0
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- " $ref" || return 0
	kill "$pid" 2>/dev/null || true
}
# fetch REF: 0 when the engine has REF (from before, or pulled now); 1 when the
# registry does not hold it (a miss); 2 when the registry could not be asked (one
# warning line). A pull is all or nothing: the engine verifies every layer's digest
# and tags the image only when all of them arrived, and a registry serves a tag
# only once its push completed, so a half-pushed or corrupt image is never used.
pull_timeout=${LAMBDA__PULL_TIMEOUT:-300}
# One warning per build: the first stage that finds the registry unusable records
# the make process that runs it (our grandparent) in DIR/../registry-skipped; the
# later stages of that build skip the registry without a word.
skipped=$state/registry-skipped
build_id=$(ps -o ppid= -p "$PPID" 2>/dev/null | tr -d ' ' || true)
# registry_skipped: 0 when an earlier stage of this build found the registry unusable.
registry_skipped() { [[ -n $build_id && "$(cat -- "$skipped" 2>/dev/null)" == "$build_id" ]]; }
fetch() {
	local why rc=0 pid ref=''
	[[ ! -f $prefetch_file ]] || read -r pid ref <"$prefetch_file" || true
	if engine_has_image "$1"; then
		[[ $ref != "$1" ]] || say "pulled ${1##*/} from the cache registry (while an earlier stage ran)"
		return 0
	fi
	! registry_skipped || return 2
	why=$(engine_pull "$1" "$pull_timeout" 2>&1 >/dev/null) || rc=$?
	if ((rc == 0)); then
		say "pulled ${1##*/} from the cache registry"
		return 0
	fi
	if grep -qE 'manifest unknown|manifest for .* not found' <<<"$why"; then
		return 1
	fi
	((rc != 124)) || why="no answer in $pull_timeout s"
	why=$(grep . <<<"$why" | tail -n1)
	say "warning: the cache registry ${1%%/*} is skipped for this build, building from local work (pulling: ${why:-no reason given})"
	[[ -z $build_id ]] || { echo "$build_id" >"$skipped.$$" && mv -f "$skipped.$$" "$skipped"; }
	return 2
}
# The classic builder cannot reuse BuildKit's images as cache, nor the other way
# round: each has its own names (STAGE-ARCH-classic-KEY), so a team that mixes them
# never trades a useless image for its local cache.
if [[ $builder == classic ]]; then
	[[ -z $cache_image ]] || cache_image=${cache_image%-*}-classic-${cache_image##*-}
	for i in "${!cache_from[@]}"; do
		cache_from[i]=${cache_from[i]%-*}-classic-${cache_from[i]##*-}
	done
	for i in "${!prefetch[@]}"; do
		prefetch[i]=${prefetch[i]%-*}-classic-${prefetch[i]##*-}
	done
fi
hits=() missing=0 push_ref=''
if [[ -n $cache_image || ${#cache_from[@]} -gt 0 ]]; then
	if ! registry_skipped; then
		for ref in "${prefetch[@]}"; do
			engine_has_image "$ref" && continue
			pid=$(engine_prefetch "$ref" "$pull_timeout")
			echo "$pid $ref" >"$prefetch_file.$$" && mv -f "$prefetch_file.$$" "$prefetch_file"
		done
	fi
	for ref in "${cache_from[@]}" ${cache_image:+"$cache_image"}; do
		rc=0
		fetch "$ref" || rc=$?
		if ((rc == 0)); then
			hits+=("$ref")
		else
			missing=1
			# the registry lacks this stage: push it if this build makes it
			[[ $rc -ne 1 || $ref != "$cache_image" ]] || push_ref=$ref
			# a registry that failed once is not asked again in this stage
			((rc != 2)) || break
		fi
	done
	# the registry is skipped (no later stage asks it), or this stage pulled what
	# it needed
	if ((rc == 2)) || ((${#prefetch[@]} == 0)); then prefetch_end; fi
fi
cache_args=()
for ref in "${hits[@]}"; do cache_args+=(--cache-from "$ref"); done

# undeprecate: drop the notice a new client without buildx prints for the
# classic builder ("DEPRECATED: The legacy builder ... remove the
# DOCKER_BUILDKIT=0 environment-variable"): we set that variable, not the user,
# and the status line says which builder ran and how to get BuildKit.
undeprecate() {
	local line skip=0
	while IFS= read -r line || [[ -n $line ]]; do
		if [[ $line == 'DEPRECATED: The legacy builder is deprecated'* ]]; then
			skip=1
			continue
		fi
		if ((skip)); then
			[[ $line != ' '* ]] || continue
			skip=0
			[[ -n $line ]] || continue
		fi
		printf '%s\n' "$line"
	done
}

# ticker: while a build runs quietly, a line every 15 s so a long step is seen alive.
# Its sleep ends with it: a sleep left running would hold make's project lock (an
# inherited descriptor) and keep the next make waiting for up to 15 s.
ticker() {
	local n last nap=''
	trap '[[ -z $nap ]] || kill "$nap" 2>/dev/null; exit 0' TERM
	while sleep 15 >/dev/null 2>&1 & nap=$!; wait "$nap"; do
		n=$(grep -c 'Compiling ' "$log" || true)
		last=$(grep -o 'Compiling [^ ]* v[^ ]*' "$log" | tail -n1 || true)
		if ((n == 1)); then
			say "building, $((SECONDS - started)) s, 1 crate compiled (${last#Compiling })"
		elif ((n)); then
			say "building, $((SECONDS - started)) s, $n crates compiled (last: ${last#Compiling })"
		else
			say "building, $((SECONDS - started)) s"
		fi
	done
}
tick=''
stop_ticker() { [[ -z $tick ]] || kill "$tick" 2>/dev/null || true; tick=''; }

# run CMD...: CMD's output into the log (and stderr with --verbose).
run() {
	local rc=0
	if ((verbose)); then
		"$@" 2>&1 | undeprecate | tee -a "$log" >&2 || rc=${PIPESTATUS[0]}
	else
		"$@" 2>&1 | undeprecate >>"$log" || rc=${PIPESTATUS[0]}
	fi
	return "$rc"
}

# failed: the whole log (already shown with --verbose), then one line naming it.
failed() {
	stop_ticker
	((verbose)) || cat -- "$log" >&2
	say "failed after $((SECONDS - started)) s (Docker's output: $log)"
	exit 1
}

# built_or_cached: "built" if any RUN step of this build ran, else "cached".
built_or_cached() {
	local id
	if [[ $builder == podman ]]; then
		# a RUN step that ran is not followed by buildah's "--> Using cache"
		awk '/^\[[0-9]+\/[0-9]+\] STEP [0-9]+\/[0-9]+: RUN / { r = 1; next }
			r && /^--> Using cache/ { r = 0; next }
			r { found = 1; exit } END { exit !found }' "$log" && { echo built; return; }
	elif [[ $builder == buildkit ]]; then
		while read -r id; do
			grep -q "^#$id DONE" "$log" && { echo built; return; }
		done < <(sed -nE 's/^#([0-9]+) \[[^]]*\] RUN .*/\1/p' "$log" | sort -u)
	elif ((compiled)) || grep -q -- '---> Running in' "$log"; then
		echo built
		return
	fi
	echo cached
}

# done_line: the one line of a finished stage; for classic, what BuildKit would add.
# Quiet, the lines the image's own scripts printed come first (an incremental or
# full build, a resolution retry), without BuildKit's "#N SECONDS" prefix.
done_line() {
	stop_ticker
	local how
	((verbose)) || sed -nE 's/^(#[0-9]+ [0-9.]+ )?(lambda-make: .*)/\2/p' "$log" >&2
	how="$(built_or_cached) in $((SECONDS - started)) s"
	if [[ $builder == buildkit ]]; then
		say "$how (BuildKit)"
	elif [[ $builder == podman ]]; then
		say "$how (podman)"
	elif [[ $stage == deps ]]; then
		say "$how (classic builder: a dependency edit compiles every dependency again, no cache mounts; BuildKit compiles only what changed: install docker-buildx, or set LAMBDA_DOCKER to a client that runs it with DOCKER_BUILDKIT=1, such as Debian's docker.io 20.10)"
	elif [[ $stage == build ]]; then
		say "$how (classic builder: the build stage's image recompiles all of the project's crates; lambda-prod's packages only the changed ones)"
	else
		say "$how (classic builder)"
	fi
}

((verbose)) || { ticker & tick=$!; }
trap stop_ticker EXIT

# bk_build ARGS...: a BuildKit build, retried once on the engine's own race between
# simultaneous builds that share steps ("invalid request ... for build", "failed to
# get edge", moby/buildkit#2303); a failure of the build itself is never retried.
bk_build() {
	local rc try mark
	for try in 1 2 3 4; do
		rc=0
		mark=$(wc -l <"$log")
		if [[ $try -eq 1 ]]; then
			run engine_build "$@" || rc=$?
		else
			# retries one at a time per machine, after a random pause, so two
			# racing builds do not meet again
			sleep "$((RANDOM % 3 + 1)).$((RANDOM % 10))"
			run engine_build_locked /tmp/lambda-make-buildkit.lock "$@" || rc=$?
		fi
		if [[ $rc -ne 0 && $try -lt 4 ]] && engine_lost_step "$(tail -n "+$((mark + 1))" "$log")"; then
			echo "lambda-stage: BuildKit lost a shared build step (engine race); retrying ($try/3)" >&2
			continue
		fi
		break
	done
	return "$rc"
}

# queue_push: when the registry lacked this stage (built now, or found in this
# engine's own cache: either way this machine has it and the registry does not), tag the
# stage itself (BuildKit: with its inline cache; deps, not the deps-id image the
# build tags) with the registry name, and queue it for lambda-push.sh.
queue_push() {
	local queue=$state/push rc=0
	[[ -n $push_ref ]] || return 0
	if [[ $builder == buildkit ]]; then
		run engine_build "${cache_args[@]}" --build-arg BUILDKIT_INLINE_CACHE=1 --target "$stage" \
			-f "$df" "${args[@]}" -t "$push_ref" "$context" || rc=$?
	else
		run engine_build --force-rm "${cache_args[@]}" --target "$stage" -f "$df" "${args[@]}" \
			-t "$push_ref" "$context" || rc=$?
	fi
	if ((rc)); then
		say "warning: the cache registry was skipped: tagging $stage for the push failed (Docker's output: $log)"
		return 0
	fi
	mkdir -p "$queue"
	printf '%s\n' "$push_ref" >"$queue/.$name.$$" && mv -f "$queue/.$name.$$" "$queue/$name"
}

# The Dockerfile as this builder runs it, one per builder and arch (podman's names
# the arch's target cache). Beside the context, never in it: both arches' builds
# share the context, and a client walking it while the other build renames a
# temp file there fails ("file ... not found").
df=$state/lambda.$builder${arch:+-$arch}.Dockerfile
engine_dockerfile "$builder" "$(engine_cache_id "$proj_dir" "${arch:-any}")" <"$dockerfile" >"$df.$$" &&
	mv -f "$df.$$" "$df"

if [[ $builder == buildkit || $builder == podman ]]; then
	export DOCKER_BUILDKIT=1
	if [[ -n $output ]]; then
		rm -rf "$output.tmp"
		bk_build "${nocache[@]}" "${cache_args[@]}" --target "$target" -f "$df" "${args[@]}" \
			--output "type=local,dest=$output.tmp" "$context" || failed
		rm -rf "$output" && mv "$output.tmp" "$output"
	else
		bk_build "${nocache[@]}" "${cache_args[@]}" --target "$target" -f "$df" "${args[@]}" -t "$tag" "$context" || failed
	fi
	prune_stale
	done_line
	queue_push
	exit 0
fi

# Classic builder: no --output; --force-rm so a failed step leaves no stopped
# container behind.
export DOCKER_BUILDKIT=0
# The classic builder, given --cache-from, trusts only those images (and their
# parents) as cache: a partial set would hide the local layers of the others.
((missing == 0)) || cache_args=()
if [[ -z $output ]]; then
	run engine_build --force-rm "${nocache[@]}" "${cache_args[@]}" --target "$target" -f "$df" "${args[@]}" -t "$tag" "$context" || failed
	prune_stale
	done_line
	queue_push
	exit 0
fi
# A package (--output): the classic builder has no cache mounts, so the build
# stage's step runs in a container of the deps stage, with the project's and
# arch's target dir in a volume named after that image (the engine fills a new
# volume from the image's /build/target: the seed, as BuildKit's mount is) and
# the context's src/ copied in; lambda-compile then recompiles only the crates
# whose files changed since the last build in it. A new dependency set gets a
# new volume; this project's and arch's others are removed after a success.
# The deps image stays untagged: removing a tag would remove the image and the
# compiled layers below it; prune_stale keeps it (this build's log names it).
cid=''
cleanup() {
	stop_ticker
	[[ -z $cid ]] || engine_rm "$cid" >/dev/null 2>&1 || true
}
trap cleanup EXIT
run engine_build --force-rm "${nocache[@]}" "${cache_args[@]}" --target deps -f "$df" "${args[@]}" "$context" || failed
deps_id=$(sed -n 's/^Successfully built \([0-9a-f]\{12,\}\)$/\1/p' "$log" | tail -n1)
[[ -n $deps_id ]] || failed
vol=$(engine_cache_id "$proj_dir" "${arch:-any}")-${deps_id:0:12}
((${#nocache[@]} == 0)) || engine_volume_rm -f "$vol" >/dev/null 2>&1 || true
run engine_volume_create "$vol" "lambda-make.project=$proj_dir" "lambda-make.target=$triple" || failed
cid=$(engine_create --mount "type=volume,src=$vol,dst=/build/target" "$deps_id" lambda-compile) || failed
run engine_cp "$context/src/." "$cid:/build/" || failed
run engine_start "$cid" || failed
rm -rf "$output.tmp" && mkdir -p "$output.tmp"
bins=''
for a in "${args[@]}"; do [[ $a == LAMBDA_BINS=* ]] && bins=${a#LAMBDA_BINS=}; done
for b in $bins; do
	run engine_cp "$cid:/lambda/out/$b" "$output.tmp/$b" || failed
done
rm -rf "$output" && mv "$output.tmp" "$output"
engine_rm "$cid" >/dev/null 2>&1 && cid=''
for v in $(engine_volumes_labelled "lambda-make.project=$proj_dir" "lambda-make.target=$triple"); do
	[[ $v == "$vol" ]] || engine_volume_rm "$v" >/dev/null 2>&1 || true
done
compiled=1
prune_stale
done_line
