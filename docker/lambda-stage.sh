#!/usr/bin/env bash
# lambda-stage.sh: run one `docker build` of one stage of docker/Dockerfile, with
# BuildKit when the client supports it and the classic builder otherwise.
# Called by the command lines that $(lambda-build ...) generates.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: lambda-stage.sh --stage=S --dockerfile=F --context=DIR (--tag=T | --output=DIR)
                       [--docker=CLIENT] [--no-cache] [--build-arg=K=V]...

Builds stage S (base, deps, build, runtime) of Dockerfile F on the build context
DIR. --tag names the image (for deps: the one-file deps-id image, whose ID
changes when the dependencies are rebuilt); --output extracts the stage's files
into DIR (replaced atomically). The builder (BuildKit or classic) is probed once per
client and remembered in DIR/../builder.

Exit codes: 0 built; 1 the build failed; 2 bad usage; 3 Docker is not available
(the client does not exist, or the daemon is not reachable).
USAGE
}

# die MESSAGE [CODE]: the message alone on stderr, then exit CODE (default 1).
die() { echo "lambda-stage: $1" >&2; exit "${2:-1}"; }

docker=docker stage='' dockerfile='' context='' tag='' output='' nocache=()
args=()
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
	--build-arg=*) args+=(--build-arg "${a#*=}") ;;
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

command -v -- "$docker" >/dev/null 2>&1 ||
	die "the Docker client '$docker' does not exist (LAMBDA_DOCKER: docker, podman or a path to a client)" 3
if ! "$docker" info >/dev/null 2>&1; then
	die "cannot reach the Docker daemon with '$docker' (is dockerd running? DOCKER_HOST=${DOCKER_HOST:-unset})" 3
fi

state=$(dirname "$context")
probe_file=$state/builder

# The builder a client supports depends only on the client binary: cache by it.
client_id() {
	local path
	path=$(command -v "$docker") || return 1
	stat -L -c '%n %s %Y' "$path"
}

probe() {
	local tmp rc=0
	tmp=$(mktemp -d)
	printf 'FROM scratch\nCOPY probe /probe\n' >"$tmp/Dockerfile"
	echo ok >"$tmp/probe"
	DOCKER_BUILDKIT=1 "$docker" build -q --output "type=local,dest=$tmp/out" "$tmp" >/dev/null 2>&1 || rc=$?
	if [[ $rc -eq 0 && -f $tmp/out/probe ]]; then echo buildkit; else echo classic; fi
	rm -rf "$tmp"
}

id=$(client_id)
builder=''
if [[ -f $probe_file ]]; then
	read -r cached_builder cached_id <"$probe_file" || true
	[[ ${cached_id:-} == "$id" ]] && builder=$cached_builder
fi
if [[ -z $builder ]]; then
	builder=$(probe)
	printf '%s %s\n' "$builder" "$id" >"$probe_file.$$" && mv -f "$probe_file.$$" "$probe_file"
	echo "lambda-stage: using the $builder builder of '$docker'" >&2
fi

# bk_build ARGS...: a BuildKit build, retried once on the engine's own race between
# simultaneous builds that share steps ("invalid request ... for build", "failed to
# get edge", moby/buildkit#2303); a failure of the build itself is never retried.
bk_build() {
	local log rc try
	log=$(mktemp)
	for try in 1 2 3 4; do
		rc=0
		if [[ $try -eq 1 ]]; then
			"$docker" build "$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
		else
			# retries one at a time per machine, after a random pause, so two
			# racing builds do not meet again
			sleep "$((RANDOM % 3 + 1)).$((RANDOM % 10))"
			flock /tmp/lambda-make-buildkit.lock "$docker" build "$@" 2>&1 | tee "$log" ||
				rc=${PIPESTATUS[0]}
		fi
		if [[ $rc -ne 0 && $try -lt 4 ]] && grep -qE 'invalid request .* for build|failed to get edge' "$log"; then
			echo "lambda-stage: BuildKit lost a shared build step (engine race); retrying ($try/3)" >&2
			continue
		fi
		break
	done
	rm -f "$log"
	return "$rc"
}

# The Dockerfile copy goes beside the context, never in it: both arches' builds
# share the context, and a client walking it while the other build renames a
# temp file there fails ("file ... not found").
if [[ $builder == buildkit ]]; then
	df=$state/lambda.Dockerfile
	cp "$dockerfile" "$df.$$" && mv -f "$df.$$" "$df"
	export DOCKER_BUILDKIT=1
	if [[ -n $output ]]; then
		rm -rf "$output.tmp"
		bk_build "${nocache[@]}" --target "$target" -f "$df" "${args[@]}" \
			--output "type=local,dest=$output.tmp" "$context"
		rm -rf "$output" && mv "$output.tmp" "$output"
	else
		bk_build "${nocache[@]}" --target "$target" -f "$df" "${args[@]}" -t "$tag" "$context"
	fi
	exit 0
fi

# Classic builder: no --mount options, no --output; --force-rm so a failed step
# leaves no stopped container behind; the Dockerfile beside the context, as above.
df=$state/lambda.classic.Dockerfile
sed -E '/^RUN /s/ --mount=[^ ]+//g' "$dockerfile" >"$df.$$" && mv -f "$df.$$" "$df"
export DOCKER_BUILDKIT=0
if [[ -z $output ]]; then
	"$docker" build --force-rm "${nocache[@]}" --target "$target" -f "$df" "${args[@]}" -t "$tag" "$context"
	exit 0
fi
tmptag=lambda-make-tmp/$$-$RANDOM:runtime
cid=''
cleanup() {
	[[ -n $cid ]] && "$docker" rm -f "$cid" >/dev/null 2>&1
	"$docker" rmi -f "$tmptag" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$docker" build --force-rm "${nocache[@]}" --target "$target" -f "$df" "${args[@]}" -t "$tmptag" "$context"
cid=$("$docker" create "$tmptag" /bootstrap)
rm -rf "$output.tmp" && mkdir -p "$output.tmp"
bins=''
for a in "${args[@]}"; do [[ $a == LAMBDA_BINS=* ]] && bins=${a#LAMBDA_BINS=}; done
for b in $bins; do
	"$docker" cp "$cid:/$b" "$output.tmp/$b"
done
rm -rf "$output" && mv "$output.tmp" "$output"
