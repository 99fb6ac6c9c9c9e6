#!/usr/bin/env bash
# Error handling of the production path against the real engine (issue 3, item 10),
# through make. Each failure must leave no partial artifact: target/lambda and the
# stamps in .lambda/state are byte-for-byte what they were before.
# 1. cross-compilation: a base image without the aarch64 standard library, and one
#    without the aarch64 linker: make lambda-prod LAMBDA_ARCH=arm64 fails with the
#    Dockerfile's message naming the target and the fix;
# 2. no Cargo.toml; 3. a malformed manifest (the message names file:line);
# 4. dependency resolution (a hand-made vendored, offline crate set): a stale
#    Cargo.lock entry is repaired by the one retry with a fresh resolution; a crate
#    missing from the set still fails with cargo's message; a compile error is not
#    retried;
#    a registry that cannot be reached is not retried; a base image that is neither
#    local nor pullable is named with its setting and the offline builder;
# 5. a removed deps image and garbage in state files: detected, rebuilt.
# Fixtures set lto = false in their own [profile.release] (builds in seconds).
# Images are tagged lambda-make/<run id>-*:* or <run id>-*:* and removed on exit.
# Env: LAMBDA_BUILDKIT_DOCKER (default /usr/bin/docker), LAMBDA_KEEP=1.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmerr /tmp/lambda-errors.XXXXXX
need_make

