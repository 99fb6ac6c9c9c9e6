#!/usr/bin/env bash
# lambda-package.sh: place each function's bootstrap and a reproducible
# bootstrap.zip under target/lambda/<arch>/<function>/, and the extensions'
# layer, atomically.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: lambda-package.sh --from=DIR --to=DIR [--epoch=SECONDS] [--extension=NAME]...
                         FUNCTION...

For each FUNCTION, copies FROM/FUNCTION/bootstrap to TO/FUNCTION/bootstrap
(mode 0755) and writes TO/FUNCTION/bootstrap.zip with bootstrap at its root.
Each --extension NAME (a binary built as FROM/NAME/bootstrap) becomes
TO/extensions/NAME (mode 0755), and all of them one layer zip,
TO/extensions.zip, holding extensions/NAME for each (Lambda starts every
executable in a layer's extensions/ as an external extension).
The zips are byte-reproducible: fixed mtime (--epoch, default 315532800 =
1980-01-01 UTC; taken as given: the callers pass SOURCE_DATE_EPOCH as the
module normalised it, never earlier than that), no extra fields, UTC, entries
in name order. Files appear by rename, never half-written.
Exit codes: 0 done; 1 failure; 2 bad usage.
USAGE
}

# die MESSAGE [CODE]: the message alone on stderr, then exit CODE (default 1).
die() { echo "lambda-package: $1" >&2; exit "${2:-1}"; }

from='' to='' epoch=315532800 fns=() exts=()
for a in "$@"; do
	case $a in
	--help | -h) usage; exit 0 ;;
	--from=*) from=${a#*=} ;;
	--to=*) to=${a#*=} ;;
	--epoch=*) epoch=${a#*=} ;;
	--extension=*) exts+=("${a#*=}") ;;
	-*) usage >&2; die "unknown option '$a'" 2 ;;
	*) fns+=("$a") ;;
	esac
done
[[ -n $from && -n $to && $((${#fns[@]} + ${#exts[@]})) -gt 0 ]] || { usage >&2; exit 2; }
for fn in "${fns[@]+"${fns[@]}"}" "${exts[@]+"${exts[@]}"}"; do
	[[ $fn =~ ^[A-Za-z0-9_][A-Za-z0-9_-]*$ ]] || die "invalid function name '$fn' (a Cargo binary name)" 2
done
command -v zip >/dev/null || die "zip is not installed (Debian: apt-get install zip)"

# Two phases: every function's files are written to a temp dir beside their
# destination first, and only when all are complete do they replace the earlier
# package by rename; a failure (a full disk) or a signal leaves that package as
# it was and removes the temp dirs. One a killed run left behind goes next time.
tmps=()
cleanup() { ((${#tmps[@]} == 0)) || rm -rf -- "${tmps[@]}"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# fail FN WHY: the temp files could not be written (why: the tools' first line).
fail() {
	die "cannot write the package of '$1' in $to/$1: ${2:-unknown error}; the earlier package there is unchanged"
}
for fn in "${fns[@]+"${fns[@]}"}"; do
	src=$from/$fn/bootstrap
	[[ -f $src ]] || die "the build produced no bootstrap for '$fn' ($src missing)"
	dest=$to/$fn
	why=$(mkdir -p -- "$dest" 2>&1) || fail "$fn" "$why"
	rm -rf -- "$dest"/.tmp.??????
	tmp=$(mktemp -d "$dest/.tmp.XXXXXX" 2>&1) || fail "$fn" "$tmp"
	tmps+=("$tmp")
	why=$({
		cp -- "$src" "$tmp/bootstrap" && chmod 0755 "$tmp/bootstrap" &&
			TZ=UTC touch -d "@$epoch" "$tmp/bootstrap" &&
			(cd "$tmp" && TZ=UTC zip -q -X -D bootstrap.zip bootstrap) &&
			TZ=UTC touch -d "@$epoch" "$tmp/bootstrap.zip" && cmp -s -- "$src" "$tmp/bootstrap"
	} 2>&1) || fail "$fn" "$(head -n1 <<<"${why:-the copy differs from the build output}")"
done
# The layer: extensions/NAME for each, staged in one temp dir like the functions.
sorted=()
if ((${#exts[@]})); then
	why=$(mkdir -p -- "$to" 2>&1) || fail extensions "$why"
	rm -rf -- "$to"/.tmp.??????
	ltmp=$(mktemp -d "$to/.tmp.XXXXXX" 2>&1) || fail extensions "$ltmp"
	tmps+=("$ltmp")
	mapfile -t sorted < <(printf '%s\n' "${exts[@]}" | LC_ALL=C sort -u)
	entries=()
	for ext in "${sorted[@]}"; do
		src=$from/$ext/bootstrap
		[[ -f $src ]] || die "the build produced no binary for the extension '$ext' ($src missing)"
		entries+=("extensions/$ext")
	done
	why=$({
		mkdir "$ltmp/extensions" &&
			for ext in "${sorted[@]}"; do
				cp -- "$from/$ext/bootstrap" "$ltmp/extensions/$ext" &&
					chmod 0755 "$ltmp/extensions/$ext" &&
					TZ=UTC touch -d "@$epoch" "$ltmp/extensions/$ext" || exit 1
			done &&
			(cd "$ltmp" && TZ=UTC zip -q -X -D extensions.zip "${entries[@]}") &&
			TZ=UTC touch -d "@$epoch" "$ltmp/extensions.zip"
	} 2>&1) || fail extensions "$(head -n1 <<<"${why:-the copy failed}")"
fi

i=0
for fn in "${fns[@]+"${fns[@]}"}"; do
	dest=$to/$fn tmp=${tmps[i]}
	i=$((i + 1))
	mv -f -- "$tmp/bootstrap.zip" "$dest/bootstrap.zip"
	mv -f -- "$tmp/bootstrap" "$dest/bootstrap"
	echo "lambda-package: $dest/bootstrap.zip ($(stat -c %s "$dest/bootstrap.zip") bytes)"
done

((${#sorted[@]})) || exit 0
mkdir -p -- "$to/extensions"
for ext in "${sorted[@]}"; do mv -f -- "$ltmp/extensions/$ext" "$to/extensions/$ext"; done
# an extension no longer listed leaves the unzipped copy too
for f in "$to/extensions"/*; do
	[[ -e $f ]] || continue
	[[ " ${sorted[*]} " == *" ${f##*/} "* ]] || rm -f -- "$f"
done
mv -f -- "$ltmp/extensions.zip" "$to/extensions.zip"
echo "lambda-package: $to/extensions.zip ($(stat -c %s "$to/extensions.zip") bytes, ${#sorted[@]} extension(s))"
