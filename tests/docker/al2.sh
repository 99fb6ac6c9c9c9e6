#!/usr/bin/env bash
# LAMBDA_RUNTIME=al2 against the real engine: packages that start on Amazon Linux 2
# (glibc 2.26), built on the default builder for al2, the image
# 'builder-image.sh --runtime=al2' builds (zig as the C compiler and linker, for
# glibc 2.26; built or reused here, the zig wheel fetched by that script).
# - a function on the corpus's std-only Runtime API client (tiny-rt) and
#   tests/fixtures/cc-dep (a build script compiling C and assembly with the cc
#   crate), x86_64 and arm64: every GLIBC_ version the bootstrap needs is <= 2.26,
#   lambda-check says ok for al2, the function answers an
#   invocation through a loopback Runtime API (arm64 under qemu), cc-dep runs;
# - with LAMBDA_BASE_IMAGE unset, al2 builds on that image (make -n shows it);
# - switching back to al2023 changes the base stage's key (lambda-explain names
#   LAMBDA_RUNTIME), so al2 and al2023 layers never mix;
# - al2 on a base image that links for a newer glibc (the Debian builder) stops in
#   the base stage with one line naming the glibc and the fix, and no package.
# Each project gets a line unique to the run, so no earlier run's cache answers.
set -euo pipefail
src=${LAMBDA_SRCDIR:?}
# shellcheck source=tests/lib/docker-env.sh
. "$src/tests/lib/docker-env.sh" lmal2 "/tmp/lambda al2.XXXXXX"
need_make

al2_image=$("$src/docker/builder-image.sh" --runtime=al2)

# mk DIR CARGO_HOME ARGS...: make in DIR for both arches; output in $out, status in $rc.
mk() {
	local dir=$1 ch=$2
	shift 2
	rc=0
	out=$("$GNUMAKE" --no-print-directory -C "$dir" -f "$buildmk" LAMBDA_CARGO_HOME="$ch" \
		LAMBDA_PROJECT="$run_id-${dir##*/}" LAMBDA_DOCKER="$bk" LAMBDA_ARCH="x86_64 arm64" \
		"$@" 2>&1) || rc=$?
	[[ $rc -eq 0 ]] || printf '# %s\n' "${out//$'\n'/$'\n'# }" | tail -40
}
# max_glibc FILE: the highest GLIBC_x.y the ELF file needs
max_glibc() {
	readelf -V --wide "$1" | grep -oE 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/^GLIBC_//' | sort -uV | tail -n1
}
# al2_ok VERSION: VERSION <= 2.26
al2_ok() { [[ -n $1 && $(printf '%s\n' "$1" 2.26 | sort -V | tail -n1) == 2.26 ]]; }

plan 17

# A function answering the Runtime API through the corpus's std-only client: what
# al2 changes is the C toolchain and the link, which a large async stack would only
# make slower to build.
greet=$work/greet
mkdir -p "$greet/src"
cp -r "$src/tests/fixtures/corpus/tiny-rt" "$work/tiny-rt"
printf '[package]\nname = "greet"\nversion = "0.1.0"\nedition = "2021"\n# %s\n\n[dependencies]\ntiny-rt = { path = "../tiny-rt" }\n' \
	"$run_id" >"$greet/Cargo.toml"
printf 'fn main() {\n    tiny_rt::serve(|e| format!("{{\\"message\\":\\"Hello\\",\\"event\\":{e}}}"))\n}\n' \
	>"$greet/src/main.rs"
(cd "$greet" && cargo generate-lockfile --offline -q)
hch=$work/hello-cargo-home
"$src/tests/lib/vendor.sh" "$greet" "$hch" >/dev/null

mk "$greet" "$hch" -n lambda-prod LAMBDA_RUNTIME=al2 LAMBDA_BASE_IMAGE=
like "al2 without LAMBDA_BASE_IMAGE builds on the al2 builder image" "$out" \
	"--build-arg=LAMBDA_BASE_IMAGE=$al2_image --build-arg=LAMBDA_TARGET=x86_64-unknown-linux-gnu --build-arg=LAMBDA_RUNTIME=al2 "

t0=$SECONDS
mk "$greet" "$hch" lambda-prod LAMBDA_RUNTIME=al2 LAMBDA_BASE_IMAGE=
diag "greet, al2, both arches, cold: $((SECONDS - t0)) s"
is "greet (tiny-rt): make lambda-prod LAMBDA_RUNTIME=al2, both arches" "$rc" 0
for a in x86_64 arm64; do
	b=$greet/target/lambda/$a/greet/bootstrap
	v=$(max_glibc "$b" 2>/dev/null || true)
	ok "greet $a: the highest GLIBC_ it needs ($v) is <= 2.26" al2_ok "$v"
	like "greet $a: lambda-check says ok for al2" "$out" "lambda-check: $b: ok ($a, GLIBC_$v, al2)"
	body=$("$src/tests/lib/invoke.sh" "$b" "$a" '{"name":"al2"}' 2>&1 || true)
	is "greet $a: answers an invocation" "$body" '{"message":"Hello","event":{"name":"al2"}}'
done

mk "$greet" "$hch" lambda-explain LAMBDA_RUNTIME=al2023 LAMBDA_BASE_IMAGE="$al2_image"
like "back to al2023: the base stage's key names LAMBDA_RUNTIME" "$out" \
	"base-x86_64: runs: LAMBDA_RUNTIME changed ('al2' -> 'al2023')"

cc=$work/cc-dep
cp -r "$src/tests/fixtures/cc-dep" "$cc"
printf '# %s\n' "$run_id" >>"$cc/Cargo.toml"
cch=$work/cc-cargo-home
"$src/tests/lib/vendor.sh" "$cc" "$cch" >/dev/null
t0=$SECONDS
mk "$cc" "$cch" lambda-prod LAMBDA_RUNTIME=al2 LAMBDA_BASE_IMAGE=
diag "cc-dep, al2, both arches, cold: $((SECONDS - t0)) s"
is "cc-dep (C and assembly through the cc crate): al2, both arches" "$rc" 0
for a in x86_64 arm64; do
	b=$cc/target/lambda/$a/cc-dep/bootstrap
	v=$(max_glibc "$b" 2>/dev/null || true)
	ok "cc-dep $a: the highest GLIBC_ it needs ($v) is <= 2.26" al2_ok "$v"
	run=("$b")
	[[ $a == x86_64 ]] || run=(qemu-aarch64-static -L "${LAMBDA_ARM64_SYSROOT:-/usr/aarch64-linux-gnu}" "$b")
	is "cc-dep $a: runs" "$("${run[@]}" 2>&1 || true)" "cc-dep: 2"
done

bad=$work/bad
cp -r "$greet" "$bad"
rm -rf "$bad/target" "$bad/.lambda"
printf '# %s\n' "$run_id" >>"$bad/Cargo.toml"
mk "$bad" "$hch" lambda-prod LAMBDA_RUNTIME=al2 LAMBDA_BASE_IMAGE="$image"
ok "al2 on a base that links for a newer glibc fails" test "$rc" -ne 0
like "... naming the glibc and the fix" "$out" \
	"lambda-make: LAMBDA_RUNTIME=al2 needs a toolchain that links for glibc 2.26 (Amazon Linux 2), but $image links for glibc 2.36; fix: leave LAMBDA_BASE_IMAGE unset"
ok "... and leaves no package" test ! -e "$bad/target/lambda"

finish
