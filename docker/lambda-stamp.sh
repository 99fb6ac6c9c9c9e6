#!/usr/bin/env bash
# lambda-stamp.sh FILE KEY: record that a stage finished with content key KEY.
# Written last and by rename, so an interrupted build never looks up to date.
set -euo pipefail
if [[ $# -ne 2 || ! $2 =~ ^[0-9a-f]{32}$ ]]; then
	echo "usage: lambda-stamp.sh FILE KEY (KEY: 32 hex digits)" >&2
	exit 2
fi
mkdir -p "$(dirname "$1")"
printf '%s\n' "$2" >"$1.$$"
mv -f "$1.$$" "$1"
