#!/usr/bin/env bash
# Build the offline Debian builder image (rustc-web + cargo-web, x86_64 and
# aarch64 targets) without any container registry: debootstrap a minimal
# bookworm rootfs, docker-import it, then install the toolchain on top.
# The tag is a hash of the recipe (the debootstrap suite and variant, and the
# Dockerfile inline below), so an unchanged recipe reuses the image and a change
# to how this script reports progress does not rebuild it.
# --rust=host puts a copy of the host's rustup toolchain on top, --runtime=al2
# zig as the C compiler and linker for a glibc 2.26 floor (see --help).
set -euo pipefail

readonly PROG=${0##*/}
readonly SUITE=bookworm
readonly REPO=lambda-make-builder
# --runtime=al2: zig from PyPI's ziglang wheel (the zig binary and its lib dir),
# pinned by version and content. Only the x86_64 wheel: the builder image is an
# x86_64 image that cross-compiles for arm64.
readonly ZIG_VERSION=0.17.1
readonly ZIG_WHEEL=ziglang-0.17.1-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl
readonly ZIG_SHA256=ea6cc5d87b033cf0aedfbc8f9549a908cae6c50ac31f1698188fa48a74524b54

usage() {
	cat <<EOF
$PROG - build the offline Debian builder image (Rust for x86_64 and arm64)

Usage: $PROG [--force] [--print-ref] [--verbose] [--rust=debian|host]
       [--runtime=al2023|al2]

Build (or reuse) the offline builder image and print its reference
(${REPO}:<recipe hash>) on stdout. Progress goes to stderr: a line per step
and, while a step runs, one every 15 s (seconds so far, the last package);
the output of debootstrap and docker build only when a step fails (its last
60 lines; the whole log stays in the temp dir named) or with --verbose.
Needs root (debootstrap) and a Debian mirror, no container registry.

Options:
  --force      rebuild even if the image already exists
  --print-ref  only print the image reference, build nothing
  --verbose    stream the output of debootstrap and docker build
  --rust=debian
               Debian's rustc-web and cargo-web (the default; needs only a
               Debian mirror)
  --rust=host  also copy the host's rustup toolchain (rustc --print sysroot)
               into /opt/rust, first on PATH: an official rustc build, which
               compiles about 1.8x faster than Debian's (docs/performance.md).
               Its standard libraries are the targets you can build: add
               arm64 with 'rustup target add aarch64-unknown-linux-gnu'.
               Tagged ${REPO}:<recipe hash>-host-<toolchain hash>.
  --runtime=al2023
               the image above (the default)
  --runtime=al2
               that image plus zig ${ZIG_VERSION} (PyPI's ziglang wheel, fetched
               on this machine with pip download and checked against its
               pinned sha256, cached in ~/.cache/lambda-make) as the C compiler
               and linker of both targets, for glibc 2.26: what it links starts
               on Amazon Linux 2 (provided.al2). The default base image of
               LAMBDA_RUNTIME=al2. Tagged <the image above>-al2-<zig hash>.
               Needs python3 with pip and unzip on this machine.
  --help       show this help

Environment:
  LAMBDA_DOCKER         docker client to use (default: docker)
  LAMBDA_DEBIAN_MIRROR  Debian mirror (default: http://deb.debian.org/debian)
  LAMBDA_DEBIAN_SECURITY_MIRROR
                        security mirror (default: http://deb.debian.org/debian-security)
  XDG_CACHE_HOME        where --runtime=al2 keeps the zig wheel (default: ~/.cache)
EOF
}

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

log() {
	printf '%s: %s\n' "$PROG" "$*" >&2
}

# engine: source engine.sh (beside this script's real file: $(bindir) holds a
# symlink) and name the client, LAMBDA_DOCKER; only once the engine is needed
# (--print-ref needs neither the engine nor readlink).
engine() {
	local here
	here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
	# shellcheck source=docker/engine.sh
	. "$here/engine.sh"
	docker_cmd=${LAMBDA_DOCKER:-docker}
	engine_init "$docker_cmd"
}

# ready REF: print REF and succeed when nothing needs building: --print-ref, or
# the engine has REF already (unless --force)
ready() {
	if ((print_only)); then
		printf '%s\n' "$1"
		return 0
	fi
	engine
	engine_found || die "docker client '$docker_cmd' not found (set LAMBDA_DOCKER)"
	((!force)) && engine_has_image "$1" || return 1
	log "reusing $1"
	printf '%s\n' "$1"
}

# layer REF WHAT CTX BASE STARTED: build CTX's Dockerfile on BASE as REF (WHAT
# names the step in progress lines), say how long since STARTED, print REF
layer() {
	DOCKER_BUILDKIT=0 quietly "$3.log" "$2" \
		engine_build --pull=false -t "$1" --build-arg "BASE=$4" "$3" ||
		die "docker build of $1 failed"
	rm -f -- "$3.log"
	log "built $1 in $((SECONDS - $5))s"
	printf '%s\n' "$1"
}

# quietly LOG WHAT CMD...: run CMD with its output in LOG (also on stderr with
# --verbose); every 15 s say it is alive (WHAT, seconds, the last package seen);
# on failure show LOG's tail. Returns CMD's status.
quietly() {
	local logf=$1 what=$2 rc=0 t0=$SECONDS tick=''
	shift 2
	if ((verbose)); then
		"$@" 2>&1 | tee -a "$logf" >&2 || rc=${PIPESTATUS[0]}
		return "$rc"
	fi
	(
		while sleep 15 >/dev/null 2>&1; do
			last=$(grep -oE '(Retrieving|Extracting|Unpacking|Setting up) [^ ]+' "$logf" | tail -n1 || true)
			log "$what: $((SECONDS - t0)) s${last:+ (${last})}"
		done
	) &
	tick=$!
	"$@" >>"$logf" 2>&1 || rc=$?
	kill "$tick" 2>/dev/null || true
	if ((rc)); then
		tail -n 60 -- "$logf" >&2
		log "$what failed after $((SECONDS - t0)) s (the whole output: $logf)"
	fi
	return "$rc"
}

# The second stage of the recipe. Hashed together with this script.
builder_dockerfile() {
	cat <<'EOF'
ARG ROOTFS
FROM ${ROOTFS}
ARG MIRROR
ARG SECURITY_MIRROR
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
# Besides the toolchains: what real build scripts call, rustfmt (code generators),
# pkg-config, perl and make (openssl-src), cmake, g++ and libclang (cmake-based
# -sys crates, bindgen).
RUN set -eu; \
    printf 'deb %s %s main\n' \
        "$MIRROR" bookworm "$MIRROR" bookworm-updates \
        "$SECURITY_MIRROR" bookworm-security > /etc/apt/sources.list; \
    dpkg --add-architecture arm64; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        ca-certificates rustc-web cargo-web gcc libc6-dev lld \
        gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu \
        libstd-rust-web-dev:arm64 \
        rustfmt-web pkg-config perl make cmake g++ libclang-dev; \
    ln -s ld.lld /usr/bin/aarch64-linux-gnu-ld.lld; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*; \
    cargo --version; rustc --version; rustfmt --version; cmake --version
ENV CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
# GNU ld took 1.07 s of a 1.2 s incremental dev rebuild of examples/hello;
# lld links the same binary in a fraction of that (docs/performance.md). The
# cross gcc looks for lld under its target-prefixed name (the symlink above).
ENV CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C link-arg=-fuse-ld=lld" \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C link-arg=-fuse-ld=lld"
EOF
}

# The layer --rust=host adds on top of the Debian image.
host_dockerfile() {
	cat <<'EOF'
ARG BASE
FROM ${BASE}
COPY rust/ /opt/rust/
ENV PATH=/opt/rust/bin:$PATH
RUN rustc --version && cargo --version && ls /opt/rust/lib/rustlib
EOF
}

# host_main: --rust=host: the Debian image (built or reused by this script)
# plus the host's toolchain, tagged by both recipes and the toolchain.
host_main() {
	local sysroot id href base ctx t args=() started=$SECONDS
	command -v rustc >/dev/null || die "--rust=host: no rustc on PATH (install rustup, or use --rust=debian)"
	sysroot=$(rustc --print sysroot) || die "--rust=host: 'rustc --print sysroot' failed"
	[[ -x $sysroot/bin/cargo ]] ||
		die "--rust=host: no cargo in $sysroot/bin (the host toolchain must be a rustup toolchain with cargo)"
	id=$({
		rustc -vV
		host_dockerfile
		ls -- "$sysroot/lib/rustlib"
	} | sha256sum)
	href="$ref-host-${id:0:12}"
	ready "$href" && return 0
	((force)) && args+=(--force)
	((verbose)) && args+=(--verbose)
	base=$(bash "${BASH_SOURCE[0]}" "${args[@]}" --rust=debian) || exit 1
	for t in x86_64 aarch64; do
		[[ -d $sysroot/lib/rustlib/$t-unknown-linux-gnu/lib ]] ||
			log "note: the host toolchain has no $t-unknown-linux-gnu standard library; builds for it will fail (rustup target add $t-unknown-linux-gnu)"
	done
	ctx=$(mktemp -d "${TMPDIR:-/tmp}/lambda-builder-host.XXXXXX")
	# shellcheck disable=SC2064 # expand now: ctx is local
	trap "rm -rf -- '$ctx'" EXIT
	log "copying the host toolchain ($(rustc --version)) from $sysroot"
	mkdir -p "$ctx/rust"
	# bin and lib only: share/ is documentation (~800 MB)
	cp -a -- "$sysroot/bin" "$sysroot/lib" "$ctx/rust/"
	[[ ! -d $sysroot/libexec ]] || cp -a -- "$sysroot/libexec" "$ctx/rust/"
	host_dockerfile >"$ctx/Dockerfile"
	layer "$href" "copying the toolchain into the image" "$ctx" "$base" "$started"
}

# The layer --runtime=al2 adds: zig, the compiler wrapper under its four names,
# and the variables cargo and cc-rs read (CC_/CXX_/AR_<triple>, the linkers).
# LAMBDA_GLIBC tells the Dockerfile's base stage which glibc the image links for.
# The last step links a Rust program for each target once, so zig's glibc 2.26
# stubs and runtime libraries are in the image's cache, not rebuilt by each build.
al2_dockerfile() {
	cat <<'EOF'
ARG BASE
FROM ${BASE}
COPY zig/ /opt/zig/
COPY lambda-zig-cc.sh /usr/local/lib/lambda-make/lambda-zig-cc.sh
RUN set -eu; \
    for t in x86_64 aarch64; do \
        for l in cc c++; do \
            ln -s /usr/local/lib/lambda-make/lambda-zig-cc.sh "/usr/local/bin/$t-linux-gnu.2.26-$l"; \
        done; \
    done
ENV PATH=/opt/zig:$PATH \
    ZIG_GLOBAL_CACHE_DIR=/opt/zig-cache \
    LAMBDA_GLIBC=2.26 \
    CC_x86_64_unknown_linux_gnu=x86_64-linux-gnu.2.26-cc \
    CXX_x86_64_unknown_linux_gnu=x86_64-linux-gnu.2.26-c++ \
    AR_x86_64_unknown_linux_gnu=ar \
    CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=x86_64-linux-gnu.2.26-cc \
    CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu.2.26-cc \
    CXX_aarch64_unknown_linux_gnu=aarch64-linux-gnu.2.26-c++ \
    AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu.2.26-cc
RUN set -eu; \
    cd /tmp; \
    printf 'fn main() { println!("zig links for glibc 2.26"); }\n' >zig-check.rs; \
    for t in x86_64 aarch64; do \
        rustc -O --target "$t-unknown-linux-gnu" -C "linker=$t-linux-gnu.2.26-cc" -o "zig-check-$t" zig-check.rs; \
    done; \
    ./zig-check-x86_64; \
    rm -f zig-check.rs zig-check-*; \
    chmod -R a+rwX /opt/zig-cache; \
    zig version
EOF
}

# What of the wheel's zig tree the image leaves out: the C libraries and headers of
# other operating systems (zig reads only the target's), the Python shim, docs.
readonly ZIG_TRIM='lib/libc/mingw lib/libc/wasi lib/libc/darwin lib/libc/freebsd lib/libc/netbsd lib/libc/openbsd lib/libc/musl lib/docs'

# al2_wheel DIR: the pinned zig wheel, from the cache or pip download, checked;
# prints its path.
al2_wheel() {
	local cache=${XDG_CACHE_HOME:-$HOME/.cache}/lambda-make dl
	if [[ -f $cache/$ZIG_WHEEL ]] && sha256sum "$cache/$ZIG_WHEEL" | grep -q "^$ZIG_SHA256 "; then
		printf '%s\n' "$cache/$ZIG_WHEEL"
		return 0
	fi
	python3 -m pip --version >/dev/null 2>&1 ||
		die "--runtime=al2: needs python3 with pip to fetch zig (apt-get install python3-pip)"
	mkdir -p -- "$cache"
	dl=$(mktemp -d "$cache/download.XXXXXX")
	log "fetching zig $ZIG_VERSION (pip download ziglang==$ZIG_VERSION, ~100 MB)"
	if ! quietly "$dl.log" "fetching zig" python3 -m pip download --no-deps --only-binary=:all: \
		--platform manylinux_2_12_x86_64 \
		-d "$dl" "ziglang==$ZIG_VERSION"; then
		rm -rf -- "$dl"
		die "--runtime=al2: pip download of ziglang==$ZIG_VERSION failed (its output: $dl.log)"
	fi
	rm -f -- "$dl.log"
	if [[ ! -f $dl/$ZIG_WHEEL ]] || ! sha256sum "$dl/$ZIG_WHEEL" | grep -q "^$ZIG_SHA256 "; then
		rm -rf -- "$dl"
		die "--runtime=al2: the downloaded $ZIG_WHEEL is missing or its sha256 is not $ZIG_SHA256"
	fi
	mv -f -- "$dl/$ZIG_WHEEL" "$cache/$ZIG_WHEEL"
	rm -rf -- "$dl"
	printf '%s\n' "$cache/$ZIG_WHEEL"
}

# al2_main: --runtime=al2: the image of --rust (built or reused by this script)
# plus zig, tagged by that image's ref and everything this layer adds.
al2_main() {
	local base_ref id aref base ctx wheel d args=(--rust="$rust") started=$SECONDS here
	# the wrapper is a sibling of this script's real file ($(bindir) holds a symlink)
	here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
	[[ -f $here/lambda-zig-cc.sh ]] || die "--runtime=al2: $here/lambda-zig-cc.sh is missing (a broken installation)"
	base_ref=$(bash "${BASH_SOURCE[0]}" "${args[@]}" --print-ref) || exit 1
	id=$({
		printf '%s\n' "$base_ref" "$ZIG_SHA256" "$ZIG_TRIM"
		al2_dockerfile
		cat -- "$here/lambda-zig-cc.sh"
	} | sha256sum)
	aref="$base_ref-al2-${id:0:12}"
	ready "$aref" && return 0
	command -v unzip >/dev/null || die "--runtime=al2: unzip not found (apt-get install unzip)"
	wheel=$(al2_wheel)
	((force)) && args+=(--force)
	((verbose)) && args+=(--verbose)
	base=$(bash "${BASH_SOURCE[0]}" "${args[@]}") || exit 1
	ctx=$(mktemp -d "${TMPDIR:-/tmp}/lambda-builder-al2.XXXXXX")
	# shellcheck disable=SC2064 # expand now: ctx is local
	trap "rm -rf -- '$ctx' '$ctx.unz'" EXIT
	log "unpacking zig $ZIG_VERSION"
	unzip -q -d "$ctx.unz" -- "$wheel" 'ziglang/zig' 'ziglang/lib/*' ||
		die "--runtime=al2: unzip of $wheel failed"
	mv -- "$ctx.unz/ziglang" "$ctx/zig"
	for d in $ZIG_TRIM; do rm -rf -- "${ctx:?}/zig/$d"; done
	find "$ctx/zig/lib/libc/include" -mindepth 1 -maxdepth 1 ! -name '*linux*' ! -name 'generic-glibc' \
		-exec rm -rf -- {} +
	chmod 0755 "$ctx/zig/zig"
	install -m 0755 -- "$here/lambda-zig-cc.sh" "$ctx/lambda-zig-cc.sh"
	al2_dockerfile >"$ctx/Dockerfile"
	layer "$aref" "adding zig to the image" "$ctx" "$base" "$started"
}

recipe_ref() {
	local hash
	hash=$({ printf 'debootstrap --variant=minbase %s\n' "$SUITE"; builder_dockerfile; } | sha256sum)
	printf '%s:%s\n' "$REPO" "${hash:0:12}"
}

force=0
print_only=0
verbose=0
rust=debian
runtime=al2023
while (($#)); do
	case $1 in
	--help | -h)
		usage
		exit 0
		;;
	--force) force=1 ;;
	--print-ref) print_only=1 ;;
	--verbose) verbose=1 ;;
	--rust=debian) rust=debian ;;
	--rust=host) rust=host ;;
	--rust=*) die "unknown toolchain '${1#*=}' for --rust (debian or host)" ;;
	--runtime=al2023 | --runtime=al2) runtime=${1#*=} ;;
	--runtime=*) die "unknown runtime '${1#*=}' for --runtime (al2023 or al2)" ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done

