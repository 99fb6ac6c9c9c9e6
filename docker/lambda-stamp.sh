#!/usr/bin/env bash
# lambda-stamp.sh FILE KEY: record that a stage finished with content key KEY.
# Written last and by rename, so an interrupted build never looks up to date.
# FILE.inputs.next (the inputs the module recorded when the stage started) becomes
# FILE.inputs first: what `make lambda-explain` compares against next time.
set -euo pipefail
if [[ $# -ne 2 || ! $2 =~ ^[0-9a-f]{32}$ ]]; then
	echo "usage: lambda-stamp.sh FILE KEY (KEY: 32 hex digits)" >&2
	exit 2
fi
mkdir -p "$(dirname "$1")"
if [[ -f $1.inputs.next ]]; then
	mv -f "$1.inputs.next" "$1.inputs"
fi
printf '%s\n' "$2" >"$1.$$"
mv -f "$1.$$" "$1"
