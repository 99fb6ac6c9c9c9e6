#!/usr/bin/env bash
# dockerfile-scripts.sh DOCKERFILE DIR: write each helper script that a RUN of
# DOCKERFILE prints into /usr/local/bin (printf '%s\n' 'line' ... >/usr/local/bin/NAME)
# to DIR/NAME, by running that printf, so shellcheck can read what the image runs.
# Prints the names written; fails when there are none.
set -euo pipefail
[[ $# -eq 2 && -f $1 ]] || { echo "usage: dockerfile-scripts.sh DOCKERFILE DIR" >&2; exit 2; }
df=$1 dir=$2
mkdir -p "$dir"
words='' inblk=0 n=0
while IFS= read -r line; do
	if [[ $line =~ ^[[:space:]]*printf\ \'%s\\n\'\ \\$ ]]; then
		inblk=1 words=''
	elif ((inblk)) && [[ $line =~ ^[[:space:]]*\>/usr/local/bin/([a-z-]+)\;\ \\$ ]]; then
		name=${BASH_REMATCH[1]}
		# the words are the Dockerfile's own single-quoted lines: the repo's text
		eval "printf '%s\n' $words" >"$dir/$name"
		echo "$name"
		inblk=0 n=$((n + 1))
	elif ((inblk)); then
		words+=" ${line% \\}"
	fi
done <"$df"
((n > 0)) || { echo "dockerfile-scripts.sh: no helper scripts found in $df" >&2; exit 1; }