ref=$(recipe_ref)
if [[ $runtime == al2 ]]; then
	al2_main
	exit
fi
if [[ $rust == host ]]; then
	host_main
	exit
fi
ready "$ref" && exit 0

[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap needs it)"
command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install debootstrap)"

mirror=${LAMBDA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${LAMBDA_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
rootfs_ref="$ref-rootfs"
started=$SECONDS
workdir=$(mktemp -d "${TMPDIR:-/tmp}/lambda-builder.XXXXXX")
rootfs_imported=0
built=0

# The logs outlive a failure (the messages name them); the rootfs never does.
cleanup() {
	if ((built)); then rm -rf -- "$workdir"; else rm -rf -- "$workdir/rootfs" "$workdir/empty"; fi
	if ((rootfs_imported)); then
		engine_rmi "$rootfs_ref" >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

log "debootstrap $SUITE (minbase) from $mirror"
quietly "$workdir/debootstrap.log" debootstrap debootstrap --variant=minbase "$SUITE" "$workdir/rootfs" "$mirror" ||
	die "debootstrap failed (its own log: $workdir/rootfs/debootstrap/debootstrap.log)"

log "importing rootfs as $rootfs_ref"
tar -C "$workdir/rootfs" --numeric-owner -c . |
	engine_import "$rootfs_ref" >/dev/null
rootfs_imported=1

log "installing the toolchain"
# The classic builder works with every client; nothing here needs BuildKit.
builder_dockerfile >"$workdir/Dockerfile"
mkdir -p "$workdir/empty"
DOCKER_BUILDKIT=0 quietly "$workdir/build.log" "installing the toolchain" \
	engine_build --pull=false -t "$ref" -f "$workdir/Dockerfile" \
	--build-arg "ROOTFS=$rootfs_ref" \
	--build-arg "MIRROR=$mirror" \
	--build-arg "SECURITY_MIRROR=$security_mirror" \
	"$workdir/empty" || die "docker build of $ref failed"

built=1
log "built $ref in $((SECONDS - started))s"
printf '%s\n' "$ref"
