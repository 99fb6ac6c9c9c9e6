#!/usr/bin/env bash
# Build context hygiene and bounded disk (issue 18), against the real engine, on
# BuildKit and on the classic builder:
# - a secret in .env (and in node_modules/), excluded by .dockerignore, is in no
#   image: `docker save` of every image of the project (the build stage tagged by
#   lambda-build-x86_64 included) and `docker history` hold no trace of it, while a
#   marker in a kept file is found there (the search can fail);
# - edit rebuilds leave no growing set of untagged images: this project's dangling
#   images are as many after the second edit as after the first;
# - the dev container sees the excluded paths masked (.env empty, node_modules/ empty);
# - make lambda-prune removes this project's images, tags and dev container, and the
#   other project's all survive; and the classic builder's target volume.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmhyg "/tmp/lambda-hygiene.XXXXXX"
need_make

# the labelled untagged images a failed run may leave: removed with the run's own
labelled_cleanup() {
	local d
	for d in "$work"/*/; do
		docker images -aq --filter "label=lambda-make.project=${d%/}" | xargs -r docker rmi -f >/dev/null 2>&1 || true
	done
	denv_cleanup
}
trap labelled_cleanup EXIT

# project DIR NAME: a std-only function, with what teams keep beside it
project() {
	mkdir -p "$1/src" "$1/node_modules/dotenv"
	printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n# %s\n' "$2" "$run_id" >"$1/Cargo.toml"
	printf 'fn main() {\n    println!("{}", "%s");\n}\n' "$2" >"$1/src/main.rs"
	printf 'version = 3\n\n[[package]]\nname = "%s"\nversion = "0.1.0"\n' "$2" >"$1/Cargo.lock"
	echo "AWS_SECRET_ACCESS_KEY=SECRET-$run_id-env" >"$1/.env"
	echo "module.exports = 'SECRET-$run_id-js'" >"$1/node_modules/dotenv/index.js"
	echo "KEPT-$run_id-readme" >"$1/README.md"
	printf '.env\nnode_modules/\n' >"$1/.dockerignore"
}
# mk DIR DOCKER ARGS...: make in DIR; output in $out, status in $rc.
mk() {
	local dir=$1 docker=$2
	shift 2
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$dir" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id-${dir##*/}" LAMBDA_DOCKER="$docker" LAMBDA_ARCH=x86_64 \
		LAMBDA_CONTAINER="$run_id-${dir##*/}" "$@" 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -30
}
# images DIR: this project's images, tagged or not
images() { docker images -aq --filter "label=lambda-make.project=$1" | sort -u; }
dangling() { docker images -q --filter dangling=true --filter "label=lambda-make.project=$1" | grep -c . || true; }
# markers DIR: the run's markers found in the saved images of the project (their
# layers are plain tars in the stream) and in their history
markers() {
	local ids id
	mapfile -t ids < <(images "$1")
	((${#ids[@]})) || return 0
	{
		docker save "${ids[@]}" || echo "docker save failed"
		for id in "${ids[@]}"; do docker history --no-trunc "$id" || true; done
	} 2>/dev/null | { grep -aoE "(SECRET|KEPT)-$run_id-[a-z]+" || true; } | sort -u | tr '\n' ' '
}
count() { grep -c . <<<"$1" || true; }

plan 18
declare -A built
for builder in buildkit classic; do
	p=$work/$builder-app
	project "$p" "h18app"
	docker=$bk
	[[ $builder == buildkit ]] || docker=$classic
	mk "$p" "$docker" lambda-prod lambda-build-x86_64
	is "$builder: prod and the tagged build stage build" "$rc" 0
	built[$builder]=$p
	found=$(markers "$p")
	is "$builder: only the kept file's marker is in the image layers and history, no secret of .env or node_modules/" \
		"$found" "KEPT-$run_id-readme "

	# two edit rebuilds: the untagged images do not pile up (each would add one)
	for i in 1 2; do
		printf 'fn main() {\n    println!("{}", "edit %s");\n}\n' "$i" >"$p/src/main.rs"
		mk "$p" "$docker" lambda-prod lambda-build-x86_64
		[[ $rc -eq 0 ]] || break
		[[ $i -ne 1 ]] || first=$(dangling "$p")
	done
	is "$builder: the edit rebuilds succeed" "$rc" 0
	is "$builder: as many untagged images after 2 edits as after 1 ($first)" "$(dangling "$p")" "$first"
done

# the dev container's view: what the patterns exclude is masked
p=${built[buildkit]}
mk "$p" "$bk" lambda-dev-start
is "dev: the container starts" "$rc" 0
is "dev: .env is empty in the container" "$(docker exec "$run_id-buildkit-app" cat /workspace/.env 2>&1)" ""
is "dev: node_modules/ is empty in the container" "$(docker exec "$run_id-buildkit-app" ls -A /workspace/node_modules 2>&1)" ""
like "dev: the kept files are there" "$(docker exec "$run_id-buildkit-app" cat /workspace/README.md 2>&1)" "KEPT-$run_id"

# lambda-prune: this project's images, tags and container; the other one's stay
q=${built[classic]}
mk "$q" "$bk" lambda-dev-start
other_images=$(images "$q")
other_tags=$(docker images --format '{{.Repository}}:{{.Tag}}' "lambda-make/$run_id-classic-app" | sort)
mk "$p" "$bk" lambda-prune
is "lambda-prune succeeds" "$rc" 0
is "lambda-prune: none of the project's images or tags is left" \
	"$(count "$(images "$p")") $(count "$(docker images -q "lambda-make/$run_id-buildkit-app")")" "0 0"
is "lambda-prune: the project's dev container is gone" \
	"$(docker ps -aq --filter "name=^$run_id-buildkit-app\$" | grep -c . || true)" 0
ok "lambda-prune: the other project's images ($(count "$other_images")), tags and dev container survive" \
	test "$(images "$q")" == "$other_images" -a \
	"$(docker images --format '{{.Repository}}:{{.Tag}}' "lambda-make/$run_id-classic-app" | sort)" == "$other_tags" -a \
	-n "$(docker ps -q --filter "name=^$run_id-classic-app\$")"
ok "the classic builder's project has its target volume" test -n "$(docker volume ls -q --filter "label=lambda-make.project=$q")"
mk "$q" "$bk" lambda-prune
is "lambda-prune: the project's target volume is gone" "$(docker volume ls -q --filter "label=lambda-make.project=$q")" ""
finish
