#!/usr/bin/env bash
# lambda-stamp.sh FILE KEY [PACKAGE...]: record that a stage finished with content
# key KEY, and for each PACKAGE file its size, mtime and inode, so that a later
# no-op vouches only for the very files this build wrote.
# Written last and by rename, so an interrupted build never looks up to date.
# FILE.inputs.next (the inputs the module recorded when the stage started) becomes
# FILE.inputs first: what `make lambda-explain` compares against next time.
set -euo pipefail
if [[ $# -lt 2 || ! $2 =~ ^[0-9a-f]{32}$ ]]; then
	echo "usage: lambda-stamp.sh FILE KEY [PACKAGE...] (KEY: 32 hex digits)" >&2
	exit 2
fi
file=$1 key=$2
shift 2
mkdir -p "$(dirname "$file")"
if [[ -f $file.inputs.next ]]; then
	mv -f "$file.inputs.next" "$file.inputs"
fi
trap 'rm -f -- "$file.$$"' EXIT
{
	printf '%s\n' "$key"
	(($# == 0)) || stat -c '%s %Y %i %n' -- "$@"
} >"$file.$$"
mv -f "$file.$$" "$file"
