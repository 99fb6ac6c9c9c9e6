#!/usr/bin/env bash
# LAMBDA_SAM_FUNCTIONS and LAMBDA_EXTENSIONS without Docker: no build-* rule unless
# asked (the including Makefile's own build-% stays), one rule per entry, one clear
# error per bad entry, the extensions passed to the build and the packager.
# (Real sam build and the layer zip: tests/docker/sam.sh.)
set -euo pipefail
# shellcheck source=tests/lib/tap.sh
. "${LAMBDA_SRCDIR:?}/tests/lib/tap.sh"
: "${LAMBDA_PLUGIN:?}" "${GNUMAKE:=make}"
buildmk=$(dirname "$(dirname "$LAMBDA_PLUGIN")")/lambda-uninstalled.mk
[[ -f $buildmk ]] || { echo "1..0 # no $buildmk"; exit 1; }

work=$(mktemp -d /tmp/lambda-make-sam.XXXXXX)
trap 'rm -rf "$work"' EXIT
proj=$work/app
cp -r "$LAMBDA_SRCDIR/examples/existing-project" "$proj"
rm -rf "$proj/target"
cd "$proj"
# the team's own pattern rule, named like SAM's targets
cat >>Makefile <<'MK'
build-%:
	@echo "own rule for $*"
MK

# run ARGS...: make with the include (LAMBDA_MK = the build tree); sets out/rc.
run() {
	rc=0
	out=$("$GNUMAKE" --no-print-directory LAMBDA_MK="$buildmk" "$@" 2>&1) || rc=$?
}
# rules: the names of the build-* targets make knows (its database, no build).
rules() {
	"$GNUMAKE" -pq --no-print-directory LAMBDA_MK="$buildmk" "$@" 2>/dev/null |
		sed -n 's/^\(build-[A-Za-z0-9%]*\):.*/\1/p' | sort -u | tr '\n' ' '
}

plan 22

is "unset: the only build-* rule is the Makefile's own" "$(rules)" "build-% "
run build-HelloFunction
is "unset: build-X runs the Makefile's own rule" "$rc/$out" "0/own rule for HelloFunction"
is "set: one rule per entry, the own pattern rule kept" \
	"$(rules LAMBDA_SAM_FUNCTIONS='Greeter=greeter  Report1=report')" "build-% build-Greeter build-Report1 "
run build-Other LAMBDA_SAM_FUNCTIONS=Greeter=greeter
is "set: another build-X still runs the own rule" "$rc/$out" "0/own rule for Other"

run -n build-Greeter LAMBDA_SAM_FUNCTIONS=Greeter=greeter ARTIFACTS_DIR="$work/art"
is "make -n build-Greeter: ok" "$rc" 0
like "make -n build-Greeter: a prod build of the functions" "$out" "--build-arg=LAMBDA_BINS=greeter report"
like "make -n build-Greeter: images named after the Makefile's dir, not the cwd" "$out" "--tag=lambda-make/app:base-x86_64"
ok "make -n: nothing written" test ! -e "$work/art" -a ! -e .lambda/state

# run from a scratch copy, as sam build does: the tags keep the project's name
cp -r "$proj" "$work/tmpx1y2z3"
rc=0
out=$(cd "$work/tmpx1y2z3" && "$GNUMAKE" --no-print-directory -n --makefile "$proj/Makefile" \
	LAMBDA_MK="$buildmk" LAMBDA_SAM_FUNCTIONS=Greeter=greeter ARTIFACTS_DIR="$work/art" build-Greeter 2>&1) || rc=$?
like "scratch copy: builds the copy" "$out" "--context=$work/tmpx1y2z3/.lambda/ctx"
like "scratch copy: the project's image names" "$out" "--tag=lambda-make/app:deps-x86_64"

# bad settings: exit 2 and one line naming the problem and the fix
bad() { # NAME PATTERN MAKE-ARGS...
	local name=$1 pat=$2
	shift 2
	run "$@"
	if [[ $rc == 2 && $out == *"$pat"* && $(grep -c 'lambda-' <<<"$out") == 1 ]]; then
		ok "$name" true
	else
		ok "$name (rc=$rc: $out)" false
	fi
}
bad "entry without '='" "LAMBDA_SAM_FUNCTIONS: 'Greeter' is not LogicalId=bin" \
	build-Greeter LAMBDA_SAM_FUNCTIONS=Greeter ARTIFACTS_DIR="$work/art"
bad "logical id with a dash" "'Greet-er' is not a CloudFormation logical ID" \
	build-Greet-er LAMBDA_SAM_FUNCTIONS=Greet-er=greeter ARTIFACTS_DIR="$work/art"
bad "logical id twice" "'Greeter' is given twice" \
	build-Greeter LAMBDA_SAM_FUNCTIONS="Greeter=greeter Greeter=report" ARTIFACTS_DIR="$work/art"
bad "unknown bin" "Greeter=nope: 'nope' is not a function lambda-prod builds (functions: greeter, report" \
	build-Greeter LAMBDA_SAM_FUNCTIONS=Greeter=nope ARTIFACTS_DIR="$work/art"
bad "bin left out of LAMBDA_FUNCTIONS" "'report' is not a function lambda-prod builds (functions: greeter;" \
	build-R LAMBDA_SAM_FUNCTIONS=R=report LAMBDA_FUNCTIONS=greeter ARTIFACTS_DIR="$work/art"
bad "no ARTIFACTS_DIR" "build-Greeter: ARTIFACTS_DIR is not set" \
	build-Greeter LAMBDA_SAM_FUNCTIONS=Greeter=greeter
bad "two architectures" "AWS SAM builds one architecture at a time: set LAMBDA_ARCH" \
	build-Greeter LAMBDA_SAM_FUNCTIONS=Greeter=greeter LAMBDA_ARCH=all ARTIFACTS_DIR="$work/art"
bad "a bad entry fails lambda-validate too" "is not LogicalId=bin" \
	lambda-validate LAMBDA_SAM_FUNCTIONS==greeter

# extensions
run -n lambda-prod LAMBDA_EXTENSIONS=report
like "extensions: built with the functions" "$out" "--build-arg=LAMBDA_BINS=greeter report"
like "extensions: packaged as the layer, not as functions" "$out" "--extension=report greeter"
bad "extension that is no binary" "LAMBDA_EXTENSIONS: 'nope' is not a binary" \
	lambda-prod LAMBDA_EXTENSIONS=nope
bad "extension that is also a function" "'report' is in both LAMBDA_FUNCTIONS and LAMBDA_EXTENSIONS" \
	lambda-prod LAMBDA_EXTENSIONS=report LAMBDA_FUNCTIONS="greeter report"
finish
