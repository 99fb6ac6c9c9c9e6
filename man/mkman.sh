#!/usr/bin/env bash
# mkman.sh: turn a command's --help text (stdin) into a man page (stdout), so
# the help is the one source of both. Usage: mkman.sh NAME SECTION VERSION
#
# The help text follows this shape (every installed command's --help does):
#   NAME - one-line summary          -> .SH NAME
#   (blank)
#   usage: ...                       -> .SH SYNOPSIS (up to the next blank line;
#                                       "usage:"/"Usage:" dropped)
#   paragraphs                       -> .SH DESCRIPTION
#   heading:                         -> .SH HEADING: a line at column 0, after a
#                                       blank line, that ends in ':'
# Body text is kept as preformatted lines (.nf), so the aligned option tables
# read in the man page exactly as in --help.
set -euo pipefail
if [[ $# -ne 3 ]]; then
	echo "usage: mkman.sh NAME SECTION VERSION <HELP >PAGE" >&2
	exit 2
fi
awk -v name="$1" -v sec="$2" -v ver="$3" '
# esc: troff-safe text: backslashes, hyphens (so options copy-paste as ASCII),
# and a leading . or '\'' that troff would read as a request.
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.'\'']/) s = "\\&" s
	return s
}
function section(title) {
	if (body) print ".fi"
	pending = 0
	print ".SH " esc(toupper(title))
	print ".nf"
	body = 1
}
NR == 1 {
	if (index($0, " - ") == 0) {
		print "mkman.sh: line 1 of the help must be \"NAME - summary\"" > "/dev/stderr"
		bad = 1
		exit 1
	}
	print ".TH " toupper(esc(name)) " " sec " \"\" \"lambda-make " ver "\" \"lambda-make\""
	print ".SH NAME"
	print esc($0)
	next
}
state == 0 && /^$/ { next }
state == 0 {
	state = 1
	print ".SH SYNOPSIS"
	print ".nf"
	body = 1
	sub(/^[Uu]sage: */, "")
}
state == 1 && /^$/ { state = 2; blank = 1; next }
state == 1 { print esc($0); next }
state == 2 && blank && /^[A-Za-z][^ ].*:$/ && length($0) < 60 {
	t = $0
	sub(/:$/, "", t)
	section(t)
	blank = 0
	started = 1
	next
}
state == 2 && !started && !/^$/ { section("description"); started = 1 }
state == 2 {
	if (/^$/) { if (!blank) pending = 1; blank = 1; next }
	if (pending) { print ""; pending = 0 }
	blank = 0
	print esc($0)
}
END {
	if (bad) exit 1
	if (body) print ".fi"
}
'
