#!/usr/bin/env bash
# The man pages and their one source: each installed command's page is its
# --help, lambda.mk(7) is templates/lambda-help.txt (what `make lambda-help`
# prints), and README and lambda.mk name nothing the help text does not.
set -euo pipefail
# shellcheck source=tests/lib/tap.sh
. "${LAMBDA_SRCDIR:?}/tests/lib/tap.sh"
src=$LAMBDA_SRCDIR
build=${LAMBDA_BUILDDIR:?}
version=${LAMBDA_VERSION:?}
read -r -a cmds <<<"${LAMBDA_COMMANDS:?}"
: "${GNUMAKE:=make}"
work=$(mktemp -d /tmp/lambda-make-man.XXXXXX)
trap 'rm -rf "$work"' EXIT

# page NAME: the built page (build dir first, then the source dir: a tarball
# ships the pages, VPATH finds them there).
page() { if [[ -f $build/man/$1 ]]; then echo "$build/man/$1"; else echo "$src/man/$1"; fi; }

# render PAGE: plain text, whitespace squeezed to single spaces on one line.
render() {
	if command -v groff >/dev/null; then
		groff -man -Tascii -P-cbou "$1" 2>/dev/null
	else
		man -l "$1" 2>/dev/null | col -b
	fi | tr -s ' \t\n' '   '
}

# covers PAGE TEXTFILE: every non-empty line of TEXTFILE is in the rendered page.
covers() {
	local text line missing=0
	text=$(render "$1")
	while IFS= read -r line; do
		# a heading ("exit codes:") is an upper-case .SH title in the page
		[[ $line == [A-Za-z]*: ]] && line=${line%:}
		line=$(printf '%s' "$line" | sed 's/^[Uu]sage: //' | tr -s ' \t' '  ' | sed 's/^ //; s/ $//')
		[[ -z $line || ${text,,} == *"${line,,}"* ]] && continue
		diag "not in $(basename "$1"): $line"
		missing=1
	done <"$2"
	return "$missing"
}

# well_formed PAGE: groff reads it without a warning.
well_formed() {
	local w
	w=$(groff -man -ww -z "$1" 2>&1) || return 1
	[[ -z $w ]] || { diag "$w"; return 1; }
}

plan $((${#cmds[@]} * 3 + 7))

for c in "${cmds[@]}"; do
	p=$(page "$c.1")
	bash "$src/docker/$c" --help >"$work/$c.help"
	bash "$src/man/mkman.sh" "$c" 1 "$version" <"$work/$c.help" >"$work/$c.1"
	ok "$c.1 is up to date with $c --help" cmp -s "$p" "$work/$c.1"
	if command -v groff >/dev/null; then
		ok "$c.1 is well-formed troff (groff -ww: no warning)" well_formed "$p"
	else
		skip "$c.1 is well-formed troff" "groff not installed"
	fi
	ok "$c.1 says every line of $c --help" covers "$p" "$work/$c.help"
done

p=$(page lambda.mk.7)
bash "$src/man/mkman.sh" lambda.mk 7 "$version" <"$src/templates/lambda-help.txt" >"$work/lambda.mk.7"
ok "lambda.mk.7 is up to date with templates/lambda-help.txt" cmp -s "$p" "$work/lambda.mk.7"
ok "lambda.mk.7 says every line of lambda-help.txt" covers "$p" "$src/templates/lambda-help.txt"

# make lambda-help prints the same text, then the current values
mkdir -p "$work/proj/src"
printf '[package]\nname = "hello"\nversion = "0.1.0"\n' >"$work/proj/Cargo.toml"
out=$("$GNUMAKE" -s --no-print-directory -C "$work/proj" -f "$build/lambda-uninstalled.mk" lambda-help 2>&1) || true
is "make lambda-help prints lambda-help.txt first" "$(head -n "$(wc -l <"$src/templates/lambda-help.txt")" <<<"$out")" \
	"$(cat "$src/templates/lambda-help.txt")"

# every LAMBDA_* setting lambda.mk defines is documented
help=$(<"$src/templates/lambda-help.txt")
undoc=$(sed -n 's/^\(LAMBDA_[A-Z_]*\) *?=.*/\1/p' "$src/templates/lambda.mk" | while read -r v; do
	[[ $help == *"  $v "* ]] || echo "$v"
done)
is "every LAMBDA_* variable of lambda.mk is in lambda-help.txt" "$undoc" ""

# every phony lambda-* target is documented (the help's brace forms expanded)
documented=$(sed -n '/^targets:$/,/^$/s/^  \(lambda-[^ ]*\).*/\1/p' "$src/templates/lambda-help.txt" |
	while read -r t; do eval "printf '%s\n' $t"; done)
# (-q exits 1: lambda-help is never up to date)
phony=$({ "$GNUMAKE" -pq -C "$work/proj" -f "$build/lambda-uninstalled.mk" lambda-help 2>/dev/null || true; } |
	sed -n 's/^\.PHONY: //p' | tr ' ' '\n' | grep '^lambda-' | sort -u)
missing=$(comm -23 <(printf '%s\n' "$phony") <(printf '%s\n' "$documented" | sort -u))
ok "lambda.mk's phony targets were found" test -n "$phony"
is "every phony lambda-* target is in lambda-help.txt" "$missing" ""

# README: every variable in its table is documented; every command by its installed name
readme=$(<"$src/README.md")
bad=$(grep -o '^| `LAMBDA_[A-Z_]*`' "$src/README.md" | tr -d '|` ' | while read -r v; do
	[[ $help == *"  $v "* ]] || echo "$v"
done)
nocmd=$(for c in "${cmds[@]}"; do [[ $readme == *"$c"* ]] || echo "$c"; done)
is "README's variables are lambda-help.txt's, and it names every command" "$bad$nocmd" ""
finish
