#!/usr/bin/env bash
# .dockerignore and LAMBDA_EXCLUDE, without Docker (issue 18):
# - what a pattern excludes is not copied into .lambda/ctx and is in no key: its edit
#   changes no ctx file and no stage key (the keys are in make -n's stamp commands);
#   a kept file's edit changes both;
# - a "!" exception and "**" work; a pattern hitting a file Cargo needs (Cargo.toml)
#   keeps the file and says so in one warning naming the pattern and the file;
# - LAMBDA_EXCLUDE adds patterns after the file's; a malformed pattern, in the file
#   or the setting, is one error naming where it is;
# - lambda-dev masks exactly the excluded paths in the dev container (--mask).
set -euo pipefail
# shellcheck source=tests/lib/tap.sh
. "${LAMBDA_SRCDIR:?}/tests/lib/tap.sh"
: "${LAMBDA_PLUGIN:?}" "${GNUMAKE:=make}"
buildmk=$(dirname "$(dirname "$LAMBDA_PLUGIN")")/lambda-uninstalled.mk
[[ -f $buildmk ]] || { echo "1..0 # no $buildmk"; exit 1; }

work=$(mktemp -d /tmp/lambda-make-context.XXXXXX)
trap 'rm -rf "$work"' EXIT
proj=$work/proj
cp -r "$LAMBDA_SRCDIR/examples/existing-project" "$proj"
rm -rf "$proj/target"
cd "$proj"

run() {
	rc=0
	out=$("$GNUMAKE" --no-print-directory LAMBDA_MK="$buildmk" "$@" 2>&1) || rc=$?
}
# ctx: every file of the context's src/ with its content digest
ctx() { (cd .lambda/ctx/src && find . -type f -exec sha1sum {} + | sort -k2); }
# keys: the stage keys make -n would stamp
keys() { "$GNUMAKE" --no-print-directory LAMBDA_MK="$buildmk" -n lambda-prod 2>&1 | grep -o 'lambda-stamp.sh [^ ]* [0-9a-f]*'; }
has() { [[ -f .lambda/ctx/src/$1 ]]; }

plan 16

# a project as teams have them: a secret, a JS toolchain, test data, logs
echo 'AWS_SECRET_ACCESS_KEY=TOPSECRET-env' >.env
mkdir -p node_modules/left-pad data/sub logs/2024/01 src/logs
echo 'module.exports = 1' >node_modules/left-pad/index.js
echo 'big fixture' >data/fixture.bin
echo 'deep' >data/sub/deep.bin
echo 'keep me' >data/keep.txt
echo 'log line' >logs/2024/01/app.log
echo 'nested log' >src/logs/debug.log
echo '# notes' >NOTES.md
cat >.dockerignore <<'IGN'
# secrets and local state
.env
node_modules/
/data
!data/keep.txt
**/*.log
Cargo.toml
IGN

run lambda-context
is "lambda-context succeeds" "$rc" 0
like "a pattern hitting Cargo.toml: one warning naming the file and the pattern" "$out" \
	"lambda-make: Cargo.toml: excluded by the pattern 'Cargo.toml', but Cargo needs it: kept in the build"
kept() { has Cargo.toml && has Cargo.lock && has src/main.rs && has data/keep.txt && has NOTES.md; }
ok "the files Cargo needs and the kept files are in the context" kept
excluded=(.env node_modules/left-pad/index.js data/fixture.bin data/sub/deep.bin
	logs/2024/01/app.log src/logs/debug.log)
leaked=
for f in "${excluded[@]}"; do has "$f" && leaked+=" $f"; done
is "no excluded file is in the context (.env, node_modules/, /data, **/*.log)" "$leaked" ""
nosecret() { ! grep -rq TOPSECRET .lambda/ctx; }
ok "the secret is nowhere under .lambda/ctx" nosecret

before_ctx=$(ctx) before_keys=$(keys)
[[ -n $before_keys ]] || diag "no keys in make -n's output"
for f in "${excluded[@]}"; do echo "edited $RANDOM" >>"$f"; done
echo 'a new excluded file' >node_modules/new.js
run lambda-context
is "after editing every excluded file, lambda-context says only its one warning" \
	"$(grep -c 'lambda-make: ' <<<"$out")" 1
is "... the context is unchanged" "$(ctx)" "$before_ctx"
is "... and so is every stage key" "$(keys)" "$before_keys"

echo 'kept and edited' >>data/keep.txt
run lambda-context
like "a kept file's edit reaches the context" "$(cat .lambda/ctx/src/data/keep.txt)" "kept and edited"
changed() { [[ $(keys) != "$before_keys" ]]; }
ok "... and changes the build stage's key" changed

run lambda-context LAMBDA_EXCLUDE='NOTES.md !data/fixture.bin'
ok "LAMBDA_EXCLUDE adds patterns after the file's (NOTES.md out, !data/fixture.bin back in)" \
	test "$rc" -eq 0 -a ! -e .lambda/ctx/src/NOTES.md -a -f .lambda/ctx/src/data/fixture.bin
run lambda-config LAMBDA_EXCLUDE='ok [bad'
ok "a malformed LAMBDA_EXCLUDE is an error" test "$rc" -ne 0
like "... naming the setting and the pattern" "$out" "LAMBDA_EXCLUDE: pattern '[bad' has a '[' without its ']'"

run -n lambda-dev
like "lambda-dev masks the excluded paths in the container" "$out" \
	"--mask=.env --mask=data/fixture.bin --mask=data/sub --mask=logs/2024/01/app.log --mask=node_modules --mask=src/logs/debug.log"

cp .dockerignore ignore.bak
printf 'ok\n\n[x\n' >.dockerignore
run lambda-context
ok "a malformed .dockerignore stops lambda-context" test "$rc" -ne 0
like "... with one message naming the file and line" "$out" ".dockerignore:3: pattern '[x' has a '[' without its ']'"
mv ignore.bak .dockerignore

finish
