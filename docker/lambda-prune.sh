#!/usr/bin/env bash
# lambda-prune.sh: remove what lambda-make created in the engine for one project
# (make lambda-prune), and nothing of any other project.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=docker/engine.sh
. "$here/engine.sh"

usage() {
	cat <<'EOT'
usage: lambda-prune.sh --dir=DIR [--project=NAME] [--container=NAME] [--docker=CLIENT]

Removes, for the project in DIR (make lambda-prune passes LAMBDA_DIR, the image
name part and LAMBDA_CONTAINER):
  - every image labelled lambda-make.project=DIR (stage images, untagged ones the
    classic builder left, the deps-id and base tags), with the layers only they use;
  - the tags lambda-make/NAME:* whose image has that label or none (older builds);
  - the containers labelled lambda-make.project=DIR (the dev container), and the
    container NAME if it carries that label, with their volumes unless another
    container uses one or it is the shared registry volume
    (lambda-make-cargo-registry, used by every project: docker volume rm it
    yourself to clear it for all);
  - the volumes labelled lambda-make.project=DIR (the classic builder's release
    target dirs, one per arch);
  - under podman, the project's build-stage target caches (one per arch, in
    /var/tmp/buildah-cache).
BuildKit's build cache (the cache mounts: each project's and arch's deps target
dir, the build stage's target dirs, the registry) is not labelled per project:
BuildKit bounds it by its own garbage collection, and only `docker builder prune`
(every project's; --filter type=exec.cachemount: the cache mounts alone)
removes it.
Prints one line per kind with the count removed; exit 0, 2 for bad usage, 3 when
the engine cannot be reached.
EOT
}
die() { echo "lambda-prune: $1" >&2; exit "${2:-1}"; }

docker=docker dir='' project='' container=''
for a in "$@"; do
	case $a in
	--help | -h) usage; exit 0 ;;
	--docker=*) docker=${a#*=} ;;
	--dir=*) dir=${a#*=} ;;
	--project=*) project=${a#*=} ;;
	--container=*) container=${a#*=} ;;
	*) usage >&2; die "unknown argument '$a'" 2 ;;
	esac
done
[[ -n $dir ]] || die "give --dir=DIR (the project)" 2
[[ $dir == /* ]] || die "--dir must be absolute (got '$dir')" 2
engine_init "$docker"
engine_found || die "the Docker client '$docker' does not exist (LAMBDA_DOCKER)" 3
engine_reachable || die "cannot reach the Docker daemon with '$docker'" 3
# the builds label with LAMBDA_DIR, the dev container with its resolved path
dirs=("$dir")
real=$(cd -- "$dir" 2>/dev/null && pwd -P) || real=$dir
[[ $real == "$dir" ]] || dirs+=("$real")

# --- containers (first: an image in use by one cannot go) -------------------------
ids=()
for d in "${dirs[@]}"; do
	while read -r id; do [[ -n $id ]] && ids+=("$id"); done < <(engine_containers_labelled "lambda-make.project=$d")
done
if [[ -n $container ]]; then
	lab=$(engine_label container "$container" lambda-make.project 2>/dev/null || true)
	for d in "${dirs[@]}"; do [[ $lab == "$d" ]] && ids+=("$container"); done
fi
vols=()
if ((${#ids[@]})); then
	while read -r v; do [[ -n $v ]] && vols+=("$v"); done < <(engine_container_volumes "${ids[@]}" 2>/dev/null | sort -u)
	engine_rm "${ids[@]}" >/dev/null 2>&1 || true
fi
echo "lambda-prune: containers: $(printf '%s\n' "${ids[@]}" | sort -u | grep -c . || true)"
nv=0
for d in "${dirs[@]}"; do
	while read -r v; do [[ -n $v ]] && vols+=("$v"); done < <(engine_volumes_labelled "lambda-make.project=$d")
done
for v in $(printf '%s\n' "${vols[@]}" | sort -u); do
	[[ $v == lambda-make-cargo-registry ]] && continue
	engine_volume_rm "$v" >/dev/null 2>&1 && nv=$((nv + 1))
done
echo "lambda-prune: volumes: $nv"
if engine_is_podman; then
	nc=0
	for d in "${dirs[@]}"; do nc=$((nc + $(engine_cache_rm "$d"))); done
	echo "lambda-prune: podman build caches: $nc"
fi

# --- images --------------------------------------------------------------------
imgs=()
for d in "${dirs[@]}"; do
	while read -r id; do [[ -n $id ]] && imgs+=("$id"); done < <(engine_images_labelled "lambda-make.project=$d")
done
tags=()
if [[ -n $project ]]; then
	while read -r t id; do
		[[ -n $t ]] || continue
		lab=$(engine_label image "$id" lambda-make.project 2>/dev/null || true)
		keep=1
		[[ -z $lab ]] && keep=0
		for d in "${dirs[@]}"; do [[ $lab == "$d" ]] && keep=0; done
		((keep)) || tags+=("$t")
	done < <(engine_tags "lambda-make/$project")
fi
# tags first (an image with another project's tag keeps it and stays), then images
n=0
for t in "${tags[@]}"; do engine_rmi "$t" >/dev/null 2>&1 && n=$((n + 1)); done
uniq_imgs=()
while read -r id; do [[ -n $id ]] && uniq_imgs+=("$id"); done < <(printf '%s\n' "${imgs[@]}" | sort -u)
for id in "${uniq_imgs[@]}"; do
	# -f: an image with several of this project's tags goes with all of them
	engine_rmi -f "$id" >/dev/null 2>&1 && n=$((n + 1))
done
echo "lambda-prune: images and tags: $n"