# mk DIR ARGS...: make in a fixture; output in $out, status in $rc. LAMBDA_VERBOSE=1:
# the checks read the command lines and cargo's output of builds that succeed.
mk() {
	local dir=$1
	shift
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$dir" -f "$buildmk" LAMBDA_BASE_IMAGE="$image" \
		LAMBDA_PROJECT="$run_id-${dir##*/}" LAMBDA_DOCKER="$bk" LAMBDA_VERBOSE=1 "$@" 2>&1) || rc=$?
}
show() { printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -25; }
# snap DIR: every artifact and stamp, with its checksum (what a failure must keep).
snap() {
	(cd "$1" && find target/lambda .lambda/state -type f 2>/dev/null | sort | xargs -r sha256sum)
}
# fails_clean NAME DIR BEFORE: the last make failed and left DIR's snapshot as BEFORE.
fails_clean() {
	local now
	now=$(snap "$2")
	if [[ $rc -ne 0 && $now == "$3" ]]; then
		echo "ok $((tap_n + 1)) - $1: fails, no partial artifact"
	else
		echo "not ok $((tap_n + 1)) - $1: fails, no partial artifact (status $rc)"
		tap_fail=$((tap_fail + 1))
		diff <(echo "$3") <(echo "$now") | sed 's/^/# /' || true
		show
	fi
	tap_n=$((tap_n + 1))
}
stage_ran() { [[ $out == *"--stage=$1 "* ]]; }
# retries: how many times cargo printed the retry notice (BuildKit prefixes "#N T ";
# the Dockerfile's own text, echoed with the step, has it inside quotes).
retries() {
	grep -cE '^(#[0-9]+ [0-9.]+ )?lambda-make: dependency resolution failed; retrying once' <<<"$out" || true
}
retried() { [[ $(retries) -ge 1 ]]; }
is_key() { [[ $(cat "$1") =~ ^[0-9a-f]{32}$ ]]; }
profile=$'[profile.release]\nlto = false\ncodegen-units = 16\n'

plan 30

# The fixture: one function, built for both arches first (the artifacts to keep).
p=$work/proj
mkdir -p "$p/src"
printf '[package]\nname = "errs"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n%s' \
	"$profile" >"$p/Cargo.toml"
echo 'fn main() { println!("errs"); }' >"$p/src/main.rs"
t0=$SECONDS
mk "$p" -j2 lambda-prod LAMBDA_ARCH="x86_64 arm64"
[[ $rc -eq 0 ]] || show
is "fixture: make lambda-prod, both arches" "$rc" 0
diag "fixture build: $((SECONDS - t0)) s"
before=$(snap "$p")

# --- 1. a cross-compilation target or linker missing from the base image ----------
nostd=$run_id-nostd:1 nolink=$run_id-nolinker:1
# shellcheck disable=SC2016 # expanded by the image's shell
printf 'FROM %s\nRUN rm -rf "$(rustc --print sysroot)/lib/rustlib/aarch64-unknown-linux-gnu"\n' "$image" |
	DOCKER_BUILDKIT=1 "$bk" build -q -t "$nostd" - >/dev/null
printf 'FROM %s\nRUN rm -f /usr/bin/aarch64-linux-gnu-gcc /usr/bin/aarch64-linux-gnu-gcc-[0-9]*\n' "$image" |
	DOCKER_BUILDKIT=1 "$bk" build -q -t "$nolink" - >/dev/null
mk "$p" lambda-prod LAMBDA_ARCH=arm64 LAMBDA_BASE_IMAGE="$nostd"
fails_clean "no aarch64 std in the base image" "$p" "$before"
like "no aarch64 std: the message names the target" "$out" \
	"has no Rust standard library for aarch64-unknown-linux-gnu"
like "no aarch64 std: the message gives the fix" "$out" "fix: 'rustup target add aarch64-unknown-linux-gnu'"
mk "$p" lambda-prod LAMBDA_ARCH=arm64 LAMBDA_BASE_IMAGE="$nolink"
fails_clean "no aarch64 linker in the base image" "$p" "$before"
like "no aarch64 linker: the message names the target" "$out" \
	"cannot cross-compile for aarch64-unknown-linux-gnu"
like "no aarch64 linker: the message gives the fix" "$out" "fix: install aarch64-linux-gnu-gcc"

# --- 2. no Cargo.toml; 3. a malformed manifest ---------------------------------------
mv "$p/Cargo.toml" "$work/Cargo.toml.saved"
mk "$p" lambda-prod
fails_clean "no Cargo.toml" "$p" "$before"
like "no Cargo.toml: said so" "$out" "$p: no Cargo.toml"
cp "$work/Cargo.toml.saved" "$p/Cargo.toml"
line=$(($(wc -l <"$p/Cargo.toml") + 1))
printf '[dependencies\nfoo = 1\n' >>"$p/Cargo.toml"
mk "$p" lambda-prod
fails_clean "malformed Cargo.toml" "$p" "$before"
like "malformed Cargo.toml: the message names file:line" "$out" "$p/Cargo.toml:$line:"
mv "$work/Cargo.toml.saved" "$p/Cargo.toml"

# --- 4. dependency resolution, offline against a hand-made vendored set -------------
ch=$work/cargo-home
mkdir -p "$ch/vendor/lmdep-1.0.0/src"
printf '[package]\nname = "lmdep"\nversion = "1.0.0"\nedition = "2021"\n' >"$ch/vendor/lmdep-1.0.0/Cargo.toml"
echo 'pub fn answer() -> u32 { 42 }' >"$ch/vendor/lmdep-1.0.0/src/lib.rs"
sum=$(printf '%064d' 1)
printf '{"files":{},"package":"%s"}\n' "$sum" >"$ch/vendor/lmdep-1.0.0/.cargo-checksum.json"
printf '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "/cargo-home/vendor"\n\n[net]\noffline = true\n' \
	>"$ch/config.toml"
q=$work/vend
mkdir -p "$q/src"
# The feature named after the run keeps the layers of earlier runs out of the way
# (the checks read what cargo prints, which a cached step does not).
printf '[package]\nname = "vend"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[features]\n%s = []\n\n%s\n[dependencies]\nlmdep = "1"\n' \
	"$run_id" "$profile" >"$q/Cargo.toml"
echo 'fn main() { println!("{}", lmdep::answer()); }' >"$q/src/main.rs"
# A lock file that pins a version the vendored set does not have: stale.
cat >"$q/Cargo.lock" <<LOCK
# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "lmdep"
version = "1.0.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "$(printf '%064d' 2)"

[[package]]
name = "vend"
version = "0.1.0"
dependencies = [
 "lmdep",
]
LOCK
mk "$q" lambda-prod LAMBDA_CARGO_HOME="$ch"
[[ $rc -eq 0 ]] || show
is "stale Cargo.lock entry: the build succeeds" "$rc" 0
like "stale Cargo.lock entry: cargo's resolution error is shown" "$out" \
	"failed to select a version for the requirement \`lmdep = \"^1\"\` (locked to 1.0.1)"
ok "stale Cargo.lock entry: repaired by one retry with a fresh resolution" retried
is "stale Cargo.lock entry: the function runs" "$("$q/target/lambda/x86_64/vend/bootstrap" 2>&1 || true)" 42
qbefore=$(snap "$q")
cp "$q/Cargo.toml" "$work/vend.toml"
echo 'lmnothere = "1"' >>"$q/Cargo.toml"
mk "$q" lambda-prod LAMBDA_CARGO_HOME="$ch"
fails_clean "a crate missing from the vendored set" "$q" "$qbefore"
like "missing crate: cargo's message is shown" "$out" "no matching package named \`lmnothere\` found"
is "missing crate: retried exactly once" "$(retries)" 1
cp "$work/vend.toml" "$q/Cargo.toml"
# A current lock file (the vendored 1.0.0), so no resolution fails before compiling.
sed -i "s/^version = \"1.0.1\"/version = \"1.0.0\"/; s/$(printf '%064d' 2)/$sum/" "$q/Cargo.lock"
mk "$q" lambda-deps-x86_64 LAMBDA_CARGO_HOME="$ch"
qbefore=$(snap "$q")
echo 'fn main() { let x: u32 = "not a number"; }' >"$q/src/main.rs"
mk "$q" lambda-prod LAMBDA_CARGO_HOME="$ch"
fails_clean "a compile error" "$q" "$qbefore"
ok "compile error: cargo's error shown, no resolution retry" \
	eval '[[ $out == *"error[E0308]"* && $(retries) -eq 0 ]]'

# A registry that cannot be reached (a sparse index on a closed loopback port, seen
# from inside the container): cargo's network error is shown and not "retried with a
# fresh resolution", which would need the same registry.
nh=$work/cargo-home-unreachable
mkdir -p "$nh"
printf '[source.crates-io]\nreplace-with = "dead"\n\n[source.dead]\nregistry = "sparse+http://127.0.0.1:9/"\n\n[net]\nretry = 0\n' \
	>"$nh/config.toml"
n=$work/net
mkdir -p "$n/src"
printf '[package]\nname = "net"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[features]\n%s = []\n\n%s\n[dependencies]\nlmdep = "1"\n' \
	"$run_id" "$profile" >"$n/Cargo.toml"
echo 'fn main() {}' >"$n/src/main.rs"
mk "$n" lambda-prod LAMBDA_CARGO_HOME="$nh"
is "unreachable registry: the build fails" "$rc" 2
ok "unreachable registry: said so, no resolution retry" \
	eval '[[ $(retries) -eq 0 && $out == *"lambda-make: cargo could not reach a registry"* ]]'

# An image that is neither local nor pullable: one message naming LAMBDA_BASE_IMAGE
# and the offline builder, before any build output; both builders.
for d in "$bk" "$classic"; do
	mk "$p" lambda-prod LAMBDA_ARCH=x86_64 LAMBDA_BASE_IMAGE="$run_id-nonexistent:tag" LAMBDA_DOCKER="$d"
	fails_clean "unpullable base image ($d)" "$p" "$before"
	ok "unpullable base image ($d): names LAMBDA_BASE_IMAGE and builder-image.sh, no build output" \
		eval '[[ $out == *"base image '"'$run_id-nonexistent:tag'"' is not on this machine and cannot be pulled"*"set LAMBDA_BASE_IMAGE"*"builder-image.sh builds and names"*"docs/offline.md"* && $out != *"[internal]"* && $out != *"Step 1/"* ]]'
done

# --- 5. a removed deps image, stale state files --------------------------------------
docker rmi "lambda-make/$run_id-proj:deps-x86_64" >/dev/null
echo '// a source edit' >>"$p/src/main.rs"
mk "$p" lambda-prod LAMBDA_ARCH=x86_64
is "deps image removed: a source edit still builds" "$rc" 0
printf '\n[features]\nextra = []\n' >>"$p/Cargo.toml"
mk "$p" lambda-prod LAMBDA_ARCH=x86_64
ok "deps image removed: a manifest edit rebuilds and re-tags it" \
	eval '[[ $rc -eq 0 ]] && docker image inspect "lambda-make/$run_id-proj:deps-x86_64" >/dev/null 2>&1'
for s in base deps; do
	head -c 100 /dev/urandom >"$p/.lambda/state/$s-x86_64"
done
mk "$p" lambda-prod LAMBDA_ARCH=x86_64
ok "garbage state files: base and deps rerun, the build succeeds" \
	eval '[[ $rc -eq 0 ]] && stage_ran base && stage_ran deps'
ok "garbage state files: replaced by valid keys" \
	eval 'is_key "$p/.lambda/state/base-x86_64" && is_key "$p/.lambda/state/deps-x86_64"'
diag "total: $((SECONDS - t0)) s"
finish
