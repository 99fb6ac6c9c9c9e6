# shellcheck shell=bash
# bench/lib/legacy.sh (sourced): the legacy path every benchmark compares with —
# rebuild the builder image without cache, then compile everything
# (make lambda-docker), with the toolchain the other systems use
# (LAMBDA_BENCH_RUST, default host: docker/builder-image.sh --rust). The recipe
# is built under another image name, so the shared builder image and every layer
# cached on it are left alone.
# legacy_run SRC BUILDMK PROJ CARGO_HOME ARCH PROJECT_ID: prints
# "TOTAL_MS IMAGE_MS COMPILE_MS" on stdout; the build's output goes to PROJ.legacy.log.
legacy_run() {
	local src=$1 buildmk=$2 proj=$3 ch=$4 arch=$5 id=$6 dir recipe img t0 t1 t2
	# the renamed copy sources the engine seam from beside itself, as the original does
	dir=$(mktemp -d /tmp/lambda-bench-legacy.XXXXXX)
	recipe=$dir/builder-image.sh
	sed 's/^readonly REPO=.*/readonly REPO=lambda-make-bench-legacy/' \
		"$src/docker/builder-image.sh" >"$recipe"
	cp -- "$src/docker/engine.sh" "$dir/"
	t0=$(date +%s%N)
	img=$(bash "$recipe" --force --rust="${LAMBDA_BENCH_RUST:-host}" 2>"$proj.legacy.log") ||
		{ cat "$proj.legacy.log" >&2; rm -rf -- "$dir"; return 1; }
	t1=$(date +%s%N)
	make --no-print-directory -C "$proj" -f "$buildmk" LAMBDA_BASE_IMAGE="$img" \
		LAMBDA_CARGO_HOME="$ch" LAMBDA_PROJECT="$id" LAMBDA_ARCH="$arch" \
		lambda-docker >>"$proj.legacy.log" 2>&1 ||
		{ tail -20 "$proj.legacy.log" >&2; rm -rf -- "$dir"; return 1; }
	t2=$(date +%s%N)
	# with --rust=host, the Debian image under it too
	docker rmi -f "$img" "${img%-host-*}" >/dev/null 2>&1 || true
	rm -rf -- "$dir"
	echo "$(((t2 - t0) / 1000000)) $(((t1 - t0) / 1000000)) $(((t2 - t1) / 1000000))"
}
