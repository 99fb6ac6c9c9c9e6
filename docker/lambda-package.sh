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
1980-01-01 UTC), no extra fields, UTC, entries in name order. Files appear by
rename, never half-written.
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
[[ $epoch =~ ^[0-9]+$ ]] || die "--epoch must be seconds since 1970 (got '$epoch')" 2
command -v zip >/dev/null || die "zip is not installed (Debian: apt-get install zip)"
# zip cannot store times before 1980
((epoch >= 315532800)) || epoch=315532800

for fn in "${fns[@]+"${fns[@]}"}"; do
	src=$from/$fn/bootstrap
	[[ -f $src ]] || die "the build produced no bootstrap for '$fn' ($src missing)"
	dest=$to/$fn
	mkdir -p "$dest"
	tmp=$(mktemp -d "$dest/.tmp.XXXXXX")
	cp "$src" "$tmp/bootstrap"
	chmod 0755 "$tmp/bootstrap"
	TZ=UTC touch -d "@$epoch" "$tmp/bootstrap"
	(cd "$tmp" && TZ=UTC zip -q -X -D bootstrap.zip bootstrap)
	TZ=UTC touch -d "@$epoch" "$tmp/bootstrap.zip"
	mv -f "$tmp/bootstrap" "$dest/bootstrap"
	mv -f "$tmp/bootstrap.zip" "$dest/bootstrap.zip"
	rmdir "$tmp"
	echo "lambda-package: $dest/bootstrap.zip ($(stat -c %s "$dest/bootstrap.zip") bytes)"
done

((${#exts[@]})) || exit 0
# The layer: extensions/NAME for each, staged in one temp dir and renamed into place.
mkdir -p "$to"
tmp=$(mktemp -d "$to/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/extensions"
mapfile -t sorted < <(printf '%s\n' "${exts[@]}" | LC_ALL=C sort -u)
entries=()
for ext in "${sorted[@]}"; do
	[[ $ext =~ ^[A-Za-z0-9_-]+$ ]] || die "--extension: '$ext' is not a binary name" 2
	src=$from/$ext/bootstrap
	[[ -f $src ]] || die "the build produced no binary for the extension '$ext' ($src missing)"
	cp "$src" "$tmp/extensions/$ext"
	chmod 0755 "$tmp/extensions/$ext"
	TZ=UTC touch -d "@$epoch" "$tmp/extensions/$ext"
	entries+=("extensions/$ext")
done
(cd "$tmp" && TZ=UTC zip -q -X -D extensions.zip "${entries[@]}")
TZ=UTC touch -d "@$epoch" "$tmp/extensions.zip"
mkdir -p "$to/extensions"
for ext in "${sorted[@]}"; do mv -f "$tmp/extensions/$ext" "$to/extensions/$ext"; done
# an extension no longer listed leaves the unzipped copy too
for f in "$to/extensions"/*; do
	[[ -e $f ]] || continue
	[[ -e $tmp/extensions/${f##*/} || " ${sorted[*]} " == *" ${f##*/} "* ]] || rm -f -- "$f"
done
mv -f "$tmp/extensions.zip" "$to/extensions.zip"
echo "lambda-package: $to/extensions.zip ($(stat -c %s "$to/extensions.zip") bytes, ${#sorted[@]} extension(s))"
