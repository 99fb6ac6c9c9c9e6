#!/usr/bin/env bash
# Make-level tests: makefiles that load the built module and check what the
# $(lambda-...) functions expand to, and how they fail (exit 2, make's message).
set -euo pipefail
# shellcheck source=tests/lib/tap.sh
. "${LAMBDA_SRCDIR:?}/tests/lib/tap.sh"
: "${LAMBDA_PLUGIN:?}" "${GNUMAKE:=make}"

work=$(mktemp -d /tmp/lambda-make-fn.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

# mk TEXT...: run make on a makefile that loads the module first; sets out, err, rc.
mk() {
	printf 'load %s\n' "$LAMBDA_PLUGIN" >Makefile
	printf '%s\n' "$@" >>Makefile
	rc=0
	out=$("$GNUMAKE" -s -f Makefile 2>err.txt) || rc=$?
	err=$(cat err.txt)
}

plan 36

# --- lambda-hash ---
printf abc >a.txt
mkdir -p d/sub && : >d/sub/b.c
mk 'all: ; @echo $(lambda-hash a.txt)'
is "hash of one file matches the xxhsum-derived golden value" "$out" f481aafd01e4e2cf83ec95f3e478f493
mk 'all: ; @echo $(lambda-hash d a.txt)'
is "hash of a file and a tree" "$out" cc08e361d7542de2326526f26507f3f3
mk 'all: ; @echo $(lambda-hash ./a.txt   d/)'
is "argument order and spelling do not matter" "$out" cc08e361d7542de2326526f26507f3f3
touch -d '2001-01-01' a.txt
mk 'all: ; @echo $(lambda-hash d a.txt)'
is "mtimes do not matter" "$out" cc08e361d7542de2326526f26507f3f3
mkdir -p d/target d/.git d/.lambda && echo x >d/target/t && echo y >d/.git/g && echo z >d/.lambda/s
mk 'all: ; @echo $(lambda-hash d a.txt)'
is "target/, .git/ and .lambda/ are skipped" "$out" cc08e361d7542de2326526f26507f3f3

mk 'all: ; @echo $(lambda-hash a.txt nope/missing.rs) >ran.txt'
is "missing path: make exits 2" "$rc" 2
like "missing path: the message names it" "$err" "lambda-hash: nope/missing.rs: No such file or directory"
like "missing path: reported as make's own error" "$err" "*** "
ok "missing path: the recipe never ran" test ! -e ran.txt

mk 'P := we$$ird,)\#x' 'all: ; @echo $(lambda-hash $(P))'
like "a message with \$ ) , # survives intact" "$err" 'we$ird,)#x: No such file'

mk '.DELETE_ON_ERROR:' 'out.txt: ; printf partial >$@; echo $(lambda-hash gone) >>$@' 'all: out.txt'
ok "a failing expansion leaves no target file" test ! -e out.txt

# --- lambda-config ---
mk 'all: ; @echo $(lambda-config)'
is "config defaults" "$out" "target_arch=x86_64 targets=x86_64-unknown-linux-gnu runtime=al2023 container_name=lambda-rust-dev epoch=315532800 own_dir=.lambda bin_dir=.lambda/bin pkg_dir=target/lambda dev_dir=target/lambda-dev functions= cargo_flags="
mk 'LAMBDA_RUNTIME = al1' 'D := $(lambda-config pkg_dir)|$(lambda-config dev_dir)|$(lambda-config own_dir)|$(lambda-config bin_dir)' 'all: ; @echo "$(D)"'
is "layout dirs: read while parsing, whatever the settings" "$out" "target/lambda|target/lambda-dev|.lambda|.lambda/bin"
mk 'all: ; @echo $(lambda-config epoch)'
rc=0; out=$(SOURCE_DATE_EPOCH=' 1700000000 ' "$GNUMAKE" -s -f Makefile 2>&1) || rc=$?
is "SOURCE_DATE_EPOCH from the environment: trimmed" "$out" 1700000000
rc=0; out=$(SOURCE_DATE_EPOCH=86400 "$GNUMAKE" -s -f Makefile 2>&1) || rc=$?
is "SOURCE_DATE_EPOCH before 1980: the zip epoch" "$out" 315532800
rc=0; out=$(SOURCE_DATE_EPOCH=soon "$GNUMAKE" -s -f Makefile 2>&1) || rc=$?
like "an invalid SOURCE_DATE_EPOCH: the core's message" "$out" "SOURCE_DATE_EPOCH: 'soon' is not a number of seconds"
mk 'LAMBDA_RUNTIME = al2' 'LAMBDA_ARCH = arm64 x86_64' 'LAMBDA_CARGO_FLAGS = --locked' \
	'all: ; @echo "$(lambda-config target_arch)|$(lambda-config runtime)|$(lambda-config cargo_flags)"'
is "config fields" "$out" "x86_64 arm64|al2|--locked"
mk 'LAMBDA_RUNTIME = al1' 'all: ; @touch ran.txt'
is "invalid runtime without a call: nothing checks it" "$rc" 0
rm -f ran.txt
mk 'LAMBDA_RUNTIME = al1' 'X := $(lambda-config)' 'all: ; @touch ran.txt'
is "invalid runtime: exit 2" "$rc" 2
like "invalid runtime: lists the valid values" "$err" "LAMBDA_RUNTIME: invalid value 'al1' (valid: al2023, al2)"
ok "invalid runtime: nothing ran" test ! -e ran.txt
mk 'all: ; @echo $(lambda-config)' && : 
rc=0; out=$(LAMBDA_ARCH=sparc "$GNUMAKE" -s -f Makefile 2>&1) || rc=$?
like "invalid arch from the environment: named" "$out" "LAMBDA_ARCH: invalid value 'sparc'"
mk 'LAMBDA_CONTAINER = bad name!' 'all: ; @echo $(lambda-config)'
like "invalid container name" "$err" "LAMBDA_CONTAINER: invalid container name 'bad name!'"

# --- lambda-manifest-hash, lambda-skeleton, lambda-bins ---
mkdir -p p/src
cat >p/Cargo.toml <<'TOML'
[package]
name = "demo"
version = "0.1.0"
edition = "2021"

[dependencies]
itoa = "1"
TOML
echo 'fn main() {}' >p/src/main.rs
mk 'all: ; @echo $(lambda-manifest-hash p)'
h1=$out
echo '// edit' >>p/src/main.rs
mk 'all: ; @echo $(lambda-manifest-hash p)'
is "manifest hash ignores source edits" "$out" "$h1"
sed -i 's/^version = "0.1.0"/version = "0.2.0"/' p/Cargo.toml
mk 'all: ; @echo $(lambda-manifest-hash p)'
is "manifest hash ignores an own-version bump" "$out" "$h1"
sed -i 's/^itoa = "1"/itoa = "1.0.1"/' p/Cargo.toml
mk 'all: ; @echo $(lambda-manifest-hash p)'
ok "manifest hash changes with a dependency" test "$out" != "$h1"
mk 'all: ; @echo $(lambda-skeleton p, sk)'
ok "skeleton written" test -f sk/Cargo.toml -a -f sk/src/main.rs
mk 'all: ; @echo $(lambda-skeleton p,sk)'
is "skeleton unchanged: nothing rewritten" "$out" 0
mk 'all: ; @echo $(lambda-bins p)'
is "bins of a package" "$out" demo
mk 'all: ; @echo $(lambda-bins nowhere)'
like "bins of a dir without Cargo.toml: named" "$err" "nowhere"
mk 'all: ; @echo "[$(lambda-archs all)|$(lambda-archs arm64  x86_64)|$(lambda-archs )|$(lambda-archs x86_64 sparc)]"'
is "archs: the selected architectures, none for an invalid value (no error)" "$rc [$out]" "0 [[x86_64 arm64|x86_64 arm64|x86_64|]]"

# --- lambda-check: the ELF checks as make errors ---
printf 'int main(void) { return 0; }\n' >m.c
cc -o x86.bin m.c
mkdir -p fn/hello && cp x86.bin fn/hello/bootstrap
mk 'all: ; @echo "$(lambda-check fn/hello,x86_64,al2023)"'
like "lambda-check: a good x86_64 bootstrap" "$out" "fn/hello/bootstrap: ok (x86_64, GLIBC_2."
if have_cross; then
	aarch64-linux-gnu-gcc -o arm.bin m.c || true
	mk 'all: ; @echo "$(lambda-check arm.bin,x86_64,al2023)"'
	is "lambda-check: wrong architecture is a make error" "$rc" 2
	like "lambda-check: says what to do" "$err" "built for arm64, function arch is x86_64"
else
	skip "lambda-check: wrong architecture is a make error" "aarch64-linux-gnu-gcc not found"
	skip "lambda-check: says what to do" "aarch64-linux-gnu-gcc not found"
fi
chmod -x fn/hello/bootstrap
mk 'all: ; @echo "$(lambda-check fn,x86_64,al2023)"'
like "lambda-check: a non-executable bootstrap below a dir" "$err" "not executable: chmod 0755 it"

# --- the module itself ---
syms=$(nm -D --defined-only "$LAMBDA_PLUGIN" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort | tr '\n' ' ')
is "only the setup function and the GPL symbol are exported" "$syms" "lambda_gmk_setup plugin_is_GPL_compatible "
finish
